"""Heckbert's median cut (1982) on an image's weighted distinct colors.

Put all colors in one box. Until there are k boxes: take the box whose longest side (the range of
its colors along one axis) is the longest of all boxes, and split it across that axis at the
weighted median, so each half holds about half of the box's pixels. The palette is the
pixel-weighted mean of each box.

Which box to split is the main difference between median-cut variants: Heckbert's paper splits
the box with the largest range, which is what this module does (Pillow's MEDIANCUT, for
comparison, picks boxes by their pixel count). Hand-written: it is short, and no library offers
it on weighted colors.

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

__all__ = ["median_cut_boxes", "median_cut_centers"]


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
