"""Side-by-side comparisons at the same k: methods, color spaces and dithering, with one set of metrics.

Each function returns a list of :class:`Row` (one per method, space or dither): the palette, the
quantized image and its MSE, PSNR and mean CIEDE2000 (:mod:`colorlab.metrics`), plus the seconds it
took. :func:`table` formats rows as a plain-text table for a notebook or a terminal.

**Fair timings.** The first call of a method in a fresh Python process also pays for loading
compiled code (colorlab's k-means kernels, SciPy's and Pillow's modules), and a shared machine adds
noise. So by default every method runs once untimed (``warm_up=True``), then ``repeat`` timed runs
follow and the row keeps the fastest, as :mod:`timeit` advises: the other runs were slowed by
something else.

Examples
--------
>>> import colorlab
>>> from colorlab.redraw import compare
>>> image = colorlab.load_image("rocket")[:40, :60]
>>> rows = compare.compare_methods(image, 4, ["kmeans", "median-cut"])
>>> [row.label for row in rows], all(len(row.palette) == 4 for row in rows)
(['kmeans', 'median-cut'], True)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .. import metrics
from ..cluster.fit import METHODS, SPACES
from ..util.checks import check_choice
from .dither import DITHERS
from ..errors import InvalidParameterError
from ..color.spaces import linear_to_srgb, srgb_to_linear
from ..io.arrays import as_pixels
from ..palette.core import Palette
from .quantize import quantize, reduce_colors

__all__ = ["Row", "compare_methods", "compare_spaces", "compare_dithers", "table", "patch_mse"]


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
        Wall time of fitting the palette and quantizing (only quantizing when the palette was given):
        the fastest of the timed runs, after the warm-up run (see the module's notes).
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


def _check_timing(repeat, warm_up) -> tuple[int, bool]:
    if isinstance(repeat, bool) or not isinstance(repeat, (int, np.integer)) or not 1 <= repeat <= 100:
        raise InvalidParameterError(f"repeat must be a whole number from 1 to 100, got {repeat!r}")
    if not isinstance(warm_up, (bool, np.bool_)):
        raise InvalidParameterError(f"warm_up must be True or False, got {warm_up!r}")
    return int(repeat), bool(warm_up)


def _timed(work, repeat: int, warm_up: bool):
    """Run ``work()`` once untimed if ``warm_up``, then ``repeat`` times; the last result and the fastest time."""
    if warm_up:
        work()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return result, best


def _fit_and_measure(label: str, image: np.ndarray, k: int, repeat: int, warm_up: bool, **fit_options) -> Row:
    """Fit a palette, quantize with it and measure; the time covers fit and quantize."""
    (quantized, palette), seconds = _timed(lambda: reduce_colors(image, k, **fit_options), repeat, warm_up)
    return _measured(label, image, palette, quantized, seconds)


def _names(values, valid, what: str) -> list[str]:
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise InvalidParameterError(f"{what} must be a list of names such as {list(valid[:2])}, got {values!r}")
    values = [check_choice(value, valid, what.rstrip("s")) for value in values]
    if not values:
        raise InvalidParameterError(f"{what} must list at least one name, got an empty list")
    return values


def compare_methods(image, k: int, methods=METHODS, *, space: str = "rgb", seed=0, repeat: int = 3,
                    warm_up: bool = True) -> list[Row]:
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
    repeat : int, default 3
        Timed runs of each method; ``seconds`` is the fastest.
    warm_up : bool, default True
        Run each method once, untimed, before the timed runs (the first call in a fresh process also
        loads compiled code).

    Returns
    -------
    list of Row
        One per method, in the given order, labelled by method.

    Raises
    ------
    InvalidParameterError
        If a method name is unknown, the list is empty, or ``repeat`` or ``warm_up`` is invalid.

    Examples
    --------
    >>> import colorlab
    >>> rows = compare_methods(colorlab.load_image("rocket")[:40, :60], 4, ["kmeans", "median-cut"], repeat=1)
    >>> [(row.label, len(row.palette)) for row in rows]
    [('kmeans', 4), ('median-cut', 4)]
    """
    as_pixels(image)
    image = np.asarray(image)
    repeat, warm_up = _check_timing(repeat, warm_up)
    return [_fit_and_measure(method, image, k, repeat, warm_up, method=method, seed=seed, space=space)
            for method in _names(methods, METHODS, "methods")]


def compare_spaces(image, k: int, spaces=SPACES, *, method: str = "kmeans", seed=0, repeat: int = 3,
                   warm_up: bool = True) -> list[Row]:
    """Fit the same method at the same k in each color space, quantize and measure (labelled by space).

    ``repeat`` and ``warm_up`` time each space as :func:`compare_methods` times each method.

    Examples
    --------
    >>> import colorlab
    >>> rows = compare_spaces(colorlab.load_image("rocket")[:40, :60], 4, repeat=1)
    >>> [row.label for row in rows]
    ['rgb', 'lab', 'oklab']
    """
    as_pixels(image)
    image = np.asarray(image)
    repeat, warm_up = _check_timing(repeat, warm_up)
    return [_fit_and_measure(space, image, k, repeat, warm_up, method=method, seed=seed, space=space)
            for space in _names(spaces, SPACES, "spaces")]


def compare_dithers(image, palette: Palette, dithers=DITHERS, *, repeat: int = 3, warm_up: bool = True) -> list[Row]:
    """Quantize with the same palette and each dithering, and measure (labelled by dither).

    ``repeat`` and ``warm_up`` time each dithering as :func:`compare_methods` times each method.

    Examples
    --------
    >>> gray = np.full((16, 16, 3), 100, np.uint8)
    >>> bw = Palette([[0, 0, 0], [255, 255, 255]], counts=[1, 1])
    >>> [round(row.quantized.mean()) for row in compare_dithers(gray, bw)]
    [0, 99, 100]
    """
    as_pixels(image)
    image = np.asarray(image)
    repeat, warm_up = _check_timing(repeat, warm_up)
    rows = []
    for dither in _names(dithers, DITHERS, "dithers"):
        quantized, seconds = _timed(lambda: quantize(image, palette, dither=dither), repeat, warm_up)
        rows.append(_measured(dither, image, palette, quantized, seconds))
    return rows


def patch_mse(original, quantized, size: int = 4, *, linear: bool = True) -> float:
    """MSE between the mean colors of ``size`` x ``size`` patches: the error an eye sees from a distance.

    Seen from far enough, the eye averages small patches of pixels. Dithering relies on this: it
    makes single pixels worse (a higher :func:`colorlab.metrics.mse`) so that the average over a
    patch is closer to the original. This measure averages both images over patches first, then
    takes the MSE (squared RGB distance, channels summed, as :func:`colorlab.metrics.mse`).
    Rows and columns that do not fill a whole patch at the bottom and right are left out.

    What mixes on the retina is *light*, and sRGB codes are not proportional to light: a patch of
    black and white pixels (codes 0 and 255) gives half the light of white, which is the sRGB code
    188, not 128. So by default the patches are averaged in linear light and the means encoded
    back to sRGB codes before they are compared.

    Parameters
    ----------
    original, quantized : ndarray of uint8, shape (H, W, 3)
        The same shape.
    size : int, default 4
        Side of a patch in pixels; 1 gives the ordinary MSE.
    linear : bool, default True
        Average in linear light (what the eye mixes). False averages the sRGB codes themselves.

    Returns
    -------
    float

    Raises
    ------
    InvalidParameterError
        If the shapes differ or ``size`` is not a whole number from 1 to the smaller side of the image.

    Examples
    --------
    >>> gray = np.full((4, 4, 3), 128, np.uint8)
    >>> checkers = np.where((np.indices((4, 4)).sum(axis=0) % 2)[..., None] == 1, 255, 0).astype(np.uint8)
    >>> checkers = np.repeat(checkers, 3, axis=2)
    >>> round(patch_mse(gray, checkers, 1, linear=False)), round(patch_mse(gray, checkers, 2, linear=False), 2)
    (48770, 0.75)

    In linear light the checkerboard is as bright as code 188, not 128:

    >>> light_gray = np.full((4, 4, 3), 188, np.uint8)
    >>> round(patch_mse(gray, checkers, 2)), round(patch_mse(light_gray, checkers, 2), 2)
    (10626, 0.7)
    """
    original, quantized = np.asarray(original), np.asarray(quantized)
    as_pixels(original)
    as_pixels(quantized)
    if original.shape != quantized.shape or original.ndim != 3:
        raise InvalidParameterError(
            f"original and quantized must be two (H, W, 3) images of the same shape, got {original.shape} "
            f"and {quantized.shape}")
    smaller = min(original.shape[:2])
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 1 <= size <= smaller:
        raise InvalidParameterError(f"size must be a whole number from 1 to {smaller} (the image's smaller side), "
                                    f"got {size!r}")
    height, width = original.shape[0] // size * size, original.shape[1] // size * size

    def means(image):
        values = image[:height, :width].astype(np.float64)
        if linear:
            values = srgb_to_linear(values / 255.0)
        blocks = values.reshape(height // size, size, width // size, size, 3).mean(axis=(1, 3))
        return linear_to_srgb(blocks) * 255.0 if linear else blocks

    return float(((means(original) - means(quantized)) ** 2).sum(axis=2).mean())


def table(rows) -> str:
    """The rows as a plain-text table: label, colors, MSE, PSNR, mean deltaE and seconds.

    Examples
    --------
    >>> gray = np.full((4, 4, 3), 100, np.uint8)
    >>> print(table(compare_dithers(gray, Palette([[0, 0, 0], [255, 255, 255]], counts=[1, 1]), ["none"])))
    ... # doctest: +ELLIPSIS
    name                 colors      MSE  PSNR dB  deltaE  seconds
    none                      1  30000.0     8.13   29.69    0.0...
    """
    rows = list(rows)
    lines = [f"{'name':<20} {'colors':>6} {'MSE':>8} {'PSNR dB':>8} {'deltaE':>7} {'seconds':>8}"]
    for row in rows:
        used = len(np.unique(row.quantized.reshape(-1, 3), axis=0))
        lines.append(f"{row.label:<20} {used:>6} {row.mse:>8.1f} {row.psnr:>8.2f} {row.delta_e:>7.2f} "
                     f"{row.seconds:>8.3f}")
    return "\n".join(lines)
