"""Fitting a palette: cluster the pixels of an image into k colors.

:func:`fit_palette` is the one entry point. Three methods share it:

``"kmeans"`` (the default)
    colorlab's own engine (``colorlab._kmeans``): k-means over *all* pixels, computed on the
    distinct colors weighted by their pixel counts, converged on coarse color histograms from the
    best of several k-means++ starts, then refined by exact Lloyd iterations. Seeded, fast.
``"kmeans2"``
    ``scipy.cluster.vq.kmeans2(pixels, k, minit="++", seed=seed)`` on every pixel (10 iterations).
``"scipy"``
    exactly the 2012 blog post: ``scipy.cluster.vq.kmeans`` then ``vq`` on every pixel. Slow on
    big photos, kept for teaching.

Whatever the method, the palette holds exactly k distinct colors whenever the image has at least
k distinct colors; an image with fewer gets a palette of exactly its colors and a warning.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from scipy.cluster import vq

from . import _kmeans
from .colorspace import SPACES, from_space, to_space
from .errors import ColorlabWarning, InvalidParameterError
from .images import as_pixels
from .palette import Palette

__all__ = ["METHODS", "SPACES", "MAX_K", "fit_palette"]

#: The clustering methods :func:`fit_palette` knows.
METHODS = ("kmeans", "kmeans2", "scipy")
#: The largest palette :func:`fit_palette` makes (GIF and PNG-8 palettes hold 256 colors).
MAX_K = 256


def fit_palette(image, k, *, method: str = "kmeans", seed=0, space: str = "rgb") -> Palette:
    """Find the k colors that best represent an image (k-means clustering of its pixels).

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3)
        An RGB image or its pixels.
    k : int
        Number of colors, a whole number from 1 to :data:`MAX_K` (256).
    method : {"kmeans", "kmeans2", "scipy"}, default "kmeans"
        See the module docstring. ``"scipy"`` is the blog's call: ``vq.kmeans`` only accepts
        floating-point data, so the pixels are converted with ``.astype(float)`` first (the fix for
        the blog readers' ``TypeError: type other than float or double not supported``).
    seed : int, default 0
        Seed of the random generator; the same seed gives the same palette.
    space : {"rgb", "lab", "oklab"}, default "rgb"
        Color space the clustering measures distances in; the palette colors are sRGB either way.

    Returns
    -------
    Palette
        k sRGB colors (uint8), most used first; ``counts`` are the pixels :func:`colorlab.quantize`
        maps to each color; ``params`` holds ``k`` and ``seed``.

    Raises
    ------
    InvalidParameterError
        If k, method or space is invalid.
    InvalidImageError
        If ``image`` is not an (H, W, 3) or (N, 3) uint8 array.

    Warns
    -----
    ColorlabWarning
        If the image has fewer than k distinct colors (the palette then holds exactly those).

    Examples
    --------
    >>> import numpy as np
    >>> pixels = np.array([[0, 0, 0]] * 5 + [[250, 250, 250]] * 3 + [[240, 255, 250]], np.uint8)
    >>> palette = fit_palette(pixels, 2)
    >>> palette.to_hex(), palette.counts.tolist()
    (['#000000', '#f8fbfa'], [5, 4])
    """
    k = _check_k(k)
    method = _check_choice(method, METHODS, "method")
    space = _check_choice(space, SPACES, "space")
    pixels = as_pixels(image)
    colors, counts = _kmeans.distinct_colors(pixels)
    params = {"k": k, "seed": seed}
    if len(colors) <= k:
        if len(colors) < k:
            warnings.warn(
                f"the image has only {len(colors)} distinct colors, fewer than k={k}; the palette holds exactly those",
                ColorlabWarning,
                stacklevel=2,
            )
        return Palette(colors, counts, method=method, space=space, params=params)
    coords = to_space(colors, space)
    if method == "kmeans":
        centers = _kmeans.fit_centers(colors, coords, counts, k, np.random.default_rng(seed))
    else:
        centers = _fit_scipy(to_space(pixels, space), k, method, seed)
    palette_colors, palette_counts = _ordered_counts(
        _distinct_rounded(centers, colors, coords, counts, k, space), coords, counts, space
    )
    return Palette(palette_colors, palette_counts, method=method, space=space, params=params)


def _ordered_counts(palette_colors, coords, counts, space: str):
    """Order colors by pixel count (as Palette does) and count with ties going to the first listed.

    ``quantize`` gives a pixel equidistant from two palette colors to the one listed first in the
    final (count-ordered) palette, so the counts are taken in that order; repeat until it is stable.
    """
    for _ in range(len(palette_colors)):
        labels = _kmeans.assign(coords, to_space(palette_colors, space))
        palette_counts = np.bincount(labels, weights=counts, minlength=len(palette_colors)).astype(np.int64)
        order = np.argsort(-palette_counts, kind="stable")
        if (order == np.arange(len(order))).all():
            break
        palette_colors = palette_colors[order]
    return palette_colors, palette_counts


def _check_k(k) -> int:
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral) or not 1 <= k <= MAX_K:
        raise InvalidParameterError(f"k must be a whole number from 1 to {MAX_K}, got {k!r}")
    return int(k)


def _check_choice(value, choices, name: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise InvalidParameterError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def _fit_scipy(data: np.ndarray, k: int, method: str, seed) -> np.ndarray:
    """Centers from scipy's k-means on every pixel (``data``: (N, 3) float64 coordinates)."""
    if method == "scipy":
        # The blog's call. vq.kmeans rejects integer arrays with "TypeError: type other than float
        # or double not supported"; to_space gives float64, the blog's fix was pixels.astype(float).
        centers, _ = vq.kmeans(data, k, seed=seed)
        return centers
    with warnings.catch_warnings():
        # kmeans2 warns when a cluster empties; _distinct_rounded restores exactly k colors anyway.
        warnings.filterwarnings("ignore", "One of the clusters is empty", UserWarning)
        centers, _ = vq.kmeans2(data, k, minit="++", seed=seed)
    return centers


def _distinct_rounded(centers, colors, coords, counts, k: int, space: str) -> np.ndarray:
    """Round centers to uint8 sRGB; replace duplicates (and missing ones) by the worst-served colors.

    Two centers can round to the same color, and scipy's kmeans may return fewer than k; the
    image has more than k distinct colors here, so the distinct colors with the largest weighted
    error (pixel count x squared distance to the palette) fill the palette up to k.
    """
    rounded = from_space(centers, space).reshape(-1, 3)
    _, first = np.unique(_kmeans.pack_rgb(rounded), return_index=True)
    palette = rounded[np.sort(first)]
    while len(palette) < k:
        labels, nearest, _ = _kmeans.assign(coords, to_space(palette, space), want_second=True)
        error = counts * nearest**2
        palette = np.vstack([palette, colors[int(error.argmax())]])
    return palette
