"""Masks: which pixels count when a palette is fitted (e.g. all but a plain white backdrop)."""

from __future__ import annotations

import numbers

import numpy as np

from ..color.parse import parse_colors
from ..errors import InvalidParameterError
from ..io.arrays import as_pixels

__all__ = ["ignore_mask"]


def ignore_mask(image, colors, tolerance: int = 0) -> np.ndarray:
    """The mask of the pixels to count: False where a pixel is within ``tolerance`` of one of ``colors``.

    A pixel is ignored when each of its R, G and B differs from one listed color by at most
    ``tolerance`` (0: only that exact color). Pass the result as ``fit_palette(..., mask=...)``,
    e.g. to leave out the plain white backdrop of a product photo.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3)
    colors : color or list of colors
        As :func:`parse_colors` takes them (``"#ffffff"``, ``["#fff", "0,0,0"]``, ...).
    tolerance : int, default 0
        0 to 255.

    Returns
    -------
    ndarray of bool, shape (H, W) (or (N,))
        True = counted.

    Raises
    ------
    InvalidParameterError
        A color that is not a color, or a tolerance that is not a whole number from 0 to 255.

    Examples
    --------
    >>> image = np.array([[[255, 255, 255], [250, 252, 255], [200, 0, 0]]], np.uint8)
    >>> ignore_mask(image, "#ffffff", tolerance=5).tolist()
    [[False, False, True]]
    >>> ignore_mask(image, "#ffffff", tolerance=300)
    Traceback (most recent call last):
    ...
    colorlab.errors.InvalidParameterError: the tolerance must be a whole number from 0 to 255 (the most each of R, G and B may differ), got 300
    """
    if isinstance(tolerance, (bool, np.bool_)) or not isinstance(tolerance, numbers.Integral) or not 0 <= tolerance <= 255:
        raise InvalidParameterError(
            f"the tolerance must be a whole number from 0 to 255 (the most each of R, G and B may differ), got {tolerance!r}")
    targets = parse_colors(colors, "color to ignore").astype(np.int16)
    if len(targets) == 0:
        raise InvalidParameterError("no color to ignore was given; list at least one, e.g. '#ffffff'")
    pixels = as_pixels(image)
    keep = np.ones(len(pixels), bool)
    for target in targets:
        keep &= (np.abs(pixels.astype(np.int16) - target) > tolerance).any(axis=1)
    return keep.reshape(np.shape(image)[:-1])
