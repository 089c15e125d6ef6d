"""colorlab: color quantization by clustering, for teaching and exploring.

Find the k colors that best represent a photo (its palette), redraw the photo
with only those colors, and see where the colors sit in RGB space.

One subpackage per domain, each importing only those below it:

- ``colorlab.util`` checks and atomic files; ``colorlab._engine`` the compiled k-means engine (private);
- ``colorlab.color`` color spaces; ``colorlab.histogram`` distinct colors and counts;
- ``colorlab.palette`` the Palette and its file formats; ``colorlab.io`` images in and out, sample photos;
- ``colorlab.cluster`` fitting a palette; ``colorlab.redraw`` quantizing, dithering, animations;
- ``colorlab.metrics`` measurements; ``colorlab.selection`` many k, choosing k, comparing methods;
- ``colorlab.collection`` folders of photos (batch, Dask) and their analysis;
- ``colorlab.plot`` matplotlib figures; ``colorlab.explorer`` the browser explorer;
- ``colorlab.lessons`` what only the notebooks use; ``colorlab.cli`` the command line.

Everything up to ``colorlab.collection`` imports neither matplotlib nor ipywidgets; the subpackages are
imported on first use.

Examples
--------
>>> import colorlab
>>> image = colorlab.load_image("rocket")
>>> palette = colorlab.fit_palette(image, 6, seed=0)
>>> quantized = colorlab.quantize(image, palette)
>>> quantized.shape == image.shape, len(palette)
(True, 6)
"""

from importlib import import_module

from . import _moved
from .errors import (
    ColorlabError,
    ColorlabWarning,
    ImageFileError,
    ImageTooLargeError,
    InvalidImageError,
    InvalidParameterError,
)

__all__ = [
    "METHODS",
    "SPACES",
    "ColorHistogram",
    "ColorlabError",
    "ColorlabWarning",
    "ImageFileError",
    "ImageTooLargeError",
    "InvalidImageError",
    "InvalidParameterError",
    "Palette",
    "color_histogram",
    "fit_palette",
    "load_image",
    "load_image_alpha",
    "quantize",
    "reduce_colors",
    "sample_path",
    "samples",
    "save_image",
    "sweep",
    "to_rgb8",
    "warm_up",
    "__version__",
    "batch",
]

#: Subpackages and modules imported on first use (``colorlab.plot`` without importing matplotlib at
#: ``import colorlab``).
_LAZY_SUBMODULES = {
    "plot", "metrics", "cli", "explorer", "histogram", "collection", "cluster", "color", "io", "lessons",
    "palette", "redraw", "selection", "util",
}
#: The public names, imported on first use by the module that holds them: ``import colorlab`` costs no more
#: than its errors, and ``colorlab quantize`` imports only the modules its work needs (not Ward's clustering,
#: the animations or the batch's pandas).
_LAZY_FUNCTIONS = {
    **dict.fromkeys(("METHODS", "SPACES", "fit_palette"), "colorlab.cluster.fit"),
    **dict.fromkeys(("ColorHistogram", "color_histogram"), "colorlab.histogram"),
    "to_rgb8": "colorlab.io.arrays",
    **dict.fromkeys(("load_image", "load_image_alpha"), "colorlab.io.images"),
    "save_image": "colorlab.io.saving",
    "Palette": "colorlab.palette.core",
    **dict.fromkeys(("quantize", "reduce_colors", "warm_up"), "colorlab.redraw.quantize"),
    **dict.fromkeys(("sample_path", "samples"), "colorlab.io.samples"),
    "sweep": "colorlab.selection.sweep",
    "batch": "colorlab.collection.batch",
}


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        return import_module(f".{name}", __name__)
    if name in _LAZY_FUNCTIONS:
        value = getattr(import_module(_LAZY_FUNCTIONS[name]), name)
        globals()[name] = value
        return value
    if name in _moved.MOVED:
        return import_module(f".{name}", __name__)  # the old path: it warns once with the new one
    if name == "__version__":
        # looked up on first use: importlib.metadata costs ~45 ms and ~45 modules at start-up
        globals()["__version__"] = _installed_version()
        return globals()["__version__"]
    raise AttributeError(f"module 'colorlab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("colorlab")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"
