"""The lessons' figures: clusters and their centers in 2D and 3D, how Lloyd's iterations move them
(Voronoi cells, half-steps, centroid paths), inertia and file size against k, galleries.

Part of :mod:`colorlab.plot` (``colorlab.plot.cluster_scatter`` and so on); nothing else in the library
draws them.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import InvalidParameterError
from ..io.arrays import as_image, as_pixels
from . import _axes
from ._axes import TICK_SIZE, check_position
from .clusters import cluster_colors
from .figures import elbow

__all__ = ["cluster_scatter", "centroid_paths", "inertia_curve", "gallery", "size_curve", "half_step_curve",
           "lloyd_overview"]


def _new_3d_axes(ax):
    if ax is None:
        (ax,) = _axes.new_axes(figsize=(_axes.FIGURE_WIDTH, _axes.FIGURE_WIDTH), projection="3d")
    elif getattr(ax, "name", None) != "3d":
        raise InvalidParameterError(
            "ax must be a 3D axes; create one with fig.add_subplot(projection='3d') or pass ax=None"
        )
    return ax


def _as_centers(centers, name: str) -> np.ndarray:
    array = np.asarray(centers, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 3:
        raise InvalidParameterError(f"{name} must have shape (k, 3), got {array.shape}")
    return array


def cluster_scatter(image_or_pixels, labels, centers=None, ax=None, *, max_points: int = 3000, seed=0):
    """Plot pixels in the RGB cube colored by the cluster they belong to, with the cluster centers.

    Unlike :func:`rgb_scatter`, a pixel is not drawn in its own color but in its cluster's
    categorical color (:func:`cluster_colors`), so the borders between clusters show. Each center
    is a large marker in its own RGB color, ringed in its cluster's color.

    Parameters
    ----------
    image_or_pixels : (H, W, 3) or (N, 3) uint8 array
        The pixels.
    labels : int array of shape (H, W) or (N,)
        The cluster of every pixel, 0..k-1.
    centers : (k, 3) array of float on 0..255, optional
        The cluster centers as RGB; k is taken from here (else from ``labels.max() + 1``).
    ax : 3D matplotlib Axes, optional
        Where to draw; a new figure with a 3D axes when None.
    max_points : int, default 3000
        At most this many pixels are drawn (a random sample).
    seed : int, default 0
        Seed of the sample.

    Returns
    -------
    mpl_toolkits.mplot3d.Axes3D
        Its first collection holds the pixels, the second (if any) the centers.

    Raises
    ------
    InvalidImageError
        If the pixels are not (H, W, 3) or (N, 3) uint8.
    InvalidParameterError
        If ``labels`` does not match the pixels, ``centers`` is not (k, 3) or ``ax`` not 3D.

    Examples
    --------
    >>> pixels = np.array([[0, 0, 0], [10, 0, 0], [250, 250, 250]], np.uint8)
    >>> ax = cluster_scatter(pixels, [0, 0, 1], [[5, 0, 0], [250, 250, 250]])
    >>> len(ax.collections), ax.get_title()
    (2, 'pixels colored by cluster (k = 2)')
    """
    pixels = as_pixels(image_or_pixels, "image_or_pixels")
    labels = np.asarray(labels)
    if labels.size != len(pixels) or not np.issubdtype(labels.dtype, np.integer) or (labels.size and labels.min() < 0):
        raise InvalidParameterError(
            f"labels must hold one cluster number (0, 1, ...) per pixel, {len(pixels)} of them, "
            f"got shape {labels.shape}"
        )
    labels = labels.ravel()
    max_points = _axes.check_max_points(max_points)
    k = int(labels.max()) + 1 if labels.size else 1
    if centers is not None:
        centers = _as_centers(centers, "centers")
        if len(centers) < k:
            raise InvalidParameterError(
                f"centers must have a row for every cluster in labels ({k}), got {len(centers)}")
        k = len(centers)
    ax = _new_3d_axes(ax)
    palette = cluster_colors(k)
    chosen = np.arange(len(pixels))
    if len(pixels) > max_points:
        chosen = np.sort(np.random.default_rng(seed).choice(len(pixels), size=max_points, replace=False))
    ax.computed_zorder = False
    ax.scatter(*pixels[chosen].T, c=palette[labels[chosen]], s=6, alpha=0.5, depthshade=False, linewidths=0,
               zorder=1, label=f"{len(chosen)} of {len(pixels)} pixels")
    if centers is not None:
        shown = np.clip(centers, 0, 255)
        ax.scatter(*shown.T, c=shown / 255.0, s=220, edgecolors=palette, linewidths=3, alpha=1.0,
                   depthshade=False, zorder=3, label=f"{k} centers")
    _axes.style_rgb_axes(ax)
    ax.set_title(f"pixels colored by cluster (k = {k})")
    return ax


def centroid_paths(path, ax=None):
    """Draw where each cluster center went, step by step, as a line in the RGB cube.

    Parameters
    ----------
    path : array of float, shape (n_steps, k, 3)
        The centers at every step as RGB on 0..255 (e.g. ``LloydHistory.color_path[: step + 1]``).
    ax : 3D matplotlib Axes, optional
        Where to draw (e.g. the axes of :func:`cluster_scatter`); a new 3D figure when None.

    Returns
    -------
    mpl_toolkits.mplot3d.Axes3D
        One line per center (``ax.lines``), in the cluster's color of :func:`cluster_colors`,
        with a dot at every step.

    Raises
    ------
    InvalidParameterError
        If ``path`` is not (n_steps, k, 3) with at least one step, or ``ax`` not 3D.

    Examples
    --------
    >>> path = [[[0, 0, 0], [255, 255, 255]], [[10, 0, 0], [200, 200, 200]]]
    >>> ax = centroid_paths(path)
    >>> len(ax.lines), ax.lines[1].get_data_3d()[0].tolist()
    (2, [255.0, 200.0])
    """
    path = np.asarray(path, dtype=np.float64)
    if path.ndim != 3 or path.shape[2] != 3 or path.shape[0] < 1:
        raise InvalidParameterError(f"path must have shape (n_steps, k, 3) with at least one step, got {path.shape}")
    ax = _new_3d_axes(ax)
    ax.computed_zorder = False
    for color, track in zip(cluster_colors(path.shape[1]), np.clip(path, 0, 255).transpose(1, 0, 2)):
        ax.plot(*track.T, color=color, linewidth=2, marker="o", markersize=3, zorder=2)
    _axes.style_rgb_axes(ax)
    return ax


def inertia_curve(values, ax=None, *, mark=None, ylabel: str = "inertia (sum of squared distances)"):
    """Plot the inertia (or MSE) at every step of Lloyd's algorithm, with one step marked.

    Parameters
    ----------
    values : sequence of float
        One value per step, step 0 first (e.g. ``LloydHistory.inertia``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    mark : int, optional
        A step to highlight with a dashed line and a ring.
    ylabel : str
        Label of the y axis.

    Returns
    -------
    matplotlib Axes
        The curve is ``ax.lines[0]``.

    Raises
    ------
    InvalidParameterError
        If ``values`` is empty or not one-dimensional, or ``mark`` is not a step.

    Examples
    --------
    >>> ax = inertia_curve([900.0, 400.0, 390.0], mark=1)
    >>> ax.get_xlabel(), ax.lines[0].get_xdata().tolist()
    ('step', [0, 1, 2])
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) == 0:
        raise InvalidParameterError(
            f"values must be a non-empty list of numbers, one per step, got shape {values.shape}")
    steps = np.arange(len(values))
    if mark is not None and (isinstance(mark, bool) or mark not in steps):
        raise InvalidParameterError(f"mark must be a step from 0 to {len(values) - 1}, got {mark!r}")
    if ax is None:
        (ax,) = _axes.new_axes(figsize=(_axes.FIGURE_WIDTH, 3.5))
    ax.plot(steps, values, marker="o", markersize=3, color="#1f4e79", linewidth=2)
    if mark is not None:
        ax.axvline(mark, color="#b03a2e", linestyle="--", linewidth=1.5)
        ax.plot([mark], [values[mark]], marker="o", markersize=12, markerfacecolor="none",
                markeredgecolor="#b03a2e", markeredgewidth=2)
    _whole_number_ticks(ax)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    return ax


def _whole_number_ticks(ax) -> None:
    """Steps are whole numbers: no 0.5 or 2.5 on the x axis."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def gallery(images, titles: Sequence[str] | None = None, ax=None, *, ncols: int | None = None):
    """Show several images side by side, each with its title (e.g. one per seed).

    Parameters
    ----------
    images : sequence of (H, W, 3) uint8 arrays
    titles : sequence of str, optional
        One per image.
    ax : sequence of matplotlib Axes, optional
        One per image; a new figure when None.
    ncols : int, optional
        Images per row of the new figure (default: all in one row).

    Returns
    -------
    list of Axes
        One per image, each holding one AxesImage.

    Raises
    ------
    InvalidImageError
        If an image is not (H, W, 3) uint8.
    InvalidParameterError
        If there are no images, or ``titles`` or ``ax`` do not have one entry per image.

    Examples
    --------
    >>> black, white = np.zeros((2, 2, 3), np.uint8), np.full((2, 2, 3), 255, np.uint8)
    >>> [a.get_title() for a in gallery([black, white], ["black", "white"])]
    ['black', 'white']
    """
    images, titles = _axes.images_and_titles(images, titles)
    if ax is None:
        import matplotlib.pyplot as plt

        columns = len(images) if ncols is None else ncols
        if isinstance(columns, bool) or not isinstance(columns, (int, np.integer)) or columns < 1:
            raise InvalidParameterError(f"ncols must be a whole number of at least 1, got {ncols!r}")
        columns = min(int(columns), len(images))
        rows = -(-len(images) // columns)
        height, width = images[0].shape[:2]
        figure_width = 2.2 * _axes.FIGURE_WIDTH if columns > 2 else 1.6 * _axes.FIGURE_WIDTH
        fig = plt.figure(figsize=(figure_width, rows * (figure_width / columns * height / width + 0.35)),
                         layout="constrained")
        ax = [fig.add_subplot(rows, columns, i + 1) for i in range(len(images))]
    ax = list(ax)
    if len(ax) != len(images):
        raise InvalidParameterError(f"ax must hold one axes per image ({len(images)}), got {len(ax)}")
    for axes, image, title in zip(ax, images, titles):
        _axes.show_image(axes, image, title)
    return ax


def size_curve(ks, sizes, ax=None, *, original=None, mark=None):
    """Plot the file size of the image saved with a k-color palette against k.

    Parameters
    ----------
    ks : sequence of int
        The numbers of colors.
    sizes : sequence of int
        File size in bytes for each k (e.g. :func:`colorlab.metrics.png_size`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    original : int, optional
        Size in bytes of the original (24-bit) file, drawn as a dotted horizontal line named by a
        text under its right end (``ax.texts[0]``).
    mark : int, optional
        A k (one of ``ks``) to highlight.

    Returns
    -------
    matplotlib Axes
        Sizes in kilobytes (1 kB = 1000 bytes) on the y axis.

    Raises
    ------
    InvalidParameterError
        As :func:`elbow`.

    Examples
    --------
    >>> ax = size_curve([2, 4], [1000, 3000], original=9000)
    >>> ax.get_ylabel(), ax.lines[0].get_ydata().tolist()
    ('file size (kB)', [1.0, 3.0])
    """
    ax = elbow(ks, np.asarray(sizes, dtype=np.float64) / 1000, ax=ax, ylabel="file size (kB)", mark=mark)
    ax.set_title("PNG size with a k-color palette")
    if original is not None:
        ax.axhline(original / 1000, color="#555555", linestyle=":", linewidth=1.5,
                   label=f"original, 24-bit PNG: {original / 1000:,.0f} kB")
        # named on the line itself, under its right end: a legend box would cover the curve or the axis
        # in a small panel
        ax.text(0.98, original / 1000, f"original, 24-bit PNG: {original / 1000:,.0f} kB ",
                transform=ax.get_yaxis_transform(), ha="right", va="top", fontsize=9, color="#333333")
        ax.set_ylim(top=max(ax.get_ylim()[1], original / 1000 * 1.06))
    return ax


def half_step_curve(history, ax=None, *, mark: int | None = None, ylabel: str = "MSE"):
    """The MSE after every half-step of Lloyd's algorithm: updates at t - 0.5 (hollow), assigns at t (filled).

    Both kinds of half-step lower the MSE (or leave it), which the curve shows as a staircase.

    Parameters
    ----------
    history : colorlab.lessons.lloyd.LloydHistory or PointsHistory
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    mark : int, optional
        A half-step (index of ``history.half_steps``) to highlight.
    ylabel : str, default "MSE"

    Returns
    -------
    matplotlib Axes
        ``ax.lines[0]`` is the curve through every half-step, in order.

    Examples
    --------
    >>> from colorlab.lessons.lloyd import lloyd_points
    >>> history = lloyd_points([[0, 0], [0, 40], [200, 0], [200, 40]], 2, init=[[0, 0], [0, 40]])
    >>> half_step_curve(history, mark=1).lines[0].get_xdata().tolist()
    [0.0, 0.5, 1.0]
    """
    halves = history.half_steps
    if mark is not None:
        mark = check_position(history, mark)
    if ax is None:
        (ax,) = _axes.new_axes(figsize=(_axes.FIGURE_WIDTH, 3.2))
    xs = np.array([h.x for h in halves])
    ys = np.array([h.mse for h in halves])
    updates = np.array([h.kind == "update" for h in halves])
    ax.plot(xs, ys, color="#1f4e79", linewidth=1.8, zorder=2)
    ax.plot(xs[~updates], ys[~updates], linestyle="none", marker="o", markersize=5, color="#1f4e79", zorder=3,
            label="after an assign (pixels move)")
    if updates.any():
        ax.plot(xs[updates], ys[updates], linestyle="none", marker="o", markersize=5, markerfacecolor="white",
                markeredgecolor="#1f4e79", zorder=3, label="after an update (centers move)")
    if mark is not None:
        ax.axvline(xs[mark], color="#b03a2e", linestyle="--", linewidth=1.5)
        ax.plot([xs[mark]], [ys[mark]], marker="o", markersize=12, markerfacecolor="none", markeredgecolor="#b03a2e",
                markeredgewidth=2, zorder=4)
    _whole_number_ticks(ax)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right", fontsize=TICK_SIZE, framealpha=0.9)
    return ax


def lloyd_overview(image, history, positions: Sequence[int] | None = None, *, max_points: int = 1500):
    """Small multiples of a Lloyd run on a photo: the clusters in RGB space and the photo, at a few half-steps.

    A static picture of what :func:`colorlab.lessons.steppers.lloyd_stepper` shows one half-step at a time,
    for a page read without a running kernel. Columns are half-steps; the top row shows the pixels
    colored by cluster with the centers and their paths so far, the middle row the photo drawn in
    the cluster colors, and the bottom row the MSE of every half-step with the shown ones marked.

    Parameters
    ----------
    image : (H, W, 3) uint8 array
        The photo the run was made on.
    history : colorlab.lessons.lloyd.LloydHistory
    positions : sequence of int, optional
        Half-steps to show (at most 6); by default the start, any repair, update 1, assign 1 and the last.
    max_points : int, default 1500
        Pixels drawn in each 3D panel.

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> from colorlab.lessons.lloyd import lloyd_history
    >>> pixels = np.array([[[0, 0, 0], [10, 0, 0], [250, 250, 250], [240, 250, 250]]], np.uint8)
    >>> figure = lloyd_overview(pixels, lloyd_history(pixels, 2, seed=0))
    >>> [ax.get_title() for ax in figure.axes[1::2]][:2]
    ['start: first centers', 'update 1: centers move']
    """
    import matplotlib.pyplot as plt

    image = as_image(image)
    halves = history.half_steps
    if positions is None:
        first = [h.position for h in halves if h.kind in ("start", "repair")]
        positions = sorted(set(first + [p for p in (len(first), len(first) + 1) if p < len(halves)] + [len(halves) - 1]))
    positions = [check_position(history, p) for p in positions]
    if not 1 <= len(positions) <= 6:
        raise InvalidParameterError(f"positions must name 1 to 6 half-steps, got {len(positions)}")
    step = max(1, -(-max(image.shape[:2]) // 320))
    shown = image[::step, ::step]
    index = history.pixel_index[::step, ::step]
    columns = len(positions)
    fig = plt.figure(figsize=(3.1 * columns, 7.6), layout="constrained")
    grid = fig.add_gridspec(3, columns, height_ratios=[1.25, 0.8, 0.75])
    for column, position in enumerate(positions):
        half = halves[position]
        scatter_ax = fig.add_subplot(grid[0, column], projection="3d")
        cluster_scatter(shown, half.labels[index], history.half_step_path(position)[-1], ax=scatter_ax,
                        max_points=max_points, seed=0)
        centroid_paths(history.half_step_path(position), ax=scatter_ax)
        scatter_ax.set_title("")
        for axis in ("x", "y", "z"):
            scatter_ax.tick_params(axis=axis, labelsize=TICK_SIZE, pad=0)
            getattr(scatter_ax, f"{axis}axis").label.set_fontsize(TICK_SIZE + 1)
        scatter_ax.set_zlabel("blue", labelpad=6, fontsize=TICK_SIZE + 1)
        scatter_ax.set_box_aspect((1, 1, 1), zoom=0.74)
        photo_ax = fig.add_subplot(grid[1, column])
        if half.kind == "update":
            what = "centers move"
        elif half.kind == "assign":
            what = f"{half.changed:,} pixels move" if half.changed else "none move: converged"
        else:
            what = {"start": "first centers", "repair": "empty cluster re-seeded"}[half.kind]
        _axes.show_image(photo_ax, half.colors[half.labels][index], f"{half.name}: {what}")
        photo_ax.title.set_fontsize(10)
    curve_ax = fig.add_subplot(grid[2, :])
    half_step_curve(history, ax=curve_ax)
    for position in positions:
        curve_ax.axvline(halves[position].x, color="#b03a2e", linestyle=":", linewidth=1.2)
    curve_ax.set_title("MSE after every half-step (dotted: the half-steps shown above)", fontsize=10)
    return fig
