"""Checks for the k-means a student writes in notebook 03: ``assign`` and ``update``, half-step by half-step.

The student's two functions are compared with the library's stepper (:func:`.lloyd.lloyd_points`) on every
half-step it recorded, then run on a photo. A check never raises on a wrong answer: it says, in one line,
the first half-step where the answer differs and what to look at, so a notebook with an unfinished
exercise still runs to the end.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidParameterError
from ..io.arrays import as_image
from ..palette.core import Palette
from ..util.checks import check_k

#: Far from every 0..255 point: a center no point is nearest to, so its cluster is empty.
_FAR = 10_000.0


@dataclass(frozen=True)
class Check:
    """The verdict on a student's function.

    Attributes
    ----------
    ok : bool
        True if the function gave the library's answer at every half-step checked.
    checked : int
        How many half-steps were compared.
    message : str
        One line for the student: what agreed, or the first half-step that did not and what to look at.
    """

    ok: bool
    checked: int
    message: str

    def __str__(self) -> str:
        return self.message


def _call(function, name: str, *args):
    """The student's function called on copies, so a function that edits its arguments spoils no later check.

    numpy's warnings (the mean of an empty cluster) are silenced: the check says what is wrong in its own words."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return function(*(np.array(a, copy=True) for a in args)), None
    except Exception as error:  # a student's bug is reported, not raised: the notebook goes on
        return None, f"not yet: {name} raised {type(error).__name__}: {error}"


def check_assign(assign, history) -> Check:
    """Compare a student's ``assign(points, centers)`` with every assign of a recorded run.

    Parameters
    ----------
    assign : callable
        ``assign(points, centers)`` with points ``(n, d)`` and centers ``(k, d)`` (float arrays) must
        return the number (0 .. k-1) of each point's nearest center, shape ``(n,)``; on a tie, the lower number.
    history : PointsHistory
        A run of :func:`colorlab.lessons.lloyd.lloyd_points` (e.g. ``voronoi_stepper(...).history``).

    Returns
    -------
    Check

    Examples
    --------
    >>> from colorlab.lessons.lloyd import lloyd_points
    >>> run = lloyd_points([[0, 0], [1, 0], [9, 0], [10, 0]], 2, init=[[0, 0], [1, 0]])
    >>> nearest = lambda p, c: ((p[:, None] - c[None]) ** 2).sum(2).argmin(1)
    >>> check_assign(nearest, run).ok
    True
    >>> check_assign(lambda p, c: np.zeros(len(p), int), run).message[:8]
    'not yet:'
    """
    points = history.points
    checked = 0
    for half in history.half_steps:
        if half.kind not in ("start", "assign"):
            continue
        labels, problem = _call(assign, "assign", points, half.centers)
        if problem:
            return Check(False, checked, problem)
        labels = np.asarray(labels)
        if labels.shape != (len(points),):
            return Check(False, checked, f"not yet: assign must return one cluster number per point, shape "
                                         f"({len(points)},); it returned shape {labels.shape}")
        wrong = np.flatnonzero(labels != half.labels)
        if wrong.size:
            i = wrong[0]
            return Check(False, checked, (
                f"not yet: at {half.name}, {wrong.size:,} of {len(points):,} points get another cluster than the "
                f"library's (point {i} at {points[i].round(1).tolist()}: yours {labels[i]}, nearest {half.labels[i]}); "
                "compare squared distances to every center and keep the smallest"))
        checked += 1
    return Check(True, checked, f"assign: the library's clusters at all {checked} assign half-steps")


def check_update(update, history) -> Check:
    """Compare a student's ``update(points, labels, centers)`` with every update of a run, and on an empty cluster.

    Parameters
    ----------
    update : callable
        ``update(points, labels, centers)`` must return the new centers ``(k, d)``: the mean of each
        cluster's points, and the old center for a cluster with no point (the empty-cluster guard).
    history : PointsHistory
        A run of :func:`colorlab.lessons.lloyd.lloyd_points`.

    Returns
    -------
    Check
        Its last half-step checked is a made-up one with an empty cluster: a center far from every point.

    Examples
    --------
    >>> from colorlab.lessons.lloyd import lloyd_points
    >>> run = lloyd_points([[0, 0], [1, 0], [9, 0], [10, 0]], 2, init=[[0, 0], [1, 0]])
    >>> check_update(lambda p, l, c: np.array([p[l == j].mean(0) for j in range(len(c))]), run).ok
    False
    """
    points = history.points
    checked = 0
    previous = None
    for half in history.half_steps:
        if half.kind == "update":
            centers, problem = _call(update, "update", points, previous.labels, previous.centers)
            if problem:
                return Check(False, checked, problem)
            centers = np.asarray(centers, dtype=np.float64)
            if centers.shape != half.centers.shape:
                return Check(False, checked, f"not yet: update must return k={len(half.centers)} centers, shape "
                                             f"{half.centers.shape}; it returned shape {centers.shape}")
            off = np.flatnonzero(~np.isclose(centers, half.centers, rtol=0, atol=1e-6).all(axis=1))
            if off.size:
                j = off[0]
                return Check(False, checked, (
                    f"not yet: at {half.name}, center {j} is {centers[j].round(2).tolist()}, the mean of its "
                    f"points is {half.centers[j].round(2).tolist()}; average the points whose label is {j}"))
            checked += 1
        previous = half
    # the guard: one center no point is nearest to must stay where it is
    last = history.half_steps[-1]
    far = np.vstack([last.centers, np.full((1, points.shape[1]), _FAR)])
    labels = last.labels
    centers, problem = _call(update, "update", points, labels, far)
    if problem:
        return Check(False, checked, problem + " (on an empty cluster: keep its old center)")
    centers = np.asarray(centers, dtype=np.float64)
    if centers.shape != far.shape or not np.all(np.isfinite(centers)) or not np.allclose(centers[-1], far[-1]):
        return Check(False, checked, (
            "not yet: with an empty cluster (no label is its number), update must keep that cluster's old center; "
            f"it returned {np.asarray(centers).round(2).tolist()[-1:] if centers.ndim == 2 else centers.shape}"))
    return Check(True, checked + 1,
                 f"update: the library's centers at all {checked} update half-steps, and the empty cluster kept its center")


@dataclass(frozen=True)
class YourRun:
    """A run of the student's ``assign`` and ``update`` on a photo; see :func:`run_yours`.

    Attributes
    ----------
    centers : ndarray of float64, shape (k, 3)
    labels : ndarray of int, shape (H, W)
    steps : int
        Update-assign rounds made.
    converged : bool
        True if the last assign changed no pixel's cluster.
    mse : float
        Mean squared RGB error of the photo redrawn with the rounded centers.
    quantized : ndarray of uint8, shape (H, W, 3)
    palette : Palette
    """

    centers: np.ndarray
    labels: np.ndarray
    steps: int
    converged: bool
    mse: float
    quantized: np.ndarray
    palette: Palette


def run_yours(image, assign, update, start, *, max_iter: int = 50) -> YourRun:
    """Lloyd's algorithm on every pixel of a photo, made of the student's ``assign`` and ``update``.

    Parameters
    ----------
    image : (H, W, 3) uint8 array
    assign, update : callable
        As checked by :func:`check_assign` and :func:`check_update`.
    start : (k, 3) array_like
        The starting centers (e.g. ``lloyd_history(...).steps[0].centers``, to compare with the library).
    max_iter : int, default 50

    Returns
    -------
    YourRun

    Raises
    ------
    InvalidParameterError
        If ``start`` is not (k, 3), or a function returns arrays of the wrong shape.

    Examples
    --------
    >>> image = np.array([[[0, 0, 0], [10, 10, 10], [250, 250, 250]]], np.uint8)
    >>> nearest = lambda p, c: ((p[:, None] - c[None]) ** 2).sum(2).argmin(1)
    >>> means = lambda p, l, c: np.array([p[l == j].mean(0) if (l == j).any() else c[j] for j in range(len(c))])
    >>> run = run_yours(image, nearest, means, [[0, 0, 0], [255, 255, 255]])
    >>> run.centers.tolist(), run.converged
    ([[5.0, 5.0, 5.0], [250.0, 250.0, 250.0]], True)
    """
    from ..metrics import mse as mean_squared_error

    image = as_image(image, "image")
    centers = np.array(start, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[1] != 3:
        raise InvalidParameterError(f"start must be (k, 3) centers in RGB, got shape {centers.shape}")
    check_k(len(centers))
    points = image.reshape(-1, 3).astype(np.float64)
    labels = np.asarray(assign(points, centers))
    if labels.shape != (len(points),):
        raise InvalidParameterError(f"assign returned shape {labels.shape}, not one cluster per pixel; run its check first")
    converged, steps = False, 0
    for steps in range(1, max_iter + 1):
        centers = np.asarray(update(points, labels, centers), dtype=np.float64)
        if centers.shape != (len(start), 3):
            raise InvalidParameterError(f"update returned shape {centers.shape}, not (k, 3); run its check first")
        new_labels = np.asarray(assign(points, centers))
        changed = np.count_nonzero(new_labels != labels)
        labels = new_labels
        if changed == 0:
            converged = True
            break
    colors = np.clip(np.rint(centers), 0, 255).astype(np.uint8)
    quantized = colors[labels].reshape(image.shape)
    counts = np.bincount(labels, minlength=len(colors))
    palette = Palette(colors, counts=counts, method="yours")
    return YourRun(centers, labels.reshape(image.shape[:2]), steps, converged, mean_squared_error(image, quantized),
                   quantized, palette)


def random_palette(image, k: int, *, seed=0) -> Palette:
    """``k`` pixels of the photo drawn at random, as a palette: the baseline any fitted palette must beat.

    Parameters
    ----------
    image : (H, W, 3) uint8 array
    k : int
    seed : int, default 0

    Returns
    -------
    Palette
        Its counts are the pixels nearest to each color.

    Examples
    --------
    >>> image = np.arange(30, dtype=np.uint8).reshape(1, 10, 3)
    >>> len(random_palette(image, 3))
    3
    """
    image = as_image(image, "image")
    k = check_k(k)
    pixels = image.reshape(-1, 3)
    rng = np.random.default_rng(seed)
    colors = pixels[rng.choice(len(pixels), size=min(k, len(pixels)), replace=False)].astype(np.float64)
    nearest = np.argmin(((pixels[:, None, :].astype(np.float64) - colors[None]) ** 2).sum(axis=2), axis=1)
    return Palette(colors.astype(np.uint8), counts=np.bincount(nearest, minlength=len(colors)), method="random")
