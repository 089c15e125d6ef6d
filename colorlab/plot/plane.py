"""The lessons' figures in a plane of two channels: one half-step of Lloyd's algorithm with its cells
(:func:`voronoi_step`), a row of them (:func:`voronoi_steps`), and k-means on data it cannot fit (rings, moons,
unequal blobs: :func:`kmeans_failures`).

May import what :mod:`colorlab.plot` may.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import InvalidParameterError
from . import _axes
from ._axes import TICK_SIZE, check_position
from .clusters import cluster_colors, cluster_markers, set_markers

__all__ = ["voronoi_step", "voronoi_steps", "kmeans_failures"]


def voronoi_step(history, position: int, ax=None, *, axis_labels: Sequence[str] = ("red", "blue"),
                 grid: int = 256):
    """Draw one half-step of Lloyd's algorithm on 2D points: the cells of the centers, the points, the moves.

    The background is split into the **cells** of the centers (a cell is every place nearer to its
    center than to any other: a Voronoi diagram), lightly tinted in the cluster's color; each point
    is drawn in the color of its cluster; centers are large ringed markers. After an update an arrow
    shows where every center came from. A point in a cell of another color is one the next assign
    will move.

    Parameters
    ----------
    history : colorlab.lessons.lloyd.PointsHistory
        From :func:`colorlab.lessons.lloyd.lloyd_points` on 2D points (e.g. :func:`colorlab.lessons.lloyd.channel_points`).
    position : int
        Which half-step (an index of ``history.half_steps``; negative counts from the end).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    axis_labels : pair of str
        Names of the two axes.
    grid : int, default 256
        Resolution of the cell picture.

    Returns
    -------
    matplotlib Axes
        Its first image is the cells; ``ax.collections[0]`` the points, ``[1]`` the centers.

    Raises
    ------
    InvalidParameterError
        If the points are not 2D or ``position`` is not a half-step.

    Examples
    --------
    >>> from colorlab.lessons.lloyd import lloyd_points
    >>> history = lloyd_points([[0, 0], [0, 40], [200, 0], [200, 40]], 2, init=[[0, 0], [0, 40]])
    >>> ax = voronoi_step(history, 1)
    >>> ax.get_title()
    'update 1 · MSE 10,000'
    """
    points = np.asarray(history.points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise InvalidParameterError(f"voronoi_step draws 2D points; these have shape {points.shape}")
    position = check_position(history, position)
    half = history.half_steps[position]
    if ax is None:
        (ax,) = _axes.new_axes(figsize=(4.2, 4.2))
    k = len(half.centers)
    palette = cluster_colors(k)
    low = float(min(0.0, points.min()))
    high = float(max(255.0, points.max()))
    axis = np.linspace(low, high, grid)
    xx, yy = np.meshgrid(axis, axis)
    cells = np.argmin((xx[..., None] - half.centers[:, 0]) ** 2 + (yy[..., None] - half.centers[:, 1]) ** 2, axis=2)
    tint = 1 - 0.22 * (1 - palette[cells])  # the cluster color, mostly white
    border = np.zeros(cells.shape, bool)
    border[:, 1:] |= cells[:, 1:] != cells[:, :-1]
    border[1:, :] |= cells[1:, :] != cells[:-1, :]
    tint[border] = 0.45
    ax.imshow(tint, origin="lower", extent=(low, high, low, high), interpolation="nearest")
    shapes = cluster_markers(k)
    dots = ax.scatter(points[:, 0], points[:, 1], c=palette[half.labels], s=14, linewidths=0, alpha=0.85, zorder=2)
    set_markers(dots, [shapes[j] for j in half.labels])
    centers = ax.scatter(half.centers[:, 0], half.centers[:, 1], c=palette, s=190, edgecolors="#111111",
                         linewidths=2.2, zorder=4)
    set_markers(centers, shapes)
    if half.kind == "update" and position > 0:
        before = history.half_steps[position - 1].centers
        for (x0, y0), (x1, y1) in zip(before, half.centers):
            if (x1 - x0) ** 2 + (y1 - y0) ** 2 > 1e-6:
                ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=3,
                            arrowprops=dict(arrowstyle="-|>", color="#111111", linewidth=1.5, shrinkA=0, shrinkB=7))
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_aspect("equal")
    ax.set_xlabel(axis_labels[0])
    ax.set_ylabel(axis_labels[1])
    ax.set_title(f"{half.name} · MSE {half.mse:,.0f}")
    return ax


def voronoi_steps(history, positions: Sequence[int] | None = None, *, ncols: int = 4,
                  axis_labels: Sequence[str] = ("red", "blue")):
    """Small multiples of :func:`voronoi_step`: several half-steps side by side, each described below it.

    Parameters
    ----------
    history : colorlab.lessons.lloyd.PointsHistory
    positions : sequence of int, optional
        Half-steps to show; by default the first seven and the last.
    ncols : int, default 4
        Panels per row.
    axis_labels : pair of str

    Returns
    -------
    list of Axes
        One per panel.

    Examples
    --------
    >>> from colorlab.lessons.lloyd import lloyd_points
    >>> history = lloyd_points([[0, 0], [0, 40], [200, 0], [200, 40]], 2, init=[[0, 0], [0, 40]])
    >>> [ax.get_title().split(" ·")[0] for ax in voronoi_steps(history)]
    ['start', 'update 1', 'assign 1']
    """
    import matplotlib.pyplot as plt

    n = len(history.half_steps)
    if positions is None:
        positions = sorted(set(range(min(n, 7))) | {n - 1})
    positions = [check_position(history, p) for p in positions]
    if not positions:
        raise InvalidParameterError("positions must name at least one half-step")
    columns = max(1, min(int(ncols), len(positions)))
    rows = -(-len(positions) // columns)
    fig = plt.figure(figsize=(3.3 * columns, 3.75 * rows), layout="constrained")
    axes = [fig.add_subplot(rows, columns, i + 1) for i in range(len(positions))]
    for ax, position in zip(axes, positions):
        voronoi_step(history, position, ax=ax, axis_labels=axis_labels)
        half = history.half_steps[position]
        start = {"random": "k random points as centers", "k-means++": "k-means++ picks the centers"}.get(
            history.init, "the given centers")
        what = {"start": start, "update": "centers move to their cluster's mean",
                "repair": "an empty cluster re-seeded"}.get(half.kind)
        if half.kind == "assign":
            what = f"{half.changed} point{'s' if half.changed != 1 else ''} change cell" if half.changed else \
                "no point changes: converged"
        ax.text(0.5, -0.2, what, transform=ax.transAxes, ha="center", va="top", fontsize=TICK_SIZE)
    return axes


def kmeans_failures(runs):
    """Point sets whose groups k-means cannot find: the true groups above, k-means' clusters and cells below.

    One column per run. The top panel draws each point in the color and shape of its true group; the bottom
    one is :func:`voronoi_step` at the end of the k-means run, titled with how many points it put in their
    group and the two MSEs (k-means' is the lower: the groups are not what k-means looks for).

    Parameters
    ----------
    runs : sequence of colorlab.lessons.shapes.ShapeRun
        From :func:`colorlab.lessons.shapes.where_kmeans_fails`.

    Returns
    -------
    matplotlib Figure
        Its axes are the top row, then the bottom row.

    Examples
    --------
    >>> from colorlab.lessons.shapes import where_kmeans_fails
    >>> figure = kmeans_failures(where_kmeans_fails(("rings",), n=200, starts=2))
    >>> [ax.get_title().split(":")[0] for ax in figure.axes]
    ['rings', 'k-means, k = 2']
    """
    import matplotlib.pyplot as plt

    runs = list(runs)
    if not runs:
        raise InvalidParameterError("runs must hold at least one ShapeRun (from where_kmeans_fails)")
    fig = plt.figure(figsize=(4.2 * len(runs), 8.6), layout="constrained")
    tops = [fig.add_subplot(2, len(runs), i + 1) for i in range(len(runs))]
    bottoms = [fig.add_subplot(2, len(runs), len(runs) + i + 1) for i in range(len(runs))]
    for top, bottom, run in zip(tops, bottoms, runs):
        k = run.history.k
        palette, shapes = cluster_colors(k), cluster_markers(k)
        dots = top.scatter(run.points[:, 0], run.points[:, 1], c=palette[run.groups], s=14, linewidths=0)
        set_markers(dots, [shapes[g] for g in run.groups])
        voronoi_step(run.history, -1, ax=bottom, axis_labels=("x", "y"))
        top.set_xlim(bottom.get_xlim())
        top.set_ylim(bottom.get_ylim())
        top.set_aspect("equal")
        top.set_title(f"{run.shape}: the {k} groups\nMSE {run.groups_mse:,.0f}")
        bottom.set_title(f"k-means, k = {k}: {100 * run.agreement:.0f}% in their group\nMSE {run.kmeans_mse:,.0f}")
        for ax in (top, bottom):
            ax.tick_params(labelsize=TICK_SIZE + 1)
            ax.title.set_fontsize(12)
    return fig
