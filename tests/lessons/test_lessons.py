"""The lesson widgets, driven headless: set a control's value, check what is shown and what it says."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import colorlab
from colorlab import metrics
from colorlab.lessons import steppers as lessons
from colorlab.lessons.lloyd import lloyd_history
from colorlab.lessons.widgets import _for_display


def _figure_pixels(view) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(view.value)))


@pytest.fixture
def stepper(small_photo):
    return lessons.lloyd_stepper(small_photo, k=4, init="random", seed=1)


# ---------------------------------------------------------------- Lloyd stepper


def test_stepper_starts_at_the_start_and_covers_every_half_step(stepper):
    assert stepper.half.kind == "start" and stepper.step.index == 0
    halves = stepper.history.half_steps
    assert stepper.step_slider.options == tuple((h.name, h.position) for h in halves)
    assert stepper.play.max == len(halves) - 1
    assert "<b>start</b>" in stepper.stats_text.value and "random centers" in stepper.stats_text.value


def test_an_update_half_step_moves_the_centers_and_no_pixel(stepper):
    before = _figure_pixels(stepper.figure_view)
    stepper.step_slider.index = 1
    half = stepper.history.half_steps[1]
    assert stepper.half is half and half.kind == "update"
    np.testing.assert_array_equal(stepper.quantized, stepper.history.half_step_quantized(1))
    np.testing.assert_array_equal(stepper.quantized_artist.get_array(), _for_display(stepper.quantized))
    assert "<b>update 1</b>" in stepper.stats_text.value and "no pixel changes cluster" in stepper.stats_text.value
    assert f"MSE <b>{half.mse:,.1f}</b>" in stepper.stats_text.value
    assert not np.array_equal(before, _figure_pixels(stepper.figure_view))  # the PNG was redrawn


def test_an_assign_half_step_says_how_many_pixels_moved(stepper):
    stepper.step_slider.index = 2
    half = stepper.history.half_steps[2]
    assert half.kind == "assign" and stepper.step.index == 1
    assert f"{half.changed:,} pixels join a nearer center" in stepper.stats_text.value


def test_the_scatter_shows_the_paths_so_far_and_the_curve_marks_the_half_step(stepper):
    stepper.step_slider.index = 3
    assert len(stepper.scatter_axes.lines) == 4  # one path per center
    np.testing.assert_allclose(stepper.scatter_axes.lines[0].get_data_3d()[0],
                               stepper.history.half_step_path(3)[:, 0, 0])
    marker = stepper.inertia_axes.lines[-1]
    assert list(marker.get_xdata()) == [1.5]  # update 2 sits between steps 1 and 2
    assert list(marker.get_ydata()) == [stepper.history.half_steps[3].mse]


def test_the_last_half_step_says_converged(stepper):
    assert stepper.history.converged
    stepper.step_slider.index = len(stepper.step_slider.options) - 1
    assert "converged" in stepper.stats_text.value


def test_the_empty_cluster_is_shown_before_and_after_its_repair(small_photo):
    history = lloyd_history(small_photo, 3, init=[[255, 0, 255], [40, 40, 40], [180, 180, 180]])
    stepper = lessons.lloyd_stepper(small_photo, history=history)
    assert "got no pixel (empty)" in stepper.stats_text.value
    xs, ys, zs = stepper.scatter_axes.collections[1]._offsets3d  # the centers, drawn in 3D
    assert (xs[0], ys[0], zs[0]) == (255, 0, 255)  # the magenta center, before its repair
    stepper.step_slider.index = 1
    assert stepper.half.kind == "repair" and "cluster 0 got no pixel" in stepper.stats_text.value


def test_stepper_takes_a_photo_name():
    stepper = lessons.lloyd_stepper("rocket", k=2, seed=0, max_iter=1)
    assert stepper.image.shape == (427, 640, 3)
    assert stepper.widget.children[-1] is stepper.figure_view


def _shown_outputs(widget):
    """What a notebook cell holding ``widget`` as its last line saves: the display calls, in order."""
    from unittest import mock

    shown = []
    with mock.patch("IPython.display.display", side_effect=lambda *objs, **kw: shown.extend(objs)):
        widget._ipython_display_()
    return shown


@pytest.mark.parametrize("make", [
    lambda photo: lessons.lloyd_stepper(photo, k=3, seed=0),
    lambda photo: lessons.voronoi_stepper(photo, k=3, n=150),
    lambda photo: lessons.k_chooser(photo, ks=[2, 4]),
], ids=["stepper", "voronoi", "chooser"])
def test_every_widget_shows_a_static_picture_before_itself(make, small_photo):
    from IPython.display import Image as StaticImage

    widget = make(small_photo)
    picture, live = _shown_outputs(widget)
    assert isinstance(picture, StaticImage) and picture.data[:4] == b"\x89PNG" and picture.alt
    assert live is widget.widget


# ---------------------------------------------------------------- 2D warm-up


def test_voronoi_stepper_goes_through_the_half_steps():
    stepper = lessons.voronoi_stepper("rocket", k=3, n=300, seed=1)
    assert stepper.half.kind == "start" and stepper.history.points.shape == (300, 2)
    stepper.step_slider.index = 1
    assert stepper.half.kind == "update" and "<b>update 1</b>" in stepper.stats_text.value
    assert stepper.cells_axes.get_xlabel() == "red" and stepper.cells_axes.get_ylabel() == "blue"
    with pytest.raises(ValueError, match="two channels"):
        lessons.voronoi_stepper("rocket", channels=("red", "green", "blue"))


# ---------------------------------------------------------------- k chooser


@pytest.fixture
def chooser(small_photo):
    return lessons.k_chooser(small_photo, ks=[2, 4, 8])


def test_chooser_shows_the_chosen_k(chooser, small_photo):
    chooser.k_slider.value = 2
    assert len(chooser.palette) == 2 and chooser.row.k == 2
    np.testing.assert_array_equal(chooser.image_artist.get_array(), _for_display(chooser.quantized))
    np.testing.assert_array_equal(chooser.original_axes.images[0].get_array(), _for_display(small_photo))
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
    rows = colorlab.sweep(small_photo, [3, 5], mode="exact")
    chooser = lessons.k_chooser(small_photo, rows=rows)
    assert chooser.ks == [3, 5] and chooser.rows[1] is rows[1]
