"""Redrawing an image with the colors of a palette.

Each pixel becomes its nearest palette color, nearest in the color space the palette was fitted in.
Photos repeat colors a lot (a 12-megapixel photo has well under a million distinct ones), so the
distance computation runs once per *distinct* color and a lookup table spreads the answer over
the pixels.

Dithering (``dither="floyd-steinberg"`` or ``"bayer"``, see :mod:`colorlab.redraw.dither`) is a separate
step on top: pixels may then get a palette color that is not their nearest, in a pattern that
looks closer to the original from a distance. The output still holds only palette colors.
"""

from __future__ import annotations

import time

import numpy as np

from .._engine import codes as _codes
from . import dither as _dither
from ..cluster.fit import METHODS, SPACES, fit_histogram, fit_palette, nearest_labels
from ..errors import InvalidParameterError
from ..histogram import ColorHistogram, color_histogram
from ..io.arrays import as_pixels
from ..palette.core import Palette
from ..util.checks import check_choice, check_k

__all__ = ["quantize", "reduce_colors", "warm_up"]


def quantize(image, palette: Palette, *, dither: str = "none", dither_strength: float = 1.0,
             return_labels: bool = False):
    """Replace every pixel by the nearest color of ``palette`` (optionally dithered).

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3), or ColorHistogram
        An RGB image or its pixels, or its :func:`colorlab.color_histogram` (the same result).
    palette : Palette
        The colors to use, e.g. from :func:`colorlab.fit_palette`. Distances are measured in
        ``palette.space`` ("rgb", "lab" or "oklab"); ties go to the color listed first.
    dither : {"none", "floyd-steinberg", "bayer"}, default "none"
        ``"none"``: every pixel gets its nearest color. ``"floyd-steinberg"``: error diffusion in
        ``palette.space``, serpentine, damped on edges and flat areas as pngquant does
        (:func:`colorlab.redraw.dither.floyd_steinberg_labels`). ``"bayer"``: ordered dithering with
        an 8 x 8 Bayer matrix. An (N, 3) pixel array is dithered as one row of N pixels.
    dither_strength : float, default 1.0
        With ``"floyd-steinberg"``: the share of each pixel's error passed on, 0 (the same as no
        dithering) to 1. Lower values give a quieter pattern and smaller files.
    return_labels : bool, default False
        Also return, for each pixel, the index of its color in ``palette.colors``.

    Returns
    -------
    quantized : ndarray of uint8, same shape as ``image``
    labels : ndarray of uint8 (uint16 for palettes of more than 256 colors), shape (H, W) or (N,)
        Only with ``return_labels=True``.

    Raises
    ------
    InvalidParameterError
        If ``palette`` is not a :class:`colorlab.Palette`, ``dither`` is unknown or
        ``dither_strength`` is not a number from 0 to 1.
    InvalidImageError
        If ``image`` is not an (H, W, 3) or (N, 3) uint8 array.

    Examples
    --------
    >>> import numpy as np
    >>> from colorlab import Palette
    >>> palette = Palette([[0, 0, 0], [255, 255, 255]], counts=[1, 1])
    >>> image = np.array([[[10, 20, 30], [200, 190, 250]]], np.uint8)
    >>> quantized, labels = quantize(image, palette, return_labels=True)
    >>> quantized.tolist(), labels.tolist()
    ([[[0, 0, 0], [255, 255, 255]]], [[0, 1]])
    >>> gray = np.full((2, 2, 3), 128, np.uint8)
    >>> quantize(gray, palette, dither="bayer")[..., 0].tolist()
    [[0, 255], [255, 0]]
    """
    labels = palette_labels(image, palette, dither=dither, dither_strength=dither_strength)
    quantized = np.take(palette.colors, labels, axis=0)
    if return_labels:
        return quantized, labels
    return quantized


def palette_labels(image, palette: Palette, *, dither: str = "none", dither_strength: float = 1.0,
                   color_labels=None) -> np.ndarray:
    """The index into ``palette.colors`` of every pixel, as :func:`quantize` chooses them (private).

    ``quantize(image, palette, return_labels=True)[1]`` without the redrawn image: what the command
    line hands to the indexed PNG writer (:func:`colorlab.io.images.save_indexed`). ``color_labels``: for a
    histogram ``image`` and no dithering, the label of each of its colors if already known (what
    :func:`colorlab.cluster.fit_histogram` returns with the palette): no second nearest-color search.

    Returns
    -------
    ndarray of uint8 (uint16 for palettes of more than 256 colors), shape (H, W) or (N,)
    """
    if not isinstance(palette, Palette):
        raise InvalidParameterError(
            f"palette must be a colorlab.Palette (from colorlab.fit_palette), got {type(palette).__name__}"
        )
    _check_dither(dither)
    strength = check_dither_strength(dither_strength)
    if isinstance(image, ColorHistogram):
        shape = image.shape
        if dither == "none":
            if color_labels is None:
                color_labels = nearest_labels(image.colors, palette)
            labels = image.spread(_label_type(palette, color_labels))
        elif dither == "floyd-steinberg":
            labels = _dither.floyd_steinberg_labels(image, palette, strength=strength).reshape(-1)
        else:
            labels = _dithered_labels(image.pixels(), shape, palette, dither, strength)
    else:
        pixels = as_pixels(image)  # validate before anything else touches the input
        shape = np.shape(image)
        if dither == "none":
            labels = _nearest_labels(pixels, palette)
        else:
            labels = _dithered_labels(pixels, shape, palette, dither, strength)
    return _label_type(palette, labels).reshape(shape[:-1])


def reduce_colors(image, k, *, method: str = "kmeans", seed=0, space: str = "rgb", dither: str = "none",
                  dither_strength: float = 1.0):
    """Fit a k-color palette to ``image`` and redraw the image with it, in one step.

    The result is exactly ``quantize(image, fit_palette(image, k, ...), dither=dither)``, only
    faster: while fitting, the pixels' distinct colors and their nearest palette color are found
    anyway, so the redraw does not search for them again (about a quarter of the time of the two
    calls on a 0.4-megapixel photo; the explorer and the command line use this).

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3), or ColorHistogram
        An RGB image or its pixels, or its :func:`colorlab.color_histogram`.
    k : int
        Number of colors, 1 to 256.
    method, seed, space
        As in :func:`colorlab.fit_palette`.
    dither : {"none", "floyd-steinberg", "bayer"}, default "none"
        As in :func:`quantize`.
    dither_strength : float, default 1.0
        As in :func:`quantize`.

    Returns
    -------
    quantized : ndarray of uint8, same shape as ``image``
    palette : Palette

    Raises
    ------
    InvalidParameterError
        If k, method, seed, space or dither is invalid.
    InvalidImageError
        If ``image`` is not an (H, W, 3) or (N, 3) uint8 array.

    Examples
    --------
    >>> import numpy as np
    >>> from colorlab import fit_palette, load_image
    >>> image = load_image("coffee")
    >>> quantized, palette = reduce_colors(image, 8)
    >>> len(palette), np.array_equal(quantized, quantize(image, fit_palette(image, 8)))
    (8, True)
    """
    _check_dither(dither)
    check_dither_strength(dither_strength)
    check_k(k)
    check_choice(method, METHODS, "method")
    check_choice(space, SPACES, "space")
    histogram = color_histogram(image)
    palette, labels = fit_histogram(histogram, k, method=method, seed=seed, space=space)
    if dither != "none":
        return quantize(histogram, palette, dither=dither, dither_strength=dither_strength), palette
    # each color's RGB, straight to its pixels; np.take, not palette.colors[labels]: numpy's fancy indexing of
    # 3-byte rows took 2.4 ms for 245,000 colors, np.take 0.5 ms
    return histogram.spread(np.take(palette.colors, labels, axis=0)), palette


def _check_dither(dither) -> None:
    if not isinstance(dither, str) or dither not in _dither.DITHERS:
        raise InvalidParameterError(f"dither must be one of {', '.join(map(repr, _dither.DITHERS))}, got {dither!r}")


def check_dither_strength(strength) -> float:
    """``dither_strength`` as a float, or InvalidParameterError unless it is a number from 0 to 1.

    Examples
    --------
    >>> check_dither_strength(0.8)
    0.8
    """
    if isinstance(strength, bool) or not isinstance(strength, (int, float, np.integer, np.floating)) \
            or not 0 <= strength <= 1:
        raise InvalidParameterError(f"dither strength must be a number from 0 (no dithering) to 1, got {strength!r}")
    return float(strength)


def _label_type(palette: Palette, labels: np.ndarray) -> np.ndarray:
    return labels.astype(np.uint8 if len(palette) <= 256 else np.uint16, copy=False)


def _dithered_labels(pixels: np.ndarray, shape: tuple, palette: Palette, dither: str, strength: float) -> np.ndarray:
    """Palette index of every pixel with dithering; an (N, 3) pixel array is dithered as one row."""
    as_grid = pixels.reshape(shape if len(shape) == 3 else (1, -1, 3))
    if dither == "bayer":
        grid_labels = _dither.bayer_labels(as_grid, palette, lambda p: _nearest_labels(p, palette))
    else:
        grid_labels = _dither.floyd_steinberg_labels(as_grid, palette, strength=strength)
    return grid_labels.reshape(-1)


def _nearest_labels(pixels: np.ndarray, palette: Palette) -> np.ndarray:
    """Index of the nearest palette color (in ``palette.space``) of every (N, 3) uint8 pixel."""
    codes = _codes.pack_rgb(pixels)
    distinct = _codes.distinct_codes(codes)
    nearest = nearest_labels(_codes.unpack_rgb(distinct), palette)
    return _codes.spread_values(codes, distinct, _label_type(palette, nearest))


def warm_up() -> float:
    """Run one small fit now, so the first real one does not pay for loading; return the seconds it took.

    The engine's loops are a small compiled library (``colorlab/_engine/engine.c``, built when colorlab is
    installed) that loads with ``import colorlab``, so there is no compile step and this takes a few
    milliseconds. It is kept for code written when the loops were compiled on first use.

    Examples
    --------
    >>> warm_up() >= 0
    True
    """
    start = time.perf_counter()
    image = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    quantize(image, fit_palette(image, 4))
    return time.perf_counter() - start
