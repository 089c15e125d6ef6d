"""Dithering: trade a little error at each pixel for a better look from a distance.

A quantized photo shows bands where a smooth gradient falls between two palette colors. Dithering
mixes nearby palette colors in a fine pattern so that, seen from afar, the average color is right.
Both functions return palette indices for every pixel; :func:`colorlab.quantize` calls them with
``dither="floyd-steinberg"`` or ``dither="bayer"``.

- :func:`floyd_steinberg_labels`: error diffusion (Floyd & Steinberg 1976) with a strength, in the
  palette's color space, serpentine, limited on edges and flat areas (as pngquant does). Each
  pixel's rounding error is pushed onto its next and lower neighbours (7/16, 3/16, 5/16, 1/16).
- :func:`bayer_labels`: ordered dithering with an 8 x 8 Bayer threshold matrix. Each pixel is
  nudged by a fixed offset from the matrix, scaled to the typical distance between palette colors,
  before taking the nearest color. Written here with numpy (a few lines; Pillow only offers it
  for 1-bit images).
"""

from __future__ import annotations

import numpy as np

from .._engine import codes as _codes
from .._engine import kernels as _kernels
from .._engine import threads as _threads
from ..histogram import ColorHistogram, color_coordinates, color_histogram
from ..io.arrays import as_pixels
from ..palette.core import Palette

__all__ = ["DITHERS", "bayer_matrix", "bayer_labels", "floyd_steinberg_labels", "edge_weights"]

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


#: How strongly edges damp the diffused error: a luma step of EDGE levels (0..255) halves it.
EDGE = 32.0
#: Diffused errors larger than CLAMP times the palette's typical color spacing are cut.
CLAMP = 2.0
#: The size of one color space's coordinates next to sRGB's 0..1 (for the "flat area" threshold).
_UNITS = {"rgb": 255.0, "lab": 100.0, "oklab": 1.0, "linear": 1.0}


def floyd_steinberg_labels(image, palette: Palette, *, strength: float = 1.0,
                           _classic: bool = False, _space: str | None = None, _edge: float = EDGE,
                           _clamp: float = CLAMP, _quiet: float = 2.0) -> np.ndarray:
    """Palette index of every pixel of an (H, W, 3) uint8 image after Floyd-Steinberg error diffusion.

    The error is measured and diffused in ``palette.space`` (where the palette's nearest colors are
    measured too, so ``strength=0`` gives exactly the undithered labels), rows alternate direction
    (serpentine), and the diffusion is limited where it only adds noise, as pngquant does: the
    incoming error is scaled down on edges (by ``1 / (1 + (g / EDGE)**2)``, g the largest luma step to
    a 4-neighbour), dropped when it is below about one level of 8-bit sRGB (flat areas stay clean),
    and cut when it is larger than ``CLAMP`` times the typical distance between palette colors (no
    specks of a color the palette lacks). A small C kernel (``diffuse`` in ``colorlab/_engine/engine.c``)
    with an exact nearest-color search over a grid of the palette's space; the image is converted to
    that space once per distinct color.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3), or ColorHistogram
        The image, or its :func:`colorlab.color_histogram` (the same labels, without counting its
        colors again); the histogram of an (N, 3) pixel array is dithered as one row.
    palette : Palette
    strength : float, default 1.0
        Share of the error passed on, 0 (no dithering) to 1 (all of it).

    Returns
    -------
    ndarray of uint8 (uint16 for palettes of more than 256 colors), shape (H, W)

    Examples
    --------
    >>> gray = np.full((2, 4, 3), 128, np.uint8)
    >>> black_white = Palette([[0, 0, 0], [255, 255, 255]], counts=[1, 1])
    >>> floyd_steinberg_labels(gray, black_white).tolist()
    [[1, 0, 1, 0], [0, 1, 0, 1]]
    """
    histogram = image if isinstance(image, ColorHistogram) else color_histogram(image)
    shape = histogram.shape[:2] if len(histogram.shape) == 3 else (1, histogram.shape[0])
    grid = {"distinct": histogram.distinct_codes, "codes": histogram.codes, "shape": shape}
    if _classic:
        # Pillow's Image.quantize(dither=FLOYDSTEINBERG), which this function called before the limits,
        # the serpentine order and the palette's own space: integer RGB, raster order, strength 1
        return _kernels.diffuse(histogram.colors.astype(np.float64), palette.colors.astype(np.float64),
                                flags=_kernels.PILLOW, **grid)
    space = _space or palette.space
    values = histogram.coordinates(space)  # kept by the histogram: a fit before this one converted them already
    colors = color_coordinates(palette.colors, space)
    if len(colors) < 2 or strength == 0:
        limits = {"flags": _kernels.SERPENTINE}
    else:
        limits = {"edge": _edge, "max2": (_clamp * _spacing(colors)) ** 2,
                  "flags": _kernels.SERPENTINE | _kernels.LIMITS}
    unit = _UNITS[space] / 256
    return _kernels.diffuse(values, colors, strength, quiet2=_quiet * unit * unit, bands=bands(*shape), **grid,
                            **limits)


#: Pixels per band of rows dithered on its own thread (at most MAX_BANDS bands) ...
BAND_PIXELS = 150_000
MAX_BANDS = 4
#: ... each band after the first starting WARM_ROWS rows above its own, whose labels are the band above's:
#: by its own first row the diffused error is what a diffusion from the top would bring, near enough that no
#: seam shows (benchmarks/results/256.md).
WARM_ROWS = 16


def bands(height: int, width: int) -> list[tuple[int, int, int]]:
    """The bands of rows an image is dithered in: (first, kept, end) of each, see ``_engine.kernels.diffuse``.

    Their number depends on the image's size alone, never on the number of threads, so the labels do not
    either: one band up to 2 x BAND_PIXELS pixels, then one per BAND_PIXELS, at most MAX_BANDS.

    Examples
    --------
    >>> bands(10, 10)
    [(0, 0, 10)]
    >>> bands(600, 600)
    [(0, 0, 300), (284, 300, 600)]
    """
    count = max(1, min(MAX_BANDS, height * width // BAND_PIXELS, height // (2 * WARM_ROWS) if WARM_ROWS else height))
    edges = [round(i * height / count) for i in range(count + 1)]
    return [(max(0, edges[i] - WARM_ROWS) if i else 0, edges[i], edges[i + 1]) for i in range(count)]


def edge_weights(image: np.ndarray, edge: float = EDGE) -> np.ndarray:
    """Per-pixel factor (0..1] on the diffused error: 1 in smooth areas, small across strong edges.

    ``1 / (1 + (g / edge)**2)`` with g the largest absolute step of Rec.601 luma (0..255) from the
    pixel to one of its four neighbours: across an edge, dithering adds noise the eye sees, not a shade.
    Computed in C (``edge_row`` in ``colorlab/_engine/engine.c``, which :func:`floyd_steinberg_labels`
    runs row by row inside its diffusion loop).

    Examples
    --------
    >>> image = np.zeros((1, 4, 3), np.uint8); image[0, 2:] = 255
    >>> edge_weights(image, 32.0).round(3).tolist()
    [[1.0, 0.016, 0.016, 1.0]]
    """
    height, width = image.shape[:2]
    codes = _codes.pack_rgb(as_pixels(image))
    out = np.empty((height, width))
    parts = _threads.pixel_ranges(height) if height * width >= _threads.SPLIT_POINTS else [slice(0, height)]
    _threads.map_threads(lambda rows: _kernels.edge_weights(codes, height, width, edge, (rows.start, rows.stop), out),
                         parts)
    return out


def _spacing(colors: np.ndarray) -> float:
    """Median distance from each palette color to its nearest other one (the palette's typical step).

    In the engine: numpy's k x k x 3 differences took 1.7 ms at k = 256, a tenth of the dithering of a
    0.4-megapixel photo with few colors."""
    return float(np.sqrt(np.median(_kernels.nearest_others(colors))))
