"""Figures for color quantization: original vs quantized, palette swatches, 3D RGB scatter, elbow curve.

Every function takes ``ax=None`` and returns the axes it drew on. When ``ax``
is None it creates a new figure with :mod:`matplotlib.pyplot` (so it shows up
in a notebook); otherwise it draws only into the axes it is given. Nothing here
calls ``plt.show()`` or changes ``rcParams``.

Functions
---------
compare
    The blog's layout: the original image above the quantized one.
swatches
    A bar of the palette colors, each as wide as its share of the pixels.
update_swatches
    Redraw :func:`swatches` in place for a new palette (used by the explorer).
rgb_scatter
    Pixels as points in the RGB cube, drawn in their own colors, with the
    palette colors as large edged markers (:func:`palette_markers`).
elbow
    A quality measure (e.g. MSE) against k, with an optional marked k.
cluster_scatter, centroid_paths, inertia_curve, gallery, size_curve
    The figures of the k-means lesson (notebooks 03 and 04).
dendrogram, error_map, error_grid
    The figures of the "beyond k-means" lesson (notebook 05).

Examples
--------
>>> import colorlab
>>> from colorlab import plot
>>> image = colorlab.load_image("rocket")[:40, :60]
>>> palette = colorlab.fit_palette(image, 3, seed=0)
>>> top, bottom = plot.compare(image, colorlab.quantize(image, palette))
>>> plot.swatches(palette).get_title()
'palette: 3 colors, width = share of pixels'
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import InvalidImageError, InvalidParameterError
from ..io.images import as_image, as_pixels
from ..palette.core import Palette

__all__ = [
    "compare", "swatches", "update_swatches", "rgb_scatter", "palette_markers", "elbow", "text_color_for",
    "cluster_colors", "cluster_scatter", "centroid_paths", "inertia_curve", "gallery", "size_curve",
    "dendrogram", "error_map", "error_grid",
]

#: Figure width in inches for figures this module creates (readable on a projector).
_FIGURE_WIDTH = 6.4
#: Text on a color darker than this relative luminance is drawn light (WCAG's crossover point).
_LUMINANCE_THRESHOLD = 0.179
_DARK_TEXT = "#000000"
_LIGHT_TEXT = "#ffffff"


def _new_axes(nrows: int = 1, *, figsize=None, projection=None):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize, layout="constrained")
    if projection is not None:
        return [fig.add_subplot(nrows, 1, row + 1, projection=projection) for row in range(nrows)]
    return [fig.add_subplot(nrows, 1, row + 1) for row in range(nrows)]


def _show_image(ax, image: np.ndarray, title: str) -> None:
    # "nearest" keeps a quantized image's colors exact when the figure is smaller than the image
    ax.imshow(image, origin="upper", interpolation="nearest")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])


def compare(original, quantized, ax=None, *, titles: Sequence[str] | None = None):
    """Show the original image above its quantized version, as in the blog post.

    Parameters
    ----------
    original, quantized : (H, W, 3) uint8 array
        The photo and its quantized version; same shape.
    ax : sequence of two matplotlib Axes, optional
        Where to draw (top, bottom). When None, a new figure with two stacked
        axes is created.
    titles : pair of str, optional
        Titles of the two axes. By default ``"original"`` and
        ``"quantized (N colors)"`` with N the number of distinct colors in
        ``quantized``.

    Returns
    -------
    tuple of two Axes
        (top, bottom). Each holds exactly one AxesImage, so a widget can swap
        the picture with ``axes[1].images[0].set_data(new_image)``.

    Raises
    ------
    InvalidImageError
        If an image is not (H, W, 3) uint8 or the two shapes differ.
    InvalidParameterError
        If ``ax`` is not two axes or ``titles`` not two strings.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((4, 6, 3), np.uint8)
    >>> top, bottom = compare(image, image)
    >>> bottom.get_title(), len(bottom.images)
    ('quantized (1 colors)', 1)
    """
    original = as_image(original, "original")
    quantized = as_image(quantized, "quantized")
    if original.shape != quantized.shape:
        raise InvalidImageError(
            f"quantized must have the same shape as original, got {quantized.shape} and {original.shape}; "
            "quantize the image you pass as original"
        )
    if titles is None:
        n_colors = len(np.unique(quantized.reshape(-1, 3), axis=0))
        titles = ("original", f"quantized ({n_colors} colors)")
    if isinstance(titles, str) or len(titles) != 2:
        raise InvalidParameterError(f"titles must be two strings (top, bottom), got {titles!r}")
    if ax is None:
        height, width = original.shape[:2]
        # two images stacked plus room for two titles
        figsize = (_FIGURE_WIDTH, min(2 * _FIGURE_WIDTH * height / width + 0.8, 12.0))
        ax = _new_axes(2, figsize=figsize)
    elif len(ax) != 2:
        raise InvalidParameterError(f"ax must be two axes (top, bottom), got {len(ax)}; or pass ax=None")
    top, bottom = ax
    _show_image(top, original, titles[0])
    _show_image(bottom, quantized, titles[1])
    return top, bottom


def _relative_luminance(rgb8: np.ndarray) -> np.ndarray:
    # WCAG 2 relative luminance of sRGB colors; small and exact, so written out here
    c = np.asarray(rgb8, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return (linear * [0.2126, 0.7152, 0.0722]).sum(axis=-1)  # not @: BLAS (colorlab.metrics.pixel_mean)


def text_color_for(rgb8) -> str:
    """A text color readable on the background color ``rgb8``: dark on light, light on dark.

    Parameters
    ----------
    rgb8 : (3,) array_like of int in 0..255
        The background color.

    Returns
    -------
    str
        Black or white as a hex string, whichever contrasts more (a contrast ratio of at least 4.58:1).

    Examples
    --------
    >>> text_color_for([255, 255, 0]), text_color_for([0, 0, 128])
    ('#000000', '#ffffff')
    """
    return _DARK_TEXT if _relative_luminance(rgb8) > _LUMINANCE_THRESHOLD else _LIGHT_TEXT


#: Bars narrower than this share of the width get no label (it could not be read); the title says so.
_NARROWEST_LABEL = 0.012


def _swatch_label(ax, hexcode: str, share: float, left: float, width: float, color: str) -> bool:
    """Write a bar's hex code and share on it; return False when the bar is too narrow for any label."""
    center = left + width / 2
    if width >= 0.12:
        ax.text(center, 0.5, f"{hexcode}\n{100 * share:.1f}%", ha="center", va="center", color=color, fontsize=11,
                family="monospace")
    elif width >= 0.035:  # narrow: turn the label on its side
        ax.text(center, 0.5, f"{hexcode}\n{100 * share:.1f}%", ha="center", va="center", color=color, fontsize=9,
                family="monospace", rotation=90)
    elif width >= _NARROWEST_LABEL:  # narrower: the hex code alone, on its side
        ax.text(center, 0.5, hexcode, ha="center", va="center", color=color, fontsize=7 if width >= 0.018 else 6,
                family="monospace", rotation=90)
    else:
        return False
    return True


def swatches(palette: Palette, ax=None, *, labels: bool = True):
    """Draw the palette as one bar, each color as wide as its share of the pixels.

    Parameters
    ----------
    palette : Palette
        The colors and their pixel counts (most used first, left to right).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    labels : bool, default True
        Write each color's hex code and share on it, in a contrasting color.
        Bars narrower than 3.5 % of the width stay unlabelled.

    Returns
    -------
    matplotlib Axes
        The axes, x from 0 to 1, one Rectangle patch per color.

    Raises
    ------
    InvalidParameterError
        If ``palette`` is not a Palette.

    Examples
    --------
    >>> p = Palette([[255, 255, 255], [0, 0, 0]], counts=[3, 1])
    >>> ax = swatches(p)
    >>> [round(float(bar.get_width()), 2) for bar in ax.patches]
    [0.75, 0.25]
    """
    _check_palette(palette)
    if ax is None:
        (ax,) = _new_axes(figsize=(_FIGURE_WIDTH, 1.6))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(_swatches_title(palette))
    return update_swatches(palette, ax, labels=labels)  # the bars and labels: one drawing path for both


def _check_max_points(max_points) -> int:
    if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) or max_points < 1:
        raise InvalidParameterError(f"max_points must be a whole number of at least 1, got {max_points!r}")
    return int(max_points)


def _sample_pixels(pixels: np.ndarray, max_points: int, seed) -> np.ndarray:
    if len(pixels) <= max_points:
        return pixels
    rng = np.random.default_rng(seed)
    return pixels[rng.choice(len(pixels), size=max_points, replace=False)]


def rgb_scatter(image_or_pixels, palette: Palette | None = None, ax=None, *, max_points: int = 3000, seed=0):
    """Plot pixels as points in the RGB cube, in their own colors, with the palette on top.

    Parameters
    ----------
    image_or_pixels : (H, W, 3) or (N, 3) uint8 array
        The pixels to show.
    palette : Palette, optional
        When given, its colors are drawn as large markers with a dark edge,
        their area growing with their share of the pixels.
    ax : 3D matplotlib Axes, optional
        Where to draw; a new figure with a 3D axes when None.
    max_points : int, default 3000
        At most this many pixels are drawn, a random sample without
        replacement (all of them when there are fewer).
    seed : int or numpy Generator, default 0
        Seed of the sample, so the same call draws the same points.

    Returns
    -------
    mpl_toolkits.mplot3d.Axes3D
        The axes: red, green and blue each from 0 to 255. Its first collection
        holds the pixels, the second (if any) the palette colors.

    Raises
    ------
    InvalidImageError
        If the pixels are not (H, W, 3) or (N, 3) uint8.
    InvalidParameterError
        If ``ax`` is not a 3D axes, ``palette`` not a Palette or
        ``max_points`` not a positive whole number.

    Examples
    --------
    >>> import numpy as np
    >>> pixels = np.random.default_rng(0).integers(0, 256, (500, 3), dtype=np.uint8)
    >>> ax = rgb_scatter(pixels, max_points=100)
    >>> len(ax.collections[0].get_offsets()), tuple(map(float, ax.get_xlim()))
    (100, (0.0, 255.0))
    """
    pixels = as_pixels(image_or_pixels, "image_or_pixels")
    max_points = _check_max_points(max_points)
    if palette is not None and not isinstance(palette, Palette):
        raise InvalidParameterError(
            f"palette must be a colorlab.Palette or None, got {type(palette).__name__}"
        )
    if ax is None:
        (ax,) = _new_axes(figsize=(_FIGURE_WIDTH, _FIGURE_WIDTH), projection="3d")
    elif getattr(ax, "name", None) != "3d":
        raise InvalidParameterError(
            "ax must be a 3D axes; create one with fig.add_subplot(projection='3d') or pass ax=None"
        )
    sample = _sample_pixels(pixels, max_points, seed)
    # draw in the given order (palette last, on top) instead of by depth, so centroids are never hidden
    ax.computed_zorder = False
    ax.scatter(*sample.T, c=sample / 255.0, s=6, alpha=0.35, depthshade=False, linewidths=0, zorder=1,
               label=f"{len(sample)} of {len(pixels)} pixels")
    if palette is not None:
        palette_markers(palette, ax)
    _style_rgb_axes(ax)
    title = "pixels in RGB space" if palette is None else f"pixels and {len(palette)} palette colors in RGB space"
    ax.set_title(title)
    return ax


def palette_markers(palette: Palette, ax):
    """Draw a palette's colors as large edged markers on a 3D RGB axes; return the new collection.

    The markers' area grows with each color's share of the pixels; they are drawn
    on top of everything drawn before them. :func:`rgb_scatter` uses this; a
    widget that only changes the palette can ``remove()`` the returned
    collection and call this again instead of redrawing the pixels.

    Parameters
    ----------
    palette : Palette
        The colors to mark.
    ax : 3D matplotlib Axes
        An axes made by :func:`rgb_scatter` (or any 3D axes).

    Returns
    -------
    mpl_toolkits.mplot3d.art3d.Path3DCollection

    Examples
    --------
    >>> import numpy as np
    >>> from colorlab import Palette
    >>> ax = rgb_scatter(np.zeros((4, 3), np.uint8))
    >>> markers = palette_markers(Palette([[255, 0, 0], [0, 0, 255]], counts=[3, 1]), ax)
    >>> len(markers.get_offsets()), len(ax.collections)
    (2, 2)
    """
    if not isinstance(palette, Palette):
        raise InvalidParameterError(f"palette must be a colorlab.Palette, got {type(palette).__name__}")
    if getattr(ax, "name", None) != "3d":
        raise InvalidParameterError("ax must be a 3D axes, e.g. the one rgb_scatter returns")
    ax.computed_zorder = False
    sizes = 120 + 900 * palette.shares
    return ax.scatter(*palette.colors.T, c=palette.colors / 255.0, s=sizes, edgecolors="#222222", linewidths=1.8,
                      alpha=1.0, depthshade=False, zorder=2, label=f"{len(palette)} palette colors")


def _style_rgb_axes(ax) -> None:
    for axis_name, label in zip("xyz", ("red", "green", "blue")):
        getattr(ax, f"set_{axis_name}lim")(0, 255)
        getattr(ax, f"set_{axis_name}ticks")([0, 128, 255])
        # a wider pad keeps each name clear of its tick labels (the vertical axis' ticks sit close)
        getattr(ax, f"set_{axis_name}label")(label, labelpad=12 if axis_name == "z" else 6)
    ax.set_box_aspect((1, 1, 1), zoom=0.9)


def _spaced_ticks(ks, min_gap: float = 1 / 16) -> list:
    """The ks to label on a linear axis, so that no two labels run together.

    Keeps the first and the last k and, from the top down, every k at least ``min_gap`` of the
    axis from the last one kept and from the first k.

    Examples
    --------
    >>> _spaced_ticks([1, 2, 3, 4, 6, 8, 12, 16, 24, 32])
    [1, 4, 6, 8, 12, 16, 24, 32]
    """
    ks = sorted({int(k) for k in np.asarray(ks).ravel()})
    if len(ks) <= 2:
        return ks
    gap = min_gap * (ks[-1] - ks[0])
    kept = [ks[-1]]
    for k in reversed(ks[1:-1]):
        if kept[-1] - k >= gap and k - ks[0] >= gap:
            kept.append(k)
    return [ks[0]] + kept[::-1]


def elbow(ks, values, ax=None, *, ylabel: str = "MSE", mark=None):
    """Plot a quality measure against the number of colors k, to pick k at the "elbow".

    Parameters
    ----------
    ks : sequence of int
        The numbers of colors tried.
    values : sequence of float
        One value per k (e.g. ``colorlab.metrics.mse`` of each quantized image).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    ylabel : str, default "MSE"
        Label of the y axis.
    mark : int, optional
        A k (one of ``ks``) to highlight with a dashed line and a ring.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    InvalidParameterError
        If ``ks`` and ``values`` differ in length or are empty, or ``mark`` is not in ``ks``.

    Examples
    --------
    >>> ax = elbow([2, 4, 8], [900.0, 400.0, 150.0], mark=4)
    >>> ax.get_xlabel()
    'k (number of colors)'
    """
    ks = np.asarray(ks)
    values = np.asarray(values, dtype=np.float64)
    if ks.ndim != 1 or ks.shape != values.shape or len(ks) == 0:
        raise InvalidParameterError(
            f"ks and values must be two non-empty lists of the same length, got {ks.shape} and {values.shape}"
        )
    if mark is not None and mark not in ks:
        raise InvalidParameterError(f"mark must be one of ks {ks.tolist()}, got {mark!r}")
    if ax is None:
        (ax,) = _new_axes(figsize=(_FIGURE_WIDTH, 4.0))
    ax.plot(ks, values, marker="o", color="#1f4e79", linewidth=2)
    if mark is not None:
        y = values[np.flatnonzero(ks == mark)[0]]
        ax.axvline(mark, color="#b03a2e", linestyle="--", linewidth=1.5)
        ax.plot([mark], [y], marker="o", markersize=14, markerfacecolor="none", markeredgecolor="#b03a2e",
                markeredgewidth=2)
    ax.set_xticks(_spaced_ticks(ks))
    ax.set_xlabel("k (number of colors)")
    ax.set_ylabel(ylabel)
    ax.set_title(f"{ylabel} against k")
    ax.grid(True, alpha=0.3)
    return ax


# ---------------------------------------------------------------- lessons: how k-means works, choosing k

#: Categorical colors that tell clusters apart (matplotlib's tab10, then tab20's light shades).
_CLUSTER_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)


def cluster_colors(k: int) -> np.ndarray:
    """k categorical colors that tell clusters apart, as an (k, 3) float array on 0..1.

    Cluster j is drawn in color j (they repeat after 20). Used by :func:`cluster_scatter` and
    :func:`centroid_paths`, so a cluster has the same color in both.

    Examples
    --------
    >>> cluster_colors(2).round(3).tolist()
    [[0.122, 0.467, 0.706], [1.0, 0.498, 0.055]]
    """
    from matplotlib.colors import to_rgb

    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidParameterError(f"k must be a whole number of at least 1, got {k!r}")
    return np.array([to_rgb(_CLUSTER_COLORS[j % len(_CLUSTER_COLORS)]) for j in range(k)])


def _new_3d_axes(ax):
    if ax is None:
        (ax,) = _new_axes(figsize=(_FIGURE_WIDTH, _FIGURE_WIDTH), projection="3d")
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
    max_points = _check_max_points(max_points)
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
    _style_rgb_axes(ax)
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
    _style_rgb_axes(ax)
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
        (ax,) = _new_axes(figsize=(_FIGURE_WIDTH, 3.5))
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
    images, titles = _images_and_titles(images, titles)
    if ax is None:
        import matplotlib.pyplot as plt

        columns = len(images) if ncols is None else ncols
        if isinstance(columns, bool) or not isinstance(columns, (int, np.integer)) or columns < 1:
            raise InvalidParameterError(f"ncols must be a whole number of at least 1, got {ncols!r}")
        columns = min(int(columns), len(images))
        rows = -(-len(images) // columns)
        height, width = images[0].shape[:2]
        figure_width = 2.2 * _FIGURE_WIDTH if columns > 2 else 1.6 * _FIGURE_WIDTH
        fig = plt.figure(figsize=(figure_width, rows * (figure_width / columns * height / width + 0.35)),
                         layout="constrained")
        ax = [fig.add_subplot(rows, columns, i + 1) for i in range(len(images))]
    ax = list(ax)
    if len(ax) != len(images):
        raise InvalidParameterError(f"ax must hold one axes per image ({len(images)}), got {len(ax)}")
    for axes, image, title in zip(ax, images, titles):
        _show_image(axes, image, title)
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


# ---------------------------------------------------------------- lesson 05: beyond k-means

#: Colormap of error maps: dark = small error, bright = large (perceptually uniform, readable in gray).
_ERROR_CMAP = "magma"


def dendrogram(tree, k: int, ax=None, *, leaves: int = 32):
    """Draw the Ward tree of an image's colors with a dashed line that cuts it into k clusters.

    Branches below the cut are drawn in the mean color of their cluster, the rest in gray; under
    each shown leaf (a cluster of the truncated tree) a square shows its mean color.

    Parameters
    ----------
    tree : colorlab.cluster.ward.ColorTree
        From :func:`colorlab.cluster.ward.color_tree`.
    k : int
        Number of clusters of the cut (clipped to the number of leaves of the tree).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    leaves : int, default 32
        Show only the top of the tree, with at least this many leaves (and at least k).

    Returns
    -------
    matplotlib Axes
        The cut is ``ax.lines[-1]`` (a horizontal line at ``tree.cut_height(k)``).

    Raises
    ------
    InvalidParameterError
        If ``tree`` is not a ColorTree or ``k`` or ``leaves`` is not a whole number >= 1.

    Examples
    --------
    >>> from colorlab.cluster.ward import color_tree
    >>> tree = color_tree(np.array([[0, 0, 0], [20, 0, 0], [250, 250, 250], [240, 250, 250]], np.uint8))
    >>> ax = dendrogram(tree, 2)
    >>> ax.lines[-1].get_ydata()[0] == tree.cut_height(2), ax.get_title()
    (True, 'Ward tree of 4 color leaves, cut into k = 2 clusters')
    """
    from matplotlib import transforms
    from scipy.cluster import hierarchy as scipy_hierarchy

    from ..cluster.ward import ColorTree

    if not isinstance(tree, ColorTree):
        raise InvalidParameterError(
            f"tree must be a ColorTree from colorlab.cluster.ward.color_tree, got {type(tree).__name__}"
        )
    for name, value in (("k", k), ("leaves", leaves)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InvalidParameterError(f"{name} must be a whole number of at least 1, got {value!r}")
    if ax is None:
        (ax,) = _new_axes(figsize=(_FIGURE_WIDTH * 1.4, 4.0))
    n = tree.n_leaves
    k = min(int(k), n)
    cut = tree.cut_height(k)
    node_hex = ["#%02x%02x%02x" % tuple(color) for color in tree.node_colors()]
    heights = np.concatenate([np.zeros(n), tree.linkage[:, 2]])
    if n > 1:
        shown = scipy_hierarchy.dendrogram(
            tree.linkage, p=min(max(int(leaves), k), n), truncate_mode="lastp", ax=ax, no_labels=True,
            link_color_func=lambda node: node_hex[node] if heights[node] < cut else "#999999",
        )
        below_axis = transforms.blended_transform_factory(ax.transData, ax.transAxes)
        xs = 5 + 10 * np.arange(len(shown["leaves"]))
        ax.scatter(xs, np.full(len(xs), -0.04), marker="s", s=60, c=[node_hex[i] for i in shown["leaves"]],
                   edgecolors="#222222", linewidths=0.8, transform=below_axis, clip_on=False, zorder=3)
    ax.axhline(cut, color="#b03a2e", linestyle="--", linewidth=1.8)
    ax.text(1.0, cut, f" cut: k = {k}", transform=transforms.blended_transform_factory(ax.transAxes, ax.transData),
            color="#b03a2e", va="center", ha="left", fontsize=11)
    ax.set_ylabel("merge height (Ward)")
    ax.set_title(f"Ward tree of {n} color leaves, cut into k = {k} clusters")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def error_map(errors, ax=None, *, vmax=None, title: str = "error per pixel", colorbar: bool = True):
    """Show a per-pixel error map (from :func:`colorlab.metrics.error_map`): dark = exact, bright = far off.

    Parameters
    ----------
    errors : (H, W) array of float
        The error of every pixel (RGB distance, 0..441).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    vmax : float, optional
        Error shown brightest (default: the largest error); give several maps the same vmax to compare them.
    title : str
        Title of the axes.
    colorbar : bool, default True
        Add a colorbar labelled "RGB distance".

    Returns
    -------
    matplotlib Axes
        Holding one AxesImage.

    Raises
    ------
    InvalidParameterError
        If ``errors`` is not a 2-D array.

    Examples
    --------
    >>> ax = error_map(np.array([[0.0, 5.0], [10.0, 0.0]]))
    >>> ax.images[0].get_clim()
    (0.0, 10.0)
    """
    errors = np.asarray(errors, dtype=np.float64)
    if errors.ndim != 2:
        raise InvalidParameterError(
            f"errors must be an (H, W) array (from colorlab.metrics.error_map of two images), got shape {errors.shape}"
        )
    if ax is None:
        height, width = errors.shape
        (ax,) = _new_axes(figsize=(_FIGURE_WIDTH, _FIGURE_WIDTH * height / width + 0.6))
    top = float(vmax) if vmax is not None else max(float(errors.max(initial=0.0)), 1.0)
    picture = ax.imshow(errors, cmap=_ERROR_CMAP, vmin=0.0, vmax=top, interpolation="nearest")
    if colorbar:
        ax.figure.colorbar(picture, ax=ax, shrink=0.85, label="RGB distance")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def error_grid(original, images, titles: Sequence[str] | None = None):
    """Quantized images (top row) and their error maps against ``original`` (bottom row), on one error scale.

    Parameters
    ----------
    original : (H, W, 3) uint8 array
    images : sequence of (H, W, 3) uint8 arrays
        Versions of ``original`` (e.g. without and with dithering).
    titles : sequence of str, optional
        One per image; the error maps are titled with their mean error.

    Returns
    -------
    ndarray of Axes, shape (2, len(images))

    Raises
    ------
    InvalidImageError
        If an image is not (H, W, 3) uint8 or its shape differs from ``original``'s.
    InvalidParameterError
        If there are no images or ``titles`` has the wrong length.

    Examples
    --------
    >>> black, gray = np.zeros((2, 2, 3), np.uint8), np.full((2, 2, 3), 3, np.uint8)
    >>> axes = error_grid(black, [black, gray], ["same", "gray"])
    >>> axes.shape, axes[1, 1].get_title()
    ((2, 2), 'mean error 5.2')
    """
    import matplotlib.pyplot as plt

    from ..metrics import error_map as error_values

    original = as_image(original, "original")
    images, titles = _images_and_titles(images, titles)
    maps = [error_values(original, image) for image in images]
    top = max(max(float(m.max()) for m in maps), 1.0)
    height, width = original.shape[:2]
    columns = len(images)
    fig, axes = plt.subplots(2, columns, squeeze=False, layout="constrained",
                             figsize=(2.2 * _FIGURE_WIDTH, 2 * 2.2 * _FIGURE_WIDTH / columns * height / width + 1.0))
    for column, (image, errors, title) in enumerate(zip(images, maps, titles)):
        _show_image(axes[0, column], image, title)
        error_map(errors, axes[1, column], vmax=top, title=f"mean error {errors.mean():.1f}", colorbar=False)
    fig.colorbar(axes[1, 0].images[0], ax=axes[1, :].tolist(), shrink=0.85, label="RGB distance to the original")
    return axes


def _images_and_titles(images, titles) -> tuple[list, list]:
    """Check a non-empty list of (H, W, 3) uint8 images and one title each ("" when titles is None)."""
    images = [as_image(image, f"images[{i}]") for i, image in enumerate(images)]
    if not images:
        raise InvalidParameterError("images must hold at least one image")
    titles = [""] * len(images) if titles is None else list(titles)
    if len(titles) != len(images):
        raise InvalidParameterError(f"titles must have one entry per image ({len(images)}), got {len(titles)}")
    return images, titles


def update_swatches(palette: Palette, ax, *, labels: bool = True):
    """Show another palette on an axes made by :func:`swatches`, in place.

    Removes the old bars and labels and draws the new ones as :func:`swatches`
    would, without clearing the axes (no new ticks, spines or limits): a widget
    that changes its palette often spends about a third of the time.

    Parameters
    ----------
    palette : Palette
        The new colors and their pixel counts.
    ax : matplotlib Axes
        An axes :func:`swatches` drew on.
    labels : bool, default True
        Write each color's hex code and share on it, as :func:`swatches` does.

    Returns
    -------
    matplotlib Axes
        The same axes, one Rectangle patch per color.

    Raises
    ------
    InvalidParameterError
        If ``palette`` is not a Palette.

    Examples
    --------
    >>> ax = swatches(Palette([[255, 255, 255], [0, 0, 0]], counts=[3, 1]))
    >>> ax = update_swatches(Palette([[9, 9, 9]], counts=[5]), ax)
    >>> [round(float(bar.get_width()), 2) for bar in ax.patches], ax.get_title()
    ([1.0], 'palette: 1 color, width = share of pixels')
    """
    from matplotlib.patches import Rectangle

    _check_palette(palette)
    for artist in [*ax.patches, *ax.texts]:
        artist.remove()
    shares = palette.shares
    if shares.sum() == 0:  # no pixels counted: show equal widths
        shares = np.full(len(palette), 1 / len(palette))
    lefts = np.concatenate([[0.0], np.cumsum(shares)[:-1]])
    for rgb, share, left in zip(palette.colors / 255.0, shares, lefts):
        # the bars barh() would make, added without its per-bar update of the data limits (fixed at 0..1 here)
        ax.add_artist(Rectangle((left, 0.0), share, 1.0, facecolor=rgb, edgecolor="none", label="_nolegend_"))
    unlabelled = 0
    if labels:
        for rgb, hexcode, share, left in zip(palette.colors, palette.to_hex(), shares, lefts):
            unlabelled += not _swatch_label(ax, hexcode, share, left, share, text_color_for(rgb))
    # set_text keeps the title's place (set_title would reset it to the default)
    ax.title.set_text(_swatches_title(palette, unlabelled))
    return ax


def _swatches_title(palette: Palette, unlabelled: int = 0) -> str:
    count = len(palette)
    title = f"palette: {count} color{'' if count == 1 else 's'}, width = share of pixels"
    if unlabelled:
        title += f" ({unlabelled} too narrow to label)"
    return title


def _check_palette(palette) -> None:
    if not isinstance(palette, Palette):
        raise InvalidParameterError(
            f"palette must be a colorlab.Palette, got {type(palette).__name__}; make one with colorlab.fit_palette"
        )


# ---------------------------------------------------------------- lesson 03: the two half-steps of k-means

__all__ += ["voronoi_step", "voronoi_steps", "half_step_curve", "lloyd_overview"]


def _check_position(history, position) -> int:
    n = len(history.half_steps)
    if isinstance(position, bool) or not isinstance(position, (int, np.integer)) or not -n <= position < n:
        raise InvalidParameterError(f"position must be a half-step from 0 to {n - 1}, got {position!r}")
    return int(position) % n


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
    position = _check_position(history, position)
    half = history.half_steps[position]
    if ax is None:
        (ax,) = _new_axes(figsize=(4.2, 4.2))
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
    ax.scatter(points[:, 0], points[:, 1], c=palette[half.labels], s=9, linewidths=0, alpha=0.8, zorder=2)
    ax.scatter(half.centers[:, 0], half.centers[:, 1], c=palette, s=170, marker="o", edgecolors="#111111",
               linewidths=2.2, zorder=4)
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
    positions = [_check_position(history, p) for p in positions]
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
        ax.text(0.5, -0.2, what, transform=ax.transAxes, ha="center", va="top", fontsize=9)
    return axes


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
        mark = _check_position(history, mark)
    if ax is None:
        (ax,) = _new_axes(figsize=(_FIGURE_WIDTH, 3.2))
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
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
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
    positions = [_check_position(history, p) for p in positions]
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
            scatter_ax.tick_params(axis=axis, labelsize=7, pad=0)
            getattr(scatter_ax, f"{axis}axis").label.set_fontsize(8)
        scatter_ax.set_zlabel("blue", labelpad=4, fontsize=8)
        scatter_ax.set_box_aspect((1, 1, 1), zoom=0.74)
        photo_ax = fig.add_subplot(grid[1, column])
        if half.kind == "update":
            what = "centers move"
        elif half.kind == "assign":
            what = f"{half.changed:,} pixels move" if half.changed else "none move: converged"
        else:
            what = {"start": "first centers", "repair": "empty cluster re-seeded"}[half.kind]
        _show_image(photo_ax, half.colors[half.labels][index], f"{half.name}: {what}")
        photo_ax.title.set_fontsize(10)
    curve_ax = fig.add_subplot(grid[2, :])
    half_step_curve(history, ax=curve_ax)
    for position in positions:
        curve_ax.axvline(halves[position].x, color="#b03a2e", linestyle=":", linewidth=1.2)
    curve_ax.set_title("MSE after every half-step (dotted: the half-steps shown above)", fontsize=10)
    return fig
