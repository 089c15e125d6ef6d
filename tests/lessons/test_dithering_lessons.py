"""Dithering from scratch (colorlab.lessons.dithering): each method keeps what it promises about light."""

import numpy as np
import pytest

from colorlab.errors import InvalidParameterError
from colorlab.lessons import dithering


def test_light_and_code_are_inverse_and_half_light_is_code_188():
    codes = np.arange(256, dtype=np.uint8)
    np.testing.assert_allclose(dithering.code(dithering.light(codes)), codes, atol=1e-9)
    assert round(float(dithering.code(0.5))) == 188


def test_the_threshold_loses_every_shade_between():
    out = dithering.threshold(dithering.gray_ramp(256, 4))
    assert set(np.unique(out)) == {0, 255}
    row = out[0]
    assert (np.diff(row.astype(int)) >= 0).all() and np.count_nonzero(np.diff(row.astype(int))) == 1


@pytest.mark.parametrize("value", [30, 100, 128, 188, 230])
def test_error_diffusion_keeps_the_light_of_a_flat_patch(value):
    out, _ = dithering.error_diffusion(np.full((40, 40), value, np.uint8))
    assert abs((out == 255).mean() - dithering.light(np.uint8(value))) < 0.01


def test_error_diffusion_passes_the_whole_error_on_by_its_weights():
    assert sum(dithering.FLOYD_STEINBERG.values()) == 1
    _, steps = dithering.error_diffusion(np.full((3, 3), 100, np.uint8), record=9)
    middle, last = steps[4], steps[-1]  # pixel (1, 1): all four neighbours still to come
    assert (middle.row, middle.column) == (1, 1)
    assert sum(middle.pushed.values()) == pytest.approx(middle.error)
    assert middle.pushed[(1, 2)] == pytest.approx(7 / 16 * middle.error)
    assert middle.pushed[(2, 0)] == pytest.approx(3 / 16 * middle.error)
    assert last.pushed == {} and "nothing left" in last.describe()


def test_bayer_shows_n_squared_plus_one_levels():
    for size in (2, 4):
        ramp = dithering.gray_ramp(1024, size)
        tiles = dithering.bayer_dither(ramp, size).reshape(size, -1, size).transpose(1, 0, 2)
        levels = {int((tile == 255).sum()) for tile in tiles}
        assert levels == set(range(size * size + 1))


def test_noise_gets_the_average_right():
    out = dithering.noise_dither(np.full((200, 200), 128, np.uint8), seed=3)
    assert abs((out == 255).mean() - dithering.light(np.uint8(128))) < 0.01


def test_bands_of_light_and_bad_input():
    assert dithering.column_light(dithering.gray_ramp(64, 2), bands=4).tolist() == sorted(
        dithering.column_light(dithering.gray_ramp(64, 2), bands=4).tolist())
    with pytest.raises(InvalidParameterError, match="uint8 array of gray codes"):
        dithering.threshold(np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(InvalidParameterError, match="size must be 2, 4, 8 or 16"):
        dithering.bayer_dither(np.zeros((2, 2), np.uint8), 3)
