"""What the figure modules of colorlab.plot share: new axes, an image shown as it is, the RGB cube's style."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError
from ..io.arrays import as_image

#: Figure width in inches for figures this module creates (readable on a projector).
FIGURE_WIDTH = 6.4


def new_axes(nrows: int = 1, *, figsize=None, projection=None):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize, layout="constrained")
    if projection is not None:
        return [fig.add_subplot(nrows, 1, row + 1, projection=projection) for row in range(nrows)]
    return [fig.add_subplot(nrows, 1, row + 1) for row in range(nrows)]


def show_image(ax, image: np.ndarray, title: str) -> None:
    # "nearest" keeps a quantized image's colors exact when the figure is smaller than the image
    ax.imshow(image, origin="upper", interpolation="nearest")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])


def check_max_points(max_points) -> int:
    if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) or max_points < 1:
        raise InvalidParameterError(f"max_points must be a whole number of at least 1, got {max_points!r}")
    return int(max_points)


#: Smallest tick label size in points, readable from the back of a room.
TICK_SIZE = 9


def check_position(history, position) -> int:
    """A half-step of a Lloyd history (:class:`colorlab.lessons.lloyd.PointsHistory`), negative from the end, as
    an index, or InvalidParameterError."""
    n = len(history.half_steps)
    if isinstance(position, bool) or not isinstance(position, (int, np.integer)) or not -n <= position < n:
        raise InvalidParameterError(f"position must be a half-step from 0 to {n - 1}, got {position!r}")
    return int(position) % n


def style_rgb_axes(ax) -> None:
    for axis_name, label in zip("xyz", ("red", "green", "blue")):
        getattr(ax, f"set_{axis_name}lim")(0, 255)
        # the green axis starts at the corner where the red one ends: its "0" would run into red's "255"
        getattr(ax, f"set_{axis_name}ticks")([0, 128, 255], ["", "128", "255"] if axis_name == "y" else None)
        # a wider pad keeps each name clear of its tick labels (the vertical axis' ticks sit close)
        getattr(ax, f"set_{axis_name}label")(label, labelpad=12 if axis_name == "z" else 6)
    ax.set_box_aspect((1, 1, 1), zoom=0.9)


def images_and_titles(images, titles) -> tuple[list, list]:
    """Check a non-empty list of (H, W, 3) uint8 images and one title each ("" when titles is None)."""
    images = [as_image(image, f"images[{i}]") for i, image in enumerate(images)]
    if not images:
        raise InvalidParameterError("images must hold at least one image")
    titles = [""] * len(images) if titles is None else list(titles)
    if len(titles) != len(images):
        raise InvalidParameterError(f"titles must have one entry per image ({len(images)}), got {len(titles)}")
    return images, titles
