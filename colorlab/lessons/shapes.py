"""Where k-means fails: 2D point sets whose groups a person sees at once and k-means cannot find.

Three classic shapes, drawn with numpy from a seed (no scikit-learn needed): two **rings**, one inside the other;
two interleaved half **moons**; and **unequal blobs**, one big and wide beside two small tight ones. k-means looks
for the centers that make the sum of squared distances to the nearest center smallest, so its clusters are
convex cells (the regions of the nearest center, cut by straight lines) of roughly equal spread. A ring cannot
be such a cell, a moon's tips reach into the other moon's cell, and a wide blob is cheaper to split than to keep
whole. :func:`where_kmeans_fails` measures it: on every shape the true groups have a *higher* MSE than the
clusters k-means finds, so no start, however lucky, makes k-means return them.

May import: numpy and :mod:`colorlab.lessons.lloyd` (the 2D Lloyd's algorithm).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidParameterError
from ..util.checks import check_choice, check_whole
from .lloyd import PointsHistory, lloyd_points

__all__ = ["SHAPES", "shape_points", "agreement", "ShapeRun", "kmeans_on_shape", "where_kmeans_fails"]

#: The point sets :func:`shape_points` draws, each with its number of true groups.
SHAPES = {"rings": 2, "moons": 2, "unequal blobs": 3}


def _rings(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    inner = n // 3
    radius = np.r_[rng.normal(35, 5, inner), rng.normal(100, 5, n - inner)]
    angle = rng.uniform(0, 2 * np.pi, n)
    return 128 + radius[:, None] * np.c_[np.cos(angle), np.sin(angle)], np.repeat([0, 1], [inner, n - inner])


def _moons(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    first = n // 2
    upper, lower = rng.uniform(0, np.pi, first), rng.uniform(0, np.pi, n - first)
    points = np.r_[np.c_[np.cos(upper), np.sin(upper)], np.c_[1 - np.cos(lower), 0.5 - np.sin(lower)]]
    points += rng.normal(0, 0.07, points.shape)
    return 128 + (points - [0.5, 0.25]) * 72, np.repeat([0, 1], [first, n - first])


def _unequal_blobs(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    sizes = [n - 2 * (n // 10), n // 10, n // 10]
    middles, spreads = [(115, 128), (195, 185), (195, 71)], [34, 9, 9]
    points = np.concatenate([rng.normal(m, s, (size, 2)) for m, s, size in zip(middles, spreads, sizes)])
    return points, np.repeat(np.arange(3), sizes)


_DRAW = {"rings": _rings, "moons": _moons, "unequal blobs": _unequal_blobs}


def shape_points(shape: str, n: int = 600, *, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Draw a 2D point set with groups k-means cannot find, on the 0..255 scale of a color channel.

    Parameters
    ----------
    shape : {"rings", "moons", "unequal blobs"}
        Two rings, one inside the other (a third of the points inside); two interleaved half moons; one big
        wide blob (80% of the points) beside two small tight ones.
    n : int, default 600
        Number of points, 10 .. 100,000.
    seed : int, default 0
        Seed of the random draw: the same seed gives the same points.

    Returns
    -------
    points : ndarray of float64, shape (n, 2)
    groups : ndarray of int, shape (n,)
        The true group of every point, 0 .. ``SHAPES[shape] - 1``.

    Examples
    --------
    >>> points, groups = shape_points("rings", 90)
    >>> points.shape, np.bincount(groups).tolist()
    ((90, 2), [30, 60])
    """
    n = check_whole(n, "n", 10, 100_000)
    return _DRAW[check_choice(shape, tuple(SHAPES), "shape")](n, np.random.default_rng(seed))


def agreement(labels, groups) -> float:
    """Share of points whose cluster is their true group, under the best matching of clusters to groups.

    Cluster numbers are arbitrary, so every way of naming the clusters after the groups is tried and the best
    is kept: 1.0 means the clusters are the groups, and with 2 groups of equal size a coin toss scores about 0.5.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        The cluster of every point, 0 .. k - 1 (k at most 8).
    groups : array_like of int, shape (n,)
        The true group of every point, 0 .. k - 1.

    Returns
    -------
    float

    Examples
    --------
    >>> agreement([1, 1, 0, 0], [0, 0, 1, 1])
    1.0
    >>> agreement([0, 0, 0, 1], [0, 0, 1, 1])
    0.75
    """
    labels, groups = np.asarray(labels), np.asarray(groups)
    if labels.shape != groups.shape or labels.ndim != 1:
        raise InvalidParameterError(f"labels and groups must be two lists of the same length, got shapes "
                                    f"{labels.shape} and {groups.shape}")
    k = int(max(labels.max(), groups.max())) + 1
    if k > 8:
        raise InvalidParameterError(f"agreement tries every matching of clusters to groups: at most 8, got {k}")
    return max(float(np.mean(np.asarray(names)[labels] == groups)) for names in itertools.permutations(range(k)))


@dataclass(frozen=True)
class ShapeRun:
    """k-means on one of :data:`SHAPES`, next to its true groups; see :func:`kmeans_on_shape`.

    Attributes
    ----------
    shape : str
    points : ndarray of float64, shape (n, 2)
    groups : ndarray of int, shape (n,)
        The true groups.
    history : colorlab.lessons.lloyd.PointsHistory
        The run with the lowest final MSE among the starts tried.
    agreement : float
        :func:`agreement` of its final clusters with the groups.
    kmeans_mse : float
        Its final MSE (mean squared distance of a point to its cluster's center).
    groups_mse : float
        The MSE of the true groups, each point measured to its group's mean.
    """

    shape: str
    points: np.ndarray
    groups: np.ndarray
    history: PointsHistory
    agreement: float
    kmeans_mse: float
    groups_mse: float

    def describe(self) -> str:
        """One line: how well k-means found the groups, and the two MSEs."""
        return (f"{self.shape}: k = {self.history.k}, k-means agrees with the groups on {100 * self.agreement:.0f}% "
                f"of the points · MSE of k-means {self.kmeans_mse:,.0f}, of the true groups {self.groups_mse:,.0f}")


def kmeans_on_shape(shape: str, *, n: int = 600, seed=0, starts: int = 10) -> ShapeRun:
    """Run k-means, with k the number of true groups, on a :func:`shape_points` set and compare.

    k-means gets its best chance: ``starts`` k-means++ starts, and the run with the lowest MSE is kept.

    Parameters
    ----------
    shape : {"rings", "moons", "unequal blobs"}
    n : int, default 600
    seed : int, default 0
        Seed of the points; the starts use seeds 0 .. starts - 1.
    starts : int, default 10

    Returns
    -------
    ShapeRun

    Examples
    --------
    >>> run = kmeans_on_shape("rings", n=300, starts=3)
    >>> run.agreement < 0.8 and run.kmeans_mse < run.groups_mse
    True
    """
    starts = check_whole(starts, "starts", 1, 1000)
    points, groups = shape_points(shape, n, seed=seed)
    k = SHAPES[shape]
    runs = [lloyd_points(points, k, init="k-means++", seed=s) for s in range(starts)]
    best = min(runs, key=lambda run: run.half_steps[-1].mse)
    means = np.stack([points[groups == j].mean(axis=0) for j in range(k)])
    groups_mse = float(((points - means[groups]) ** 2).sum(axis=1).mean())
    return ShapeRun(shape, points, groups, best, agreement(best.half_steps[-1].labels, groups),
                    best.half_steps[-1].mse, groups_mse)


def where_kmeans_fails(shapes=tuple(SHAPES), *, n: int = 600, seed=0, starts: int = 10) -> list[ShapeRun]:
    """:func:`kmeans_on_shape` on several shapes: rings, moons and unequal blobs by default.

    Parameters
    ----------
    shapes : sequence of str, default every key of :data:`SHAPES`
    n, seed, starts
        As in :func:`kmeans_on_shape`.

    Returns
    -------
    list of ShapeRun
        One per shape, in order; draw them with :func:`colorlab.plot.kmeans_failures`.

    Examples
    --------
    >>> [run.shape for run in where_kmeans_fails(("moons", "rings"), n=200, starts=2)]
    ['moons', 'rings']
    """
    if isinstance(shapes, str):
        shapes = (shapes,)
    return [kmeans_on_shape(shape, n=n, seed=seed, starts=starts) for shape in shapes]
