"""The k-means engine behind ``fit_palette(method="kmeans")`` and the pixel lookup behind ``quantize``.

Private module; numpy only. The ideas (Celebi 2009/2011, see benchmarks/README.md for measurements):

1. Cluster the *distinct* colors weighted by their pixel counts. The objective (sum over all pixels of
   the squared distance to the nearest center) is identical, and there are far fewer points.
2. Start cheaply: greedy k-means++ and a weighted Lloyd on a coarse 5-bit-per-channel histogram
   (each occupied cell represented by the weighted mean of its colors).
3. Refine exactly on the distinct colors to convergence with Hamerly's bounds (an upper bound on the
   distance to the own center, a lower bound on the second nearest): points whose bounds prove that
   their label cannot change are skipped, so late iterations touch only a few points.

Labels are exact: whenever a distance comparison is closer than rounding could decide, the point is
re-assigned with the plain formula ``((x - c) ** 2).sum(-1).argmin()``, ties to the lowest index, so
the engine gives the same labels and centers as plain Lloyd on all pixels from the same start.
"""

from __future__ import annotations

import numpy as np

#: Hamerly bounds must beat the competing bound by this much (in distance units, colors on 0..255).
_SLACK = 1e-6
#: Rows of a distance matrix computed at once (keeps temporaries to a few MB).
_CHUNK = 16384
#: Images with more pixels find their distinct colors with a presence table over all 2**24 colors.
_TABLE_PIXELS = 100_000


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


def index_codes(codes: np.ndarray, distinct: np.ndarray) -> np.ndarray:
    """Position of each code in the sorted array ``distinct`` (which must contain them all)."""
    if codes.size < _TABLE_PIXELS:
        return np.searchsorted(distinct, codes).astype(np.int32)
    table = np.empty(1 << 24, dtype=np.int32)  # only the entries written below are ever read
    table[distinct] = np.arange(distinct.size, dtype=np.int32)
    return table[codes]


def distinct_colors(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct colors of (N, 3) uint8 pixels and how many pixels have each: ((n, 3) uint8, (n,) int64)."""
    codes = pack_rgb(pixels)
    distinct = distinct_codes(codes)
    counts = np.bincount(index_codes(codes, distinct), minlength=distinct.size)
    return unpack_rgb(distinct), counts.astype(np.int64)


# -- nearest centers ------------------------------------------------------------------------------

def _plain_sqdist(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """The reference formula (what a plain Lloyd written straightforwardly computes)."""
    return ((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)


def _assign_chunk(points, centers, center_norms, want_second):
    # |x|^2 - 2 x.c + |c|^2 through BLAS; rows whose two best are closer than the rounding error of
    # this expansion are recomputed with the plain formula so labels never depend on the shortcut.
    sq = points @ (-2.0 * centers.T)
    sq += center_norms
    sq += np.einsum("ij,ij->i", points, points)[:, None]
    labels = sq.argmin(axis=1)
    rows = np.arange(len(points))
    best = sq[rows, labels]
    if centers.shape[0] == 1:
        second = np.full(len(points), np.inf)
    else:
        sq[rows, labels] = np.inf
        second = sq.min(axis=1)
    tol = 1e-9 * (1.0 + center_norms.max() + np.abs(points).max() ** 2 * 3)
    close = np.flatnonzero(second - best <= tol)
    if close.size:
        exact = _plain_sqdist(points[close], centers)
        labels[close] = exact.argmin(axis=1)
        if want_second:
            exact.sort(axis=1)
            best[close] = exact[:, 0]
            second[close] = exact[:, 1] if centers.shape[0] > 1 else np.inf
    if want_second:
        return labels, np.sqrt(np.maximum(best, 0.0)), np.sqrt(np.maximum(second, 0.0))
    return labels


def assign(points: np.ndarray, centers: np.ndarray, want_second: bool = False):
    """Index of the nearest center for each point (ties to the lowest index).

    With ``want_second`` also return the distances (not squared) to the nearest and second
    nearest centers. Points and centers are float64 arrays of shape (n, d) and (k, d).
    """
    points = np.asarray(points, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)
    center_norms = np.einsum("ij,ij->i", centers, centers)
    parts = [
        _assign_chunk(points[i : i + _CHUNK], centers, center_norms, want_second)
        for i in range(0, max(len(points), 1), _CHUNK)
    ]
    if not want_second:
        return np.concatenate(parts).astype(np.intp)
    return tuple(np.concatenate(p) for p in zip(*parts))


# -- initialisation -------------------------------------------------------------------------------

def kmeans_plusplus(points: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy weighted k-means++ (Arthur & Vassilvitskii 2007, 2 + log k trials per step as scikit-learn).

    ``points`` must hold at least k distinct rows. Returns (k, d) float64 centers taken from ``points``.
    """
    weights = weights.astype(np.float64)
    n_trials = 2 + int(np.log(k))
    first = rng.choice(len(points), p=weights / weights.sum())
    chosen = [first]
    closest = ((points - points[first]) ** 2).sum(axis=1)
    for _ in range(1, k):
        cumulative = np.cumsum(weights * closest)
        targets = rng.random(n_trials) * cumulative[-1]
        candidates = np.minimum(np.searchsorted(cumulative, targets, side="right"), len(points) - 1)
        trial = np.minimum(closest[:, None], _plain_sqdist(points, points[candidates]))
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
#: Distinct colors below this count are clustered directly, without the coarse histogram stage.
_DIRECT = 8192
_COARSE_SHIFT = 3  # 5 bits per channel
#: k-means++ starts tried on the coarse histogram; the best one is refined.
COARSE_STARTS = 3


def _coarse_cells(colors: np.ndarray, coords: np.ndarray, weights: np.ndarray):
    """Group colors into 5-bit cells: (cell index per color, cell mean coords, cell weights)."""
    c = colors >> _COARSE_SHIFT
    bits = 8 - _COARSE_SHIFT
    cell_code = (c[:, 0].astype(np.intp) << (2 * bits)) | (c[:, 1].astype(np.intp) << bits) | c[:, 2]
    occupied, cell = np.unique(cell_code, return_inverse=True)
    mass = np.bincount(cell, weights=weights, minlength=occupied.size)
    means = np.stack([np.bincount(cell, weights=coords[:, j] * weights, minlength=occupied.size) for j in range(3)], 1)
    return cell, means / mass[:, None], mass


def fit_centers(colors, coords, weights, k: int, rng, *, tol: float = TOL) -> np.ndarray:
    """k-means centers of distinct ``colors`` (uint8, for the coarse grid) at ``coords`` weighted by counts.

    ``colors`` must hold at least k rows (all distinct). Returns (k, 3) float64 in the coordinates' space.
    """
    coords = np.asarray(coords, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    if len(coords) <= _DIRECT:
        start = kmeans_plusplus(coords, weights, k, rng)
        return weighted_lloyd(coords, weights, start, tol=tol)[0]
    cell, cell_means, cell_mass = _coarse_cells(colors, coords, weights)
    if len(cell_means) < 4 * k:
        start = kmeans_plusplus(coords, weights, k, rng)
        return weighted_lloyd(coords, weights, start, tol=tol)[0]
    # Several starts on the small coarse histogram cost little and avoid poor local minima.
    best_error = np.inf
    for _ in range(COARSE_STARTS):
        start = kmeans_plusplus(cell_means, cell_mass, k, rng)
        centers, labels, _ = weighted_lloyd(cell_means, cell_mass, start, tol=tol)
        error = float(cell_mass @ ((cell_means - centers[labels]) ** 2).sum(axis=1))
        if error < best_error:
            best_error, coarse = error, centers
    # Hamerly bounds for every color from its cell's: |x - c| <= |m - c| + |x - m|.
    cell_labels, cell_upper, cell_lower = assign(cell_means, coarse, want_second=True)
    offset = np.sqrt(((coords - cell_means[cell]) ** 2).sum(axis=1))
    state = _State.__new__(_State)
    state.points, state.weights, state.centers = coords, weights, coarse
    state.labels = cell_labels[cell]
    state.upper = cell_upper[cell] + offset
    state.lower = cell_lower[cell] - offset
    state.verify(np.arange(len(coords)))
    state.recount()
    return weighted_lloyd(coords, weights, coarse, tol=tol, state=state)[0]
