"""Palettes with colors that must stay: k-means with locked centers.

``fit_palette(image, k, fixed=["#000000", "#ffffff"])`` puts these colors in the palette exactly;
they count toward k, and the other k - m colors are fitted around them: weighted Lloyd iterations on
the image's distinct colors (weighted by their pixel counts) in which every point goes to its
nearest center, fixed or free, and only the free centers move to the weighted mean of their points.
The free centers start from the engine's greedy k-means++ continued from the fixed ones
(``_kmeans.plusplus_given``: a color far from every fixed color is more likely to start a free
center); the best of a few seeded starts (lowest weighted error) is kept.

Why the iterations are written here and not in the engine (``colorlab._engine.kmeans``): its
Hamerly-bounded, multi-level search has no notion of a center that must not move; a locked center
is a small change to plain Lloyd, which this module writes with numpy around the engine's exact
nearest-center search (``_kmeans.assign``). It is slower than the engine (no bounds, no coarse
levels: each iteration looks at every distinct color), which matters little for the few colors a
user locks.

numpy only; no screen.

Examples
--------
>>> import numpy as np
>>> pixels = np.array([[10, 10, 10]] * 4 + [[200, 0, 0]] * 3 + [[250, 250, 250]] * 2, np.uint8)
>>> palette = fit_locked(pixels, 2, ["#ffffff"])
>>> palette.to_hex()
['#5b0606', '#ffffff']
"""

from __future__ import annotations

import numpy as np

from .._engine import codes as _codes
from .._engine import kmeans as _kmeans
from ._centers import ordered_counts
from ..color.parse import parse_colors
from ..color.spaces import SPACES, from_space, to_space
from ..errors import InvalidParameterError
from ..histogram import ColorHistogram, color_histogram
from ..palette.core import Palette
from ..util.checks import check_choice, check_k, check_seed

__all__ = ["fit_locked", "fit_locked_histogram", "STARTS", "MAX_ITER"]

#: Seeded starts of the locked k-means; the one with the lowest weighted error is kept.
STARTS = 3
#: Most Lloyd iterations of one start (it stops earlier when no color changes its center).
MAX_ITER = 100

def _check_fixed(fixed, k: int) -> np.ndarray:
    colors = parse_colors(fixed, "fixed color")
    if len(colors) == 0:
        raise InvalidParameterError("fixed= lists no color; give at least one, or leave fixed out")
    codes = _codes.pack_rgb(colors)
    if len(np.unique(codes)) < len(codes):
        _, first, counts = np.unique(codes, return_index=True, return_counts=True)
        twice = colors[first[counts > 1][0]]
        raise InvalidParameterError(f"the fixed color #{twice[0]:02x}{twice[1]:02x}{twice[2]:02x} is listed twice; list each color once")
    if len(colors) > k:
        raise InvalidParameterError(
            f"{len(colors)} fixed colors do not fit in k = {k} colors (the fixed colors count toward k); "
            f"raise k to at least {len(colors)} or fix fewer colors"
        )
    return colors


def fit_locked(image, k, fixed, *, seed=0, space: str = "rgb", mask=None) -> Palette:
    """Fit k colors of which the ``fixed`` ones are given: k-means with locked centers.

    This is what ``colorlab.fit_palette(image, k, fixed=...)`` calls.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3), or ColorHistogram
    k : int
        Number of colors, the fixed ones included (1 to 256).
    fixed : list of colors
        ``"#rrggbb"`` strings or (r, g, b) triples (see :func:`parse_color`); at most k, each once.
    seed : int, default 0
        Seed of the k-means++ starts of the free colors.
    space : {"rgb", "lab", "oklab"}
        The space distances are measured in.
    mask : array_like of bool, shape (H, W), optional
        Count only these pixels (see :func:`colorlab.color_histogram`).

    Returns
    -------
    Palette
        k colors (fewer if the image has fewer distinct colors), every fixed one exactly, most used
        first; ``params`` holds ``k``, ``seed`` and ``fixed`` (hex codes). A fixed color no pixel is
        nearest to has count 0.

    Raises
    ------
    InvalidParameterError
        A fixed color that is not a color, listed twice, or more fixed colors than k.
    """
    k = check_k(k)
    space = check_choice(space, SPACES, "space")
    return fit_locked_histogram(color_histogram(image, mask=mask).counted(), k, fixed, seed=seed, space=space)[0]


def fit_locked_histogram(histogram: ColorHistogram, k: int, fixed, *, seed=0, space: str = "rgb", method: str = "kmeans"):
    """:func:`fit_locked` on a histogram without mask; returns ``(palette, labels of histogram.colors)``."""
    seed = check_seed(seed)
    fixed_colors = _check_fixed(fixed, k)
    colors, counts = histogram.colors, histogram.counts
    params = {"k": k, "seed": seed, "fixed": ["#{:02x}{:02x}{:02x}".format(*c) for c in fixed_colors.tolist()]}
    coords = to_space(colors, space)
    free = k - len(fixed_colors)
    others = ~np.isin(_codes.pack_rgb(colors), _codes.pack_rgb(fixed_colors))
    if free == 0:
        palette_colors = fixed_colors
    elif others.sum() <= free:
        palette_colors = np.vstack([fixed_colors, colors[others]])
        if len(palette_colors) < k:
            import warnings

            from ..errors import ColorlabWarning

            warnings.warn(
                f"the image has only {int(others.sum())} distinct colors besides the {len(fixed_colors)} fixed ones, "
                f"fewer than the {free} free colors of k={k}; the palette holds the fixed colors and exactly those",
                ColorlabWarning, stacklevel=3)
    else:
        fixed_coords = to_space(fixed_colors, space)
        rng = np.random.default_rng(seed)
        best = None
        for _ in range(STARTS):
            centers, error = _locked_lloyd(coords, counts.astype(np.float64), fixed_coords, free, rng)
            if best is None or error < best[1]:
                best = (centers, error)
        palette_colors = _distinct_free(best[0], fixed_colors, colors, coords, counts, k, space)
    ordered, palette_counts, labels = ordered_counts(palette_colors, coords, counts, space)
    return Palette(ordered, palette_counts, method=method, space=space, params=params), labels


def _locked_lloyd(coords, weights, fixed_coords, free: int, rng):
    """Weighted Lloyd in which the first m centers (``fixed_coords``) never move; returns (free centers, error)."""
    m = len(fixed_coords)
    centers = np.vstack([fixed_coords, _kmeans.plusplus_given(coords, weights, fixed_coords, free, rng)])
    labels = None
    for _ in range(MAX_ITER):
        new_labels, distance, _ = _kmeans.assign(coords, centers, want_second=True)
        if labels is not None and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        mass = np.bincount(labels, weights=weights, minlength=len(centers))
        for j in range(m, len(centers)):
            if mass[j] == 0:  # an empty free cluster restarts at the worst-served color
                centers[j] = coords[int((weights * distance**2).argmax())]
                distance = np.minimum(distance, np.sqrt(((coords - centers[j]) ** 2).sum(axis=1)))
        sums = np.stack([np.bincount(labels, weights=weights * coords[:, d], minlength=len(centers)) for d in range(3)], axis=1)
        moving = np.arange(m, len(centers))
        filled = moving[mass[moving] > 0]
        centers[filled] = sums[filled] / mass[filled, None]
    _, distance, _ = _kmeans.assign(coords, centers, want_second=True)
    return centers[m:], float((weights * distance**2).sum())  # not @: BLAS (metrics.pixel_mean)


def _distinct_free(free_centers, fixed_colors, colors, coords, counts, k: int, space: str) -> np.ndarray:
    """The fixed colors, then the free centers rounded to sRGB uint8; a free color that rounds onto a fixed or an
    earlier one is replaced by the worst-served image color, so the palette has exactly k distinct colors."""
    palette = [c for c in fixed_colors]
    seen = set(_codes.pack_rgb(fixed_colors).tolist())
    for color in from_space(np.asarray(free_centers, np.float64), space).reshape(-1, 3):
        code = int(_codes.pack_rgb(color[None])[0])
        if code not in seen:
            seen.add(code)
            palette.append(color)
    while len(palette) < k:
        _, nearest, _ = _kmeans.assign(coords, to_space(np.array(palette, np.uint8), space), want_second=True)
        error = counts * nearest**2
        error[np.isin(_codes.pack_rgb(colors), list(seen))] = -1
        color = colors[int(error.argmax())]
        seen.add(int(_codes.pack_rgb(color[None])[0]))
        palette.append(color)
    return np.array(palette, dtype=np.uint8)
