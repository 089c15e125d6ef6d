"""Dithering: trade a little error at each pixel for a better look from a distance.

A quantized photo shows bands where a smooth gradient falls between two palette colors. Dithering
mixes nearby palette colors in a fine pattern so that, seen from afar, the average color is right.
Both functions return palette indices for every pixel; :func:`colorlab.quantize` calls them with
``dither="floyd-steinberg"`` or ``dither="bayer"``.

- :func:`floyd_steinberg_labels`: error diffusion (Floyd & Steinberg 1976) through Pillow. Each
  pixel's rounding error is pushed onto its right and lower neighbours (7/16, 3/16, 5/16, 1/16).
- :func:`bayer_labels`: ordered dithering with an 8 x 8 Bayer threshold matrix. Each pixel is
  nudged by a fixed offset from the matrix, scaled to the typical distance between palette colors,
  before taking the nearest color. Written here with numpy (a few lines; Pillow only offers it
  for 1-bit images).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from ..palette.core import Palette

__all__ = ["DITHERS", "bayer_matrix", "bayer_labels", "floyd_steinberg_labels"]

#: The values ``quantize(..., dither=...)`` accepts.
DITHERS = ("none", "floyd-steinberg", "bayer")


def bayer_matrix(size: int = 8) -> np.ndarray:
    """The Bayer threshold matrix of side ``size`` (a power of 2), as offsets in [-0.5, 0.5).

    Examples
    --------
    >>> (bayer_matrix(2) * 4 + 1.5).tolist()
    [[0.0, 2.0], [3.0, 1.0]]
    """
    index = np.zeros((1, 1), dtype=np.int64)
    while len(index) < size:
        index = np.block([[4 * index, 4 * index + 2], [4 * index + 3, 4 * index + 1]])
    return (index + 0.5) / index.size - 0.5


def palette_spacing(palette: Palette) -> float:
    """How far apart palette colors typically are, per channel (0 for a one-color palette).

    For each color, the largest channel difference (0..255) to its nearest other color in that
    measure; the median of those. On a regular grid of colors it is the grid step, for black and
    white it is 255: the offset range that makes ordered dithering reproduce the mean color.

    Examples
    --------
    >>> palette_spacing(Palette([[0, 0, 0], [0, 0, 40], [0, 0, 100]], counts=[1, 1, 1]))
    40.0
    """
    colors = palette.colors.astype(np.float64)
    if len(colors) < 2:
        return 0.0
    distance = np.abs(colors[:, None, :] - colors[None, :, :]).max(axis=2)
    np.fill_diagonal(distance, np.inf)
    return float(np.median(distance.min(axis=1)))


def bayer_labels(image: np.ndarray, palette: Palette, nearest) -> np.ndarray:
    """Palette index of every pixel of an (H, W, 3) uint8 image after ordered (Bayer 8 x 8) dithering.

    The same offset (matrix value times :func:`palette_spacing`) is added to the three channels,
    so colors move along the gray axis; ``nearest(pixels)`` maps (N, 3) uint8 to palette indices.
    """
    height, width = image.shape[:2]
    matrix = bayer_matrix(8)
    offsets = np.tile(matrix, (-(-height // 8), -(-width // 8)))[:height, :width]
    shifted = image + palette_spacing(palette) * offsets[:, :, None]
    shifted = np.clip(np.rint(shifted), 0, 255).astype(np.uint8)
    return nearest(shifted.reshape(-1, 3)).reshape(height, width)


def floyd_steinberg_labels(image: np.ndarray, palette: Palette) -> np.ndarray:
    """Palette index of every pixel of an (H, W, 3) uint8 image after Floyd-Steinberg dithering (Pillow).

    Pillow measures distances in RGB, whatever ``palette.space``. Its palette image always has 256
    entries; the unused ones are filled with copies of the first color (not black, which Pillow
    would otherwise be free to pick), and mapped back to it.
    """
    k = len(palette)
    table = np.repeat(palette.colors[:1], 256, axis=0)
    table[:k] = palette.colors
    palette_image = Image.new("P", (1, 1))
    palette_image.putpalette(table.ravel().tolist())
    indexed = Image.fromarray(image).quantize(palette=palette_image, dither=Image.Dither.FLOYDSTEINBERG)
    labels = np.asarray(indexed).astype(np.intp)
    return np.where(labels < k, labels, 0)
