"""Half-transparent pixels in an indexed PNG: palette entries with their own alpha, as pngquant writes them.

An indexed PNG can give every palette entry an alpha (its ``tRNS`` chunk). The anti-aliased edge of a logo,
a soft shadow or a feathered cut-out then keeps its transparency in 256 entries; cutting alpha at one
threshold instead makes those pixels either opaque, with a dark or light fringe over any background but the
one they were drawn on, or gone.

How a half-transparent pixel looks depends on what it is drawn over, so each distinct color (with its alpha)
is clustered by how it looks over black and over white: the point of a color ``c`` at opacity ``a`` is the
OKLab of ``a * c`` next to the OKLab of ``a * c + (1 - a) * 255`` (sRGB, as browsers blend). Opaque colors
have the same two halves; a nearly transparent pixel is near black over black and near white over white,
whatever its color, so its color counts as little as it shows; and a background in between blends the two.
The clusters come from a weighted k-means on these six coordinates, started from Wu's rule (the group with
the largest squared error cut in two, across its widest axis, where the halves' errors add up to the least).
Each cluster's entry is its pixels' mean alpha and mean alpha-times-color in sRGB (what a pixel shows over any
background is linear in the two, so that entry is nearest its pixels on average; read back from the OKLab
means, a dark cut-out lost 22 SSIMULACRA2 points over white); an entry of alpha 250 or more is written opaque.
Every pixel then takes its nearest entry in the six coordinates, and fully transparent pixels one entry of
alpha 0. A few opaque pixels, where two shapes' edges blend, can take a half-transparent entry that is nearer,
as pngquant's do.

The fit is the engine's plain Lloyd in any number of coordinates (``_engine.kmeans.lloyd_any``; the bounded
engine works in three) from :func:`colorlab.cluster.mediancut.variance_cut_centers`: an edge, a shadow or a
cut-out has up to some tens of thousands of distinct colors with their alpha, and more are first averaged in
cells of 5 bits per channel and alpha (benchmarks/bench_alpha.py measures it against pngquant).

May import numpy and colorlab's computation modules; never matplotlib or ipywidgets.

Examples
--------
>>> import numpy as np
>>> image = np.zeros((2, 3, 3), np.uint8); image[..., 0] = 200
>>> alpha = np.array([[255, 128, 0], [255, 64, 0]], np.uint8)
>>> labels, table = rgba_palette(image, alpha, 4)
>>> table[labels][0].tolist()
[[200, 0, 0, 255], [200, 0, 0, 128], [0, 0, 0, 0]]
"""

from __future__ import annotations

import numpy as np

from .._engine import codes as _codes, kmeans as _kmeans
from ..color.spaces import to_space
from ..errors import InvalidImageError, InvalidParameterError
from ..histogram import color_histogram
from ..util.checks import check_k

__all__ = ["rgba_palette", "has_partial_alpha"]

#: A fitted entry of at least this alpha is written opaque: the mean of an opaque area's cluster, which also
#: holds some of its edge, is 253 or 254, and a flat area a few levels short of opaque would let the page
#: behind show through, if invisibly (2% at most), where the image has none.
OPAQUE_FROM = 250
#: Most Lloyd iterations of the fit (it stops earlier once no point changes cluster). From Wu's start 16 give
#: what 30 do, within 0.3 SSIMULACRA2 points on the benchmark's cut-outs, in two thirds of the time.
ITERATIONS = 16
_CHUNK = 1 << 18
#: Distinct colors (with their alpha) above this are first averaged in cells of 5 bits per channel and alpha
#: (on the benchmark's cut-outs all their 80,000-180,000 colors gave 0.3-2.5 SSIMULACRA2 points more, in 3-4x
#: the time) ...
MAX_POINTS = 32_768
#: ... and in cells of 4 bits above this many cells of 5 (a 9.8-megapixel photo cut out with a wide feathered
#: edge: 332,000 cells of 5 bits, 5 s; in cells of 4 bits 3.7 s, but 26 points lower drawn over white).
MAX_CELLS = 1 << 19


def has_partial_alpha(alpha) -> bool:
    """Whether some pixel is neither fully opaque nor fully transparent (0 < alpha < 255).

    Examples
    --------
    >>> has_partial_alpha(np.array([[0, 255]], np.uint8)), has_partial_alpha(np.array([[0, 200]], np.uint8))
    (False, True)
    """
    alpha = np.asarray(alpha)
    return bool(((alpha > 0) & (alpha < 255)).any())


def rgba_palette(image, alpha, k: int) -> tuple[np.ndarray, np.ndarray]:
    """An indexed image with per-entry alpha: each pixel's entry and the (m, 4) RGBA table, m <= k.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3)
        The colors (those of fully transparent pixels are not used).
    alpha : ndarray of uint8, shape (H, W)
        Opacity, 0 (transparent) to 255 (opaque).
    k : int
        Most entries, 1 to 256, the fully transparent one included (as pngquant counts it).

    Returns
    -------
    labels : ndarray of uint8, shape (H, W)
    table : ndarray of uint8, shape (m, 4)
        R, G, B and alpha of each entry: the see-through ones first (a PNG's ``tRNS`` chunk then lists only
        them), then the opaque ones; each group most used first. An image with at most k distinct colors
        (with their alpha) gets exactly them.

    Raises
    ------
    InvalidImageError
        If ``image`` is not (H, W, 3) uint8 or ``alpha`` not (H, W) uint8 of its size.
    InvalidParameterError
        If ``k`` is not a whole number from 1 to 256, or leaves no entry for the colors beside the
        transparent one.

    Examples
    --------
    >>> image = np.full((1, 4, 3), 90, np.uint8)
    >>> labels, table = rgba_palette(image, np.array([[0, 100, 200, 255]], np.uint8), 256)
    >>> table.tolist()
    [[90, 90, 90, 100], [90, 90, 90, 200], [0, 0, 0, 0], [90, 90, 90, 255]]
    """
    k = check_k(k)
    image, alpha = np.asarray(image), np.asarray(alpha)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3 or alpha.dtype != np.uint8 \
            or alpha.shape != image.shape[:2]:
        raise InvalidImageError(f"rgba_palette needs an (H, W, 3) uint8 image and an (H, W) uint8 alpha of its size, "
                                f"got {image.shape} {image.dtype} and {alpha.shape} {alpha.dtype}")
    flat_alpha = alpha.reshape(-1)
    clear = flat_alpha == 0
    room = k - int(clear.any())
    if room < 1 and not clear.all():
        raise InvalidParameterError(f"k={k} leaves no entry for the colors beside the transparent one; give k of 2 or more")
    opaque = flat_alpha == 255
    half = ~opaque & ~clear
    # the distinct opaque colors from the histogram of the opaque pixels (no sort), the half-transparent ones with
    # their alpha by numpy's unique; each pixel's row in the two lists one after the other
    histogram = color_histogram(image, mask=opaque.reshape(alpha.shape) if opaque.any() else None)
    counted = np.flatnonzero(histogram.counts > 0) if opaque.any() else np.zeros(0, np.intp)
    keys = histogram.codes[half].astype(np.uint64) << np.uint64(8) | flat_alpha[half]
    half_keys, half_inverse, half_counts = np.unique(keys, return_inverse=True, return_counts=True)
    rgb = np.vstack([histogram.colors[counted], _codes.unpack_rgb((half_keys >> np.uint64(8)).astype(np.uint32))])
    alphas = np.concatenate([np.full(len(counted), 255, np.uint8), (half_keys & np.uint64(255)).astype(np.uint8)])
    counts = np.concatenate([histogram.counts[counted], half_counts]).astype(np.float64)
    row = np.zeros(clear.size, np.int32)  # 32 bits: a 10-megapixel picture's rows in 39 MB, not 78
    if opaque.any():
        row_of_color = np.zeros(len(histogram.colors), np.int32)
        row_of_color[counted] = np.arange(len(counted))
        row[opaque] = row_of_color[histogram.inverse[opaque]]
    row[half] = len(counted) + half_inverse.reshape(-1)
    del histogram, keys, half_inverse
    if len(rgb) <= room:  # each color its own entry
        table, entry_of = np.column_stack([rgb, alphas]), np.arange(len(rgb))
    else:
        points = _points(rgb, alphas)
        fit = _cells(points, rgb, alphas, counts)
        from ..cluster.mediancut import variance_cut_centers  # a fit only: every `colorlab quantize` imports this module

        centers = _kmeans.lloyd_any(*fit, variance_cut_centers(*fit, room), ITERATIONS)
        # each entry from the pixels of the colors nearest its center (finer than the cells)
        table, entry_of = _entries(_kmeans.assign_any(points, centers), rgb, alphas, counts, len(centers)), None
    if clear.any():
        table = np.vstack([table, np.zeros((1, 4), np.uint8)])
    if entry_of is None:  # the nearest entry, the transparent one included (for nearly transparent pixels)
        entry_of = _kmeans.assign_any(points, _points(table[:, :3], table[:, 3]))
    return _labels(table, entry_of, counts, row, clear, alpha.shape)


def _points(rgb: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """(n, 6) points of uint8 colors with uint8 alphas: OKLab of the color drawn over black, then over white."""
    points = np.empty((len(rgb), 6))
    for start in range(0, len(rgb), _CHUNK):  # in chunks: the conversions' temporaries stay small
        part, a8 = slice(start, start + _CHUNK), alphas[start:start + _CHUNK, None]
        a = a8 / 255.0
        drawn = rgb[part] * a
        points[part, :3] = to_space(np.round(drawn).astype(np.uint8), "oklab")
        points[part, 3:] = to_space(np.round(drawn + 255.0 * (1.0 - a)).astype(np.uint8), "oklab")
    return points


def _entries(labels: np.ndarray, rgb: np.ndarray, alphas: np.ndarray, counts: np.ndarray, k: int) -> np.ndarray:
    """Distinct RGBA entries of k clusters of colors (``counts`` pixels each): each the pixels' mean alpha and mean
    alpha-times-color (over that alpha), in sRGB, where browsers blend: what a pixel shows is linear in the two,
    so this entry is the one nearest, on average, to its pixels drawn over any background."""
    mass = np.bincount(labels, counts, minlength=k)
    full = mass > 0
    weights = counts * (alphas / 255.0)
    opacity = np.bincount(labels, weights, minlength=k)[full] / mass[full]
    drawn = np.column_stack([np.bincount(labels, weights * rgb[:, t], minlength=k)[full] for t in range(3)])
    alpha = np.clip(np.round(opacity * 255), 1, 255).astype(np.uint8)
    alpha[alpha >= OPAQUE_FROM] = 255
    colors = np.clip(np.round(drawn / mass[full, None] / np.maximum(opacity, 1e-9)[:, None]), 0, 255).astype(np.uint8)
    table = np.ascontiguousarray(np.column_stack([colors, alpha]))
    _, first = np.unique(table.view(np.uint32).reshape(-1), return_index=True)
    return table[np.sort(first)]


def _cells(points: np.ndarray, rgb: np.ndarray, alphas: np.ndarray, counts: np.ndarray):
    """What the fit runs on: (points, counts). Beyond MAX_POINTS, the points averaged in cells of 5 bits of R, G,
    B and alpha (weighted by their counts), or of 4, 3, ... bits while there are more than MAX_CELLS cells."""
    if len(points) <= MAX_POINTS:
        return points, counts
    for bits in range(5, 0, -1):
        shift = 8 - bits
        key = (((rgb[:, 0] >> shift).astype(np.int64) << bits | rgb[:, 1] >> shift) << bits | rgb[:, 2] >> shift) \
            << bits | alphas >> shift
        mass = np.bincount(key, counts, minlength=1 << 4 * bits)  # at most 2**20 cells: counted, not sorted
        used = np.flatnonzero(mass)
        if len(used) <= MAX_CELLS:
            break
    sums = np.column_stack([np.bincount(key, counts * points[:, t], minlength=len(mass))[used] for t in range(6)])
    return sums / mass[used, None], mass[used]


def _labels(table, entry_of, counts, row, clear, shape):
    """Every pixel's entry (``entry_of`` each distinct color, of ``counts`` pixels; ``row`` each pixel's distinct
    color; the fully transparent pixels the table's last), and the table ordered: the see-through entries first,
    each group most used first."""
    used = np.bincount(entry_of, counts, minlength=len(table))
    used[-1] += np.count_nonzero(clear)
    keep = np.flatnonzero(used > 0)
    order = keep[np.lexsort((-used[keep], table[keep, 3] == 255))]
    number = np.zeros(len(table), np.uint8)
    number[order] = np.arange(len(order))
    labels = np.full(clear.size, number[-1], np.uint8)
    labels[~clear] = number[entry_of][row[~clear]]
    return labels.reshape(shape), np.ascontiguousarray(table[order])
