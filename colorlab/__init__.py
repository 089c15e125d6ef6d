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

import sys
import types
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


# colorlab.sweep and colorlab.batch are functions named like the modules that hold them (colorlab.sweep's
# module is sys.modules["colorlab.sweep"]: SweepRow, MODES; colorlab.batch's: find_images, ...). They are
# imported on first use (together 8-12 ms and 10 modules of the command line's start-up), so the import
# system's "colorlab.sweep = <module>" after loading a submodule must keep the function: _Package does.
_FUNCTION_MODULES = ("sweep", "batch")


class _Package(types.ModuleType):
    def __setattr__(self, name, value):
        if name in _FUNCTION_MODULES and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name):
    # colorlab.plot etc. without importing matplotlib/ipywidgets at `import colorlab`
    if name in _LAZY_SUBMODULES:
        return import_module(f".{name}", __name__)
    if name in _FUNCTION_MODULES:
        import_module(f".{name}", __name__)  # sets the function (see _Package)
        return globals()[name]
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
