"""Tests for colorlab.color.spaces: published reference values, round trips, shapes, NaN and errors."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from colorlab.color import spaces as cs
from colorlab.errors import InvalidImageError, InvalidParameterError

__all__: list[str] = []

# ---------------------------------------------------------------- reference values

# IEC 61966-2-1:1999, section 5.2: the printed (4-decimal) sRGB -> XYZ matrix and its printed inverse.
IEC_SRGB_TO_XYZ = [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
IEC_XYZ_TO_SRGB = [[3.2406, -1.5372, -0.4986], [-0.9689, 1.8758, 0.0415], [0.0557, -0.2040, 1.0570]]

# CIELAB (D65) of 8-bit sRGB colors from Bruce Lindbloom's color calculator
# (http://brucelindbloom.com/index.html?ColorCalculator.html), the values scikit-image tests rgb2lab
# against. Lindbloom uses the white (0.95047, 1, 1.08883); colorlab derives its white from the
# chromaticity (0.3127, 0.3290) of IEC 61966-2-1, which moves the results by less than 0.01.
LINDBLOOM_LAB = {
    (255, 255, 255): (100.0, 0.0, 0.0),
    (255, 255, 0): (97.1393, -21.5537, 94.4780),
    (0, 255, 255): (91.1132, -48.0875, -14.1312),
    (0, 255, 0): (87.7347, -86.1827, 83.1793),
    (255, 0, 255): (60.3242, 98.2343, -60.8249),
    (255, 0, 0): (53.2408, 80.0925, 67.2032),
    (0, 0, 255): (32.2970, 79.1875, -107.8602),
    (128, 128, 128): (53.5850, 0.0, 0.0),
    (0, 0, 0): (0.0, 0.0, 0.0),
}
LINDBLOOM_TOLERANCE = 0.01

# XYZ -> OKLab table from B. Ottosson, "A perceptual color space for image processing" (2020),
# https://bottosson.github.io/posts/oklab/, section "Table of example XYZ and Oklab pairs" (3 decimals).
OTTOSSON_XYZ_OKLAB = [
    ((0.950, 1.000, 1.089), (1.000, 0.000, 0.000)),
    ((1.000, 0.000, 0.000), (0.450, 1.236, -0.019)),
    ((0.000, 1.000, 0.000), (0.922, -0.671, 0.263)),
    ((0.000, 0.000, 1.000), (0.153, -1.415, -0.449)),
]

# OKLab of the sRGB primaries from Ottosson's linear_srgb_to_oklab (also the CSS Color 4 sample
# values), 6 decimals.
OTTOSSON_SRGB_OKLAB = [
    ((1.0, 0.0, 0.0), (0.627955, 0.224863, 0.125846)),
    ((0.0, 1.0, 0.0), (0.866440, -0.233888, 0.179498)),
    ((0.0, 0.0, 1.0), (0.452014, -0.032457, -0.311528)),
    ((1.0, 1.0, 1.0), (1.0, 0.0, 0.0)),
]

# The inverse matrices printed in Ottosson's post (his oklab_to_linear_srgb).
OTTOSSON_OKLAB_TO_LMS_CBRT = [
    [1.0, 0.3963377774, 0.2158037573],
    [1.0, -0.1055613458, -0.0638541728],
    [1.0, -0.0894841775, -1.2914855480],
]
OTTOSSON_LMS_TO_LINEAR_SRGB = [
    [4.0767416621, -3.3077115913, 0.2309699292],
    [-1.2684380046, 2.6097574011, -0.3413193965],
    [-0.0041960863, -0.7034186147, 1.7076147010],
]


def test_srgb_matrix_rounds_to_the_matrix_printed_in_iec_61966_2_1():
    np.testing.assert_array_equal(np.round(cs.SRGB_TO_XYZ, 4), IEC_SRGB_TO_XYZ)
    # the printed inverse is the inverse of the rounded matrix, hence the looser tolerance
    np.testing.assert_allclose(cs.XYZ_TO_SRGB, IEC_XYZ_TO_SRGB, atol=5e-4)


def test_primaries_map_to_the_matrix_columns_and_white_to_d65():
    np.testing.assert_allclose(cs.rgb_to_xyz(np.eye(3)), cs.SRGB_TO_XYZ.T, atol=1e-15)
    np.testing.assert_allclose(cs.rgb_to_xyz([1.0, 1.0, 1.0]), cs.D65_WHITE, atol=1e-15)
    x, y = cs.D65_WHITE[:2] / cs.D65_WHITE.sum()
    assert (round(x, 4), round(y, 4)) == (0.3127, 0.3290)


@pytest.mark.parametrize("rgb8, lab", LINDBLOOM_LAB.items(), ids=[str(c) for c in LINDBLOOM_LAB])
def test_lab_matches_lindbloom(rgb8, lab):
    got = cs.to_space(np.array(rgb8, np.uint8), "lab")
    np.testing.assert_allclose(got, lab, atol=LINDBLOOM_TOLERANCE)
    np.testing.assert_allclose(cs.rgb_to_lab(np.array(rgb8) / 255.0), got, atol=1e-12)


@pytest.mark.parametrize("xyz, oklab", OTTOSSON_XYZ_OKLAB)
def test_oklab_matches_ottossons_xyz_table(xyz, oklab):
    np.testing.assert_allclose(cs.xyz_to_oklab(xyz), oklab, atol=5.1e-4)
    np.testing.assert_allclose(cs.oklab_to_xyz(oklab), xyz, atol=2e-3)  # 3-decimal inputs


@pytest.mark.parametrize("rgb, oklab", OTTOSSON_SRGB_OKLAB)
def test_oklab_of_srgb_matches_ottosson(rgb, oklab):
    np.testing.assert_allclose(cs.rgb_to_oklab(rgb), oklab, atol=5.1e-7)
    rgb8 = (np.array(rgb) * 255).astype(np.uint8)
    np.testing.assert_allclose(cs.to_space(rgb8, "oklab"), np.array(oklab) * cs.OKLAB_SCALE, atol=5.1e-5)


def test_computed_inverses_agree_with_ottossons_printed_ones():
    np.testing.assert_allclose(cs.OKLAB_TO_LMS_CBRT, OTTOSSON_OKLAB_TO_LMS_CBRT, atol=1e-9)
    np.testing.assert_allclose(cs.LMS_TO_LINEAR_SRGB, OTTOSSON_LMS_TO_LINEAR_SRGB, atol=1e-8)


def test_the_two_oklab_paths_agree(rng):
    # sRGB -> OKLab directly (Ottosson's combined matrix) and through XYZ (M1) differ only by rounding
    rgb = rng.random((500, 3))
    np.testing.assert_allclose(cs.rgb_to_oklab(rgb), cs.xyz_to_oklab(cs.rgb_to_xyz(rgb)), atol=3e-4)


# ---------------------------------------------------------------- the sRGB curve


def test_transfer_curve_is_continuous_at_the_knees():
    below, above = np.nextafter(0.04045, 0), np.nextafter(0.04045, 1)
    assert abs(cs.srgb_to_linear(above) - cs.srgb_to_linear(below)) < 1e-7
    below, above = np.nextafter(0.0031308, 0), np.nextafter(0.0031308, 1)
    assert abs(cs.linear_to_srgb(above) - cs.linear_to_srgb(below)) < 1e-7


def test_transfer_curve_values():
    # IEC 61966-2-1: linear segment 1/12.92 below 0.04045, ((V + 0.055) / 1.055)^2.4 above
    assert cs.srgb_to_linear(0.04) == pytest.approx(0.04 / 12.92, abs=1e-15)
    assert cs.srgb_to_linear(0.5) == pytest.approx(0.214041140, abs=1e-9)
    assert cs.srgb_to_linear(1.0) == pytest.approx(1.0, abs=1e-15)
    assert cs.linear_to_srgb(0.002) == pytest.approx(0.002 * 12.92, abs=1e-15)


def test_transfer_curve_is_increasing_beyond_0_1():
    values = np.linspace(-0.2, 1.2, 2001)
    assert np.all(np.diff(cs.srgb_to_linear(values)) > 0)
    assert np.all(np.diff(cs.linear_to_srgb(values)) > 0)


# ---------------------------------------------------------------- round trips

FLOAT_PAIRS = [
    (cs.rgb_to_xyz, cs.xyz_to_rgb),
    (cs.rgb_to_lab, cs.lab_to_rgb),
    (cs.rgb_to_oklab, cs.oklab_to_rgb),
]


@pytest.mark.slow  # about 3 s per space on 2 cores
@pytest.mark.parametrize("space", cs.SPACES)
def test_every_uint8_color_round_trips_exactly(space):
    codes = np.arange(1 << 24, dtype=np.uint32)
    for chunk in np.array_split(codes, 16):  # 16 chunks of 2**20 colors keep memory small
        colors = np.stack([chunk >> 16, (chunk >> 8) & 255, chunk & 255], axis=-1).astype(np.uint8)
        back = cs.from_space(cs.to_space(colors, space), space)
        np.testing.assert_array_equal(back, colors)


@given(arrays(np.float64, (7, 3), elements=st.floats(0, 1)))
@pytest.mark.parametrize("forward, backward", FLOAT_PAIRS, ids=["xyz", "lab", "oklab"])
def test_float_round_trips(forward, backward, rgb):
    # 1e-7: the two branches of the IEC curve meet with a jump of ~3e-8 at the knee (0.04045)
    np.testing.assert_allclose(backward(forward(rgb)), rgb, atol=1e-7)


@given(arrays(np.float64, 11, elements=st.floats(-0.5, 1.5)))
def test_transfer_curve_round_trips(values):
    np.testing.assert_allclose(cs.linear_to_srgb(cs.srgb_to_linear(values)), values, atol=1e-7)
    away_from_knee = np.abs(values - 0.04045) > 1e-3
    np.testing.assert_allclose(cs.linear_to_srgb(cs.srgb_to_linear(values))[away_from_knee],
                               values[away_from_knee], atol=1e-12)


def test_grays_are_neutral_in_lab_and_oklab():
    grays = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    # Ottosson's 10-decimal matrices leave white at b = 4e-8 (unscaled OKLab)
    for space, tolerance in (("lab", 1e-9), ("oklab", 1e-5)):
        coords = cs.to_space(grays, space)
        np.testing.assert_allclose(coords[:, 1:], 0, atol=tolerance)
        assert np.all(np.diff(coords[:, 0]) > 0)
        np.testing.assert_allclose(coords[[0, 255], 0], [0, 100], atol=1e-6)


# ---------------------------------------------------------------- to_space / from_space


def test_rgb_space_is_the_same_numbers_as_floats(rng):
    colors = rng.integers(0, 256, (40, 3), dtype=np.uint8)
    coords = cs.to_space(colors, "rgb")
    assert coords.dtype == np.float64
    np.testing.assert_array_equal(coords, colors)


def test_oklab_space_is_scaled_oklab(rng):
    colors = rng.integers(0, 256, (40, 3), dtype=np.uint8)
    np.testing.assert_allclose(cs.to_space(colors, "oklab"), cs.OKLAB_SCALE * cs.rgb_to_oklab(colors / 255.0),
                               atol=1e-12)


def test_lookup_table_matches_the_curve():
    values = np.arange(256, dtype=np.uint8)
    np.testing.assert_allclose(cs._UINT8_TO_LINEAR[values], cs.srgb_to_linear(values / 255.0), atol=0)


@pytest.mark.parametrize(
    "coords, space, expected",
    [
        ([[300.0, 127.5, -4.0]], "rgb", [[255, 128, 0]]),
        ([[0.49, 254.51, 128.5]], "rgb", [[0, 255, 128]]),  # nearest, ties to even
        ([[50.0, 200.0, 0.0]], "lab", None),  # far outside the gamut: clipped, still valid uint8
        ([[150.0, 0.0, 0.0]], "oklab", [[255, 255, 255]]),
        ([[-10.0, 0.0, 0.0]], "lab", [[0, 0, 0]]),
    ],
)
def test_from_space_rounds_and_clips(coords, space, expected):
    out = cs.from_space(coords, space)
    assert out.dtype == np.uint8 and out.shape == (1, 3)
    if expected is not None:
        np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("space", cs.SPACES)
def test_from_space_refuses_non_finite_coordinates(bad, space):
    with pytest.raises(InvalidImageError, match="NaN or infinite"):
        cs.from_space([[50.0, bad, 0.0]], space)


# ---------------------------------------------------------------- shapes

FLOAT_FUNCTIONS = [
    cs.rgb_to_xyz, cs.xyz_to_rgb, cs.xyz_to_lab, cs.lab_to_xyz, cs.rgb_to_lab, cs.lab_to_rgb,
    cs.xyz_to_oklab, cs.oklab_to_xyz, cs.rgb_to_oklab, cs.oklab_to_rgb,
]


@pytest.mark.parametrize("function", FLOAT_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("shape", [(3,), (6, 3), (2, 3, 3), (2, 1, 2, 3)])
def test_n_dimensional_float_functions(function, shape, rng):
    values = rng.random(shape)
    out = function(values)
    assert out.shape == shape and out.dtype == np.float64
    one_by_one = np.array([function(color) for color in values.reshape(-1, 3)])
    np.testing.assert_allclose(out.reshape(-1, 3), one_by_one, atol=1e-12)


@pytest.mark.parametrize("space", cs.SPACES)
@pytest.mark.parametrize("shape", [(3,), (6, 3), (2, 3, 3), (2, 1, 2, 3)])
def test_n_dimensional_to_and_from_space(space, shape, rng):
    colors = rng.integers(0, 256, shape, dtype=np.uint8)
    coords = cs.to_space(colors, space)
    assert coords.shape == shape and coords.dtype == np.float64
    np.testing.assert_array_equal(cs.from_space(coords, space), colors)


def test_float32_input_gives_float64(rng):
    rgb = rng.random((4, 3)).astype(np.float32)
    out = cs.rgb_to_lab(rgb)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, cs.rgb_to_lab(rgb.astype(np.float64)), atol=1e-12)


# ---------------------------------------------------------------- NaN and infinities

SPECIAL = [-1.0, 0.0, 1.0, -np.inf, np.inf, np.nan]


@pytest.mark.parametrize("function", FLOAT_FUNCTIONS + [cs.srgb_to_linear, cs.linear_to_srgb],
                         ids=lambda f: f.__name__)
def test_nan_and_infinities_pass_through_without_warnings(function):
    cases = np.array(list(itertools.product(SPECIAL, repeat=3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = function(cases)
    assert out.shape == cases.shape
    has_nan = np.isnan(cases).any(axis=1)
    if function in (cs.srgb_to_linear, cs.linear_to_srgb):  # elementwise
        np.testing.assert_array_equal(np.isnan(out), np.isnan(cases))
    else:  # a NaN channel makes that color NaN
        assert np.isnan(out[has_nan]).any(axis=1).all()
    finite = np.isfinite(cases).all(axis=1)
    assert np.isfinite(out[finite]).all()


def test_a_nan_color_leaves_its_neighbours_alone():
    values = np.array([[0.2, 0.4, 0.6], [np.nan, 0.5, 0.5], [0.9, 0.1, 0.0]])
    out = cs.rgb_to_lab(values)
    assert np.isnan(out[1]).any()
    np.testing.assert_allclose(out[[0, 2]], cs.rgb_to_lab(values[[0, 2]]), atol=0)


# ---------------------------------------------------------------- errors and constants


@pytest.mark.parametrize("space", ["hsv", "RGB", "", None, 3])
def test_unknown_space_lists_the_valid_ones(space):
    message = r"space must be one of 'rgb', 'lab', 'oklab'"
    with pytest.raises(InvalidParameterError, match=message):
        cs.to_space(np.zeros((1, 3), np.uint8), space)
    with pytest.raises(InvalidParameterError, match=message):
        cs.from_space(np.zeros((1, 3)), space)


@pytest.mark.parametrize(
    "array",
    [np.zeros((2, 3)), np.zeros((2, 3), np.uint16), np.zeros((2, 4), np.uint8), np.zeros((), np.uint8)],
    ids=["float", "uint16", "four-channels", "scalar"],
)
def test_to_space_refuses_anything_but_uint8_triplets(array):
    with pytest.raises(InvalidImageError, match=r"rgb8 must be a uint8 array of shape \(\.\.\., 3\)"):
        cs.to_space(array, "lab")


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_float_functions_refuse_image_dtypes(dtype):
    with pytest.raises(InvalidImageError, match="takes floats in 0..1"):
        cs.rgb_to_lab(np.zeros((2, 3), dtype))


@pytest.mark.parametrize("bad", [np.zeros((2, 4)), np.array(["a", "b", "c"])], ids=["shape", "strings"])
def test_float_functions_refuse_bad_arrays(bad):
    with pytest.raises(InvalidImageError):
        cs.rgb_to_oklab(bad)


@pytest.mark.parametrize("name", ["SRGB_TO_XYZ", "XYZ_TO_SRGB", "D65_WHITE", "XYZ_TO_LMS", "LINEAR_SRGB_TO_LMS",
                                  "LMS_CBRT_TO_OKLAB", "OKLAB_TO_LMS_CBRT", "LMS_TO_LINEAR_SRGB", "LMS_TO_XYZ"])
def test_constants_are_read_only(name):
    with pytest.raises(ValueError):
        getattr(cs, name)[0, ...] = 0


def test_spaces_constant():
    assert cs.SPACES == ("rgb", "lab", "oklab")


@pytest.mark.parametrize("space", ["rgb", "lab", "oklab"])
def test_to_space_writes_into_out(space):
    colors = np.random.default_rng(3).integers(0, 256, (200_000, 3), dtype=np.uint8)  # more than one chunk
    whole = np.zeros((300_000, 3))
    result = cs.to_space(colors, space, out=whole[50_000:250_000])
    assert np.shares_memory(result, whole)
    np.testing.assert_array_equal(whole[50_000:250_000], cs.to_space(colors, space))
    assert not whole[:50_000].any() and not whole[250_000:].any()
    with pytest.raises(InvalidParameterError, match="out must be a C-contiguous float64 array"):
        cs.to_space(colors, space, out=np.zeros((200_000, 3), np.float32))


def test_to_space_oklab_gives_the_numpy_formulas_numbers_bit_for_bit():
    # to_space computes OKLab with C kernels for the matrix products; the numbers must be those of the float
    # path's numpy columns (_times, numpy's cbrt), which the engine's fits were measured with
    from colorlab.color.standards import LINEAR_SRGB_TO_LMS, LMS_CBRT_TO_OKLAB

    rng = np.random.default_rng(11)
    colors = np.concatenate([rng.integers(0, 256, (100_000, 3), dtype=np.uint8),
                             np.array(list(itertools.product([0, 1, 127, 128, 254, 255], repeat=3)), np.uint8)])
    linear = cs._UINT8_TO_LINEAR[colors]
    expected = cs._times(np.cbrt(cs._times(linear, LINEAR_SRGB_TO_LMS)), LMS_CBRT_TO_OKLAB) * cs.OKLAB_SCALE
    np.testing.assert_array_equal(cs.to_space(colors, "oklab"), expected)
    np.testing.assert_array_equal(cs.to_space(colors[::-3], "oklab"), expected[::-3])  # a strided input
    np.testing.assert_array_equal(cs.to_space(colors[7], "oklab"), expected[7])
