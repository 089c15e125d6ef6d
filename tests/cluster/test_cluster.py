"""Tests of colorlab.cluster (fit_palette) and the engine in colorlab._engine.kmeans."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import colorlab
from colorlab._engine import codes as _codes
from colorlab._engine import kernels as _kernels
from colorlab._engine import kmeans as _kmeans
from colorlab.errors import ColorlabWarning, InvalidImageError, InvalidParameterError

FAST_METHODS = ("kmeans", "kmeans2")


def plain_lloyd(pixels, centers, max_iter):
    """The oracle: Lloyd on every pixel, written straightforwardly. Returns (centers, labels, had_empty)."""
    pixels = pixels.astype(np.float64)
    centers = np.array(centers, dtype=np.float64)
    labels = ((pixels[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    for _ in range(max_iter):
        if len(np.unique(labels)) < len(centers):
            return centers, labels, True
        centers = np.array([pixels[labels == j].mean(axis=0) for j in range(len(centers))])
        new = ((pixels[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
    return centers, labels, False


pixel_arrays = arrays(np.uint8, st.tuples(st.integers(1, 300), st.just(3)), elements=st.integers(0, 255))
small_value_pixels = arrays(np.uint8, st.tuples(st.integers(1, 300), st.just(3)), elements=st.integers(0, 6))


@given(st.one_of(pixel_arrays, small_value_pixels), st.integers(1, 6), st.integers(0, 2**32 - 1), st.integers(1, 40))
def test_weighted_lloyd_on_distinct_colors_equals_plain_lloyd_on_all_pixels(pixels, k, seed, max_iter):
    colors, counts = _codes.distinct_colors(pixels)
    assume(len(colors) >= k)
    start = colors[np.random.default_rng(seed).choice(len(colors), k, replace=False)].astype(np.float64)
    expected_centers, expected_labels, had_empty = plain_lloyd(pixels, start, max_iter)
    assume(not had_empty)
    centers, labels, _ = _kmeans.weighted_lloyd(colors.astype(np.float64), counts, start, max_iter=max_iter)
    pixel_labels = labels[np.searchsorted(_codes.pack_rgb(colors), _codes.pack_rgb(pixels))]
    np.testing.assert_array_equal(pixel_labels, expected_labels)
    np.testing.assert_array_equal(centers, expected_centers)


@given(pixel_arrays)
def test_distinct_colors_counts_every_pixel(pixels):
    colors, counts = _codes.distinct_colors(pixels)
    expected, expected_counts = np.unique(pixels, axis=0, return_counts=True)
    np.testing.assert_array_equal(colors, expected)
    np.testing.assert_array_equal(counts, expected_counts)


def test_distinct_colors_of_many_pixels_match_sorting(rng):
    # 1.5 million pixels of few colors: the presence bitmap counts each color many times.
    pixels = rng.integers(0, 40, size=(1_500_005, 3), dtype=np.uint8)
    colors, counts = _codes.distinct_colors(pixels)
    expected, expected_counts = np.unique(_codes.pack_rgb(pixels), return_counts=True)
    np.testing.assert_array_equal(colors, _codes.unpack_rgb(expected))
    np.testing.assert_array_equal(counts, expected_counts)


@pytest.mark.parametrize("method", colorlab.METHODS)
@pytest.mark.parametrize("space", colorlab.SPACES)
def test_palette_has_k_distinct_colors_and_counts_all_pixels(small_photo, method, space):
    palette = colorlab.fit_palette(small_photo, 5, method=method, space=space, seed=1)
    assert len(palette) == 5
    assert len(np.unique(palette.colors, axis=0)) == 5
    assert palette.counts.sum() == small_photo.shape[0] * small_photo.shape[1]
    assert (palette.method, palette.space, palette.params["k"], palette.params["seed"]) == (method, space, 5, 1)
    _, labels = colorlab.quantize(small_photo, palette, return_labels=True)
    np.testing.assert_array_equal(np.bincount(labels.ravel(), minlength=5), palette.counts)


@pytest.mark.parametrize("method", FAST_METHODS)
@given(pixels=st.one_of(pixel_arrays, small_value_pixels), k=st.integers(1, 8), seed=st.integers(0, 2**16))
def test_same_seed_gives_same_palette(method, pixels, k, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColorlabWarning)
        first = colorlab.fit_palette(pixels, k, method=method, seed=seed)
        second = colorlab.fit_palette(pixels, k, method=method, seed=seed)
    assert first == second


@pytest.mark.parametrize("space", colorlab.SPACES)
@given(pixels=st.one_of(pixel_arrays, small_value_pixels), k=st.integers(1, 8))
def test_exactly_k_colors_when_enough_distinct_colors(space, pixels, k):
    n_distinct = len(np.unique(pixels, axis=0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        palette = colorlab.fit_palette(pixels, k, space=space)
    assert len(palette) == min(k, n_distinct)
    assert len(np.unique(palette.colors, axis=0)) == len(palette)
    assert any(issubclass(w.category, ColorlabWarning) for w in caught) == (n_distinct < k)


@pytest.mark.parametrize("method", colorlab.METHODS)
def test_three_color_image_with_k6_gives_those_three_colors_and_a_warning(method):
    colors = np.array([[255, 0, 0], [0, 128, 0], [10, 20, 250]], np.uint8)
    image = np.repeat(colors, [30, 20, 10], axis=0).reshape(6, 10, 3)
    with pytest.warns(ColorlabWarning, match="only 3 distinct colors"):
        palette = colorlab.fit_palette(image, 6, method=method)
    np.testing.assert_array_equal(palette.colors, colors)
    np.testing.assert_array_equal(palette.counts, [30, 20, 10])


@pytest.mark.parametrize("method", FAST_METHODS)
@given(pixels=pixel_arrays)
def test_k1_gives_the_rounded_mean_color(method, pixels):
    assume(len(np.unique(pixels, axis=0)) > 1)
    palette = colorlab.fit_palette(pixels, 1, method=method)
    mean = pixels.astype(np.float64).mean(axis=0)
    assert np.abs(palette.colors[0].astype(float) - mean).max() <= 0.5 + 1e-9


def test_rounding_to_the_same_color_is_repaired():
    # Centers 100.2 and 100.4 (and more) collapse when rounded: the palette must stay distinct.
    pixels = np.array([[100, 100, 100]] * 50 + [[101, 100, 100]] * 1 + [[100, 101, 100]] + [[0, 0, 0]], np.uint8)
    centers = np.array([[100.2, 100, 100], [100.4, 100, 100], [0, 0, 0]])
    colors, counts = _codes.distinct_colors(pixels)
    from colorlab.cluster._centers import distinct_rounded as _distinct_rounded

    palette = _distinct_rounded(centers, colors, colors.astype(float), counts, 3, "rgb")
    assert len(np.unique(palette, axis=0)) == 3


def test_kmeans_beats_scipy_kmeans2_and_a_long_plain_lloyd_on_a_real_photo(small_photo):
    pixels = small_photo.reshape(-1, 3)
    ours = colorlab.metrics.mse(small_photo, colorlab.quantize(small_photo, colorlab.fit_palette(small_photo, 8)))
    theirs = colorlab.metrics.mse(
        small_photo, colorlab.quantize(small_photo, colorlab.fit_palette(small_photo, 8, method="kmeans2"))
    )
    start = pixels[np.random.default_rng(0).choice(len(pixels), 8, replace=False)]
    centers, labels, _ = plain_lloyd(pixels, start, 300)
    lloyd = float(((pixels - np.clip(np.rint(centers), 0, 255)[labels]) ** 2).sum(axis=1).mean())
    assert ours <= 1.01 * theirs
    assert ours <= 1.01 * lloyd


# Published incremental online k-means MSE (../shared/datasets/kodak/README.md).
IOKM = {("kodim05", 8): 689.97, ("kodim05", 16): 389.18, ("kodim05", 32): 202.64, ("kodim05", 64): 110.80,
        ("kodim05", 128): 63.79, ("kodim05", 256): 38.18,
        ("kodim23", 8): 1017.66, ("kodim23", 16): 485.24, ("kodim23", 32): 241.26, ("kodim23", 64): 131.98,
        ("kodim23", 128): 75.15, ("kodim23", 256): 44.49}


@pytest.mark.parametrize(("name", "k"), sorted(IOKM))
def test_kodak_mse_at_or_below_published_figures(kodak_dir, name, k):
    image = colorlab.load_image(kodak_dir / f"{name}.png")
    mse = colorlab.metrics.mse(image, colorlab.quantize(image, colorlab.fit_palette(image, k)))
    assert mse <= IOKM[name, k]


@pytest.mark.parametrize("k", [0, -1, 1.5, "six", True, np.True_, 10**6, 257, None, 6.0])
def test_invalid_k_is_refused_with_a_plain_sentence(small_photo, k):
    with pytest.raises(InvalidParameterError, match="k must be a whole number from 1 to 256"):
        colorlab.fit_palette(small_photo, k)


@pytest.mark.parametrize("k", [np.int64(3), np.uint8(3), 3])
def test_numpy_integers_are_fine_as_k(small_photo, k):
    assert len(colorlab.fit_palette(small_photo, k)) == 3


@pytest.mark.parametrize(("keyword", "value", "valid"), [("method", "kmeans3", "'kmeans', 'kmeans2', 'scipy'"),
                                                         ("space", "hsv", "'rgb', 'lab', 'oklab'")])
def test_unknown_method_or_space_lists_the_valid_ones(small_photo, keyword, value, valid):
    with pytest.raises(InvalidParameterError, match=valid):
        colorlab.fit_palette(small_photo, 4, **{keyword: value})


@pytest.mark.parametrize("bad", [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8),
                                 np.zeros((4, 4, 3), np.float64), np.zeros((0, 3), np.uint8), [[1, 2, 3]]])
def test_wrong_shapes_and_dtypes_are_refused(bad):
    with pytest.raises(InvalidImageError):
        colorlab.fit_palette(bad, 2)


# -- methods beyond k-means ------------------------------------------------------------

DETERMINISTIC_METHODS = ("agglomerative", "median-cut", "pillow-median-cut", "pillow-max-coverage", "pillow-octree")


def test_methods_list_the_new_ones_and_libimagequant_only_when_pillow_has_it():
    from PIL import features

    assert set(DETERMINISTIC_METHODS) <= set(colorlab.METHODS)
    assert ("libimagequant" in colorlab.METHODS) == bool(features.check("libimagequant"))


def test_every_method_is_documented_in_fit_palette():
    for method in colorlab.METHODS:
        assert f'``"{method}"``' in colorlab.fit_palette.__doc__


@pytest.mark.parametrize("method", colorlab.METHODS)
def test_cli_accepts_every_method(method):
    from colorlab.cli import build_parser

    args = build_parser().parse_args(["quantize", "in.png", "-k", "6", "-o", "out.png", "--method", method])
    assert args.method == method


@pytest.mark.parametrize("method", DETERMINISTIC_METHODS)
def test_deterministic_methods_ignore_the_seed_but_record_it(small_photo, method):
    first = colorlab.fit_palette(small_photo, 6, method=method, seed=1)
    second = colorlab.fit_palette(small_photo, 6, method=method, seed=2)
    np.testing.assert_array_equal(first.colors, second.colors)
    assert second.params["seed"] == 2 and second.method == method


@pytest.mark.parametrize("method", ["agglomerative", "median-cut"])
@given(pixels=pixel_arrays)
def test_k1_of_our_methods_is_the_rounded_mean_color(method, pixels):
    assume(len(np.unique(pixels, axis=0)) > 1)
    palette = colorlab.fit_palette(pixels, 1, method=method)
    assert np.abs(palette.colors[0].astype(float) - pixels.astype(np.float64).mean(axis=0)).max() <= 0.5 + 1e-9


@pytest.mark.parametrize("method", ["pillow-median-cut", "pillow-octree", "pillow-max-coverage"])
def test_pillow_methods_give_pillows_colors(small_photo, method):
    from PIL import Image

    from colorlab.cluster.fit import _PILLOW_METHODS

    indexed = Image.fromarray(small_photo).quantize(8, method=Image.Quantize[_PILLOW_METHODS[method]],
                                                    dither=Image.Dither.NONE)
    table = np.array(indexed.getpalette(), np.uint8).reshape(-1, 3)[np.unique(np.asarray(indexed))]
    palette = colorlab.fit_palette(small_photo, 8, method=method)
    assert {tuple(c) for c in table} <= {tuple(c) for c in palette.colors}


@pytest.mark.parametrize("k", [2, 5, 16])
def test_locked_seeding_continues_the_engines_kmeans_plusplus(small_photo, k):
    # one k-means++: given the engine's first center, the locked colors' seeding picks the engine's others
    histogram = colorlab.color_histogram(small_photo).counted()
    points, weights = histogram.colors.astype(np.float64), histogram.counts.astype(np.float64)
    first_u, trial_u = _kmeans._seed_numbers(k, np.random.default_rng(7))
    engine = _kernels.kmeans_plusplus(points, weights, first_u, trial_u)
    rng = np.random.default_rng(7)
    rng.random()  # the first center's number
    continued = _kmeans.plusplus_given(points, weights, engine[:1], k - 1, rng)
    np.testing.assert_array_equal(continued, engine[1:])
