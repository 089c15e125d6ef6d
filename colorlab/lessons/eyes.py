"""The cat's green eyes: where the irises are in the bundled photo ``"chelsea"``, and how much of their green a
redrawn photo keeps (notebook 05's exercise on what a measure over the whole photo does not notice).

The irises are a green yellow, the fur around them an orange brown; in CIELAB the two differ by their *hue
angle* (the direction of the color in the a-b plane): about 80 to 100 degrees for the irises, 40 to 75 for the
fur. A pixel counts as green here when its hue angle is at least :data:`GREEN_HUE` [0] degrees (and below
[1]) and its chroma (distance from gray) is at least :data:`MIN_CHROMA`.

May import: numpy and colorlab's computation (:mod:`colorlab.color`, :mod:`colorlab.metrics`).
"""

from __future__ import annotations

import numpy as np

from .. import metrics
from ..color.spaces import to_space
from ..errors import InvalidParameterError
from ..io.arrays import as_image

__all__ = ["CAT_EYES", "GREEN_HUE", "MIN_CHROMA", "green_pixels", "cat_eyes", "green_kept", "eye_report"]

#: The boxes around the two eyes of ``"chelsea"`` (300 x 451 pixels): (first row, end row, first column, end column).
CAT_EYES = ((85, 145, 135, 210), (110, 165, 292, 342))
#: CIELAB hue angles, in degrees, that count as green: from the irises' green yellow to green.
GREEN_HUE = (80.0, 140.0)
#: Smallest CIELAB chroma of a green pixel: grays have no hue to speak of.
MIN_CHROMA = 12.0


def green_pixels(image) -> np.ndarray:
    """Which pixels are green: CIELAB hue angle in :data:`GREEN_HUE` and chroma at least :data:`MIN_CHROMA`.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3)

    Returns
    -------
    ndarray of bool, shape (H, W)

    Examples
    --------
    >>> pixels = np.array([[[110, 140, 40], [150, 100, 60], [128, 128, 128]]], np.uint8)  # green, brown, gray
    >>> green_pixels(pixels).tolist()
    [[True, False, False]]
    """
    image = as_image(image)
    lab = to_space(image.reshape(-1, 3), "lab").reshape(image.shape)
    hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1])) % 360
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    return (hue >= GREEN_HUE[0]) & (hue < GREEN_HUE[1]) & (chroma >= MIN_CHROMA)


def cat_eyes(image) -> np.ndarray:
    """The green pixels of the cat's irises: inside :data:`CAT_EYES` and green (:func:`green_pixels`).

    Parameters
    ----------
    image : ndarray of uint8, shape (300, 451, 3)
        The bundled photo ``colorlab.load_image("chelsea")``.

    Returns
    -------
    ndarray of bool, shape (300, 451)
        True on the irises' green pixels, e.g. as ``mask=`` for :func:`colorlab.fit_palette`.

    Raises
    ------
    InvalidParameterError
        If the image is not the size of ``"chelsea"``.

    Examples
    --------
    >>> import colorlab
    >>> int(cat_eyes(colorlab.load_image("chelsea")).sum()) > 1000
    True
    """
    image = as_image(image)
    if image.shape[:2] != (300, 451):
        raise InvalidParameterError(f"cat_eyes knows where the eyes are in colorlab.load_image('chelsea') only "
                                    f"(300 x 451 pixels); got an image of {image.shape[0]} x {image.shape[1]}")
    boxes = np.zeros(image.shape[:2], bool)
    for top, bottom, left, right in CAT_EYES:
        boxes[top:bottom, left:right] = True
    return boxes & green_pixels(image)


def green_kept(redrawn, eyes) -> float:
    """Share of the ``eyes`` pixels that are still green in ``redrawn``, 0 .. 1.

    Parameters
    ----------
    redrawn : ndarray of uint8, shape (H, W, 3)
        The photo redrawn with a palette.
    eyes : ndarray of bool, shape (H, W)
        The pixels to look at (:func:`cat_eyes`).

    Returns
    -------
    float

    Examples
    --------
    >>> redrawn = np.array([[[110, 140, 40], [150, 100, 60]]], np.uint8)
    >>> green_kept(redrawn, np.array([[True, True]]))
    0.5
    """
    eyes = np.asarray(eyes)
    if eyes.dtype != bool or eyes.shape != np.shape(redrawn)[:2] or not eyes.any():
        raise InvalidParameterError("eyes must be a boolean mask of the photo's size with at least one True "
                                    "(from cat_eyes)")
    return float(green_pixels(redrawn)[eyes].mean())


def eye_report(label: str, image, redrawn, eyes) -> str:
    """One line: how much of the eyes' green ``redrawn`` keeps, next to measures over the whole photo and the eyes.

    Parameters
    ----------
    label : str
        What made ``redrawn`` (starts the line).
    image, redrawn : ndarray of uint8, shape (H, W, 3)
        The photo and its redrawn version.
    eyes : ndarray of bool, shape (H, W)
        The eyes' pixels (:func:`cat_eyes`).

    Returns
    -------
    str
        ``"<label>: eyes still green N% · whole photo: MSE .., ΔE2000 .., SSIM .. · eyes alone: ΔE2000 .."``

    Examples
    --------
    >>> import colorlab
    >>> cat = colorlab.load_image("chelsea")
    >>> eye_report("the photo itself", cat, cat, cat_eyes(cat))
    'the photo itself: eyes still green 100% · whole photo: MSE 0.0, ΔE2000 0.00, SSIM 1.000 · eyes alone: ΔE2000 0.00'
    """
    kept = green_kept(redrawn, eyes)
    image, redrawn = as_image(image), as_image(redrawn)
    return (f"{label}: eyes still green {100 * kept:.0f}% · whole photo: MSE {metrics.mse(image, redrawn):.1f}, "
            f"ΔE2000 {metrics.delta_e(image, redrawn):.2f}, SSIM {metrics.ssim(image, redrawn):.3f} · "
            f"eyes alone: ΔE2000 {metrics.delta_e(image[eyes], redrawn[eyes]):.2f}")
