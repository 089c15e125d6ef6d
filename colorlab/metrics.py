"""Figures of merit for a quantized image: MSE, PSNR, CIEDE2000, distinct colors and file size.

- :func:`mse`, :func:`psnr`: the error in RGB, in the convention of the color
  quantization literature (Celebi 2009), so numbers compare with published ones.
- :func:`delta_e`: the mean perceived difference (CIEDE2000), built on
  :func:`ciede2000`.
- :func:`count_colors`: the number of distinct colors.
- :func:`png_size`, :func:`error_map`: the file a palette makes, and where the error is.

Fitting and measuring many k is :func:`colorlab.sweep` (:mod:`colorlab.selection`).

Images are ``(H, W, 3)`` uint8 arrays, or ``(N, 3)`` uint8 pixel arrays. In place of the original
image, :func:`mse`, :func:`psnr`, :func:`delta_e` and :func:`count_colors` also take its
:func:`colorlab.color_histogram`; with a :class:`colorlab.Palette` in place of the quantized image
they measure ``quantize(original, palette)`` exactly, from the weighted distinct colors, without
drawing a single pixel (:func:`histogram_mse`).

Examples
--------
>>> import numpy as np
>>> from colorlab import metrics
>>> original = np.array([[[10, 20, 30], [0, 0, 0]]], np.uint8)
>>> quantized = np.array([[[12, 20, 30], [0, 0, 0]]], np.uint8)
>>> metrics.mse(original, quantized)
2.0
>>> round(metrics.psnr(original, quantized), 2)
49.89
"""

from __future__ import annotations

import math

import numpy as np

from .cluster.fit import nearest_labels
from .color.spaces import to_space
from .errors import InvalidImageError, InvalidParameterError
from .histogram import ColorHistogram, color_histogram
from .io.arrays import as_image, as_pixels
from . import _moved
from .palette.core import Palette

__all__ = [
    "mse",
    "psnr",
    "psnr_from_mse",
    "ciede2000",
    "delta_e",
    "count_colors",
    "png_size",
    "pixel_mean",
]

#: Rows of an image :func:`mse` takes at a time (int32 differences: 3 MB).
_MSE_ROWS = 1 << 18

_PEAK_SQUARED = 3 * 255.0**2  # squared RGB distance from black to white


def _pixel_pair(original, quantized) -> tuple[np.ndarray, np.ndarray]:
    """Validate two images (or pixel arrays) of the same shape; return them as (N, 3) uint8."""
    first = as_pixels(original, "original")
    second = as_pixels(quantized, "quantized")
    first_shape, second_shape = np.shape(original), np.shape(quantized)
    if first_shape != second_shape:
        raise InvalidImageError(
            f"original and quantized must have the same shape, got {first_shape} and {second_shape}"
        )
    if first.shape[0] == 0:
        raise InvalidImageError("original and quantized have no pixels; pass images with at least one pixel")
    return first, second


def _pack24(pixels: np.ndarray) -> np.ndarray:
    """(N, 3) uint8 colors as (N,) uint32 codes 0xRRGGBB."""
    # in place on one uint32 array: several times faster than int64 temporaries on 12 megapixels
    codes = pixels[:, 0].astype(np.uint32)
    codes <<= 8
    codes |= pixels[:, 1]
    codes <<= 8
    codes |= pixels[:, 2]
    return codes


def _unpack24(codes: np.ndarray) -> np.ndarray:
    """(M,) integer codes 0xRRGGBB as (M, 3) uint8 colors."""
    return np.stack([(codes >> 16) & 0xFF, (codes >> 8) & 0xFF, codes & 0xFF], axis=-1).astype(np.uint8)


# ---------------------------------------------------------------- MSE and PSNR


def mse(original, quantized) -> float:
    """Mean squared error: the mean over pixels of the squared RGB distance, on 0..255.

    The squared distance of a pixel is summed over its three channels and *not*
    divided by 3: the convention of Celebi (2009) and the color quantization
    literature, so values compare with published tables.

    Parameters
    ----------
    original : ndarray of uint8, shape (H, W, 3) or (N, 3), or ColorHistogram
        The original image (or pixels), or its :func:`colorlab.color_histogram`.
    quantized : ndarray of uint8 of the same shape, or Palette
        The redrawn image; or a palette, meaning ``quantize(original, palette)`` (computed exactly
        from the distinct colors by :func:`histogram_mse`).

    Returns
    -------
    float
        0 for identical images; at most 3 * 255**2 = 195075.

    Raises
    ------
    InvalidImageError
        If either is not a uint8 image or pixel array, or their shapes differ.

    Examples
    --------
    >>> a = np.zeros((1, 2, 3), np.uint8)
    >>> b = np.array([[[3, 4, 0], [0, 0, 0]]], np.uint8)
    >>> mse(a, b)
    12.5
    """
    if isinstance(quantized, Palette):
        return histogram_mse(color_histogram(original), quantized)
    if isinstance(original, ColorHistogram):
        original = original.image()
    first, second = _pixel_pair(original, quantized)
    # Whole numbers, exact: int32 differences squared, added as int64, a block of rows at a time. Not a
    # float64 np.dot, which calls BLAS: its threads then spin for 0.1 s on the other cores, where the next
    # fit's threads need them (docs/engine.md).
    total = 0
    for start in range(0, first.shape[0], _MSE_ROWS):
        difference = first[start:start + _MSE_ROWS].astype(np.int32)
        difference -= second[start:start + _MSE_ROWS]
        difference *= difference
        total += int(difference.sum(dtype=np.int64))
    return total / first.shape[0]


def psnr(original, quantized) -> float:
    """Peak signal-to-noise ratio in dB: ``10 log10(3 * 255**2 / MSE)``.

    With :func:`mse` summing the three channels, this is the usual per-channel
    PSNR. Higher is better; identical images give ``inf``.

    Parameters
    ----------
    original, quantized
        As in :func:`mse` (a ColorHistogram and a Palette too).

    Returns
    -------
    float

    Examples
    --------
    >>> a = np.zeros((2, 3), np.uint8)
    >>> psnr(a, a)
    inf
    >>> round(psnr(a, np.full((2, 3), 255, np.uint8)), 6)
    0.0
    """
    return psnr_from_mse(mse(original, quantized))


def histogram_mse(histogram: ColorHistogram, palette: Palette, labels=None) -> float:
    """The exact :func:`mse` of ``quantize(image, palette)``, from the image's color histogram alone.

    Each distinct color contributes its squared distance to its palette color times its pixel count;
    integer arithmetic, so the result equals :func:`mse` of the drawn image to the last bit.

    Parameters
    ----------
    histogram : ColorHistogram
        From :func:`colorlab.color_histogram`.
    palette : Palette
    labels : ndarray of int, shape (n,), optional
        The palette index of each of ``histogram.colors`` if already known (as
        :func:`colorlab.cluster.fit_histogram` returns them); by default the nearest, as
        :func:`colorlab.quantize` chooses.

    Returns
    -------
    float

    Examples
    --------
    >>> import colorlab
    >>> image = colorlab.load_image("coffee")
    >>> palette = colorlab.fit_palette(image, 4)
    >>> histogram_mse(colorlab.color_histogram(image), palette) == mse(image, colorlab.quantize(image, palette))
    True
    """
    if not isinstance(histogram, ColorHistogram):
        raise InvalidParameterError(f"histogram must be a colorlab.ColorHistogram, got {type(histogram).__name__}")
    if not isinstance(palette, Palette):
        raise InvalidParameterError(f"palette must be a colorlab.Palette, got {type(palette).__name__}")
    if labels is None:
        labels = nearest_labels(histogram.colors, palette)
    difference = histogram.colors.astype(np.int64) - palette.colors.astype(np.int64)[labels]
    squared = np.einsum("ij,ij->i", difference, difference)
    return int((squared * histogram.counts).sum()) / histogram.n_pixels


def psnr_from_mse(mse_value: float) -> float:
    """PSNR in dB from an MSE already computed with :func:`mse` (``inf`` for 0).

    Examples
    --------
    >>> round(psnr_from_mse(195075 / 100), 6)  # MSE = 1% of the largest possible
    20.0
    """
    mse_value = float(mse_value)
    if not mse_value >= 0:
        raise InvalidParameterError(f"mse must be a number >= 0, got {mse_value!r}")
    return math.inf if mse_value == 0 else 10.0 * math.log10(_PEAK_SQUARED / mse_value)


# ---------------------------------------------------------------- CIEDE2000

_25_TO_THE_7 = 25.0**7


def _chroma_weight(chroma: np.ndarray) -> np.ndarray:
    """sqrt(C^7 / (C^7 + 25^7)), the term shared by G and R_C."""
    chroma7 = chroma**7
    return np.sqrt(chroma7 / (chroma7 + _25_TO_THE_7))


def _hue_degrees(b: np.ndarray, a_prime: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan2(b, a_prime)) % 360.0


def ciede2000(lab1, lab2, *, kL: float = 1.0, kC: float = 1.0, kH: float = 1.0) -> np.ndarray:
    """CIEDE2000 color difference between CIELAB colors, vectorised.

    Follows the equations of Sharma, Wu and Dalal (2005), "The CIEDE2000
    color-difference formula: implementation notes, supplementary test data, and
    mathematical observations", Color Res. Appl. 30(1), including their hue
    conventions (mean hue of a neutral color, the +-360 degree wrap).

    Parameters
    ----------
    lab1, lab2 : array_like of float, shape (..., 3)
        CIELAB colors (L, a, b); the two broadcast against each other.
    kL, kC, kH : float, default 1
        Parametric weights of lightness, chroma and hue (1 for reference conditions).

    Returns
    -------
    ndarray of float64, shape (...)
        Delta E00, >= 0 and symmetric in ``lab1`` and ``lab2``.

    Examples
    --------
    >>> round(float(ciede2000([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485])), 4)
    2.0425
    """
    lab1 = np.asarray(lab1, dtype=np.float64)
    lab2 = np.asarray(lab2, dtype=np.float64)
    for name, lab in (("lab1", lab1), ("lab2", lab2)):
        if lab.ndim == 0 or lab.shape[-1] != 3:
            raise InvalidImageError(f"{name} must have 3 values (L, a, b) in its last axis, got shape {lab.shape}")
    L1, a1, b1 = lab1[..., 0], lab1[..., 1], lab1[..., 2]
    L2, a2, b2 = lab2[..., 0], lab2[..., 1], lab2[..., 2]

    # a' rescales a so that near-neutral colors get more hue resolution (Sharma eqs. 2-5)
    mean_chroma = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - _chroma_weight(mean_chroma))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p, h2p = _hue_degrees(b1, a1p), _hue_degrees(b2, a2p)

    # differences (eqs. 8-11); a neutral color has no hue, so its hue difference is 0
    neutral = (c1p * c2p) == 0
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(neutral, 0.0, dh)
    dLp = L2 - L1
    dCp = c2p - c1p
    dHp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2)

    # means (eqs. 12-14); the mean hue takes the short way round the circle
    mean_L = (L1 + L2) / 2
    mean_Cp = (c1p + c2p) / 2
    hue_sum = h1p + h2p
    far_apart = np.abs(h1p - h2p) > 180
    mean_hp = np.where(far_apart, np.where(hue_sum < 360, hue_sum + 360, hue_sum - 360), hue_sum) / 2
    mean_hp = np.where(neutral, hue_sum, mean_hp)

    # weights and rotation (eqs. 15-22)
    t = (
        1
        - 0.17 * np.cos(np.radians(mean_hp - 30))
        + 0.24 * np.cos(np.radians(2 * mean_hp))
        + 0.32 * np.cos(np.radians(3 * mean_hp + 6))
        - 0.20 * np.cos(np.radians(4 * mean_hp - 63))
    )
    d_theta = 30 * np.exp(-(((mean_hp - 275) / 25) ** 2))
    rc = 2 * _chroma_weight(mean_Cp)
    lightness_offset = (mean_L - 50) ** 2
    sl = 1 + 0.015 * lightness_offset / np.sqrt(20 + lightness_offset)
    sc = 1 + 0.045 * mean_Cp
    sh = 1 + 0.015 * mean_Cp * t
    rt = -np.sin(np.radians(2 * d_theta)) * rc

    lightness = dLp / (kL * sl)
    chroma = dCp / (kC * sc)
    hue = dHp / (kH * sh)
    squared = lightness**2 + chroma**2 + hue**2 + rt * chroma * hue
    return np.sqrt(np.maximum(squared, 0.0))  # max: rounding can leave -1e-17 for equal colors


def delta_e(original, quantized) -> float:
    """Mean CIEDE2000 difference between the pixels of two images.

    Each pixel's color is converted to CIELAB (D65) with
    :func:`colorlab.color.spaces.to_space`, compared with :func:`ciede2000`, and
    the differences are averaged over all pixels. A difference below about 1 is
    hard to see; a photo redrawn with a few colors scores several units.

    Parameters
    ----------
    original, quantized
        Two images (or pixel arrays) of the same shape; or, as in :func:`mse`, a ColorHistogram in
        place of the original and a Palette in place of the quantized image.

    Returns
    -------
    float

    Examples
    --------
    >>> white = np.full((2, 2, 3), 255, np.uint8)
    >>> round(delta_e(white, np.zeros_like(white)), 6)
    100.0
    """
    if isinstance(quantized, Palette):
        histogram = color_histogram(original)
        labels = nearest_labels(histogram.colors, quantized)
        differences = ciede2000(to_space(histogram.colors, "lab"), to_space(quantized.colors, "lab")[labels])
        return pixel_mean(differences, histogram.counts, histogram.n_pixels)
    if isinstance(original, ColorHistogram):
        original = original.image()
    first, second = _pixel_pair(original, quantized)
    # A quantized photo has far fewer distinct (original, quantized) pairs than
    # pixels: compute CIEDE2000 once per pair, weighted by how often it occurs.
    pair_codes = _pack24(first).astype(np.int64)
    pair_codes <<= 24
    pair_codes |= _pack24(second)
    pair_codes, counts = np.unique(pair_codes, return_counts=True)
    lab1 = to_space(_unpack24(pair_codes >> 24), "lab")
    lab2 = to_space(_unpack24(pair_codes & 0xFFFFFF), "lab")
    return pixel_mean(ciede2000(lab1, lab2), counts, first.shape[0])


def pixel_mean(values, counts, n_pixels: int) -> float:
    """The mean over pixels of a value given per color: ``sum(values * counts) / n_pixels``.

    Added by numpy's pairwise sum, not ``values @ counts``: that calls BLAS, whose threads go on
    spinning for about 0.1 s on the other cores after it returns, slowing whatever runs next (a fit's
    own threads; docs/engine.md).

    Parameters
    ----------
    values : array_like of float, shape (n,)
        One value per color (a ΔE, a squared error).
    counts : array_like of int, shape (n,)
        How many pixels have each color.
    n_pixels : int
        The number of pixels (``counts.sum()``, or the histogram's ``n_pixels``).

    Returns
    -------
    float

    Examples
    --------
    >>> pixel_mean([1.0, 4.0], [3, 1], 4)
    1.75
    """
    return float((np.asarray(values, dtype=np.float64) * counts).sum() / n_pixels)


# ---------------------------------------------------------------- distinct colors

# Hand-written because it is measurably faster: from this many pixels on, marking
# a presence table of all 2**24 colors (16 MB) beats sorting with np.unique
# (measured: 3x at 90 kilopixels, 15x at 1 megapixel, 5x at 12 megapixels).
_PRESENCE_TABLE_MIN_PIXELS = 1 << 16


def count_colors(image) -> int:
    """Number of distinct colors in an image.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3), or ColorHistogram

    Returns
    -------
    int

    Examples
    --------
    >>> count_colors(np.array([[0, 0, 0], [255, 0, 0], [0, 0, 0]], np.uint8))
    2
    """
    if isinstance(image, ColorHistogram):
        return len(image)
    codes = _pack24(as_pixels(image, "image"))
    if codes.size < _PRESENCE_TABLE_MIN_PIXELS:
        return int(np.unique(codes).size)
    present = np.zeros(1 << 24, dtype=bool)
    present[codes] = True
    return int(np.count_nonzero(present))


# ---------------------------------------------------------------- file size


def png_size(image, palette: Palette | None = None) -> int:
    """Bytes of the PNG file :func:`colorlab.save_image` would write, computed in memory.

    With ``palette`` the PNG is indexed (``save_image(path, image, palette=palette)``): each pixel
    stores an index of 1, 2, 4 or 8 bits into the palette. Without, it is a 24-bit RGB PNG.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3)
        With ``palette``, every pixel must be one of its colors (quantize the image first).
    palette : Palette, optional
        At most 256 colors.

    Returns
    -------
    int
        The file size in bytes.

    Raises
    ------
    InvalidImageError
        If ``image`` is not (H, W, 3) uint8.
    InvalidParameterError
        If ``palette`` is not a Palette, has more than 256 colors or lacks a color of the image.

    Examples
    --------
    >>> image = np.zeros((64, 64, 3), np.uint8)
    >>> image[:, 32:] = 255
    >>> two = Palette([[0, 0, 0], [255, 255, 255]], counts=[1, 1])
    >>> png_size(image, two) < png_size(image)
    True
    """
    from .io.saving import png_bytes

    return len(png_bytes(image, palette))


# ---------------------------------------------------------------- error map (lesson 05: beyond k-means)

__all__ += ["error_map"]


def error_map(original, quantized) -> np.ndarray:
    """Per-pixel error: the Euclidean RGB distance between each original and quantized pixel.

    Parameters
    ----------
    original, quantized : ndarray of uint8, shape (H, W, 3) or (N, 3)
        Two images (or pixel arrays) of the same shape.

    Returns
    -------
    ndarray of float64, shape (H, W) or (N,)
        0 where the pixel is unchanged, at most 255 * sqrt(3) (black against white). The mean of
        its squares is :func:`mse`.

    Raises
    ------
    InvalidImageError
        If either is not a uint8 image or pixel array, or their shapes differ.

    Examples
    --------
    >>> a = np.zeros((1, 2, 3), np.uint8)
    >>> error_map(a, np.array([[[3, 4, 0], [0, 0, 0]]], np.uint8)).tolist()
    [[5.0, 0.0]]
    """
    first, second = _pixel_pair(original, quantized)
    difference = first.astype(np.float64) - second
    return np.sqrt((difference * difference).sum(axis=1)).reshape(np.shape(original)[:-1])


# the names of sweeps over k, which lived here before colorlab.selection; kept for one release
__getattr__ = _moved.moved_names(__name__, {
    "KSweepRow": "colorlab.selection.sweep.SweepRow",
    "sweep_k": "colorlab.selection.sweep.sweep_k",
    "smallest_k_for_psnr": "colorlab.selection.smallest.smallest_k_for_psnr",
})


__all__ += ["ssim"]

#: SSIM's constants (Wang et al. 2004): K1, K2, the Gaussian window's sigma and where it is cut (in sigmas).
_SSIM_K1, _SSIM_K2, _SSIM_SIGMA, _SSIM_TRUNCATE = 0.01, 0.03, 1.5, 3.5
#: Pixels of a band of rows :func:`ssim` measures at a time.
_SSIM_BAND_PIXELS = 1 << 18


def luma(image) -> np.ndarray:
    """Rec.601 luma ``0.299 R + 0.587 G + 0.114 B`` of an (H, W, 3) uint8 image, float64 on 0..255.

    Examples
    --------
    >>> luma(np.array([[[255, 255, 255], [255, 0, 0]]], np.uint8)).round(3).tolist()
    [[255.0, 76.245]]
    """
    image = as_image(image)
    return image[..., 0] * 0.299 + image[..., 1] * 0.587 + image[..., 2] * 0.114


def ssim(original, quantized) -> float:
    """Structural similarity (SSIM, Wang et al. 2004) of the two images' luma: 1 for identical images.

    On Rec.601 luma (:func:`luma`, 0..255) with the paper's settings: a Gaussian window of
    sigma 1.5 (cut at 3.5 sigma: 11 x 11), population statistics, K1 = 0.01, K2 = 0.03, data range
    255, the mean over the pixels at least 5 from the border. The same number, to about 1e-12, as
    scikit-image's ``structural_similarity(luma(a), luma(b), data_range=255, gaussian_weights=True,
    sigma=1.5, use_sample_covariance=False)``, without needing scikit-image (scipy's filters only).
    Unlike MSE it looks at structure: a dithered image often scores higher than an undithered one
    with less error.

    Parameters
    ----------
    original, quantized : ndarray of uint8, shape (H, W, 3)
        Images of the same shape, at least 11 x 11 pixels.

    Returns
    -------
    float
        At most 1; higher is better.

    Raises
    ------
    InvalidImageError
        If either is not an (H, W, 3) uint8 image, their shapes differ, or they are smaller than 11 x 11.

    Examples
    --------
    >>> image = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    >>> ssim(image, image)
    1.0
    >>> ssim(image, 255 - image) < 0
    True
    """
    from scipy import ndimage  # only here: scipy's import is a tenth of a second of a command's start

    original, quantized = as_image(original), as_image(quantized)
    if original.shape != quantized.shape:
        raise InvalidImageError(f"original and quantized must have the same shape, got {np.shape(original)} and {np.shape(quantized)}")
    height, width = original.shape[:2]
    pad = int(_SSIM_TRUNCATE * _SSIM_SIGMA + 0.5)
    if min(height, width) < 2 * pad + 1:
        raise InvalidImageError(f"SSIM needs images of at least {2 * pad + 1} x {2 * pad + 1} pixels, got {width} x {height}")

    def blur(values):
        return ndimage.gaussian_filter(values, _SSIM_SIGMA, mode="reflect", truncate=_SSIM_TRUNCATE)

    c1, c2 = (_SSIM_K1 * 255) ** 2, (_SSIM_K2 * 255) ** 2
    # In bands of rows: a row's index needs the rows within pad of it, and every row that is averaged lies
    # at least pad from the image's edge, so each band's rows get the numbers the whole image would give them,
    # with about a dozen arrays the size of a band instead of the image (2 MP: 166 MB at once).
    rows = max(1, _SSIM_BAND_PIXELS // width)
    total = 0.0
    for top in range(pad, height - pad, rows):
        bottom = min(top + rows, height - pad)
        first, second = luma(original[top - pad:bottom + pad]), luma(quantized[top - pad:bottom + pad])
        mean_x, mean_y = blur(first), blur(second)
        var_x = blur(first * first) - mean_x * mean_x
        var_y = blur(second * second) - mean_y * mean_y
        cov = blur(first * second) - mean_x * mean_y
        index = ((2 * mean_x * mean_y + c1) * (2 * cov + c2)) / ((mean_x**2 + mean_y**2 + c1) * (var_x + var_y + c2))
        total += float(index[pad:-pad, pad:-pad].sum(dtype=np.float64))
    return total / ((height - 2 * pad) * (width - 2 * pad))
