"""Tests of colorlab.redraw.compare: methods, spaces and dithers side by side, and the text table."""

from __future__ import annotations

import numpy as np
import pytest

import colorlab
from colorlab import metrics
from colorlab.redraw import compare
from colorlab.errors import InvalidParameterError


def test_rows_measure_the_quantized_image_of_each_method(small_photo):
    methods = ["kmeans", "agglomerative", "median-cut", "pillow-octree"]
    rows = compare.compare_methods(small_photo, 6, methods)
    assert [row.label for row in rows] == methods
    for row, method in zip(rows, methods):
        assert row.palette == colorlab.fit_palette(small_photo, 6, method=method)
        np.testing.assert_array_equal(row.quantized, colorlab.quantize(small_photo, row.palette))
        assert row.mse == metrics.mse(small_photo, row.quantized)
        assert row.psnr == metrics.psnr(small_photo, row.quantized)
        assert row.delta_e == metrics.delta_e(small_photo, row.quantized)
        assert row.seconds > 0


def test_spaces_are_compared_with_the_same_method(small_photo):
    rows = compare.compare_spaces(small_photo, 5, method="median-cut")
    assert [(row.label, row.palette.space, row.palette.method) for row in rows] == [
        (space, space, "median-cut") for space in colorlab.SPACES]


def test_rgb_clustering_has_the_lowest_mse(small_photo):
    # k-means in RGB minimises exactly the RGB squared error; the other spaces minimise something else
    rgb, lab, oklab = compare.compare_spaces(small_photo, 8)
    assert rgb.mse < min(lab.mse, oklab.mse)


def test_lab_clustering_lowers_delta_e_on_a_colorful_kodak_photo(kodak_dir):
    # measured at half size: rgb 9.19, lab 7.33 (other photos gain less, some nothing: see notebook 05)
    image = colorlab.load_image(kodak_dir / "kodim23.png")[::2, ::2]
    rgb, lab = compare.compare_spaces(image, 8, ["rgb", "lab"])
    assert lab.delta_e < 0.9 * rgb.delta_e


def test_dithers_keep_the_palette(small_photo):
    palette = colorlab.fit_palette(small_photo, 4)
    rows = compare.compare_dithers(small_photo, palette)
    assert [row.label for row in rows] == ["none", "floyd-steinberg", "bayer"]
    assert all(row.palette is palette for row in rows)
    np.testing.assert_array_equal(rows[2].quantized, colorlab.quantize(small_photo, palette, dither="bayer"))


@pytest.mark.parametrize(("call", "bad"), [("methods", ["kmeans", "kmeans3"]), ("methods", "kmeans"),
                                           ("methods", []), ("spaces", ["hsv"]), ("dithers", ["floyd"])])
def test_bad_lists_are_refused_naming_the_valid_values(small_photo, call, bad):
    with pytest.raises(InvalidParameterError):
        if call == "methods":
            compare.compare_methods(small_photo, 3, bad)
        elif call == "spaces":
            compare.compare_spaces(small_photo, 3, bad)
        else:
            compare.compare_dithers(small_photo, colorlab.fit_palette(small_photo, 3), bad)


def test_table_has_a_header_and_a_line_per_row(small_photo):
    rows = compare.compare_methods(small_photo, 4, ["kmeans", "median-cut"])
    lines = compare.table(rows).splitlines()
    assert lines[0].split() == ["name", "colors", "MSE", "PSNR", "dB", "deltaE", "seconds"]
    assert [line.split()[0] for line in lines[1:]] == ["kmeans", "median-cut"]
    assert lines[1].split()[1:3] == ["4", f"{rows[0].mse:.1f}"]


def test_timing_warms_up_then_keeps_the_fastest_of_the_repeats(monkeypatch, small_photo):
    # the first call in a fresh kernel also loads compiled code: it must never be the one shown
    durations = iter([5.0, 0.3, 0.2, 0.4])  # warm-up, then three timed runs
    calls = []

    def fake_work():
        calls.append(1)
        return "result"

    clock = {"now": 0.0}

    def fake_counter():
        return clock["now"]

    def advance_work():
        clock["now"] += next(durations)
        return fake_work()

    monkeypatch.setattr(compare.time, "perf_counter", fake_counter)
    result, seconds = compare._timed(advance_work, 3, True)
    assert result == "result" and len(calls) == 4 and seconds == pytest.approx(0.2)


def test_timing_options_are_checked(small_photo):
    with pytest.raises(InvalidParameterError, match="repeat must be a whole number"):
        compare.compare_methods(small_photo, 3, ["kmeans"], repeat=0)
    with pytest.raises(InvalidParameterError, match="warm_up must be True or False"):
        compare.compare_dithers(small_photo, colorlab.fit_palette(small_photo, 3), warm_up="yes")
    rows = compare.compare_methods(small_photo, 3, ["median-cut"], repeat=1, warm_up=False)
    assert rows[0].seconds > 0


def test_patch_mse_is_the_mse_of_patch_means(small_photo):
    quantized = colorlab.quantize(small_photo, colorlab.fit_palette(small_photo, 4))
    for linear in (True, False):
        one = compare.patch_mse(small_photo, quantized, 1, linear=linear)
        assert one == pytest.approx(metrics.mse(small_photo, quantized), rel=1e-5)
    means = [image[:64, :96].astype(float).reshape(16, 4, 24, 4, 3).mean(axis=(1, 3)) for image in (small_photo, quantized)]
    assert compare.patch_mse(small_photo, quantized, 4, linear=False) == pytest.approx(
        ((means[0] - means[1]) ** 2).sum(axis=2).mean())


def test_patch_mse_averages_light_not_codes():
    """A black-and-white checkerboard sends half of white's light: the sRGB gray 188, not 128."""
    checkers = np.repeat(np.where(np.indices((8, 8)).sum(axis=0)[..., None] % 2 == 1, 255, 0), 3, axis=2).astype(np.uint8)
    errors = {code: compare.patch_mse(np.full((8, 8, 3), code, np.uint8), checkers, 2) for code in range(256)}
    assert min(errors, key=errors.get) == 188
    codes = {code: compare.patch_mse(np.full((8, 8, 3), code, np.uint8), checkers, 2, linear=False) for code in range(256)}
    assert min(codes, key=codes.get) in (127, 128)


def test_dithering_wins_on_patch_averages_though_it_loses_pixel_by_pixel(small_photo):
    palette = colorlab.fit_palette(small_photo, 3)
    none, floyd, _ = compare.compare_dithers(small_photo, palette, repeat=1)
    assert floyd.mse > none.mse
    assert compare.patch_mse(small_photo, floyd.quantized) < compare.patch_mse(small_photo, none.quantized)


def test_patch_mse_explains_bad_input(small_photo):
    with pytest.raises(InvalidParameterError, match="same shape"):
        compare.patch_mse(small_photo, small_photo[:10])
    with pytest.raises(InvalidParameterError, match="size must be a whole number from 1 to 64"):
        compare.patch_mse(small_photo, small_photo, 65)
