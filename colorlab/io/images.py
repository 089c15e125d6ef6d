"""Loading and saving images as ``(H, W, 3)`` uint8 RGB arrays.

One image type crosses colorlab's boundary: an ``(H, W, 3)`` ``uint8`` RGB
array. :func:`load_image` turns whatever file a user has into one (EXIF
orientation, grayscale, 16-bit, palette, CMYK, alpha, animation), refusing
oversized and broken files with a clear :class:`~colorlab.ImageFileError` or
:class:`~colorlab.ImageTooLargeError`. :func:`save_image` writes one atomically.
:func:`as_image` and :func:`as_pixels` check arrays passed to the library;
:func:`to_rgb8` is the one explicit converter from other array layouts.

Pillow does the decoding and encoding.

Examples
--------
>>> import colorlab
>>> image = colorlab.load_image("coffee")
>>> image.shape, image.dtype
((400, 600, 3), dtype('uint8'))
"""

from __future__ import annotations

import io
import os
import threading
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from . import png as _png
from ..palette.core import Palette
from ..util.files import write_atomically
from .png import COMPRESS  # the ``compress`` choices of save_image (and ``colorlab quantize --compress``)
from .._engine.codes import pack_rgb
from ..errors import (
    ColorlabError,
    ColorlabWarning,
    ImageFileError,
    ImageTooLargeError,
    InvalidImageError,
    InvalidParameterError,
)

__all__ = ["DEFAULT_MAX_PIXELS", "SAVE_FORMATS", "INDEXED_FORMATS", "load_image", "load_image_alpha", "save_image",
           "png_bytes", "as_image", "as_pixels", "to_rgb8"]

#: Largest image :func:`load_image` reads unless told otherwise: 100 megapixels
#: (a 12-megapixel photo fits eight times over; decoding it takes about 700 MB).
DEFAULT_MAX_PIXELS = 100_000_000

#: File suffixes :func:`save_image` writes, and the Pillow format used for each.
SAVE_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".webp": "WEBP",
    ".ppm": "PPM",
    ".gif": "GIF",  # indexed only: save_image(..., palette=...)
}
_SAVE_OPTIONS = {"JPEG": {"quality": 95}, "WEBP": {"lossless": True}}

# EXIF orientation tag value -> the Pillow transpose that shows the photo upright
# (the same table as PIL.ImageOps.exif_transpose, applied here to the final array
# so that 16-bit files, whose full precision Pillow cannot keep in an Image, share it).
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION_TAG = 0x0112

# Pillow's decompression-bomb limit is a process-wide setting; load_image lifts it
# for the moment of Image.open (our own max_pixels check replaces it) under a lock,
# and always restores it.
_PILLOW_LIMIT_LOCK = threading.Lock()


# --------------------------------------------------------------------------- arrays


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


# --------------------------------------------------------------------------- files


def load_image(source, *, background=(255, 255, 255), max_pixels=DEFAULT_MAX_PIXELS, name=None) -> np.ndarray:
    """Read an image file (or a bundled photo by name, or a file's bytes) as an ``(H, W, 3)`` uint8 RGB array.

    Whatever the file holds comes out the same way:

    - EXIF orientation is applied, so phone photos come out the right way up;
    - grayscale (including 1-bit) is copied to R, G and B;
    - 16-bit files (gray, 48-bit RGB and 64-bit RGBA PNG) are scaled to 8 bits
      by dividing by 257 and rounding, keeping their full precision until then;
    - palette images are expanded; CMYK (e.g. print JPEGs) is converted to RGB
      with Pillow's simple formula (no color profile);
    - transparency (alpha, or a transparent palette entry or color) is
      composited over ``background``, white by default;
    - an animated file (GIF, APNG, WebP) gives its first frame.

    Parameters
    ----------
    source : str, path-like, bytes or binary file object
        A path to an image file, the name of a bundled photo
        (see :func:`colorlab.samples`), or the content of an image file held
        in memory: ``bytes`` (e.g. an upload, or ``response.content``) or a
        file object opened in binary mode (e.g. ``io.BytesIO``), read from its
        current position to the end and not closed.
    background : tuple of 3 ints
        RGB color (0..255 each) that shows through transparent pixels.
    max_pixels : int or None
        Refuse files whose header announces more pixels than this, before
        decoding anything. Default :data:`DEFAULT_MAX_PIXELS` (100 megapixels);
        ``None`` means no limit.
    name : str, optional
        How error messages and warnings call the source, e.g.
        ``"the uploaded file 'cat.png'"``. Default: the path in quotes, or
        ``"the image data"`` for bytes and file objects.

    Returns
    -------
    numpy.ndarray
        ``(H, W, 3)`` uint8 RGB, a new array.

    Raises
    ------
    ImageFileError
        Missing file, a folder, no permission, empty file, not an image,
        truncated or corrupt file, unsupported format or unknown photo name.
    ImageTooLargeError
        The image has more pixels than ``max_pixels``.
    InvalidParameterError
        ``source`` is of another type, or ``background``, ``max_pixels`` or
        ``name`` is not valid.

    Warns
    -----
    ColorlabWarning
        When Pillow noticed something odd but still decoded the image
        (e.g. corrupt EXIF data).

    Notes
    -----
    Pillow's own decompression-bomb limit (``PIL.Image.MAX_IMAGE_PIXELS``) is
    replaced by ``max_pixels``: it is lifted, under a lock, only while the file
    header is read, and restored at once. 16-bit color TIFFs are read with
    Pillow's 8-bit precision (only PNG gets the exact 16-bit route).

    Examples
    --------
    >>> image = load_image("rocket")
    >>> image.shape, image.dtype
    ((427, 640, 3), dtype('uint8'))
    >>> from colorlab import sample_path
    >>> upload = sample_path("rocket").read_bytes()
    >>> load_image(upload, name="the uploaded file 'rocket.jpg'").shape
    (427, 640, 3)
    >>> load_image(upload[:100], name="the uploaded file 'rocket.jpg'")
    Traceback (most recent call last):
    ...
    colorlab.errors.ImageFileError: cannot read the uploaded file 'rocket.jpg': its header is corrupt; save or download the image again
    """
    background = _check_background(background)
    array, orientation, label = _read(source, max_pixels, name)
    image = array if _fresh_rgb8(array) else _to_rgb8(array, background, label)
    return _orient(image, orientation)


def load_image_alpha(source, *, max_pixels=DEFAULT_MAX_PIXELS, name=None) -> tuple[np.ndarray, np.ndarray]:
    """Read an image file as its colors and its alpha channel, both uint8, without compositing.

    Everything :func:`load_image` does (orientation, 16 bits, palettes, the first frame of an
    animation), except that transparency is returned instead of composited: a transparent palette
    entry or color gives alpha 0, an opaque file alpha 255 everywhere. ``alpha >= 128`` is the mask
    of the pixels a logo's palette should count (``fit_palette(image, k, mask=alpha >= 128)``), and
    :func:`save_image` keeps them transparent with ``alpha=``.

    Parameters
    ----------
    source, max_pixels, name
        As in :func:`load_image`.

    Returns
    -------
    image : ndarray of uint8, shape (H, W, 3)
        The colors as stored (a fully transparent pixel keeps whatever color the file holds there).
    alpha : ndarray of uint8, shape (H, W)
        0 = transparent, 255 = opaque (16-bit alpha is scaled like the colors).

    Raises
    ------
    ImageFileError, ImageTooLargeError, InvalidParameterError
        As :func:`load_image`.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGBA", (2, 1), (255, 0, 0, 0)).save(buffer, "PNG")
    >>> image, alpha = load_image_alpha(buffer.getvalue())
    >>> image.tolist(), alpha.tolist()
    ([[[255, 0, 0], [255, 0, 0]]], [[0, 0]])
    >>> load_image_alpha("coffee")[1].min()
    np.uint8(255)
    """
    array, orientation, label = _read(source, max_pixels, name)
    if array.ndim == 2:  # gray: (H, W, 1), so a gray image 3 pixels wide is not taken for a list of pixels
        array = array[..., None]
    color, alpha = _split_channels(array, label)
    image = color if _fresh_rgb8(color) else _to_rgb8(color, (255, 255, 255), label)
    if alpha is None:
        alpha8 = np.full(image.shape[:2], 255, np.uint8)
    else:
        alpha8 = _to_rgb8(alpha[..., None], (255, 255, 255), label)[..., 0]
    return _orient(image, orientation), _orient(alpha8, orientation)


def _fresh_rgb8(array: np.ndarray) -> bool:
    """True for an (H, W, 3) uint8 array the decoder just made for us alone (no need to copy it again)."""
    return (array.dtype == np.uint8 and array.ndim == 3 and array.shape[2] == 3 and array.flags.owndata
            and array.flags.c_contiguous and array.flags.writeable)


def _read(source, max_pixels, name) -> tuple[np.ndarray, int, str]:
    """Decode the first frame of a file, bytes or bundled photo: (array in a to_rgb8 layout, EXIF orientation, label)."""
    max_pixels = _check_max_pixels(max_pixels)
    name = _check_name(name)
    try:
        if _is_in_memory(source):
            label = name or "the image data"
            stream = _memory_stream(source, label)
        else:
            path = _existing_file(source)
            label = name or repr(str(path))
            stream = open(path, "rb")
        with stream, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            array, orientation = _decode(stream, label, max_pixels)
    except ColorlabError:
        raise
    except PermissionError:
        raise ImageFileError(f"cannot read {label}: no permission to read it; change its permissions or copy it somewhere readable") from None
    except OSError as err:
        raise ImageFileError(f"cannot read {label}: {err.strerror or err}; check the file") from None
    for warning in caught:
        if not issubclass(warning.category, ResourceWarning):
            warnings.warn(f"while reading {label}: {warning.message}", ColorlabWarning, stacklevel=3)
    return array, orientation, label


def _check_name(name) -> str | None:
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise InvalidParameterError(f"name must be a text such as \"the uploaded file 'cat.png'\", got {name!r}")
    return name


def _is_in_memory(source) -> bool:
    return isinstance(source, (bytes, bytearray, memoryview)) or (hasattr(source, "read") and not isinstance(source, (str, os.PathLike)))


def _memory_stream(source, label: str) -> io.BytesIO:
    """The bytes of an in-memory image file, as a fresh stream (the caller's file object is only read)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        try:
            data = source.read()
        except ValueError:  # e.g. "I/O operation on closed file"
            raise ImageFileError(f"cannot read {label}: the file object is closed; pass it while it is open") from None
        if isinstance(data, str):
            raise InvalidParameterError(
                f"{label} was opened as text; open image files in binary mode: open(path, 'rb')"
            )
        data = bytes(data or b"")
    if not data:
        raise ImageFileError(f"cannot read {label}: the file is empty (0 bytes); copy or save the image again")
    return io.BytesIO(data)


def _check_max_pixels(max_pixels) -> int | None:
    if max_pixels is None:
        return None
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, (int, np.integer)) or max_pixels < 1:
        raise InvalidParameterError(f"max_pixels must be a whole number of pixels of at least 1 (or None for no limit), got {max_pixels!r}")
    return int(max_pixels)


def _existing_file(source) -> Path:
    from .samples import resolve

    if not isinstance(source, (str, os.PathLike)):
        hint = "; for an array use colorlab.to_rgb8(array) instead" if isinstance(source, np.ndarray) else ""
        raise InvalidParameterError(
            f"source must be a path, the name of a bundled photo or the bytes of an image file, got {type(source).__name__}{hint}"
        )
    try:
        return _checked_path(resolve(source))
    except ColorlabError:
        raise
    except PermissionError:
        raise ImageFileError(f"cannot read {str(source)!r}: no permission to open its folder; check the folder's permissions") from None
    except (OSError, ValueError) as err:  # e.g. a name too long, or with a NUL character
        reason = getattr(err, "strerror", None) or str(err)
        raise ImageFileError(f"cannot read {str(source)!r}: {reason}; check the path") from None


def _checked_path(path: Path) -> Path:
    label = repr(str(path))
    if not path.exists():
        raise ImageFileError(f"cannot read {label}: there is no such file; check the name and folder")
    if path.is_dir():
        raise ImageFileError(f"cannot read {label}: it is a folder, not an image file; give the path of a file inside it")
    if path.stat().st_size == 0:
        raise ImageFileError(f"cannot read {label}: the file is empty (0 bytes); copy or save the image again")
    return path


def _decode(stream, label: str, max_pixels: int | None) -> tuple[np.ndarray, int]:
    """Decode the first frame of an open image file; return (array, EXIF orientation)."""
    image = _open_unlimited(stream, label)
    with image:
        width, height = image.size
        if max_pixels is not None and width * height > max_pixels:
            raise ImageTooLargeError(
                f"{label} is {width} x {height} = {width * height:,} pixels, more than the limit of {max_pixels:,}; "
                f"pass max_pixels={width * height} (or None) to load_image to read it anyway"
            )
        if width * height == 0:
            raise ImageFileError(f"cannot read {label}: the image has no pixels ({width} x {height}); check the file")
        try:
            array = _pixels(image, stream, label)
            orientation = _orientation(image)
        except ColorlabError:
            raise
        except MemoryError:
            raise ImageTooLargeError(
                f"there is not enough memory to decode {label} ({width} x {height} pixels); "
                "close other programs or shrink the image first"
            ) from None
        except Exception:  # noqa: BLE001 - any failure inside the decoder means a broken file
            raise ImageFileError(f"cannot read {label}: the file is truncated or corrupt; save or download it again") from None
    return array, orientation


def _open_unlimited(stream, label: str) -> Image.Image:
    """Image.open without Pillow's decompression-bomb check (load_image checks max_pixels itself)."""
    stream.seek(0)
    with _PILLOW_LIMIT_LOCK:
        saved_limit = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None
        try:
            return _open(stream, label)
        finally:
            Image.MAX_IMAGE_PIXELS = saved_limit


def _open(stream, label: str) -> Image.Image:
    try:
        return Image.open(stream)
    except UnidentifiedImageError:
        raise ImageFileError(
            f"cannot read {label}: it is not an image file colorlab can read (PNG, JPEG, GIF, BMP, TIFF, WebP...); "
            "convert it to PNG or JPEG first"
        ) from None
    except Exception:  # noqa: BLE001 - a header broken in a way Pillow did not foresee
        raise ImageFileError(f"cannot read {label}: its header is corrupt; save or download the image again") from None


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(_EXIF_ORIENTATION_TAG, 1))
    except Exception:  # noqa: BLE001 - unreadable EXIF: show the pixels as stored
        return 1


def _orient(image: np.ndarray, orientation: int) -> np.ndarray:
    """``image`` ((H, W, ...) array) shown upright: Pillow's transpose for the EXIF orientation, done on the array."""
    method = _ORIENTATION.get(orientation)
    if method is None:
        return image
    T = Image.Transpose
    view = {
        T.FLIP_LEFT_RIGHT: lambda a: a[:, ::-1],
        T.FLIP_TOP_BOTTOM: lambda a: a[::-1],
        T.ROTATE_180: lambda a: a[::-1, ::-1],
        T.ROTATE_90: lambda a: np.rot90(a, 1),  # counter-clockwise, as Pillow's
        T.ROTATE_270: lambda a: np.rot90(a, -1),
        T.TRANSPOSE: lambda a: np.swapaxes(a, 0, 1),
        T.TRANSVERSE: lambda a: np.swapaxes(a[::-1, ::-1], 0, 1),
    }[method](image)
    return np.ascontiguousarray(view)  # one writable copy (Pillow's round trip took three)


def _pixels(image: Image.Image, stream, label: str) -> np.ndarray:
    """Return the pixels as an array in one of the layouts :func:`to_rgb8` accepts."""
    rawmode = _png_rawmode(image)
    if rawmode in _PNG16_LOW_BYTES:
        return _png16_color(image, rawmode, stream, label)
    image.load()  # decode everything now, so truncation is detected here
    mode = image.mode
    transparency = image.info.get("transparency")
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        return _gray16(image, transparency, label)
    if mode == "F":
        raise ImageFileError(
            f"cannot read {label}: it holds floating-point pixels, which colorlab does not guess how to scale; "
            "save it as an 8- or 16-bit PNG"
        )
    if mode == "1":
        return _array(image.convert("L"))
    if mode == "L" and transparency is None:
        return _array(image)
    if mode in ("L", "LA", "La"):
        return _array(image.convert("LA"))
    if mode == "RGB" and transparency is None:
        return _array(image)  # convert("RGB") would be a copy of the same pixels
    if mode in ("RGB", "CMYK", "YCbCr", "LAB", "HSV") and transparency is None:
        return _array(image.convert("RGB"))
    return _array(image.convert("RGBA"))


#: Rows of pixels copied at a time by :func:`_array` (bytes of the image's rows, about).
_STRIP_BYTES = 1 << 22


def _array(image: Image.Image) -> np.ndarray:
    """The pixels of an 8-bit Pillow image as a new writable (H, W[, C]) uint8 array, copied a strip of rows at a time.

    ``np.asarray(image)`` goes through ``image.tobytes()``, which holds the pixels twice more at its
    peak (its pieces, then their join): 72 MB more for a 12-megapixel RGB photo. Strips of about
    4 MB keep the extra memory at that.
    """
    width, height = image.size
    channels = len(image.getbands())
    out = np.empty((height, width, channels) if channels > 1 else (height, width), np.uint8)
    rows = max(1, _STRIP_BYTES // max(1, width * channels))
    for top in range(0, height, rows):
        strip = image.crop((0, top, width, min(height, top + rows)))
        out[top:top + strip.size[1]] = np.asarray(strip)
    return out


# Pillow 13 keeps only the high byte of 48-bit RGB, 64-bit RGBA and 32-bit gray+alpha
# PNGs. Decoding the same data a second time with the little-endian raw mode makes
# Pillow's unpacker pick the other byte of each sample (the low byte), and the
# PNG unfiltering is unchanged because the raw mode has the same bits per pixel.
# For gray+alpha the 8-bit "RGBA" raw mode copies all four bytes at once.
# This keeps decoding in Pillow's C code (a hand-written PNG decoder would be slow
# and large), at the cost of a second decode of 16-bit color files only.
_PNG16_LOW_BYTES = {"RGB;16B": "RGB;16L", "RGBA;16B": "RGBA;16L", "LA;16B": "RGBA"}


def _png_rawmode(image: Image.Image) -> str | None:
    if image.format != "PNG" or len(image.tile) != 1:
        return None
    args = image.tile[0].args
    return args if isinstance(args, str) else None


def _png16_color(image: Image.Image, rawmode: str, stream, label: str) -> np.ndarray:
    low_image = _open_unlimited(stream, label)
    with low_image:
        low_image.tile = [tile._replace(args=_PNG16_LOW_BYTES[rawmode]) for tile in low_image.tile]
        low = np.asarray(low_image).astype(np.uint16)
    if rawmode == "LA;16B":
        gray = (low[..., 0] << 8) | low[..., 1]
        alpha = (low[..., 2] << 8) | low[..., 3]
        return np.stack([gray, alpha], axis=-1)
    high = np.asarray(image).astype(np.uint16)
    samples = (high << 8) | low
    transparency = image.info.get("transparency")
    if rawmode == "RGB;16B" and isinstance(transparency, tuple) and len(transparency) == 3:
        alpha = np.where((samples == np.array(transparency, np.uint16)).all(axis=-1), 0, 65535).astype(np.uint16)
        return np.concatenate([samples, alpha[..., None]], axis=-1)
    return samples


def _gray16(image: Image.Image, transparency, label: str) -> np.ndarray:
    gray = np.asarray(image)
    if gray.dtype != np.uint16:
        if gray.min() < 0 or gray.max() > 65535:
            raise ImageFileError(f"cannot read {label}: its gray values go beyond the 16-bit range 0..65535; save it as an 8- or 16-bit PNG")
        gray = gray.astype(np.uint16)
    gray = gray.astype(np.uint16, copy=False)  # native byte order
    if transparency is None or not isinstance(transparency, int):
        return gray
    alpha = np.where(gray == transparency, 0, 65535).astype(np.uint16)
    return np.stack([gray, alpha], axis=-1)


# --------------------------------------------------------------------------- saving


def save_image(path, image, *, palette=None, alpha=None, threshold: int = 128, compress: str = "default") -> Path:
    """Write an ``(H, W, 3)`` uint8 RGB image to ``path``, atomically; the suffix picks the format.

    PNG is lossless; JPEG is written at quality 95; see :data:`SAVE_FORMATS`
    for every suffix. The file appears complete or not at all: a file that
    already exists at ``path`` survives any failure.

    Parameters
    ----------
    path : str or path-like
        Where to write, e.g. ``"quantized.png"``.
    image : numpy.ndarray
        ``(H, W, 3)`` uint8 RGB.
    palette : Palette, optional
        Write an *indexed* image (``.png`` or ``.gif`` only): the file stores the
        palette's colors once and one small index per pixel (1, 2, 4 or 8 bits),
        which makes quantized PNGs several times smaller. Every pixel of ``image``
        must be one of the palette's colors (quantize it first with
        :func:`colorlab.quantize`); at most 256 colors (255 with ``alpha``).
    alpha : ndarray of uint8 or bool, shape (H, W), optional
        Transparency to keep (from :func:`load_image_alpha`; bool: True = opaque). With ``palette``
        the file gets one more palette entry, transparent (a PNG ``tRNS`` entry, a GIF
        transparent index), for the pixels whose alpha is below ``threshold``; the others are
        opaque. Without ``palette``, PNG, TIFF and WebP are written as RGBA with this alpha as it
        is; JPEG, BMP and PPM hold no transparency and are refused.
    threshold : int, default 128
        With ``palette`` and ``alpha``: pixels with alpha below it are transparent.
    compress : {"fast", "default", "small"}, default "default"
        How hard a PNG is compressed; the pixels are the same. Indexed PNGs (deflated by
        libdeflate): ``"fast"`` (level 1), ``"default"`` (level 10 up to 512 KB of packed
        indices, about 1 megapixel at 16 colors, level 9 above: files a few percent smaller than
        pngquant's), ``"small"`` (level 12, then oxipng or zopflipng if one is installed). RGB
        PNGs: Pillow's compress level 1, 6 or 9. Other formats ignore it.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InvalidImageError
        If ``image`` is not ``(H, W, 3)`` uint8.
    ImageFileError
        If the suffix is not supported, or the file cannot be written.
    InvalidParameterError
        With ``palette``: more than 256 colors, a suffix that holds no palette,
        or pixels whose color is not in the palette; an unknown ``compress``.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "tiny.png"
    >>> image = np.zeros((2, 3, 3), np.uint8)
    >>> save_image(target, image).name
    'tiny.png'
    >>> bool((load_image(target) == image).all())
    True
    """
    image = as_image(image)
    path, fmt = _save_format(path)
    compress = _check_compress(compress)
    if palette is None and fmt in INDEXED_ONLY_FORMATS:
        raise InvalidParameterError(
            f"cannot write {str(path)!r}: a {path.suffix} file holds at most 256 colors; quantize the image and "
            "pass its palette (save_image(path, quantized, palette=palette)), or save as .png"
        )
    alpha = None if alpha is None else _check_alpha(alpha, image.shape[:2], path, fmt)
    if palette is not None:
        _check_indexed(palette, path, fmt)
        transparent = None if alpha is None else alpha < _check_threshold(threshold)
        table, with_transparent = _entries(palette, transparent, path)
        labels = _palette_labels(image, palette, transparent if with_transparent else None)
        return _write_indexed(path, fmt, labels, table, len(palette) if with_transparent else None, compress)
    if alpha is not None:
        rgba = np.concatenate([image, alpha[..., None]], axis=-1)
        picture = Image.fromarray(np.ascontiguousarray(rgba), "RGBA")
    else:
        picture = Image.fromarray(np.ascontiguousarray(image))
    options = dict(_SAVE_OPTIONS.get(fmt, {}), **({"compress_level": _RGB_PNG_LEVEL[compress]} if fmt == "PNG" else {}))
    return write_atomically(path, lambda tmp: picture.save(tmp, format=fmt, **options))


def save_indexed(path, labels, palette, *, alpha=None, threshold: int = 128, compress: str = "default") -> Path:
    """Write an indexed ``.png`` or ``.gif`` from each pixel's palette index, atomically (private).

    What :func:`save_image` writes for ``quantize(image, palette)`` with ``palette=``, from the
    labels :func:`colorlab.quantize` gives with ``return_labels=True``, without the RGB image
    and the search for each pixel's entry (the command line writes this way).

    Parameters
    ----------
    path : str or path-like
        A ``.png`` or ``.gif`` file name.
    labels : ndarray of uint8, shape (H, W)
        Index into ``palette.colors`` of every pixel.
    palette : Palette
        At most 256 colors (255 with transparency).
    alpha, threshold, compress
        As in :func:`save_image`.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path, fmt = _save_format(path)
    compress = _check_compress(compress)
    _check_indexed(palette, path, fmt)
    labels = np.asarray(labels)
    if labels.dtype != np.uint8 or labels.ndim != 2 or (labels.size and int(labels.max()) >= len(palette)):
        raise InvalidParameterError(f"labels must be an (H, W) uint8 array of indices below {len(palette)}")
    transparent = None if alpha is None else _check_alpha(alpha, labels.shape, path, fmt) < _check_threshold(threshold)
    table, with_transparent = _entries(palette, transparent, path)
    if with_transparent:
        labels = np.where(transparent, np.uint8(len(palette)), labels)
    return _write_indexed(path, fmt, labels, table, len(palette) if with_transparent else None, compress)


def png_bytes(image, palette=None, *, compress: str = "default") -> bytes:
    """The PNG file :func:`save_image` writes for ``image`` (with ``palette``: indexed), in memory.

    :func:`colorlab.metrics.png_size` is its length.

    Examples
    --------
    >>> png_bytes(np.zeros((2, 2, 3), np.uint8))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    import io

    image = as_image(image, "image")
    compress = _check_compress(compress)
    buffer = io.BytesIO()
    if palette is None:
        Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG", compress_level=_RGB_PNG_LEVEL[compress])
    else:
        _check_indexed(palette, Path("image.png"), "PNG")
        table = _entries(palette, None, Path("image.png"))[0]
        _png.write_indexed_png(buffer, _palette_labels(image, palette, None), table, compress=compress)
    return buffer.getvalue()


#: Formats that hold an alpha channel (RGBA) when written without a palette.
ALPHA_FORMATS = ("PNG", "TIFF", "WEBP")

_RGB_PNG_LEVEL = {"fast": 1, "default": 6, "small": 9}  # Pillow's compress_level (6 is its own default)


def _check_compress(compress) -> str:
    if not isinstance(compress, str) or compress not in COMPRESS:
        raise InvalidParameterError(f"compress must be one of {', '.join(map(repr, COMPRESS))}, got {compress!r}")
    return compress


def _save_format(path) -> tuple[Path, str]:
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidParameterError(f"path must be a file name such as 'out.png', got {type(path).__name__}")
    path = Path(path)
    fmt = SAVE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImageFileError(
            f"cannot write {str(path)!r}: colorlab does not know the suffix {path.suffix or '(none)'!r}; "
            f"end the file name with one of {', '.join(SAVE_FORMATS)}"
        )
    return path, fmt


def _check_threshold(threshold) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or not 1 <= threshold <= 255:
        raise InvalidParameterError(f"the alpha threshold must be a whole number from 1 to 255, got {threshold!r}")
    return int(threshold)


def _check_alpha(alpha, size: tuple, path: Path, fmt: str) -> np.ndarray:
    array = _as_array(alpha, "alpha")
    if array.dtype == np.bool_:
        array = np.where(array, np.uint8(255), np.uint8(0))
    if array.dtype != np.uint8 or array.shape != tuple(size):
        raise InvalidParameterError(
            f"alpha must be an (H, W) uint8 (or bool) array of the image's size {size[0]} x {size[1]}, "
            f"got {array.dtype} of shape {array.shape}"
        )
    if fmt not in ALPHA_FORMATS + INDEXED_FORMATS:
        raise InvalidParameterError(
            f"cannot keep transparency in {str(path)!r}: a {path.suffix} file holds none; "
            "write .png (or .gif, .webp, .tif), or put the image on a background color"
        )
    return array


#: Formats that can store a palette (an indexed image), and those that can store nothing else.
INDEXED_FORMATS = ("PNG", "GIF")
INDEXED_ONLY_FORMATS = ("GIF",)


def _check_indexed(palette, path: Path, fmt: str) -> None:
    if not isinstance(palette, Palette):
        raise InvalidParameterError(f"palette must be a colorlab.Palette, got {type(palette).__name__}")
    if fmt not in INDEXED_FORMATS:
        raise InvalidParameterError(
            f"cannot write {str(path)!r} with a palette: only .png and .gif files hold one; "
            "change the suffix or leave out palette="
        )
    if len(palette) > 256:
        raise InvalidParameterError(
            f"an indexed {path.suffix} holds at most 256 colors, but the palette has {len(palette)}; "
            "fit at most 256 colors, or save without palette= (full RGB)"
        )


def _palette_labels(image: np.ndarray, palette, transparent: np.ndarray | None) -> np.ndarray:
    """(H, W) uint8 palette index of every pixel; ``len(palette)`` (below 256) for the transparent ones."""
    if transparent is None or not transparent.any():
        return _palette_indices(image, palette.colors)
    # the transparent pixels' colors need not be in the palette: they all take the extra entry
    labels = np.full(image.shape[:2], len(palette), np.uint8)
    labels[~transparent] = _palette_indices(image[~transparent][None], palette.colors)[0]
    return labels


def _entries(palette, transparent: np.ndarray | None, path: Path) -> tuple[np.ndarray, bool]:
    """The palette table to write (plus a transparent entry when some pixel is transparent)."""
    table = np.ascontiguousarray(palette.colors, np.uint8)
    if transparent is None or not transparent.any():
        return table, False
    if len(palette) + 1 > 256:
        raise InvalidParameterError(
            f"an indexed {path.suffix} with transparency holds at most 255 colors (one entry is the transparent one), "
            "but the palette has 256; fit at most 255 colors"
        )
    return np.vstack([table, np.zeros((1, 3), np.uint8)]), True


def _write_indexed(path: Path, fmt: str, labels: np.ndarray, table: np.ndarray, transparent_index, compress: str) -> Path:
    """Write the indexed file; ``transparent_index``: the (last) entry of the transparent pixels, or None."""
    if fmt == "PNG":
        transparency = None if transparent_index is None else bytes([255] * transparent_index + [0])

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as stream:
                _png.write_indexed_png(stream, labels, table, transparency=transparency, compress=compress)
            if compress == "small":
                _png.optimise(tmp)

        return write_atomically(path, write)
    picture = Image.fromarray(np.ascontiguousarray(labels))
    picture.putpalette(table.tobytes())  # makes it a "P" image
    options = {} if transparent_index is None else {"transparency": transparent_index}
    return write_atomically(path, lambda tmp: picture.save(tmp, format=fmt, **options))


def _palette_indices(image: np.ndarray, colors: np.ndarray) -> np.ndarray:
    """(H, W) uint8 index of each pixel's color in ``colors``; every pixel must match one exactly."""
    palette_codes = pack_rgb(colors)
    order = np.argsort(palette_codes, kind="stable")
    sorted_codes = palette_codes[order]
    codes = pack_rgb(image.reshape(-1, 3)).reshape(image.shape[:2])
    position = np.searchsorted(sorted_codes, codes).clip(max=len(sorted_codes) - 1)
    missing = sorted_codes[position] != codes
    if missing.any():
        r, g, b = image[missing][0]
        raise InvalidParameterError(
            f"the image has {int(missing.sum())} pixels whose color (e.g. #{r:02x}{g:02x}{b:02x}) is not in the "
            "palette; quantize it first with colorlab.quantize(image, palette)"
        )
    return order[position].astype(np.uint8)
