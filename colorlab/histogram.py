"""An image's color histogram: its distinct colors and how many pixels have each.

Everything colorlab computes about a palette depends on the pixels only through this histogram: the
k-means objective, the nearest palette color of each pixel, MSE, PSNR and mean CIEDE2000 are all sums
over distinct colors weighted by their counts. A photo repeats its colors a lot (a 2-megapixel photo
has a few hundred thousand distinct ones), so :func:`color_histogram` counts them once and
:func:`colorlab.fit_palette`, :func:`colorlab.quantize`, :func:`colorlab.reduce_colors` and
:mod:`colorlab.metrics` accept the :class:`ColorHistogram` in place of the image. A caller that tries
many k, methods or seeds (the explorer, a sweep over k) then pays for the distinct colors once.

numpy only; no screen.
"""

from __future__ import annotations

import numpy as np

from . import _kmeans
from .images import as_pixels

__all__ = ["ColorHistogram", "color_histogram", "as_histogram"]


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


class ColorHistogram:
    """The distinct colors of an image and their pixel counts (immutable); see :func:`color_histogram`.

    Attributes
    ----------
    colors : ndarray of uint8, shape (n, 3)
        The distinct colors, sorted by their 24-bit code ``r << 16 | g << 8 | b``.
    counts : ndarray of int64, shape (n,)
        How many pixels have each color; they sum to :attr:`n_pixels`.
    shape : tuple
        The shape of the image it came from: (H, W, 3), or (N, 3) for a pixel array.
    codes : ndarray of uint32, shape (n_pixels,)
        Every pixel's 24-bit code, in image order (what redraws the image from per-color values).

    Examples
    --------
    >>> import numpy as np
    >>> image = np.array([[[0, 0, 0], [255, 0, 0]], [[0, 0, 0], [0, 0, 0]]], np.uint8)
    >>> histogram = color_histogram(image)
    >>> histogram.colors.tolist(), histogram.counts.tolist(), histogram.n_pixels
    ([[0, 0, 0], [255, 0, 0]], [3, 1], 4)
    >>> np.array_equal(histogram.image(), image)
    True
    """

    __slots__ = ("colors", "counts", "shape", "codes", "_distinct", "_inverse")

    def __init__(self, codes: np.ndarray, distinct: np.ndarray, counts: np.ndarray, shape: tuple):
        # private: build one with color_histogram(image)
        object.__setattr__(self, "codes", _frozen(codes))
        object.__setattr__(self, "_distinct", _frozen(distinct))
        object.__setattr__(self, "colors", _frozen(_kmeans.unpack_rgb(distinct)))
        object.__setattr__(self, "counts", _frozen(np.asarray(counts, dtype=np.int64)))
        object.__setattr__(self, "shape", tuple(int(n) for n in shape))
        object.__setattr__(self, "_inverse", None)

    def __setattr__(self, name, value):
        raise AttributeError("a ColorHistogram cannot be changed; make a new one with colorlab.color_histogram")

    def __repr__(self) -> str:
        return f"ColorHistogram({len(self.colors):,} colors, {self.n_pixels:,} pixels, shape={self.shape})"

    def __len__(self) -> int:
        return len(self.colors)

    @property
    def n_pixels(self) -> int:
        """Number of pixels of the image."""
        return int(self.codes.size)

    @property
    def inverse(self) -> np.ndarray:
        """Index into :attr:`colors` of every pixel, in image order ((n_pixels,) int32; computed on first use)."""
        if self._inverse is None:
            index = np.arange(len(self._distinct), dtype=np.int32)
            object.__setattr__(self, "_inverse", _frozen(_kmeans.spread_values(self.codes, self._distinct, index)))
        return self._inverse

    def index_of(self, positions) -> np.ndarray:
        """Index into :attr:`colors` of the pixels at these flat positions (image order), as int32.

        Examples
        --------
        >>> histogram = color_histogram(np.array([[[9, 9, 9], [0, 0, 0], [9, 9, 9]]], np.uint8))
        >>> histogram.index_of([0, 1]).tolist()
        [1, 0]
        """
        return np.searchsorted(self._distinct, self.codes[np.asarray(positions)]).astype(np.int32)

    def spread(self, values: np.ndarray) -> np.ndarray:
        """Give every pixel the value of its color: ``values`` (n, ...) per distinct color -> per pixel.

        The result has the image's shape without its last axis (plus ``values``' own trailing axes).

        Examples
        --------
        >>> histogram = color_histogram(np.array([[[9, 9, 9], [0, 0, 0]]], np.uint8))
        >>> histogram.spread(np.array([10, 20])).tolist()
        [[20, 10]]
        """
        values = np.asarray(values)
        if len(values) != len(self.colors):
            raise ValueError(f"spread needs one value per distinct color ({len(self.colors)}), got {len(values)}")
        if values.ndim == 1:
            per_pixel = _kmeans.spread_values(self.codes, self._distinct, values)
        else:
            per_pixel = np.take(values, self.inverse, axis=0)
        return per_pixel.reshape(self.shape[:-1] + values.shape[1:])

    def pixels(self) -> np.ndarray:
        """The image's pixels again, (n_pixels, 3) uint8 in image order."""
        return _kmeans.unpack_rgb(self.codes)

    def image(self) -> np.ndarray:
        """The image again, with its original shape (uint8)."""
        return self.pixels().reshape(self.shape)


def color_histogram(image) -> ColorHistogram:
    """Count the distinct colors of an image once, for many fits, redraws and measurements.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3), or ColorHistogram
        An RGB image or its pixels (a ColorHistogram is returned as it is).

    Returns
    -------
    ColorHistogram

    Raises
    ------
    InvalidImageError
        If ``image`` is not an (H, W, 3) or (N, 3) uint8 array.

    Examples
    --------
    >>> import colorlab
    >>> image = colorlab.load_image("coffee")
    >>> histogram = colorlab.color_histogram(image)
    >>> palette = colorlab.fit_palette(histogram, 8)
    >>> palette == colorlab.fit_palette(image, 8)
    True
    >>> np.array_equal(colorlab.quantize(histogram, palette), colorlab.quantize(image, palette))
    True
    """
    if isinstance(image, ColorHistogram):
        return image
    pixels = as_pixels(image)
    codes = _kmeans.pack_rgb(pixels)
    distinct, counts = _kmeans.code_counts(codes)
    return ColorHistogram(codes, distinct, counts, np.shape(image))


def as_histogram(source) -> tuple[ColorHistogram, bool]:
    """``(color_histogram(source), True if source was already a ColorHistogram)``, for functions taking either."""
    if isinstance(source, ColorHistogram):
        return source, True
    return color_histogram(source), False
