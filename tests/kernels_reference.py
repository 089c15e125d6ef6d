"""colorlab's engine kernels (``colorlab/_engine/engine.c``) as plain Python and numpy: the reference the
compiled library is checked against, bit for bit (tests/engine/test_kmeans_engine.py).

Slow (Python loops over every point): for small inputs in tests only. This is the numba source the
engine ran until the loops moved to C (numba's import and kernel loading cost about 1 s per
process); every arithmetic step is in the order the C code follows, so the two give identical floats.
The exception is CIEDE2000 (``ciede2000_to_palette``), which is ``colorlab.metrics.ciede2000`` itself:
the C kernel follows its formula one color at a time and agrees to the last bits (libm's cos and atan2).
"""

from __future__ import annotations

import numpy as np

#: Hamerly bounds must beat the competing bound by this much (in distance units, colors on 0..255).
SLACK = 1e-6
#: Buckets of the distinct-color counting sort: codes grouped by their top 12 bits.
_LOW_BITS = 12


# -- distinct colors ------------------------------------------------------------------------------

def pack_rgb(pixels):
    """(N, 3) uint8 -> (N,) uint32 codes ``r << 16 | g << 8 | b``."""
    codes = np.empty(pixels.shape[0], np.uint32)
    for i in range(pixels.shape[0]):
        codes[i] = (np.uint32(pixels[i, 0]) << 16) | (np.uint32(pixels[i, 1]) << 8) | np.uint32(pixels[i, 2])
    return codes


def _grown(array, used, size):
    bigger = np.empty(size, array.dtype)
    bigger[:used] = array[:used]
    return bigger


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


def cells(colors, coords, weights, bits):
    """Group uint8 colors into cells of ``bits`` per channel, numbered in code order.

    Returns (cell of each color, (m, d) weighted mean coordinates of each cell, (m,) cell weights).
    """
    shift = 8 - bits
    n = colors.shape[0]
    code = np.empty(n, np.intp)
    number = np.zeros(1 << (3 * bits), np.intp)
    for i in range(n):
        r, g, b = int(colors[i, 0]), int(colors[i, 1]), int(colors[i, 2])  # Python ints: uint8 << 6 would wrap
        code[i] = ((r >> shift) << (2 * bits)) | ((g >> shift) << bits) | (b >> shift)
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

def _sqdist(points, i, centers, j):
    total = 0.0
    for t in range(points.shape[1]):
        diff = points[i, t] - centers[j, t]
        total += diff * diff
    return total


def _columns(centers):
    """Centers as three contiguous coordinate columns (the distance loop below vectorises over them)."""
    return centers[:, 0].copy(), centers[:, 1].copy(), centers[:, 2].copy()


def _distances(points, i, cx, cy, cz, out):
    """Squared distances of point i to every center, the plain formula, into ``out``."""
    x, y, z = points[i, 0], points[i, 1], points[i, 2]
    for j in range(cx.size):
        dx = x - cx[j]
        dy = y - cy[j]
        dz = z - cz[j]
        out[j] = dx * dx + dy * dy + dz * dz


def _two_smallest(d):
    """(index of the first smallest, smallest, second smallest) of d (inf when there is none)."""
    label, best, second = 0, np.inf, np.inf
    for j in range(d.size):  # selects rather than branches (no mispredictions)
        value = d[j]
        closer = value < best
        second = best if closer else min(value, second)
        best = value if closer else best
        label = j if closer else label
    return label, best, second


def nearest_any(points, centers):
    """Index of the nearest center of each point in any number of coordinates, ties to the lowest; the
    squared differences added in coordinate order."""
    labels = np.empty(points.shape[0], np.intp)
    for i in range(points.shape[0]):
        best, best_j = np.inf, 0
        for j in range(centers.shape[0]):
            total = 0.0
            for t in range(points.shape[1]):
                u = float(points[i, t]) - float(centers[j, t])
                total += u * u
            if total < best:
                best, best_j = total, j
        labels[i] = best_j
    return labels


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
        labels[i] = _first_smallest(d)
    return labels


def _first_smallest(d):
    """Index of the first smallest value of d, by selects rather than branches (no mispredictions)."""
    best, smallest = 0, d[0]
    for j in range(1, d.size):
        closer = d[j] < smallest
        smallest = d[j] if closer else smallest
        best = j if closer else best
    return best


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

def totals(points, weights, labels, k):
    """Per-cluster weight and weighted coordinate sums, from scratch."""
    mass = np.zeros(k)
    sums = np.zeros((k, points.shape[1]))
    for i in range(points.shape[0]):
        j = labels[i]
        mass[j] += weights[i]
        for t in range(points.shape[1]):
            sums[j, t] += weights[i] * points[i, t]
    return mass, sums


def reseed_empty(points, weights, centers, mass):
    """Put each empty cluster's center on the point with the largest weighted error (in place)."""
    labels, up, _ = nearest_two(points, centers)
    error = weights * up**2
    worst = np.argsort(-error, kind="mergesort")  # stable: ties to the lowest index
    n_empty = 0
    for j in range(centers.shape[0]):
        if mass[j] <= 0:
            centers[j] = points[worst[n_empty]]
            n_empty += 1


def lloyd(points, weights, centers, max_iter, tol):
    """Weighted Lloyd from ``centers`` until no label changes, ``max_iter`` iterations, or an update
    lowers the objective by less than ``tol`` times the objective at the start (the same iterations
    as a plain Lloyd, with Hamerly's bounds). Returns (centers, labels, objective); ``centers`` is
    not modified."""
    centers = centers.copy()
    labels, upper, lower = nearest_two(points, centers)
    hamerly_lloyd(points, weights, centers, labels, upper, lower, max_iter, tol * weighted_squares(weights, upper))
    return centers, labels, objective(points, weights, centers, labels)


def plain_lloyd(points, weights, centers, n_iter):
    """``n_iter`` weighted Lloyd iterations without bounds (labels := nearest by all k distances,
    centers := weighted means; an empty cluster is re-seeded). Cheaper than :func:`lloyd` while
    most labels still change, as in the first iterations from a k-means++ start.
    Returns (centers, objective); ``centers`` is not modified."""
    centers = centers.copy()
    k = centers.shape[0]
    for _ in range(n_iter):
        mass, sums = totals(points, weights, nearest(points, centers), k)
        if (mass <= 0).any():
            reseed_empty(points, weights, centers, mass)
            continue
        for j in range(k):
            centers[j] = sums[j] / mass[j]
    return centers, objective(points, weights, centers, nearest(points, centers))


def weighted_squares(weights, values):
    total = 0.0
    for i in range(len(weights)):
        total += weights[i] * values[i] * values[i]
    return total


def objective(points, weights, centers, labels):
    """The k-means objective: sum of weight x squared distance to the point's center."""
    total = 0.0
    for i in range(points.shape[0]):
        total += weights[i] * _sqdist(points, i, centers, labels[i])
    return total


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


def verify(points, centers, labels, upper, lower):
    """Re-check every label against Hamerly's bounds (in place); returns how many labels changed.

    A point is skipped when its upper bound (distance to its own center) is below both its lower
    bound (distance to the second nearest) and half the gap to the nearest other center, less
    :data:`SLACK`; otherwise its own distance is recomputed, and if that is not enough, all.
    """
    return shift_and_verify(points, centers, labels, upper, lower, np.zeros(centers.shape[0]), 0, 0.0)


def move_centers(centers, mass, sums):
    """Move every center to its cluster's weighted mean (in place; no cluster may be empty).

    Returns (how far each center moved, the index of the one that moved most, the largest move
    among the others, the objective decrease sum(mass * move**2) of this update).
    """
    k = centers.shape[0]
    shift = np.empty(k)
    gain = 0.0
    for j in range(k):
        new = sums[j] / mass[j]
        shift[j] = np.sqrt(((new - centers[j]) ** 2).sum())
        gain += mass[j] * shift[j] ** 2
        centers[j] = new
    top = shift.argmax()
    runner_up = max(shift[:top].max() if top > 0 else 0.0, shift[top + 1 :].max() if top < k - 1 else 0.0)
    return shift, top, runner_up, gain


def shift_and_verify(points, centers, labels, upper, lower, shift, top, runner_up, tied=None):
    """Loosen the Hamerly bounds by the centers' moves, then re-check the labels as :func:`verify`
    does, in one pass (all in place). Returns how many labels changed. ``tied``: as :func:`verify_ties`.

    Each point is handled on its own, so a range of points (row slices of the arrays) can be
    done by another thread with the same result.
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
        upper[i] += shift[own]
        lower[i] -= runner_up if own == top else shift[top]
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
        if tied is not None:
            tied[i] = best == second
    return changed


def hamerly_lloyd(points, weights, centers, labels, upper, lower, max_iter, threshold, state=None):
    """Weighted Lloyd with Hamerly's bounds from a labelling with valid bounds (all updated in place).

    Iteration: centers := weighted means (an empty cluster is re-seeded instead), then labels :=
    nearest. Stops when no label changes, after ``max_iter`` iterations, or once an update lowers
    the objective by less than ``threshold``. Returns the number of iterations.
    (``colorlab._engine.kmeans.hamerly_lloyd`` runs the same iteration with the points split over threads.)
    ``state``: the kernel's neighbour lists; this reference keeps none, so it marks them to be built again.
    """
    if state is not None:
        state[:] = 0.0
    k = centers.shape[0]
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        mass, sums = totals(points, weights, labels, k)
        if (mass <= 0).any():
            reseed_empty(points, weights, centers, mass)
            new_labels, new_upper, new_lower = nearest_two(points, centers)
            labels[:] = new_labels
            upper[:] = new_upper
            lower[:] = new_lower
            continue
        shift, top, runner_up, gain = move_centers(centers, mass, sums)
        if shift_and_verify(points, centers, labels, upper, lower, shift, top, runner_up) == 0 or gain < threshold:
            break
    return n_iter


# -- seeding --------------------------------------------------------------------------------------

def _closer(points, center, closest, out):
    """out := the smaller of ``closest`` and the squared distance of each point to ``center`` (3 coordinates)."""
    x, y, z = center[0], center[1], center[2]
    for i in range(points.shape[0]):
        dx = points[i, 0] - x
        dy = points[i, 1] - y
        dz = points[i, 2] - z
        d = dx * dx + dy * dy + dz * dz
        out[i] = d if d < closest[i] else closest[i]


def _dot4(a, b):
    """sum(a * b) in four interleaved running sums (i % 4), added as (s0 + s1) + (s2 + s3): four
    independent chains of additions run about 3x faster than one, and the order stays fixed."""
    s0 = s1 = s2 = s3 = 0.0
    n4 = a.size - a.size % 4
    for i in range(0, n4, 4):
        s0 += a[i] * b[i]
        s1 += a[i + 1] * b[i + 1]
        s2 += a[i + 2] * b[i + 2]
        s3 += a[i + 3] * b[i + 3]
    for i in range(n4, a.size):
        s0 += a[i] * b[i]
    return (s0 + s1) + (s2 + s3)


def kmeans_plusplus(points, weights, first_u, trial_u):
    """Greedy weighted k-means++, as ``colorlab._engine.kernels.kmeans_plusplus`` describes it."""
    n = points.shape[0]
    k = trial_u.shape[0] + 1
    n_trials = trial_u.shape[1]
    cumulative = np.cumsum(weights)
    chosen = np.empty(k, np.intp)
    chosen[0] = min(np.searchsorted(cumulative, first_u * cumulative[-1], side="right"), n - 1)
    closest = np.full(n, np.inf)
    _closer(points, points[chosen[0]], closest, closest)
    trial = np.empty(n)
    best_trial = np.empty(n)
    for step in range(1, k):
        total = 0.0
        for i in range(n):
            total += weights[i] * closest[i]
            cumulative[i] = total
        best_potential = np.inf
        for t in range(n_trials):
            candidate = min(np.searchsorted(cumulative, trial_u[step - 1, t] * total, side="right"), n - 1)
            _closer(points, points[candidate], closest, trial)
            potential = _dot4(weights, trial)
            if potential < best_potential:
                best_potential = potential
                chosen[step] = candidate
                best_trial[:] = trial
        closest[:] = best_trial
    out = np.empty((k, points.shape[1]))
    for j in range(k):
        out[j] = points[chosen[j]]
    return out


# -- warm starts (a sweep over k: colorlab.sweep) ---------------------------------------------------

def own_sqdist(points, centers, labels):
    """Squared distance of each point to its own center (the plain formula)."""
    out = np.empty(points.shape[0])
    for i in range(points.shape[0]):
        out[i] = _sqdist(points, i, centers, labels[i])
    return out


def greedy_candidate(points, weights, closest, trial_u):
    """One greedy k-means++ step from a clustering: ``trial_u.size`` candidates drawn with probability
    proportional to weight x ``closest`` (squared distance to the nearest center), the one that lowers
    the weighted potential most is returned (its index; ties to the first drawn). ``closest`` is
    updated in place to include the chosen point."""
    n = points.shape[0]
    cumulative = np.empty(n)
    total = 0.0
    for i in range(n):
        total += weights[i] * closest[i]
        cumulative[i] = total
    trial = np.empty(n)
    best_trial = np.empty(n)
    chosen, best_potential = 0, np.inf
    for t in range(trial_u.size):
        candidate = min(np.searchsorted(cumulative, trial_u[t] * total, side="right"), n - 1)
        _closer(points, points[candidate], closest, trial)
        potential = _dot4(weights, trial)
        if potential < best_potential:
            best_potential = potential
            chosen = candidate
            best_trial[:] = trial
    closest[:] = best_trial
    return chosen


def insert_center(points, centers, labels, upper, lower):
    """The last row of ``centers`` is new: give it the points strictly nearer to it than to their own
    center (ties stay with the lower index) and keep the Hamerly bounds valid (all in place).
    Returns how many points moved to it."""
    j = centers.shape[0] - 1
    moved = 0
    for i in range(points.shape[0]):
        d = np.sqrt(_sqdist(points, i, centers, j))
        if d < upper[i]:
            own = np.sqrt(_sqdist(points, i, centers, labels[i]))
            if d < own:
                labels[i] = j
                lower[i] = min(lower[i], own)
                upper[i] = d
                moved += 1
                continue
            upper[i] = own
        lower[i] = min(lower[i], d)
    return moved


def squared_error(colors, palette, labels, counts):
    """sum(count x |color - palette[label]|**2) over uint8 colors, in integers (exact)."""
    total = 0
    for i in range(colors.shape[0]):
        j = labels[i]
        d0 = np.int64(colors[i, 0]) - np.int64(palette[j, 0])
        d1 = np.int64(colors[i, 1]) - np.int64(palette[j, 1])
        d2 = np.int64(colors[i, 2]) - np.int64(palette[j, 2])
        total += counts[i] * (d0 * d0 + d1 * d1 + d2 * d2)
    return total


# -- CIEDE2000 (colorlab.sweep's mean ΔE): colorlab.metrics.ciede2000 itself --


def ciede2000_to_palette(lab, palette_lab, labels, which, out):
    """out[i] := CIEDE2000 of lab[i] and palette_lab[labels[i]] for every i in ``which`` (in place):
    ``colorlab.metrics.ciede2000``, the formula the compiled kernel follows one color at a time."""
    from colorlab.metrics import ciede2000

    which = np.asarray(which, np.intp)
    out[which] = ciede2000(lab[which], palette_lab[labels[which]])


def verify_ties(points, centers, labels, upper, lower):
    """:func:`verify` (labels and bounds in place), and a mask of the points whose two nearest centers
    are at exactly the same distance: a point settled by its bounds has a strict margin, a point
    that gets all k distances is tied when its two smallest are equal."""
    tied = np.zeros(points.shape[0], np.bool_)
    shift_and_verify(points, centers, labels, upper, lower, np.zeros(centers.shape[0]), 0, 0.0, tied)
    return tied


def count_cells(colors, bits):
    """How many cells of ``bits`` per channel the uint8 colors occupy (a bitmap: 256 KB at 7 bits,
    not the 2**21-entry numbering table :func:`cells` fills and scans)."""
    shift = 8 - bits
    seen = np.zeros(((1 << (3 * bits)) + 63) >> 6, np.uint64)
    m = 0
    for i in range(colors.shape[0]):
        c = ((np.int64(colors[i, 0]) >> shift) << (2 * bits)) | ((np.int64(colors[i, 1]) >> shift) << bits) \
            | (np.int64(colors[i, 2]) >> shift)
        mask = np.uint64(1) << np.uint64(c & 63)
        if not seen[c >> 6] & mask:
            seen[c >> 6] |= mask
            m += 1
    return m


# -- Wu's box cuts ----------------------------------------------------------------------------------

def wu_moments(colors, coords, weights, bits: int, want_cells: bool = True):
    """``_kernels.wu_moments`` in numpy: the cumulative moment grid ((side, side, side, 5), side = 2**bits + 1).

    Entry [r, g, b] holds, over the colors whose cell is at or below (r, g, b) on every axis (cells numbered
    from 1, so row 0 is zero), the pixel count, the three weighted coordinate sums and the weighted sum
    of squared norms; also each color's flat cell number.
    """
    side = (1 << bits) + 1
    cells = (colors >> (8 - bits)).astype(np.intp) + 1
    flat = (cells[:, 0] * side + cells[:, 1]) * side + cells[:, 2]
    moments = np.empty((side**3, 5))
    moments[:, 0] = np.bincount(flat, weights=weights, minlength=side**3)
    for axis in range(3):
        moments[:, 1 + axis] = np.bincount(flat, weights=weights * coords[:, axis], minlength=side**3)
    moments[:, 4] = np.bincount(flat, weights=weights * (coords * coords).sum(axis=1), minlength=side**3)
    table = moments.reshape(side, side, side, 5)
    for axis in range(3):
        np.cumsum(table, axis=axis, out=table)
    return table, (flat if want_cells else None)


def wu_cuts(table, k):
    """``_kernels.wu_cuts`` in numpy: Wu's box cuts of a cumulative moment grid, the same boxes and moments."""
    import heapq

    top = table.shape[0] - 1
    boxes = [np.array([0, top, 0, top, 0, top])]
    whole = _volume(table, boxes[0])
    cut = _best_cut(table, boxes[0], whole)
    heap = [(-cut[0], 0, cut[1], cut[2])] if cut[1] >= 0 else []
    moments = [whole]
    while heap and len(boxes) < k:
        _, number, axis, plane = heapq.heappop(heap)
        box = boxes[number]
        upper = box.copy()
        box[2 * axis + 1] = plane
        upper[2 * axis] = plane
        lower_moments = _volume(table, box)
        upper_moments = moments[number] - lower_moments
        moments[number] = lower_moments
        boxes.append(upper)
        moments.append(upper_moments)
        for index, part in ((number, lower_moments), (len(boxes) - 1, upper_moments)):
            gain, axis, plane = _best_cut(table, boxes[index], part)
            if axis >= 0:
                heapq.heappush(heap, (-gain, index, axis, plane))
    return np.array(boxes, np.int64), np.array(moments)


def _volume(table: np.ndarray, box) -> np.ndarray:
    """The 5 moments of a box (r0, r1, g0, g1, b0, b1): the cells r0 < r <= r1, and so on."""
    r0, r1, g0, g1, b0, b1 = box
    return (table[r1, g1, b1] - table[r1, g1, b0] - table[r1, g0, b1] + table[r1, g0, b0]
            - table[r0, g1, b1] + table[r0, g1, b0] + table[r0, g0, b1] - table[r0, g0, b0])


def _best_cut(table: np.ndarray, box, whole: np.ndarray):
    """(gain, axis, plane) of the cut of ``box`` that leaves the least variance in its two halves.

    The gain is the variance removed (the box's minus that of the halves); (0.0, -1, -1) when no cut
    leaves pixels on both sides.
    """
    best = (0.0, -1, -1)
    whole_score = (whole[1:4] ** 2).sum() / whole[0]
    for axis in range(3):
        low, high = box[2 * axis], box[2 * axis + 1]
        if high - low < 2:
            continue
        # the lower half ends at each plane low+1 .. high-1
        lower = _slab(table, box, axis, slice(low + 1, high)) - _slab(table, box, axis, low)
        upper = whole - lower
        usable = (lower[:, 0] > 0) & (upper[:, 0] > 0)
        if not usable.any():
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(usable, (lower[:, 1:4] ** 2).sum(1) / lower[:, 0]
                             + (upper[:, 1:4] ** 2).sum(1) / upper[:, 0], -np.inf)
        i = int(np.argmax(score))
        gain = float(score[i] - whole_score)
        if gain > best[0]:
            best = (gain, axis, low + 1 + i)
    return best


def _slab(table: np.ndarray, box, axis: int, planes) -> np.ndarray:
    """Moments of the cells at or below ``planes`` on ``axis`` within the box's ranges on the other two axes."""
    first, second = [i for i in range(3) if i != axis]
    a0, a1 = box[2 * first], box[2 * first + 1]
    b0, b1 = box[2 * second], box[2 * second + 1]

    def at(a, b):
        index = [0, 0, 0]
        index[axis], index[first], index[second] = planes, a, b
        return table[tuple(index)]

    return at(a1, b1) - at(a1, b0) - at(a0, b1) + at(a0, b0)


# -- PNG row filters (colorlab.io._pngread) ----------------------------------------------------------

def _paeth(a: int, b: int, c: int) -> int:
    """The PNG spec's Paeth predictor (section 9.4), as its pseudocode is written."""
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def png_unfilter(raw, height: int, row_bytes: int, bpp: int):
    """``_kernels.png_unfilter`` in plain Python: the (height, row_bytes) uint8 rows, or ValueError for an
    unknown filter type. Each byte from its left, upper and upper-left neighbours (zeros outside the image)."""
    raw = np.asarray(raw, np.uint8).reshape(height, row_bytes + 1)
    out = np.zeros((height + 1, row_bytes + bpp), np.int64)  # a zero row above and zero columns to the left
    for y in range(height):
        filter_type = int(raw[y, 0])
        for i in range(row_bytes):
            x = int(raw[y, 1 + i])
            a, b, c = out[y + 1, i], out[y, bpp + i], out[y, i]
            if filter_type == 0:
                value = x
            elif filter_type == 1:
                value = x + a
            elif filter_type == 2:
                value = x + b
            elif filter_type == 3:
                value = x + (a + b) // 2
            elif filter_type == 4:
                value = x + _paeth(int(a), int(b), int(c))
            else:
                raise ValueError(f"unknown filter type {filter_type}")
            out[y + 1, bpp + i] = value % 256
    return out[1:, bpp:].astype(np.uint8)
