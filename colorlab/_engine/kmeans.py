"""The k-means engine behind ``fit_palette(method="kmeans")``.

Private module. The ideas (Celebi 2009/2011; measurements in docs/engine.md):

1. Cluster the *distinct* colors weighted by their pixel counts. The objective (sum over all pixels of
   the squared distance to the nearest center) is identical, and there are far fewer points.
2. Start on coarse color histograms (5, 6 and 7 bits per channel, each occupied cell represented by
   the weighted mean of its colors). Greedy k-means++ with twice scikit-learn's trials draws 5 to 16
   starts on the coarsest usable level; each gets a few plain Lloyd iterations there, the best
   quarter are run to convergence on the small levels, and the best of those goes on, through Lloyd
   on each larger level in turn.
3. Finish with exact weighted Lloyd iterations on the distinct colors with Hamerly's bounds (an upper
   bound on the distance to the own center, a lower bound on the second nearest), seeded from the
   last level's cells: points whose bounds prove that their label cannot change are skipped. At most
   FINE_ITER iterations, fewer when there are many colors (FINE_WORK).

The loops run compiled (``colorlab._engine.kernels``: the C library ``colorlab/_engine/engine.c``). Labels are exact: distances are the plain
formula ``((x - c) ** 2).sum(-1)`` with ties to the lowest index, so ``weighted_lloyd`` gives the
same labels and centers as plain Lloyd on all pixels from the same start. Independent starts and
row ranges of the points run on threads (:mod:`.threads`) with the same results for any number.
"""

from __future__ import annotations

import time

import numpy as np

from . import kernels as _kernels
from . import threads

# -- stage timing (benchmarks/bench_quantize.py --stages) ----------------------------------------

#: None, or [dict of seconds per stage, time of the last mark] while a benchmark profiles the stages.
_stage_clock = None


def _mark(stage: str) -> None:
    """Add the time since the last mark to ``stage`` (only while a benchmark profiles; else nothing)."""
    if _stage_clock is not None:
        now = time.perf_counter()
        times, last = _stage_clock
        times[stage] = times.get(stage, 0.0) + now - last
        _stage_clock[1] = now


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
    kernel = _kernels.nearest_two if want_second else _kernels.nearest
    ranges = threads.ranges(len(points))
    if len(ranges) == 1:  # a small set: no hand-over to threads
        return kernel(points, centers)
    # each thread writes its rows of the results (no parts to concatenate: 12 MP, ~20 MB less at the peak)
    n = len(points)
    if want_second:
        out = (np.empty(n, np.intp), np.empty(n), np.empty(n))
        threads.map_threads(lambda rows: kernel(points[rows], centers, tuple(array[rows] for array in out)), ranges)
        return out
    out = np.empty(n, np.intp)
    threads.map_threads(lambda rows: kernel(points[rows], centers, out[rows]), ranges)
    return out


def assign_any(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest center for each point, in any number of coordinates ((n, d) and (k, d); ties to
    the lowest index), the points split over threads."""
    points, centers = _floats(points), _floats(centers)
    out = np.empty(len(points), np.intp)
    threads.map_threads(lambda rows: _kernels.nearest_any(points[rows], centers, out[rows]), threads.ranges(len(points)))
    return out


def lloyd_any(points: np.ndarray, weights: np.ndarray, centers: np.ndarray, max_iter: int) -> np.ndarray:
    """Weighted Lloyd iterations in any number of coordinates from ``centers`` ((k, d); a copy is returned), at most
    ``max_iter`` of them, until no point changes cluster; an empty cluster keeps its center. Plain iterations
    around :func:`assign_any`, for points the bounded engine (three coordinates) does not take."""
    points, weights = _floats(points), _floats(weights)
    labels = None
    for _ in range(max_iter):
        new_labels = assign_any(points, centers)
        if labels is not None and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        mass = np.bincount(labels, weights, minlength=len(centers))
        sums = np.column_stack([np.bincount(labels, weights * points[:, t], minlength=len(centers))
                                for t in range(points.shape[1])])
        full = mass > 0
        centers = np.array(centers, np.float64)
        centers[full] = sums[full] / mass[full, None]
    return centers


def assign_from_bounds(points, centers, labels, upper, lower, cell=None, cell_means=None, *, scratch_bounds=False):
    """Nearest center of every point (ties to the lowest index) from Hamerly bounds already known.

    ``labels``, ``upper`` and ``lower`` are valid Hamerly bounds (own center, distance to it at most
    ``upper``, to every other at least ``lower``) of ``points`` or, with ``cell``, of the histogram
    cells at ``cell_means`` each point belongs to (|x - c| <= |m - c| + |x - m|), for ``centers``.
    Returns (labels, tied): the same labels as ``assign(points, centers)``, and a mask of the points
    whose two nearest centers are at exactly the same distance. Only points the bounds do not settle
    (with a margin) get all k distances. The arguments are not modified, except ``upper`` and ``lower`` with
    ``scratch_bounds`` (arrays the caller made for this call: no copies of them, 16 bytes a point less).
    """
    points, centers = _floats(points), _floats(centers)
    if cell is None:
        labels = labels.copy()
        if not scratch_bounds:
            upper, lower = upper.copy(), lower.copy()
    else:
        labels, upper, lower = _kernels.bounds_from_cells(points, cell, cell_means, labels, upper, lower)
    tied = np.zeros(len(points), np.bool_)  # each point is checked on its own: row ranges on the threads
    threads.map_threads(lambda rows: _kernels.verify_ties(
        points[rows], centers, labels[rows], upper[rows], lower[rows], tied[rows]), threads.ranges(len(points)))
    return labels, tied


def bounds_via_cells(points, cell, cell_means, centers, cell_labels, cell_upper, cell_lower, state=None):
    """Exact labels and valid Hamerly bounds of ``points`` for ``centers``, from those of their cells.

    ``cell`` is each point's cell, ``cell_labels``, ``cell_upper`` and ``cell_lower`` valid bounds of the
    ``cell_means`` for the same centers. Each point starts from its cell's bounds (|x - c| <= |m - c| + |x - m|)
    and only the points these do not settle get all k distances: far fewer distances than
    ``assign(points, centers, want_second=True)``, the same labels. Returns (labels, upper, lower).
    ``state``: the centers' :func:`_kernels.near_state`, built here if it is not yet, and left for
    :func:`hamerly_lloyd` to go on with.
    """
    points, centers = _floats(points), _floats(centers)
    n = len(points)
    labels, upper, lower = np.empty(n, np.intp), np.empty(n), np.empty(n)
    # the centers' neighbour lists, built once for all the threads (verify() would build them in each)
    still = np.zeros(len(centers))
    state = _kernels.near_state(len(centers)) if state is None else state
    _kernels.near_update(centers, still, 0, 0.0, state)

    def bounds(rows):  # each point's bounds depend on that point alone: row ranges on the threads
        _kernels.bounds_from_cells(points[rows], cell[rows], cell_means, cell_labels, cell_upper, cell_lower,
                                   out=(labels[rows], upper[rows], lower[rows]))
        _kernels.verify_near(points[rows], centers, labels[rows], upper[rows], lower[rows], still, 0, 0.0, state)

    threads.map_threads(bounds, threads.ranges(n))
    return labels, upper, lower


def nearest_from_bounds(points, centers, labels, upper, lower, cell=None, cell_means=None, *, near=None,
                        scratch=False):
    """For ``palette_from_centers``: the nearest palette colors of ``points`` from Hamerly bounds for ``centers``
    (of the points, or with ``cell`` of their histogram cells), loosened by how far each palette color is
    from its center (any palette of as many colors as centers: the bounds hold for any pairing, they are only
    looser where a palette color is far from its center). A palette of another size gets all distances.

    ``near``: the centers' neighbour lists (:func:`_kernels.near_state`, as :func:`hamerly_lloyd` leaves them;
    points' bounds only): the step from the centers to the palette is then checked as one more Lloyd move
    (:func:`_kernels.verify_near`). Rounding to 8-bit colors moves a center outside the sRGB gamut far, and
    Hamerly's bounds loosen every point's lower bound by that move; with the lists, only the points near it,
    and a point whose bounds fail measures the centers near its own instead of all k.

    ``scratch``: the caller hands ``labels``, ``upper``, ``lower`` and ``near`` over (it has no more use for
    them), and the function may be called once: they are updated in place instead of copied (245,000 colors: 6
    MB of copies, 1-3 ms with the first touch of their pages).
    """
    calls = []

    def nearest(palette_coords):
        if scratch and calls:
            raise RuntimeError("nearest_from_bounds(scratch=True) gives a function to call once")
        calls.append(1)
        if palette_coords.shape != centers.shape:
            labels_, first, second = assign(points, palette_coords, want_second=True)
            return labels_, first == second
        shift = np.sqrt(((palette_coords - centers) ** 2).sum(axis=1))
        if near is None or cell is not None:
            return assign_from_bounds(points, palette_coords, labels, upper + shift[labels], lower - shift.max(),
                                      cell, cell_means, scratch_bounds=True)
        top = int(shift.argmax())
        runner_up = float(np.delete(shift, top).max()) if len(shift) > 1 else 0.0
        state = near if scratch else near.copy()  # else this call's own: the caller's lists stay with the centers
        _kernels.near_update(palette_coords, shift, top, runner_up, state)
        labels_, upper_, lower_ = (labels, upper, lower) if scratch else (labels.copy(), upper.copy(), lower.copy())
        tied = np.zeros(len(points), np.bool_)
        threads.map_threads(lambda rows: _kernels.verify_near(
            points[rows], palette_coords, labels_[rows], upper_[rows], lower_[rows], shift, top, runner_up, state,
            tied[rows]), threads.ranges(len(points)))
        return labels_, tied

    return nearest


# -- initialisation -------------------------------------------------------------------------------

def _seed_numbers(k: int, rng: np.random.Generator):
    """The uniform numbers one greedy k-means++ run (``_kernels.kmeans_plusplus``) draws: one for the
    first center, 2 (2 + log k) per further one.

    Twice scikit-learn's 2 + log k candidates per center: measured over 40 starts, the share that
    end within 1% of scikit-learn's MSE went from 12% to 38% on kodim15 (k=16), 42% to 72% on kodim23.
    """
    return rng.random(), rng.random((k - 1, _trials(k)))


def _trials(k: int) -> int:
    """Candidates per greedy k-means++ step toward k centers: twice scikit-learn's 2 + log k (:func:`_seed_numbers` says why)."""
    return 2 * (2 + int(np.log(k)))


def plusplus_given(points, weights, given, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` more centers by the engine's greedy weighted k-means++, started from the centers ``given``.

    The given centers count as chosen and never move: each step draws :func:`_trials` candidates with
    probability proportional to weight x squared distance to the nearest center so far and keeps the
    one that lowers the weighted potential most (``_kernels.greedy_candidate``, the step
    ``_kernels.kmeans_plusplus`` takes after its first center). The uniform numbers are drawn from
    ``rng`` first, in one block, so the result depends on the seed alone. Returns the (n, 3) points.
    """
    points, weights, given = _floats(points), _floats(weights), _floats(given)
    closest = _kernels.own_sqdist(points, given, assign(points, given))
    trials = rng.random((n, _trials(len(given) + n)))
    return points[[_kernels.greedy_candidate(points, weights, closest, row) for row in trials]]


# -- weighted Lloyd with Hamerly bounds -----------------------------------------------------------

def weighted_lloyd(points, weights, centers, *, max_iter=300, tol=0.0, whole=False):
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
    whole : bool
        The points and weights are whole numbers (RGB colors and pixel counts): see :func:`hamerly_lloyd`.

    Returns
    -------
    centers : (k, d) float64, labels : (n,) intp, n_iter : int
    """
    points, weights, centers = _floats(points), _floats(weights), _floats(centers).copy()
    labels, upper, lower = assign(points, centers, want_second=True)
    threshold = tol * _kernels.weighted_squares(weights, upper)
    n_iter = hamerly_lloyd(points, weights, centers, labels, upper, lower, max_iter, threshold, whole=whole)
    return centers, labels, n_iter


def hamerly_lloyd(points, weights, centers, labels, upper, lower, max_iter, threshold, *, whole=False,
                  state=None):
    """``_kernels.hamerly_lloyd`` with the points split over threads (the same iterations and results).

    The sums per cluster are taken serially (their rounding does not depend on the threads); the
    bound updates and label checks, most of the work, run on row ranges in parallel. ``whole``: the
    points and weights are whole numbers and the weights add up to less than 2**44 (RGB colors and
    pixel counts), so every sum is a whole number that float64 holds exactly in any order, and
    ``_kernels.totals_whole`` takes them in four interleaved parts (about twice as fast; the same numbers).
    ``state``: a :func:`_kernels.near_state` of these centers to go on with and leave in step with them (one
    run can hand the centers' neighbour lists to the next, instead of both building them from nothing);
    the same labels and centers either way.
    """
    ranges = threads.ranges(len(points))
    if len(ranges) == 1:
        return _kernels.hamerly_lloyd(points, weights, centers, labels, upper, lower, max_iter, threshold, state)
    k = len(centers)
    totals = _kernels.totals_whole if whole and float(weights.sum()) < 2.0**44 else _kernels.totals
    n_iter = 0
    if state is None:
        state = _kernels.near_state(k)  # the centers' neighbour lists, kept from one iteration to the next
    for n_iter in range(1, max_iter + 1):
        mass, sums = totals(points, weights, labels, k)
        if (mass <= 0).any():
            _kernels.reseed_empty(points, weights, centers, mass)
            labels[:], upper[:], lower[:] = assign(points, centers, want_second=True)
            state[:] = 0.0  # built again from nothing by the next update
            continue
        shift, top, runner_up, gain = _kernels.move_centers(centers, mass, sums)
        _kernels.near_update(centers, shift, top, runner_up, state)
        changed = sum(threads.map_threads(lambda rows: _kernels.verify_near(
            points[rows], centers, labels[rows], upper[rows], lower[rows], shift, top, runner_up, state), ranges))
        if changed == 0 or gain < threshold:
            break
    return n_iter


# -- the whole fit --------------------------------------------------------------------------------

#: Relative objective decrease below which refinement stops (see docs/engine.md).
TOL = 1e-5
#: Distinct colors below this count are clustered directly, without the coarse histogram levels.
_DIRECT = 8192
#: Bits per channel of the coarse histogram levels, coarsest first (a level is skipped when it
#: has fewer than MIN_CELLS_PER_CENTER x k occupied cells or more than half as many cells as there
#: are colors). No 4-bit level: on a dark photo (hubble_deep_field) one 4-bit cell holds most
#: pixels and k-means++ there can put only one center into it (MSE 1.05x scikit-learn's at k=64).
LEVEL_BITS = (5, 6, 7)
#: A histogram level is used only with at least this many occupied cells per center.
MIN_CELLS_PER_CENTER = 32
#: k-means++ starts tried: START_BUDGET // k, at least MIN_STARTS, at most MAX_STARTS (small k:
#: cheap starts and many poor local minima, e.g. kodim15 at k=16, where 1 start in 8 is good).
START_BUDGET = 256
MIN_STARTS = 5
MAX_STARTS = 16
#: Lloyd iterations (without bounds) every start gets on the first level; the best 1 / SURVIVOR_SHARE go on.
SCREEN_ITER = 6
SURVIVOR_SHARE = 4
#: From k = WIDE_FROM_K the starts are fewer (START_BUDGET // k) and the coarsest level has fewer cells per
#: center, so it judges them worse: half of them (WIDE_SURVIVOR_SHARE) go on, and they are compared after
#: Lloyd on every level of up to WIDE_CELLS_PER_CENTER x k cells. Measured on the 24 Kodak photos, the 48
#: Kodak JPEGs and the 6 bundled photos against scikit-learn (docs/engine.md), this keeps the worst MSE
#: ratio at k=32 and 64 near 1.01 (judged on the coarsest level alone, some starts reach 1.03).
WIDE_FROM_K = 32
WIDE_SURVIVOR_SHARE = 2
WIDE_CELLS_PER_CENTER = 1000
#: Lloyd on the histogram levels (the survivors' on the start levels, then on each larger level)
#: stops once an update lowers the objective by less than this share of it.
LEVEL_TOL = 1e-4
#: Histogram levels up to this many cells join the start selection.
_DENSE_CELLS = 10_000
#: Most weighted Lloyd iterations on the distinct colors after the histogram levels (at k=64 the
#: objective still falls by more than TOL per iteration after 10: 30 bring kodim12 from 1.0125x to 1.0066x
#: scikit-learn's MSE) ...
FINE_ITER = 30
#: ... but at most FINE_WORK / (number of colors), at least MIN_FINE_ITER: a 1-megapixel photo with
#: 107,000 colors gets 14 (the explorer's slider stays quick), 12 megapixels 10.
FINE_WORK = 1_500_000
MIN_FINE_ITER = 10
#: From k = WIDE_FROM_K the cap is WIDE_FINE_ITER iterations, and WIDE_FINE_WORK / (number of colors): with
#: many clusters Lloyd creeps for longer while the objective still falls by more than ``tol`` (kodim02 as
#: JPEG q90, k=32: 1.0101x scikit-learn's MSE after 15 iterations, 1.0056x after 50; docs/engine.md).
#: The ``tol`` stop ends most fits before the cap (on the 78 photos of bench_quality.py, 75 of 78
#: at k=32 and 68 of 78 at k=64).
WIDE_FINE_ITER = 50
WIDE_FINE_WORK = 5_000_000


def _cells(colors: np.ndarray, coords: np.ndarray, weights: np.ndarray, bits: int):
    """Group colors into cells of ``bits`` per channel: (cell of each color, cell mean coords, cell weights)."""
    return _kernels.cells(np.ascontiguousarray(colors, dtype=np.uint8), coords, weights, bits)


def _best_start(levels, k, rng, starts):
    """The best of ``starts`` k-means++ runs on the first of ``levels`` ((means, weights) pairs,
    coarsest first), by successive halving: every run gets SCREEN_ITER Lloyd iterations on the
    first level; the best quarter go on to Lloyd to convergence (LEVEL_TOL) on every level and are
    judged by the objective on the last. Runs go to threads whole; their random numbers are drawn
    first, in order, so the result does not depend on the number of threads."""
    numbers = [_seed_numbers(k, rng) for _ in range(starts)]
    first_points, first_weights = levels[0]

    def screen(seed_numbers):
        centers = _kernels.kmeans_plusplus(first_points, first_weights, *seed_numbers)
        centers, error = _kernels.plain_lloyd(first_points, first_weights, centers, SCREEN_ITER)
        return error, centers

    def settle(centers):
        for points, weights in levels:
            centers, _, error = _kernels.lloyd(points, weights, centers, 100, LEVEL_TOL)
        return error, centers

    share = SURVIVOR_SHARE if k < WIDE_FROM_K else WIDE_SURVIVOR_SHARE
    survivors = _best(threads.map_threads(screen, numbers), -(-starts // share))
    return _best(threads.map_threads(settle, survivors), 1)[0]


def _best(results, n):
    """The centers of the n (error, centers) results with the lowest errors, best first (ties: the earlier)."""
    order = np.argsort([error for error, _ in results], kind="stable")
    return [results[i][1] for i in order[:n]]


def histogram_levels(colors, coords, weights) -> list:
    """The coarse histogram levels of :data:`LEVEL_BITS` (coarsest first) as (cell of each color, cell
    means, cell weights) that have at most half as many cells as there are colors; none for few
    colors. They do not depend on k: a sweep over k computes them once (:func:`fit_centers` picks the
    usable ones for each k)."""
    if len(coords) <= _DIRECT:
        return []
    colors, coords, weights = np.ascontiguousarray(colors, dtype=np.uint8), _floats(coords), _floats(weights)
    # A level with more than half as many cells as colors is never used (nor any finer one); its
    # cells are only counted (kodim05 as JPEG q75, 7 bits: 79,062 cells for 109,844 colors,
    # 16 ms to number them in code order, 1-2 ms to count them). The levels are independent of
    # each other: counted, then built, on the threads.
    counts = threads.map_threads(lambda bits: _kernels.count_cells(colors, bits), LEVEL_BITS)
    usable = []
    for bits, cells in zip(LEVEL_BITS, counts):
        if cells > len(coords) // 2:
            break
        usable.append(bits)
    return threads.map_threads(lambda bits: _cells(colors, coords, weights, bits), usable)


def fit_centers(colors, coords, weights, k: int, rng, *, tol: float = TOL, levels=None, whole=False) -> np.ndarray:
    """k-means centers of distinct ``colors`` (uint8, for the histogram levels) at ``coords`` weighted by counts.

    ``colors`` must hold at least k rows (all distinct). Returns (k, 3) float64 in the coordinates' space.
    The best of several k-means++ starts on the small histogram levels (:func:`_best_start`) goes
    through Lloyd on each larger level in turn (to a LEVEL_TOL stop), then at most :data:`FINE_ITER`
    iterations (fewer with many colors) on the distinct colors, to a ``tol`` stop; those two stages
    split each iteration over the threads. ``levels``: :func:`histogram_levels` of the same colors,
    if already computed (the result is the same). ``whole``: ``coords`` are the colors themselves (RGB)
    and ``weights`` pixel counts, so the cluster sums are exact in any order (:func:`hamerly_lloyd`;
    the result is the same).
    """
    coords, weights = _floats(coords), _floats(weights)
    _mark("other")
    if levels is None:
        levels = histogram_levels(colors, coords, weights)
    levels = [level for level in levels if MIN_CELLS_PER_CENTER * k <= len(level[1]) <= len(coords) // 2]
    _mark("levels")
    n_starts = min(MAX_STARTS, max(MIN_STARTS, START_BUDGET // k))
    if not levels:
        start = _best_start([(coords, weights)], k, rng, n_starts)
        _mark("starts")
        result = _by_mass(*weighted_lloyd(coords, weights, start, tol=tol, whole=whole)[:2], weights)
        _mark("fine")
        return result
    # Starts are compared after Lloyd on the small levels (the coarsest alone judges poorly).
    dense = _DENSE_CELLS if k < WIDE_FROM_K else max(_DENSE_CELLS, WIDE_CELLS_PER_CENTER * k)
    n_small = 1 + sum(1 for level in levels[1:] if len(level[1]) <= dense)
    centers = _best_start([level[1:] for level in levels[:n_small]], k, rng, n_starts)
    _mark("starts")
    for _, cell_means, cell_mass in levels[n_small:]:
        centers = weighted_lloyd(cell_means, cell_mass, centers, tol=max(tol, LEVEL_TOL))[0]
    _mark("large levels")
    # Hamerly bounds for every color from its cell's on the last level: |x - c| <= |m - c| + |x - m|.
    cell, cell_means, _ = levels[-1]
    del levels  # only the last level is needed from here (12 MP: the others' cell numbers are ~15 MB)
    centers, state = centers.copy(), _kernels.near_state(k)
    labels, upper, lower = bounds_via_cells(coords, cell, cell_means, centers,
                                            *assign(cell_means, centers, want_second=True), state=state)
    del cell, cell_means  # done with the levels before the fine stage (unless the caller keeps them)
    _mark("bounds")
    work, most = (FINE_WORK, FINE_ITER) if k < WIDE_FROM_K else (WIDE_FINE_WORK, WIDE_FINE_ITER)
    fine_iter = int(np.clip(work // len(coords), MIN_FINE_ITER, most))
    threshold = tol * _kernels.weighted_squares(weights, upper)
    hamerly_lloyd(coords, weights, centers, labels, upper, lower, fine_iter, threshold, whole=whole, state=state)
    result = _by_mass(centers, labels, weights)
    _mark("fine")
    return result


def _by_mass(centers, labels, weights):
    """Centers ordered by the weight of their clusters, largest first (the order palettes use)."""
    mass = np.bincount(labels, weights=weights, minlength=len(centers))
    return centers[np.argsort(-mass, kind="stable")]
