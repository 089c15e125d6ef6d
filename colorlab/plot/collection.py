"""Pictures of a collection's colors (matplotlib); the numbers come from :mod:`colorlab.collection`.

Examples
--------
>>> import colorlab
>>> from colorlab import collection
>>> table = colorlab.batch(["rocket", "coffee"], 4, workers=1, progress=False)
>>> fig = barcode(table, collection.thumbnails(table["path"], height=24))
>>> len(fig.axes)  # one column per photo here (at most 3)
2
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
import numpy as np

from ..collection import analysis as collection
from ._axes import TICK_SIZE, style_rgb_axes

__all__ = ["barcode", "palettes_3d", "dendrogram", "search_results"]


def _name(path, width: int = 12) -> str:
    """A photo's file name without suffix, cut to ``width`` characters (with an ellipsis)."""
    stem = Path(str(path)).stem
    return stem if len(stem) <= width else stem[:width - 1] + "…"


def barcode(table, thumbs, *, columns: int = 3, strip_width: int = 320, band_inches: float = 0.55):
    """Every photo's thumbnail beside its palette strip (widths = shares), in ``columns`` columns."""
    rows = collection.worked(table)
    columns = max(1, min(columns, len(rows)))
    per_column = -(-len(rows) // columns)
    pictures = []
    for c in range(columns):
        part = rows.iloc[c * per_column:(c + 1) * per_column].reset_index(drop=True)
        pictures.append((part, collection.barcode_image(part, thumbs[c * per_column:c * per_column + len(part)],
                                                        strip_width=strip_width) if len(part) else None))
    band = thumbs[0].shape[0] + 4
    height = band_inches * per_column
    width = height * pictures[0][1].shape[1] / (band * per_column)
    fig, axes = plt.subplots(1, columns, figsize=(columns * (width + 0.8), height + 0.5), squeeze=False)
    for ax, (part, picture) in zip(axes[0], pictures):
        ax.set_axis_off()
        if picture is None:
            continue
        ax.imshow(picture, interpolation="lanczos")
        ax.set_xlim(-0.5, picture.shape[1] - 0.5)
        ax.set_ylim(band * per_column - 0.5, -0.5)
        for i, path in enumerate(part["path"]):
            ax.text(-8, i * band + band / 2 - 2, _name(path), ha="right", va="center", fontsize=TICK_SIZE)
    fig.suptitle(f"The palettes of {len(rows)} photos (k = {int(rows['k'].iloc[0])}; each color as wide as its "
                 "share of the pixels)", fontsize=10)
    fig.subplots_adjust(left=0.8 / (width + 0.8) / columns, right=0.99, top=1 - 0.45 / (height + 0.5),
                        bottom=0.01, wspace=0.8 / width)
    return fig


def palettes_3d(table, *, max_size: float = 600.0):
    """All palette colors together in RGB and in OKLab, each dot sized by its share of its photo."""
    fig = plt.figure(figsize=(12, 5.6))
    for i, space in enumerate(("rgb", "oklab")):
        points = collection.palette_points(table, space=space)
        ax = fig.add_subplot(1, 2, i + 1, projection="3d")
        xyz = points[["x", "y", "z"]].to_numpy()
        if space == "oklab":  # lightness up, the two opponent axes on the floor
            xyz = xyz[:, [1, 2, 0]]
        ax.scatter(*xyz.T, s=points["share"] * max_size, c=points[["r", "g", "b"]].to_numpy() / 255,
                   edgecolors=(0, 0, 0, 0.35), linewidths=0.4, depthshade=False)
        if space == "rgb":
            style_rgb_axes(ax)
        else:  # three ticks an axis: more run into each other at a size read from the back of a room
            for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
                axis.set_major_locator(MaxNLocator(3))
            ax.set_xlabel("a (green - red)", labelpad=6)
            ax.set_ylabel("b (blue - yellow)", labelpad=6)
            ax.set_zlabel("L (lightness)", labelpad=8)
        ax.tick_params(labelsize=TICK_SIZE)
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.label.set_fontsize(TICK_SIZE + 1)
        ax.set_title(f"{space.upper() if space == 'rgb' else 'OKLab'}: {len(points)} palette colors", fontsize=10)
    fig.tight_layout()
    return fig


def dendrogram(table, tree, thumbs, *, strip_width: int = 200, band_inches: float = 0.5):
    """The tree of :func:`colorlab.collection.group_photos`, each leaf shown as its photo and palette."""
    from scipy.cluster.hierarchy import dendrogram as scipy_dendrogram

    rows = collection.worked(table)
    n = len(rows)
    leaves = scipy_dendrogram(tree, no_plot=True)["leaves"]  # bottom to top with orientation="left"
    top_down = leaves[::-1]
    gap = 4
    picture = collection.barcode_image(rows.iloc[top_down].reset_index(drop=True), [thumbs[i] for i in top_down],
                                       strip_width=strip_width, gap=gap)
    picture = np.concatenate([picture, np.full((gap, picture.shape[1], 3), 255, np.uint8)])  # n equal bands
    height = band_inches * n
    picture_width = height * picture.shape[1] / picture.shape[0]
    tree_width, label_width = 3.6, 0.9
    fig = plt.figure(figsize=(tree_width + picture_width + label_width + 0.4, height + 0.9))
    grid = fig.add_gridspec(1, 2, width_ratios=[tree_width, picture_width], wspace=0.02,
                            left=0.04, right=1 - label_width / fig.get_figwidth(), top=1 - 0.4 / fig.get_figheight(),
                            bottom=0.5 / fig.get_figheight())
    tree_ax = fig.add_subplot(grid[0])
    picture_ax = fig.add_subplot(grid[1], sharey=tree_ax)
    scipy_dendrogram(tree, orientation="left", ax=tree_ax, no_labels=True, color_threshold=0,
                     above_threshold_color="#555555")
    tree_ax.set_xlabel("earth mover's distance between palettes (OKLab x 100)", fontsize=9)
    for side in ("top", "right", "left"):
        tree_ax.spines[side].set_visible(False)
    picture_ax.imshow(picture, extent=(0, picture.shape[1], 0, 10 * n), aspect="auto", interpolation="lanczos")
    for position, leaf in enumerate(leaves):  # scipy puts the leaf at position p at y = 10 p + 5
        picture_ax.text(picture.shape[1] + 8, 10 * position + 5, _name(rows["path"][leaf]), va="center", fontsize=TICK_SIZE)
    picture_ax.set_ylim(0, 10 * n)
    picture_ax.set_axis_off()
    tree_ax.set_title("Photos grouped by how alike their palettes are (average linkage)", fontsize=10, loc="left")
    return fig


def search_results(table, found, thumbs, color, *, top: int = 6):
    """The picked color beside the photos that hold it most (their thumbnail, palette and share)."""
    rows = collection.worked(table)
    shown = found.head(top)
    fig, axes = plt.subplots(1, 1 + max(1, len(shown)), figsize=(2.3 * (1 + max(1, len(shown))), 2.6),
                             squeeze=False)
    target = collection.hex_to_rgb([color])[0] if isinstance(color, str) else np.asarray(color, np.uint8)
    axes[0, 0].imshow(np.broadcast_to(target, (8, 8, 3)))
    axes[0, 0].set_title(f"looking for\n#{''.join(f'{v:02x}' for v in target)}", fontsize=9)
    axes[0, 0].set_axis_off()
    for ax, (index, match) in zip(axes[0, 1:], shown.iterrows()):
        thumb = thumbs[index]
        bar = collection.strip(rows["colors"][index], rows["shares"][index], width=thumb.shape[1],
                               height=max(6, thumb.shape[0] // 5))
        ax.imshow(np.concatenate([thumb, np.full((3, thumb.shape[1], 3), 255, np.uint8), bar]))
        ax.set_title(f"{_name(match['path'])}\n{match['share']:.0%} near it", fontsize=9)
        ax.set_axis_off()
    if shown.empty:
        axes[0, 1].text(0.5, 0.5, "no photo holds\na color near it", ha="center", va="center")
        axes[0, 1].set_axis_off()
    fig.tight_layout()
    return fig
