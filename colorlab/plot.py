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
rgb_scatter
    Pixels as points in the RGB cube, drawn in their own colors, with the
    palette colors as large edged markers.
elbow
    A quality measure (e.g. MSE) against k, with an optional marked k.

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

from .errors import InvalidImageError, InvalidParameterError
from .images import as_image, as_pixels
from .palette import Palette

__all__ = ["compare", "swatches", "rgb_scatter", "elbow", "text_color_for"]

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
    return linear @ np.array([0.2126, 0.7152, 0.0722])


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


def _swatch_label(ax, hexcode: str, share: float, left: float, width: float, color: str) -> None:
    label = f"{hexcode}\n{100 * share:.1f}%"
    center = left + width / 2
    if width >= 0.12:
        ax.text(center, 0.5, label, ha="center", va="center", color=color, fontsize=11, family="monospace")
    elif width >= 0.035:  # narrow: turn the label on its side
        ax.text(center, 0.5, label, ha="center", va="center", color=color, fontsize=9,
                family="monospace", rotation=90)
    # narrower bars get no label: it could not be read


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
    if not isinstance(palette, Palette):
        raise InvalidParameterError(
            f"palette must be a colorlab.Palette, got {type(palette).__name__}; make one with colorlab.fit_palette"
        )
    if ax is None:
        (ax,) = _new_axes(figsize=(_FIGURE_WIDTH, 1.6))
    shares = palette.shares
    if shares.sum() == 0:  # no pixels counted: show equal widths
        shares = np.full(len(palette), 1 / len(palette))
    lefts = np.concatenate([[0.0], np.cumsum(shares)[:-1]])
    colors = palette.colors / 255.0
    ax.barh(0.5, shares, left=lefts, height=1.0, color=colors, edgecolor="none")
    if labels:
        for rgb, hexcode, share, left in zip(palette.colors, palette.to_hex(), shares, lefts):
            _swatch_label(ax, hexcode, share, left, share, text_color_for(rgb))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(f"palette: {len(palette)} colors, width = share of pixels")
    return ax


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
        sizes = 120 + 900 * palette.shares
        ax.scatter(*palette.colors.T, c=palette.colors / 255.0, s=sizes, edgecolors="#222222", linewidths=1.8,
                   alpha=1.0, depthshade=False, zorder=2, label=f"{len(palette)} palette colors")
    _style_rgb_axes(ax)
    title = "pixels in RGB space" if palette is None else f"pixels and {len(palette)} palette colors in RGB space"
    ax.set_title(title)
    return ax


def _style_rgb_axes(ax) -> None:
    for axis_name, label in zip("xyz", ("red", "green", "blue")):
        getattr(ax, f"set_{axis_name}lim")(0, 255)
        getattr(ax, f"set_{axis_name}ticks")([0, 128, 255])
        getattr(ax, f"set_{axis_name}label")(label)
    ax.set_box_aspect((1, 1, 1), zoom=0.9)


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
    if len(ks) <= 20:
        ax.set_xticks(ks)
    ax.set_xlabel("k (number of colors)")
    ax.set_ylabel(ylabel)
    ax.set_title(f"{ylabel} against k")
    ax.grid(True, alpha=0.3)
    return ax
