"""The lesson widgets, driven headless: set a control's value, check what is shown and what it says."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from colorlab import lessons, metrics
from colorlab.lloyd import lloyd_history
from colorlab.widgets import _for_display


def _figure_pixels(view) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(view.value)))


@pytest.fixture
def stepper(small_photo):
    return lessons.lloyd_stepper(small_photo, k=4, init="random", seed=1)


# ---------------------------------------------------------------- Lloyd stepper


def test_stepper_starts_at_step_0_and_covers_every_step(stepper):
    assert stepper.step.index == 0
    assert stepper.step_slider.max == stepper.history.n_steps - 1 == stepper.play.max
    assert "the start (random)" in stepper.stats_text.value


def test_moving_the_slider_shows_that_step(stepper, small_photo):
    before = _figure_pixels(stepper.figure_view)
    stepper.step_slider.value = 2
    step = stepper.history.steps[2]
    assert stepper.step is step
    np.testing.assert_array_equal(stepper.quantized, stepper.history.quantized(2))
    np.testing.assert_array_equal(stepper.quantized_artist.get_array(), _for_display(stepper.quantized))
    assert f"<b>step 2</b> of {stepper.history.n_steps - 1}" in stepper.stats_text.value
    assert f"<b>{step.changed:,}</b> pixels changed" in stepper.stats_text.value
    assert f"MSE <b>{step.mse:,.1f}</b>" in stepper.stats_text.value
    assert not np.array_equal(before, _figure_pixels(stepper.figure_view))  # the PNG was redrawn


def test_the_scatter_shows_the_paths_so_far_and_the_curve_marks_the_step(stepper):
    stepper.step_slider.value = 3
    assert len(stepper.scatter_axes.lines) == 4  # one path per center
    np.testing.assert_allclose(stepper.scatter_axes.lines[0].get_data_3d()[0],
                               stepper.history.color_path[:4, 0, 0])
    marker = stepper.inertia_axes.lines[-1]
    assert list(marker.get_xdata()) == [3]
    assert list(marker.get_ydata()) == [stepper.history.steps[3].mse]


def test_the_last_step_says_converged(stepper):
    assert stepper.history.converged
    stepper.step_slider.value = stepper.step_slider.max
    assert "has converged" in stepper.stats_text.value


def test_a_repaired_empty_cluster_is_reported(small_photo):
    history = lloyd_history(small_photo, 3, init=[[255, 0, 255], [40, 40, 40], [180, 180, 180]])
    stepper = lessons.lloyd_stepper(small_photo, history=history)
    assert "cluster 0 got no pixel" in stepper.stats_text.value


def test_stepper_takes_a_photo_name():
    stepper = lessons.lloyd_stepper("rocket", k=2, seed=0, max_iter=1)
    assert stepper.image.shape == (427, 640, 3)
    assert stepper.widget.children[-1] is stepper.figure_view


# ---------------------------------------------------------------- k chooser


@pytest.fixture
def chooser(small_photo):
    return lessons.k_chooser(small_photo, ks=[2, 4, 8])


def test_chooser_shows_the_chosen_k(chooser, small_photo):
    chooser.k_slider.value = 2
    assert len(chooser.palette) == 2 and chooser.row.k == 2
    np.testing.assert_array_equal(chooser.image_artist.get_array(), _for_display(chooser.quantized))
    chooser.k_slider.value = 8
    assert len(chooser.palette) == 8
    assert chooser.png_size == metrics.png_size(chooser.quantized, chooser.palette)
    assert "<b>k = 8</b>" in chooser.stats_text.value
    assert f"PSNR <b>{chooser.row.psnr:.2f} dB</b>" in chooser.stats_text.value


def test_chooser_marks_the_k_on_every_curve(chooser):
    chooser.k_slider.value = 4
    for axes in chooser.curve_axes:
        assert any(list(line.get_xdata()) == [4] for line in axes.lines)  # the ring on the curve


def test_chooser_sizes_grow_with_k_and_stay_below_the_original(chooser):
    assert chooser.sizes == sorted(chooser.sizes)
    assert max(chooser.sizes) < chooser.original_png_size == metrics.png_size(chooser.image)


def test_chooser_reuses_a_sweep(small_photo):
    rows = metrics.sweep_k(small_photo, [3, 5])
    chooser = lessons.k_chooser(small_photo, rows=rows)
    assert chooser.ks == [3, 5] and chooser.rows[1] is rows[1]
