"""The k-means engine's compiled loops (``colorlab/_engine/engine.c``), called through ctypes.

Private module; ``colorlab._engine.kmeans`` uses it. Hand-written in C because the loops are measurably
faster than numpy (the numpy engine spent its time in per-iteration Python and array-pass bookkeeping:
Hamerly bounds, chunked assignment, re-checking close calls; docs/engine.md), and C rather than
numba because a command-line run or a new kernel starts at once: importing numba and loading its
cached kernels cost about 1 s per process, more than the whole job on a small photo. The
library is plain C on raw arrays, built by ``setup.py`` with any C compiler; ctypes (standard library)
loads it, and releases the GIL during each call, so ``kmeans`` runs independent work on threads.

Distances are the plain formula ``dx*dx + dy*dy + dz*dz``, accumulated in that order in float64,
exactly what numpy's ``((x - c) ** 2).sum(-1)`` computes, and the nearest center is the first of the
smallest (ties to the lowest index), so labels equal a straightforward numpy Lloyd's bit for bit. The
library is compiled without fused multiply-adds or reassociation: results do not depend on the
machine's cores. ``tests/kernels_reference.py`` holds every kernel as plain Python, and the tests check
the two agree bit for bit.

The library's loading and the signature of each C function are in :mod:`colorlab._engine.binding`. Each
wrapper takes numpy arrays as the engine has them, converts inputs to C-contiguous arrays of the
kernel's type (no copy when they already are), and refuses arrays it would have to copy to update in
place (a copy would lose the update).
"""

from __future__ import annotations

import ctypes

import numpy as np

from . import threads
from .binding import _C, _F, _N, _in, _memory, _points, _ptr, _updated

# -- distinct colors ------------------------------------------------------------------------------

def pack_rgb(pixels, out=None):
    """(N, 3) uint8 -> (N,) uint32 codes ``r << 16 | g << 8 | b`` (into ``out``, if given)."""
    pixels = _in(pixels, np.uint8)
    codes = np.empty(pixels.shape[0], np.uint32) if out is None else _updated(out, np.uint32, "out")
    if codes.shape != pixels.shape[:1]:
        raise ValueError(f"pack_rgb: {pixels.shape[0]} pixels but room for {codes.shape}")
    _C.pack_rgb(_ptr(pixels), pixels.shape[0], _ptr(codes))
    return codes


def table_times(rgb, table, matrix, out):
    """``out[i] := matrix @ table[rgb[i]]`` for (n, 3) uint8 colors, a (256,) float64 table and a 3 x 3 matrix,
    each row of the product as ``(x * m0 + y * m1) + z * m2`` (:func:`colorlab.color.spaces._times`'s order:
    the same numbers); ``out`` an (n, 3) float64 array, filled in place."""
    rgb, table, matrix = _in(rgb, np.uint8), _in(table, np.float64), _in(matrix, np.float64)
    out = _updated(out, np.float64, "out")
    if rgb.ndim != 2 or rgb.shape[1] != 3 or out.shape != rgb.shape or table.shape != (256,) or matrix.shape != (3, 3):
        raise ValueError(f"table_times needs (n, 3) colors and out, a (256,) table and a 3 x 3 matrix, got "
                         f"{rgb.shape}, {out.shape}, {table.shape}, {matrix.shape}")
    _C.table_times(_ptr(rgb), rgb.shape[0], _ptr(table), _ptr(matrix), _ptr(out))


def times_scaled(x, matrix, scale):
    """``x[i] := (matrix @ x[i]) * scale`` in place for an (n, 3) float64 array, in :func:`table_times`'s order."""
    x, matrix = _updated(x, np.float64, "x"), _in(matrix, np.float64)
    if x.ndim != 2 or x.shape[1] != 3 or matrix.shape != (3, 3):
        raise ValueError(f"times_scaled needs (n, 3) values and a 3 x 3 matrix, got {x.shape} and {matrix.shape}")
    _C.times_scaled(_ptr(x), x.shape[0], _ptr(matrix), float(scale))


#: 64-bit words of a presence bitmap of all 2**24 colors (2 MB).
BITMAP_WORDS = 1 << 18


def mark_codes(codes) -> np.ndarray:
    """A presence bitmap ((BITMAP_WORDS,) uint64) of uint32 color codes (< 2**24): one part of
    :func:`code_counts`, for pixels split over threads (the bitmaps of the parts are ORed)."""
    codes = _in(codes, np.uint32)
    bits = np.zeros(BITMAP_WORDS, np.uint64)
    if _C.mark_codes(_ptr(codes), codes.size, _ptr(bits)) >> 24:
        raise ValueError("color codes must be below 2**24")
    return bits


def bitmap_ranks(bits) -> tuple[np.ndarray, int]:
    """(rank of each word: the set bits before it, number of set bits) of a presence bitmap."""
    bits = _in(bits, np.uint64)
    rank = np.empty(BITMAP_WORDS, np.uint32)
    return rank, int(_C.bitmap_ranks(_ptr(bits), _ptr(rank)))


def count_codes(codes, bits, rank, m: int) -> np.ndarray:
    """How often each of the m marked colors occurs among ``codes`` (all marked in ``bits``): (m,) int64."""
    codes, bits, rank = _in(codes, np.uint32), _in(bits, np.uint64), _in(rank, np.uint32)
    counts = np.zeros(m, np.int64)
    _C.count_codes(_ptr(codes), codes.size, _ptr(bits), _ptr(rank), _ptr(counts))
    return counts


def bitmap_codes(bits, m: int) -> np.ndarray:
    """The m codes marked in a presence bitmap, in order: (m,) uint32."""
    bits = _in(bits, np.uint64)
    distinct = np.empty(m, np.uint32)
    _C.bitmap_codes(_ptr(bits), _ptr(distinct))
    return distinct


def code_counts(codes, parts=None, run=None):
    """Sorted distinct values of uint32 color codes (< 2**24) and how often each occurs.

    A presence bitmap of all 2**24 colors (2 MB) with the running count of set bits per 64-bit word:
    the bitmap lists the distinct colors in order, and a pixel's color is counted at its rank among
    them. Two passes over the pixels, no sort, nothing per pixel (0.4 MP: 1.7 ms, 12 MP: 46 ms; the
    counting sort it replaced: 3.6 and 64 ms and 2 bytes a pixel). ``parts``: slices of ``codes``
    marked and counted separately, and ``run(function, parts)`` to do it (e.g. on threads); the same
    result.
    """
    codes = _in(codes, np.uint32)
    parts, run = parts or [slice(None)], run or (lambda function, items: [function(item) for item in items])
    bitmaps = run(lambda rows: mark_codes(codes[rows]), parts)
    bits = bitmaps[0]
    for other in bitmaps[1:]:
        np.bitwise_or(bits, other, out=bits)
    del bitmaps
    rank, m = bitmap_ranks(bits)
    counts = run(lambda rows: count_codes(codes[rows], bits, rank, m), parts)
    return bitmap_codes(bits, m), sum(counts[1:], counts[0])


def spread(codes, distinct, values, out=None):
    """Each pixel's value: ``values[i]`` for the pixel whose code is ``distinct[i]`` ((m, ...) values, any
    type; ``distinct`` sorted, and holding every code). Returns (n, ...) of values' type, or fills
    ``out`` (e.g. rows of a larger array) and returns it."""
    codes, distinct = _in(codes, np.uint32), _in(distinct, np.uint32)
    values = np.ascontiguousarray(values)
    if len(values) != len(distinct):
        raise ValueError(f"spread needs one value per distinct code ({len(distinct)}), got {len(values)}")
    if out is None:
        out = np.empty((codes.size,) + values.shape[1:], values.dtype)
    elif out.shape != (codes.size,) + values.shape[1:] or out.dtype != values.dtype or not out.flags.c_contiguous:
        raise TypeError(f"out must be a C-contiguous {values.dtype} array of shape {(codes.size,) + values.shape[1:]}")
    row = values.itemsize * int(np.prod(values.shape[1:], dtype=np.int64))
    _memory(_C.spread(_ptr(codes), codes.size, _ptr(distinct), distinct.size, _ptr(values), row, _ptr(out)))
    return out


def count_cells(colors, bits):
    """How many cells of ``bits`` per channel the uint8 colors occupy."""
    colors = _in(colors, np.uint8)
    m = _C.count_cells(_ptr(colors), colors.shape[0], int(bits))
    _memory(m)
    return int(m)


def cells(colors, coords, weights, bits):
    """Group uint8 colors into cells of ``bits`` per channel, numbered in code order.

    Returns (cell of each color, (m, d) weighted mean coordinates of each cell, (m,) cell weights).
    """
    colors, coords, weights = _in(colors, np.uint8), _in(coords, np.float64), _in(weights, np.float64)
    n = colors.shape[0]
    cell = np.empty(n, np.intp)
    m = _C.cells_number(_ptr(colors), n, int(bits), _ptr(cell))
    _memory(m)
    d = coords.shape[1]
    means, mass = np.zeros((m, d)), np.zeros(m)
    _C.cells_fill(_ptr(coords), _ptr(weights), _ptr(cell), n, d, _ptr(means), _ptr(mass), m)
    return cell, means, mass


def wu_moments(colors, coords, weights, bits: int, want_cells: bool = True):
    """Wu's cumulative moment grid of the colors ((side, side, side, 5) float64, side = 2**bits + 1, see
    ``colorlab.cluster.wu``) and, with ``want_cells``, each color's flat cell number (else None)."""
    colors, coords, weights = _in(colors, np.uint8), _points(coords, "coords"), _in(weights, np.float64)
    side = (1 << bits) + 1
    table = np.empty((side, side, side, 5))
    flat = np.empty(len(colors), np.intp) if want_cells else None
    _C.wu_moments(_ptr(colors), _ptr(coords), _ptr(weights), len(colors), int(bits), _ptr(table),
                  None if flat is None else _ptr(flat))
    return table, flat


def wu_cuts(table, k):
    """Wu's box cuts of a cumulative moment grid ((side, side, side, 5) float64, see ``colorlab.cluster.wu``).

    Returns ((m, 6) int64 boxes (r0, r1, g0, g1, b0, b1), the cells r0 < r <= r1 and so on, and (m, 5)
    float64 moments of each box), m <= k.
    """
    table = _in(table, np.float64)
    side = table.shape[0]
    if table.shape != (side, side, side, 5):
        raise ValueError(f"wu_cuts needs a (side, side, side, 5) table, got shape {table.shape}")
    boxes, moments = np.empty((k, 6), np.int64), np.empty((k, 5))
    m = _C.wu_cuts(_ptr(table), side, int(k), _ptr(boxes), _ptr(moments))
    _memory(m)
    return boxes[:m], moments[:m]


# -- nearest centers ------------------------------------------------------------------------------

def nearest_any(points, centers, labels=None):
    """Index of the nearest center of each point, for (n, d) points and (k, d) centers of any d (ties to the
    lowest; the squared differences added in coordinate order). ``labels``: as in :func:`nearest`."""
    points, centers = _in(points, np.float64), _in(centers, np.float64)
    if points.ndim != 2 or centers.ndim != 2 or points.shape[1] != centers.shape[1] or len(centers) == 0:
        raise ValueError(f"nearest_any needs (n, d) points and (k >= 1, d) centers, got {points.shape} and {centers.shape}")
    labels = np.empty(points.shape[0], np.intp) if labels is None else _updated(labels, np.intp, "labels")
    _memory(_C.nearest_any(_ptr(points), points.shape[0], points.shape[1], _ptr(centers), centers.shape[0], _ptr(labels)))
    return labels


def nearest(points, centers, labels=None):
    """Index of the nearest center of each point ((n, 3) and (k, 3) float64), ties to the lowest.

    All k distances per point: a branch-free loop the compiler vectorises beats skipping centers by
    the triangle inequality (kodim05's 63,558 colors, k=64: 2.8 ms vs 4.2 ms; k=4: 0.4 vs 1.7).
    ``labels``: an (n,) intp array to write them into (e.g. a slice of a larger one), else a new one.
    """
    points, centers = _points(points), _points(centers, "centers")
    labels = np.empty(points.shape[0], np.intp) if labels is None else _updated(labels, np.intp, "labels")
    _memory(_C.nearest(_ptr(points), points.shape[0], _ptr(centers), centers.shape[0], _ptr(labels)))
    return labels


def nearest_two(points, centers, out=None):
    """Labels and distances (not squared) to the nearest and second nearest center of each point.

    ``out``: three arrays ((n,) intp, float64, float64) to write them into, else new ones.
    """
    points, centers = _points(points), _points(centers, "centers")
    n = points.shape[0]
    if out is None:
        labels, first, second = np.empty(n, np.intp), np.empty(n), np.empty(n)
    else:
        labels, first, second = _bounds(*out)
    _memory(_C.nearest_two(_ptr(points), n, _ptr(centers), centers.shape[0], _ptr(labels), _ptr(first), _ptr(second)))
    return labels, first, second


# -- weighted Lloyd -------------------------------------------------------------------------------

def totals(points, weights, labels, k):
    """Per-cluster weight and weighted coordinate sums, from scratch."""
    points, weights, labels = _points(points), _in(weights, np.float64), _in(labels, np.intp)
    mass, sums = np.empty(k), np.empty((k, 3))
    _C.totals(_ptr(points), _ptr(weights), _ptr(labels), points.shape[0], k, _ptr(mass), _ptr(sums))
    return mass, sums


def totals_whole(points, weights, labels, k):
    """:func:`totals` where every sum is a whole number below 2**53 (exact in any order): four
    interleaved sets of sums added at the end. The same numbers, faster; the caller checks the condition."""
    points, weights, labels = _points(points), _in(weights, np.float64), _in(labels, np.intp)
    mass, sums = np.empty(k), np.empty((k, 3))
    _C.totals_whole(_ptr(points), _ptr(weights), _ptr(labels), points.shape[0], k, _ptr(mass), _ptr(sums))
    return mass, sums


def reseed_empty(points, weights, centers, mass):
    """Put each empty cluster's center on the point with the largest weighted error (in place)."""
    points, weights, mass = _points(points), _in(weights, np.float64), _in(mass, np.float64)
    centers = _updated(centers, np.float64, "centers")
    _memory(_C.reseed_empty(_ptr(points), _ptr(weights), points.shape[0], _ptr(centers), centers.shape[0], _ptr(mass)))


def weighted_squares(weights, values):
    """``sum(weights * values**2)``, added in order (as the reference does). Not ``weights @ values**2``:
    that calls BLAS, whose threads go on spinning on the other cores after it returns, while the
    engine's own threads need them (docs/engine.md)."""
    weights, values = _in(weights, np.float64), _in(values, np.float64)
    if weights.shape != values.shape or weights.ndim != 1:
        raise ValueError(f"weighted_squares needs two (n,) arrays, got {weights.shape} and {values.shape}")
    return _C.weighted_squares(_ptr(weights), _ptr(values), weights.shape[0])


def objective(points, weights, centers, labels):
    """The k-means objective: sum of weight x squared distance to the point's center."""
    points, weights, centers, labels = _points(points), _in(weights, np.float64), _points(centers, "centers"), \
        _in(labels, np.intp)
    return _C.objective(_ptr(points), _ptr(weights), _ptr(centers), _ptr(labels), points.shape[0])


def move_centers(centers, mass, sums):
    """Move every center to its cluster's weighted mean (in place; no cluster may be empty).

    Returns (how far each center moved, the index of the one that moved most, the largest move
    among the others, the objective decrease sum(mass * move**2) of this update).
    """
    centers = _updated(centers, np.float64, "centers")
    mass, sums = _in(mass, np.float64), _in(sums, np.float64)
    k = centers.shape[0]
    shift, top, runner_up = np.empty(k), _N(), _F()
    gain = _C.move_centers(_ptr(centers), k, _ptr(mass), _ptr(sums), _ptr(shift), ctypes.byref(top),
                           ctypes.byref(runner_up))
    return shift, top.value, runner_up.value, gain


def _bounds(labels, upper, lower):
    return _updated(labels, np.intp, "labels"), _updated(upper, np.float64, "upper"), \
        _updated(lower, np.float64, "lower")


def shift_and_verify(points, centers, labels, upper, lower, shift, top, runner_up, tied=None):
    """Loosen the Hamerly bounds by the centers' moves, then re-check the labels as :func:`verify`
    does, in one pass (all in place). Returns how many labels changed.

    Each point is handled on its own, so a range of points (row slices of the arrays) can be done by
    another thread with the same result. ``tied``: an (n,) bool array to mark, as :func:`verify_ties` does.
    """
    points, centers, shift = _points(points), _points(centers, "centers"), _in(shift, np.float64)
    labels, upper, lower = _bounds(labels, upper, lower)
    tied = None if tied is None else _updated(tied, np.bool_, "tied")
    changed = _C.shift_and_verify(_ptr(points), points.shape[0], _ptr(centers), centers.shape[0], _ptr(labels),
                                  _ptr(upper), _ptr(lower), _ptr(shift), int(top), float(runner_up),
                                  None if tied is None else _ptr(tied))
    _memory(changed)
    return changed


def near_state(k: int) -> np.ndarray:
    """A fresh block of what :func:`verify_near` keeps of k centers across the iterations of one Lloyd run
    (zeros: the first :func:`near_update` builds it)."""
    return np.zeros(_C.near_state_size(int(k)))


def near_update(centers, shift, top, runner_up, state):
    """Bring ``state`` (:func:`near_state`) in step with ``centers`` after they moved by ``shift`` (in place).

    From 65 centers it holds each center's 32 nearest others: they are measured again and re-sorted,
    and a lower bound on the gap to every other center is loosened by the moves, until the loosening
    adds up to a quarter of the median bound and the lists are built again from all k^2 gaps.
    """
    centers, shift = _points(centers, "centers"), _in(shift, np.float64)
    state = _updated(state, np.float64, "state")
    _memory(_C.near_update(_ptr(centers), centers.shape[0], _ptr(shift), int(top), float(runner_up), _ptr(state)))


def verify_near(points, centers, labels, upper, lower, shift, top, runner_up, state, tied=None):
    """:func:`shift_and_verify` with the centers' state kept by :func:`near_update` (the same labels and
    ``tied`` marks; the lower bounds may differ). A range of points can be done by another thread."""
    points, centers, shift = _points(points), _points(centers, "centers"), _in(shift, np.float64)
    labels, upper, lower = _bounds(labels, upper, lower)
    state = _in(state, np.float64)
    tied = None if tied is None else _updated(tied, np.bool_, "tied")
    changed = _C.verify_near(_ptr(points), points.shape[0], _ptr(centers), centers.shape[0], _ptr(labels),
                             _ptr(upper), _ptr(lower), _ptr(shift), int(top), float(runner_up),
                             None if tied is None else _ptr(tied), _ptr(state))
    _memory(changed)
    return changed


def verify(points, centers, labels, upper, lower):
    """Re-check every label against Hamerly's bounds (in place); returns how many labels changed.

    A point is skipped when its upper bound (distance to its own center) is below both its lower
    bound (distance to the second nearest) and half the gap to the nearest other center, less
    :data:`~colorlab._engine.binding.SLACK`; otherwise its own distance is recomputed, and if that is not enough, all.
    """
    return shift_and_verify(points, centers, labels, upper, lower, np.zeros(len(centers)), 0, 0.0)


def verify_ties(points, centers, labels, upper, lower, tied=None):
    """:func:`verify` (labels and bounds in place), and a mask of the points whose two nearest centers
    are at exactly the same distance: a point settled by its bounds has a strict margin, a point that
    gets all k distances is tied when its two smallest are equal. ``tied``: an (n,) bool array to
    write the mask into (e.g. a slice of a larger one), else a new one."""
    tied = np.zeros(len(points), np.bool_) if tied is None else tied
    shift_and_verify(points, centers, labels, upper, lower, np.zeros(len(centers)), 0, 0.0, tied)
    return tied


def hamerly_lloyd(points, weights, centers, labels, upper, lower, max_iter, threshold, state=None):
    """Weighted Lloyd with Hamerly's bounds from a labelling with valid bounds (all updated in place).

    Iteration: centers := weighted means (an empty cluster is re-seeded instead), then labels :=
    nearest. Stops when no label changes, after ``max_iter`` iterations, or once an update lowers the
    objective by less than ``threshold``. Returns the number of iterations. ``state``: a
    :func:`near_state` of these centers to go on with and leave in step with them, else one of its own.
    (``colorlab._engine.kmeans.hamerly_lloyd`` runs the same iteration with the points split over threads.)
    """
    points, weights = _points(points), _in(weights, np.float64)
    centers = _updated(centers, np.float64, "centers")
    labels, upper, lower = _bounds(labels, upper, lower)
    state = None if state is None else _updated(state, np.float64, "state")
    n_iter = _C.hamerly_lloyd(_ptr(points), _ptr(weights), points.shape[0], _ptr(centers), centers.shape[0],
                              _ptr(labels), _ptr(upper), _ptr(lower), int(max_iter), float(threshold),
                              None if state is None else _ptr(state))
    _memory(n_iter)
    return n_iter


def lloyd(points, weights, centers, max_iter, tol):
    """Weighted Lloyd from ``centers`` until no label changes, ``max_iter`` iterations, or an update
    lowers the objective by less than ``tol`` times the objective at the start (the same iterations
    as a plain Lloyd, with Hamerly's bounds). Returns (centers, labels, objective); ``centers`` is not
    modified."""
    points, weights = _points(points), _in(weights, np.float64)
    centers = _points(centers, "centers").copy()
    labels = np.empty(points.shape[0], np.intp)
    error = _C.lloyd(_ptr(points), _ptr(weights), points.shape[0], _ptr(centers), centers.shape[0], int(max_iter),
                     float(tol), _ptr(labels))
    if np.isnan(error):
        raise MemoryError("colorlab's engine ran out of memory")
    return centers, labels, error


def plain_lloyd(points, weights, centers, n_iter):
    """``n_iter`` weighted Lloyd iterations without bounds (labels := nearest by all k distances,
    centers := weighted means; an empty cluster is re-seeded). Cheaper than :func:`lloyd` while most
    labels still change, as in the first iterations from a k-means++ start.
    Returns (centers, objective); ``centers`` is not modified."""
    points, weights = _points(points), _in(weights, np.float64)
    centers = _points(centers, "centers").copy()
    error = _C.plain_lloyd(_ptr(points), _ptr(weights), points.shape[0], _ptr(centers), centers.shape[0], int(n_iter))
    if np.isnan(error):
        raise MemoryError("colorlab's engine ran out of memory")
    return centers, error


def bounds_from_cells(points, cell, cell_means, cell_labels, cell_upper, cell_lower, out=None):
    """Labels and Hamerly bounds of points from their cells': |x - c| <= |m - c| + |x - m|
    (into ``out``, three arrays (labels, upper, lower), if given)."""
    points, cell_means = _points(points), _points(cell_means, "cell means")
    cell, cell_labels = _in(cell, np.intp), _in(cell_labels, np.intp)
    cell_upper, cell_lower = _in(cell_upper, np.float64), _in(cell_lower, np.float64)
    n = points.shape[0]
    if out is None:
        labels, upper, lower = np.empty(n, np.intp), np.empty(n), np.empty(n)
    else:
        labels, upper, lower = _bounds(*out)
        if not labels.shape == upper.shape == lower.shape == (n,):
            raise ValueError(f"bounds_from_cells: {n} points but out of shapes {[a.shape for a in out]}")
    _C.bounds_from_cells(_ptr(points), n, _ptr(cell), _ptr(cell_means), _ptr(cell_labels), _ptr(cell_upper),
                         _ptr(cell_lower), _ptr(labels), _ptr(upper), _ptr(lower))
    return labels, upper, lower


# -- seeding --------------------------------------------------------------------------------------

def kmeans_plusplus(points, weights, first_u, trial_u):
    """Greedy weighted k-means++ (Arthur & Vassilvitskii 2007; several trials per step as scikit-learn)
    on (n, 3) points.

    ``first_u`` (a uniform number in [0, 1)) picks the first center with probability proportional to
    the weights; row s of ``trial_u`` ((k - 1, trials) uniforms) picks that many candidates for center
    s + 1 with probability proportional to weight x squared distance to the chosen centers, and the
    candidate that lowers the weighted potential most is kept. ``points`` must hold at least k
    distinct rows. Returns the (k, 3) chosen points.
    """
    points, weights, trial_u = _points(points), _in(weights, np.float64), _in(trial_u, np.float64)
    k = trial_u.shape[0] + 1
    out = np.empty((k, 3))
    _memory(_C.kmeans_plusplus(_ptr(points), _ptr(weights), points.shape[0], float(first_u), _ptr(trial_u), k,
                               trial_u.shape[1] if trial_u.ndim == 2 else 0, _ptr(out)))
    return out


# -- warm starts (a sweep over k: colorlab.sweep) ---------------------------------------------------

def own_sqdist(points, centers, labels):
    """Squared distance of each point to its own center (the plain formula)."""
    points, centers, labels = _points(points), _points(centers, "centers"), _in(labels, np.intp)
    out = np.empty(points.shape[0])
    _C.own_sqdist(_ptr(points), points.shape[0], _ptr(centers), _ptr(labels), _ptr(out))
    return out


def greedy_candidate(points, weights, closest, trial_u):
    """One greedy k-means++ step from a clustering: ``trial_u.size`` candidates drawn with probability
    proportional to weight x ``closest`` (squared distance to the nearest center), the one that lowers
    the weighted potential most is returned (its index; ties to the first drawn). ``closest`` is
    updated in place to include the chosen point."""
    points, weights, trial_u = _points(points), _in(weights, np.float64), _in(trial_u, np.float64).ravel()
    closest = _updated(closest, np.float64, "closest")
    chosen = _C.greedy_candidate(_ptr(points), _ptr(weights), points.shape[0], _ptr(closest), _ptr(trial_u),
                                 trial_u.size)
    _memory(chosen)
    return chosen


def insert_center(points, centers, labels, upper, lower):
    """The last row of ``centers`` is new: give it the points strictly nearer to it than to their own
    center (ties stay with the lower index) and keep the Hamerly bounds valid (all in place).
    Returns how many points moved to it."""
    points, centers = _points(points), _points(centers, "centers")
    labels, upper, lower = _bounds(labels, upper, lower)
    return _C.insert_center(_ptr(points), points.shape[0], _ptr(centers), centers.shape[0], _ptr(labels),
                            _ptr(upper), _ptr(lower))


def squared_error(colors, palette, labels, counts):
    """sum(count x |color - palette[label]|**2) over uint8 colors, in integers (exact)."""
    colors, palette = _in(colors, np.uint8), _in(palette, np.uint8)
    labels, counts = _in(labels, np.intp), _in(counts, np.int64)
    return _C.squared_error(_ptr(colors), colors.shape[0], _ptr(palette), _ptr(labels), _ptr(counts))


def ciede2000_to_palette(lab, palette_lab, labels, which, out):
    """out[i] := CIEDE2000 of lab[i] and palette_lab[labels[i]] for every i in ``which`` (in place)."""
    lab, palette_lab = _points(lab, "Lab colors"), _points(palette_lab, "palette Lab colors")
    labels, which = _in(labels, np.intp), _in(which, np.intp)
    out = _updated(out, np.float64, "out")
    _C.ciede2000_to_palette(_ptr(lab), _ptr(palette_lab), _ptr(labels), _ptr(which), which.size, _ptr(out))


def pcg64_doubles(state: np.ndarray, n: int):
    """n uniform doubles of numpy's PCG64 from ``state`` ((4,) uint64: state high, low, increment high,
    low), which advances; None where the library was built without 128-bit integers."""
    state = _updated(state, np.uint64, "state")
    out = np.empty(n, np.float64)
    return None if _C.pcg64_doubles(_ptr(state), _ptr(out), n) else out


# -- error diffusion ------------------------------------------------------------------------------

#: diffuse() flags: odd rows right to left; pngquant-like limits; Pillow's integer arithmetic.
SERPENTINE, LIMITS, PILLOW = 1, 2, 4


def _sorted_palette(palette):
    """The palette ordered by its first coordinate (ties by index) and each entry's index, for the C search."""
    order = np.argsort(palette[:, 0], kind="stable").astype(np.intp)
    return _in(palette[order], np.float64), order


def diffuse(values, palette, strength=1.0, *, distinct=None, shape=None, codes=None, edge=np.inf, quiet2=0.0,
            max2=np.inf, flags=SERPENTINE, bands=None):
    """Floyd-Steinberg palette indices ((H, W) uint8, uint16 from 257 palette colors) of an image, palette (k, 3)
    float64 (at most 65,536 colors).

    ``values``: the (H, W, 3) float64 coordinates of the pixels, or with ``distinct`` ((n,) uint32, the sorted
    codes of the image's distinct colors), ``codes`` ((H * W,) uint32, every pixel's code, each one among
    ``distinct``) and ``shape`` ((H, W)) the (n, 3) coordinates of the distinct colors, pixel p's being those
    of its code's rank in ``distinct``. Distances and the diffused error are in the coordinates given (any
    color space). With the ``LIMITS`` flag: ``codes`` (or None) and ``edge`` give each pixel's edge weight
    on the incoming error (:func:`edge_weights`), ``quiet2`` and ``max2`` the squared error below which
    nothing is diffused, above which it is cut; see engine.c. ``bands``: (first, kept, end) row numbers, each
    band diffused on its own from row first with no error from above, its labels kept from row kept to
    end - 1 (the kept rows must cover the image once); the bands run on the engine's threads. Default: the
    whole image as one band.
    """
    values = _in(values, np.float64)
    if distinct is None:
        if values.ndim != 3 or values.shape[2] != 3:
            raise ValueError(f"diffuse needs an (H, W, 3) image, got shape {values.shape}")
        height, width = values.shape[:2]
        values = values.reshape(-1, 3)
        bits = rank = None
    else:
        height, width = shape
        values = _points(values, "values")
        distinct = _in(distinct, np.uint32)
        if codes is None or distinct.shape != (len(values),):
            raise ValueError(f"diffuse needs the pixels' codes and one distinct code per value ({len(values)})")
        bits = mark_codes(distinct)
        rank = bitmap_ranks(bits)[0]
    if codes is not None:
        codes = _in(codes, np.uint32)
        if codes.shape != (height * width,):
            raise ValueError(f"diffuse needs one code per pixel ({height * width}), got shape {codes.shape}")
    palette = _points(palette, "palette")
    sorted_palette, order = _sorted_palette(palette)
    bands = [(0, 0, height)] if bands is None else [tuple(int(row) for row in band) for band in bands]
    if sorted(row for band in bands for row in range(band[1], band[2])) != list(range(height)) \
            or any(not 0 <= first <= kept <= end <= height for first, kept, end in bands):
        raise ValueError(f"diffuse: bands {bands} must be first <= kept <= end, the kept rows each of 0..{height - 1} once")
    if palette.shape[0] > 1 << 16:
        raise ValueError(f"diffuse: at most {1 << 16} palette colors, got {palette.shape[0]}")
    labels = np.empty((height, width), np.uint8 if palette.shape[0] <= 256 else np.uint16)

    def run(group):
        rows = np.ascontiguousarray(group, dtype=np.intp).reshape(-1)
        return _C.diffuse(_ptr(values), values.shape[0], None if bits is None else _ptr(bits),
                          None if rank is None else _ptr(rank), None if codes is None else _ptr(codes), height,
                          width, _ptr(palette), palette.shape[0],
                          _ptr(sorted_palette), _ptr(order), float(strength), float(edge), float(quiet2), float(max2),
                          int(flags), _ptr(rows), len(group), _ptr(labels))

    # two bands on one thread are diffused in turn, pixel by pixel (engine.c): with at least twice as many
    # bands as threads, each thread takes them two at a time; the labels are the same either way
    pairs = len(bands) >= 2 * threads.THREADS
    groups = [bands[i:i + 2] for i in range(0, len(bands), 2)] if pairs else [[band] for band in bands]
    for status in threads.map_threads(run, groups):
        _memory(status)
    return labels


def nearest_others(points):
    """Each of the (k, 3) points' squared distance to its nearest other point ((k,) float64, inf when k = 1),
    added as numpy's ``((p[:, None] - p[None]) ** 2).sum(-1)`` adds it."""
    points = _points(points)
    out = np.empty(points.shape[0])
    _C.nearest_others(_ptr(points), points.shape[0], _ptr(out))
    return out


def grid_labels(points, palette, box=None):
    """Each point's nearest palette color by diffuse()'s search ((n,) intp; ties to the lowest index).

    ``box``: (2, 3) low and high corners the grid covers besides the palette (points outside take the
    sorted search); None: the points' range.
    """
    points, palette = _points(points), _points(palette, "palette")
    sorted_palette, order = _sorted_palette(palette)
    box = None if box is None else _in(box, np.float64).reshape(6)
    labels = np.empty(points.shape[0], np.intp)
    _memory(_C.grid_labels(_ptr(points), points.shape[0], _ptr(palette), palette.shape[0], _ptr(sorted_palette),
                           _ptr(order), None if box is None else _ptr(box), _ptr(labels)))
    return labels


def edge_weights(codes, height, width, edge, rows=None, out=None):
    """(H, W) float64 edge weights of an image's (H * W,) uint32 codes (rows [a, b) of ``out`` if given)."""
    codes = _in(codes, np.uint32)
    if codes.shape != (height * width,):
        raise ValueError(f"edge_weights needs one code per pixel ({height * width}), got shape {codes.shape}")
    out = np.empty((height, width)) if out is None else _updated(out, np.float64, "out")
    first, last = (0, height) if rows is None else rows
    _memory(_C.edge_weights(_ptr(codes), height, width, first, last, float(edge), _ptr(out)))
    return out


# -- PNG row filters (colorlab.io's reader of ordinary 8-bit PNGs) ---------------------------------

#: Images of at least this many bytes are unfiltered on the engine's threads (1 MiB: 0.35 MP of RGB; a
#: 9.8-megapixel photo's Paeth rows take about 60 ms on one thread).
UNFILTER_SPLIT_BYTES = 1 << 20


def png_unfilter(raw, height: int, row_bytes: int, bpp: int, out=None):
    """The (height, row_bytes) uint8 rows of an inflated PNG image with its row filters undone (into ``out``,
    any writable C-contiguous uint8 array of that many bytes, if given).

    ``raw``: uint8, ``height`` rows of a filter-type byte and ``row_bytes`` filtered bytes; ``bpp``: bytes
    a pixel, 1 to 8, dividing ``row_bytes``. ValueError for a wrong size or an unknown filter type (a
    corrupt file).
    """
    raw = _in(raw, np.uint8)
    if not 1 <= bpp <= 8 or row_bytes % bpp or raw.size != height * (row_bytes + 1):
        raise ValueError(f"png_unfilter: {raw.size} bytes are not {height} rows of 1 + {row_bytes} (bpp {bpp})")
    rows = np.empty((height, row_bytes), np.uint8) if out is None else _updated(out, np.uint8, "out")
    if rows.size != height * row_bytes:
        raise ValueError(f"png_unfilter: room for {rows.size} bytes, not {height} x {row_bytes}")
    if rows.size < UNFILTER_SPLIT_BYTES or threads.THREADS == 1:
        status = _C.png_unfilter(_ptr(raw), height, row_bytes, bpp, _ptr(rows))
    else:  # the threads take rows in turn, each a piece behind the row above (engine.c): the same bytes
        state = np.zeros(2 + height, np.int64)
        status = min(threads.map_threads(
            lambda _: _C.png_unfilter_shared(_ptr(raw), height, row_bytes, bpp, _ptr(rows), _ptr(state)),
            range(threads.THREADS)))
    if status < 0:
        raise ValueError("png_unfilter: a row has an unknown filter type (the file is corrupt)")
    return rows


# -- deflate streams compressed in pieces (colorlab.io's PNG writer) -----------------------------

def deflate_blocks(stream) -> tuple[int, int]:
    """``(last_header, end)`` of a raw deflate stream (bytes-like): the bit offset of its final block's header and
    the bit offset just after that block, counting from the first byte's least significant bit.

    ValueError for a stream that is corrupt or ends early.
    """
    data = np.frombuffer(stream, np.uint8)
    header, end = _N(), _N()
    if _C.deflate_blocks(_ptr(data), data.size, ctypes.byref(header), ctypes.byref(end)) < 0:
        raise ValueError("deflate_blocks: the stream is corrupt or ends early")
    return header.value, end.value
