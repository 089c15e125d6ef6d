"""Figures for color quantization: original vs quantized, 3D RGB scatter, elbow curve, error maps
(the palette bar is :mod:`colorlab.plot.palette_bar`).

Every function takes ``ax=None`` and returns the axes it drew on. When ``ax``
is None it creates a new figure with :mod:`matplotlib.pyplot` (so it shows up
in a notebook); otherwise it draws only into the axes it is given. Nothing here
calls ``plt.show()`` or changes ``rcParams``.

Functions
---------
compare
    The blog's layout: the original image above the quantized one.
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
from ..io.arrays import as_image, as_pixels
from ..palette.core import Palette
from . import _axes

__all__ = ["compare", "rgb_scatter", "palette_markers", "elbow", "dendrogram", "error_map", "error_grid"]

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
        figsize = (_axes.FIGURE_WIDTH, min(2 * _axes.FIGURE_WIDTH * height / width + 0.8, 12.0))
        ax = _axes.new_axes(2, figsize=figsize)
    elif len(ax) != 2:
        raise InvalidParameterError(f"ax must be two axes (top, bottom), got {len(ax)}; or pass ax=None")
    top, bottom = ax
    _axes.show_image(top, original, titles[0])
    _axes.show_image(bottom, quantized, titles[1])
    return top, bottom


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
    max_points = _axes.check_max_points(max_points)
    if palette is not None and not isinstance(palette, Palette):
        raise InvalidParameterError(
            f"palette must be a colorlab.Palette or None, got {type(palette).__name__}"
        )
    if ax is None:
        (ax,) = _axes.new_axes(figsize=(_axes.FIGURE_WIDTH, _axes.FIGURE_WIDTH), projection="3d")
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
    _axes.style_rgb_axes(ax)
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
        (ax,) = _axes.new_axes(figsize=(_axes.FIGURE_WIDTH, 4.0))
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
        (ax,) = _axes.new_axes(figsize=(_axes.FIGURE_WIDTH * 1.4, 4.0))
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
        (ax,) = _axes.new_axes(figsize=(_axes.FIGURE_WIDTH, _axes.FIGURE_WIDTH * height / width + 0.6))
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
        One per image; each error map is titled with its mean RGB distance (not the MSE, the mean of its squares).

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
    ((2, 2), 'mean RGB distance 5.2')
    """
    import matplotlib.pyplot as plt

    from ..metrics import error_map as error_values

    original = as_image(original, "original")
    images, titles = _axes.images_and_titles(images, titles)
    maps = [error_values(original, image) for image in images]
    top = max(max(float(m.max()) for m in maps), 1.0)
    height, width = original.shape[:2]
    columns = len(images)
    fig, axes = plt.subplots(2, columns, squeeze=False, layout="constrained",
                             figsize=(2.2 * _axes.FIGURE_WIDTH, 2 * 2.2 * _axes.FIGURE_WIDTH / columns * height / width + 1.0))
    for column, (image, errors, title) in enumerate(zip(images, maps, titles)):
        _axes.show_image(axes[0, column], image, title)
        error_map(errors, axes[1, column], vmax=top, title=f"mean RGB distance {errors.mean():.1f}", colorbar=False)
    fig.colorbar(axes[1, 0].images[0], ax=axes[1, :].tolist(), shrink=0.85, label="RGB distance to the original")
    return axes


