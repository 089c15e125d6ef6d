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

import numpy as np

from .colorspace import SPACES, from_space, to_space
from .errors import InvalidParameterError
from .images import as_pixels
from .palette import Palette

__all__ = ["INITS", "MAX_K", "Repair", "LloydStep", "LloydHistory", "lloyd_history"]

#: The named ways to choose the starting centers (an array of centers is accepted too).
INITS = ("k-means++", "random")
#: The largest k (as :func:`colorlab.fit_palette`).
MAX_K = 256


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
    k = _check_whole(k, "k", 1, MAX_K)
    max_iter = _check_whole(max_iter, "max_iter", 1, 10_000)
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

def _check_whole(value, name: str, low: int, high: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise InvalidParameterError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


def _check_space(space) -> str:
    if not isinstance(space, str) or space not in SPACES:
        raise InvalidParameterError(f"space must be one of {', '.join(map(repr, SPACES))}, got {space!r}")
    return space


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
    # The textbook k-means++ (one draw per center), written out because it is what the lesson
    # teaches; the engine uses the greedy variant (_kernels.kmeans_plusplus).
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


def _record(index, centers, labels, coords, weights, space, n_pixels, changed, repairs):
    k = len(centers)
    inertia = float(weights @ ((coords - centers[labels]) ** 2).sum(axis=1))
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
    )


def _iterate(problem, centers, coords, weights, distinct, space, max_iter, n_pixels):
    k = len(centers)
    labels = problem.assign(centers)
    centers, labels, repairs = _repair(problem, centers, labels, coords, weights, distinct, k)
    steps = [_record(0, centers, labels, coords, weights, space, n_pixels, 0, repairs)]
    for index in range(1, max_iter + 1):
        centers = problem.means(k)
        new_labels = problem.assign(centers)
        centers, new_labels, repairs = _repair(problem, centers, new_labels, coords, weights, distinct, k)
        changed = int(weights[new_labels != labels].sum())
        labels = new_labels
        steps.append(_record(index, centers, labels, coords, weights, space, n_pixels, changed, repairs))
        if changed == 0 and not repairs:
            return steps, True
    return steps, False
