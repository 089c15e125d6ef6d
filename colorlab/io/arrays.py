"""The arrays colorlab takes: :func:`as_image` and :func:`as_pixels` check an ``(H, W, 3)`` or ``(N, 3)``
uint8 array passed to the library; :func:`to_rgb8` is the one explicit converter from other layouts
(float, 16-bit, gray, alpha).
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidImageError, InvalidParameterError

__all__ = ["as_image", "as_pixels", "to_rgb8"]


def as_image(image, name: str = "image") -> np.ndarray:
    """Check that ``image`` is an ``(H, W, 3)`` uint8 RGB array and return it.

    Any strides are fine (views and slices are returned as they are, not copied).

    Parameters
    ----------
    image : array_like
        The array to check.
    name : str
        What to call the array in an error message.

    Returns
    -------
    numpy.ndarray
        ``image`` itself, ``(H, W, 3)`` uint8.

    Raises
    ------
    InvalidImageError
        If the shape or dtype is different, or the image has no pixels; the
        message says how to convert it (usually :func:`to_rgb8`).

    Examples
    --------
    >>> import numpy as np
    >>> as_image(np.zeros((2, 3, 3), np.uint8)).shape
    (2, 3, 3)
    >>> as_image(np.zeros((2, 4), np.uint8))
    Traceback (most recent call last):
    ...
    colorlab.errors.InvalidImageError: image has shape (2, 4), which looks like a grayscale image: convert it with colorlab.to_rgb8(image)
    """
    array = _as_array(image, name)
    if array.ndim != 3 or array.shape[2] != 3:
        raise InvalidImageError(_shape_advice(array, name, pixels_ok=False))
    _check_uint8(array, name)
    _check_not_empty(array, name)
    return array


def as_pixels(image, name: str = "image") -> np.ndarray:
    """Return the pixels of an ``(H, W, 3)`` image or an ``(N, 3)`` pixel array as ``(N, 3)`` uint8.

    A view when the memory layout allows it, else a copy; never converted.

    Raises
    ------
    InvalidImageError
        If the array is neither ``(H, W, 3)`` nor ``(N, 3)`` uint8, or is empty.

    Examples
    --------
    >>> import numpy as np
    >>> as_pixels(np.zeros((2, 5, 3), np.uint8)).shape
    (10, 3)
    >>> as_pixels(np.zeros((7, 3), np.uint8)).shape
    (7, 3)
    """
    array = _as_array(image, name)
    if not ((array.ndim == 3 or array.ndim == 2) and array.shape[-1] == 3):
        raise InvalidImageError(_shape_advice(array, name, pixels_ok=True))
    _check_uint8(array, name)
    _check_not_empty(array, name)
    return array.reshape(-1, 3)


def to_rgb8(array, *, background=(255, 255, 255)) -> np.ndarray:
    """Convert an image array to uint8 RGB explicitly, by documented rules.

    ======================  ==========================================================
    shape                   meaning
    ======================  ==========================================================
    ``(H, W)``              gray; copied to R, G and B
    ``(H, W, 1)``           gray
    ``(H, W, 2)``           gray + alpha
    ``(H, W, 3)``           RGB
    ``(H, W, 4)``           RGBA
    ``(N, 3)``              RGB pixels (a 2-D array with exactly 3 columns); the
                            result is ``(N, 3)``. A gray image 3 pixels wide must be
                            given as ``(H, 3, 1)``.
    ======================  ==========================================================

    ==============  ===========================================================
    dtype           values
    ==============  ===========================================================
    ``uint8``       0..255, kept as they are
    ``uint16``      0..65535, divided by 257 and rounded (65535 -> 255)
    ``bool``        False -> 0, True -> 255
    float           must be within 0..1; multiplied by 255 and rounded. Values
                    above 1 (e.g. 0..255 floats) are refused, never guessed:
                    divide by 255 first. NaN and infinity are refused.
    anything else   refused (e.g. int64: use ``array.astype(np.uint8)`` if the
                    values are 0..255)
    ==============  ===========================================================

    Alpha (in the same scale as the colors) is composited over ``background``:
    ``round(color * a + background * (1 - a))`` with ``a`` in 0..1, so fully
    transparent pixels become exactly ``background``.

    Parameters
    ----------
    array : array_like
        The image or pixels.
    background : tuple of 3 ints
        RGB color (0..255 each) shown through transparent pixels; white by default.

    Returns
    -------
    numpy.ndarray
        ``(H, W, 3)`` uint8 (or ``(N, 3)`` uint8 for pixel input), a new array.

    Raises
    ------
    InvalidImageError
        If the shape, dtype or values do not fit the rules above.
    InvalidParameterError
        If ``background`` is not an RGB triple of whole numbers from 0 to 255.

    Examples
    --------
    >>> import numpy as np
    >>> to_rgb8(np.array([[0.0, 1.0]]))
    array([[[  0,   0,   0],
            [255, 255, 255]]], dtype=uint8)
    >>> to_rgb8(np.array([[[65535, 0, 257]]], dtype=np.uint16))
    array([[[255,   0,   1]]], dtype=uint8)
    >>> to_rgb8(np.array([[[255, 0, 0, 0]]], np.uint8), background=(0, 0, 255))
    array([[[  0,   0, 255]]], dtype=uint8)
    """
    return _to_rgb8(array, _check_background(background), "array")


def _to_rgb8(array, background: tuple[int, int, int], name: str) -> np.ndarray:
    array = _as_array(array, name)
    color, alpha = _split_channels(array, name)
    _check_not_empty(array, name)
    scale = _value_scale(array, name)
    out = np.empty(color.shape[:-1] + (3,), np.uint8)
    for channel in range(3):
        # one channel at a time keeps the temporaries of a 12-MP photo small
        source = color[..., min(channel, color.shape[-1] - 1)]
        out[..., channel] = _channel_to_uint8(source, alpha, scale, background[channel])
    return out


def _split_channels(array: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Return (colors with 1 or 3 channels on the last axis, alpha or None)."""
    if array.ndim == 2:
        if array.shape[1] == 3:
            return array, None  # (N, 3) pixels
        return array[..., None], None
    if array.ndim == 3 and array.shape[2] in (1, 2, 3, 4):
        channels = array.shape[2]
        if channels in (2, 4):
            return array[..., : channels - 1], array[..., channels - 1]
        return array, None
    raise InvalidImageError(
        f"{name} has shape {array.shape}; colorlab.to_rgb8 accepts (H, W), (H, W, 1), (H, W, 2), "
        "(H, W, 3), (H, W, 4) or (N, 3) arrays"
    )


def _value_scale(array: np.ndarray, name: str) -> int | None:
    """Return the value that means 'full intensity' for the dtype (None for floats), checking values."""
    if array.dtype == np.uint8:
        return 255
    if array.dtype == np.uint16:
        return 65535
    if array.dtype == np.bool_:
        return 1
    if np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all():
            raise InvalidImageError(f"{name} contains NaN or infinite values; replace them (e.g. with np.nan_to_num) first")
        low, high = float(array.min()), float(array.max())
        if high > 1.0:
            raise InvalidImageError(
                f"{name} is a float array with values up to {high:g}, but float images must be within 0..1; "
                "if its values are 0..255, divide it by 255 first"
            )
        if low < 0.0:
            raise InvalidImageError(f"{name} is a float array with values down to {low:g}; float images must be within 0..1")
        return None
    raise InvalidImageError(
        f"{name} has dtype {array.dtype}, which colorlab does not guess about; "
        "use array.astype(np.uint8) if its values are 0..255 (or np.uint16 if 0..65535)"
    )


def _channel_to_uint8(color: np.ndarray, alpha: np.ndarray | None, scale: int | None, background: int) -> np.ndarray:
    if scale is None:  # floats in 0..1
        value = color.astype(np.float64)
        if alpha is not None:
            a = alpha.astype(np.float64)
            value = value * a + (background / 255.0) * (1.0 - a)
        return np.floor(value * 255.0 + 0.5).astype(np.uint8)
    if scale == 1:  # bool
        color = color.astype(np.uint8) * np.uint8(255)
        alpha = None if alpha is None else alpha.astype(np.uint8) * np.uint8(255)
        scale = 255
    if alpha is None:
        if scale == 255:
            return color.astype(np.uint8, copy=True)
        # round(c * 255 / 65535) = round(c / 257), exact in integers
        return ((color.astype(np.uint32) + 128) // 257).astype(np.uint8)
    # round((255 * c * a + bg * S * (S - a)) / S**2) in exact integer arithmetic;
    # S**2 is odd, so there are no ties to break.
    wide = np.uint32 if scale == 255 else np.uint64
    c, a = color.astype(wide), alpha.astype(wide)
    numerator = wide(255) * c * a + wide(background * scale) * (wide(scale) - a)
    square = wide(scale * scale)
    return ((numerator + square // wide(2)) // square).astype(np.uint8)


def _as_array(image, name: str) -> np.ndarray:
    if isinstance(image, np.ndarray):
        return image
    try:
        array = np.asarray(image)
    except (ValueError, TypeError):
        raise InvalidImageError(f"{name} is not an array of numbers; pass a numpy array such as colorlab.load_image() returns") from None
    if array.dtype == object:
        raise InvalidImageError(f"{name} is not an array of numbers; pass a numpy array such as colorlab.load_image() returns")
    return array


def _check_uint8(array: np.ndarray, name: str) -> None:
    if array.dtype == np.uint8:
        return
    if np.issubdtype(array.dtype, np.integer) and array.dtype != np.uint16:
        # to_rgb8 refuses these too (it does not guess a scale): name the fix that works
        raise InvalidImageError(
            f"{name} has dtype {array.dtype} but must be uint8: if its values are 0..255, "
            f"convert it with np.asarray({name}, np.uint8) (colorlab.to_rgb8 takes uint8, uint16, bool or 0..1 floats)"
        )
    advice = f"convert it with colorlab.to_rgb8({name})"
    if np.issubdtype(array.dtype, np.floating) and array.size:
        # this scan only happens on the way to an error
        if not np.isfinite(array).all():
            advice = "it contains NaN or infinite values: replace them (e.g. with np.nan_to_num), then " + advice
        elif array.max() > 1.0:
            advice = f"its values go up to {float(array.max()):g}; if they are 0..255, convert it with colorlab.to_rgb8({name} / 255)"
        else:
            advice += " (floats must be within 0..1)"
    raise InvalidImageError(f"{name} has dtype {array.dtype} but must be uint8: {advice}")


def _check_not_empty(array: np.ndarray, name: str) -> None:
    if array.size == 0:
        raise InvalidImageError(f"{name} has shape {array.shape}, which has no pixels; give at least one pixel")


def _shape_advice(array: np.ndarray, name: str, *, pixels_ok: bool) -> str:
    wanted = "an (H, W, 3) or (N, 3)" if pixels_ok else "an (H, W, 3)"
    shape = array.shape
    if array.ndim == 2 and shape[1] == 3 and not pixels_ok:
        return f"{name} has shape {shape}, which looks like a list of pixels; this needs an image: reshape it to (H, W, 3)"
    if array.ndim == 2:
        return f"{name} has shape {shape}, which looks like a grayscale image: convert it with colorlab.to_rgb8({name})"
    if array.ndim == 3 and shape[0] in (3, 4) and shape[2] not in (1, 2, 3, 4):
        return f"{name} has shape {shape}, which looks like channels first; move them last with np.moveaxis({name}, 0, -1)"
    if array.ndim == 3 and shape[2] in (1, 2, 4):
        kind = {1: "grayscale", 2: "gray + alpha", 4: "RGBA"}[shape[2]]
        return f"{name} has shape {shape}, which looks like a {kind} image: convert it with colorlab.to_rgb8({name})"
    return f"{name} has shape {shape} but must be {wanted} array of RGB values"


def _check_background(background) -> tuple[int, int, int]:
    message = f"background must be an RGB triple of whole numbers from 0 to 255 such as (255, 255, 255), got {background!r}"
    try:
        values = tuple(background)
    except TypeError:
        raise InvalidParameterError(message) from None
    if len(values) != 3 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 0 <= v <= 255 for v in values):
        raise InvalidParameterError(message)
    return tuple(int(v) for v in values)
