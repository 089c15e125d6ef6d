"""Tests of the engine internals: the compiled kernels in colorlab._kernels against plain numpy."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from colorlab import _kernels, _kmeans


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
    codes = _kmeans.pack_rgb(pixels)
    assert codes.dtype == np.uint32
    np.testing.assert_array_equal(codes, expected)
    np.testing.assert_array_equal(_kmeans.pack_rgb(pixels[::-2]), expected[::-2])  # strided input


@pytest.mark.parametrize("spread", [1 << 24, 1 << 13, 300, 1])
def test_code_counts_equals_sorting(rng, spread):
    # spread 2**13: buckets with more than 256 distinct low parts (the scanned path); 1: one color.
    codes = rng.integers(0, spread, size=50_000).astype(np.uint32) * np.uint32((1 << 24) // spread)
    distinct, counts = _kernels.code_counts(codes)
    expected, expected_counts = np.unique(codes, return_counts=True)
    np.testing.assert_array_equal(distinct, expected)
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_array_equal(_kmeans.distinct_codes(codes), expected)


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
    colors, counts = _kmeans.distinct_colors(small_photo.reshape(-1, 3))
    runs = [_kmeans.fit_centers(colors, colors.astype(float), counts, 6, np.random.default_rng(3)) for _ in range(2)]
    np.testing.assert_array_equal(*runs)


_SCRIPT = """
import json, sys
import numpy as np
from colorlab import _kmeans
rng = np.random.default_rng(5)
pixels = rng.integers(0, 256, size=(400, 3), dtype=np.uint8)
pixels[:150] = pixels[:150] // 32 * 32
colors, counts = _kmeans.distinct_colors(pixels)
coords = colors.astype(float) / 7.0
out = {k: _kmeans.fit_centers(colors, coords, counts, k, np.random.default_rng(k)).tolist() for k in (1, 3, 8)}
json.dump(out, sys.stdout)
"""


def test_compiled_kernels_give_the_same_numbers_as_the_python_source(repo):
    # NUMBA_DISABLE_JIT runs the kernels as plain Python/numpy: the compiled code must agree bit for bit.
    runs = []
    for disable in ("0", "1"):
        env = dict(os.environ, NUMBA_DISABLE_JIT=disable)
        done = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, cwd=repo, capture_output=True, text=True,
                              check=True, timeout=300)
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]


@pytest.mark.parametrize(
    "call",
    [
        lambda: _kmeans.pack_rgb(np.zeros((4, 2), np.uint8)),
        lambda: _kmeans.assign(np.zeros((4, 2)), np.zeros((2, 2))),
        lambda: _kmeans.assign(np.zeros((4, 3)), np.zeros((0, 3))),
        lambda: _kmeans.distinct_codes(np.array([1 << 24], np.uint32)),
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
    cell_codes = _kmeans.pack_rgb(colors >> (8 - bits))  # same order as the codes of the cells
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
    monkeypatch.setattr(_kmeans, "THREADS", 2)
    points = rng.normal(128, 40, size=(3 * _kmeans._SPLIT_POINTS, 3))  # big enough to be split
    weights = rng.integers(1, 20, len(points)).astype(np.float64)
    start = points[:6].copy()
    assert len(_kmeans._ranges(len(points))) == 2
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
        monkeypatch.setattr(_kmeans, "THREADS", threads)
        quantized, palette = colorlab.reduce_colors(image, k)
        runs.append((quantized, palette))
    for quantized, palette in runs[1:]:
        assert palette == runs[0][1]
        np.testing.assert_array_equal(quantized, runs[0][0])


# -- what colorlab.sweep uses: bounds carried over, the nearest colors from them, exact figures ----

@pytest.mark.parametrize("space", ["rgb", "lab"])
def test_nearest_from_cell_bounds_equals_assign(rng, space):
    import colorlab
    from colorlab.colorspace import to_space

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
    from colorlab.colorspace import to_space

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
