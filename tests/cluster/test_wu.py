"""Tests of fit_palette(method="wu-kmeans"): Wu's box cuts (colorlab.cluster.wu) and the short k-means after them."""

from __future__ import annotations

import numpy as np
import pytest

import colorlab
from colorlab._engine import kernels as _kernels
from colorlab._engine import threads as _threads
from colorlab.cluster import wu
from colorlab.color.spaces import to_space
from colorlab.errors import InvalidParameterError

import kernels_reference as reference


@pytest.fixture(scope="module")
def photo():
    return colorlab.load_image("coffee")


def _random_histogram(seed: int, n: int = 400):
    rng = np.random.default_rng(seed)
    colors = np.unique(rng.integers(0, 256, (n, 3), dtype=np.uint8), axis=0)
    weights = rng.integers(1, 50, len(colors)).astype(np.float64)
    return colors, weights


@pytest.mark.parametrize("space", ["rgb", "oklab"])
def test_wu_boxes_partition_the_histogram(space):
    colors, weights = _random_histogram(1)
    coords = to_space(colors, space)
    box, means, box_weights = wu.wu_boxes(colors, coords, weights, 16)
    assert len(means) == len(box_weights) == 16
    # every color is in exactly one box (one label in 0..15), and each box's moments are exactly those of its colors
    assert box.shape == (len(colors),) and box.min() >= 0 and box.max() < 16
    assert np.allclose(np.bincount(box, weights=weights, minlength=16), box_weights)
    sums = np.stack([np.bincount(box, weights=weights * coords[:, axis], minlength=16) for axis in range(3)], axis=1)
    assert np.allclose(sums / box_weights[:, None], means)
    # the boxes are boxes of the grid: no two boxes share a grid cell
    cells = colors >> (8 - wu.BITS)
    cell_code = (cells[:, 0].astype(np.int64) << 10) | (cells[:, 1].astype(np.int64) << 5) | cells[:, 2]
    for code in np.unique(cell_code):
        assert len(np.unique(box[cell_code == code])) == 1


@pytest.mark.parametrize("bits", [3, 5, 6])
def test_compiled_moment_table_equals_the_numpy_reference(photo, bits):
    histogram = colorlab.color_histogram(photo)
    coords = to_space(histogram.colors, "oklab")
    weights = histogram.counts.astype(np.float64)
    table, flat = _kernels.wu_moments(histogram.colors, coords, weights, bits)
    expected_table, expected_flat = reference.wu_moments(histogram.colors, coords, weights, bits)
    assert np.array_equal(table, expected_table)
    assert np.array_equal(flat, expected_flat)
    assert _kernels.wu_moments(histogram.colors, coords, weights, bits, want_cells=False)[1] is None


@pytest.mark.parametrize("k, bits", [(1, 5), (16, 5), (256, 5), (256, 6)])
def test_compiled_cuts_equal_the_numpy_reference(photo, k, bits):
    histogram = colorlab.color_histogram(photo)
    coords = to_space(histogram.colors, "oklab")
    table, _ = _kernels.wu_moments(histogram.colors, coords, histogram.counts.astype(np.float64), bits)
    boxes, moments = _kernels.wu_cuts(table, k)
    expected_boxes, expected_moments = reference.wu_cuts(table, k)
    assert len(boxes) == k
    assert np.array_equal(boxes, expected_boxes)
    assert np.array_equal(moments, expected_moments)


def test_compiled_cuts_stop_when_no_cell_is_left_to_cut():
    colors = np.array([[0, 0, 0], [255, 255, 255]], np.uint8)
    table, _ = _kernels.wu_moments(colors, colors.astype(np.float64), np.array([3.0, 1.0]), 5)
    boxes, moments = _kernels.wu_cuts(table, 8)
    assert np.array_equal(boxes, reference.wu_cuts(table, 8)[0])
    assert len(boxes) == 2 and moments[:, 0].tolist() == [3.0, 1.0]


def test_wu_first_cut_is_the_best_plane():
    """With k = 2 the one cut must leave the least variance of every plane of the grid on every axis."""
    colors, weights = _random_histogram(2, 300)
    coords = to_space(colors, "oklab")
    box, _, _ = wu.wu_boxes(colors, coords, weights, 2)

    def spread(mask):
        if not mask.any():
            return 0.0
        w, x = weights[mask], coords[mask]
        mean = (w[:, None] * x).sum(0) / w.sum()
        return float((w * ((x - mean) ** 2).sum(1)).sum())

    cells = colors >> (8 - wu.BITS)
    best = min(spread(cells[:, axis] < plane) + spread(cells[:, axis] >= plane)
               for axis in range(3) for plane in range(1, 1 << wu.BITS)
               if 0 < (cells[:, axis] < plane).sum() < len(colors))
    assert spread(box == 0) + spread(box == 1) == pytest.approx(best, rel=1e-9)


def test_wu_kmeans_lowers_the_error_of_the_boxes(photo):
    histogram = colorlab.color_histogram(photo)
    coords = to_space(histogram.colors, "oklab")
    weights = histogram.counts.astype(np.float64)

    def error(centers):
        distances = ((coords[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
        return float((weights * distances.min(1)).sum())

    boxes = wu.wu_kmeans_centers(histogram.colors, coords, weights, 32, n_iter=0)
    refined = wu.wu_kmeans_centers(histogram.colors, coords, weights, 32)
    assert error(refined) < error(boxes)


def test_same_palette_on_one_and_two_threads(photo, monkeypatch):
    palettes = []
    for threads in (1, 2):
        monkeypatch.setattr(_threads, "THREADS", threads)
        monkeypatch.setattr(_threads, "SPLIT_POINTS", 1024)  # split even this photo's colors over the threads
        palettes.append(colorlab.fit_palette(photo, 256, method="wu-kmeans", space="oklab", seed=3))
    assert np.array_equal(palettes[0].colors, palettes[1].colors)
    assert np.array_equal(palettes[0].counts, palettes[1].counts)


def test_histogram_and_image_give_the_same_palette(photo):
    from_image = colorlab.fit_palette(photo, 256, method="wu-kmeans", space="oklab")
    from_histogram = colorlab.fit_palette(colorlab.color_histogram(photo), 256, method="wu-kmeans", space="oklab")
    assert len(from_image) == 256
    assert np.array_equal(from_image.colors, from_histogram.colors)
    assert np.array_equal(from_image.counts, from_histogram.counts)


def test_reduce_colors_equals_fit_then_quantize(photo):
    quantized, palette = colorlab.reduce_colors(photo, 64, method="wu-kmeans", space="oklab")
    assert np.array_equal(palette.colors, colorlab.fit_palette(photo, 64, method="wu-kmeans", space="oklab").colors)
    assert np.array_equal(quantized, colorlab.quantize(photo, palette))


def test_few_occupied_cells_still_give_k_colors():
    """300 distinct colors in a handful of grid cells: Wu finds fewer boxes, the palette is still k colors."""
    rng = np.random.default_rng(4)
    pixels = np.unique(rng.integers(0, 16, (2000, 3), dtype=np.uint8), axis=0)[:300]
    palette = colorlab.fit_palette(pixels, 256, method="wu-kmeans", space="oklab")
    assert len(palette) == 256
    assert len(np.unique(palette.colors, axis=0)) == 256


@pytest.mark.parametrize("k", [0, 257, 2.5, "many"])
def test_bad_k_gives_one_clear_error(photo, k):
    with pytest.raises(InvalidParameterError, match="k must be"):
        colorlab.fit_palette(photo, k, method="wu-kmeans", space="oklab")


def test_bad_space_gives_one_clear_error(photo):
    with pytest.raises(InvalidParameterError, match="space must be one of"):
        colorlab.fit_palette(photo, 16, method="wu-kmeans", space="hsv")


def test_fit_from_cell_bounds_equals_weighted_lloyd_from_the_boxes(monkeypatch):
    """The colors' iterations start from the cells' bounds, the palette's labels come from the fit's last bounds:
    the same centers as weighted Lloyd from Wu's boxes on the cells then on the colors, and the labels of a full search."""
    from colorlab._engine import kmeans as _kmeans

    image = colorlab.load_image("coffee")
    histogram = colorlab.color_histogram(image)
    monkeypatch.setattr(wu, "CELL_FROM", len(histogram) // 4)  # the cells' stage even on this small photo
    coords = to_space(histogram.colors, "oklab")
    weights = histogram.counts.astype(np.float64)
    centers, labels, upper, lower = wu.wu_kmeans_fit(histogram.colors, coords, weights, 64)
    _, start, _ = wu.wu_boxes(histogram.colors, coords, weights, 64)
    _, points, point_weights = _kmeans._cells(histogram.colors, coords, weights, wu.CELL_BITS)
    expected = _kmeans.weighted_lloyd(points, point_weights, start, max_iter=wu.LLOYD_ITER, tol=wu.LLOYD_TOL)[0]
    expected, expected_labels, _ = _kmeans.weighted_lloyd(coords, weights, expected, max_iter=wu.FINE_ITER,
                                                          tol=wu.LLOYD_TOL)
    np.testing.assert_allclose(centers, expected, rtol=0, atol=1e-9)
    assert np.array_equal(labels, expected_labels)
    exact = np.sqrt(((coords[:, None, :] - centers[None, :, :]) ** 2).sum(-1))
    assert np.all(upper >= exact[np.arange(len(coords)), labels] - 1e-9)
    exact[np.arange(len(coords)), labels] = np.inf
    assert np.all(lower <= exact.min(1) + 1e-9)
    palette, palette_labels = colorlab.cluster.fit.fit_histogram(histogram, 64, method="wu-kmeans", space="oklab")
    assert np.array_equal(palette_labels, colorlab.cluster.fit.nearest_labels(histogram.colors, palette))
