"""Tests of dithering (colorlab.redraw.dither, quantize(dither=...)), metrics.error_map and the error plots."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import colorlab
from colorlab import metrics
from colorlab.cluster.fit import nearest_labels
from colorlab.redraw import dither
from colorlab import plot
from colorlab.errors import InvalidImageError, InvalidParameterError

images = arrays(np.uint8, st.tuples(st.integers(1, 24), st.integers(1, 24), st.just(3)), elements=st.integers(0, 255))
palettes = arrays(np.uint8, st.tuples(st.integers(1, 10), st.just(3)), elements=st.integers(0, 255))
BLACK_WHITE = colorlab.Palette([[0, 0, 0], [255, 255, 255]], counts=[1, 1])


@pytest.mark.parametrize("how", dither.DITHERS)
@given(image=images, colors=palettes)
def test_dithered_images_use_only_palette_colors(how, image, colors):
    palette = colorlab.Palette(colors, np.ones(len(colors), np.int64))
    quantized, labels = colorlab.quantize(image, palette, dither=how, return_labels=True)
    assert quantized.shape == image.shape and quantized.dtype == np.uint8 and labels.shape == image.shape[:2]
    assert labels.max() < len(palette)
    np.testing.assert_array_equal(quantized, palette.colors[labels])


def test_floyd_steinberg_never_picks_pillows_padding_black():
    # 2 palette colors, none black: Pillow's palette image has 254 more entries that must not be used
    palette = colorlab.Palette([[200, 30, 30], [30, 200, 30]], counts=[1, 1])
    image = np.zeros((16, 16, 3), np.uint8)
    quantized = colorlab.quantize(image, palette, dither="floyd-steinberg")
    colors = np.unique(quantized.reshape(-1, 3), axis=0)
    assert {tuple(c) for c in colors} <= {(200, 30, 30), (30, 200, 30)}


@pytest.mark.parametrize("level", [40, 100, 128, 200])
@pytest.mark.parametrize("how", ["floyd-steinberg", "bayer"])
def test_dithering_keeps_the_mean_of_a_flat_gray_that_nearest_color_loses(how, level):
    gray = np.full((32, 32, 3), level, np.uint8)
    dithered = colorlab.quantize(gray, BLACK_WHITE, dither=how)
    plain = colorlab.quantize(gray, BLACK_WHITE)
    assert abs(dithered.mean() - level) <= 8
    assert abs(plain.mean() - level) >= 40


def test_dithering_raises_mse_but_lowers_the_error_of_a_blurred_view(small_photo):
    palette = colorlab.fit_palette(small_photo, 4)
    plain = colorlab.quantize(small_photo, palette)
    dithered = colorlab.quantize(small_photo, palette, dither="floyd-steinberg")

    def blurred(image):  # what the eye sees from a distance: 4x4 block means
        h, w = (s - s % 4 for s in image.shape[:2])
        return image[:h, :w].reshape(h // 4, 4, w // 4, 4, 3).mean(axis=(1, 3))

    assert metrics.mse(small_photo, dithered) > metrics.mse(small_photo, plain)
    blur_error = [((blurred(small_photo) - blurred(q)) ** 2).sum(-1).mean() for q in (plain, dithered)]
    assert blur_error[1] < blur_error[0]


def test_no_dither_is_the_default(small_photo):
    palette = colorlab.fit_palette(small_photo, 5)
    np.testing.assert_array_equal(colorlab.quantize(small_photo, palette, dither="none"),
                                  colorlab.quantize(small_photo, palette))


@pytest.mark.parametrize("how", ["bayer", "floyd-steinberg"])
def test_pixel_arrays_are_dithered_as_one_row(how):
    row = np.full((1, 50, 3), 90, np.uint8)
    np.testing.assert_array_equal(colorlab.quantize(row.reshape(-1, 3), BLACK_WHITE, dither=how),
                                  colorlab.quantize(row, BLACK_WHITE, dither=how).reshape(-1, 3))


@pytest.mark.parametrize("bad", ["floyd", "Bayer", None, 1])
def test_unknown_dither_lists_the_valid_ones(small_photo, bad):
    with pytest.raises(InvalidParameterError, match="'none', 'floyd-steinberg', 'bayer'"):
        colorlab.quantize(small_photo, BLACK_WHITE, dither=bad)


def test_bayer_matrix_holds_each_threshold_once():
    matrix = dither.bayer_matrix(8)
    np.testing.assert_array_equal(np.sort(((matrix + 0.5) * 64 - 0.5).ravel()), np.arange(64))
    # the classic 4 x 4 matrix (Bayer 1973)
    np.testing.assert_array_equal((dither.bayer_matrix(4) + 0.5) * 16 - 0.5,
                                  [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]])


@pytest.mark.parametrize(("colors", "spacing"), [([[0, 0, 0]], 0.0), ([[0, 0, 0], [255, 255, 255]], 255.0),
                                                 ([[0, 0, 0], [32, 0, 0], [0, 32, 0], [32, 32, 0]], 32.0)])
def test_palette_spacing(colors, spacing):
    assert dither.palette_spacing(colorlab.Palette(colors, np.ones(len(colors), np.int64))) == spacing


@given(first=images, seed=st.integers(0, 2**32 - 1))
def test_error_map_squared_mean_is_mse(first, seed):
    second = np.random.default_rng(seed).integers(0, 256, first.shape, dtype=np.uint8)
    errors = metrics.error_map(first, second)
    assert errors.shape == first.shape[:2]
    np.testing.assert_allclose((errors**2).mean(), metrics.mse(first, second), rtol=1e-12)


def test_error_map_values():
    errors = metrics.error_map(np.zeros((2, 3), np.uint8), np.array([[3, 4, 0], [255, 255, 255]], np.uint8))
    np.testing.assert_allclose(errors, [5.0, 255 * np.sqrt(3)])


def test_error_map_refuses_different_shapes():
    with pytest.raises(InvalidImageError):
        metrics.error_map(np.zeros((2, 2, 3), np.uint8), np.zeros((2, 3, 3), np.uint8))


def test_error_map_plot_and_grid(small_photo):
    palette = colorlab.fit_palette(small_photo, 4)
    versions = [colorlab.quantize(small_photo, palette, dither=how) for how in dither.DITHERS]
    axes = plot.error_grid(small_photo, versions, list(dither.DITHERS))
    assert axes.shape == (2, 3)
    shared = {axes[1, j].images[0].get_clim() for j in range(3)}
    assert len(shared) == 1  # one error scale for all maps
    np.testing.assert_array_equal(axes[1, 2].images[0].get_array(), metrics.error_map(small_photo, versions[2]))
    ax = plot.error_map(metrics.error_map(small_photo, versions[0]), vmax=50)
    assert ax.images[0].get_clim() == (0.0, 50.0)


@pytest.mark.parametrize("bad", [np.zeros(5), np.zeros((2, 2, 3))])
def test_error_map_plot_refuses_non_2d(bad):
    with pytest.raises(InvalidParameterError):
        plot.error_map(bad)


# -- error diffusion with a strength and limits ------------------------------------------------------

def _pillow_floyd_steinberg(image, palette):
    """What quantize(dither="floyd-steinberg") called before it had a strength: Pillow's error diffusion."""
    from PIL import Image

    table = np.repeat(palette.colors[:1], 256, axis=0)
    table[: len(palette)] = palette.colors
    palette_image = Image.new("P", (1, 1))
    palette_image.putpalette(table.ravel().tolist())
    indexed = Image.fromarray(image).quantize(palette=palette_image, dither=Image.Dither.FLOYDSTEINBERG)
    return np.asarray(indexed).astype(np.intp)


def _reference_diffusion(values, colors, strength, serpentine=True):
    """Plain Python Floyd-Steinberg without limits, in the given coordinates (nearest: first smallest)."""
    height, width = values.shape[:2]
    error = np.zeros((height + 1, width + 2, 3))
    labels = np.zeros((height, width), np.intp)
    for y in range(height):
        back = serpentine and y % 2 == 1
        step = -1 if back else 1
        for x in (range(width - 1, -1, -1) if back else range(width)):
            v = values[y, x] + error[y, x + 1] * strength / 16
            d = ((v - colors) ** 2).sum(-1)
            labels[y, x] = j = int(np.argmin(d))
            e = v - colors[j]
            error[y, x + 1 + step] += 7 * e
            error[y + 1, x + 1 - step] += 3 * e
            error[y + 1, x + 1] += 5 * e
            error[y + 1, x + 1 + step] += e
    return labels


@pytest.mark.parametrize("space", ["rgb", "lab", "oklab"])
def test_strength_zero_is_no_dithering(small_photo, space):
    palette = colorlab.fit_palette(small_photo, 24, space=space)
    plain = colorlab.quantize(small_photo, palette, return_labels=True)[1]
    zero = colorlab.quantize(small_photo, palette, dither="floyd-steinberg", dither_strength=0, return_labels=True)[1]
    full = colorlab.quantize(small_photo, palette, dither="floyd-steinberg", return_labels=True)[1]
    np.testing.assert_array_equal(zero, plain)
    assert (full != plain).mean() > 0.05  # the comparison is not between two undithered images


@given(image=images, colors=palettes)
def test_classic_mode_is_pillows_floyd_steinberg(image, colors):
    palette = colorlab.Palette(colors, np.ones(len(colors), np.int64))
    np.testing.assert_array_equal(dither.floyd_steinberg_labels(image, palette, _classic=True),
                                  np.where((labels := _pillow_floyd_steinberg(image, palette)) < len(palette), labels, 0))


def test_strength_one_without_limits_is_todays_floyd_steinberg_on_a_photo(small_photo):
    palette = colorlab.fit_palette(small_photo, 256)
    ours = dither.floyd_steinberg_labels(small_photo, palette, _classic=True)
    np.testing.assert_array_equal(ours, _pillow_floyd_steinberg(small_photo, palette))


@pytest.mark.parametrize("space", ["rgb", "oklab"])
@pytest.mark.parametrize("strength", [1.0, 0.6])
def test_diffusion_kernel_equals_plain_python_without_limits(space, strength):
    image = np.random.default_rng(3).integers(0, 256, (13, 17, 3), dtype=np.uint8)
    palette = colorlab.fit_palette(image, 9, space=space)
    ours = dither.floyd_steinberg_labels(image, palette, strength=strength, _edge=np.inf, _clamp=np.inf, _quiet=0)
    from colorlab.color.spaces import to_space

    values, colors = to_space(image, space), to_space(palette.colors, space)
    expected = _reference_diffusion(values, colors, strength)
    np.testing.assert_array_equal(ours, expected)


def test_dithering_is_deterministic(small_photo):
    palette = colorlab.fit_palette(small_photo, 64, space="oklab")
    first = colorlab.quantize(small_photo, palette, dither="floyd-steinberg", dither_strength=0.8)
    second = colorlab.quantize(small_photo.copy(), palette, dither="floyd-steinberg", dither_strength=0.8)
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "1", True])
def test_dither_strength_out_of_range_is_refused(small_photo, bad):
    palette = colorlab.fit_palette(small_photo, 4)
    with pytest.raises(InvalidParameterError, match="dither strength"):
        colorlab.quantize(small_photo, palette, dither="floyd-steinberg", dither_strength=bad)


# -- the diffusion's nearest-color search, edge weights and per-color conversion ---------------------

def _brute_force_nearest(points, colors):
    """Index of each point's nearest color by a scan of all of them: the first of the smallest distances."""
    d = [(points[:, None, 0] - colors[None, :, 0]) ** 2, (points[:, None, 1] - colors[None, :, 1]) ** 2,
         (points[:, None, 2] - colors[None, :, 2]) ** 2]
    return np.argmin(d[0] + d[1] + d[2], axis=1)


def _random_search_case(seed):
    rng = np.random.default_rng(seed)
    kind = seed % 5
    k = int(rng.integers(1, 300))
    if kind == 0:    # spread colors, points around them (as dithered values)
        colors = rng.uniform([0, -30, -30], [100, 30, 30], (k, 3))
        points = rng.uniform([-20, -50, -50], [120, 50, 50], (3000, 3))
    elif kind == 1:  # whole numbers: exact ties between colors, and repeated colors
        colors = rng.integers(0, 8, (k, 3)).astype(np.float64)
        points = rng.integers(-2, 10, (3000, 3)).astype(np.float64)
    elif kind == 2:  # colors on a line (a flat grid in two axes)
        colors = np.zeros((k, 3))
        colors[:, 0] = rng.uniform(0, 1, k)
        points = rng.normal(0.5, 0.3, (3000, 3))
    elif kind == 3:  # half-integers: points exactly between two colors
        colors = rng.integers(0, 6, (k, 3)).astype(np.float64)
        points = rng.integers(0, 12, (3000, 3)) / 2.0
    else:            # a walk, as diffusion visits its points (each search starts from the previous pick)
        colors = rng.normal(0, 10, (k, 3))
        points = np.cumsum(rng.normal(0, 1.5, (3000, 3)), axis=0) * 0.3
    return points, colors


@pytest.mark.parametrize("seed", range(40))
def test_grid_search_is_a_brute_force_scan(seed):
    from colorlab._engine import kernels

    points, colors = _random_search_case(seed)
    np.testing.assert_array_equal(kernels.grid_labels(points, colors), _brute_force_nearest(points, colors))


@pytest.mark.parametrize("seed", range(10))
def test_grid_search_outside_its_box_is_a_brute_force_scan(seed):
    from colorlab._engine import kernels

    points, colors = _random_search_case(seed)
    middle = np.median(points, axis=0)
    box = np.array([middle - 0.5, middle + 0.5])  # most points fall outside the grid: the sorted search
    np.testing.assert_array_equal(kernels.grid_labels(points, colors, box), _brute_force_nearest(points, colors))


def test_grid_search_on_a_photo_palette():
    from colorlab._engine import kernels
    from colorlab.color.spaces import to_space

    image = colorlab.load_image("coffee")
    palette = colorlab.fit_palette(image, 256, space="oklab")
    colors = to_space(palette.colors, "oklab")
    rng = np.random.default_rng(0)
    points = to_space(image.reshape(-1, 3)[::7], "oklab") + rng.normal(0, 2, (len(image.reshape(-1, 3)[::7]), 3))
    np.testing.assert_array_equal(kernels.grid_labels(points, colors), _brute_force_nearest(points, colors))


def _numpy_edge_weights(image, edge):
    luma = image[..., 0] * 0.299 + image[..., 1] * 0.587 + image[..., 2] * 0.114
    step = np.zeros_like(luma)
    across, down = np.abs(np.diff(luma, axis=1)), np.abs(np.diff(luma, axis=0))
    np.maximum(step[:, 1:], across, out=step[:, 1:])
    np.maximum(step[:, :-1], across, out=step[:, :-1])
    np.maximum(step[1:], down, out=step[1:])
    np.maximum(step[:-1], down, out=step[:-1])
    return 1.0 / (1.0 + (step / edge) ** 2)


@pytest.mark.parametrize("edge", [32.0, 5.0, np.inf])
@given(image=images)
def test_edge_weights_equal_numpy(image, edge):
    np.testing.assert_array_equal(dither.edge_weights(image, edge), _numpy_edge_weights(image, edge))


def test_edge_weights_of_a_photo_on_threads_equal_numpy(small_photo, monkeypatch):
    from colorlab._engine import threads

    expected = _numpy_edge_weights(small_photo, dither.EDGE)
    for count in (1, 3):
        monkeypatch.setattr(threads, "THREADS", count)
        monkeypatch.setattr(threads, "SPLIT_POINTS", 1)
        np.testing.assert_array_equal(dither.edge_weights(small_photo), expected)


def _reference_limited_diffusion(image, values, colors, strength, edge, quiet2, max2, rows=None):
    """Plain Python Floyd-Steinberg with the limits: serpentine, edge weights, quiet and clamped errors.

    ``rows``: (first, end), diffuse those rows alone, from no error (the labels of the other rows are -1).
    """
    height, width = values.shape[:2]
    weights = _numpy_edge_weights(image, edge)
    error = np.zeros((height + 1, width + 2, 3))
    labels = np.full((height, width), -1, np.intp)
    for y in range(*(rows or (0, height))):
        step = -1 if y % 2 else 1
        carry = np.zeros(3)
        for x in (range(width - 1, -1, -1) if step < 0 else range(width)):
            s = (7 * carry + error[y, x + 1]) * strength / 16 * weights[y, x]
            e2 = s[0] * s[0] + s[1] * s[1] + s[2] * s[2]
            s = np.zeros(3) if e2 < quiet2 else s * 0.8 if e2 > max2 else s
            v = values[y, x] + s
            labels[y, x] = j = int(_brute_force_nearest(v[None], colors)[0])
            e = v - colors[j]
            if e[0] * e[0] + e[1] * e[1] + e[2] * e[2] > max2:
                e = e * 0.75
            carry = e
            error[y + 1, x + 1 - step] += 3 * e
            error[y + 1, x + 1] += 5 * e
            error[y + 1, x + 1 + step] += e
    return labels


@pytest.mark.parametrize("space", ["rgb", "oklab"])
@pytest.mark.parametrize("strength", [1.0, 0.7])
def test_limited_diffusion_equals_plain_python(space, strength):
    from colorlab.color.spaces import to_space

    rng = np.random.default_rng(5)
    image = np.clip(rng.normal(120, 40, (14, 19, 3)) + np.arange(19)[None, :, None] * 4, 0, 255).astype(np.uint8)
    palette = colorlab.fit_palette(image, 12, space=space)
    values, colors = to_space(image, space), to_space(palette.colors, space)
    unit = dither._UNITS[space] / 256
    quiet2, max2 = 2 * unit * unit, (dither.CLAMP * dither._spacing(colors)) ** 2
    expected = _reference_limited_diffusion(image, values, colors, strength, dither.EDGE, quiet2, max2)
    np.testing.assert_array_equal(dither.floyd_steinberg_labels(image, palette, strength=strength), expected)


def _limited_setup(space, size=(14, 19), seed=5):
    from colorlab.color.spaces import to_space

    rng = np.random.default_rng(seed)
    height, width = size
    image = np.clip(rng.normal(120, 40, (height, width, 3)) + np.arange(width)[None, :, None] * 4, 0, 255).astype(np.uint8)
    palette = colorlab.fit_palette(image, 12, space=space)
    values, colors = to_space(image, space), to_space(palette.colors, space)
    unit = dither._UNITS[space] / 256
    return image, palette, values, colors, 2 * unit * unit, (dither.CLAMP * dither._spacing(colors)) ** 2


@pytest.mark.parametrize("space", ["rgb", "oklab"])
@pytest.mark.parametrize("limits", [True, False])
@pytest.mark.parametrize("thread_count", [1, 5])  # 4 bands: two at a time on each thread, or one by one
def test_bands_are_each_diffused_from_their_warm_up_rows(space, limits, thread_count, monkeypatch):
    from colorlab._engine import threads

    monkeypatch.setattr(threads, "THREADS", thread_count)
    image, palette, values, colors, quiet2, max2 = _limited_setup(space, (23, 11))
    options = {} if limits else {"_edge": np.inf, "_clamp": np.inf, "_quiet": 0}
    edge, quiet2, max2 = (dither.EDGE, quiet2, max2) if limits else (np.inf, 0.0, np.inf)
    monkeypatch.setattr(dither, "BAND_PIXELS", 60)
    monkeypatch.setattr(dither, "WARM_ROWS", 2)
    bands = dither.bands(23, 11)
    assert len(bands) == dither.MAX_BANDS and bands[0] == (0, 0, 6) and bands[1] == (4, 6, 12)
    expected = np.empty((23, 11), np.intp)
    for first, kept, end in bands:  # each band on its own, from its first (warm-up) row; odd rows run backwards
        band = _reference_limited_diffusion(image, values, colors, 0.9, edge, quiet2, max2, (first, end))
        expected[kept:end] = band[kept:end]
    ours = dither.floyd_steinberg_labels(image, palette, strength=0.9, **options)
    np.testing.assert_array_equal(ours, expected)
    if not limits:  # a control: without the limits the bands change labels against one diffusion from the top
        whole = _reference_limited_diffusion(image, values, colors, 0.9, edge, quiet2, max2)
        assert (whole != ours).any()


def test_banded_dithering_does_not_depend_on_the_number_of_threads(monkeypatch):
    from colorlab._engine import threads

    photo = colorlab.load_image("rocket")
    monkeypatch.setattr(dither, "BAND_PIXELS", photo.shape[0] * photo.shape[1] // 5)  # more bands than threads
    palette = colorlab.fit_palette(photo, 64, method="wu-kmeans", space="oklab")
    assert len(dither.bands(*photo.shape[:2])) == dither.MAX_BANDS
    results = []
    for count in (1, 2, 5):
        monkeypatch.setattr(threads, "THREADS", count)
        results.append(dither.floyd_steinberg_labels(photo, palette))
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])


@pytest.mark.parametrize(("height", "width", "count"), [(1, 1, 1), (10, 10, 1), (387, 387, 1), (388, 388, 1),
                                                        (600, 600, 2), (1278, 1920, 4), (2560, 3840, 4), (40, 10_000, 1)])
def test_bands_cover_every_row_once(height, width, count):
    found = dither.bands(height, width)
    assert len(found) == count
    assert [row for _, kept, end in found for row in range(kept, end)] == list(range(height))
    assert all(max(0, kept - dither.WARM_ROWS) == first for first, kept, _ in found)


def test_dithering_a_histogram_equals_dithering_the_image(small_photo):
    palette = colorlab.fit_palette(small_photo, 32, space="oklab")
    expected = dither.floyd_steinberg_labels(small_photo, palette)
    np.testing.assert_array_equal(dither.floyd_steinberg_labels(colorlab.color_histogram(small_photo), palette), expected)
    mask = np.zeros(small_photo.shape[:2], bool)
    mask[::3] = True  # a mask changes what is counted, not what is drawn
    masked = colorlab.color_histogram(small_photo, mask=mask)
    np.testing.assert_array_equal(dither.floyd_steinberg_labels(masked, palette), expected)
    np.testing.assert_array_equal(colorlab.quantize(masked, palette, dither="floyd-steinberg", return_labels=True)[1],
                                  expected)


def test_labels_are_uint8_up_to_256_colors_and_uint16_beyond(rng):
    """The diffusion writes labels as narrow as the palette allows (a 10-megapixel image: 10 MB, not 80):
    uint8 up to 256 colors, uint16 beyond, with indices past 255 intact."""
    colors = rng.integers(0, 256, (300, 3), dtype=np.uint8)
    big = colorlab.Palette(colors, np.ones(300, np.int64))
    image = colors[rng.integers(256, 300, (40, 50))]  # only colors whose index needs more than a byte
    labels = dither.floyd_steinberg_labels(image, big, strength=0)
    assert labels.dtype == np.uint16 and labels.min() >= 256
    np.testing.assert_array_equal(labels.reshape(-1), nearest_labels(image.reshape(-1, 3), big))
    small = colorlab.Palette(colors[:256], np.ones(256, np.int64))
    assert dither.floyd_steinberg_labels(image, small).dtype == np.uint8


@given(arrays(np.float64, st.tuples(st.integers(1, 40), st.just(3)),
              elements=st.sampled_from([0.0, 0.5, 1.0, 7.25, 100.0, -3.0]) | st.floats(-200, 200)))
def test_the_palette_step_is_numpys_nearest_distance_to_the_bit(colors):
    """The engine's nearest other color (used for the diffusion's clamp) adds as numpy's differences do."""
    squares = ((colors[:, None, :] - colors[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(squares, np.inf)
    expected = squares.min(axis=1)
    from colorlab._engine import kernels

    assert np.array_equal(kernels.nearest_others(colors), expected)
    assert dither._spacing(colors) == float(np.sqrt(np.median(expected)))
