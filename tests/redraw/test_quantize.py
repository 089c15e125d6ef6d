"""Tests of colorlab.quantize: nearest palette color per pixel, through a lookup over distinct colors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import colorlab
from colorlab._engine import threads as _threads
from colorlab.color.spaces import to_space
from colorlab.errors import InvalidImageError, InvalidParameterError

images = arrays(np.uint8, st.tuples(st.integers(1, 20), st.integers(1, 20), st.just(3)), elements=st.integers(0, 255))
palettes = arrays(np.uint8, st.tuples(st.integers(1, 12), st.just(3)), elements=st.integers(0, 255))


def brute_force_sqdist(image, colors, space):
    pixels = to_space(image.reshape(-1, 3), space)
    return ((pixels[:, None, :] - to_space(colors, space)[None, :, :]) ** 2).sum(axis=2)


@pytest.mark.parametrize("space", colorlab.SPACES)
@given(image=images, colors=palettes)
def test_every_pixel_gets_its_nearest_palette_color(space, image, colors):
    palette = colorlab.Palette(colors, np.ones(len(colors), np.int64), space=space)
    quantized, labels = colorlab.quantize(image, palette, return_labels=True)
    sq = brute_force_sqdist(image, palette.colors, space)
    chosen = sq[np.arange(len(sq)), labels.ravel()]
    np.testing.assert_allclose(chosen, sq.min(axis=1), rtol=1e-9, atol=1e-9)  # ties may go either way
    np.testing.assert_array_equal(quantized, palette.colors[labels])


@pytest.mark.parametrize("method", ("kmeans", "kmeans2"))
@given(image=images, k=st.integers(1, 8))
def test_quantized_image_uses_at_most_k_colors_all_from_the_palette(method, image, k):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", colorlab.ColorlabWarning)
        palette = colorlab.fit_palette(image, k, method=method)
    quantized = colorlab.quantize(image, palette)
    used = np.unique(quantized.reshape(-1, 3), axis=0)
    assert len(used) <= k
    assert {tuple(c) for c in used} <= set(palette)


@pytest.mark.parametrize("shape", [(7, 3), (4, 5, 3)])
def test_shapes_and_dtypes_of_results(shape, rng):
    image = rng.integers(0, 256, size=shape, dtype=np.uint8)
    palette = colorlab.Palette([[0, 0, 0], [255, 255, 255], [255, 0, 0]], [1, 1, 1])
    quantized, labels = colorlab.quantize(image, palette, return_labels=True)
    assert quantized.shape == image.shape and quantized.dtype == np.uint8
    assert labels.shape == shape[:-1] and labels.dtype == np.uint8
    assert colorlab.quantize(image, palette).shape == image.shape


def test_big_image_lookup_split_over_threads_matches_brute_force(rng, monkeypatch):
    # More pixels than _SPLIT_PIXELS: each thread looks up the labels of its part of the image.
    monkeypatch.setattr(_threads, "THREADS", 2)
    image = rng.integers(0, 256, size=(_threads.SPLIT_PIXELS // 300 + 1, 300, 3), dtype=np.uint8)
    palette = colorlab.Palette(rng.integers(0, 256, size=(9, 3)).astype(np.uint8), np.ones(9, np.int64))
    _, labels = colorlab.quantize(image, palette, return_labels=True)
    sq = brute_force_sqdist(image, palette.colors, "rgb")
    np.testing.assert_array_equal(sq[np.arange(len(sq)), labels.ravel()], sq.min(axis=1))


def test_ties_go_to_the_color_listed_first():
    palette = colorlab.Palette([[0, 0, 0], [2, 0, 0]], [1, 1])
    _, labels = colorlab.quantize(np.array([[1, 0, 0]], np.uint8), palette, return_labels=True)
    assert labels.tolist() == [0]


def test_palette_with_more_than_256_colors_gives_uint16_labels(rng):
    colors = np.unique(rng.integers(0, 256, size=(400, 3)).astype(np.uint8), axis=0)
    palette = colorlab.Palette(colors, np.ones(len(colors), np.int64))
    quantized, labels = colorlab.quantize(colors, palette, return_labels=True)
    assert labels.dtype == np.uint16
    np.testing.assert_array_equal(quantized, colors)


def test_quantized_real_photo_uses_k_colors_and_is_closer_than_black(small_photo):
    palette = colorlab.fit_palette(small_photo, 6)
    quantized = colorlab.quantize(small_photo, palette)
    assert len(np.unique(quantized.reshape(-1, 3), axis=0)) == 6
    assert colorlab.metrics.mse(small_photo, quantized) < colorlab.metrics.mse(small_photo, np.zeros_like(small_photo))


@pytest.mark.parametrize("palette", [None, [[0, 0, 0]], np.zeros((2, 3), np.uint8), "palette"])
def test_palette_must_be_a_palette(palette):
    with pytest.raises(InvalidParameterError, match="palette must be a colorlab.Palette"):
        colorlab.quantize(np.zeros((2, 2, 3), np.uint8), palette)


@pytest.mark.parametrize("bad", [np.zeros((4, 4), np.uint8), np.zeros((2, 2, 4), np.uint8),
                                 np.zeros((2, 2, 3), np.float32), np.zeros((0, 0, 3), np.uint8)])
def test_wrong_images_are_refused(bad):
    with pytest.raises(InvalidImageError):
        colorlab.quantize(bad, colorlab.Palette([[0, 0, 0]], [1]))


@pytest.mark.parametrize("dither", ["none", "floyd-steinberg", "bayer"])
@pytest.mark.parametrize("method", ["agglomerative", "median-cut", "pillow-octree"])
@given(image=images, k=st.integers(1, 8))
def test_new_methods_and_dithers_use_only_palette_colors(method, dither, image, k):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", colorlab.ColorlabWarning)
        palette = colorlab.fit_palette(image, k, method=method)
    used = np.unique(colorlab.quantize(image, palette, dither=dither).reshape(-1, 3), axis=0)
    assert len(used) <= k
    assert {tuple(c) for c in used} <= set(palette)


# -- reduce_colors: fit and redraw in one step ------------------------------------------------------

FAST_METHODS = [m for m in colorlab.METHODS if m not in ("scipy", "kmeans2")]


@pytest.mark.parametrize("method", FAST_METHODS)
@pytest.mark.parametrize("space", colorlab.SPACES)
def test_reduce_colors_is_fit_palette_then_quantize(small_photo, method, space):
    quantized, palette = colorlab.reduce_colors(small_photo, 7, method=method, space=space, seed=2)
    expected_palette = colorlab.fit_palette(small_photo, 7, method=method, space=space, seed=2)
    assert palette == expected_palette
    np.testing.assert_array_equal(quantized, colorlab.quantize(small_photo, expected_palette))


@pytest.mark.parametrize("dither", ["floyd-steinberg", "bayer"])
def test_reduce_colors_dithers_like_quantize(small_photo, dither):
    quantized, palette = colorlab.reduce_colors(small_photo, 5, dither=dither)
    np.testing.assert_array_equal(quantized, colorlab.quantize(small_photo, palette, dither=dither))


@given(image=images, k=st.integers(1, 12))
def test_reduce_colors_matches_the_two_calls_on_any_image(image, k):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", colorlab.ColorlabWarning)  # images with fewer than k colors
        quantized, palette = colorlab.reduce_colors(image, k)
        expected = colorlab.quantize(image, colorlab.fit_palette(image, k))
    np.testing.assert_array_equal(quantized, expected)
    assert len(np.unique(quantized.reshape(-1, 3), axis=0)) <= k


def test_reduce_colors_on_an_image_split_over_threads(rng, monkeypatch):
    monkeypatch.setattr(_threads, "THREADS", 2)
    image = rng.integers(0, 64, size=(_threads.SPLIT_PIXELS // 1000 + 1, 1000, 3), dtype=np.uint8)
    quantized, palette = colorlab.reduce_colors(image, 16)
    np.testing.assert_array_equal(quantized, colorlab.quantize(image, palette))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda image: colorlab.reduce_colors(image, 0), "k must"),
        (lambda image: colorlab.reduce_colors(image, 4, dither="blue-noise"), "dither must"),
        (lambda image: colorlab.reduce_colors(image, 4, method="dbscan"), "method must"),
        (lambda image: colorlab.reduce_colors(image.astype(float), 4), "uint8"),
    ],
    ids=["k", "dither", "method", "float-image"],
)
def test_reduce_colors_refuses_bad_input_with_one_clear_error(small_photo, call, message):
    with pytest.raises(colorlab.ColorlabError, match=message):
        call(small_photo)


def test_palette_counts_and_labels_with_ties_follow_the_final_order():
    from colorlab.cluster._centers import ordered_counts

    # [5, 0, 0] is as far from black as from [10, 0, 0]: it goes to whichever is listed first
    coords = np.array([[0.0, 0, 0], [5, 0, 0], [10, 0, 0]])
    counts = np.array([2, 1, 5])
    colors, palette_counts, labels = ordered_counts(np.array([[0, 0, 0], [10, 0, 0]], np.uint8), coords, counts, "rgb")
    assert colors.tolist() == [[10, 0, 0], [0, 0, 0]]
    assert palette_counts.tolist() == [6, 2]
    assert labels.tolist() == [1, 0, 0]
