"""ColorHistogram: the distinct colors of an image stand in for the image everywhere, with the same results."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

import colorlab
from colorlab.selection.smallest import smallest_k
from colorlab import color_histogram, metrics
from colorlab.cluster.fit import fit_histogram


def test_counts_and_round_trip(small_photo):
    histogram = color_histogram(small_photo)
    assert histogram.n_pixels == small_photo.shape[0] * small_photo.shape[1]
    assert histogram.counts.sum() == histogram.n_pixels
    assert len(histogram) == metrics.count_colors(small_photo) == metrics.count_colors(histogram)
    assert np.array_equal(histogram.image(), small_photo)
    assert np.array_equal(histogram.colors[histogram.inverse].reshape(small_photo.shape), small_photo)
    codes = (histogram.colors.astype(np.int64) << np.array([16, 8, 0])).sum(1)
    assert (np.diff(codes) > 0).all()  # sorted by code, each once


def test_immutable(small_photo):
    histogram = color_histogram(small_photo)
    with pytest.raises(AttributeError):
        histogram.colors = histogram.colors
    for array in (histogram.colors, histogram.counts, histogram.codes, histogram.inverse):
        with pytest.raises(ValueError):
            array[0] = 0


def test_bad_input_is_refused_with_the_image_message():
    with pytest.raises(colorlab.InvalidImageError):
        color_histogram(np.zeros((4, 4), np.float32))
    with pytest.raises(colorlab.InvalidParameterError, match="ColorHistogram"):
        fit_histogram(np.zeros((4, 4, 3), np.uint8), 2)


@pytest.mark.parametrize("method", colorlab.METHODS)
def test_same_palette_image_and_metrics_as_the_image(small_photo, method):
    histogram = color_histogram(small_photo)
    palette = colorlab.fit_palette(small_photo, 7, method=method, seed=3)
    assert colorlab.fit_palette(histogram, 7, method=method, seed=3) == palette
    quantized = colorlab.quantize(small_photo, palette)
    assert np.array_equal(colorlab.quantize(histogram, palette), quantized)
    reduced, reduced_palette = colorlab.reduce_colors(histogram, 7, method=method, seed=3)
    assert reduced_palette == palette and np.array_equal(reduced, quantized)
    # exact from the distinct colors: the same float as measuring the drawn image
    assert metrics.mse(histogram, palette) == metrics.mse(small_photo, quantized)
    assert metrics.psnr(histogram, palette) == metrics.psnr(small_photo, quantized)
    assert metrics.delta_e(histogram, palette) == pytest.approx(metrics.delta_e(small_photo, quantized), rel=1e-12)
    # the labels fit_histogram returns are those quantize gives
    _, labels = fit_histogram(histogram, 7, method=method, seed=3)
    assert np.array_equal(palette.colors[histogram.spread(labels)], quantized)


@pytest.mark.parametrize("dither", ["floyd-steinberg", "bayer"])
def test_dithering_from_a_histogram(small_photo, dither):
    palette = colorlab.fit_palette(small_photo, 5)
    assert np.array_equal(colorlab.quantize(color_histogram(small_photo), palette, dither=dither),
                          colorlab.quantize(small_photo, palette, dither=dither))


def test_pixel_arrays_and_large_images_spread_through_the_table():
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 64, (150_000, 3), dtype=np.uint8)  # above the lookup-table threshold
    histogram = color_histogram(pixels)
    assert histogram.shape == pixels.shape
    palette = colorlab.fit_palette(histogram, 12)
    assert np.array_equal(colorlab.quantize(histogram, palette), colorlab.quantize(pixels, palette))
    assert metrics.mse(histogram, palette) == metrics.mse(pixels, colorlab.quantize(pixels, palette))


@settings(max_examples=40, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 9), st.integers(1, 9), st.just(3)), elements=st.integers(0, 7)),
       st.integers(1, 6))
def test_histogram_mse_is_exact_on_any_image(image, k):
    histogram = color_histogram(image)
    palette = colorlab.fit_palette(histogram, min(k, len(histogram)))
    assert metrics.mse(histogram, palette) == metrics.mse(image, colorlab.quantize(image, palette))


def test_sweeps_of_a_masked_histogram_fit_the_counted_pixels(small_photo):
    # the engine takes only colors that have pixels; a mask leaves colors with none (this crashed the process)
    mask = np.zeros(small_photo.shape[:2], bool)
    mask[: small_photo.shape[0] // 3] = True
    histogram = color_histogram(small_photo, mask=mask)
    assert (histogram.counts == 0).any()
    rows = colorlab.sweep(histogram, [2, 5], mode="exact")
    assert [row.palette.to_hex() for row in rows] == [colorlab.fit_palette(small_photo, k, mask=mask).to_hex()
                                                      for k in (2, 5)]
    assert smallest_k(histogram, min_psnr=20.0).psnr >= 20.0


@pytest.mark.parametrize("space", ["rgb", "oklab", "lab", "linear"])
def test_coordinates_on_threads_equal_one_thread_and_the_conversion(space, monkeypatch):
    from colorlab._engine import threads
    from colorlab.color.spaces import srgb_to_linear, to_space

    colors = np.random.default_rng(1).integers(0, 256, (5000, 3), dtype=np.uint8)
    monkeypatch.setattr(threads, "THREADS", 1)
    alone = color_histogram(colors).coordinates(space)
    monkeypatch.setattr(threads, "THREADS", 3)
    monkeypatch.setattr(threads, "SPLIT_POINTS", 100)
    histogram = color_histogram(colors)
    split = histogram.coordinates(space)
    np.testing.assert_array_equal(split, alone)
    expected = srgb_to_linear(histogram.colors / 255.0) if space == "linear" else to_space(histogram.colors, space)
    np.testing.assert_array_equal(split, expected)
    assert split.dtype == np.float64 and split.shape == (len(histogram), 3) and not split.flags.writeable


def test_coordinates_are_converted_once_for_a_fit_and_its_dithering(small_photo, monkeypatch):
    """reduce_colors with dithering converts the distinct colors once: the fit's coordinates serve the
    dithering (the palette's 16 colors are converted on their own)."""
    import colorlab.histogram as histogram_module

    histogram = color_histogram(small_photo)
    calls = []
    real = histogram_module.color_coordinates
    monkeypatch.setattr(histogram_module, "color_coordinates",
                        lambda rgb8, space: calls.append(len(rgb8)) or real(rgb8, space))
    colorlab.reduce_colors(histogram, 16, method="wu-kmeans", space="oklab", dither="floyd-steinberg")
    assert calls == [len(histogram)]  # what the histogram converted (the palette's colors are the dither's own)
    colorlab.reduce_colors(histogram, 12, method="wu-kmeans", space="oklab")
    assert calls == [len(histogram)]  # another k: the same coordinates


def test_coordinates_name_the_spaces_they_know():
    histogram = color_histogram(np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(colorlab.InvalidParameterError, match="space must be one of 'rgb', 'lab', 'oklab', 'linear'"):
        histogram.coordinates("hsv")
    assert "hsv" not in histogram._coordinates
