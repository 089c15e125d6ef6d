"""The numbers the color spaces are defined by: sRGB's primaries, white and transfer curve (IEC 61966-2-1),
CIELAB's constants (CIE 15:2004) and OKLab's matrices (Ottosson 2020), each as a read-only float64 array
built once. :mod:`colorlab.color.spaces` converts with them (and gives the same names).

numpy only.
"""

from __future__ import annotations

import numpy as np

__all__ = ["D65_WHITE", "SRGB_TO_XYZ", "XYZ_TO_SRGB", "XYZ_TO_LMS", "LMS_TO_XYZ", "LINEAR_SRGB_TO_LMS",
           "LMS_TO_LINEAR_SRGB", "LMS_CBRT_TO_OKLAB", "OKLAB_TO_LMS_CBRT", "OKLAB_SCALE"]


def _constant(rows) -> np.ndarray:
    array = np.array(rows, dtype=np.float64)
    array.setflags(write=False)  # module constants must never change
    return array


# Chromaticities (x, y) of the sRGB primaries and of its D65 white, IEC 61966-2-1:1999, section 5.1.
_SRGB_PRIMARIES_XY = ((0.64, 0.33), (0.30, 0.60), (0.15, 0.06))
_D65_XY = (0.3127, 0.3290)


def _xy_to_xyz(x: float, y: float) -> np.ndarray:
    return np.array([x / y, 1.0, (1.0 - x - y) / y])


def _rgb_to_xyz_matrix(primaries_xy, white_xy) -> np.ndarray:
    # columns: XYZ of each primary, scaled so that R = G = B = 1 gives the white point
    primaries = np.stack([_xy_to_xyz(x, y) for x, y in primaries_xy], axis=1)
    return primaries * np.linalg.solve(primaries, _xy_to_xyz(*white_xy))


D65_WHITE = _constant(_xy_to_xyz(*_D65_XY))
"""CIE XYZ of the D65 white of sRGB, (0.95046, 1.0, 1.08906), from its chromaticity (0.3127, 0.3290).

The CIELAB reference white, so sRGB white is exactly L=100, a=b=0.
"""

SRGB_TO_XYZ = _constant(_rgb_to_xyz_matrix(_SRGB_PRIMARIES_XY, _D65_XY))
"""Linear sRGB to CIE XYZ (D65) matrix, derived from the chromaticities of IEC 61966-2-1.

Rounded to 4 decimals it is the matrix the standard prints (0.4124, 0.3576, 0.1805, ...).
"""

XYZ_TO_SRGB = _constant(np.linalg.inv(SRGB_TO_XYZ))
"""CIE XYZ (D65) to linear sRGB matrix: the exact inverse of :data:`SRGB_TO_XYZ`."""

XYZ_TO_LMS = _constant(
    [
        [0.8189330101, 0.3618667424, -0.1288597137],
        [0.0329845436, 0.9293118715, 0.0361456387],
        [0.0482003018, 0.2643662691, 0.6338517070],
    ]
)
"""CIE XYZ (D65) to OKLab cone responses (M1), from B. Ottosson, "A perceptual color
space for image processing" (2020), https://bottosson.github.io/posts/oklab/."""

LMS_TO_XYZ = _constant(np.linalg.inv(XYZ_TO_LMS))
"""OKLab cone responses to CIE XYZ (D65): the inverse of :data:`XYZ_TO_LMS`."""

LINEAR_SRGB_TO_LMS = _constant(
    [
        [0.4122214708, 0.5363325363, 0.0514459929],
        [0.2119034982, 0.6806995451, 0.1073969566],
        [0.0883024619, 0.2817188376, 0.6299787005],
    ]
)
"""Linear sRGB to OKLab cone responses, from Ottosson's post (his ``linear_srgb_to_oklab``)."""

LMS_TO_LINEAR_SRGB = _constant(np.linalg.inv(LINEAR_SRGB_TO_LMS))
"""OKLab cone responses to linear sRGB: the inverse of :data:`LINEAR_SRGB_TO_LMS`.

Agrees with the inverse Ottosson publishes to 1e-9; computing it makes round trips exact.
"""

LMS_CBRT_TO_OKLAB = _constant(
    [
        [0.2104542553, 0.7936177850, -0.0040720468],
        [1.9779984951, -2.4285922050, 0.4505937099],
        [0.0259040371, 0.7827717662, -0.8086757660],
    ]
)
"""Cube roots of the cone responses to OKLab L, a, b (M2), from Ottosson's post."""

OKLAB_TO_LMS_CBRT = _constant(np.linalg.inv(LMS_CBRT_TO_OKLAB))
"""OKLab L, a, b to cube roots of the cone responses: the inverse of :data:`LMS_CBRT_TO_OKLAB`."""

OKLAB_SCALE = 100.0
"""Factor :func:`colorlab.color.spaces.to_space` applies to OKLab, so that its L runs from 0 to 100 like
CIELAB's.

Distances in ``to_space(..., "oklab")`` are then of the same order as CIELAB
distances (white to black is 100 in both) and well above float rounding, which
keeps tolerances in the clustering code meaningful in every space.
"""

# CIELAB's piecewise function: cube root above (6/29)^3, a straight line below (CIE 15:2004, 8.2.1).
_LAB_DELTA = 6.0 / 29.0

# sRGB transfer curve constants (IEC 61966-2-1:1999, section 5.2).
_SRGB_KNEE = 0.04045
_LINEAR_KNEE = 0.0031308
