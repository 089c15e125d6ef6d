"""Lloyd's algorithm step by step: hand-computed steps, scipy as an independent reference, and its invariants."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.cluster import vq

from colorlab import Palette
from colorlab.errors import InvalidImageError, InvalidParameterError
from colorlab.lessons.lloyd import LloydHistory, lloyd_history

#: Five pixels, two obvious groups; the steps below were computed by hand.
TOY = np.array([[0, 0, 0], [0, 0, 10], [250, 0, 0], [255, 0, 0]], np.uint8)

small_images = arrays(np.uint8, st.tuples(st.integers(2, 12), st.integers(2, 12), st.just(3)),
                      elements=st.integers(0, 255))


def _same_history(a: LloydHistory, b: LloydHistory) -> bool:
    return a.n_steps == b.n_steps and all(
        np.array_equal(x.labels, y.labels) and np.array_equal(x.centers, y.centers) for x, y in zip(a.steps, b.steps)
    )


# ---------------------------------------------------------------- the steps, by hand and against scipy


def test_toy_steps_match_the_hand_computation():
    history = lloyd_history(TOY, 2, init=[[0, 0, 0], [0, 0, 10]])
    # step 0: both reds are nearer (0,0,0) than (0,0,10): clusters {black, both reds} and {(0,0,10)}
    assert history.steps[0].labels.tolist() == [0, 1, 0, 0]
    assert history.steps[0].inertia == 250**2 + 255**2
    # step 1: center 0 moves to the mean of black and the reds, (168.33, 0, 0); black goes to center 1
    np.testing.assert_allclose(history.steps[1].centers, [[505 / 3, 0, 0], [0, 0, 10]])
    assert history.steps[1].labels.tolist() == [1, 1, 0, 0]
    assert history.steps[1].changed == 1
    # step 2: the means (252.5, 0, 0) and (0, 0, 5); nobody moves: converged
    np.testing.assert_array_equal(history.steps[2].centers, [[252.5, 0, 0], [0, 0, 5]])
    assert history.steps[2].changed == 0 and history.converged and history.n_steps == 3
    assert history.steps[2].inertia == 2 * 2.5**2 + 2 * 5**2  # reds 2.5 from their mean, blues 5
    assert history.steps[2].mse == history.steps[2].inertia / 4
    assert history.steps[2].counts.tolist() == [2, 2]


@pytest.mark.parametrize("n_moves", [1, 2, 4, 7])
def test_centers_after_n_moves_match_scipy_kmeans2(small_photo, n_moves):
    start = lloyd_history(small_photo, 5, seed=3).steps[0].centers
    history = lloyd_history(small_photo, 5, init=start, max_iter=n_moves)
    data = small_photo.reshape(-1, 3).astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an empty cluster would make the comparison meaningless
        expected, labels = vq.kmeans2(data, start, iter=n_moves, minit="matrix")
    step = history.steps[min(n_moves, history.n_steps - 1)]
    np.testing.assert_allclose(step.centers, expected, rtol=0, atol=1e-9)


def test_labels_are_the_nearest_center_at_every_step(small_photo):
    history = lloyd_history(small_photo, 6, init="random", seed=2)
    pixels = small_photo.reshape(-1, 3).astype(np.float64)
    for step in history.steps:
        distances = ((pixels[:, None, :] - step.centers[None]) ** 2).sum(axis=2)
        labels = history.labels_image(step.index).ravel()
        np.testing.assert_allclose(distances[np.arange(len(pixels)), labels], distances.min(axis=1))
        assert step.mse == pytest.approx(distances.min(axis=1).mean(), rel=1e-12)


def test_a_converged_run_stops_at_a_fixed_point(small_photo):
    history = lloyd_history(small_photo, 4, seed=0)
    assert history.converged
    last, before = history.steps[-1], history.steps[-2]
    assert last.changed == 0 and np.array_equal(last.labels, before.labels)
    labels = history.labels_image().ravel()
    means = np.array([small_photo.reshape(-1, 3)[labels == j].mean(axis=0) for j in range(4)])
    np.testing.assert_allclose(last.centers, means)


def test_max_iter_bounds_the_steps(small_photo):
    history = lloyd_history(small_photo, 8, init="random", seed=0, max_iter=1)
    assert history.n_steps == 2 and not history.converged


@given(small_images, st.integers(1, 4), st.sampled_from(["random", "k-means++"]), st.integers(0, 3))
def test_inertia_never_increases(image, k, init, seed):
    k = min(k, len(np.unique(image.reshape(-1, 3), axis=0)))
    inertia = lloyd_history(image, k, init=init, seed=seed).inertia
    assert (np.diff(inertia) <= 1e-9 * max(inertia[0], 1)).all()


# ---------------------------------------------------------------- weighted distinct colors == all pixels


@given(small_images, st.integers(1, 5), st.integers(0, 5))
def test_weighted_equals_all_pixels_exactly(image, k, seed):
    k = min(k, len(np.unique(image.reshape(-1, 3), axis=0)))
    weighted = lloyd_history(image, k, init="random", seed=seed)
    every_pixel = lloyd_history(image, k, init="random", seed=seed, weighted=False)
    assert _same_history(weighted, every_pixel)
    assert every_pixel.converged == weighted.converged


def test_weighted_equals_all_pixels_exactly_on_a_photo_with_an_empty_cluster(small_photo):
    start = [[255, 0, 255], [20, 20, 20], [120, 120, 120], [200, 200, 200]]
    weighted = lloyd_history(small_photo, 4, init=start)
    every_pixel = lloyd_history(small_photo, 4, init=start, weighted=False)
    assert weighted.steps[0].repairs  # the magenta center starts far from every pixel
    assert _same_history(weighted, every_pixel)


@pytest.mark.parametrize("space", ["lab", "oklab"])
def test_weighted_equals_all_pixels_up_to_rounding_in_other_spaces(small_photo, space):
    weighted = lloyd_history(small_photo, 5, space=space, seed=1)
    every_pixel = lloyd_history(small_photo, 5, space=space, seed=1, weighted=False)
    assert weighted.n_steps == every_pixel.n_steps
    for a, b in zip(weighted.steps, every_pixel.steps):
        np.testing.assert_array_equal(a.labels, b.labels)
        np.testing.assert_allclose(a.centers, b.centers, rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------- starts and empty clusters


def test_random_start_picks_different_pixel_colors(small_photo):
    centers = lloyd_history(small_photo, 6, init="random", seed=4).steps[0]
    colors = {tuple(c) for c in small_photo.reshape(-1, 3).tolist()}
    # before any repair, the start is 6 distinct colors of the image
    assert not centers.repairs
    assert len({tuple(c) for c in centers.centers.tolist()}) == 6
    assert {tuple(int(v) for v in c) for c in centers.centers} <= colors


@pytest.mark.parametrize("init", ["random", "k-means++"])
def test_the_seed_decides_the_start(small_photo, init):
    first = lloyd_history(small_photo, 5, init=init, seed=1)
    assert _same_history(first, lloyd_history(small_photo, 5, init=init, seed=1))
    assert not np.array_equal(first.steps[0].centers, lloyd_history(small_photo, 5, init=init, seed=2).steps[0].centers)


def test_kmeans_plusplus_spreads_the_start():
    # one white pixel among 99 near-black ones of three colors: k-means++ picks the far white color
    # (weight 1 x squared distance 195075) almost surely; a random start picks it about once in 9 seeds
    pixels = np.array([[0, 0, 0]] * 90 + [[1, 0, 0]] * 5 + [[0, 1, 0]] * 4 + [[255, 255, 255]], np.uint8)
    starts = [lloyd_history(pixels, 2, init="k-means++", seed=s).steps[0].centers for s in range(20)]
    assert all((start == 255).all(axis=1).any() for start in starts)
    randoms = [lloyd_history(pixels, 2, init="random", seed=s).steps[0].centers for s in range(20)]
    assert sum(bool((start == 255).all(axis=1).any()) for start in randoms) < 10


def test_an_empty_cluster_moves_to_the_color_with_the_largest_error(small_photo):
    fitted = lloyd_history(small_photo, 3, seed=0).steps[-1].centers  # three centers amid the pixels
    start = np.vstack([[255, 0, 255], fitted])
    history = lloyd_history(small_photo, 4, init=start)
    (repair,) = history.steps[0].repairs
    assert repair.cluster == 0
    np.testing.assert_array_equal(repair.old_center, [255, 0, 255])
    # independently: the color whose pixels add the most squared distance to their nearest center
    pixels = small_photo.reshape(-1, 3).astype(np.float64)
    nearest = ((pixels[:, None, :] - start[1:][None]) ** 2).sum(axis=2).min(axis=1)
    colors, inverse = np.unique(small_photo.reshape(-1, 3), axis=0, return_inverse=True)
    error = np.bincount(inverse.ravel(), weights=nearest)
    np.testing.assert_array_equal(repair.color, colors[error.argmax()])
    assert repair.error == pytest.approx(error.max())
    np.testing.assert_array_equal(history.steps[0].centers[0], repair.color)
    assert (history.steps[0].counts > 0).all()
    assert "cluster 0 got no pixel" in repair.describe()


def test_duplicate_start_centers_are_repaired():
    pixels = np.array([[0, 0, 0], [10, 10, 10], [200, 0, 0], [0, 200, 0]], np.uint8)
    history = lloyd_history(pixels, 3, init=[[0, 0, 0], [0, 0, 0], [100, 100, 0]])
    assert [r.cluster for r in history.steps[0].repairs] == [1]
    assert all((step.counts > 0).all() for step in history.steps)


# ---------------------------------------------------------------- palettes, images, shapes


def test_palette_and_quantized_image_of_a_step(small_photo):
    history = lloyd_history(small_photo, 5, seed=0)
    for i in (0, history.n_steps - 1):
        palette = history.palette(i)
        assert isinstance(palette, Palette) and len(palette) == 5 and palette.method == "lloyd"
        assert palette.counts.sum() == small_photo.shape[0] * small_photo.shape[1]
        assert palette.params["step"] == i
        quantized = history.quantized(i)
        assert quantized.shape == small_photo.shape and quantized.dtype == np.uint8
        np.testing.assert_array_equal(quantized, history.steps[i].colors[history.labels_image(i)])
        np.testing.assert_array_equal(history.steps[i].colors, np.rint(history.steps[i].centers).astype(np.uint8))


def test_pixel_input_gives_pixel_labels():
    history = lloyd_history(TOY, 2, init=[[0, 0, 0], [0, 0, 10]])
    assert history.labels_image().shape == (4,)
    assert history.quantized().shape == (4, 3)


def test_paths_have_one_row_per_step(small_photo):
    history = lloyd_history(small_photo, 3, seed=0, space="lab")
    assert history.center_path.shape == history.color_path.shape == (history.n_steps, 3, 3)
    assert history.color_path.max() <= 255 and history.color_path.min() >= 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"k": 0}, "k must be a whole number from 1 to 256"),
        ({"k": 1.5}, "k must be a whole number"),
        ({"k": True}, "k must be a whole number"),
        ({"k": 257}, "k must be a whole number"),
        ({"k": 5}, "at most the number of distinct colors in the image \\(4\\)"),
        ({"init": "forgy"}, "init must be one of"),
        ({"init": [[0, 0, 0]]}, "init must hold k=2 centers"),
        ({"init": [[0, 0], [1, 1]]}, "shape \\(2, 3\\)"),
        ({"init": [[0, 0, np.nan], [1, 1, 1]]}, "finite"),
        ({"init": [["a", 0, 0], [1, 1, 1]]}, "array of numbers"),
        ({"max_iter": 0}, "max_iter must be a whole number"),
        ({"weighted": "yes"}, "weighted must be True or False"),
        ({"space": "hsv"}, "space must be one of"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, match):
    arguments = {"k": 2, **kwargs}
    with pytest.raises(InvalidParameterError, match=match):
        lloyd_history(TOY, **arguments)


def test_bad_image_and_bad_step_raise_clear_errors():
    with pytest.raises(InvalidImageError):
        lloyd_history(TOY.astype(np.float64), 2)
    history = lloyd_history(TOY, 2)
    with pytest.raises(InvalidParameterError, match="step must be a whole number from 0 to"):
        history.quantized(history.n_steps)


# ---------------------------------------------------------------- half-steps: update and assign apart


def test_half_steps_alternate_update_and_assign_after_the_start(small_photo):
    history = lloyd_history(small_photo, 4, init="random", seed=1)
    kinds = [h.kind for h in history.half_steps]
    assert kinds[0] == "start" and "repair" not in kinds
    assert kinds[1:] == ["update", "assign"] * (history.n_steps - 1)
    assert [h.position for h in history.half_steps] == list(range(len(kinds)))


def test_an_update_moves_centers_only_and_an_assign_moves_pixels_only(small_photo):
    history = lloyd_history(small_photo, 4, init="random", seed=1)
    halves = history.half_steps
    for before, half in zip(halves, halves[1:]):
        if half.kind == "update":
            np.testing.assert_array_equal(half.labels, before.labels)
            assert half.changed == 0 and half.moved > 0
            np.testing.assert_array_equal(half.centers, history.steps[half.step].centers)
        else:
            np.testing.assert_array_equal(half.centers, before.centers)
            assert half.moved == 0
            np.testing.assert_array_equal(half.labels, history.steps[half.step].labels)
            assert half.changed == history.steps[half.step].changed
            assert half.mse == pytest.approx(history.steps[half.step].mse, rel=1e-12)
    assert halves[-1].changed == 0 and "converged" in halves[-1].describe()


def test_neither_half_step_raises_the_inertia(small_photo):
    for seed in range(3):
        inertia = [h.inertia for h in lloyd_history(small_photo, 5, init="random", seed=seed).half_steps]
        assert np.all(np.diff(inertia) <= 1e-9 * inertia[0])


def test_the_start_shows_the_empty_cluster_before_its_repair(small_photo):
    history = lloyd_history(small_photo, 3, init=[[255, 0, 255], [40, 40, 40], [180, 180, 180]])
    start, repair = history.half_steps[:2]
    assert start.kind == "start" and repair.kind == "repair"
    assert start.centers[0].tolist() == [255, 0, 255] and start.counts[0] == 0
    assert "2 clusters got no pixel" in start.describe()  # magenta and the light gray: the crop is dark
    assert repair.counts.min() > 0 and repair.repairs == history.steps[0].repairs
    np.testing.assert_array_equal(repair.centers, history.steps[0].centers)
    assert repair.inertia < start.inertia
    assert history.steps[0].centers_before_repair[0].tolist() == [255, 0, 255]


def test_half_step_quantized_and_path(small_photo):
    history = lloyd_history(small_photo, 3, seed=0)
    half = history.half_step(2)
    np.testing.assert_array_equal(history.half_step_quantized(2), half.colors[half.labels][history.pixel_index])
    assert history.half_step_path(2).shape == (3, 3, 3)
    with pytest.raises(InvalidParameterError, match="half-step must be a whole number"):
        history.half_step(len(history.half_steps))


# ---------------------------------------------------------------- the 2D warm-up


def test_lloyd_points_matches_scipy_kmeans2_in_2d():
    from colorlab.lessons.lloyd import lloyd_points

    points = np.random.default_rng(3).normal(size=(300, 2)) * 40 + 120
    start = points[[0, 1, 2]]
    history = lloyd_points(points, 3, init=start, max_iter=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected, _ = vq.kmeans2(points, start, iter=4, minit="matrix")
    last_update = [h for h in history.half_steps if h.kind == "update"][min(3, history.n_steps - 2)]
    np.testing.assert_allclose(last_update.centers, expected, atol=1e-9)


def test_channel_points_keeps_the_named_channels():
    from colorlab.lessons.lloyd import channel_points

    pixels = np.array([[10, 20, 30], [40, 50, 60], [70, 80, 90]], np.uint8)
    points, colors = channel_points(pixels, ("blue", "green"), n=2, seed=0)
    assert points.shape == (2, 2) and colors.shape == (2, 3)
    np.testing.assert_array_equal(points, colors[:, [2, 1]])
    with pytest.raises(InvalidParameterError, match="channels must be"):
        channel_points(pixels, ("red", "red"))


@pytest.mark.parametrize("bad, match", [
    (dict(points=[[1, 2]], k=2), "k must be a whole number from 1 to 1"),
    (dict(points=[[1, np.nan]], k=1), "finite"),
    (dict(points=[[0, 0], [1, 1]], k=2, init="forgy"), "init must be one of"),
    (dict(points=[[0, 0], [1, 1]], k=2, init=[[0, 0]]), "init must hold k=2"),
])
def test_lloyd_points_explains_bad_input(bad, match):
    from colorlab.lessons.lloyd import lloyd_points

    with pytest.raises(InvalidParameterError, match=match):
        lloyd_points(**bad)
