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

from ._engine import codes as _codes
from ._engine import threads as _threads
from .color.spaces import SPACES, srgb_to_linear, to_space
from .errors import InvalidParameterError
from .io.arrays import as_pixels

__all__ = ["ColorHistogram", "color_histogram", "as_histogram", "check_mask", "color_coordinates"]


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
    codes : ndarray of uint32, shape (H * W,) or (N,)
        Every pixel's 24-bit code, in image order (what redraws the image from per-color values).
    mask : ndarray of bool, shape (H * W,) or (N,), or None
        With ``color_histogram(image, mask=...)``: which pixels are counted (None: all of them).
        :attr:`colors` then still lists every distinct color of the image (so :meth:`spread`,
        :meth:`image` and :func:`colorlab.quantize` redraw every pixel), but :attr:`counts` and
        :attr:`n_pixels` count only the masked pixels: a color found only outside the mask has
        count 0, and fits and metrics (which weigh colors by their counts) see only the mask.
        Code that hands ``colors`` and ``counts`` to a k-means engine must use :meth:`counted`
        (positive counts only), as :func:`colorlab.cluster.fit_histogram` does.

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

    __slots__ = ("colors", "counts", "shape", "codes", "mask", "_distinct", "_inverse", "_coordinates")

    def __init__(self, codes: np.ndarray, distinct: np.ndarray, counts: np.ndarray, shape: tuple, mask=None):
        # private: build one with color_histogram(image)
        object.__setattr__(self, "codes", _frozen(codes))
        object.__setattr__(self, "_distinct", _frozen(distinct))
        object.__setattr__(self, "colors", _frozen(_codes.unpack_rgb(distinct)))
        object.__setattr__(self, "counts", _frozen(np.asarray(counts, dtype=np.int64)))
        object.__setattr__(self, "shape", tuple(int(n) for n in shape))
        object.__setattr__(self, "_inverse", None)
        object.__setattr__(self, "_coordinates", {})
        object.__setattr__(self, "mask", None if mask is None else _frozen(mask))

    def __setattr__(self, name, value):
        raise AttributeError("a ColorHistogram cannot be changed; make a new one with colorlab.color_histogram")

    def __repr__(self) -> str:
        masked = "" if self.mask is None else f" of {self.codes.size:,}"
        return f"ColorHistogram({len(self.colors):,} colors, {self.n_pixels:,}{masked} pixels counted, shape={self.shape})"

    def __len__(self) -> int:
        return len(self.colors)

    @property
    def n_pixels(self) -> int:
        """Number of pixels counted: all pixels of the image, or those in the mask (the sum of :attr:`counts`)."""
        return int(self.codes.size) if self.mask is None else int(self.counts.sum())

    def counted(self) -> "ColorHistogram":
        """The histogram of the counted pixels alone (itself when there is no mask), as an (N, 3) pixel list.

        Examples
        --------
        >>> image = np.array([[[9, 9, 9], [0, 0, 0], [5, 5, 5]]], np.uint8)
        >>> histogram = color_histogram(image, mask=[[True, False, True]])
        >>> histogram.colors.tolist(), histogram.counts.tolist()
        ([[0, 0, 0], [5, 5, 5], [9, 9, 9]], [0, 1, 1])
        >>> histogram.counted().colors.tolist(), histogram.counted().shape
        ([[5, 5, 5], [9, 9, 9]], (2, 3))
        """
        if self.mask is None:
            return self
        codes = self.codes[self.mask]
        distinct, counts = _codes.code_counts(codes)
        return ColorHistogram(codes, distinct, counts, (len(codes), 3))

    @property
    def distinct_codes(self) -> np.ndarray:
        """The 24-bit codes of :attr:`colors` ((n,) uint32, sorted): what a pixel's code in :attr:`codes` is
        looked up among.

        Examples
        --------
        >>> color_histogram(np.array([[[255, 0, 0], [0, 0, 1]]], np.uint8)).distinct_codes.tolist()
        [1, 16711680]
        """
        return self._distinct

    @property
    def inverse(self) -> np.ndarray:
        """Index into :attr:`colors` of every pixel, in image order ((n_pixels,) int32; computed on first use)."""
        if self._inverse is None:
            index = np.arange(len(self._distinct), dtype=np.int32)
            object.__setattr__(self, "_inverse", _frozen(_codes.spread_values(self.codes, self._distinct, index)))
        return self._inverse

    def coordinates(self, space: str) -> np.ndarray:
        """The coordinates of :attr:`colors` in a color space ((n, 3) float64, read-only), computed on first use
        and kept: a fit and the dithering of the same histogram, or fits at many k, convert the colors once.

        ``space``: as in :func:`color_coordinates`, which converts them.

        Examples
        --------
        >>> histogram = color_histogram(np.array([[[255, 0, 0], [255, 255, 255]]], np.uint8))
        >>> histogram.coordinates("rgb").tolist()
        [[255.0, 0.0, 0.0], [255.0, 255.0, 255.0]]
        >>> histogram.coordinates("oklab") is histogram.coordinates("oklab")
        True
        """
        if space not in self._coordinates:
            self._coordinates[space] = _frozen(color_coordinates(self.colors, space))
        return self._coordinates[space]

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
        per_pixel = _codes.spread_values(self.codes, self._distinct, values)
        return per_pixel.reshape(self.shape[:-1] + values.shape[1:])

    def pixels(self) -> np.ndarray:
        """The image's pixels again, (n_pixels, 3) uint8 in image order."""
        return _codes.unpack_rgb(self.codes)

    def image(self) -> np.ndarray:
        """The image again, with its original shape (uint8)."""
        return self.pixels().reshape(self.shape)


#: What :func:`color_coordinates` converts to: the fitting spaces, and linear-light RGB (dithering's other space).
COORDINATE_SPACES = SPACES + ("linear",)


def color_coordinates(rgb8: np.ndarray, space: str) -> np.ndarray:
    """(n, 3) uint8 RGB colors as float64 coordinates in ``space``: one of :data:`COORDINATE_SPACES`, as
    :func:`colorlab.color.spaces.to_space` gives them, or ``"linear"`` (linear-light RGB, 0..1).

    Many colors are converted into one array in parts on the engine's threads (numpy releases the GIL in its
    loops; each color's result is the same whatever the split), each part a chunk at a time by ``to_space``:
    no temporaries the size of the result.

    Examples
    --------
    >>> color_coordinates(np.array([[255, 255, 255], [0, 0, 0]], np.uint8), "linear").tolist()
    [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
    """
    if space not in COORDINATE_SPACES:
        raise InvalidParameterError(f"space must be one of {', '.join(map(repr, COORDINATE_SPACES))}, got {space!r}")
    rgb8 = np.asarray(rgb8)
    out = np.empty((len(rgb8), 3))

    def convert(rows: slice) -> None:
        if space == "linear":
            out[rows] = srgb_to_linear(rgb8[rows] / 255.0)
        else:
            to_space(rgb8[rows], space, out=out[rows])

    parts = _threads.pixel_ranges(len(rgb8)) if len(rgb8) >= 2 * _threads.SPLIT_POINTS else [slice(0, len(rgb8))]
    _threads.map_threads(convert, parts)
    return out


def color_histogram(image, mask=None) -> ColorHistogram:
    """Count the distinct colors of an image once, for many fits, redraws and measurements.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3), or ColorHistogram
        An RGB image or its pixels (a ColorHistogram without ``mask`` is returned as it is).
    mask : array_like of bool, shape (H, W) or (N,), optional
        Which pixels to count (True = counted), e.g. the opaque pixels of a logo or everything but a
        white backdrop. Fits and metrics then see only these pixels; the histogram still redraws
        every pixel (see :class:`ColorHistogram`). :func:`colorlab.fit_palette` takes ``mask=`` too.

    Returns
    -------
    ColorHistogram

    Raises
    ------
    InvalidImageError
        If ``image`` is not an (H, W, 3) or (N, 3) uint8 array.
    InvalidParameterError
        If ``mask`` is not a boolean array of the image's height and width, or counts no pixel.

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
        if mask is None:
            return image
        codes, distinct, shape = image.codes, image._distinct, image.shape
    else:
        pixels = as_pixels(image)
        codes, shape = _codes.pack_rgb(pixels), np.shape(image)
        distinct, counts = _codes.code_counts(codes)
        if mask is None:
            return ColorHistogram(codes, distinct, counts, shape)
    mask = check_mask(mask, shape)
    counts = np.zeros(len(distinct), np.int64)
    masked_distinct, masked_counts = _codes.code_counts(codes[mask])
    counts[np.searchsorted(distinct, masked_distinct)] = masked_counts
    return ColorHistogram(codes, distinct, counts, shape, mask)


def check_mask(mask, shape: tuple) -> np.ndarray:
    """``mask`` as a flat bool array for an image of ``shape``, if it is a boolean (H, W) (or (N,)) array
    that counts at least one pixel.

    Examples
    --------
    >>> check_mask(np.ones((2, 2), bool), (2, 3, 3))
    Traceback (most recent call last):
    ...
    colorlab.errors.InvalidParameterError: the mask is 2 x 2 but the image is 2 x 3 (height x width); give a mask of the image's size
    """
    wanted = tuple(shape[:-1])
    try:
        array = np.asarray(mask)
    except (ValueError, TypeError):
        array = np.asarray(None)
    if array.dtype != np.bool_:
        raise InvalidParameterError(
            f"the mask must be an array of True (counted) and False (ignored), got {'dtype ' + str(array.dtype) if array.dtype != object else type(mask).__name__}; "
            "compare to make one, e.g. alpha >= 128"
        )
    if array.shape != wanted:
        size = " x ".join(map(str, array.shape)) or "a single value"
        if len(wanted) == 2:
            raise InvalidParameterError(
                f"the mask is {size} but the image is {wanted[0]} x {wanted[1]} (height x width); give a mask of the image's size"
            )
        raise InvalidParameterError(f"the mask has shape {array.shape} but the pixels need shape {wanted}; give one value per pixel")
    flat = array.reshape(-1)
    if not flat.any():
        raise InvalidParameterError("the mask counts no pixel (it is False everywhere); count at least one pixel")
    return flat


def as_histogram(source) -> tuple[ColorHistogram, bool]:
    """``(color_histogram(source), True if source was already a ColorHistogram)``, for functions taking either."""
    if isinstance(source, ColorHistogram):
        return source, True
    return color_histogram(source), False
