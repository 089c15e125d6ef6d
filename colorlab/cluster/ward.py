"""Agglomerative (hierarchical) clustering of an image's colors: Ward's method on weighted colors.

Start with every color as its own cluster and repeatedly merge the two clusters whose merge adds
the least to the squared error (Ward's criterion). The merges form a tree (a dendrogram); cutting
it at k clusters gives a k-color palette, and one tree gives every k at once.

Two practical problems, and what this module does about them:

- ``scipy.cluster.hierarchy.linkage`` takes no weights, and a photo's pixels (or even its distinct
  colors, ~100,000 in a megapixel photo) are far too many for its O(n^2) memory. So the colors are
  first grouped into the occupied cells of a coarse color histogram (the finest of 6, 5, 4, 3 bits
  per channel with at most ``max_leaves`` occupied cells); each cell becomes one *leaf*, placed at
  the pixel-weighted mean of its colors and weighing as many pixels as it holds. Images with few
  distinct colors use the colors themselves as leaves (exact).
- Ward on weighted points is written here (:func:`weighted_ward`, a nearest-neighbor chain, O(n^2)
  time, O(n) memory). A cluster of weight w at mean c behaves exactly like w identical points at c,
  so the merge heights are those of scipy's unweighted ``ward`` on the points replicated weight
  times. The distance used is Ward's in closed form, ``sqrt(2 wa wb / (wa + wb)) |ca - cb|`` (the
  same values the Lance-Williams update produces), and the result is a scipy linkage matrix, so
  ``scipy.cluster.hierarchy.dendrogram`` and ``fcluster`` work on it.

Examples
--------
>>> import colorlab
>>> from colorlab.cluster.ward import color_tree
>>> tree = color_tree(colorlab.load_image("rocket")[:60, :80])
>>> len(tree.palette(4)), len(tree.palette(8))
(4, 8)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .._engine import codes as _codes
from ._centers import palette_from_centers
from ..color.spaces import SPACES, from_space, to_space
from ..errors import ColorlabWarning, InvalidParameterError
from ..io.arrays import as_pixels
from ..palette.core import Palette

__all__ = ["MAX_LEAVES", "ColorTree", "color_tree", "weighted_ward"]

#: Most leaves of a color tree: Ward on 2048 leaves takes ~0.3 s here; the dendrogram stays readable when truncated.
MAX_LEAVES = 2048
#: Histogram resolutions tried for the leaves, finest first (bits per channel).
_LEAF_BITS = (6, 5, 4, 3, 2, 1)


def weighted_ward(points, weights) -> np.ndarray:
    """Ward's agglomerative clustering of weighted points, as a scipy linkage matrix.

    Parameters
    ----------
    points : array_like of float, shape (n, d)
        The points (e.g. colors in some color space).
    weights : array_like of positive numbers, shape (n,)
        How many observations each point stands for (e.g. pixel counts).

    Returns
    -------
    ndarray of float64, shape (n - 1, 4)
        Row i merges clusters ``Z[i, 0]`` and ``Z[i, 1]`` (ids below n are points, id n + j is the
        cluster made in row j) at height ``Z[i, 2]``; ``Z[i, 3]`` is the number of *points* in the new
        cluster, as scipy expects. Heights never decrease. Point i with weight w gives the same
        heights as w copies of it in ``scipy.cluster.hierarchy.ward`` (after their zero-height merges).

    Raises
    ------
    InvalidParameterError
        If the shapes do not match, there are no points, or a weight is not positive.

    Examples
    --------
    >>> weighted_ward([[0.0], [1.0], [10.0]], [1, 1, 2]).round(3).tolist()
    [[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 13.435, 3.0]]
    """
    points = np.asarray(points, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    if points.ndim != 2 or len(points) == 0 or weights.shape != (len(points),):
        raise InvalidParameterError(
            f"points must be (n, d) with n >= 1 and weights (n,), got shapes {points.shape} and {weights.shape}"
        )
    if not (weights > 0).all():
        raise InvalidParameterError("weights must all be positive numbers (pixel counts), got a zero or negative one")
    merges = _nearest_neighbor_chain(points, weights)
    return _as_linkage(merges, len(points))


def _nearest_neighbor_chain(points: np.ndarray, weights: np.ndarray) -> list[tuple[int, int, float]]:
    """Ward merges in the order the nearest-neighbor chain finds them: (slot a, slot b, height).

    Hand-written: scipy has the same algorithm but neither weights nor a way to start from weighted
    clusters. Ward's distance is reducible, so following nearest neighbors until two clusters are
    each other's nearest and merging them yields exactly the greedy Ward tree.
    A merged cluster lives on in slot a; slot b is retired.
    """
    n = len(points)
    centers, mass = points.copy(), weights.copy()
    active = np.ones(n, dtype=bool)
    merges: list[tuple[int, int, float]] = []
    chain: list[int] = []
    while len(merges) < n - 1:
        if not chain:
            chain.append(int(np.flatnonzero(active)[0]))
        a = chain[-1]
        squared = 2 * mass[a] * mass / (mass[a] + mass) * ((centers - centers[a]) ** 2).sum(axis=1)
        squared[~active] = np.inf
        squared[a] = np.inf
        b = int(squared.argmin())
        if len(chain) > 1 and squared[chain[-2]] <= squared[b]:
            b = chain[-2]  # prefer the previous link on ties, or the chain could cycle
        if len(chain) > 1 and b == chain[-2]:
            chain.pop()
            chain.pop()
            merges.append((a, b, float(np.sqrt(squared[b]))))
            total = mass[a] + mass[b]
            centers[a] = (mass[a] * centers[a] + mass[b] * centers[b]) / total
            mass[a] = total
            active[b] = False
        else:
            chain.append(b)
    return merges


def _as_linkage(merges: list[tuple[int, int, float]], n: int) -> np.ndarray:
    """Sort chain merges by height and number the clusters as scipy does."""
    if n == 1:
        return np.empty((0, 4))
    heights = np.array([h for _, _, h in merges])
    # rounding can put a merge a hair below one of its children: lift it, so sorting keeps children first
    last_merge_of_slot: dict[int, int] = {}
    for i, (a, b, _) in enumerate(merges):
        for slot in (a, b):
            if slot in last_merge_of_slot:
                heights[i] = max(heights[i], heights[last_merge_of_slot[slot]])
        last_merge_of_slot[a] = i
    order = np.argsort(heights, kind="stable")
    cluster_of_slot = np.arange(n)
    size = np.ones(2 * n - 1)
    linkage = np.empty((n - 1, 4))
    for row, i in enumerate(order):
        a, b, _ = merges[i]
        first, second = sorted((cluster_of_slot[a], cluster_of_slot[b]))
        size[n + row] = size[first] + size[second]
        linkage[row] = (first, second, heights[i], size[n + row])
        cluster_of_slot[a] = n + row
    return linkage


@dataclass(frozen=True, eq=False)
class ColorTree:
    """The Ward tree of an image's colors; :meth:`palette` cuts it at any k.

    Build it with :func:`color_tree`. Attributes: ``linkage`` (scipy linkage matrix over the
    leaves), ``leaf_coords`` ((n, 3) float, leaf means in ``space``), ``leaf_weights`` ((n,) pixels
    per leaf), ``leaf_of_color`` (the leaf of each distinct color), ``colors``, ``coords``,
    ``counts`` (the image's distinct colors, their coordinates and pixel counts), ``space``.
    """

    linkage: np.ndarray
    leaf_coords: np.ndarray
    leaf_weights: np.ndarray
    leaf_of_color: np.ndarray
    colors: np.ndarray
    coords: np.ndarray
    counts: np.ndarray
    space: str

    @property
    def n_leaves(self) -> int:
        """Number of leaves (histogram cells or distinct colors) the tree was built on."""
        return len(self.leaf_coords)

    def leaf_labels(self, k: int) -> np.ndarray:
        """Cluster (0 .. k-1) of every leaf when the tree is cut into k clusters (k above n_leaves: n_leaves).

        Undoes the last k - 1 merges; unlike ``fcluster(..., "maxclust")`` this gives exactly k
        clusters even when merge heights tie.
        """
        n = self.n_leaves
        merged = n - min(max(int(k), 1), n)
        parent = np.arange(2 * n - 1)
        rows = np.arange(merged)
        parent[self.linkage[:merged, 0].astype(np.intp)] = n + rows
        parent[self.linkage[:merged, 1].astype(np.intp)] = n + rows
        while True:  # pointer jumping: every node ends up pointing at its top cluster
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
        _, first_leaf, labels = np.unique(parent[:n], return_index=True, return_inverse=True)
        return np.argsort(np.argsort(first_leaf))[labels.reshape(-1)]  # clusters numbered by their first leaf

    def cut_height(self, k: int) -> float:
        """A height where a horizontal line crosses the dendrogram in exactly k branches."""
        heights = self.linkage[:, 2]
        n = self.n_leaves
        k = min(max(int(k), 1), n)
        if n == 1:
            return 1.0
        if k == 1:
            return float(heights[-1] * 1.05 or 1.0)
        if k == n:
            return float(heights[0] / 2)
        return float((heights[n - k - 1] + heights[n - k]) / 2)

    def centers(self, k: int) -> np.ndarray:
        """Weighted mean (in ``space``) of each of the k clusters: (min(k, n_leaves), 3) float64."""
        labels = self.leaf_labels(k)
        mass = np.bincount(labels, weights=self.leaf_weights)
        sums = np.stack([np.bincount(labels, weights=self.leaf_weights * self.leaf_coords[:, j]) for j in range(3)], 1)
        return sums / mass[:, None]

    def palette(self, k: int, *, seed=0) -> Palette:
        """The k-color palette of the cut at k: each cluster's weighted mean, counted as ``fit_palette`` counts.

        ``seed`` is only recorded in ``params`` (the tree has no randomness). Same result as
        ``fit_palette(image, k, method="agglomerative", space=space)``.

        Examples
        --------
        >>> import numpy as np
        >>> pixels = np.array([[0, 0, 0]] * 4 + [[10, 0, 0]] * 4 + [[200, 200, 200]] * 2, np.uint8)
        >>> color_tree(pixels).palette(2).to_hex()
        ['#050000', '#c8c8c8']
        """
        from ..util.checks import check_k

        k = check_k(k)
        params = {"k": k, "seed": seed}
        if len(self.colors) <= k:
            if len(self.colors) < k:
                warnings.warn(f"the image has only {len(self.colors)} distinct colors, fewer than k={k}; "
                              "the palette holds exactly those", ColorlabWarning, stacklevel=2)
            return Palette(self.colors, self.counts, method="agglomerative", space=self.space, params=params)
        return palette_from_centers(self.centers(k), self.colors, self.coords, self.counts, k,
                                    method="agglomerative", space=self.space, params=params)

    def node_colors(self) -> np.ndarray:
        """sRGB uint8 mean color of every node of the tree (leaves, then the cluster of each linkage row): (2n - 1, 3)."""
        n = self.n_leaves
        mass = np.concatenate([self.leaf_weights, np.zeros(n - 1)])
        sums = np.concatenate([self.leaf_coords * self.leaf_weights[:, None], np.zeros((n - 1, 3))])
        for row, (a, b) in enumerate(self.linkage[:, :2].astype(np.intp)):
            mass[n + row] = mass[a] + mass[b]
            sums[n + row] = sums[a] + sums[b]
        return from_space(sums / mass[:, None], self.space).reshape(-1, 3)


def color_tree(image, *, space: str = "rgb", max_leaves: int = MAX_LEAVES) -> ColorTree:
    """Build the Ward tree of an image's colors (weighted by pixel counts); cut it with ``.palette(k)``.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3)
        An RGB image or its pixels.
    space : {"rgb", "lab", "oklab"}, default "rgb"
        Color space Ward's distances are measured in.
    max_leaves : int, default :data:`MAX_LEAVES`
        Most leaves; above that many distinct colors the leaves are coarse histogram cells.

    Returns
    -------
    ColorTree

    Raises
    ------
    InvalidImageError
        If ``image`` is not an (H, W, 3) or (N, 3) uint8 array.
    InvalidParameterError
        If ``space`` or ``max_leaves`` is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> tree = color_tree(np.array([[0, 0, 0], [0, 0, 0], [10, 0, 0], [250, 250, 250]], np.uint8))
    >>> tree.n_leaves, tree.leaf_labels(2).tolist()
    (3, [0, 0, 1])
    """
    from ..util.checks import check_choice

    space = check_choice(space, SPACES, "space")
    if isinstance(max_leaves, bool) or not isinstance(max_leaves, (int, np.integer)) or max_leaves < 2:
        raise InvalidParameterError(f"max_leaves must be a whole number of at least 2, got {max_leaves!r}")
    colors, counts = _codes.distinct_colors(as_pixels(image))
    return tree_of_colors(colors, counts, space, max_leaves)


def tree_of_colors(colors, counts, space: str, max_leaves: int = MAX_LEAVES) -> ColorTree:
    """:func:`color_tree` from distinct colors ((n, 3) uint8) and their pixel counts."""
    coords = to_space(colors, space)
    leaf_of_color, leaf_coords, leaf_weights = _leaves(colors, coords, counts, max_leaves)
    linkage = weighted_ward(leaf_coords, leaf_weights)
    return ColorTree(linkage, leaf_coords, leaf_weights, leaf_of_color, colors, coords, counts, space)


def _leaves(colors, coords, counts, max_leaves: int):
    """Group distinct colors into at most ``max_leaves`` leaves: (leaf of each color, leaf means, leaf weights)."""
    weights = counts.astype(np.float64)
    if len(colors) <= max_leaves:
        return np.arange(len(colors)), coords, weights
    for bits in _LEAF_BITS:
        c = (colors >> (8 - bits)).astype(np.intp)
        cell_code = (c[:, 0] << (2 * bits)) | (c[:, 1] << bits) | c[:, 2]
        cells, leaf_of_color = np.unique(cell_code, return_inverse=True)
        if len(cells) <= max_leaves:
            break
    leaf_of_color = leaf_of_color.reshape(-1)
    mass = np.bincount(leaf_of_color, weights=weights)
    means = np.stack([np.bincount(leaf_of_color, weights=weights * coords[:, j]) for j in range(3)], 1)
    return leaf_of_color, means / mass[:, None], mass
