"""From cluster centers to a Palette: shared by every method of ``fit_palette`` and by ``ColorTree``.

Private module; numpy only. Whatever finds the centers (k-means, a dendrogram cut, median cut,
Pillow), the palette is made the same way: round the centers to sRGB uint8, make them k distinct
colors, count the pixels :func:`colorlab.quantize` maps to each and order by that count.
"""

from __future__ import annotations

import numpy as np

from .._engine import codes as _codes
from .._engine import kmeans as _kmeans
from ..color.spaces import from_space, to_space
from ..palette.core import Palette


def palette_from_centers(centers, colors, coords, counts, k: int, *, method: str, space: str, params,
                         with_labels: bool = False, nearest=None):
    """The k-color Palette nearest to ``centers`` ((m, 3) float coordinates in ``space``).

    ``colors`` (n, 3) uint8 are the image's distinct colors (more than k of them), ``coords`` their
    coordinates in ``space`` and ``counts`` their pixel counts. ``with_labels``: also return the
    index of each distinct color's palette color, exactly what :func:`colorlab.quantize` gives it.
    ``nearest``: a function of the palette's coordinates that returns what ``_kmeans.assign`` would
    (the nearest palette color of each color, ties to the first) and a boolean mask of the colors with
    two equally near palette colors, e.g. from bounds a caller already has (the same result).
    """
    rounded = distinct_rounded(centers, colors, coords, counts, k, space)
    palette_colors, palette_counts, labels = ordered_counts(rounded, coords, counts, space, nearest)
    palette = Palette(palette_colors, palette_counts, method=method, space=space, params=params)
    return (palette, labels) if with_labels else palette


def ordered_counts(palette_colors, coords, counts, space: str, nearest=None):
    """Order colors by pixel count (as Palette does) and count with ties going to the first listed.

    ``quantize`` gives a pixel equidistant from two palette colors to the one listed first in the
    final (count-ordered) palette, so the counts are taken in that order; repeat until it is stable.
    Returns (ordered colors, their counts, the label of each of the ``coords``). ``nearest``: as in
    :func:`palette_from_centers`.
    """
    if nearest is None:
        labels, first, second = _kmeans.assign(coords, to_space(palette_colors, space), want_second=True)
        tied = np.flatnonzero(first == second)  # who wins these depends on the order of the colors
    else:
        labels, tied = nearest(to_space(palette_colors, space))
        tied = np.flatnonzero(tied)
    for _ in range(len(palette_colors)):
        palette_counts = np.bincount(labels, weights=counts, minlength=len(palette_colors)).astype(np.int64)
        order = np.argsort(-palette_counts, kind="stable")
        if (order == np.arange(len(order))).all():
            break
        palette_colors = palette_colors[order]
        labels = np.argsort(order)[labels]  # the same nearest colors, renumbered ...
        if len(tied):  # ... except where two are equally near: the one listed first now wins
            labels[tied] = _kmeans.assign(coords[tied], to_space(palette_colors, space))
    return palette_colors, palette_counts, labels


def distinct_rounded(centers, colors, coords, counts, k: int, space: str) -> np.ndarray:
    """Round centers to uint8 sRGB; replace duplicates (and missing ones) by the worst-served colors.

    Two centers can round to the same color, and a method may return fewer than k (scipy's
    kmeans, Pillow); the image has more than k distinct colors here, so the distinct colors with
    the largest weighted error (pixel count x squared distance to the palette) fill the palette up
    to k. Extra centers beyond k (never produced by colorlab's methods) are dropped.
    """
    rounded = from_space(np.asarray(centers, dtype=np.float64), space).reshape(-1, 3)
    _, first = np.unique(_codes.pack_rgb(rounded), return_index=True)
    palette = rounded[np.sort(first)][:k]
    while len(palette) < k:
        labels, nearest, _ = _kmeans.assign(coords, to_space(palette, space), want_second=True)
        error = counts * nearest**2
        palette = np.vstack([palette, colors[int(error.argmax())]])
    return palette
