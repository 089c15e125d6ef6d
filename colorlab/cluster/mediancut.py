"""Heckbert's median cut (1982) on an image's weighted distinct colors.

Put all colors in one box. Until there are k boxes: take the box whose longest side (the range of
its colors along one axis) is the longest of all boxes, and split it across that axis at the
weighted median, so each half holds about half of the box's pixels. The palette is the
pixel-weighted mean of each box.

Which box to split is the main difference between median-cut variants: Heckbert's paper splits
the box with the largest range, which is what this module does (Pillow's MEDIANCUT, for
comparison, picks boxes by their pixel count). Hand-written: it is short, and no library offers
it on weighted colors.

:func:`variance_cut_centers` splits by the other rule, Wu's: the group with the largest squared
error, where the halves' errors add up to the least, on points of any number of coordinates.

Examples
--------
>>> import numpy as np
>>> coords = np.array([[0.0, 0, 0], [10, 0, 0], [200, 0, 0], [220, 0, 0]])
>>> median_cut_centers(coords, np.array([1, 1, 1, 1]), 2).tolist()
[[5.0, 0.0, 0.0], [210.0, 0.0, 0.0]]
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError

__all__ = ["median_cut_boxes", "median_cut_centers", "variance_cut_centers"]


def median_cut_boxes(coords, weights, k: int) -> list[np.ndarray]:
    """Split points into at most k boxes by median cut; returns the indices of the points in each box.

    Parameters
    ----------
    coords : array_like of float, shape (n, d)
        The (distinct) colors, in any color space.
    weights : array_like of positive numbers, shape (n,)
        Pixel count of each color.
    k : int
        Number of boxes wanted; fewer come back only when fewer than k points are distinct.

    Returns
    -------
    list of ndarray of intp
        One index array per box; together they hold every point exactly once.

    Examples
    --------
    >>> [box.tolist() for box in median_cut_boxes([[0.0], [1.0], [5.0], [6.0]], [1, 1, 1, 1], 2)]
    [[0, 1], [2, 3]]
    """
    coords = np.asarray(coords, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    if coords.ndim != 2 or weights.shape != (len(coords),) or len(coords) == 0:
        raise InvalidParameterError(
            f"coords must be (n, d) with n >= 1 and weights (n,), got shapes {coords.shape} and {weights.shape}"
        )
    boxes = [np.arange(len(coords))]
    ranges = [_longest_side(coords[boxes[0]])]
    while len(boxes) < k:
        widest = int(np.argmax([side for side, _ in ranges]))
        side, axis = ranges[widest]
        if side <= 0:
            break  # every box holds a single color
        low, high = _split_at_weighted_median(boxes[widest], coords[boxes[widest], axis], weights[boxes[widest]])
        boxes[widest:widest + 1] = [low, high]
        ranges[widest:widest + 1] = [_longest_side(coords[low]), _longest_side(coords[high])]
    return boxes


def median_cut_centers(coords, weights, k: int) -> np.ndarray:
    """Weighted mean of each median-cut box: (m, d) float64 with m <= k (see :func:`median_cut_boxes`)."""
    coords = np.asarray(coords, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    boxes = median_cut_boxes(coords, weights, k)
    # (weights * coords).sum, not weights @ coords: BLAS, whose threads spin after it returns (metrics.pixel_mean)
    return np.array([(weights[box, None] * coords[box]).sum(axis=0) / weights[box].sum() for box in boxes])


def _longest_side(points: np.ndarray) -> tuple[float, int]:
    """(length, axis) of the longest side of the bounding box of ``points``."""
    sides = points.max(axis=0) - points.min(axis=0)
    axis = int(sides.argmax())
    return float(sides[axis]), axis


def _split_at_weighted_median(indices, values, weights):
    """Split ``indices`` into values at or below the weighted median and values above it (both non-empty)."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    median = values[order[min(int(np.searchsorted(cumulative, cumulative[-1] / 2)), len(order) - 1)]]
    lower = values <= median
    if lower.all():  # the median is the largest value: put it in the upper box instead
        lower = values < median
    return indices[lower], indices[~lower]


def _mean(points: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return (weights[:, None] * points).sum(axis=0) / weights.sum()


def _squared_error(points: np.ndarray, weights: np.ndarray) -> float:
    return float((weights * ((points - _mean(points, weights)) ** 2).sum(axis=1)).sum())


def variance_cut_centers(coords, weights, k: int) -> np.ndarray:
    """Start centers by Wu's rule on the points themselves: the group with the largest weighted squared error is
    cut in two, across the axis of its largest spread, where the two halves' errors add up to the least, until
    there are k groups; their weighted means. Where Heckbert's cut by range leaves many centers where the points
    are sparse, this one follows the error (colorlab.redraw.alpha starts its fit here: on a logo with a shadow,
    SSIMULACRA2 over white 95 against 82 from a median cut).

    Parameters
    ----------
    coords : array_like of float, shape (n, d)
    weights : array_like of positive numbers, shape (n,)
    k : int
        Number of groups wanted; fewer come back when the groups left have no error to cut.

    Examples
    --------
    >>> variance_cut_centers(np.array([[0.0], [1.0], [9.0], [10.0]]), np.ones(4), 2).tolist()
    [[0.5], [9.5]]
    """
    points, weights = np.asarray(coords, dtype=np.float64), np.asarray(weights, dtype=np.float64)
    groups = [np.arange(len(points))]
    errors = [_squared_error(points, weights)]
    while len(groups) < k:
        g = int(np.argmax(errors))
        if errors[g] <= 0:
            break
        members = groups[g]
        p, w = points[members], weights[members]
        spread = (w[:, None] * (p - _mean(p, w)) ** 2).sum(axis=0)
        order = np.argsort(p[:, int(np.argmax(spread))], kind="stable")
        p, w, members = p[order], w[order], members[order]
        mass, sums, squares = np.cumsum(w), np.cumsum(w[:, None] * p, axis=0), np.cumsum(w * (p**2).sum(axis=1))
        left = squares[:-1] - (sums[:-1] ** 2).sum(axis=1) / mass[:-1]
        rest = sums[-1] - sums[:-1]
        right = (squares[-1] - squares[:-1]) - (rest**2).sum(axis=1) / (mass[-1] - mass[:-1])
        cut = int(np.argmin(left + right)) + 1
        groups[g:g + 1] = [members[:cut], members[cut:]]
        errors[g:g + 1] = [max(float(left[cut - 1]), 0.0), max(float(right[cut - 1]), 0.0)]
    return np.array([_mean(points[m], weights[m]) for m in groups])
