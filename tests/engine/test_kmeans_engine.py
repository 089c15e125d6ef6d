"""Tests of the engine internals: the compiled kernels (colorlab/_engine/engine.c through colorlab._engine.kernels) against\nplain numpy and against their plain-Python reference (tests/kernels_reference.py)."""

from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from colorlab._engine import kernels as _kernels
from colorlab._engine import codes as _codes
from colorlab._engine import threads as _threads
from colorlab._engine import kmeans as _kmeans

import kernels_reference as reference


def plain_sqdist(points, centers):
    return ((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)


def numpy_lloyd(points, weights, centers, max_iter):
    """Weighted Lloyd written with numpy (bincount sums in point order, as the kernel adds them)."""
    k = len(centers)
    labels = plain_sqdist(points, centers).argmin(axis=1)
    for _ in range(max_iter):
        mass = np.bincount(labels, weights=weights, minlength=k)
        if (mass <= 0).any():
            return None
        sums = np.stack([np.bincount(labels, weights=weights * points[:, j], minlength=k) for j in range(3)], 1)
        centers = sums / mass[:, None]
        new = plain_sqdist(points, centers).argmin(axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
    return centers, labels


# Small integer coordinates: many exact ties and duplicate centers; floats: the general case.
grid_points = arrays(np.float64, st.tuples(st.integers(1, 200), st.just(3)), elements=st.integers(0, 4).map(float))
grid_centers = arrays(np.float64, st.tuples(st.integers(1, 12), st.just(3)), elements=st.integers(0, 3).map(float))
float_points = arrays(np.float64, st.tuples(st.integers(1, 200), st.just(3)),
                      elements=st.floats(-100, 100, allow_nan=False, allow_subnormal=False))
float_centers = arrays(np.float64, st.tuples(st.integers(1, 12), st.just(3)),
                       elements=st.floats(-100, 100, allow_nan=False, allow_subnormal=False))
point_sets = st.one_of(st.tuples(grid_points, grid_centers), st.tuples(float_points, float_centers))


@given(point_sets)
def test_nearest_is_the_first_smallest_plain_distance(data):
    points, centers = data
    expected = plain_sqdist(points, centers).argmin(axis=1)
    np.testing.assert_array_equal(_kernels.nearest(points, centers), expected)
    np.testing.assert_array_equal(_kmeans.assign(points, centers), expected)


@given(point_sets)
def test_nearest_two_gives_the_two_smallest_plain_distances(data):
    points, centers = data
    sq = plain_sqdist(points, centers)
    labels, first, second = _kmeans.assign(points, centers, want_second=True)
    np.testing.assert_array_equal(labels, sq.argmin(axis=1))
    ordered = np.sort(sq, axis=1)
    np.testing.assert_array_equal(first, np.sqrt(ordered[:, 0]))
    np.testing.assert_array_equal(second, np.sqrt(ordered[:, 1]) if len(centers) > 1 else np.inf)


@given(arrays(np.uint8, st.tuples(st.integers(0, 400), st.just(3)), elements=st.integers(0, 255)))
def test_pack_rgb_matches_the_formula(pixels):
    expected = (pixels[:, 0].astype(np.uint32) << 16) | (pixels[:, 1].astype(np.uint32) << 8) | pixels[:, 2]
    codes = _codes.pack_rgb(pixels)
    assert codes.dtype == np.uint32
    np.testing.assert_array_equal(codes, expected)
    np.testing.assert_array_equal(_codes.pack_rgb(pixels[::-2]), expected[::-2])  # strided input


@given(arrays(np.uint8, st.tuples(st.integers(0, 400), st.just(3)), elements=st.integers(0, 255)))
def test_unpack_rgb_undoes_pack_rgb(pixels):
    codes = _codes.pack_rgb(pixels)
    for given in (codes, codes.astype(np.int64), codes.astype(">u4"), codes[::-1][::-1]):
        colors = _codes.unpack_rgb(given)
        assert colors.dtype == np.uint8 and colors.shape == pixels.shape and colors.flags.c_contiguous
        np.testing.assert_array_equal(colors, pixels)


@pytest.mark.parametrize("spread", [1 << 24, 1 << 13, 300, 1])
def test_code_counts_equals_sorting(rng, spread):
    # spread 2**13: buckets with more than 256 distinct low parts (the scanned path); 1: one color.
    codes = rng.integers(0, spread, size=50_000).astype(np.uint32) * np.uint32((1 << 24) // spread)
    distinct, counts = _kernels.code_counts(codes)
    expected, expected_counts = np.unique(codes, return_counts=True)
    np.testing.assert_array_equal(distinct, expected)
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_array_equal(_codes.distinct_codes(codes), expected)


def test_code_counts_of_nothing():
    distinct, counts = _kernels.code_counts(np.empty(0, np.uint32))
    assert distinct.shape == counts.shape == (0,)


@given(point_sets, st.integers(1, 30))
def test_weighted_lloyd_equals_numpy_lloyd_on_float_coordinates(data, max_iter):
    points, _ = data
    rng = np.random.default_rng(len(points))
    weights = rng.integers(1, 20, len(points)).astype(np.float64)
    distinct = np.unique(points, axis=0)
    start = distinct[rng.choice(len(distinct), min(4, len(distinct)), replace=False)]
    expected = numpy_lloyd(points, weights, start, max_iter)
    if expected is None:  # an empty cluster: the engine re-seeds it, numpy_lloyd does not
        return
    centers, labels, _ = _kmeans.weighted_lloyd(points, weights, start, max_iter=max_iter)
    np.testing.assert_array_equal(labels, expected[1])
    np.testing.assert_array_equal(centers, expected[0])


def test_empty_cluster_is_reseeded_and_k_centers_stay_distinct():
    points = np.array([[0.0, 0, 0], [1, 0, 0], [10, 0, 0], [11, 0, 0]])
    start = np.array([[0.0, 0, 0], [100, 0, 0], [10, 0, 0]])  # the middle one gets no point
    centers, labels, _ = _kmeans.weighted_lloyd(points, np.ones(4), start)
    assert len(np.unique(centers, axis=0)) == 3
    assert len(np.unique(labels)) == 3


def test_fit_centers_is_repeatable(small_photo):
    colors, counts = _codes.distinct_colors(small_photo.reshape(-1, 3))
    runs = [_kmeans.fit_centers(colors, colors.astype(float), counts, 6, np.random.default_rng(3)) for _ in range(2)]
    np.testing.assert_array_equal(*runs)


# -- the compiled library against its plain-Python reference (tests/kernels_reference.py) --------------

def _same(compiled, expected, what):
    """Equal to the bit: arrays, tuples of them, numbers."""
    if isinstance(expected, tuple):
        assert len(compiled) == len(expected), what
        for a, b in zip(compiled, expected):
            _same(a, b, what)
        return
    a, b = np.asarray(compiled), np.asarray(expected)
    assert a.shape == b.shape and np.array_equal(a, b), f"{what}: compiled {a.ravel()[:4]} reference {b.ravel()[:4]}"


def _case(seed):
    """Distinct colors (sometimes coarse, with many ties), their coordinates, weights and k starting centers."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (int(rng.integers(1, 250)), 3), dtype=np.uint8)
    if seed % 3 == 0:
        pixels = pixels // 64 * 64  # few colors, exact ties between centers
    colors, _ = reference.code_counts(reference.pack_rgb(pixels))
    colors = np.stack([(colors >> 16) & 255, (colors >> 8) & 255, colors & 255], 1).astype(np.uint8)
    points = colors / 3.0 + 0.1
    weights = rng.integers(1, 9, len(points)).astype(np.float64)
    k = min(int(rng.integers(1, 12)), len(points))
    centers = points[rng.choice(len(points), k, replace=False)] + rng.normal(0, 3, (k, 3))
    if seed % 5 == 0:
        centers[1:] = centers[0]  # identical centers: empty clusters, re-seeding
    return rng, pixels, colors, points, weights, centers


@pytest.mark.parametrize("seed", range(12))
def test_every_kernel_gives_the_reference_numbers_bit_for_bit(seed):
    rng, pixels, colors, points, weights, centers = _case(seed)
    k = len(centers)
    codes = _kernels.pack_rgb(pixels)
    _same(codes, reference.pack_rgb(pixels), "pack_rgb")
    _same(_kernels.code_counts(codes), reference.code_counts(codes), "code_counts")
    for bits in (3, 5):
        _same(_kernels.cells(colors, points, weights, bits), reference.cells(colors, points, weights, bits), "cells")
        assert _kernels.count_cells(colors, bits) == reference.count_cells(colors, bits)
    _same(_kernels.nearest(points, centers), reference.nearest(points, centers), "nearest")
    six, six_centers = np.hstack([points, points[:, ::-1] / 2]), np.hstack([centers, centers[:, ::-1] / 2])
    _same(_kernels.nearest_any(six[:300], six_centers), reference.nearest_any(six[:300], six_centers), "nearest_any")
    _same(_kernels.nearest_any(points, centers), _kernels.nearest(points, centers), "nearest_any in 3 coordinates")
    _same(_kernels.nearest_two(points, centers), reference.nearest_two(points, centers), "nearest_two")
    labels, upper, lower = reference.nearest_two(points, centers)
    _same(_kernels.totals(points, weights, labels, k), reference.totals(points, weights, labels, k), "totals")
    assert _kernels.objective(points, weights, centers, labels) == reference.objective(points, weights, centers, labels)
    assert _kernels.weighted_squares(weights, upper) == reference.weighted_squares(weights, upper)
    for max_iter, tol in ((300, 0.0), (50, 1e-4)):
        _same(_kernels.lloyd(points, weights, centers, max_iter, tol),
              reference.lloyd(points, weights, centers, max_iter, tol), "lloyd")
    _same(_kernels.plain_lloyd(points, weights, centers, 6), reference.plain_lloyd(points, weights, centers, 6),
          "plain_lloyd")
    mass, _ = reference.totals(points, weights, labels, k)
    reseeded, expected = centers.copy(), centers.copy()
    _kernels.reseed_empty(points, weights, reseeded, mass)
    reference.reseed_empty(points, weights, expected, mass)
    _same(reseeded, expected, "reseed_empty")
    if len(points) >= k:
        first_u, trial_u = rng.random(), rng.random((k - 1, 2 * (2 + int(np.log(k)))))
        _same(_kernels.kmeans_plusplus(points, weights, first_u, trial_u),
              reference.kmeans_plusplus(points, weights, first_u, trial_u), "kmeans_plusplus")
    moved = centers + 0.5
    for kernel in ("verify", "verify_ties", "insert_center"):
        at = np.vstack([centers, points[:1] + 0.3]) if kernel == "insert_center" else moved
        ours, theirs = [array.copy() for array in (labels, upper, lower)], [array.copy() for array in (labels, upper, lower)]
        _same(getattr(_kernels, kernel)(points, at, *ours), getattr(reference, kernel)(points, at, *theirs), kernel)
        _same(tuple(ours), tuple(theirs), kernel + " (updated in place)")
    ours, theirs = [array.copy() for array in (centers, labels, upper, lower)], \
        [array.copy() for array in (centers, labels, upper, lower)]
    assert _kernels.hamerly_lloyd(points, weights, *ours, 40, 0.0) == \
        reference.hamerly_lloyd(points, weights, *theirs, 40, 0.0)
    _same(tuple(ours), tuple(theirs), "hamerly_lloyd")
    if (mass > 0).all():
        ours, theirs = [array.copy() for array in (centers, labels, upper, lower)], \
            [array.copy() for array in (centers, labels, upper, lower)]
        sums = reference.totals(points, weights, labels, k)[1]
        moves = _kernels.move_centers(ours[0], mass, sums)
        _same(moves, reference.move_centers(theirs[0], mass, sums), "move_centers")
        assert _kernels.shift_and_verify(points, *ours, *moves[:3]) == \
            reference.shift_and_verify(points, *theirs, *moves[:3])
        _same(tuple(ours), tuple(theirs), "shift_and_verify")
    closest = reference.own_sqdist(points, centers, labels)
    _same(_kernels.own_sqdist(points, centers, labels), closest, "own_sqdist")
    ours, theirs, draws = closest.copy(), closest.copy(), rng.random(7)
    assert _kernels.greedy_candidate(points, weights, ours, draws) == \
        reference.greedy_candidate(points, weights, theirs, draws)
    _same(ours, theirs, "greedy_candidate")
    cell, means, _ = reference.cells(colors, points, weights, 5)
    state = reference.nearest_two(means, centers)
    _same(_kernels.bounds_from_cells(points, cell, means, *state), reference.bounds_from_cells(points, cell, means, *state),
          "bounds_from_cells")
    palette, counts = rng.integers(0, 256, (k, 3), dtype=np.uint8), rng.integers(1, 100, len(colors))
    assert _kernels.squared_error(colors, palette, labels, counts) == reference.squared_error(colors, palette, labels, counts)
    lab, palette_lab = rng.normal(50, 30, (len(colors), 3)), rng.normal(50, 30, (k, 3))
    lab[0, 1:] = palette_lab[labels[0], 1:] = 0  # neutral colors take their own branch
    ours, theirs, which = np.zeros(len(colors)), np.zeros(len(colors)), np.arange(len(colors))
    _kernels.ciede2000_to_palette(lab, palette_lab, labels, which, ours)
    reference.ciede2000_to_palette(lab, palette_lab, labels, which, theirs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-13)  # libm's cos/atan2 vs Python's pow: last bits


@pytest.mark.parametrize("dtype, trailing", [(np.uint8, ()), (np.uint16, ()), (np.uint8, (3,)), (np.int32, ()),
                                             (np.float64, ()), (np.float32, (3,)), (object, ())])
def test_spread_gives_every_pixel_its_colors_value(rng, monkeypatch, dtype, trailing):
    codes = rng.integers(0, 1 << 24, 300).astype(np.uint32)
    codes = np.concatenate([codes, codes[::3], [0, (1 << 24) - 1]]).astype(np.uint32)  # repeats, both ends
    distinct, _ = _kernels.code_counts(codes)
    values = (rng.integers(0, 250, (len(distinct),) + trailing)).astype(dtype)
    expected = values[np.searchsorted(distinct, codes)]
    for threads, split in ((1, 10**9), (2, 100)):  # one piece, and the pixels split over two threads
        monkeypatch.setattr(_threads, "THREADS", threads)
        monkeypatch.setattr(_threads, "SPLIT_PIXELS", split)
        got = _codes.spread_values(codes, distinct, values)
        assert got.dtype == values.dtype and got.shape == expected.shape
        assert np.array_equal(got, expected)


@pytest.mark.parametrize("k", [1, 3, 8])
def test_the_whole_fit_with_the_reference_kernels_is_the_same(monkeypatch, k):
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, size=(400, 3), dtype=np.uint8)
    pixels[:150] = pixels[:150] // 32 * 32
    colors, counts = _codes.distinct_colors(pixels)
    coords = colors.astype(float) / 7.0
    compiled = _kmeans.fit_centers(colors, coords, counts, k, np.random.default_rng(k))
    monkeypatch.setattr(_kmeans, "_kernels", reference)
    expected = _kmeans.fit_centers(colors, coords, counts, k, np.random.default_rng(k))
    np.testing.assert_array_equal(compiled, expected)


def test_arrays_the_kernels_update_must_be_theirs_to_update():
    points, centers = np.zeros((4, 3)), np.ones((2, 3))
    labels, upper, lower = _kernels.nearest_two(points, centers)
    with pytest.raises(TypeError, match="labels must be a writable C-contiguous int64 array"):
        _kernels.verify(points, centers, labels.astype(np.int32), upper, lower)
    with pytest.raises(TypeError, match="upper"):
        _kernels.verify(points, centers, labels, upper[::-1], lower)


@pytest.mark.parametrize(
    "call",
    [
        lambda: _codes.pack_rgb(np.zeros((4, 2), np.uint8)),
        lambda: _kmeans.assign(np.zeros((4, 2)), np.zeros((2, 2))),
        lambda: _kmeans.assign(np.zeros((4, 3)), np.zeros((0, 3))),
        lambda: _codes.distinct_codes(np.array([1 << 24], np.uint32)),
    ],
    ids=["pack-2-columns", "assign-2-columns", "assign-no-centers", "code-too-big"],
)
def test_shapes_the_kernels_cannot_read_are_refused(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("bits", [4, 5, 6])
def test_cells_are_the_weighted_means_of_their_colors(rng, bits):
    colors = np.unique(rng.integers(0, 256, size=(3000, 3), dtype=np.uint8), axis=0)
    coords = colors / 3.7
    weights = rng.integers(1, 50, len(colors)).astype(np.float64)
    cell, means, mass = _kmeans._cells(colors, coords, weights, bits)
    cell_codes = _codes.pack_rgb(colors >> (8 - bits))  # same order as the codes of the cells
    _, expected_cell = np.unique(cell_codes, return_inverse=True)
    np.testing.assert_array_equal(cell, expected_cell.ravel())
    expected_mass = np.bincount(cell, weights=weights)
    expected_means = np.stack([np.bincount(cell, weights=coords[:, j] * weights) for j in range(3)], 1)
    np.testing.assert_array_equal(mass, expected_mass)
    np.testing.assert_array_equal(means, expected_means / expected_mass[:, None])


# -- k-means++ and threads ----------------------------------------------------------------------------

def dot4(a, b):
    """sum(a * b) as the kernel adds it: four running sums over i % 4 (the tail into the first)."""
    products = a * b
    n4 = len(products) - len(products) % 4
    sums = [np.cumsum(np.concatenate([products[r:n4:4], products[n4:] if r == 0 else []]))[-1:].sum()
            for r in range(4)]
    return (sums[0] + sums[1]) + (sums[2] + sums[3])


def numpy_kmeans_plusplus(points, weights, first_u, trial_u):
    """Greedy weighted k-means++ in numpy: the same draws, sums taken in point order as the kernel does."""
    n = len(points)
    cumulative = np.cumsum(weights)
    chosen = [min(int(np.searchsorted(cumulative, first_u * cumulative[-1], side="right")), n - 1)]
    closest = plain_sqdist(points, points[chosen[0]][None])[:, 0]
    for draws in trial_u:
        cumulative = np.cumsum(weights * closest)
        candidates = np.minimum(np.searchsorted(cumulative, draws * cumulative[-1], side="right"), n - 1)
        trials = np.minimum(closest[None, :], plain_sqdist(points, points[candidates]).T)
        potentials = [dot4(weights, trial) for trial in trials]
        best = int(np.argmin(potentials))
        chosen.append(int(candidates[best]))
        closest = trials[best]
    return points[chosen]


@given(st.integers(0, 2**32 - 1), st.integers(2, 12), st.integers(1, 5))
def test_kmeans_plusplus_kernel_picks_what_numpy_picks(seed, k, n_trials):
    rng = np.random.default_rng(seed)
    points = np.unique(rng.integers(0, 6, size=(60, 3)), axis=0).astype(np.float64)
    k = min(k, len(points))
    weights = rng.integers(1, 30, len(points)).astype(np.float64)
    first_u, trial_u = rng.random(), rng.random((k - 1, n_trials))
    chosen = _kernels.kmeans_plusplus(points, weights, first_u, trial_u)
    np.testing.assert_array_equal(chosen, numpy_kmeans_plusplus(points, weights, first_u, trial_u))
    assert len(np.unique(chosen, axis=0)) == k  # never the same point twice


def test_threaded_lloyd_equals_numpy_lloyd(monkeypatch, rng):
    monkeypatch.setattr(_threads, "THREADS", 2)
    points = rng.normal(128, 40, size=(3 * _threads.SPLIT_POINTS, 3))  # big enough to be split
    weights = rng.integers(1, 20, len(points)).astype(np.float64)
    start = points[:6].copy()
    assert len(_threads.ranges(len(points))) == 2
    centers, labels, _ = _kmeans.weighted_lloyd(points, weights, start, max_iter=8)
    expected_centers, expected_labels = numpy_lloyd(points, weights, start, 8)
    np.testing.assert_array_equal(labels, expected_labels)
    np.testing.assert_array_equal(centers, expected_centers)


@pytest.mark.parametrize("k", [5, 64])
def test_the_fit_does_not_depend_on_the_number_of_threads(monkeypatch, k):
    import colorlab

    image = colorlab.load_image("rocket")  # 45,526 distinct colors: every stage is split or run in parallel
    runs = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(_threads, "THREADS", threads)
        quantized, palette = colorlab.reduce_colors(image, k)
        runs.append((quantized, palette))
    for quantized, palette in runs[1:]:
        assert palette == runs[0][1]
        np.testing.assert_array_equal(quantized, runs[0][0])


# -- what colorlab.sweep uses: bounds carried over, the nearest colors from them, exact figures ----

@pytest.mark.parametrize("space", ["rgb", "lab"])
def test_nearest_from_cell_bounds_equals_assign(rng, space):
    import colorlab
    from colorlab.color.spaces import to_space

    colors = colorlab.color_histogram(colorlab.load_image("coffee")[::4, ::4]).colors
    coords = to_space(colors, space)
    weights = np.ones(len(colors))
    for k in (1, 2, 7, 40):
        centers = coords[rng.choice(len(coords), k, replace=False)] + rng.normal(0, 0.5, (k, 3))
        expected, first, second = _kmeans.assign(coords, centers, want_second=True)
        for cell, means, _ in _kmeans.histogram_levels(colors, coords, weights):
            state = _kmeans.assign(means, centers, want_second=True)
            labels, tied = _kmeans.assign_from_bounds(coords, centers, *state, cell, means)
            assert np.array_equal(labels, expected)
            assert np.array_equal(tied, first == second)


@pytest.mark.parametrize("k", [20, 100, 256])
def test_nearest_from_bounds_with_the_neighbour_lists_equals_assign(rng, k):
    """The palette's last check as one more Lloyd move with the centers' neighbour lists: the labels and ties
    of all k distances, for palettes near the centers and with a few colors moved far (as rounding moves a
    center outside the gamut), also where many distances are equal; the caller's arrays stay as they were."""
    points = rng.integers(0, 40, (20000, 3)).astype(float)  # a lattice: many exact ties
    centers = points[rng.choice(len(points), k, replace=False)] + rng.normal(0, 0.3, (k, 3))
    labels, upper, lower = _kmeans.assign(points, centers, want_second=True)
    near = _kernels.near_state(k)
    _kernels.near_update(centers, np.zeros(k), 0, 0.0, near)
    kept = [array.copy() for array in (labels, upper, lower, near)]
    nearest = _kmeans.nearest_from_bounds(points, centers, labels, upper, lower, near=near)
    for far in (0.0, 8.0):
        palette = np.round(centers)  # ties between palette colors on the lattice's points
        palette[:3] += far
        expected, first, second = _kmeans.assign(points, palette, want_second=True)
        got, tied = nearest(palette)
        assert np.array_equal(got, expected)
        assert np.array_equal(tied, first == second)
        assert tied.any()
    for before, after in zip(kept, (labels, upper, lower, near)):
        assert np.array_equal(before, after)


def test_nearest_from_bounds_on_scratch_arrays_gives_the_same_once(rng):
    points = rng.integers(0, 40, (20000, 3)).astype(float)
    centers = points[rng.choice(len(points), 256, replace=False)] + rng.normal(0, 0.3, (256, 3))
    labels, upper, lower = _kmeans.assign(points, centers, want_second=True)
    near = _kernels.near_state(256)
    _kernels.near_update(centers, np.zeros(256), 0, 0.0, near)
    palette = np.round(centers)
    palette[:3] += 8.0
    expected = _kmeans.nearest_from_bounds(points, centers, labels, upper, lower, near=near)(palette)
    nearest = _kmeans.nearest_from_bounds(points, centers, labels, upper, lower, near=near, scratch=True)
    got = nearest(palette)
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
    with pytest.raises(RuntimeError, match="once"):  # its bounds now belong to the palette, not the centers
        nearest(palette)


def test_inserted_center_keeps_labels_and_bounds_valid(rng):
    points = rng.integers(0, 6, (500, 3)).astype(float)  # many exact ties
    centers = points[:5].copy()
    labels, upper, lower = _kmeans.assign(points, centers, want_second=True)
    centers = np.vstack([centers, [2.0, 2.0, 2.0]])
    _kernels.insert_center(points, centers, labels, upper, lower)
    distances = np.sqrt(plain_sqdist(points, centers))
    assert np.array_equal(labels, plain_sqdist(points, centers).argmin(axis=1))
    assert (upper >= distances[np.arange(500), labels] - 1e-12).all()
    others = np.where(np.arange(6) == labels[:, None], np.inf, distances)
    assert (lower <= others.min(axis=1) + 1e-12).all()


def test_squared_error_and_ciede2000_kernels_match_the_metrics(rng):
    import colorlab
    from colorlab import metrics
    from colorlab.color.spaces import to_space

    image = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    histogram = colorlab.color_histogram(image)
    palette = colorlab.fit_palette(histogram, 5)
    labels = colorlab.cluster.nearest_labels(histogram.colors, palette)
    total = _kernels.squared_error(histogram.colors, palette.colors, labels, histogram.counts)
    assert total / histogram.n_pixels == metrics.histogram_mse(histogram, palette, labels)
    out = np.zeros(len(labels))
    lab = to_space(histogram.colors, "lab")
    _kernels.ciede2000_to_palette(lab, to_space(palette.colors, "lab"), labels, np.arange(len(labels)), out)
    expected = metrics.ciede2000(lab, to_space(palette.colors, "lab")[labels])
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    same = np.zeros(1)
    _kernels.ciede2000_to_palette(lab[:1], lab[:1], np.zeros(1, np.intp), np.zeros(1, np.intp), same)
    assert same[0] == 0.0


def test_the_engine_threads_map_in_order_raise_errors_and_allow_nesting(monkeypatch):
    monkeypatch.setattr(_threads, "THREADS", 3)
    monkeypatch.setattr(_threads, "_pool", None)
    assert _threads.map_threads(lambda x: x * x, range(50)) == [x * x for x in range(50)]
    # a mapped function that maps again (the calling thread helps, so nothing waits on itself)
    assert _threads.map_threads(lambda x: sum(_threads.map_threads(lambda y: x * y, range(4))), range(6)) == [6 * x for x in range(6)]

    def fail(x):
        if x == 3:
            raise ValueError("three")
        return x

    with pytest.raises(ValueError, match="three"):
        _threads.map_threads(fail, range(8))
    assert _threads.map_threads(str, range(3)) == ["0", "1", "2"]  # still usable afterwards
    import threading

    results = []
    threads = [threading.Thread(target=lambda i=i: results.append(_threads.map_threads(lambda x: x + i, range(20))))
               for i in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(r[0] for r in results) == [0, 1, 2, 3] and all(r == list(range(r[0], r[0] + 20)) for r in results)


def test_large_images_count_and_pack_on_the_threads_with_the_same_result(monkeypatch, rng):
    pixels = rng.integers(0, 256, (50_001, 3), dtype=np.uint8)
    pixels[::3] = pixels[0]  # repeated colors
    whole_codes = _kernels.pack_rgb(pixels)
    whole = _kernels.code_counts(whole_codes)
    monkeypatch.setattr(_threads, "THREADS", 3)
    monkeypatch.setattr(_threads, "SPLIT_PIXELS", 1000)
    codes = _codes.pack_rgb(pixels)
    assert np.array_equal(codes, whole_codes)
    distinct, counts = _codes.code_counts(codes)
    assert np.array_equal(distinct, whole[0]) and np.array_equal(counts, whole[1])
    assert counts.sum() == len(pixels)
    with pytest.raises(ValueError, match="below 2"):
        _codes.code_counts(np.full(5000, 1 << 24, np.uint32))


@pytest.mark.parametrize("k", [1, 3, 16, 64])
def test_whole_number_totals_equal_the_serial_ones(rng, k):
    points = rng.integers(0, 256, (10_007, 3)).astype(np.float64)
    weights = rng.integers(1, 5000, 10_007).astype(np.float64)
    labels = np.sort(rng.integers(0, k, 10_007))  # runs of equal labels, as colors in code order have
    for order in (labels, rng.permutation(labels)):
        expected = _kernels.totals(points, weights, order, k)
        got = _kernels.totals_whole(points, weights, order, k)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])


@pytest.mark.parametrize("name,k", [("rocket", 16), ("coffee", 64), ("chelsea", 5)])
def test_the_fit_with_whole_number_sums_is_the_same(name, k):
    import colorlab
    from colorlab._engine import random as _random

    histogram = colorlab.color_histogram(colorlab.load_image(name))
    colors, counts = histogram.colors, histogram.counts.astype(np.float64)
    coords = colors.astype(np.float64)
    plain = _kmeans.fit_centers(colors, coords, counts, k, _random.generator(3))
    whole = _kmeans.fit_centers(colors, coords, counts, k, _random.generator(3), whole=True)
    np.testing.assert_array_equal(whole, plain)


@pytest.mark.parametrize("k", [65, 256])
def test_search_among_near_centers_gives_the_labels_and_ties_of_all_k(rng, k):
    """From 65 centers a point whose bounds fail measures only the centers near its own: still the labels
    of all k distances (ties to the lowest index, many here on a coarse grid), the ties, and valid bounds."""
    points = rng.integers(0, 12, (4000, 3)).astype(float)
    centers = points[rng.choice(len(points), k, replace=False)] + rng.integers(-1, 2, (k, 3))
    labels, upper, lower = _kmeans.assign(points, centers, want_second=True)
    moved = centers + rng.integers(-1, 2, (k, 3)) * (rng.random((k, 1)) < 0.3)
    moved[0] += 4.0  # one center far: every lower bound loosened by its move
    shift = np.sqrt(((moved - centers) ** 2).sum(1))
    top = int(shift.argmax())
    runner_up = float(np.delete(shift, top).max())
    tied = np.zeros(len(points), bool)
    _kernels.shift_and_verify(points, moved, labels, upper, lower, shift, top, runner_up, tied)
    expected, first, second = _kmeans.assign(points, moved, want_second=True)
    assert np.array_equal(labels, expected)
    assert np.array_equal(tied, first == second)
    assert (first == second).any()
    distances = np.sqrt(((points[:, None, :] - moved[None, :, :]) ** 2).sum(-1))
    rows = np.arange(len(points))
    assert np.all(upper >= distances[rows, labels] - 1e-9)
    distances[rows, labels] = np.inf
    assert np.all(lower <= distances.min(1) + 1e-9)


@pytest.mark.parametrize("k", [20, 65, 256])
def test_neighbour_lists_kept_across_moves_give_the_labels_of_all_k(rng, k):
    """The centers' neighbour lists are kept from one move to the next (re-measured, re-sorted, the bound on
    the centers left out loosened) and built again after large moves: after every move the labels are
    those of all k distances and the bounds stay valid."""
    points = rng.random((3000, 3)) * 10
    centers = points[rng.choice(len(points), k, replace=False)].copy()
    labels, upper, lower = _kmeans.assign(points, centers, want_second=True)
    state = _kernels.near_state(k)
    kept = 0
    for step in range(12):
        scale = 2.0 if step == 6 else 0.02  # one large move: the lists must be built again
        moved = centers + rng.normal(0, scale, (k, 3)) * (rng.random((k, 1)) < 0.5)
        shift = np.sqrt(((moved - centers) ** 2).sum(1))
        top = int(shift.argmax())
        runner_up = float(np.delete(shift, top).max())
        _kernels.near_update(moved, shift, top, runner_up, state)
        kept += k >= 65 and state[-2] > 0  # the loosening so far: lists kept, not built again
        _check_neighbour_lists(state, moved)
        halves = [rows for rows in (slice(0, 1500), slice(1500, None))]  # as two threads would
        for rows in halves:
            _kernels.verify_near(points[rows], moved, labels[rows], upper[rows], lower[rows], shift, top, runner_up,
                                 state)
        centers = moved
        expected = _kmeans.assign(points, centers)
        assert np.array_equal(labels, expected)
        distances = np.sqrt(((points[:, None, :] - centers[None, :, :]) ** 2).sum(-1))
        rows = np.arange(len(points))
        assert np.all(upper >= distances[rows, labels] - 1e-9)
        distances[rows, labels] = np.inf
        assert np.all(lower <= distances.min(1) + 1e-9)
    assert k < 65 or kept >= 5


@pytest.mark.parametrize("layout", ["random", "lattice", "repeated"])
def test_neighbour_lists_built_again_from_the_old_ones_equal_lists_built_from_nothing(rng, layout):
    """After a large move the lists are built again starting from their old members: the same lists (ties
    to the lower index), bounds and halves, bit for bit, as a state built from nothing for the same centers,
    also where many gaps are equal (centers on a lattice, repeated centers)."""
    k = 256
    for _ in range(5):
        if layout == "lattice":
            centers = rng.integers(0, 5, (k, 3)).astype(float)
            moved = centers + rng.integers(-1, 2, (k, 3))
        else:
            centers = rng.random((k, 3))
            if layout == "repeated":
                centers[rng.integers(0, k, 30)] = centers[0]
            moved = centers + rng.normal(0, 0.05, (k, 3))
        state = _kernels.near_state(k)
        _kernels.near_update(centers, np.zeros(k), 0, 0.0, state)
        far = np.full(k, 1e6)  # moves far past the lists' allowance: built again
        _kernels.near_update(moved, far, 0, 1e6, state)
        fresh = _kernels.near_state(k)
        _kernels.near_update(moved, far, 0, 1e6, fresh)
        assert np.array_equal(state, fresh)
        _check_neighbour_lists(state, moved)


def test_a_far_move_loosens_only_the_lower_bounds_near_it(rng):
    """One center moving far loosens Hamerly's lower bound of every point by that move; with the neighbour
    lists, a point whose own center's list does not hold the mover is loosened only by its list's largest move
    (and the gap to the centers left out): the bounds stay valid, and most stay as tight as before."""
    k = 256
    points = rng.random((20000, 3)) * 10
    centers = points[rng.choice(len(points), k, replace=False)].copy()
    labels, upper, lower = _kmeans.assign(points, centers, want_second=True)
    state = _kernels.near_state(k)
    still = np.zeros(k)
    _kernels.near_update(centers, still, 0, 0.0, state)
    moved = centers + rng.normal(0, 1e-3, (k, 3))
    top = int(np.argmin(centers[:, 0]))  # a center at one side of the cloud moves far
    moved[top] += [0.0, 0.0, 0.8]
    shift = np.sqrt(((moved - centers) ** 2).sum(1))
    runner_up = float(np.delete(shift, top).max())
    before = lower.copy()
    _kernels.near_update(moved, shift, top, runner_up, state)
    _kernels.verify_near(points, moved, labels, upper, lower, shift, top, runner_up, state)
    assert np.array_equal(labels, _kmeans.assign(points, moved))
    distances = np.sqrt(((points[:, None, :] - moved[None, :, :]) ** 2).sum(-1))
    rows = np.arange(len(points))
    distances[rows, labels] = np.inf
    assert np.all(lower <= distances.min(1) + 1e-9)
    settled = lower >= before - 1e-2  # not loosened by the far move
    assert settled.mean() > 0.5


def test_one_thread_lloyd_leaves_the_given_neighbour_lists_in_step_with_its_centers(rng):
    """The kernel's own Lloyd (a point set too small for threads) keeps the caller's lists: they describe the
    centers it ends with, and the labels are those of a run with lists of its own."""
    k = 100
    points = rng.random((5000, 3)) * 10
    weights = rng.integers(1, 5, len(points)).astype(float)
    start = points[rng.choice(len(points), k, replace=False)].copy()
    runs = []
    for state in (None, _kernels.near_state(k)):
        centers = start.copy()
        labels, upper, lower = _kmeans.assign(points, centers, want_second=True)
        _kernels.hamerly_lloyd(points, weights, centers, labels, upper, lower, 20, 0.0, state)
        runs.append((centers, labels, state))
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])
    _check_neighbour_lists(runs[1][2], runs[1][0])


def _check_neighbour_lists(state, centers):
    """What the state promises about the centers: each one's list sorted by its exact gaps, every center left
    out at least ``beyond`` away, ``half`` at most half the gap to the nearest other center."""
    k = len(centers)
    gaps = np.sqrt(((centers[:, None, :] - centers[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(gaps, np.inf)
    lists = 2 * k * ((len(state) - 3 * k - 3) // (2 * k)) if k >= 65 else 0
    half = state[lists + (2 * k if lists else 0):][:k]
    assert np.all(half <= 0.5 * gaps.min(1) + 1e-12)
    if not lists:
        return
    pairs = state[:lists].reshape(k, -1, 2)
    members, measured = pairs[:, :, 1].view(np.int64), pairs[:, :, 0]
    beyond, moved = state[lists:lists + k], state[lists + k:lists + 2 * k]
    for a in range(k):
        kept = members[a] >= 0
        assert np.array_equal(measured[a][kept], gaps[a, members[a][kept]])
        assert np.all(np.diff(measured[a][kept]) >= 0)
        others = np.delete(gaps[a], np.r_[members[a][kept], a])
        assert others.size == 0 or others.min() >= beyond[a] - 1e-12
