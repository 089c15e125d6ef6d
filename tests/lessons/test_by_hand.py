"""The checks of the k-means a student writes (colorlab.lessons.by_hand) accept a right answer and name a wrong one."""

import warnings

import numpy as np
import pytest

import colorlab
from colorlab.errors import InvalidParameterError
from colorlab.lessons import by_hand
from colorlab.lessons.lloyd import channel_points, lloyd_history, lloyd_points


def nearest(points, centers):
    return ((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)


def guarded_means(points, labels, centers):
    new = centers.copy()
    for j in range(len(centers)):
        if np.any(labels == j):
            new[j] = points[labels == j].mean(axis=0)
    return new


@pytest.fixture(scope="module")
def run():
    points, _ = channel_points(colorlab.load_image("rocket"), ("red", "blue"), n=300, seed=1)
    return lloyd_points(points, 4, seed=2)


def test_right_functions_pass_every_half_step(run):
    assigned, updated = by_hand.check_assign(nearest, run), by_hand.check_update(guarded_means, run)
    assert assigned.ok and assigned.checked == sum(h.kind in ("start", "assign") for h in run.half_steps)
    assert updated.ok and updated.checked == sum(h.kind == "update" for h in run.half_steps) + 1
    assert str(assigned) == assigned.message


def test_a_farthest_center_assign_is_named_at_the_start(run):
    farthest = by_hand.check_assign(lambda p, c: ((p[:, None] - c[None]) ** 2).sum(2).argmax(1), run)
    assert not farthest.ok and farthest.checked == 0 and farthest.message.startswith("not yet: at start")


def test_an_update_without_the_guard_fails_on_the_empty_cluster(run):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the check says it in its own words, without numpy's warnings
        unguarded = by_hand.check_update(lambda p, l, c: np.array([p[l == j].mean(0) for j in range(len(c))]), run)
    assert not unguarded.ok and "empty cluster" in unguarded.message
    assert unguarded.checked == sum(h.kind == "update" for h in run.half_steps)


def test_a_function_that_raises_or_returns_the_wrong_shape_is_reported(run):
    def broken(points, centers):
        raise ValueError("oops")

    assert by_hand.check_assign(broken, run).message == "not yet: assign raised ValueError: oops"
    assert "shape" in by_hand.check_assign(lambda p, c: np.zeros((2, 2)), run).message
    assert "shape" in by_hand.check_update(lambda p, l, c: c[:1], run).message


def test_a_student_function_may_edit_its_arguments_without_spoiling_the_check(run):
    def editing(points, labels, centers):
        centers[:] = guarded_means(points, labels, centers)
        return centers

    assert by_hand.check_update(editing, run).ok


def test_the_students_kmeans_on_a_photo_is_the_librarys():
    image = colorlab.load_image("chelsea")[::4, ::4]
    library = lloyd_history(image, 5, init="k-means++", seed=3, weighted=False)
    yours = by_hand.run_yours(image, nearest, guarded_means, start=library.steps[0].centers)
    assert yours.converged == library.converged and yours.steps == library.n_steps - 1
    np.testing.assert_allclose(yours.centers, library.steps[-1].centers, atol=1e-9)
    np.testing.assert_array_equal(yours.quantized, library.quantized())
    assert yours.mse == colorlab.metrics.mse(image, library.quantized())


def test_run_yours_refuses_a_start_that_is_not_rgb():
    with pytest.raises(InvalidParameterError, match="start must be"):
        by_hand.run_yours(np.zeros((2, 2, 3), np.uint8), nearest, guarded_means, start=[[0, 0]])


def test_a_random_palette_is_k_colors_of_the_photo_and_worse_than_kmeans():
    image = colorlab.load_image("rocket")[::4, ::4]
    baseline = by_hand.random_palette(image, 8, seed=0)
    pixels = {tuple(p) for p in image.reshape(-1, 3)}
    assert len(baseline) == 8 and all(tuple(c) in pixels for c in baseline.colors)
    assert baseline.counts.sum() == image.shape[0] * image.shape[1]
    fitted = colorlab.fit_palette(image, 8, seed=0)
    mse = colorlab.metrics.mse
    assert mse(image, colorlab.quantize(image, fitted)) < mse(image, colorlab.quantize(image, baseline))
