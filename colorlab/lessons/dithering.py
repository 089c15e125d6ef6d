"""Dithering built up from scratch for notebook 07: threshold, noise, Bayer, error diffusion stepped by hand.

Everything works on a gray image (an (H, W) array of sRGB codes 0..255) and draws black and white
only, so that each idea is visible on its own; the library's :func:`colorlab.quantize` (``dither=``)
does the same for any palette. Brightness is compared in *linear light*, which is what the eye
averages: sRGB codes are not proportional to light.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..color.spaces import linear_to_srgb, srgb_to_linear
from ..errors import InvalidParameterError
from ..redraw.dither import bayer_matrix
from ..util.checks import check_whole

#: Floyd and Steinberg's weights (1976): where a pixel's error goes, as (row, column) offsets.
FLOYD_STEINBERG = {(0, 1): 7 / 16, (1, -1): 3 / 16, (1, 0): 5 / 16, (1, 1): 1 / 16}


def _gray(gray) -> np.ndarray:
    array = np.asarray(gray)
    if array.ndim != 2 or array.size == 0 or array.dtype != np.uint8:
        raise InvalidParameterError(f"gray must be an (H, W) uint8 array of gray codes 0..255, got "
                                    f"{array.dtype} of shape {array.shape}")
    return array


def light(gray) -> np.ndarray:
    """The linear light (0 = black, 1 = white) of sRGB gray codes.

    Examples
    --------
    >>> light(np.array([[0, 188, 255]], np.uint8)).round(2).tolist()
    [[0.0, 0.5, 1.0]]
    """
    return srgb_to_linear(np.asarray(gray, dtype=np.float64) / 255.0)


def code(linear) -> np.ndarray:
    """The sRGB gray code (0..255, float) of linear light: the inverse of :func:`light`.

    Examples
    --------
    >>> round(float(code(0.5)))
    188
    """
    return linear_to_srgb(np.clip(np.asarray(linear, dtype=np.float64), 0.0, 1.0)) * 255.0


def gray_ramp(width: int = 256, height: int = 48) -> np.ndarray:
    """A horizontal gradient from black (left) to white (right): (height, width) uint8.

    Examples
    --------
    >>> ramp = gray_ramp(5, 2)
    >>> ramp.tolist()
    [[0, 64, 128, 191, 255], [0, 64, 128, 191, 255]]
    """
    width = check_whole(width, "width", 2, 4096)
    height = check_whole(height, "height", 1, 4096)
    return np.tile(np.rint(np.linspace(0, 255, width)).astype(np.uint8), (height, 1))


def threshold(gray, level: float = 0.5) -> np.ndarray:
    """Every pixel black or white by its light alone: white where the light is at least ``level``.

    Examples
    --------
    >>> threshold(np.array([[10, 180, 200]], np.uint8)).tolist()
    [[0, 0, 255]]
    """
    return np.where(light(_gray(gray)) >= level, 255, 0).astype(np.uint8)


def noise_dither(gray, *, seed=0) -> np.ndarray:
    """Black or white by comparing each pixel's light with a random threshold (uniform 0..1).

    A pixel of light 0.3 turns white with probability 0.3, so a patch has on average the right light.

    Examples
    --------
    >>> out = noise_dither(np.full((100, 100), 188, np.uint8))
    >>> round(float((out == 255).mean()), 1)
    0.5
    """
    gray = _gray(gray)
    return np.where(light(gray) > np.random.default_rng(seed).random(gray.shape), 255, 0).astype(np.uint8)


def bayer_thresholds(size: int = 4) -> np.ndarray:
    """The Bayer matrix of side ``size`` as thresholds on light, (k + 0.5) / size² for the entries k = 0 .. size²-1.

    Examples
    --------
    >>> (bayer_thresholds(2) * 4 - 0.5).tolist()
    [[0.0, 2.0], [3.0, 1.0]]
    """
    if size not in (2, 4, 8, 16):
        raise InvalidParameterError(f"size must be 2, 4, 8 or 16, got {size!r}")
    return bayer_matrix(size) + 0.5


def bayer_dither(gray, size: int = 4) -> np.ndarray:
    """Black or white by comparing each pixel's light with the Bayer matrix tiled over the image.

    Examples
    --------
    >>> bayer_dither(np.full((2, 2), 188, np.uint8), 2).tolist()
    [[255, 0], [0, 255]]
    """
    gray = _gray(gray)
    thresholds = bayer_thresholds(size)
    rows, columns = np.indices(gray.shape)
    return np.where(light(gray) > thresholds[rows % size, columns % size], 255, 0).astype(np.uint8)


@dataclass(frozen=True)
class DiffusionStep:
    """One pixel of error diffusion: what it held, what it became and where its error went.

    Attributes
    ----------
    row, column : int
    held : float
        The pixel's light when its turn came (its own plus the errors pushed onto it).
    chosen : int
        0 (black) or 255 (white): the nearer of the two in light.
    error : float
        ``held`` minus the light of ``chosen``.
    pushed : dict
        ``(row, column) -> light`` added to each neighbour still to come (weight × error).
    """

    row: int
    column: int
    held: float
    chosen: int
    error: float
    pushed: dict

    def describe(self) -> str:
        """One line: the pixel, its choice and the shares of its error."""
        shares = ", ".join(f"{value:+.3f} to ({r}, {c})" for (r, c), value in self.pushed.items())
        return (f"pixel ({self.row}, {self.column}) holds {self.held:.3f} -> {'white' if self.chosen else 'black'}, "
                f"error {self.error:+.3f}: {shares or 'nothing left to pass on'}")


def error_diffusion(gray, *, weights=None, record: int = 0):
    """Floyd-Steinberg error diffusion to black and white, in linear light, row by row from the top left.

    Each pixel becomes black or white, whichever is nearer in light; the difference (the error) is
    shared among the neighbours not yet visited, by ``weights``, so that it is made up for nearby.

    Parameters
    ----------
    gray : (H, W) uint8 array
    weights : dict, optional
        ``(row offset, column offset) -> weight``; default :data:`FLOYD_STEINBERG`.
    record : int, default 0
        How many of the first pixels to record as :class:`DiffusionStep`.

    Returns
    -------
    dithered : (H, W) uint8 array of 0 and 255
    steps : list of DiffusionStep
        The first ``record`` pixels.

    Examples
    --------
    >>> out, steps = error_diffusion(np.full((2, 3), 188, np.uint8), record=1)
    >>> out.tolist()
    [[255, 0, 255], [0, 255, 0]]
    >>> steps[0].describe()
    'pixel (0, 0) holds 0.503 -> white, error -0.497: -0.217 to (0, 1), -0.155 to (1, 0), -0.031 to (1, 1)'
    """
    gray = _gray(gray)
    weights = dict(FLOYD_STEINBERG if weights is None else weights)
    record = check_whole(record, "record", 0, gray.size)
    held = light(gray).copy()
    out = np.zeros(gray.shape, np.uint8)
    height, width = gray.shape
    steps = []
    for row in range(height):
        for column in range(width):
            value = held[row, column]
            white = value >= 0.5
            out[row, column] = 255 if white else 0
            error = value - (1.0 if white else 0.0)
            pushed = {}
            for (dr, dc), weight in weights.items():
                r, c = row + dr, column + dc
                if 0 <= r < height and 0 <= c < width:
                    held[r, c] += weight * error
                    pushed[(r, c)] = weight * error
            if len(steps) < record:
                steps.append(DiffusionStep(row, column, float(value), int(out[row, column]), float(error), pushed))
    return out, steps


def column_light(gray, *, bands: int = 16) -> np.ndarray:
    """Mean light of ``bands`` vertical bands of an image, left to right: what the eye sees from far away.

    Examples
    --------
    >>> column_light(np.array([[0, 255, 0, 255]], np.uint8), bands=2).tolist()
    [0.5, 0.5]
    """
    gray = _gray(gray)
    bands = check_whole(bands, "bands", 1, gray.shape[1])
    return np.array([part.mean() for part in np.array_split(light(gray), bands, axis=1)])


def as_rgb(gray) -> np.ndarray:
    """A gray image as an (H, W, 3) uint8 RGB image, to show it or quantize it with the library.

    Examples
    --------
    >>> as_rgb(np.array([[7]], np.uint8)).tolist()
    [[[7, 7, 7]]]
    """
    return np.repeat(_gray(gray)[..., None], 3, axis=2)
