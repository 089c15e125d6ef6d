"""The palette as a bar: each color as wide as its share of the pixels, labelled with its hex code and share
in a color that contrasts with it (:func:`swatches`), redrawn in place for a new palette
(:func:`update_swatches`, for widgets).

Examples
--------
>>> from colorlab import Palette
>>> ax = swatches(Palette([[255, 255, 255], [0, 0, 0]], counts=[3, 1]))
>>> [text.get_text().split()[0] for text in ax.texts]
['#ffffff', '#000000']
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError
from ..palette.core import Palette
from . import _axes

__all__ = ["swatches", "update_swatches", "text_color_for"]

#: Text on a color darker than this relative luminance is drawn light (WCAG's crossover point).
_LUMINANCE_THRESHOLD = 0.179
_DARK_TEXT = "#000000"
_LIGHT_TEXT = "#ffffff"


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


#: The smallest text a swatch label gets (points): 9 pt stays readable on a projected slide.
_LABEL_POINTS = 9
#: Width a label's line takes on its side, in multiples of its size (monospace glyphs, lines packed).
_LINE = 1.1


def _swatch_label(ax, hexcode: str, share: float, left: float, width: float, color: str) -> bool:
    """Write a bar's hex code and share on it; return False when the bar is too narrow for a 9-pt label.

    How much fits is measured in points on the axes as drawn (a bar's share of the axes' width), so a
    label never spills onto its neighbours, whatever the figure's size.
    """
    center = left + width / 2
    points = width * ax.bbox.width / ax.figure.dpi * 72  # the bar's width in points
    if points >= 7 * 0.6 * 11 + 6:  # "#rrggbb" across, in 11-pt monospace, with a margin
        ax.text(center, 0.5, f"{hexcode}\n{100 * share:.1f}%", ha="center", va="center", color=color, fontsize=11,
                family="monospace")
    elif points >= 2 * _LINE * _LABEL_POINTS:  # narrow: two lines on its side
        ax.text(center, 0.5, f"{hexcode}\n{100 * share:.1f}%", ha="center", va="center", color=color,
                fontsize=_LABEL_POINTS, family="monospace", rotation=90, linespacing=1.0)
    elif points >= _LINE * _LABEL_POINTS:  # narrower: the hex code alone, on its side
        ax.text(center, 0.5, hexcode, ha="center", va="center", color=color, fontsize=_LABEL_POINTS,
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
        Write each color's hex code and share on it, in a contrasting color, at 9 pt or more.
        A bar too narrow for a 9-pt hex code (about 2.3 % of a 6.4-inch figure) stays unlabelled,
        and the title says how many.

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
        (ax,) = _axes.new_axes(figsize=(_axes.FIGURE_WIDTH, 1.6))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(_swatches_title(palette))
    layout = ax.figure.get_layout_engine()
    if layout is not None:  # place the axes as drawn first: what a label may take depends on the bar's width
        layout.execute(ax.figure)
    return update_swatches(palette, ax, labels=labels)  # the bars and labels: one drawing path for both


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
