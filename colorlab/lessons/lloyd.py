"""Lloyd's algorithm one step at a time, for teaching how k-means finds the colors.

:func:`lloyd_history` runs plain Lloyd iterations (assign every color to its nearest center, move
every center to the mean of its pixels) and records every step, so a notebook can show the centers
moving, the clusters, the quantized image and the inertia at each step. It is the textbook
algorithm, written for clarity; :func:`colorlab.fit_palette` uses a faster engine
that reaches the same kind of result with several starts and shortcuts.

Numpy only (no matplotlib).

Examples
--------
>>> import numpy as np
>>> pixels = np.array([[0, 0, 0]] * 3 + [[12, 0, 0]] + [[200, 200, 200]] * 2, np.uint8)
>>> history = lloyd_history(pixels, 2, init=[[0, 0, 0], [12, 0, 0]])
>>> history.n_steps, history.converged
(3, True)
>>> history.steps[-1].colors.tolist()
[[3, 0, 0], [200, 200, 200]]
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..color.spaces import SPACES, from_space, to_space
from ..errors import InvalidParameterError
from ..io.arrays import as_pixels
from ..palette.core import Palette
from ..util.checks import MAX_K, check_choice, check_whole

__all__ = ["INITS", "MAX_K", "HALF_STEP_KINDS", "Repair", "LloydStep", "HalfStep", "LloydHistory", "lloyd_history",
           "PointsHistory", "lloyd_points", "channel_points"]

#: The named ways to choose the starting centers (an array of centers is accepted too).
INITS = ("k-means++", "random")
#: What a half-step can be (see :class:`HalfStep`).
HALF_STEP_KINDS = ("start", "repair", "update", "assign")


@dataclass(frozen=True)
class Repair:
    """How one empty cluster was repaired.

    A cluster is empty when no pixel is nearer to its center than to another center. Its center is
    then moved onto the color whose pixels add the most to the inertia (pixel count x squared
    distance to their center), and every color is assigned again.

    Attributes
    ----------
    cluster : int
        Index of the empty cluster.
    old_center : ndarray of float64, shape (3,)
        Its center before the repair (fitting space).
    new_center : ndarray of float64, shape (3,)
        Its center after the repair: the coordinates of ``color``.
    color : ndarray of uint8, shape (3,)
        The sRGB color the center moved onto.
    error : float
        What the pixels of ``color`` added to the inertia before the repair (count x squared distance).
    """

    cluster: int
    old_center: np.ndarray
    new_center: np.ndarray
    color: np.ndarray
    error: float

    def describe(self) -> str:
        """One sentence for a student."""
        r, g, b = (int(v) for v in self.color)
        return (
            f"cluster {self.cluster} got no pixel, so its center moved onto the color #{r:02x}{g:02x}{b:02x}, "
            f"whose pixels added the most to the inertia ({self.error:,.0f})"
        )


@dataclass(frozen=True)
class LloydStep:
    """The state after one step of Lloyd's algorithm.

    Step 0 is the start: the initial centers and the clusters they define. Step t > 0 first moves
    every center to the mean of its cluster of step t - 1, then assigns every color to its nearest
    center.

    Attributes
    ----------
    index : int
        The step number, 0 for the start.
    centers : ndarray of float64, shape (k, 3)
        The centers in the fitting space (after any repair).
    colors : ndarray of uint8, shape (k, 3)
        The centers as sRGB colors (rounded), for display; row j is cluster j's color.
    labels : ndarray of intp, shape (n_colors,)
        Cluster of each distinct color of the image (:attr:`LloydHistory.distinct`).
    counts : ndarray of int64, shape (k,)
        Pixels in each cluster.
    inertia : float
        Sum over all pixels of the squared distance to their center (SSE), in the fitting space.
    mse : float
        ``inertia`` divided by the number of pixels: for ``space="rgb"`` the MSE in Celebi's
        convention (channels summed, not divided by 3) of the image drawn with the exact centers.
    changed : int
        Pixels whose cluster differs from the previous step (0 at step 0 and at convergence).
    repairs : tuple of Repair
        Empty clusters found at this step and how each was repaired (usually none).
    centers_before_repair : ndarray of float64, shape (k, 3)
        The centers before any repair: at step 0 the start, later the means of the update. The
        same array as ``centers`` when nothing was repaired.
    labels_before_repair : ndarray of intp, shape (n_colors,)
        The assignment to ``centers_before_repair`` (with the empty clusters). The same array as
        ``labels`` when nothing was repaired.
    """

    index: int
    centers: np.ndarray
    colors: np.ndarray
    labels: np.ndarray
    counts: np.ndarray
    inertia: float
    mse: float
    changed: int
    repairs: tuple
    centers_before_repair: np.ndarray = None
    labels_before_repair: np.ndarray = None

    def __post_init__(self):
        if self.centers_before_repair is None:
            object.__setattr__(self, "centers_before_repair", self.centers)
        if self.labels_before_repair is None:
            object.__setattr__(self, "labels_before_repair", self.labels)


@dataclass(frozen=True)
class HalfStep:
    """One half of a step of Lloyd's algorithm, to show the two moves apart.

    The half-steps of a run are, in order: ``"start"`` (the first centers, every pixel assigned to
    the nearest), a ``"repair"`` when a cluster was empty, then for every step t >= 1 an
    ``"update"`` (every center moves to the mean of its cluster; no pixel changes cluster) and an
    ``"assign"`` (every pixel joins its nearest center; no center moves), each followed by a
    ``"repair"`` if that assignment left a cluster empty.

    Attributes
    ----------
    position : int
        Index in :attr:`LloydHistory.half_steps`.
    step : int
        The step of :attr:`LloydHistory.steps` it belongs to.
    kind : {"start", "repair", "update", "assign"}
    centers : ndarray of float64, shape (k, 3)
        The centers after this half-step, in the fitting space.
    colors : ndarray of uint8, shape (k, 3)
        ``centers`` as sRGB colors (rounded), for display.
    labels : ndarray of intp, shape (n_colors,)
        Cluster of each distinct color after this half-step.
    counts : ndarray of int64, shape (k,)
        Pixels in each cluster (a 0 is an empty cluster, before its repair).
    inertia, mse : float
        As in :class:`LloydStep`, for these centers and labels.
    changed : int
        Pixels that changed cluster in this half-step (always 0 for an update).
    moved : float
        How far the center that moved most went in this half-step (0 for an assign).
    repairs : tuple of Repair
        The repairs done in a ``"repair"`` half-step (empty otherwise).
    """

    position: int
    step: int
    kind: str
    centers: np.ndarray
    colors: np.ndarray
    labels: np.ndarray
    counts: np.ndarray
    inertia: float
    mse: float
    changed: int
    moved: float
    repairs: tuple

    @property
    def name(self) -> str:
        """A short name: "start", "repair", "update 3", "assign 3"."""
        return self.kind if self.kind in ("start", "repair") else f"{self.kind} {self.step}"

    @property
    def x(self) -> float:
        """Where to draw it on a step axis: an update of step t at t - 0.5, the rest at t."""
        return self.step - 0.5 if self.kind == "update" else float(self.step)

    def describe(self) -> str:
        """What happened in this half-step, in one sentence for a student."""
        if self.kind == "start":
            empty = int((self.counts == 0).sum())
            text = "start: every pixel joins its nearest center"
            if empty:
                text += f"; {empty} cluster{'s' if empty > 1 else ''} got no pixel (empty)"
            return text
        if self.kind == "repair":
            return "repair: " + "; ".join(r.describe() for r in self.repairs)
        if self.kind == "update":
            return (f"update {self.step}: every center moves to the mean of its cluster (the one that moved "
                    f"most went {self.moved:,.1f}); no pixel changes cluster")
        if self.changed:
            return f"assign {self.step}: {self.changed:,} pixels join a nearer center; no center moves"
        return f"assign {self.step}: no pixel changes cluster, so the centers will not move again: converged"


@dataclass(frozen=True)
class LloydHistory:
    """Every step of one run of Lloyd's algorithm on an image; see :func:`lloyd_history`.

    Attributes
    ----------
    steps : tuple of LloydStep
        Step 0 (the start) to the last step.
    converged : bool
        True if the last step changed no pixel's cluster (the centers no longer move).
    distinct : ndarray of uint8, shape (n_colors, 3)
        The distinct colors of the image, in the order of every step's ``labels``.
    weights : ndarray of int64, shape (n_colors,)
        Pixels of each distinct color.
    pixel_index : ndarray of intp
        For every pixel, the row of its color in ``distinct``; shape (H, W) or (N,) like the input.
    k, space, init, seed, weighted
        The arguments of the run (``init`` is ``"array"`` for given centers).
    """

    steps: tuple
    converged: bool
    distinct: np.ndarray
    weights: np.ndarray
    pixel_index: np.ndarray
    k: int
    space: str
    init: str
    seed: int | None
    weighted: bool

    @property
    def n_steps(self) -> int:
        """Number of recorded steps, the start included."""
        return len(self.steps)

    @property
    def inertia(self) -> np.ndarray:
        """(n_steps,) float64: the inertia of every step (never increases)."""
        return np.array([s.inertia for s in self.steps])

    @property
    def mse(self) -> np.ndarray:
        """(n_steps,) float64: the MSE of every step."""
        return np.array([s.mse for s in self.steps])

    @property
    def center_path(self) -> np.ndarray:
        """(n_steps, k, 3) float64: where every center was at every step, in the fitting space."""
        return np.stack([s.centers for s in self.steps])

    @property
    def color_path(self) -> np.ndarray:
        """(n_steps, k, 3) float64: where every center was at every step, as sRGB on 0..255.

        For ``space="rgb"`` this is :attr:`center_path`; otherwise the centers converted to sRGB
        (rounded), so they can be drawn in the RGB cube.
        """
        if self.space == "rgb":
            return self.center_path
        return np.stack([s.colors for s in self.steps]).astype(np.float64)

    @cached_property
    def half_steps(self) -> tuple:
        """Every half-step of the run (:class:`HalfStep`): start, then update and assign for each step.

        A ``"repair"`` follows any half-step that left a cluster empty. The inertia never increases
        from one half-step to the next.
        """
        coords = to_space(self.distinct, self.space)
        weights = self.weights.astype(np.float64)
        n_pixels = float(self.weights.sum())
        halves = []

        def add(step, kind, centers, labels, changed, moved, repairs=()):
            k = len(centers)
            # a sum, not weights @ ...: that calls BLAS (colorlab.metrics.pixel_mean)
            inertia = float((weights * ((coords - centers[labels]) ** 2).sum(axis=1)).sum())
            halves.append(HalfStep(
                position=len(halves), step=step, kind=kind, centers=centers,
                colors=from_space(centers, self.space).reshape(k, 3), labels=labels,
                counts=np.bincount(labels, weights=weights, minlength=k).astype(np.int64),
                inertia=inertia, mse=inertia / n_pixels, changed=int(changed), moved=float(moved), repairs=repairs))

        def changed(before, after):
            return weights[before != after].sum()

        def moved(before, after):
            return np.sqrt(((after - before) ** 2).sum(axis=1)).max()

        first = self.steps[0]
        add(0, "start", first.centers_before_repair, first.labels_before_repair, 0, 0.0)
        if first.repairs:
            add(0, "repair", first.centers, first.labels, changed(first.labels_before_repair, first.labels),
                moved(first.centers_before_repair, first.centers), first.repairs)
        for before, step in zip(self.steps, self.steps[1:]):
            add(step.index, "update", step.centers_before_repair, before.labels, 0,
                moved(before.centers, step.centers_before_repair))
            add(step.index, "assign", step.centers_before_repair, step.labels_before_repair,
                changed(before.labels, step.labels_before_repair), 0.0)
            if step.repairs:
                add(step.index, "repair", step.centers, step.labels,
                    changed(step.labels_before_repair, step.labels),
                    moved(step.centers_before_repair, step.centers), step.repairs)
        return tuple(halves)

    def half_step(self, i: int) -> HalfStep:
        """Half-step ``i`` of :attr:`half_steps` (negative counts from the end)."""
        n = len(self.half_steps)
        whole = isinstance(i, numbers.Integral) and not isinstance(i, (bool, np.bool_))
        if not whole or not -n <= i < n:
            raise InvalidParameterError(f"half-step must be a whole number from 0 to {n - 1}, got {i!r}")
        return self.half_steps[int(i)]

    def half_step_path(self, i: int) -> np.ndarray:
        """(i + 1, k, 3) float64: the centers as sRGB on 0..255 at half-steps 0..i, for drawing their paths."""
        i = self.half_step(i).position
        if self.space == "rgb":
            return np.stack([h.centers for h in self.half_steps[: i + 1]])
        return np.stack([h.colors for h in self.half_steps[: i + 1]]).astype(np.float64)

    def half_step_quantized(self, i: int) -> np.ndarray:
        """The image at half-step ``i``, every pixel drawn in its cluster's center color."""
        half = self.half_step(i)
        return half.colors[half.labels][self.pixel_index]

    def step(self, i: int) -> LloydStep:
        """Step ``i`` (negative counts from the end, as for lists)."""
        whole = isinstance(i, numbers.Integral) and not isinstance(i, (bool, np.bool_))
        if not whole or not -self.n_steps <= i < self.n_steps:
            raise InvalidParameterError(f"step must be a whole number from 0 to {self.n_steps - 1}, got {i!r}")
        return self.steps[int(i)]

    def labels_image(self, i: int = -1) -> np.ndarray:
        """Cluster of every pixel at step ``i``: (H, W) or (N,) intp, like the input image."""
        return self.step(i).labels[self.pixel_index]

    def quantized(self, i: int = -1) -> np.ndarray:
        """The image at step ``i`` with every pixel drawn in its cluster's color: uint8, same shape as the input."""
        step = self.step(i)
        return step.colors[step.labels][self.pixel_index]

    def palette(self, i: int = -1) -> Palette:
        """The centers of step ``i`` as a :class:`colorlab.Palette` (ordered by pixel count, as palettes are)."""
        step = self.step(i)
        params = {"k": self.k, "seed": self.seed, "init": self.init, "step": step.index}
        return Palette(step.colors, step.counts, method="lloyd", space=self.space, params=params)


def lloyd_history(image, k, *, init="k-means++", seed=0, max_iter: int = 50, weighted: bool = True,
                  space: str = "rgb") -> LloydHistory:
    """Run Lloyd's k-means algorithm on an image and record every step.

    Each step moves every center to the mean of the pixels in its cluster, then puts every pixel
    in the cluster of its nearest center (ties go to the lower cluster index). The run stops when
    no pixel changes cluster (then the centers stay where they are) or after ``max_iter`` moves.
    The inertia never increases from one step to the next.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3)
        An RGB image or its pixels.
    k : int
        Number of clusters, from 1 to the number of distinct colors in the image (at most 256).
    init : {"k-means++", "random"} or array_like of shape (k, 3), default "k-means++"
        The start. ``"random"``: k pixels of different colors, drawn at random (Forgy).
        ``"k-means++"``: the first center is a random pixel, each next one a pixel drawn with
        probability proportional to its squared distance to the nearest center chosen so far
        (Arthur and Vassilvitskii 2007). An array gives the k starting centers in the fitting
        space (for ``space="rgb"``: red, green, blue on 0..255; they need not be pixel colors).
    seed : int, default 0
        Seed of the random start (unused for an array).
    max_iter : int, default 50
        Most center moves; the history then has at most ``max_iter + 1`` steps.
    weighted : bool, default True
        True: cluster the distinct colors, each weighted by its number of pixels (fast).
        False: cluster every pixel. Both give the same steps from the same start: exactly the
        same labels and centers for ``space="rgb"`` (whole-number sums), the same up to rounding
        (about 1e-12) in "lab" and "oklab".
    space : {"rgb", "lab", "oklab"}, default "rgb"
        Color space the distances are measured in.

    Returns
    -------
    LloydHistory

    Raises
    ------
    InvalidParameterError
        If k, init, seed, max_iter, weighted or space is invalid.
    InvalidImageError
        If ``image`` is not an (H, W, 3) or (N, 3) uint8 array.

    Notes
    -----
    An empty cluster (no pixel nearest to its center, e.g. a start far from every pixel) gets its
    center moved onto the color whose pixels add the most to the inertia (count x squared
    distance); each repair is recorded in the step's ``repairs``. The start is computed from the
    distinct colors weighted by their counts, which is the same as drawing pixels, so
    ``weighted`` does not change it.

    Examples
    --------
    >>> import numpy as np
    >>> pixels = np.array([[0, 0, 0], [0, 0, 10], [250, 0, 0], [255, 0, 0]], np.uint8)
    >>> history = lloyd_history(pixels, 2, init=[[0, 0, 0], [0, 0, 10]])
    >>> [round(s.mse, 2) for s in history.steps]
    [31881.25, 3570.14, 15.62]
    >>> history.labels_image().tolist()
    [1, 1, 0, 0]
    """
    pixels = as_pixels(image)
    space = _check_space(space)
    k = check_whole(k, "k", 1, MAX_K)
    max_iter = check_whole(max_iter, "max_iter", 1, 10_000)
    if not isinstance(weighted, (bool, np.bool_)):
        raise InvalidParameterError(f"weighted must be True or False, got {weighted!r}")
    distinct, pixel_index, counts, first = _distinct(pixels)
    if k > len(distinct):
        raise InvalidParameterError(
            f"k must be at most the number of distinct colors in the image ({len(distinct)}), got {k}; "
            "choose a smaller k"
        )
    coords = to_space(distinct, space)
    weights = counts.astype(np.float64)  # whole numbers: the weighted sums stay exact
    init_name, centers = _start(init, coords, weights, k, seed)
    problem = _Weighted(coords, weights) if weighted else _AllPixels(coords, pixel_index, first)
    steps, converged = _iterate(problem, centers, coords, weights, distinct, space, max_iter, len(pixels))
    return LloydHistory(
        steps=tuple(steps),
        converged=converged,
        distinct=distinct,
        weights=counts,
        pixel_index=pixel_index.reshape(np.shape(image)[:-1]),
        k=k,
        space=space,
        init=init_name,
        seed=None if init_name == "array" else seed,
        weighted=bool(weighted),
    )


# -- validation ---------------------------------------------------------------------------------

def _check_space(space) -> str:
    return check_choice(space, SPACES, "space")


# -- nearest centers ----------------------------------------------------------------------------

def _nearest(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest center of every point, ties to the lowest index.

    The plain formula (dr**2 + dg**2 + db**2), one center at a time over whole columns: a point's
    label depends only on that point and the centers, so a color gets the same label whether it
    comes once (weighted) or once per pixel. (A matrix-product shortcut would be faster but rounds
    differently; this is fast enough for a lesson: about 2 ms per center per 100,000 points.)
    """
    columns = [np.ascontiguousarray(points[:, j]) for j in range(3)]
    best = np.full(len(points), np.inf)
    labels = np.zeros(len(points), dtype=np.intp)
    for index, center in enumerate(centers):
        distance = (columns[0] - center[0]) ** 2
        distance += (columns[1] - center[1]) ** 2
        distance += (columns[2] - center[2]) ** 2
        nearer = distance < best  # strictly: a tie keeps the lower index
        best[nearer] = distance[nearer]
        labels[nearer] = index
    return labels


# -- the data -----------------------------------------------------------------------------------

def _distinct(pixels: np.ndarray):
    """Distinct colors (sorted by 0xRRGGBB), the row of each pixel's color, pixel counts, first pixels."""
    codes = (pixels[:, 0].astype(np.uint32) << 16) | (pixels[:, 1].astype(np.uint32) << 8) | pixels[:, 2]
    distinct, first, pixel_index, counts = np.unique(codes, return_index=True, return_inverse=True,
                                                     return_counts=True)
    colors = np.stack([(distinct >> 16) & 255, (distinct >> 8) & 255, distinct & 255], axis=1).astype(np.uint8)
    return colors, pixel_index.ravel().astype(np.intp), counts.astype(np.int64), first.astype(np.intp)


class _Weighted:
    """Clustering the distinct colors, each weighted by its pixel count."""

    def __init__(self, coords, weights):
        self.coords, self.weights = coords, weights

    def assign(self, centers) -> np.ndarray:
        """Nearest center of every distinct color."""
        self.color_labels = _nearest(self.coords, centers)
        return self.color_labels

    def means(self, k: int) -> np.ndarray:
        """Weighted mean of every cluster of the last assignment."""
        mass = np.bincount(self.color_labels, weights=self.weights, minlength=k)
        sums = [np.bincount(self.color_labels, weights=self.weights * self.coords[:, j], minlength=k) for j in range(3)]
        return np.stack(sums, axis=1) / mass[:, None]


class _AllPixels:
    """Clustering every pixel on its own, as k-means is usually written."""

    def __init__(self, coords, pixel_index, first):
        self.pixels = coords[pixel_index]
        self.first = first  # one pixel of every distinct color: its label is the color's label

    def assign(self, centers) -> np.ndarray:
        """Nearest center of every pixel; returned per distinct color, to compare with the weighted run."""
        self.pixel_labels = _nearest(self.pixels, centers)
        return self.pixel_labels[self.first]

    def means(self, k: int) -> np.ndarray:
        """Mean of every cluster of the last assignment."""
        mass = np.bincount(self.pixel_labels, minlength=k)
        sums = [np.bincount(self.pixel_labels, weights=self.pixels[:, j], minlength=k) for j in range(3)]
        return np.stack(sums, axis=1) / mass[:, None]


# -- the start ----------------------------------------------------------------------------------

def _start(init, coords, weights, k: int, seed):
    if isinstance(init, str):
        if init not in INITS:
            raise InvalidParameterError(
                f"init must be one of {', '.join(map(repr, INITS))} or a (k, 3) array of centers, got {init!r}")
        rng = np.random.default_rng(seed)
        chosen = _random_start(weights, k, rng) if init == "random" else _plusplus_start(coords, weights, k, rng)
        return init, coords[chosen].copy()
    try:
        centers = np.array(init, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"init must be 'k-means++', 'random' or a (k, 3) array of numbers, got {init!r}") from None
    if centers.shape != (k, 3):
        raise InvalidParameterError(
            f"init must hold k={k} centers of 3 numbers, shape ({k}, 3), got shape {centers.shape}")
    if not np.isfinite(centers).all():
        raise InvalidParameterError("init must hold finite numbers; replace NaN or infinite values")
    return "array", centers


def _random_start(weights, k, rng) -> np.ndarray:
    """k different colors, each drawn with probability proportional to its pixel count."""
    return rng.choice(len(weights), size=k, replace=False, p=weights / weights.sum())


def _plusplus_start(coords, weights, k, rng) -> np.ndarray:
    # The readable teaching copy of k-means++: the textbook algorithm (one draw per center), written
    # out because it is what the lesson teaches. The library seeds with the engine's greedy variant
    # (_kernels.kmeans_plusplus); given the same uniform numbers and one trial per step, the engine
    # chooses the same points (tests/lessons/test_plusplus_teaching_copy.py).
    weights = weights.astype(np.float64)
    chosen = [int(rng.choice(len(coords), p=weights / weights.sum()))]
    nearest = ((coords - coords[chosen[0]]) ** 2).sum(axis=1)
    for _ in range(1, k):
        chance = weights * nearest
        chosen.append(int(rng.choice(len(coords), p=chance / chance.sum())))
        nearest = np.minimum(nearest, ((coords - coords[chosen[-1]]) ** 2).sum(axis=1))
    return np.array(chosen)


# -- the iterations -----------------------------------------------------------------------------

def _repair(problem, centers, labels, coords, weights, distinct, k):
    """Re-seed empty clusters one at a time at the color with the largest error; return the repairs."""
    repairs = []
    # Ends: an empty cluster means some color is off every center (k <= distinct colors), so the worst
    # color's error is > 0; the moved center sits on it alone, its cluster is no longer empty, and the
    # inertia drops. The bound is only a guard.
    for _ in range(len(coords) + k):
        counts = np.bincount(labels, weights=weights, minlength=k)
        empty = np.flatnonzero(counts == 0)
        if empty.size == 0:
            break
        # per color: count x squared distance; exact products, identical in both modes
        error = weights * ((coords - centers[labels]) ** 2).sum(axis=1)
        worst = int(np.argmax(error))
        cluster = int(empty[0])
        repairs.append(Repair(cluster, centers[cluster].copy(), coords[worst].copy(), distinct[worst].copy(),
                              float(error[worst])))
        centers = centers.copy()
        centers[cluster] = coords[worst]
        labels = problem.assign(centers)
    return centers, labels, tuple(repairs)


def _record(index, centers, labels, coords, weights, space, n_pixels, changed, repairs, before):
    k = len(centers)
    # a sum, not weights @ ...: that calls BLAS (colorlab.metrics.pixel_mean)
    inertia = float((weights * ((coords - centers[labels]) ** 2).sum(axis=1)).sum())
    return LloydStep(
        index=index,
        centers=centers,
        colors=from_space(centers, space).reshape(k, 3),
        labels=labels,
        counts=np.bincount(labels, weights=weights, minlength=k).astype(np.int64),
        inertia=inertia,
        mse=inertia / n_pixels,
        changed=changed,
        repairs=repairs,
        centers_before_repair=before[0] if repairs else centers,
        labels_before_repair=before[1] if repairs else labels,
    )


def _iterate(problem, centers, coords, weights, distinct, space, max_iter, n_pixels):
    k = len(centers)
    labels = problem.assign(centers)
    before = (centers, labels)
    centers, labels, repairs = _repair(problem, centers, labels, coords, weights, distinct, k)
    steps = [_record(0, centers, labels, coords, weights, space, n_pixels, 0, repairs, before)]
    for index in range(1, max_iter + 1):
        centers = problem.means(k)
        new_labels = problem.assign(centers)
        before = (centers, new_labels)
        centers, new_labels, repairs = _repair(problem, centers, new_labels, coords, weights, distinct, k)
        changed = int(weights[new_labels != labels].sum())
        labels = new_labels
        steps.append(_record(index, centers, labels, coords, weights, space, n_pixels, changed, repairs, before))
        if changed == 0 and not repairs:
            return steps, True
    return steps, False


# -- a 2D warm-up: Lloyd's algorithm on points of any dimension ------------------------------------

#: Channel names accepted by :func:`channel_points`.
CHANNELS = ("red", "green", "blue")


@dataclass(frozen=True)
class PointsHistory:
    """Every half-step of Lloyd's algorithm on a small set of points; see :func:`lloyd_points`.

    Attributes
    ----------
    points : ndarray of float64, shape (n, d)
    half_steps : tuple of HalfStep
        ``"start"``, then ``"update"`` and ``"assign"`` for every step (``colors`` is None and
        ``counts`` counts points). An empty cluster keeps its center (no repair).
    converged : bool
        True if the last assign changed no point's cluster.
    k : int
    init : str
        ``"random"``, ``"k-means++"`` or ``"array"``.
    seed : int or None
    """

    points: np.ndarray
    half_steps: tuple
    converged: bool
    k: int
    init: str
    seed: int | None

    @property
    def n_steps(self) -> int:
        """Number of full steps recorded, the start included."""
        return self.half_steps[-1].step + 1

    @property
    def center_path(self) -> np.ndarray:
        """(n_half_steps, k, d) float64: the centers after every half-step."""
        return np.stack([h.centers for h in self.half_steps])


def channel_points(image, channels=("red", "blue"), *, n: int = 1000, seed=0):
    """A random sample of an image's pixels, projected onto two (or three) channels.

    Two channels make a 2D picture of the pixels where k-means can be drawn on paper: the regions
    of the nearest centers (Voronoi cells) and the centers moving.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3)
    channels : sequence of {"red", "green", "blue"}, default ("red", "blue")
        The axes to keep, in order.
    n : int, default 1000
        How many pixels to draw (without replacement; all of them if the image has fewer).
    seed : int, default 0
        Seed of the sample.

    Returns
    -------
    points : ndarray of float64, shape (n, len(channels))
        The chosen channels of the sampled pixels, 0..255.
    colors : ndarray of uint8, shape (n, 3)
        The sampled pixels' own colors, to draw them.

    Examples
    --------
    >>> pixels = np.array([[10, 20, 30], [40, 50, 60]], np.uint8)
    >>> points, colors = channel_points(pixels, ("red", "blue"), n=5)
    >>> sorted(points.tolist())
    [[10.0, 30.0], [40.0, 60.0]]
    """
    pixels = as_pixels(image)
    if isinstance(channels, str) or not all(c in CHANNELS for c in channels) or len(set(channels)) != len(channels):
        raise InvalidParameterError(
            f"channels must be two or three different names among {CHANNELS}, e.g. ('red', 'blue'); got {channels!r}")
    n = check_whole(n, "n", 1, 1_000_000)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(pixels), size=min(n, len(pixels)), replace=False)
    colors = pixels[np.sort(chosen)]
    columns = [CHANNELS.index(c) for c in channels]
    return colors[:, columns].astype(np.float64), colors


def lloyd_points(points, k: int, *, init="random", seed=0, max_iter: int = 50) -> PointsHistory:
    """Lloyd's algorithm on a few points of any dimension, recorded half-step by half-step.

    The textbook algorithm, for a picture: every point counts once, the start is ``k`` points
    drawn at random (or k-means++, or given centers), then update and assign alternate until no
    point changes cluster or after ``max_iter`` steps. Use :func:`lloyd_history` for images.

    Parameters
    ----------
    points : array_like of float, shape (n, d)
    k : int
        Number of clusters, 1 .. n.
    init : {"random", "k-means++"} or array_like of shape (k, d), default "random"
    seed : int, default 0
    max_iter : int, default 50

    Returns
    -------
    PointsHistory

    Examples
    --------
    >>> points = [[0, 0], [0, 2], [10, 0], [10, 2]]
    >>> history = lloyd_points(points, 2, init=[[0, 0], [0, 2]])
    >>> [h.kind for h in history.half_steps]
    ['start', 'update', 'assign']
    >>> history.half_steps[-1].centers.tolist(), history.converged
    ([[5.0, 0.0], [5.0, 2.0]], True)
    """
    try:
        points = np.array(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError("points must be an (n, d) array of numbers") from None
    if points.ndim != 2 or len(points) == 0 or not np.isfinite(points).all():
        raise InvalidParameterError(f"points must be a non-empty (n, d) array of finite numbers, got shape {points.shape}")
    k = check_whole(k, "k", 1, len(points))
    max_iter = check_whole(max_iter, "max_iter", 1, 10_000)
    ones = np.ones(len(points))
    if isinstance(init, str):
        if init not in INITS:
            raise InvalidParameterError(f"init must be one of {', '.join(map(repr, INITS))} or a (k, d) array, got {init!r}")
        rng = np.random.default_rng(seed)
        chosen = rng.choice(len(points), size=k, replace=False) if init == "random" else _plusplus_start(points, ones, k, rng)
        centers, init_name = points[chosen].copy(), init
    else:
        centers, init_name = np.array(init, dtype=np.float64), "array"
        if centers.shape != (k, points.shape[1]) or not np.isfinite(centers).all():
            raise InvalidParameterError(
                f"init must hold k={k} finite centers of {points.shape[1]} numbers, got shape {centers.shape}")

    def nearest(c):
        return np.argmin(((points[:, None, :] - c[None, :, :]) ** 2).sum(axis=2), axis=1)

    halves = []

    def add(step, kind, c, labels, changed, moved):
        inertia = float(((points - c[labels]) ** 2).sum())
        halves.append(HalfStep(len(halves), step, kind, c, None, labels,
                               np.bincount(labels, minlength=k).astype(np.int64), inertia, inertia / len(points),
                               int(changed), float(moved), ()))

    labels = nearest(centers)
    add(0, "start", centers, labels, 0, 0.0)
    converged = False
    for step in range(1, max_iter + 1):
        counts = np.bincount(labels, minlength=k)
        sums = np.stack([np.bincount(labels, weights=points[:, j], minlength=k) for j in range(points.shape[1])], 1)
        new_centers = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centers)
        add(step, "update", new_centers, labels, 0, np.sqrt(((new_centers - centers) ** 2).sum(axis=1)).max())
        centers = new_centers
        new_labels = nearest(centers)
        changed = int((new_labels != labels).sum())
        labels = new_labels
        add(step, "assign", centers, labels, changed, 0.0)
        if changed == 0:
            converged = True
            break
    return PointsHistory(points, tuple(halves), converged, k, init_name, None if init_name == "array" else seed)
