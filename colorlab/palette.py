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

from ._files import write_atomically
from .errors import InvalidParameterError

__all__ = ["Palette", "PALETTE_FORMATS"]

#: Export formats and the file suffixes that select them.
PALETTE_FORMATS = {"hex": (".hex", ".txt"), "json": (".json",), "gpl": (".gpl",)}


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
        try:
            data = json.loads(text)
            colors = [entry["rgb"] for entry in data["colors"]]
            counts = [entry["count"] for entry in data["colors"]]
            return cls(colors, counts, data.get("method", "manual"), data.get("space", "rgb"), data.get("params", {}))
        except (ValueError, KeyError, TypeError) as err:
            raise InvalidParameterError(f"not a colorlab palette JSON ({err}); write one with Palette.to_json()") from None

    def to_gpl(self, name: str | None = None) -> str:
        """The palette as a GIMP palette (``.gpl``) file's text.

        Each line is ``R G B<TAB>#rrggbb share%``; GIMP, Inkscape and Krita read it.

        Examples
        --------
        >>> print(Palette([[255, 128, 0]], counts=[1], method="kmeans").to_gpl().splitlines()[0])
        GIMP Palette
        """
        name = name or f"colorlab {self.method} {len(self)} colors"
        lines = ["GIMP Palette", f"Name: {name}", f"Columns: {min(len(self), 8)}", "#"]
        for (r, g, b), hexcode, share in zip(self, self.to_hex(), self.shares):
            lines.append(f"{r:3d} {g:3d} {b:3d}\t{hexcode} {100 * share:.1f}%")
        return "\n".join(lines) + "\n"

    def to_text(self, format: str = "hex") -> str:
        """The palette as text in ``format``: ``"hex"`` (one color a line), ``"json"`` or ``"gpl"``."""
        if format == "hex":
            return "\n".join(self.to_hex()) + "\n"
        if format == "json":
            return self.to_json() + "\n"
        if format == "gpl":
            return self.to_gpl()
        raise InvalidParameterError(f"unknown palette format {format!r}; choose one of {', '.join(PALETTE_FORMATS)}")

    def save(self, path: os.PathLike | str, format: str | None = None) -> Path:
        """Write the palette to ``path`` atomically; the format follows the suffix unless given.

        ``.hex``/``.txt`` -> hex, ``.json`` -> json, ``.gpl`` -> GIMP palette.
        """
        path = Path(path)
        if format is None:
            format = next((f for f, sfx in PALETTE_FORMATS.items() if path.suffix.lower() in sfx), None)
            if format is None:
                raise InvalidParameterError(
                    f"cannot tell the palette format of {str(path)!r} from its suffix; use .hex, .txt, .json or .gpl"
                )
        text = self.to_text(format)
        return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
