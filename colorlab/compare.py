"""Side-by-side comparisons at the same k: methods, color spaces and dithering, with one set of metrics.

Each function returns a list of :class:`Row` (one per method, space or dither): the palette, the
quantized image and its MSE, PSNR and mean CIEDE2000 (:mod:`colorlab.metrics`), plus the seconds it
took. :func:`table` formats rows as a plain-text table for a notebook or a terminal.

Examples
--------
>>> import colorlab
>>> from colorlab import compare
>>> image = colorlab.load_image("rocket")[:40, :60]
>>> rows = compare.compare_methods(image, 4, ["kmeans", "median-cut"])
>>> [row.label for row in rows], all(len(row.palette) == 4 for row in rows)
(['kmeans', 'median-cut'], True)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from . import metrics
from .cluster import METHODS, SPACES, _check_choice
from .dither import DITHERS
from .errors import InvalidParameterError
from .images import as_pixels
from .palette import Palette
from .quantize import quantize, reduce_colors

__all__ = ["Row", "compare_methods", "compare_spaces", "compare_dithers", "table"]


@dataclass(frozen=True, eq=False)
class Row:
    """One entry of a comparison.

    Attributes
    ----------
    label : str
        What was varied: the method, space or dither name.
    palette : Palette
    quantized : ndarray of uint8
        The image redrawn with ``palette`` (same shape as the image).
    mse, psnr, delta_e : float
        :func:`colorlab.metrics.mse`, :func:`~colorlab.metrics.psnr`, :func:`~colorlab.metrics.delta_e`.
    seconds : float
        Wall time of fitting the palette and quantizing (0 for fitting when the palette was given).
    """

    label: str
    palette: Palette
    quantized: np.ndarray
    mse: float
    psnr: float
    delta_e: float
    seconds: float


def _measured(label: str, image: np.ndarray, palette: Palette, quantized: np.ndarray, seconds: float) -> Row:
    return Row(label, palette, quantized, metrics.mse(image, quantized), metrics.psnr(image, quantized),
               metrics.delta_e(image, quantized), seconds)


def _fit_and_measure(label: str, image: np.ndarray, k: int, **fit_options) -> Row:
    """Fit a palette, quantize with it and measure; the time covers fit and quantize."""
    start = time.perf_counter()
    quantized, palette = reduce_colors(image, k, **fit_options)
    return _measured(label, image, palette, quantized, time.perf_counter() - start)


def _names(values, valid, what: str) -> list[str]:
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise InvalidParameterError(f"{what} must be a list of names such as {list(valid[:2])}, got {values!r}")
    values = [_check_choice(value, valid, what.rstrip("s")) for value in values]
    if not values:
        raise InvalidParameterError(f"{what} must list at least one name, got an empty list")
    return values


def compare_methods(image, k: int, methods=METHODS, *, space: str = "rgb", seed=0) -> list[Row]:
    """Fit each method at the same k, quantize and measure.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3)
    k : int
        Number of colors, the same for every method.
    methods : sequence of str, default :data:`colorlab.METHODS`
        ``"scipy"`` (the blog's call) is slow: give it a small image.
    space, seed
        Passed to :func:`colorlab.fit_palette`.

    Returns
    -------
    list of Row
        One per method, in the given order, labelled by method.

    Raises
    ------
    InvalidParameterError
        If a method name is unknown or the list is empty.
    """
    as_pixels(image)
    image = np.asarray(image)
    return [_fit_and_measure(method, image, k, method=method, seed=seed, space=space)
            for method in _names(methods, METHODS, "methods")]


def compare_spaces(image, k: int, spaces=SPACES, *, method: str = "kmeans", seed=0) -> list[Row]:
    """Fit the same method at the same k in each color space, quantize and measure (labelled by space).

    Examples
    --------
    >>> import colorlab
    >>> rows = compare_spaces(colorlab.load_image("rocket")[:40, :60], 4)
    >>> [row.label for row in rows]
    ['rgb', 'lab', 'oklab']
    """
    as_pixels(image)
    image = np.asarray(image)
    return [_fit_and_measure(space, image, k, method=method, seed=seed, space=space)
            for space in _names(spaces, SPACES, "spaces")]


def compare_dithers(image, palette: Palette, dithers=DITHERS) -> list[Row]:
    """Quantize with the same palette and each dithering, and measure (labelled by dither).

    Examples
    --------
    >>> gray = np.full((16, 16, 3), 100, np.uint8)
    >>> bw = Palette([[0, 0, 0], [255, 255, 255]], counts=[1, 1])
    >>> [round(row.quantized.mean()) for row in compare_dithers(gray, bw)]
    [0, 98, 100]
    """
    as_pixels(image)
    image = np.asarray(image)
    rows = []
    for dither in _names(dithers, DITHERS, "dithers"):
        start = time.perf_counter()
        quantized = quantize(image, palette, dither=dither)
        rows.append(_measured(dither, image, palette, quantized, time.perf_counter() - start))
    return rows


def table(rows) -> str:
    """The rows as a plain-text table: label, colors, MSE, PSNR, mean deltaE and seconds.

    Examples
    --------
    >>> gray = np.full((4, 4, 3), 100, np.uint8)
    >>> print(table(compare_dithers(gray, Palette([[0, 0, 0], [255, 255, 255]], counts=[1, 1]), ["none"])))
    name                 colors      MSE  PSNR dB  deltaE  seconds
    none                      1  30000.0     8.13    29.7     0.00
    """
    rows = list(rows)
    lines = [f"{'name':<20} {'colors':>6} {'MSE':>8} {'PSNR dB':>8} {'deltaE':>7} {'seconds':>8}"]
    for row in rows:
        used = len(np.unique(row.quantized.reshape(-1, 3), axis=0))
        lines.append(f"{row.label:<20} {used:>6} {row.mse:>8.1f} {row.psnr:>8.2f} {row.delta_e:>7.1f} "
                     f"{row.seconds:>8.2f}")
    return "\n".join(lines)
