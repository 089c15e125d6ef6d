"""Tests for colorlab.metrics: hand-computed values, properties, the Sharma CIEDE2000 table, sweeps."""

from __future__ import annotations

import csv
import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import colorlab
from colorlab import metrics
from colorlab.color import spaces as colorspace
from colorlab.errors import ColorlabWarning, InvalidImageError, InvalidParameterError
from colorlab.redraw.quantize import quantize
from colorlab.selection.smallest import NoKReachesError, smallest_k
from colorlab.selection.sweep import SweepRow

__all__: list[str] = []

SHARMA_CSV = Path(__file__).parent / "data" / "colorspace_reference" / "ciede2000_sharma2005.csv"


def _sharma_pairs() -> np.ndarray:
    with SHARMA_CSV.open() as file:
        rows = [row for row in csv.reader(line for line in file if not line.startswith("#"))]
    return np.array(rows[1:], dtype=np.float64)  # pair, L1, a1, b1, L2, a2, b2, delta_e00


pixels = arrays(np.uint8, st.tuples(st.integers(1, 12), st.just(3)))


@st.composite
def pixel_pairs(draw):
    first = draw(pixels)
    second = draw(arrays(np.uint8, first.shape))
    return first, second


# ---------------------------------------------------------------- MSE and PSNR, by hand


def test_mse_by_hand():
    original = np.array([[[0, 0, 0], [10, 20, 30]]], np.uint8)
    quantized = np.array([[[1, 2, 2], [10, 20, 30]]], np.uint8)
    # pixel 1: 1 + 4 + 4 = 9, pixel 2: 0; mean over the 2 pixels, channels summed (Celebi 2009)
    assert metrics.mse(original, quantized) == 4.5
    assert metrics.psnr(original, quantized) == pytest.approx(10 * math.log10(3 * 255**2 / 4.5))
    assert metrics.psnr(original, quantized) == pytest.approx(46.369891, abs=1e-6)  # 10 log10(43350)


def test_black_against_white_is_the_peak():
    black, white = np.zeros((3, 3), np.uint8), np.full((3, 3), 255, np.uint8)
    assert metrics.mse(black, white) == 195075.0
    assert metrics.psnr(black, white) == 0.0


def test_mse_does_not_divide_by_three(rng):
    a = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    per_channel = np.mean((a.astype(float) - b) ** 2)
    assert metrics.mse(a, b) == pytest.approx(3 * per_channel, rel=1e-12)


def test_mse_does_not_wrap_around_uint8():
    assert metrics.mse(np.array([[0, 0, 0]], np.uint8), np.array([[255, 0, 0]], np.uint8)) == 255.0**2


def test_identical_images_have_infinite_psnr(small_photo):
    assert metrics.mse(small_photo, small_photo) == 0.0
    assert metrics.psnr(small_photo, small_photo) == math.inf


def test_image_and_pixel_forms_agree(rng):
    a = rng.integers(0, 256, (8, 5, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (8, 5, 3), dtype=np.uint8)
    for function in (metrics.mse, metrics.psnr, metrics.delta_e):
        assert function(a, b) == pytest.approx(function(a.reshape(-1, 3), b.reshape(-1, 3)), rel=1e-12)


@given(pixel_pairs())
def test_mse_properties(pair):
    a, b = pair
    error = metrics.mse(a, b)
    assert error >= 0
    assert error == metrics.mse(b, a)
    assert (error == 0) == np.array_equal(a, b)


@given(pixel_pairs(), pixel_pairs())
def test_psnr_decreases_as_mse_grows(first, second):
    mse1, mse2 = metrics.mse(*first), metrics.mse(*second)
    psnr1, psnr2 = metrics.psnr(*first), metrics.psnr(*second)
    if mse1 < mse2:
        assert psnr1 > psnr2
    elif mse1 == mse2:
        assert psnr1 == psnr2


# ---------------------------------------------------------------- validation


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(InvalidImageError, match=r"same shape, got \(2, 2, 3\) and \(4, 3\)"):
        metrics.mse(np.zeros((2, 2, 3), np.uint8), np.zeros((4, 3), np.uint8))


@pytest.mark.parametrize("function", [metrics.mse, metrics.psnr, metrics.delta_e])
@pytest.mark.parametrize(
    "bad",
    [np.zeros((2, 2, 3)), np.zeros((2, 2, 4), np.uint8), np.zeros((2, 2), np.uint8)],
    ids=["float", "four-channels", "gray"],
)
def test_non_images_are_refused(function, bad):
    with pytest.raises(InvalidImageError):
        function(bad, np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(InvalidImageError):
        function(np.zeros((2, 2, 3), np.uint8), bad)


def test_empty_images_are_refused():
    empty = np.zeros((0, 3), np.uint8)
    with pytest.raises(InvalidImageError, match="no pixels"):
        metrics.mse(empty, empty)


# ---------------------------------------------------------------- CIEDE2000


def test_ciede2000_matches_sharma_wu_dalal_table():
    table = _sharma_pairs()
    assert table.shape == (34, 8)
    lab1, lab2, expected = table[:, 1:4], table[:, 4:7], table[:, 7]
    np.testing.assert_allclose(metrics.ciede2000(lab1, lab2), expected, rtol=0, atol=5e-5)  # 4-decimal table
    np.testing.assert_allclose(metrics.ciede2000(lab2, lab1), expected, rtol=0, atol=5e-5)


@pytest.mark.parametrize("pair", range(34))
def test_ciede2000_one_pair_at_a_time(pair):
    row = _sharma_pairs()[pair]
    assert float(metrics.ciede2000(row[1:4], row[4:7])) == pytest.approx(row[7], abs=5e-5)


@given(arrays(np.float64, (5, 3), elements=st.floats(-128, 128)))
def test_ciede2000_is_zero_for_equal_colors(lab):
    np.testing.assert_allclose(metrics.ciede2000(lab, lab), 0.0, atol=1e-12)


@given(arrays(np.float64, (5, 3), elements=st.floats(-128, 128)),
       arrays(np.float64, (5, 3), elements=st.floats(-128, 128)))
def test_ciede2000_is_symmetric_and_non_negative(lab1, lab2):
    forward = metrics.ciede2000(lab1, lab2)
    assert np.all(forward >= 0)
    np.testing.assert_allclose(forward, metrics.ciede2000(lab2, lab1), atol=1e-9)


def test_ciede2000_of_pure_lightness_difference_at_l50():
    # at mean L = 50 the lightness weight S_L is exactly 1, so Delta E00 is the L difference
    assert float(metrics.ciede2000([40.0, 0.0, 0.0], [60.0, 0.0, 0.0])) == pytest.approx(20.0, abs=1e-12)


def test_ciede2000_broadcasts():
    table = _sharma_pairs()
    out = metrics.ciede2000(table[:5, 1:4].reshape(5, 1, 3), table[:3, 4:7].reshape(1, 3, 3))
    assert out.shape == (5, 3)
    np.testing.assert_allclose(np.diag(out[:3]), table[:3, 7], atol=5e-5)


def test_ciede2000_refuses_wrong_shapes():
    with pytest.raises(InvalidImageError, match="lab1 must have 3 values"):
        metrics.ciede2000(np.zeros((2, 2)), np.zeros((2, 3)))


def test_delta_e_white_against_black_is_100():
    white = np.full((3, 4, 3), 255, np.uint8)
    assert metrics.delta_e(white, np.zeros_like(white)) == pytest.approx(100.0, abs=1e-9)
    assert metrics.delta_e(white, white) == 0.0


def test_delta_e_is_the_mean_over_pixels(rng):
    # duplicates on purpose: the pair counting must weigh each distinct pair by its pixels
    palette = rng.integers(0, 256, (6, 3), dtype=np.uint8)
    original = palette[rng.integers(0, 6, (30, 20))]
    quantized = palette[rng.integers(0, 6, (30, 20))]
    per_pixel = metrics.ciede2000(colorspace.to_space(original, "lab"), colorspace.to_space(quantized, "lab"))
    assert metrics.delta_e(original, quantized) == pytest.approx(per_pixel.mean(), rel=1e-12)


# ---------------------------------------------------------------- distinct colors


@pytest.mark.parametrize(
    "colors, expected",
    [
        ([[0, 0, 0]], 1),
        ([[0, 0, 0], [0, 0, 0]], 1),
        ([[0, 0, 1], [0, 1, 0], [1, 0, 0]], 3),  # channels are not mixed up
        ([[255, 255, 255], [0, 0, 0], [255, 255, 255]], 2),
    ],
)
def test_count_colors_by_hand(colors, expected):
    assert metrics.count_colors(np.array(colors, np.uint8)) == expected


@given(pixels)
def test_count_colors_matches_a_set_of_tuples(colors):
    assert metrics.count_colors(colors) == len({tuple(color) for color in colors.tolist()})


def test_count_colors_on_a_large_image_uses_the_same_answer(rng):
    # above the presence-table threshold: 2**19 pixels drawn from 70,000 known colors
    known = np.unique(rng.integers(0, 1 << 24, 70_000))
    codes = known[rng.permutation(np.resize(np.arange(known.size), 1 << 19))]
    image = np.stack([codes >> 16, (codes >> 8) & 255, codes & 255], axis=-1).astype(np.uint8).reshape(512, 1024, 3)
    assert image.shape[0] * image.shape[1] >= metrics._PRESENCE_TABLE_MIN_PIXELS
    assert metrics.count_colors(image) == known.size


def test_count_colors_of_the_small_photo(small_photo):
    assert metrics.count_colors(small_photo) == np.unique(small_photo.reshape(-1, 3), axis=0).shape[0]


# ---------------------------------------------------------------- sweeps over k


@pytest.fixture
def four_blocks() -> np.ndarray:
    """A 16x16 image of four flat, very different colors: PSNR is finite up to k=3 and inf at 4."""
    colors = np.array([[250, 20, 20], [20, 240, 30], [30, 30, 230], [240, 240, 240]], np.uint8)
    labels = np.kron(np.arange(4).reshape(2, 2), np.ones((8, 8), int))
    return colors[labels]


def test_sweep_rows_measure_their_own_palettes(small_photo):
    ks = [6, 1, 3]
    rows = colorlab.sweep(small_photo, ks, seed=0, mode="exact")
    assert [row.k for row in rows] == ks
    for row in rows:
        assert 1 <= len(row.palette) <= row.k
        quantized = quantize(small_photo, row.palette)
        assert row.mse == metrics.mse(small_photo, quantized)
        assert row.psnr == pytest.approx(10 * math.log10(3 * 255**2 / row.mse))
        assert row.delta_e == pytest.approx(metrics.delta_e(small_photo, quantized), rel=1e-12)
        assert row.delta_e > 0


def test_sweep_at_k1_is_the_variance_of_the_photo(small_photo):
    (row,) = colorlab.sweep(small_photo, [1], mode="exact")
    pixels = small_photo.reshape(-1, 3).astype(float)
    total_variance = pixels.var(axis=0).sum()
    # k=1 is the mean color, rounded to whole numbers: at most 3 * 0.5**2 above the variance
    assert total_variance <= row.mse <= total_variance + 0.75


def test_sweep_is_repeatable_with_a_seed(small_photo):
    first = colorlab.sweep(small_photo, [4, 8], seed=3, mode="exact")
    second = colorlab.sweep(small_photo, [4, 8], seed=3, mode="exact")
    assert [row.mse for row in first] == [row.mse for row in second]
    assert all(np.array_equal(a.palette.colors, b.palette.colors) for a, b in zip(first, second))


@pytest.mark.parametrize("space", colorspace.SPACES)
def test_sweep_reproduces_an_image_with_k_distinct_colors(four_blocks, space):
    rows = colorlab.sweep(four_blocks, [3, 4], space=space, mode="exact")
    assert math.isfinite(rows[0].psnr)
    assert rows[1].mse == 0.0 and rows[1].psnr == math.inf and rows[1].delta_e == 0.0


def test_sweep_rows_are_frozen(four_blocks):
    (row,) = colorlab.sweep(four_blocks, [2], mode="exact")
    with pytest.raises(AttributeError):
        row.k = 3


@pytest.mark.parametrize("ks", [[], [0], [2.5], [True], 4, "4"])
def test_sweep_refuses_bad_ks(four_blocks, ks):
    with pytest.raises(InvalidParameterError, match="ks"):
        colorlab.sweep(four_blocks, ks, mode="exact")


def test_smallest_k_finds_the_exact_k(four_blocks):
    found = smallest_k(four_blocks, min_psnr=60)
    assert found.k == 4 and found.psnr == math.inf


def test_smallest_k_for_a_low_target_is_1(four_blocks):
    assert smallest_k(four_blocks, min_psnr=0).k == 1


def test_smallest_k_says_when_k_max_is_too_small(four_blocks):
    with pytest.raises(NoKReachesError):
        smallest_k(four_blocks, min_psnr=60, k_max=3)


def test_smallest_k_never_asks_for_more_colors_than_the_image_has(four_blocks):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ColorlabWarning)  # fit_palette warns when k > distinct colors
        assert smallest_k(four_blocks, min_psnr=math.inf, k_max=64).k == 4


def test_smallest_k_on_a_photo_meets_the_target_and_k_minus_1_does_not(small_photo):
    target = 30.0
    row = smallest_k(small_photo, min_psnr=target, k_max=16)
    assert row.psnr >= target
    (same,) = colorlab.sweep(small_photo, [row.k], mode="exact")
    assert same.psnr == row.psnr and same.palette == row.palette  # the same seed gives the same measurement
    if row.k > 1:
        (below,) = colorlab.sweep(small_photo, [row.k - 1], mode="exact")
        assert below.psnr < target


@pytest.mark.parametrize("target", [float("nan"), "30", None, True])
def test_smallest_k_refuses_a_bad_target(four_blocks, target):
    with pytest.raises(InvalidParameterError, match="min_psnr"):
        smallest_k(four_blocks, min_psnr=target)


@pytest.mark.parametrize("k_max", [0, -3, 2.5, True, "8"])
def test_smallest_k_refuses_a_bad_k_max(four_blocks, k_max):
    with pytest.raises(InvalidParameterError, match="k_max"):
        smallest_k(four_blocks, min_psnr=30, k_max=k_max)


def test_the_old_sweep_names_in_metrics_warn_and_give_the_same_rows(four_blocks):
    with pytest.warns(FutureWarning, match="colorlab.selection.sweep"):
        old = metrics.sweep_k
    with pytest.warns(FutureWarning, match="mode='exact'"):
        rows = old(four_blocks, [2, 3])
    assert rows == colorlab.sweep(four_blocks, [2, 3], mode="exact")
    with pytest.warns(FutureWarning):
        found = metrics.smallest_k_for_psnr(four_blocks, 60)
        assert metrics.smallest_k_for_psnr(four_blocks, 60, k_max=3) is None
    assert found.k == smallest_k(four_blocks, min_psnr=60).k == 4
    with pytest.warns(FutureWarning):
        assert metrics.KSweepRow is SweepRow


# ---------------------------------------------------------------- module hygiene


def test_metrics_and_colorspace_do_not_import_plotting():
    code = "import sys, colorlab.metrics, colorlab.color.spaces; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------- PNG size


def test_png_size_is_the_size_of_the_file_save_image_writes(small_photo, tmp_path):
    from colorlab import fit_palette, save_image

    palette = fit_palette(small_photo, 8)
    quantized = quantize(small_photo, palette)
    written = save_image(tmp_path / "q.png", quantized, palette=palette)
    assert metrics.png_size(quantized, palette) == written.stat().st_size
    assert metrics.png_size(small_photo) == save_image(tmp_path / "o.png", small_photo).stat().st_size


def test_indexed_png_is_smaller_and_fewer_colors_are_smaller_still(small_photo):
    from colorlab import fit_palette

    sizes = []
    for k in (2, 16):
        palette = fit_palette(small_photo, k)
        sizes.append(metrics.png_size(quantize(small_photo, palette), palette))
    assert sizes[0] < sizes[1] < metrics.png_size(small_photo)


def test_png_size_refuses_an_unquantized_image(small_photo):
    from colorlab import Palette

    with pytest.raises(InvalidParameterError, match="quantize it first"):
        metrics.png_size(small_photo, Palette([[0, 0, 0]], counts=[1]))
    with pytest.raises(InvalidImageError):
        metrics.png_size(small_photo.reshape(-1, 3))


@pytest.mark.parametrize("value", [1.0, 37.5, 1950.75, 195075.0])
def test_psnr_from_mse_matches_psnr(value, rng):
    original = rng.integers(0, 256, (50, 3), dtype=np.uint8)
    quantized = rng.integers(0, 256, (50, 3), dtype=np.uint8)
    assert metrics.psnr_from_mse(metrics.mse(original, quantized)) == metrics.psnr(original, quantized)
    assert metrics.psnr_from_mse(value) == pytest.approx(10 * np.log10(3 * 255**2 / value))


@pytest.mark.parametrize("bad", [-1.0, float("nan")])
def test_psnr_from_mse_refuses_negative_or_nan(bad):
    with pytest.raises(InvalidParameterError, match="mse must be a number >= 0"):
        metrics.psnr_from_mse(bad)


# -- SSIM ----------------------------------------------------------------------------------------

def _skimage_ssim(a, b):
    structural_similarity = pytest.importorskip("skimage.metrics").structural_similarity
    return structural_similarity(metrics.luma(a), metrics.luma(b), data_range=255, gaussian_weights=True,
                                 sigma=1.5, use_sample_covariance=False)


@pytest.mark.parametrize("shape", [(11, 11), (23, 40), (120, 97)])
def test_ssim_equals_scikit_image_on_random_images(shape):
    rng = np.random.default_rng(shape[0])
    a = rng.integers(0, 256, shape + (3,), dtype=np.uint8)
    b = np.clip(a.astype(int) + rng.integers(-60, 60, a.shape), 0, 255).astype(np.uint8)
    assert abs(metrics.ssim(a, b) - _skimage_ssim(a, b)) <= 1e-6
    assert abs(metrics.ssim(a, 255 - a) - _skimage_ssim(a, 255 - a)) <= 1e-6


@pytest.mark.parametrize("k", [2, 16])
def test_ssim_equals_scikit_image_on_a_photo(small_photo, k):
    quantized = colorlab.quantize(small_photo, colorlab.fit_palette(small_photo, k), dither="floyd-steinberg")
    value = metrics.ssim(small_photo, quantized)
    assert abs(value - _skimage_ssim(small_photo, quantized)) <= 1e-6
    assert 0 < value < 1


def test_ssim_refuses_different_shapes_and_tiny_images():
    a = np.zeros((20, 20, 3), np.uint8)
    with pytest.raises(InvalidImageError, match="same shape"):
        metrics.ssim(a, a[:19])
    with pytest.raises(InvalidImageError, match="at least 11 x 11"):
        metrics.ssim(a[:10], a[:10])
