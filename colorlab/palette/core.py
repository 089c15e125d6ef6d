"""The :class:`Palette` value object: the colors a clustering found, with their pixel counts.

A palette is what ``fit_palette`` returns and what ``quantize`` consumes. It is
immutable, ordered by pixel count (most used color first) and knows how it was
made (method, color space, parameters), so a saved palette says where it came
from.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping

import numpy as np

from . import formats as palette_io
from ..errors import InvalidParameterError
from .formats import PALETTE_FORMATS

__all__ = ["Palette", "PALETTE_FORMATS"]



def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, copy=True)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Palette:
    """A small set of colors with the number of pixels each one represents.

    Parameters
    ----------
    colors : (k, 3) array_like of uint8
        sRGB colors, 0..255.
    counts : (k,) array_like of int
        Number of pixels assigned to each color (non-negative).
    method : str
        Name of the method that produced the palette (``"kmeans"``, ...).
    space : str, default "rgb"
        Color space the palette was fitted in; ``quantize`` maps each pixel to
        the nearest color *in this space*.
    params : mapping, optional
        The parameters of the fit (requested ``k``, ``seed``, ...); JSON-able.

    The colors are re-ordered by decreasing count (ties keep their order), the
    arrays are copied and made read-only, so a Palette never changes.

    Examples
    --------
    >>> p = Palette([[255, 0, 0], [0, 0, 255]], counts=[10, 30], method="manual")
    >>> p.to_hex()
    ['#0000ff', '#ff0000']
    >>> len(p), p.shares.tolist()
    (2, [0.75, 0.25])
    """

    colors: np.ndarray
    counts: np.ndarray
    method: str = "manual"
    space: str = "rgb"
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        colors = np.asarray(self.colors)
        if colors.ndim != 2 or colors.shape[1] != 3 or colors.shape[0] < 1:
            raise InvalidParameterError(f"palette colors must have shape (k, 3) with k >= 1, got {colors.shape}")
        if colors.dtype != np.uint8:
            if not np.issubdtype(colors.dtype, np.integer) or colors.min() < 0 or colors.max() > 255:
                raise InvalidParameterError(f"palette colors must be integers in 0..255 (uint8), got dtype {colors.dtype}")
            colors = colors.astype(np.uint8)
        counts = np.asarray(self.counts)
        if counts.shape != (colors.shape[0],):
            raise InvalidParameterError(f"palette counts must have one entry per color, shape ({colors.shape[0]},), got {counts.shape}")
        if not np.issubdtype(counts.dtype, np.integer) or (counts < 0).any():
            raise InvalidParameterError("palette counts must be non-negative integers")
        order = np.argsort(-counts.astype(np.int64), kind="stable")
        object.__setattr__(self, "colors", _frozen(colors[order]))
        object.__setattr__(self, "counts", _frozen(counts[order].astype(np.int64)))
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    # -- container protocol -------------------------------------------------
    def __len__(self) -> int:
        return int(self.colors.shape[0])

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        return (tuple(int(v) for v in c) for c in self.colors)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Palette):
            return NotImplemented
        return (
            np.array_equal(self.colors, other.colors)
            and np.array_equal(self.counts, other.counts)
            and self.method == other.method
            and self.space == other.space
            and dict(self.params) == dict(other.params)
        )

    __hash__ = None  # mutable-looking arrays inside: not hashable

    def __repr__(self) -> str:
        hexes = ", ".join(self.to_hex()[:8]) + (", ..." if len(self) > 8 else "")
        return f"Palette({len(self)} colors [{hexes}], method={self.method!r}, space={self.space!r})"

    # -- derived values -----------------------------------------------------
    @property
    def shares(self) -> np.ndarray:
        """Fraction of pixels per color, (k,) float64 summing to 1 (all zero if no pixels)."""
        total = int(self.counts.sum())
        return self.counts / total if total else np.zeros(len(self))

    def to_hex(self) -> list[str]:
        """The colors as ``'#rrggbb'`` strings, most used first."""
        return ["#{:02x}{:02x}{:02x}".format(*c) for c in self]

    # -- export -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict: method, space, params and one entry per color."""
        return {
            "method": self.method,
            "space": self.space,
            "params": dict(self.params),
            "colors": [
                {"hex": h, "rgb": list(c), "count": int(n), "share": round(float(s), 6)}
                for h, c, n, s in zip(self.to_hex(), self, self.counts, self.shares)
            ],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The palette as JSON text (see :meth:`to_dict`); :meth:`from_json` reads it back.

        Examples
        --------
        >>> p = Palette([[1, 2, 3]], counts=[5], method="manual")
        >>> Palette.from_json(p.to_json()) == p
        True
        """
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> "Palette":
        """Read a palette written by :meth:`to_json`."""
        record = palette_io.json_record(text)
        try:
            return cls(**record)
        except (ValueError, KeyError, TypeError) as err:
            raise InvalidParameterError(f"not a colorlab palette JSON ({err}); write one with Palette.to_json()") from None

    def to_gpl(self, name: str | None = None) -> str:
        """The palette as a GIMP palette (``.gpl``) file's text.

        Each line is ``R G B<TAB>#rrggbb share% count px``; GIMP, Inkscape and Krita read it, and
        :meth:`load` reads the counts back.

        Examples
        --------
        >>> print(Palette([[255, 128, 0]], counts=[1], method="kmeans").to_gpl().splitlines()[0])
        GIMP Palette
        """
        return palette_io.to_gpl(self, name)

    def to_text(self, format: str = "hex") -> str:
        """The palette as text in a text format: ``"hex"`` (one color a line), ``"json"``, ``"gpl"``, ``"css"``,
        ``"pal"`` or ``"svg"`` (see :mod:`colorlab.palette.formats`; ``"ase"`` and ``"png"`` are binary: use :meth:`save`).

        Examples
        --------
        >>> print(Palette([[255, 128, 0]], counts=[7]).to_text("css"), end="")
        /* colorlab manual 1 colors (space rgb), most used first: share and pixel count */
        :root {
          --color-1: #ff8000; /* 100.0% 7 px */
        }
        """
        return palette_io.to_text(self, format)

    def save(self, path: os.PathLike | str, format: str | None = None) -> Path:
        """Write the palette to ``path`` atomically; the format follows the suffix unless given.

        ``.hex``/``.txt`` -> hex, ``.json`` -> json, ``.gpl`` -> GIMP palette, ``.css`` -> CSS custom
        properties, ``.ase`` -> Adobe Swatch Exchange, ``.pal`` -> JASC-PAL, ``.png``/``.svg`` -> a swatch
        picture (each color a bar as wide as its share). :meth:`load` reads every one of them back; see
        :mod:`colorlab.palette.formats` for which formats keep the counts.
        """
        return palette_io.save(self, path, format)

    @classmethod
    def load(cls, path: os.PathLike | str, format: str | None = None) -> "Palette":
        """Read a palette file in any format :meth:`save` writes; the format follows the suffix unless given.

        The colors come back exactly, in the file's order of use. JSON keeps everything (counts, method,
        space, params); GPL, CSS, PNG and SVG files written by colorlab keep the counts (so the shares);
        hex, ASE and PAL cannot hold counts, so every color gets a count of 1 (equal shares, the file's
        order), as do GPL and CSS files from other programs. Palettes read from files other than JSON
        and PNG have ``method="file"`` and ``space="rgb"``.

        Raises
        ------
        ImageFileError
            The file is missing, a folder or unreadable.
        InvalidParameterError
            The suffix names no format, or the file is empty or corrupt.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> p = Palette([[255, 0, 0], [0, 0, 255]], counts=[10, 30], method="kmeans")
        >>> q = Palette.load(p.save(folder / "p.gpl"))
        >>> q.to_hex(), q.counts.tolist()
        (['#0000ff', '#ff0000'], [30, 10])
        >>> Palette.load(p.save(folder / "p.pal")).counts.tolist()
        [1, 1]
        """
        return palette_io.load(path, format, make=lambda record: cls(**record))
