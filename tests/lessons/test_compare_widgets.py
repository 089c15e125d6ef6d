"""The dendrogram cutter of lesson 05, driven headless."""

from __future__ import annotations

import numpy as np
import pytest

import colorlab
from colorlab.lessons import compare_widgets


@pytest.fixture
def cutter(small_photo):
    return compare_widgets.dendrogram_cutter(small_photo, k=4)


@pytest.mark.parametrize("k", [1, 2, 9, 20])
def test_moving_the_slider_cuts_the_tree_at_k(cutter, k):
    before = cutter.figure_view.value
    cutter.k_slider.value = k
    assert cutter.palette == cutter.tree.palette(k)
    assert len(cutter.palette) == k
    np.testing.assert_array_equal(cutter.quantized, colorlab.quantize(cutter.image, cutter.palette))
    assert cutter.cut_line.get_ydata()[0] == cutter.tree.cut_height(k)
    np.testing.assert_array_equal(cutter.quantized_axes.images[0].get_array(), cutter.quantized)
    assert cutter.stats["mse"] == colorlab.metrics.mse(cutter.image, cutter.quantized)
    assert f"k = <b>{k}</b>" in cutter.stats_text.value
    assert cutter.figure_view.value != before  # the picture was re-rendered


def test_more_clusters_never_raise_the_error_much(cutter):
    errors = []
    for k in (2, 4, 8, 16):
        cutter.k_slider.value = k
        errors.append(cutter.stats["mse"])
    assert errors == sorted(errors, reverse=True)


def test_slider_range_and_display(cutter):
    assert (cutter.k_slider.min, cutter.k_slider.max) == (1, 32)
    bundle = cutter._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == cutter.widget.model_id


def test_a_photo_name_is_loaded():
    cutter = compare_widgets.dendrogram_cutter("rocket", k=3, space="oklab")
    assert cutter.image.shape == colorlab.load_image("rocket").shape and cutter.palette.space == "oklab"


def test_a_static_picture_comes_before_the_widget(cutter):
    from unittest import mock

    from IPython.display import Image as StaticImage

    shown = []
    with mock.patch("IPython.display.display", side_effect=lambda *objs, **kw: shown.extend(objs)):
        cutter._ipython_display_()
    picture, live = shown
    assert isinstance(picture, StaticImage) and picture.data[:4] == b"\x89PNG" and picture.alt
    assert live is cutter.widget


def test_the_static_picture_has_no_empty_panel(cutter):
    axes = cutter.static_axes()
    figure = axes[0].figure
    shown = [ax for ax in figure.axes if ax.get_visible() and ax.axison or ax.images]
    assert len(axes) == 6 and all(ax.images for ax in shown), "a panel of the static picture shows nothing"
    assert [ax.get_title() for ax in axes][1:][-1].startswith("cut at k = 32")
