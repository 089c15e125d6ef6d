"""The :class:`Palette` value object (:mod:`.core`) and its file formats (:mod:`.formats`: hex, JSON, GIMP,
CSS, PAL, ASE, SVG and swatch PNG).

May import: :mod:`colorlab.errors`, :mod:`colorlab.util`, :mod:`colorlab.color` and numpy.
"""

from .core import PALETTE_FORMATS, Palette

__all__ = ["Palette", "PALETTE_FORMATS"]
