"""Where k-means fails: the drawn point sets, the agreement score, and the runs that show the failure."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from colorlab import plot
from colorlab.errors import InvalidParameterError
from colorlab.lessons import shapes
from colorlab.lessons import steppers as lessons


@pytest.mark.parametrize("shape", list(shapes.SHAPES))
def test_a_shape_is_drawn_from_its_seed_with_one_label_per_group(shape):
    points, groups = shapes.shape_points(shape, 300, seed=4)
    again, _ = shapes.shape_points(shape, 300, seed=4)
    other, _ = shapes.shape_points(shape, 300, seed=5)
    assert points.shape == (300, 2) and groups.shape == (300,)
    np.testing.assert_array_equal(points, again)
    assert not np.array_equal(points, other)
    assert sorted(set(groups.tolist())) == list(range(shapes.SHAPES[shape]))


def test_the_rings_are_two_circles_around_one_middle():
    points, groups = shapes.shape_points("rings", 900, seed=0)
    radius = np.hypot(*(points - 128).T)
    assert radius[groups == 0].max() < radius[groups == 1].min()  # the inner ring lies wholly inside the outer one


def test_the_unequal_blobs_are_one_big_wide_group_and_two_small_tight_ones():
    points, groups = shapes.shape_points("unequal blobs", 1000, seed=0)
    sizes = np.bincount(groups)
    spreads = [points[groups == j].std(axis=0).mean() for j in range(3)]
    assert sizes[0] == 800 and sizes[1] == sizes[2] == 100
    assert spreads[0] > 3 * max(spreads[1:])


def test_agreement_ignores_how_the_clusters_are_numbered():
    groups = np.array([0, 0, 1, 1, 2, 2])
    assert shapes.agreement([2, 2, 0, 0, 1, 1], groups) == 1.0
    assert shapes.agreement([0, 0, 0, 0, 1, 1], groups) == pytest.approx(4 / 6)
    with pytest.raises(InvalidParameterError, match="same length"):
        shapes.agreement([0, 1], groups)


def test_unknown_shape_is_refused_with_the_choices():
    with pytest.raises(InvalidParameterError, match="'rings'"):
        shapes.shape_points("spiral")


@pytest.mark.parametrize("shape", list(shapes.SHAPES))
def test_kmeans_misses_the_groups_because_they_cost_more(shape):
    run = shapes.kmeans_on_shape(shape, starts=5)
    assert run.agreement < 0.9
    assert run.kmeans_mse < run.groups_mse  # no start can lead k-means to the groups: they are not its minimum
    from colorlab.lessons.lloyd import lloyd_points

    tried = [lloyd_points(run.points, run.history.k, init="k-means++", seed=s).half_steps[-1].mse for s in range(5)]
    assert run.kmeans_mse == min(tried)  # the best of the starts is kept
    assert f"{100 * run.agreement:.0f}% of the points" in run.describe()


def test_kmeans_finds_groups_that_are_round_and_alike():
    # the control: two tight round blobs far apart are found exactly, so the failures above are the shapes'
    from colorlab.lessons.lloyd import lloyd_points

    rng = np.random.default_rng(0)
    points = np.r_[rng.normal(60, 8, (100, 2)), rng.normal(190, 8, (100, 2))]

    labels = lloyd_points(points, 2, init="k-means++").half_steps[-1].labels
    assert shapes.agreement(labels, np.repeat([0, 1], 100)) == 1.0


def test_the_failure_figure_shows_groups_above_and_kmeans_below():
    runs = shapes.where_kmeans_fails(("rings", "unequal blobs"), n=200, starts=2)
    figure = plot.kmeans_failures(runs)
    titles = [ax.get_title() for ax in figure.axes]
    assert titles[0].startswith("rings: the 2 groups") and titles[1].startswith("unequal blobs: the 3 groups")
    assert titles[2].startswith("k-means, k = 2") and titles[3].startswith("k-means, k = 3")
    assert f"{100 * runs[0].agreement:.0f}% in their group" in titles[2]
    matplotlib.pyplot.close(figure)
    with pytest.raises(InvalidParameterError, match="at least one"):
        plot.kmeans_failures([])


def test_the_shape_stepper_steps_through_kmeans_on_the_rings():
    stepper = lessons.shape_stepper("rings", n=200)
    assert stepper.history.k == 2 and stepper.history.points.shape == (200, 2) and stepper.image is None
    stepper.step_slider.index = 1
    assert stepper.half.kind == "update" and stepper.cells_axes.get_xlabel() == "x"
    assert "rings" in stepper.static_alt
    assert lessons.shape_stepper("unequal blobs", k=2, n=100).history.k == 2
