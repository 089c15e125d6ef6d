"""The k-means engine behind ``fit_palette(method="kmeans")`` and the pixel lookup behind ``quantize``.

Private module. The ideas (Celebi 2009/2011, see benchmarks/README.md for measurements):

1. Cluster the *distinct* colors weighted by their pixel counts. The objective (sum over all pixels of
   the squared distance to the nearest center) is identical, and there are far fewer points.
2. Converge on coarse color histograms first (4, 5 and 6 bits per channel, each occupied cell
   represented by the weighted mean of its colors): several greedy k-means++ starts on the coarsest
   level, judged after Lloyd on the first two levels, then each finer level started from the last.
3. Finish with at most FINE_ITER exact weighted Lloyd iterations on the distinct colors with Hamerly's
   bounds (an upper bound on the distance to the own center, a lower bound on the second nearest),
   seeded from the last level's cells: points whose bounds prove that their label cannot change are
   skipped.

The loops run compiled (``colorlab._kernels``, numba; 2-4x faster than the numpy version, see
benchmarks/README.md). Labels are exact: distances are the plain formula ``((x - c) ** 2).sum(-1)``
with ties to the lowest index, so ``weighted_lloyd`` gives the same labels and centers as plain
Lloyd on all pixels from the same start.
"""

from __future__ import annotations

import numpy as np

from . import _kernels

#: ``quantize`` spreads labels over images with more pixels through a table over all 2**24 colors.
_TABLE_PIXELS = 100_000
#: :func:`distinct_codes` of more codes uses a presence table over all 2**24 colors (12 MP: 64 ms vs
#: 114 ms for the counting sort; 1 MP: 6.6 ms vs 5.9 ms).
_COUNT_TABLE_PIXELS = 1_500_000


# -- distinct colors ------------------------------------------------------------------------------

def pack_rgb(pixels: np.ndarray) -> np.ndarray:
    """(N, 3) uint8 -> (N,) uint32 codes ``r << 16 | g << 8 | b``."""
    pixels = np.asarray(pixels, dtype=np.uint8)
    if pixels.ndim != 2 or pixels.shape[1] != 3:  # the kernel reads 3 columns unchecked
        raise ValueError(f"pack_rgb needs (N, 3) pixels, got shape {pixels.shape}")
    return _kernels.pack_rgb(pixels)


def unpack_rgb(codes: np.ndarray) -> np.ndarray:
    """(n,) integer codes -> (n, 3) uint8 colors."""
    codes = np.asarray(codes, dtype=np.uint32)
    return np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], axis=1).astype(np.uint8)


def distinct_codes(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct values of uint32 color codes (< 2**24)."""
    codes = np.asarray(codes, dtype=np.uint32)
    if codes.size < _COUNT_TABLE_PIXELS:
        return _kernels.code_counts(codes)[0]
    present = np.zeros(1 << 24, dtype=bool)
    present[codes] = True
    return np.flatnonzero(present).astype(np.uint32)


def distinct_colors(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct colors of (N, 3) uint8 pixels, sorted by code, and how many pixels have each:
    ((n, 3) uint8, (n,) int64). A counting sort (``_kernels.code_counts``), no comparison sort."""
    distinct, counts = _kernels.code_counts(pack_rgb(pixels))
    return unpack_rgb(distinct), counts


# -- nearest centers ------------------------------------------------------------------------------

def _floats(array) -> np.ndarray:
    return np.ascontiguousarray(array, dtype=np.float64)


def assign(points: np.ndarray, centers: np.ndarray, want_second: bool = False):
    """Index of the nearest center for each point (ties to the lowest index).

    With ``want_second`` also return the distances (not squared) to the nearest and second
    nearest centers. Points and centers are float64 arrays of shape (n, 3) and (k, 3).
    """
    points, centers = _floats(points), _floats(centers)
    if points.shape[1:] != (3,) or centers.shape[1:] != (3,) or len(centers) == 0:
        raise ValueError(f"assign needs (n, 3) points and (k >= 1, 3) centers, got {points.shape} and {centers.shape}")
    if want_second:
        return _kernels.nearest_two(points, centers)
    return _kernels.nearest(points, centers)


# -- initialisation -------------------------------------------------------------------------------

def _sqdist_expanded(points, point_norms, centers):
    """Squared distances |x|^2 - 2 x.c + |c|^2 through BLAS, clipped at 0 (rounding; for seeding only)."""
    sq = points @ (-2.0 * centers.T)
    sq += np.einsum("ij,ij->i", centers, centers)
    sq += point_norms[:, None]
    return np.maximum(sq, 0.0, out=sq)


def kmeans_plusplus(points: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy weighted k-means++ (Arthur & Vassilvitskii 2007, 2 + log k trials per step as scikit-learn).

    ``points`` must hold at least k distinct rows. Returns (k, d) float64 centers taken from ``points``.
    Trial distances use the BLAS expansion (10x faster than the plain formula; a seed need not be exact).
    """
    weights = weights.astype(np.float64)
    point_norms = np.einsum("ij,ij->i", points, points)
    n_trials = 2 + int(np.log(k))
    first = rng.choice(len(points), p=weights / weights.sum())
    chosen = [first]
    closest = _sqdist_expanded(points, point_norms, points[first : first + 1])[:, 0]
    for _ in range(1, k):
        cumulative = np.cumsum(weights * closest)
        targets = rng.random(n_trials) * cumulative[-1]
        candidates = np.minimum(np.searchsorted(cumulative, targets, side="right"), len(points) - 1)
        trial = np.minimum(closest[:, None], _sqdist_expanded(points, point_norms, points[candidates]))
        best = int((weights @ trial).argmin())
        chosen.append(int(candidates[best]))
        closest = trial[:, best]
    return points[chosen].copy()


# -- weighted Lloyd with Hamerly bounds -----------------------------------------------------------

def weighted_lloyd(points, weights, centers, *, max_iter=300, tol=0.0):
    """Weighted Lloyd iterations from ``centers`` until no label changes (or ``max_iter`` center updates).

    Parameters
    ----------
    points : (n, d) float64
    weights : (n,) positive numbers (pixel counts)
    centers : (k, d) float64 start
    max_iter : int
        Most center updates; iteration ``t`` is: centers := weighted means, labels := nearest.
    tol : float
        Also stop once a center update lowers the objective by less than ``tol`` times the
        objective at the start (0: run until no label changes, exactly like plain Lloyd).

    Returns
    -------
    centers : (k, d) float64, labels : (n,) intp, n_iter : int
    """
    points, weights, centers = _floats(points), _floats(weights), _floats(centers).copy()
    labels, upper, lower = _kernels.nearest_two(points, centers)
    threshold = tol * float(weights @ upper**2)
    n_iter = _kernels.hamerly_lloyd(points, weights, centers, labels, upper, lower, max_iter, threshold)
    return centers, labels, n_iter


# -- the whole fit --------------------------------------------------------------------------------

#: Relative objective decrease below which refinement stops (see benchmarks/README.md).
TOL = 1e-5
#: Distinct colors below this count are clustered directly, without the coarse histogram levels.
_DIRECT = 8192
#: Bits per channel of the coarse histogram levels, coarsest first (a level is skipped when it
#: has fewer than MIN_CELLS_PER_CENTER x k occupied cells or more than half as many cells as there are colors).
LEVEL_BITS = (4, 5, 6)
#: A histogram level is used only with at least this many occupied cells per center.
MIN_CELLS_PER_CENTER = 16
#: k-means++ starts tried: max(3, START_BUDGET // k) (small k: cheap starts, many local minima).
START_BUDGET = 48
#: The second histogram level joins the start selection (Lloyd without bounds) up to this many cells.
_DENSE_CELLS = 8192
#: Most weighted Lloyd iterations on the distinct colors after the histogram levels.
FINE_ITER = 10


def _cells(colors: np.ndarray, coords: np.ndarray, weights: np.ndarray, bits: int):
    """Group colors into cells of ``bits`` per channel: (cell of each color, cell mean coords, cell weights)."""
    return _kernels.cells(np.ascontiguousarray(colors, dtype=np.uint8), coords, weights, bits)


def _lloyd_dense(points, weights, centers, max_iter=100):
    """Weighted Lloyd to convergence (at most ``max_iter`` iterations) on a small histogram level.
    Returns (centers, labels, objective)."""
    return _kernels.lloyd(_floats(points), _floats(weights), _floats(centers), max_iter)


def _best_start(levels, k, rng, starts):
    """Best of ``starts`` k-means++ runs on the first level, each refined by Lloyd on the first two
    ``levels`` ((means, weights) pairs, coarsest first); judged by the objective on the second."""
    best_error = np.inf
    for _ in range(starts):
        centers = kmeans_plusplus(*levels[0], k, rng)
        for points, weights in levels[:2]:
            centers, _, error = _lloyd_dense(points, weights, centers)
        if error < best_error:
            best_error, best = error, centers
    return best


def fit_centers(colors, coords, weights, k: int, rng, *, tol: float = TOL) -> np.ndarray:
    """k-means centers of distinct ``colors`` (uint8, for the histogram levels) at ``coords`` weighted by counts.

    ``colors`` must hold at least k rows (all distinct). Returns (k, 3) float64 in the coordinates' space.
    Lloyd runs to (near) convergence on coarse histograms first, each level started from the
    previous one's centers, then at most :data:`FINE_ITER` iterations on the distinct colors.
    """
    coords, weights = _floats(coords), _floats(weights)
    levels = []
    if len(coords) > _DIRECT:
        for bits in LEVEL_BITS:
            level = _cells(colors, coords, weights, bits)
            if MIN_CELLS_PER_CENTER * k <= len(level[1]) <= len(coords) // 2:
                levels.append(level)
    if not levels:
        start = _best_start([(coords, weights)], k, rng, max(3, START_BUDGET // k))
        return _by_mass(*weighted_lloyd(coords, weights, start, tol=tol)[:2], weights)
    # Starts are compared after Lloyd on up to two small levels (the coarsest alone judges poorly).
    n_small = 2 if len(levels) > 1 and len(levels[1][1]) <= _DENSE_CELLS else 1
    centers = _best_start([level[1:] for level in levels[:n_small]], k, rng, max(3, START_BUDGET // k))
    for _, cell_means, cell_mass in levels[n_small:]:
        centers = weighted_lloyd(cell_means, cell_mass, centers, tol=tol)[0]
    # Hamerly bounds for every color from its cell's: |x - c| <= |m - c| + |x - m|.
    cell, cell_means, _ = levels[-1]
    cell_labels, cell_upper, cell_lower = assign(cell_means, centers, want_second=True)
    labels, upper, lower = _kernels.bounds_from_cells(coords, cell, cell_means, cell_labels, cell_upper, cell_lower)
    centers = centers.copy()
    _kernels.verify(coords, centers, labels, upper, lower)
    threshold = tol * float(weights @ upper**2)
    _kernels.hamerly_lloyd(coords, weights, centers, labels, upper, lower, FINE_ITER, threshold)
    return _by_mass(centers, labels, weights)


def _by_mass(centers, labels, weights):
    """Centers ordered by the weight of their clusters, largest first (the order palettes use)."""
    mass = np.bincount(labels, weights=weights, minlength=len(centers))
    return centers[np.argsort(-mass, kind="stable")]
