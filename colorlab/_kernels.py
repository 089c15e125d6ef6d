"""Compiled loops (numba) for the k-means engine in ``colorlab._kmeans``.

Private module. Hand-written because they are measurably faster than the numpy code they replace
(benchmarks/README.md, "numba kernels"): the numpy engine spent its time in per-iteration Python and
array-pass bookkeeping (Hamerly bounds, chunked BLAS assignment, re-checking close calls) and in
sorting for the distinct colors; here each of those is one pass in a compiled loop.

Distances are the plain formula ``dx*dx + dy*dy + dz*dz``, accumulated in that order in float64,
exactly what numpy's ``((x - c) ** 2).sum(-1)`` computes, and the nearest center is the first of
the smallest (ties to the lowest index), so labels equal a straightforward numpy Lloyd's bit for
bit. No ``fastmath``, no ``parallel``: results do not depend on the machine's cores or the JIT cache.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Hamerly bounds must beat the competing bound by this much (in distance units, colors on 0..255).
SLACK = 1e-6
#: Buckets of the distinct-color counting sort: codes grouped by their top 12 bits.
_LOW_BITS = 12


# -- distinct colors ------------------------------------------------------------------------------

@njit(cache=True, nogil=True)
def pack_rgb(pixels):
    """(N, 3) uint8 -> (N,) uint32 codes ``r << 16 | g << 8 | b``."""
    codes = np.empty(pixels.shape[0], np.uint32)
    for i in range(pixels.shape[0]):
        codes[i] = (np.uint32(pixels[i, 0]) << 16) | (np.uint32(pixels[i, 1]) << 8) | np.uint32(pixels[i, 2])
    return codes


@njit(cache=True, nogil=True)
def _grown(array, used, size):
    bigger = np.empty(size, array.dtype)
    bigger[:used] = array[:used]
    return bigger


@njit(cache=True, nogil=True)
def code_counts(codes):
    """Sorted distinct values of uint32 color codes (< 2**24) and how often each occurs.

    A counting sort on the top 12 bits (4,096 buckets), then, per bucket, a 4,096-entry count
    table for the low 12 bits that stays in cache: O(N), no comparison sort of the pixels.
    """
    n_buckets = 1 << (24 - _LOW_BITS)
    n_low = 1 << _LOW_BITS
    start = np.zeros(n_buckets + 1, np.int64)
    for c in codes:
        if c >= 1 << 24:
            raise ValueError("color codes must be below 2**24")
        start[(c >> _LOW_BITS) + 1] += 1
    for b in range(n_buckets):
        start[b + 1] += start[b]
    fill = start[:-1].copy()
    low = np.empty(codes.size, np.uint16)
    for c in codes:
        b = c >> _LOW_BITS
        low[fill[b]] = c & (n_low - 1)
        fill[b] += 1
    table = np.zeros(n_low, np.int64)
    seen = np.empty(n_low, np.int64)
    distinct = np.empty(min(codes.size, 1 << 16), np.uint32)  # grown as needed (memory: not N)
    counts = np.empty(distinct.size, np.int64)
    m = 0
    for b in range(n_buckets):
        if m + n_low > distinct.size:  # room for a whole bucket
            size = min(2 * distinct.size + n_low, 1 << 24)
            distinct, counts = _grown(distinct, m, size), _grown(counts, m, size)
        n_seen = 0
        for p in range(start[b], start[b + 1]):
            v = low[p]
            if table[v] == 0:
                seen[n_seen] = v
                n_seen += 1
            table[v] += 1
        if n_seen == 0:
            continue
        if n_seen > 256:  # many: scanning the table in order is cheaper than sorting them
            n_seen = 0
            for v in range(n_low):
                if table[v]:
                    seen[n_seen] = v
                    n_seen += 1
        else:
            seen[:n_seen].sort()
        for s in range(n_seen):
            v = seen[s]
            distinct[m] = (b << _LOW_BITS) | v
            counts[m] = table[v]
            table[v] = 0
            m += 1
    return distinct[:m].copy(), counts[:m].copy()


@njit(cache=True, nogil=True)
def cells(colors, coords, weights, bits):
    """Group uint8 colors into cells of ``bits`` per channel, numbered in code order.

    Returns (cell of each color, (m, d) weighted mean coordinates of each cell, (m,) cell weights).
    """
    shift = 8 - bits
    n = colors.shape[0]
    code = np.empty(n, np.intp)
    number = np.zeros(1 << (3 * bits), np.intp)
    for i in range(n):
        code[i] = ((colors[i, 0] >> shift) << (2 * bits)) | ((colors[i, 1] >> shift) << bits) | (colors[i, 2] >> shift)
        number[code[i]] = 1
    m = 0
    for c in range(number.size):
        if number[c]:
            number[c] = m
            m += 1
    cell = np.empty(n, np.intp)
    mass = np.zeros(m)
    means = np.zeros((m, coords.shape[1]))
    for i in range(n):
        j = number[code[i]]
        cell[i] = j
        mass[j] += weights[i]
        for t in range(coords.shape[1]):
            means[j, t] += coords[i, t] * weights[i]
    for j in range(m):
        means[j] /= mass[j]
    return cell, means, mass


# -- nearest centers ------------------------------------------------------------------------------

@njit(cache=True, nogil=True)
def _sqdist(points, i, centers, j):
    total = 0.0
    for t in range(points.shape[1]):
        diff = points[i, t] - centers[j, t]
        total += diff * diff
    return total


@njit(cache=True, nogil=True)
def _columns(centers):
    """Centers as three contiguous coordinate columns (the distance loop below vectorises over them)."""
    return centers[:, 0].copy(), centers[:, 1].copy(), centers[:, 2].copy()


@njit(cache=True, nogil=True)
def _distances(points, i, cx, cy, cz, out):
    """Squared distances of point i to every center, the plain formula, into ``out``."""
    x, y, z = points[i, 0], points[i, 1], points[i, 2]
    for j in range(cx.size):
        dx = x - cx[j]
        dy = y - cy[j]
        dz = z - cz[j]
        out[j] = dx * dx + dy * dy + dz * dz


@njit(cache=True, nogil=True)
def _two_smallest(d):
    """(index of the first smallest, smallest, second smallest) of d (inf when there is none)."""
    label, best, second = 0, np.inf, np.inf
    for j in range(d.size):
        if d[j] < best:
            label, best, second = j, d[j], best
        elif d[j] < second:
            second = d[j]
    return label, best, second


@njit(cache=True, nogil=True)
def nearest(points, centers):
    """Index of the nearest center of each point ((n, 3) and (k, 3) float64), ties to the lowest.

    All k distances per point: a branch-free loop the compiler vectorises beats skipping centers
    by the triangle inequality (kodim05's 63,558 colors, k=64: 2.8 ms vs 4.2 ms; k=4: 0.4 vs 1.7).
    """
    cx, cy, cz = _columns(centers)
    d = np.empty(cx.size)
    labels = np.empty(points.shape[0], np.intp)
    for i in range(points.shape[0]):
        _distances(points, i, cx, cy, cz, d)
        best = 0
        for j in range(1, d.size):
            if d[j] < d[best]:
                best = j
        labels[i] = best
    return labels


@njit(cache=True, nogil=True)
def nearest_two(points, centers):
    """Labels and distances (not squared) to the nearest and second nearest center of each point."""
    n = points.shape[0]
    cx, cy, cz = _columns(centers)
    d = np.empty(cx.size)
    labels = np.empty(n, np.intp)
    first = np.empty(n)
    second = np.empty(n)
    for i in range(n):
        _distances(points, i, cx, cy, cz, d)
        label, best, runner_up = _two_smallest(d)
        labels[i], first[i], second[i] = label, np.sqrt(best), np.sqrt(runner_up)
    return labels, first, second


# -- weighted Lloyd -------------------------------------------------------------------------------

@njit(cache=True, nogil=True)
def _totals(points, weights, labels, k):
    """Per-cluster weight and weighted coordinate sums, from scratch."""
    mass = np.zeros(k)
    sums = np.zeros((k, points.shape[1]))
    for i in range(points.shape[0]):
        j = labels[i]
        mass[j] += weights[i]
        for t in range(points.shape[1]):
            sums[j, t] += weights[i] * points[i, t]
    return mass, sums


@njit(cache=True, nogil=True)
def _reseed_empty(points, weights, centers, mass):
    """Put each empty cluster's center on the point with the largest weighted error (in place)."""
    labels, up, _ = nearest_two(points, centers)
    error = weights * up**2
    worst = np.argsort(-error, kind="mergesort")  # stable: ties to the lowest index
    n_empty = 0
    for j in range(centers.shape[0]):
        if mass[j] <= 0:
            centers[j] = points[worst[n_empty]]
            n_empty += 1


@njit(cache=True, nogil=True)
def lloyd(points, weights, centers, max_iter):
    """Weighted Lloyd from ``centers`` until no label changes or ``max_iter`` iterations (the same
    iterations as a plain Lloyd, with Hamerly's bounds). Returns (centers, labels, objective);
    ``centers`` is not modified."""
    centers = centers.copy()
    labels, upper, lower = nearest_two(points, centers)
    hamerly_lloyd(points, weights, centers, labels, upper, lower, max_iter, 0.0)
    objective = 0.0
    for i in range(points.shape[0]):
        objective += weights[i] * _sqdist(points, i, centers, labels[i])
    return centers, labels, objective


@njit(cache=True, nogil=True)
def bounds_from_cells(points, cell, cell_means, cell_labels, cell_upper, cell_lower):
    """Labels and Hamerly bounds of points from their cells': |x - c| <= |m - c| + |x - m|."""
    n = points.shape[0]
    labels = np.empty(n, np.intp)
    upper = np.empty(n)
    lower = np.empty(n)
    for i in range(n):
        j = cell[i]
        offset = np.sqrt(_sqdist(points, i, cell_means, j))
        labels[i] = cell_labels[j]
        upper[i] = cell_upper[j] + offset
        lower[i] = cell_lower[j] - offset
    return labels, upper, lower


@njit(cache=True, nogil=True)
def verify(points, centers, labels, upper, lower):
    """Re-check every label against Hamerly's bounds (in place); returns how many labels changed.

    A point is skipped when its upper bound (distance to its own center) is below both its lower
    bound (distance to the second nearest) and half the gap to the nearest other center, less
    :data:`SLACK`; otherwise its own distance is recomputed, and if that is not enough, all.
    """
    k = centers.shape[0]
    cx, cy, cz = _columns(centers)
    d = np.empty(k)
    half = np.full(k, np.inf)  # half the distance from each center to the nearest other one
    for a in range(k):
        for b in range(k):
            if a != b:
                half[a] = min(half[a], 0.5 * np.sqrt(_sqdist(centers, a, centers, b)))
    changed = 0
    for i in range(points.shape[0]):
        own = labels[i]
        bound = max(half[own], lower[i]) - SLACK
        if upper[i] <= bound:
            continue
        upper[i] = np.sqrt(_sqdist(points, i, centers, own))
        if upper[i] <= bound:
            continue
        _distances(points, i, cx, cy, cz, d)
        label, best, second = _two_smallest(d)
        changed += label != own
        labels[i], upper[i], lower[i] = label, np.sqrt(best), np.sqrt(second)
    return changed


@njit(cache=True, nogil=True)
def hamerly_lloyd(points, weights, centers, labels, upper, lower, max_iter, threshold):
    """Weighted Lloyd with Hamerly's bounds from a labelling with valid bounds (all updated in place).

    Iteration: centers := weighted means (an empty cluster is re-seeded instead), then labels :=
    nearest. Stops when no label changes, after ``max_iter`` iterations, or once an update lowers
    the objective by less than ``threshold``. Returns the number of iterations.
    """
    k = centers.shape[0]
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        mass, sums = _totals(points, weights, labels, k)
        if (mass <= 0).any():
            _reseed_empty(points, weights, centers, mass)
            new_labels, new_upper, new_lower = nearest_two(points, centers)
            labels[:] = new_labels
            upper[:] = new_upper
            lower[:] = new_lower
            continue
        shift = np.empty(k)
        gain = 0.0
        for j in range(k):
            new = sums[j] / mass[j]
            shift[j] = np.sqrt(((new - centers[j]) ** 2).sum())
            gain += mass[j] * shift[j] ** 2
            centers[j] = new
        top = shift.argmax()
        runner_up = max(shift[:top].max() if top > 0 else 0.0, shift[top + 1 :].max() if top < k - 1 else 0.0)
        for i in range(points.shape[0]):
            upper[i] += shift[labels[i]]
            lower[i] -= runner_up if labels[i] == top else shift[top]
        if verify(points, centers, labels, upper, lower) == 0 or gain < threshold:
            break
    return n_iter
