"""The k-means engine behind ``fit_palette(method="kmeans")`` and the pixel lookup behind ``quantize``.

Private module; numpy only. The ideas (Celebi 2009/2011, see benchmarks/README.md for measurements):

1. Cluster the *distinct* colors weighted by their pixel counts. The objective (sum over all pixels of
   the squared distance to the nearest center) is identical, and there are far fewer points.
2. Converge on coarse color histograms first (4, 5 and 6 bits per channel, each occupied cell
   represented by the weighted mean of its colors): several greedy k-means++ starts on the coarsest
   level, judged after Lloyd on the first two levels, then each finer level started from the last.
3. Finish with at most FINE_ITER exact weighted Lloyd iterations on the distinct colors with Hamerly's
   bounds (an upper bound on the distance to the own center, a lower bound on the second nearest),
   seeded from the last level's cells: points whose bounds prove that their label cannot change are
   skipped.

Labels are exact: whenever a distance comparison is closer than rounding could decide, the point is
re-assigned with the plain formula ``((x - c) ** 2).sum(-1).argmin()``, ties to the lowest index, so
``weighted_lloyd`` gives the same labels and centers as plain Lloyd on all pixels from the same start.
"""

from __future__ import annotations

import numpy as np

#: Hamerly bounds must beat the competing bound by this much (in distance units, colors on 0..255).
_SLACK = 1e-6
#: Entries of a distance matrix computed at once: 1 MB of float64, stays in cache (4-8x faster than
#: 16,384 rows at k=64; at small k more rows per call keep numpy's per-call overhead down).
_CHUNK = 1 << 17
#: Images with more pixels find their distinct colors with a presence table over all 2**24 colors.
_TABLE_PIXELS = 100_000
#: Images with more pixels count their colors with a bincount over all 2**24 colors.
_COUNT_TABLE_PIXELS = 1_500_000


# -- distinct colors ------------------------------------------------------------------------------

def pack_rgb(pixels: np.ndarray) -> np.ndarray:
    """(N, 3) uint8 -> (N,) uint32 codes ``r << 16 | g << 8 | b``."""
    codes = np.left_shift(pixels[:, 0], 16, dtype=np.uint32)
    codes |= np.left_shift(pixels[:, 1], 8, dtype=np.uint32)
    codes |= pixels[:, 2]
    return codes


def unpack_rgb(codes: np.ndarray) -> np.ndarray:
    """(n,) integer codes -> (n, 3) uint8 colors."""
    codes = np.asarray(codes, dtype=np.uint32)
    return np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], axis=1).astype(np.uint8)


def distinct_codes(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct values of uint32 color codes.

    A boolean presence table over the 2**24 colors beats sorting from about 0.1 MP on
    (0.4 MP: 4 ms vs 12 ms; 12 MP: 55 ms vs 510 ms, see benchmarks/README.md).
    """
    if codes.size < _TABLE_PIXELS:
        return np.unique(codes)
    present = np.zeros(1 << 24, dtype=bool)
    present[codes] = True
    return np.flatnonzero(present).astype(np.uint32)


def distinct_colors(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct colors of (N, 3) uint8 pixels and how many pixels have each: ((n, 3) uint8, (n,) int64).

    Sorting (``np.unique``) up to 1.5 MP; above, a ``bincount`` over all 2**24 colors (12 MP: 93 ms
    vs 510 ms sorting and 180 ms for a presence table plus an index table; 134 MB transient).
    """
    codes = pack_rgb(pixels)
    if codes.size < _COUNT_TABLE_PIXELS:
        distinct, counts = np.unique(codes, return_counts=True)
    else:
        counts = np.bincount(codes, minlength=1 << 24)
        distinct = np.flatnonzero(counts)
        counts = counts[distinct]
    return unpack_rgb(distinct), counts.astype(np.int64)


# -- nearest centers ------------------------------------------------------------------------------

def _plain_sqdist(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """The reference formula (what a plain Lloyd written straightforwardly computes)."""
    return ((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)


def _assign_chunk(points, minus_two_centers_t, center_norms, tol, want_second):
    # |c|^2 - 2 x.c through BLAS (|x|^2 is the same for every center, added back only for the
    # distances); rows whose two best are closer than the rounding error of this expansion are
    # recomputed with the plain formula so labels never depend on the shortcut.
    sq = points @ minus_two_centers_t
    sq += center_norms
    labels = sq.argmin(axis=1)
    if tol < 0:
        return labels
    flat = np.arange(0, sq.size, sq.shape[1]) + labels  # (row, label) in the flattened matrix
    best = sq.ravel()[flat]
    if len(center_norms) == 1:
        second = np.full(len(points), np.inf)
    else:
        sq.ravel()[flat] = np.inf
        second = sq.min(axis=1)
    close = np.flatnonzero(second - best <= tol) if tol >= 0 else np.empty(0, np.intp)
    if close.size:
        centers = -0.5 * minus_two_centers_t.T
        exact = _plain_sqdist(points[close], centers)
        labels[close] = exact.argmin(axis=1)
    if not want_second:
        return labels
    norms = np.einsum("ij,ij->i", points, points)
    best += norms
    second += norms
    if close.size:
        exact.sort(axis=1)
        best[close] = exact[:, 0]
        second[close] = exact[:, 1] if len(center_norms) > 1 else np.inf
    return labels, np.sqrt(np.maximum(best, 0.0)), np.sqrt(np.maximum(second, 0.0))


def _integral(values: np.ndarray) -> bool:
    return bool(np.all(np.floor(values) == values))


def assign(points: np.ndarray, centers: np.ndarray, want_second: bool = False):
    """Index of the nearest center for each point (ties to the lowest index).

    With ``want_second`` also return the distances (not squared) to the nearest and second
    nearest centers. Points and centers are float64 arrays of shape (n, d) and (k, d).
    """
    points = np.asarray(points, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)
    center_norms = np.einsum("ij,ij->i", centers, centers)
    minus_two_centers_t = -2.0 * centers.T
    scale = 1.0 + center_norms.max() + (np.abs(points).max() ** 2 * points.shape[1] if len(points) else 0.0)
    tol = 1e-9 * scale
    if not want_second and scale < 2.0**40 and _integral(centers) and _integral(points):
        tol = -1.0  # integer coordinates: the expansion is exact in float64, no close calls to re-check
    rows = max(256, _CHUNK // len(centers))
    parts = [
        _assign_chunk(points[i : i + rows], minus_two_centers_t, center_norms, tol, want_second)
        for i in range(0, max(len(points), 1), rows)
    ]
    if not want_second:
        return np.concatenate(parts).astype(np.intp)
    return tuple(np.concatenate(p) for p in zip(*parts))


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

class _State:
    """Labels, Hamerly bounds and per-cluster weighted sums of one weighted Lloyd run."""

    def __init__(self, points, weights, centers, labels=None, upper=None, lower=None):
        self.points, self.weights = points, weights
        self.centers = centers
        if labels is None:
            labels, upper, lower = assign(points, centers, want_second=True)
        self.labels, self.upper, self.lower = labels, upper, lower
        self.recount()

    def recount(self):
        k = len(self.centers)
        self.mass = np.bincount(self.labels, weights=self.weights, minlength=k)
        wp = self.points * self.weights[:, None]
        self.sums = np.stack([np.bincount(self.labels, weights=wp[:, j], minlength=k) for j in range(wp.shape[1])], 1)

    def verify(self, candidates):
        """Re-check the labels of ``candidates``: skip the proven ones, recompute the rest. Returns changed."""
        centers = self.centers
        if len(centers) > 1:
            gaps = np.sqrt(_plain_sqdist(centers, centers))
            np.fill_diagonal(gaps, np.inf)
            half_gap = 0.5 * gaps.min(axis=1)
        else:
            half_gap = np.full(1, np.inf)
        labels = self.labels[candidates]
        bound = np.maximum(half_gap[labels], self.lower[candidates]) - _SLACK
        open_ = self.upper[candidates] > bound
        idx, labels, bound = candidates[open_], labels[open_], bound[open_]
        if idx.size == 0:
            return idx, labels, labels
        own = np.sqrt(((self.points[idx] - centers[labels]) ** 2).sum(axis=1))
        self.upper[idx] = own
        still = own > bound
        idx, labels = idx[still], labels[still]
        if idx.size == 0:
            return idx, labels, labels
        new, up, low = assign(self.points[idx], centers, want_second=True)
        changed = new != self.labels[idx]
        self.labels[idx], self.upper[idx], self.lower[idx] = new, up, low
        return idx[changed], labels[changed], new[changed]

    def move_centers(self, moved):
        """Move changed points' weight between clusters, then every center to its cluster's mean."""
        if moved is not None and len(moved[0]):
            idx, old, new = moved
            k = len(self.centers)
            w = self.weights[idx]
            wp = self.points[idx] * w[:, None]
            self.mass += np.bincount(new, weights=w, minlength=k) - np.bincount(old, weights=w, minlength=k)
            for j in range(wp.shape[1]):
                self.sums[:, j] += np.bincount(new, weights=wp[:, j], minlength=k)
                self.sums[:, j] -= np.bincount(old, weights=wp[:, j], minlength=k)
        if (self.mass <= 0).any():
            return False
        new_centers = self.sums / self.mass[:, None]
        shift = np.sqrt(((new_centers - self.centers) ** 2).sum(axis=1))
        self.gain = float(self.mass @ shift**2)  # what this move took off the objective
        self.centers = new_centers
        self.upper += shift[self.labels]
        if len(shift) > 1:
            order = np.argsort(shift)
            top, runner_up = order[-1], shift[order[-2]]
            self.lower -= np.where(self.labels == top, runner_up, shift[top])
        return True

    def reseed_empty(self):
        """Put each empty cluster's center on the point with the largest weighted error, then reassign."""
        labels, up, _ = assign(self.points, self.centers, want_second=True)
        error = self.weights * up**2
        empty = np.flatnonzero(self.mass <= 0)
        worst = np.argsort(-error, kind="stable")[: empty.size]
        self.centers = self.centers.copy()
        self.centers[empty] = self.points[worst]
        self.labels, self.upper, self.lower = assign(self.points, self.centers, want_second=True)
        self.recount()


def weighted_lloyd(points, weights, centers, *, max_iter=300, tol=0.0, state=None):
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
    points = np.asarray(points, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    state = state or _State(points, weights, np.array(centers, dtype=np.float64))
    moved = None
    n_iter = 0
    threshold = tol * float(weights @ state.upper**2)
    everyone = np.arange(len(points))
    for n_iter in range(1, max_iter + 1):
        if not state.move_centers(moved):
            state.reseed_empty()
            moved = None
            continue
        moved = state.verify(everyone)
        if len(moved[0]) == 0 or state.gain < threshold:
            break
    return state.centers, state.labels, n_iter


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
    """Group colors into cells of ``bits`` per channel: (cell of each color, cell mean coords, cell weights).

    A bincount over all 2**(3 bits) cells instead of np.unique: O(n), no sort.
    """
    c = (colors >> (8 - bits)).astype(np.intp)
    cell_code = (c[:, 0] << (2 * bits)) | (c[:, 1] << bits) | c[:, 2]
    present = np.bincount(cell_code, minlength=1 << (3 * bits)) > 0
    renumber = np.cumsum(present) - 1
    cell = renumber[cell_code]
    n_cells = int(renumber[-1]) + 1
    mass = np.bincount(cell, weights=weights, minlength=n_cells)
    weighted = coords * weights[:, None]
    means = np.stack([np.bincount(cell, weights=weighted[:, j], minlength=n_cells) for j in range(coords.shape[1])], 1)
    return cell, means / mass[:, None], mass


def _lloyd_dense(points, weights, centers, max_iter=100):
    """Weighted Lloyd with a full assignment each iteration, for the small histogram levels.

    Without bounds bookkeeping an iteration on a few thousand cells costs ~0.3 ms, 5x less than
    the Hamerly version there. Returns (centers, labels, objective).
    """
    k = len(centers)
    weighted = points * weights[:, None]
    labels = assign(points, centers)
    for _ in range(max_iter):
        mass = np.bincount(labels, weights=weights, minlength=k)
        sums = np.stack([np.bincount(labels, weights=weighted[:, j], minlength=k) for j in range(points.shape[1])], 1)
        if (mass <= 0).any():
            error = weights * ((points - centers[labels]) ** 2).sum(axis=1)
            empty = np.flatnonzero(mass <= 0)
            centers = centers.copy()
            centers[empty] = points[np.argsort(-error, kind="stable")[: empty.size]]
        else:
            centers = sums / mass[:, None]
        new = assign(points, centers)
        if np.array_equal(new, labels):
            break
        labels = new
    return centers, labels, float(weights @ ((points - centers[labels]) ** 2).sum(axis=1))


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
    coords = np.asarray(coords, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
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
    offset = np.sqrt(((coords - cell_means[cell]) ** 2).sum(axis=1))
    state = _State.__new__(_State)
    state.points, state.weights, state.centers = coords, weights, centers
    state.labels = cell_labels[cell]
    state.upper = cell_upper[cell] + offset
    state.lower = cell_lower[cell] - offset
    state.verify(np.arange(len(coords)))
    state.recount()
    return _by_mass(*weighted_lloyd(coords, weights, centers, tol=tol, state=state, max_iter=FINE_ITER)[:2], weights)


def _by_mass(centers, labels, weights):
    """Centers ordered by the weight of their clusters, largest first (the order palettes use)."""
    mass = np.bincount(labels, weights=weights, minlength=len(centers))
    return centers[np.argsort(-mass, kind="stable")]
