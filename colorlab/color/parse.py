"""Colors as people write them: ``"#rrggbb"``, ``"#rgb"``, ``"r,g,b"`` or an (r, g, b) triple.

The one parser of colors given by a user (locked colors, colors to ignore, a ``--fixed`` option) and of the
hex colors palette files write (:func:`parse_hex`: a hex file's lines, CSS and SVG colors).
"""

from __future__ import annotations

import numbers
import re

import numpy as np

from ..errors import InvalidParameterError
from ..util.checks import shown

__all__ = ["parse_color", "parse_colors", "parse_hex"]

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
def _rgb(digits: str) -> tuple[int, int, int]:
    digits = "".join(c * 2 for c in digits) if len(digits) == 3 else digits
    return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))


def parse_hex(text, name: str = "color") -> tuple[int, int, int]:
    """One sRGB color from ``"#rrggbb"`` or ``"#rgb"`` (the ``#`` may be left out), as palette files write them.

    Examples
    --------
    >>> parse_hex("#FF8000"), parse_hex(" 0cf ")
    ((255, 128, 0), (0, 204, 255))
    >>> parse_hex("#12345g")
    Traceback (most recent call last):
    ...
    colorlab.errors.InvalidParameterError: color '#12345g' is not a #rrggbb color such as #ff8000
    """
    match = _HEX.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise InvalidParameterError(f"{name} {shown(text)} is not a #rrggbb color such as #ff8000")
    return _rgb(match.group(1))


def parse_color(value, name: str = "color") -> tuple[int, int, int]:
    """One sRGB color from ``"#rrggbb"``, ``"#rgb"``, ``"rrggbb"``, ``"r,g,b"`` or an (r, g, b) triple of 0..255.

    Examples
    --------
    >>> parse_color("#FF8000"), parse_color("fff"), parse_color("0, 128, 255"), parse_color((1, 2, 3))
    ((255, 128, 0), (255, 255, 255), (0, 128, 255), (1, 2, 3))
    >>> parse_color("reddish", "fixed color")
    Traceback (most recent call last):
    ...
    colorlab.errors.InvalidParameterError: fixed color 'reddish' is not a color; give it as #rrggbb (e.g. #ff8000) or as r,g,b with whole numbers 0..255
    """
    message = f"{name} {shown(value)} is not a color; give it as #rrggbb (e.g. #ff8000) or as r,g,b with whole numbers 0..255"
    if isinstance(value, str):
        text = value.strip()
        match = _HEX.fullmatch(text)
        if match:
            return _rgb(match.group(1))
        parts = [p.strip() for p in text.split(",")]
        if len(parts) == 3 and all(re.fullmatch(r"\d{1,3}", p) for p in parts) and all(int(p) <= 255 for p in parts):
            return tuple(int(p) for p in parts)
        raise InvalidParameterError(message)
    try:
        values = tuple(value)
    except TypeError:
        raise InvalidParameterError(message) from None
    if len(values) != 3 or not all(isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))
                                   and 0 <= v <= 255 for v in values):
        raise InvalidParameterError(message)
    return tuple(int(v) for v in values)


def parse_colors(values, name: str = "color") -> np.ndarray:
    """Several colors (a list of anything :func:`parse_color` takes, or an (m, 3) array) as (m, 3) uint8.

    Examples
    --------
    >>> parse_colors(["#000", "#ffffff"]).tolist()
    [[0, 0, 0], [255, 255, 255]]
    """
    if isinstance(values, str):
        values = [values]
    if isinstance(values, np.ndarray) and values.ndim == 2 and values.shape[1] == 3:
        values = values.tolist()
    try:
        items = list(values)
    except TypeError:
        raise InvalidParameterError(f"{name}s must be a list of colors such as ['#000000', '#ffffff'], got {values!r}") from None
    return np.array([parse_color(v, name) for v in items], dtype=np.uint8).reshape(-1, 3)
