"""Tests of colorlab.cluster.ward: weighted Ward against scipy, cutting the tree, palettes; plot.dendrogram."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.cluster import hierarchy as scipy_hierarchy

import colorlab
from colorlab.cluster import ward as hierarchy
from colorlab import plot
from colorlab.errors import InvalidImageError, InvalidParameterError


@pytest.mark.parametrize("seed", range(8))
def test_unit_weights_give_exactly_scipys_ward(seed):
    points = np.random.default_rng(seed).normal(size=(25, 3)) * 40
    ours = hierarchy.weighted_ward(points, np.ones(len(points)))
    theirs = scipy_hierarchy.ward(points)
    np.testing.assert_array_equal(ours[:, [0, 1, 3]], theirs[:, [0, 1, 3]])
    np.testing.assert_allclose(ours[:, 2], theirs[:, 2], rtol=1e-10)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 9), dims=st.integers(1, 3))
def test_weights_act_like_replicated_points_in_scipys_ward(seed, n, dims):
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(n, dims)) * 50
    weights = rng.integers(1, 5, size=n)
    ours = hierarchy.weighted_ward(points, weights)
    replicated = scipy_hierarchy.ward(np.repeat(points, weights, axis=0))
    # copies of a point first merge among themselves at height 0; the rest must match
    np.testing.assert_allclose(ours[:, 2], replicated[weights.sum() - n:, 2], rtol=1e-9)
    assert scipy_hierarchy.is_valid_linkage(ours)
    assert (np.diff(ours[:, 2]) >= 0).all()


def test_a_hand_computed_merge_height():
    # {0} and {1} merge at 1; then mean 0.5 (weight 2) against 10 (weight 2): sqrt(2*2*2/4) * 9.5
    linkage = hierarchy.weighted_ward([[0.0], [1.0], [10.0]], [1, 1, 2])
    np.testing.assert_allclose(linkage[:, 2], [1.0, np.sqrt(2) * 9.5])
    np.testing.assert_array_equal(linkage[:, 3], [2, 3])


@pytest.mark.parametrize("bad", [([[0.0], [1.0]], [1, 0]), ([[0.0], [1.0]], [1]), (np.zeros((0, 3)), [])])
def test_bad_points_or_weights_are_refused(bad):
    with pytest.raises(InvalidParameterError):
        hierarchy.weighted_ward(*bad)


@pytest.fixture(scope="module")
def photo_tree(small_photo):
    return hierarchy.color_tree(small_photo, max_leaves=300)


def test_leaves_are_histogram_cells_weighing_every_pixel(small_photo, photo_tree):
    assert 2 <= photo_tree.n_leaves <= 300 < colorlab.metrics.count_colors(small_photo)
    assert photo_tree.leaf_weights.sum() == small_photo.shape[0] * small_photo.shape[1]
    # every leaf sits at the weighted mean of its colors
    leaf = photo_tree.leaf_of_color
    mean_of_leaf_0 = photo_tree.counts[leaf == 0] @ photo_tree.coords[leaf == 0] / photo_tree.counts[leaf == 0].sum()
    np.testing.assert_allclose(photo_tree.leaf_coords[0], mean_of_leaf_0)


@pytest.mark.parametrize("k", [1, 2, 5, 17, -2, -1])
def test_cut_gives_k_clusters_as_fcluster_does(photo_tree, k):
    k = k if k > 0 else photo_tree.n_leaves + 1 + k  # -1: every leaf its own cluster
    labels = photo_tree.leaf_labels(k)
    assert len(np.unique(labels)) == k
    theirs = scipy_hierarchy.fcluster(photo_tree.linkage, photo_tree.cut_height(k), criterion="distance")
    # same partition: a one-to-one map between the two labelings
    pairs = np.unique(np.stack([labels, theirs]), axis=1)
    assert pairs.shape[1] == k == len(np.unique(theirs))


def test_cut_line_crosses_k_branches(photo_tree):
    shown = scipy_hierarchy.dendrogram(photo_tree.linkage, no_plot=True)
    for k in (2, 6, 11):
        h = photo_tree.cut_height(k)
        crossing = sum(1 for ys in shown["dcoord"] for low, high in ((ys[0], ys[1]), (ys[3], ys[2])) if low < h < high)
        assert crossing == k


@pytest.mark.parametrize("space", colorlab.SPACES)
def test_palette_of_the_tree_is_fit_palettes_agglomerative(small_photo, space):
    tree = hierarchy.color_tree(small_photo, space=space)
    for k in (3, 8):
        assert tree.palette(k, seed=4) == colorlab.fit_palette(small_photo, k, method="agglomerative", space=space,
                                                               seed=4)


def test_agglomerative_is_close_to_kmeans_on_a_real_photo(small_photo):
    def mse(method):
        return colorlab.metrics.mse(small_photo, colorlab.quantize(small_photo,
                                                                   colorlab.fit_palette(small_photo, 8, method=method)))
    assert mse("kmeans") <= mse("agglomerative") <= 1.5 * mse("kmeans")


def test_palette_is_the_cluster_means_when_they_are_distinct():
    pixels = np.array([[0, 0, 0]] * 3 + [[12, 0, 0]] * 1 + [[200, 200, 0]] * 2 + [[200, 210, 0]] * 2, np.uint8)
    palette = hierarchy.color_tree(pixels).palette(2)
    assert palette.to_hex() == ["#030000", "#c8cd00"]  # (0 * 3 + 12) / 4 = 3
    np.testing.assert_array_equal(palette.counts, [4, 4])


def test_node_colors_are_leaf_colors_then_weighted_means():
    pixels = np.array([[0, 0, 0]] * 3 + [[100, 0, 0]], np.uint8)
    colors = hierarchy.color_tree(pixels).node_colors()
    np.testing.assert_array_equal(colors, [[0, 0, 0], [100, 0, 0], [25, 0, 0]])


@pytest.mark.parametrize(("kwargs", "error"), [({"space": "hsv"}, InvalidParameterError),
                                               ({"max_leaves": 1}, InvalidParameterError),
                                               ({"max_leaves": 2.5}, InvalidParameterError)])
def test_bad_options_are_refused(small_photo, kwargs, error):
    with pytest.raises(error):
        hierarchy.color_tree(small_photo, **kwargs)


def test_bad_image_is_refused():
    with pytest.raises(InvalidImageError):
        hierarchy.color_tree(np.zeros((3, 3, 4), np.uint8))


def test_one_color_image_gives_a_one_leaf_tree_and_a_warning():
    tree = hierarchy.color_tree(np.full((4, 4, 3), 7, np.uint8))
    assert tree.n_leaves == 1 and tree.linkage.shape == (0, 4)
    with pytest.warns(colorlab.ColorlabWarning):
        assert tree.palette(3).to_hex() == ["#070707"]


@pytest.mark.parametrize("k", [1, 4, 40])
def test_dendrogram_plot_draws_the_cut_at_the_cut_height(photo_tree, k):
    ax = plot.dendrogram(photo_tree, k)
    assert ax.lines[-1].get_ydata()[0] == photo_tree.cut_height(k)
    assert f"k = {k} clusters" in ax.get_title()
    assert len(ax.collections[-1].get_offsets()) == max(32, k)  # one color square per shown leaf


@pytest.mark.parametrize(("tree", "k"), [("tree", 3), (None, 0), (None, 2.5)])
def test_dendrogram_plot_refuses_bad_input(photo_tree, tree, k):
    with pytest.raises(InvalidParameterError):
        plot.dendrogram(tree or photo_tree, k)
