"""Color spaces: sRGB, linear sRGB, CIE XYZ, CIELAB and OKLab.

Clustering can run in a space other than sRGB: in CIELAB or OKLab, equal
distances are closer to equal *perceived* differences. This module converts
between the spaces, vectorised over arrays of shape ``(..., 3)``.

The two functions the rest of colorlab uses are :func:`to_space` (uint8 sRGB
to float coordinates) and :func:`from_space` (coordinates back to uint8 sRGB).
The named conversions take and return floats:

- :func:`srgb_to_linear`, :func:`linear_to_srgb`: the sRGB transfer curve.
- :func:`rgb_to_xyz`, :func:`xyz_to_rgb`: sRGB <-> CIE XYZ (D65).
- :func:`xyz_to_lab`, :func:`lab_to_xyz`: CIE XYZ <-> CIELAB (D65 white).
- :func:`rgb_to_lab`, :func:`lab_to_rgb`: sRGB <-> CIELAB.
- :func:`xyz_to_oklab`, :func:`oklab_to_xyz`: CIE XYZ <-> OKLab.
- :func:`rgb_to_oklab`, :func:`oklab_to_rgb`: sRGB <-> OKLab.

Notes
-----
Ranges of the float functions (sRGB white is the reference white):

=========================  ==========================================
``rgb`` (sRGB, encoded)    [0, 1] per channel
``linear`` (linear sRGB)   [0, 1] per channel
``xyz`` (CIE XYZ, D65)     X [0, 0.9505], Y [0, 1], Z [0, 1.0891]
``lab`` (CIELAB, D65)      L [0, 100], a and b about [-128, 128]
``oklab`` (OKLab)          L [0, 1], a and b about [-0.4, 0.4]
=========================  ==========================================

Values outside these ranges (out-of-gamut colors) are converted by the same
formulas, not clipped: the transfer curve is extended by its linear segment
below 0, so it stays monotone. Only :func:`from_space` clips, because it
produces uint8. NaN in, NaN out: a NaN (or infinite) channel makes that color
NaN or infinite and leaves the other colors alone; no warning is raised.

The two branches of the IEC 61966-2-1 curve meet with a jump of about 3e-8 at
the knee (0.04045 encoded, 0.0031308 linear), as the standard defines them, so
float round trips through linear light are exact to 1e-7 there and to 1e-12
elsewhere. Round trips of uint8 colors through :func:`to_space` and
:func:`from_space` are exact for all 2**24 colors.

Every float function returns float64. uint8 and uint16 arrays are refused,
because their 0..255 (or 0..65535) scale is not the 0..1 these functions take:
use :func:`to_space` for uint8 images, or divide by 255 yourself.

Examples
--------
>>> import numpy as np
>>> from colorlab.color import spaces as colorspace
>>> lab = colorspace.to_space(np.array([[255, 0, 0]], np.uint8), "lab")
>>> np.round(lab, 2).tolist()
[[53.24, 80.09, 67.2]]
>>> colorspace.from_space(lab, "lab").tolist()
[[255, 0, 0]]
"""

from __future__ import annotations

import functools

import numpy as np

from .._engine import kernels as _kernels
from ..errors import InvalidImageError, InvalidParameterError
from .standards import (_LAB_DELTA, _LINEAR_KNEE, _SRGB_KNEE, D65_WHITE, LINEAR_SRGB_TO_LMS, LMS_CBRT_TO_OKLAB,
                        LMS_TO_LINEAR_SRGB, LMS_TO_XYZ, OKLAB_SCALE, OKLAB_TO_LMS_CBRT, SRGB_TO_XYZ, XYZ_TO_LMS,
                        XYZ_TO_SRGB, _constant)

__all__ = [
    "SPACES",
    "SRGB_TO_XYZ",
    "XYZ_TO_SRGB",
    "D65_WHITE",
    "XYZ_TO_LMS",
    "LMS_TO_XYZ",
    "LINEAR_SRGB_TO_LMS",
    "LMS_TO_LINEAR_SRGB",
    "LMS_CBRT_TO_OKLAB",
    "OKLAB_TO_LMS_CBRT",
    "OKLAB_SCALE",
    "srgb_to_linear",
    "linear_to_srgb",
    "rgb_to_xyz",
    "xyz_to_rgb",
    "xyz_to_lab",
    "lab_to_xyz",
    "rgb_to_lab",
    "lab_to_rgb",
    "xyz_to_oklab",
    "oklab_to_xyz",
    "rgb_to_oklab",
    "oklab_to_rgb",
    "to_space",
    "from_space",
]

SPACES = ("rgb", "lab", "oklab")
"""Names of the spaces :func:`to_space` and :func:`from_space` know, in the order shown to users."""


def _times(x: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``x @ matrix.T`` for (..., 3) coordinates, written out per output column.

    Not ``@``: numpy hands float64 products to BLAS, whose threads then spin for about 0.1 s on
    the other cores after it returns, slowing the k-means engine's own threads that run next (a fit
    in CIELAB converts its colors first; docs/engine.md). Written out, the products are
    also the same on every machine (BLAS may fuse multiply-adds on some): 110,000 colors in 0.6 ms
    (BLAS: 0.3 ms, and the spin). Each output column is ``(first * m0 + second * m1) + third * m2``,
    built in place with one column of scratch (2 million colors: 64 MB at the peak for a 48 MB result).
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty(x.shape)
    scratch = np.empty(x.shape[:-1])
    first, second, third = x[..., 0], x[..., 1], x[..., 2]
    for row in range(3):
        column = out[..., row]
        np.multiply(first, matrix[row, 0], out=scratch)
        scratch += np.multiply(second, matrix[row, 1], out=column)
        np.multiply(third, matrix[row, 2], out=column)
        np.add(scratch, column, out=column)
    return out


_INTEGER_IMAGE_DTYPES = (np.uint8, np.uint16)


def _as_float(values, name: str, *, triplets: bool = True) -> np.ndarray:
    """Validate float input for the named conversions and return it as float64."""
    array = np.asarray(values)
    if array.dtype in _INTEGER_IMAGE_DTYPES:
        raise InvalidImageError(
            f"{name} is a {array.dtype} array but this function takes floats in 0..1: "
            "use colorlab.color.spaces.to_space for uint8 images, or divide by 255 first"
        )
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise InvalidImageError(f"{name} must be an array of real numbers, got dtype {array.dtype}")
    if triplets and (array.ndim == 0 or array.shape[-1] != 3):
        raise InvalidImageError(f"{name} must have 3 values in its last axis, shape (..., 3), got shape {array.shape}")
    return array.astype(np.float64, copy=False)


def _quiet_about_non_finite(function):
    """Let NaN and infinities propagate silently (inf - inf inside a matrix product is NaN by design)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with np.errstate(invalid="ignore"):
            return function(*args, **kwargs)

    return wrapper


def _check_space(space) -> str:
    if not isinstance(space, str) or space not in SPACES:
        valid = ", ".join(repr(name) for name in SPACES)
        raise InvalidParameterError(f"space must be one of {valid}, got {space!r}")
    return space


# ---------------------------------------------------------------- sRGB curve


@_quiet_about_non_finite
def srgb_to_linear(rgb) -> np.ndarray:
    """Decode sRGB values (0..1) to linear light (0..1) with the IEC 61966-2-1 curve.

    Parameters
    ----------
    rgb : array_like of float
        Encoded sRGB values in 0..1, any shape.

    Returns
    -------
    ndarray of float64
        Linear-light values, same shape.

    Examples
    --------
    >>> round(float(srgb_to_linear(0.5)), 6)
    0.214041
    """
    rgb = _as_float(rgb, "rgb", triplets=False)
    # np.maximum keeps negative values out of the power branch (no NaN, no warning)
    curved = np.power((np.maximum(rgb, _SRGB_KNEE) + 0.055) / 1.055, 2.4)
    return np.where(rgb <= _SRGB_KNEE, rgb / 12.92, curved)


@_quiet_about_non_finite
def linear_to_srgb(linear) -> np.ndarray:
    """Encode linear-light values (0..1) as sRGB (0..1) with the IEC 61966-2-1 curve.

    Parameters
    ----------
    linear : array_like of float
        Linear-light values in 0..1, any shape.

    Returns
    -------
    ndarray of float64
        Encoded sRGB values, same shape (not clipped).

    Examples
    --------
    >>> round(float(linear_to_srgb(0.214041)), 4)
    0.5
    """
    linear = _as_float(linear, "linear", triplets=False)
    curved = 1.055 * np.power(np.maximum(linear, _LINEAR_KNEE), 1 / 2.4) - 0.055
    return np.where(linear <= _LINEAR_KNEE, linear * 12.92, curved)


# ---------------------------------------------------------------- sRGB <-> XYZ


@_quiet_about_non_finite
def rgb_to_xyz(rgb) -> np.ndarray:
    """Convert sRGB (0..1) to CIE XYZ (D65, Y of white = 1).

    Parameters
    ----------
    rgb : array_like of float, shape (..., 3)
        Encoded sRGB in 0..1.

    Returns
    -------
    ndarray of float64, shape (..., 3)

    Examples
    --------
    >>> np.round(rgb_to_xyz([1.0, 0.0, 0.0]), 4).tolist()
    [0.4124, 0.2126, 0.0193]
    """
    return _times(srgb_to_linear(_as_float(rgb, "rgb")), SRGB_TO_XYZ)


@_quiet_about_non_finite
def xyz_to_rgb(xyz) -> np.ndarray:
    """Convert CIE XYZ (D65, Y of white = 1) to sRGB (0..1, not clipped).

    Parameters
    ----------
    xyz : array_like of float, shape (..., 3)

    Returns
    -------
    ndarray of float64, shape (..., 3)

    Examples
    --------
    >>> np.round(xyz_to_rgb(D65_WHITE), 12).tolist()
    [1.0, 1.0, 1.0]
    """
    return linear_to_srgb(_times(_as_float(xyz, "xyz"), XYZ_TO_SRGB))


# ---------------------------------------------------------------- XYZ <-> CIELAB


def _lab_f(t: np.ndarray) -> np.ndarray:
    return np.where(t > _LAB_DELTA**3, np.cbrt(t), t / (3 * _LAB_DELTA**2) + 4.0 / 29.0)


def _lab_f_inverse(f: np.ndarray) -> np.ndarray:
    return np.where(f > _LAB_DELTA, f**3, 3 * _LAB_DELTA**2 * (f - 4.0 / 29.0))


@_quiet_about_non_finite
def xyz_to_lab(xyz) -> np.ndarray:
    """Convert CIE XYZ (D65) to CIELAB with the D65 white :data:`D65_WHITE`.

    Parameters
    ----------
    xyz : array_like of float, shape (..., 3)

    Returns
    -------
    ndarray of float64, shape (..., 3)
        L in 0..100, a and b.

    Examples
    --------
    >>> np.round(xyz_to_lab(D65_WHITE), 12).tolist()
    [100.0, 0.0, 0.0]
    """
    f = _lab_f(_as_float(xyz, "xyz") / D65_WHITE)
    fx, fy, fz = f[..., 0], f[..., 1], f[..., 2]
    return np.stack([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], axis=-1)


@_quiet_about_non_finite
def lab_to_xyz(lab) -> np.ndarray:
    """Convert CIELAB (D65 white) to CIE XYZ (D65).

    Parameters
    ----------
    lab : array_like of float, shape (..., 3)

    Returns
    -------
    ndarray of float64, shape (..., 3)

    Examples
    --------
    >>> np.round(lab_to_xyz([100.0, 0.0, 0.0]), 5).tolist()
    [0.95046, 1.0, 1.08906]
    """
    lab = _as_float(lab, "lab")
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], axis=-1)
    return _lab_f_inverse(f) * D65_WHITE


@_quiet_about_non_finite
def rgb_to_lab(rgb) -> np.ndarray:
    """Convert sRGB (0..1) to CIELAB (D65).

    Parameters
    ----------
    rgb : array_like of float, shape (..., 3)

    Returns
    -------
    ndarray of float64, shape (..., 3)

    Examples
    --------
    >>> np.round(rgb_to_lab([0.0, 0.0, 1.0]), 1).tolist()
    [32.3, 79.2, -107.9]
    """
    return xyz_to_lab(rgb_to_xyz(rgb))


@_quiet_about_non_finite
def lab_to_rgb(lab) -> np.ndarray:
    """Convert CIELAB (D65) to sRGB (0..1, not clipped: out-of-gamut colors fall outside).

    Parameters
    ----------
    lab : array_like of float, shape (..., 3)

    Returns
    -------
    ndarray of float64, shape (..., 3)

    Examples
    --------
    >>> np.round(lab_to_rgb([100.0, 0.0, 0.0]), 12).tolist()
    [1.0, 1.0, 1.0]
    """
    return xyz_to_rgb(lab_to_xyz(lab))


# ---------------------------------------------------------------- OKLab


def _lms_to_oklab(lms: np.ndarray) -> np.ndarray:
    return _times(np.cbrt(lms), LMS_CBRT_TO_OKLAB)


def _oklab_to_lms(oklab: np.ndarray) -> np.ndarray:
    return _times(oklab, OKLAB_TO_LMS_CBRT) ** 3


@_quiet_about_non_finite
def xyz_to_oklab(xyz) -> np.ndarray:
    """Convert CIE XYZ (D65) to OKLab, with Ottosson's matrices M1 and M2.

    Parameters
    ----------
    xyz : array_like of float, shape (..., 3)

    Returns
    -------
    ndarray of float64, shape (..., 3)
        L in 0..1, a and b about -0.4..0.4 (unscaled; see :data:`OKLAB_SCALE`).

    Examples
    --------
    >>> np.round(xyz_to_oklab([1.0, 0.0, 0.0]), 3).tolist()
    [0.45, 1.236, -0.019]
    """
    return _lms_to_oklab(_times(_as_float(xyz, "xyz"), XYZ_TO_LMS))


@_quiet_about_non_finite
def oklab_to_xyz(oklab) -> np.ndarray:
    """Convert OKLab (unscaled, L in 0..1) to CIE XYZ (D65).

    Parameters
    ----------
    oklab : array_like of float, shape (..., 3)

    Returns
    -------
    ndarray of float64, shape (..., 3)

    Examples
    --------
    >>> np.round(oklab_to_xyz([1.0, 0.0, 0.0]), 2).tolist()
    [0.95, 1.0, 1.09]
    """
    return _times(_oklab_to_lms(_as_float(oklab, "oklab")), LMS_TO_XYZ)


@_quiet_about_non_finite
def rgb_to_oklab(rgb) -> np.ndarray:
    """Convert sRGB (0..1) to OKLab (unscaled, L in 0..1), as Ottosson's ``linear_srgb_to_oklab``.

    Parameters
    ----------
    rgb : array_like of float, shape (..., 3)

    Returns
    -------
    ndarray of float64, shape (..., 3)

    Examples
    --------
    >>> np.round(rgb_to_oklab([1.0, 0.0, 0.0]), 4).tolist()
    [0.628, 0.2249, 0.1258]
    """
    return _lms_to_oklab(_times(srgb_to_linear(_as_float(rgb, "rgb")), LINEAR_SRGB_TO_LMS))


@_quiet_about_non_finite
def oklab_to_rgb(oklab) -> np.ndarray:
    """Convert OKLab (unscaled, L in 0..1) to sRGB (0..1, not clipped).

    Parameters
    ----------
    oklab : array_like of float, shape (..., 3)

    Returns
    -------
    ndarray of float64, shape (..., 3)

    Examples
    --------
    >>> np.round(oklab_to_rgb([1.0, 0.0, 0.0]), 6).tolist()
    [1.0, 1.0, 1.0]
    """
    return linear_to_srgb(_times(_oklab_to_lms(_as_float(oklab, "oklab")), LMS_TO_LINEAR_SRGB))


# ---------------------------------------------------------------- uint8 boundary

# sRGB -> linear for the 256 possible uint8 values: indexing a table is several
# times faster than evaluating the power curve on every channel of every pixel.
_UINT8_TO_LINEAR = _constant(srgb_to_linear(np.arange(256) / 255.0))


def to_space(rgb8, space: str, out=None) -> np.ndarray:
    """Convert uint8 sRGB colors to float coordinates in a color space.

    Parameters
    ----------
    rgb8 : ndarray of uint8, shape (..., 3)
        sRGB colors, 0..255: one color ``(3,)``, pixels ``(N, 3)`` or an image ``(H, W, 3)``.
    space : {"rgb", "lab", "oklab"}
        ``"rgb"``: the same 0..255 values as float64. ``"lab"``: CIELAB (D65),
        L in 0..100. ``"oklab"``: OKLab multiplied by :data:`OKLAB_SCALE` (100),
        so L is in 0..100 too.
    out : ndarray of float64, optional
        A C-contiguous array of the result's shape to write it into (e.g. rows of a larger one).

    Returns
    -------
    ndarray of float64, shape (..., 3)
        ``out`` if given.

    Raises
    ------
    InvalidImageError
        If ``rgb8`` is not uint8 or its last axis does not hold 3 channels.
    InvalidParameterError
        If ``space`` is not one of :data:`SPACES`.

    Examples
    --------
    >>> gray = np.array([[119, 119, 119], [255, 255, 255]], np.uint8)
    >>> np.round(to_space(gray, "oklab"), 2).tolist()
    [[56.93, 0.0, 0.0], [100.0, 0.0, 0.0]]
    """
    space = _check_space(space)
    rgb8 = np.asarray(rgb8)
    if rgb8.dtype != np.uint8 or rgb8.ndim == 0 or rgb8.shape[-1] != 3:
        raise InvalidImageError(
            f"rgb8 must be a uint8 array of shape (..., 3), got shape {rgb8.shape} and dtype {rgb8.dtype}; "
            "convert it first with colorlab.to_rgb8"
        )
    if out is not None and (not isinstance(out, np.ndarray) or out.shape != rgb8.shape or out.dtype != np.float64
                            or not out.flags.c_contiguous):
        raise InvalidParameterError(f"out must be a C-contiguous float64 array of shape {rgb8.shape}")
    if space == "rgb":
        if out is None:
            return rgb8.astype(np.float64)
        out[...] = rgb8
        return out
    if space == "lab" and rgb8.size <= 3 * _CHUNK_COLORS and out is None:
        return _converted(rgb8, space)
    # in parts: a CIELAB conversion holds several temporaries as large as its result (a 10-megapixel photo's
    # 1.3 million colors: a 32 MB result, a 139 MB peak in one piece, 34 MB in parts)
    colors = np.ascontiguousarray(rgb8.reshape(-1, 3))
    result = np.empty(colors.shape, np.float64) if out is None else out.reshape(-1, 3)
    for start in range(0, len(colors), _CHUNK_COLORS):
        part = result[start:start + _CHUNK_COLORS]
        if space == "lab":
            part[...] = _converted(colors[start:start + _CHUNK_COLORS], space)
            continue
        # OKLab straight into the result: the table and the two matrix products in C (the same numbers as
        # _times's numpy columns, each of which was a pass over a temporary), numpy's cube root in place
        # between them (its vectorised cbrt, whose numbers C's would not match): 245,000 colors 8.6 -> 4.0 ms
        _kernels.table_times(colors[start:start + _CHUNK_COLORS], _UINT8_TO_LINEAR, LINEAR_SRGB_TO_LMS, part)
        np.cbrt(part, out=part)
        _kernels.times_scaled(part, LMS_CBRT_TO_OKLAB, OKLAB_SCALE)
    return result.reshape(rgb8.shape)


#: Colors :func:`to_space` converts at a time: a chunk's temporaries (384 KB each) and its part of the result
#: stay in the core's cache. 229,944 colors to OKLab on one thread, all in numpy: 5.6 ms in chunks of 16,384,
#: 14.1 ms in chunks of 65,536, 6.2 ms of 4,096 (numpy's per-call overhead).
_CHUNK_COLORS = 1 << 14


def _converted(rgb8: np.ndarray, space: str) -> np.ndarray:
    """CIELAB of uint8 colors (``space`` "lab"; OKLab is converted by to_space itself)."""
    return xyz_to_lab(_times(_UINT8_TO_LINEAR[rgb8], SRGB_TO_XYZ))


def from_space(coords, space: str) -> np.ndarray:
    """Convert coordinates in a color space back to uint8 sRGB (rounded, then clipped to 0..255).

    The inverse of :func:`to_space`: ``from_space(to_space(c, s), s)`` gives ``c``
    back exactly for every uint8 color. Coordinates of colors outside the sRGB
    gamut (possible in "lab" and "oklab", e.g. the mean of a cluster) are
    converted and then clipped channel by channel to the nearest displayable value.

    Parameters
    ----------
    coords : array_like of float, shape (..., 3)
        Coordinates as :func:`to_space` returns them (OKLab scaled by :data:`OKLAB_SCALE`).
    space : {"rgb", "lab", "oklab"}

    Returns
    -------
    ndarray of uint8, shape (..., 3)

    Raises
    ------
    InvalidImageError
        If ``coords`` does not have shape (..., 3) or holds NaN or infinite values.
    InvalidParameterError
        If ``space`` is not one of :data:`SPACES`.

    Examples
    --------
    >>> from_space([[300.0, 127.5, -4.0]], "rgb").tolist()
    [[255, 128, 0]]
    >>> from_space([50.0, 0.0, 0.0], "lab").tolist()
    [119, 119, 119]
    """
    space = _check_space(space)
    coords = _as_float(coords, "coords")
    if not np.isfinite(coords).all():
        raise InvalidImageError("coords contain NaN or infinite values; only finite coordinates can become colors")
    if space == "rgb":
        rgb255 = coords
    elif space == "lab":
        rgb255 = lab_to_rgb(coords) * 255.0
    else:
        rgb255 = oklab_to_rgb(coords / OKLAB_SCALE) * 255.0
    return np.clip(np.rint(rgb255), 0, 255).astype(np.uint8)
