"""colorlab: color quantization by clustering, for teaching and exploring.

Find the k colors that best represent a photo (its palette), redraw the photo
with only those colors, and see where the colors sit in RGB space.

The computation modules (images, colorspace, palette, cluster, quantize,
metrics) import neither matplotlib nor ipywidgets; ``colorlab.plot``,
``colorlab.widgets`` and ``colorlab.figures`` are imported on first use.

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

from .cluster import METHODS, SPACES, fit_palette, warm_up
from .errors import (
    ColorlabError,
    ColorlabWarning,
    ImageFileError,
    ImageTooLargeError,
    InvalidImageError,
    InvalidParameterError,
)
from .histogram import ColorHistogram, color_histogram
from .images import load_image, load_image_alpha, save_image, to_rgb8
from .palette import Palette
from .quantize import quantize, reduce_colors
from .samples import sample_path, samples
from .sweep import sweep  # the function; the module is colorlab.sweep in sys.modules (SweepRow, MODES)
from .batch import batch  # the function; the module is colorlab.batch in sys.modules (pandas etc. load on first call)

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

_LAZY_SUBMODULES = {
    "plot", "widgets", "lessons", "compare_widgets", "figures", "metrics", "colorspace", "lloyd", "compare",
    "hierarchy", "mediancut", "dither", "cli", "explorer", "params", "histogram", "uploads", "collection", "collection_plot",
    "animation", "constrained", "choose_k", "palette_io",
}


def __getattr__(name):
    # colorlab.plot etc. without importing matplotlib/ipywidgets at `import colorlab`
    if name in _LAZY_SUBMODULES:
        return import_module(f".{name}", __name__)
    if name == "__version__":
        # looked up on first use: importlib.metadata costs ~45 ms and ~45 modules at start-up
        globals()["__version__"] = _installed_version()
        return globals()["__version__"]
    raise AttributeError(f"module 'colorlab' has no attribute {name!r}")


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("colorlab")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"
