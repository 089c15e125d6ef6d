"""The cat's green eyes: the irises' mask, what counts as green, and the one-line report of notebook 05."""

from __future__ import annotations

import numpy as np
import pytest

import colorlab
from colorlab.errors import InvalidParameterError
from colorlab.lessons import eyes


@pytest.fixture(scope="module")
def cat():
    return colorlab.load_image("chelsea")


def test_green_yellow_is_green_and_the_fur_brown_is_not():
    swatch = np.array([[[110, 140, 40], [128, 110, 50], [150, 100, 60], [200, 200, 200]]], np.uint8)
    assert eyes.green_pixels(swatch).tolist() == [[True, True, False, False]]


def test_the_eyes_lie_in_the_two_boxes_and_are_a_small_share_of_the_photo(cat):
    mask = eyes.cat_eyes(cat)
    rows, columns = np.nonzero(mask)
    assert 1000 < mask.sum() < 0.03 * mask.size
    left = columns < 250
    assert left.any() and (~left).any()  # both eyes
    assert eyes.green_pixels(cat)[~mask].sum() < mask.sum()  # the rest of the cat, 98% of it, is hardly green


def test_kmeans_with_16_colors_loses_the_green_that_many_colors_keep(cat):
    mask = eyes.cat_eyes(cat)
    assert eyes.green_kept(cat, mask) == 1.0
    assert eyes.green_kept(colorlab.reduce_colors(cat, 16, seed=0)[0], mask) < 0.05
    assert eyes.green_kept(colorlab.reduce_colors(cat, 256, seed=0)[0], mask) > 0.5


def test_the_report_names_every_measure(cat):
    mask = eyes.cat_eyes(cat)
    redrawn = colorlab.reduce_colors(cat, 8, seed=0)[0]
    line = eyes.eye_report("k = 8", cat, redrawn, mask)
    assert line.startswith("k = 8: eyes still green ") and f"MSE {colorlab.metrics.mse(cat, redrawn):.1f}" in line
    assert "SSIM" in line and line.count("ΔE2000") == 2


def test_other_photos_and_bad_masks_are_refused(cat):
    with pytest.raises(InvalidParameterError, match="chelsea"):
        eyes.cat_eyes(colorlab.load_image("rocket"))
    with pytest.raises(InvalidParameterError, match="boolean mask"):
        eyes.green_kept(cat, np.zeros(cat.shape[:2], bool))
