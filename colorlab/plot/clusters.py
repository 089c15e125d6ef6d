"""Colors and marker shapes that tell clusters apart in the lessons' figures, readable with color blindness."""

from __future__ import annotations

import numpy as np

from ..util.checks import check_whole

__all__ = ["cluster_colors", "cluster_markers", "set_markers", "CLUSTER_COLORS", "CLUSTER_MARKERS"]

#: Okabe and Ito's eight colors (2008), told apart with each common kind of color blindness (no red beside
#: green); yellow and black come last, since they are the hardest to see as small dots on white and on dark photos.
CLUSTER_COLORS = ("#e69f00", "#56b4e9", "#009e73", "#d55e00", "#0072b2", "#cc79a7", "#f0e442", "#000000")
#: One marker shape per cluster, so that clusters differ by shape as well as by color (in print, in grayscale).
CLUSTER_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def cluster_colors(k: int) -> np.ndarray:
    """k categorical colors that tell clusters apart, as an (k, 3) float array on 0..1.

    Cluster j is drawn in Okabe and Ito's color-blind-safe color j (:data:`CLUSTER_COLORS`; they
    repeat after 8, and :func:`cluster_markers` then gives the repeated color another shape).

    Examples
    --------
    >>> cluster_colors(2).round(3).tolist()
    [[0.902, 0.624, 0.0], [0.337, 0.706, 0.914]]
    """
    from matplotlib.colors import to_rgb

    k = check_whole(k, "k", 1)
    return np.array([to_rgb(CLUSTER_COLORS[j % len(CLUSTER_COLORS)]) for j in range(k)])


def cluster_markers(k: int) -> list:
    """k matplotlib marker names, one per cluster: with :func:`cluster_colors`, no two of the first 64 clusters
    share both color and shape.

    Examples
    --------
    >>> cluster_markers(3), cluster_markers(10)[8:]
    (['o', 's', '^'], ['s', '^'])
    """
    k = check_whole(k, "k", 1)
    n = len(CLUSTER_MARKERS)
    return [CLUSTER_MARKERS[(j + j // n) % n] for j in range(k)]


def set_markers(collection, markers) -> None:
    """Give every point of a 2D scatter its own marker shape (matplotlib's scatter takes one for all)."""
    from matplotlib.markers import MarkerStyle

    paths = []
    for name in markers:
        style = MarkerStyle(name)
        paths.append(style.get_path().transformed(style.get_transform()))
    collection.set_paths(paths)
