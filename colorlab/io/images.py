"""Loading images as ``(H, W, 3)`` uint8 RGB arrays.

One image type crosses colorlab's boundary: an ``(H, W, 3)`` ``uint8`` RGB
array. :func:`load_image` turns whatever file a user has into one (EXIF
orientation, grayscale, 16-bit, palette, CMYK, alpha, animation), refusing
oversized and broken files with a clear :class:`~colorlab.ImageFileError` or
:class:`~colorlab.ImageTooLargeError`. :mod:`.saving` writes images atomically; :mod:`.arrays` checks
the arrays passed to the library.

Pillow does the decoding and encoding, except for ordinary 8-bit PNGs, which :mod:`._pngread` decodes
faster (with libdeflate and an engine kernel; most of them without importing Pillow at all), handing back to
Pillow any file in which something is unusual or wrong. Pillow is imported when a file needs it.

Examples
--------
>>> import colorlab
>>> image = colorlab.load_image("coffee")
>>> image.shape, image.dtype
((400, 600, 3), dtype('uint8'))
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import threading
import warnings
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import _early
from ._pngread import read_pixels as _read_png_pixels
from ._pngread import read_plain as _read_plain_png
from .png import _SIGNATURE as _PNG_SIGNATURE
from .arrays import _check_background, _split_channels, _to_rgb8
from ..errors import (
    ColorlabError,
    ColorlabWarning,
    ImageFileError,
    ImageTooLargeError,
    InvalidParameterError,
)

if TYPE_CHECKING:  # the annotations' Image; Pillow itself is imported where a file needs it
    from PIL import Image

__all__ = ["DEFAULT_MAX_PIXELS", "DEFAULT_MAX_FRAME_PIXELS", "VIDEO_SUFFIXES", "ANIMATED_FORMATS", "load_image",
           "load_image_alpha", "read_still", "is_animated", "pillow_limit_lifted"]

#: Largest image :func:`load_image` reads unless told otherwise: 100 megapixels
#: (a 12-megapixel photo fits eight times over; decoding it takes about 700 MB).
DEFAULT_MAX_PIXELS = 100_000_000
#: The most frames x pixels :func:`colorlab.redraw.animation.load_animation` reads unless told otherwise
#: (100 million: e.g. 325 frames of 640 x 480; the frames take 3 bytes a pixel, 4 with alpha).
DEFAULT_MAX_FRAME_PIXELS = 100_000_000
#: Video suffixes (read and written through imageio's pyav plugin by :mod:`colorlab.redraw.animation`).
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v")


# EXIF orientation tag value -> the name of the Pillow transpose that shows the photo upright
# (the same table as PIL.ImageOps.exif_transpose, applied here to the final array
# so that 16-bit files, whose full precision Pillow cannot keep in an Image, share it).
_ORIENTATION = {
    2: "FLIP_LEFT_RIGHT",
    3: "ROTATE_180",
    4: "FLIP_TOP_BOTTOM",
    5: "TRANSPOSE",
    6: "ROTATE_270",
    7: "TRANSVERSE",
    8: "ROTATE_90",
}
_EXIF_ORIENTATION_TAG = 0x0112

# Pillow's decompression-bomb limit is a process-wide setting; load_image lifts it
# for the moment of Image.open (our own max_pixels check replaces it) under a lock,
# and always restores it.
_PILLOW_LIMIT_LOCK = threading.Lock()

#: Pillow formats whose extra frames make an animation. A JPEG's second picture (MPO: a phone's gain
#: map, the other eye of a stereo pair) and a TIFF's further pages are not frames of one clip: such a
#: file is a still photo, its first picture, everywhere in colorlab.
ANIMATED_FORMATS = ("GIF", "PNG", "WEBP")


def is_animated(picture: Image.Image) -> bool:
    """True when the open Pillow image is an animation: a GIF, APNG or WebP of more than one frame."""
    return picture.format in ANIMATED_FORMATS and getattr(picture, "n_frames", 1) > 1


@contextlib.contextmanager
def pillow_limit_lifted():
    """Pillow's decompression-bomb limit lifted for the ``with`` block, under a lock, and restored after.

    For readers that check a pixel limit of their own from the header first (``max_pixels``,
    ``max_frame_pixels``): Pillow's would otherwise refuse a file the user allowed.
    """
    from PIL import Image

    with _PILLOW_LIMIT_LOCK:
        saved_limit = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None
        try:
            yield
        finally:
            Image.MAX_IMAGE_PIXELS = saved_limit


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
    return _composited(*_read(source, max_pixels, name), background)


def _composited(array: np.ndarray, orientation: int, label: str, background) -> np.ndarray:
    image = array if _fresh_rgb8(array) else _to_rgb8(array, background, label)
    return _orient(image, orientation)


def read_still(source, *, background=None, max_pixels=DEFAULT_MAX_PIXELS, name=None):
    """``(image, alpha)`` of a still image, or None when the file is an animation, from one opening of the file.

    What the command line does with any input: an animation (see :func:`is_animated`) goes to
    :mod:`colorlab.redraw.animation`, which has its own frame limit, so neither ``max_pixels`` nor
    Pillow's limit is applied to it here; anything else is read as :func:`load_image_alpha` reads it
    (``alpha`` is None with a ``background``, which transparency is composited on, as
    :func:`load_image` does).

    Examples
    --------
    >>> image, alpha = read_still("coffee")
    >>> image.shape[2], int(alpha.min())
    (3, 255)
    """
    if background is not None:
        background = _check_background(background)
    read = _read(source, max_pixels, name, stills_only=True)
    if read is None:
        return None
    if background is not None:
        return _composited(*read, background), None
    return _with_alpha(*read)


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
    return _with_alpha(*_read(source, max_pixels, name))


def _with_alpha(array: np.ndarray, orientation: int, label: str) -> tuple[np.ndarray, np.ndarray]:
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


def _read(source, max_pixels, name, stills_only: bool = False):
    """Decode the first frame of a file, bytes or bundled photo: (array in a to_rgb8 layout, EXIF orientation, label).

    With ``stills_only``, None for an animation, found from the header before anything is decoded.
    """
    max_pixels = _check_max_pixels(max_pixels)
    name = _check_name(name)
    try:
        early = None
        if _is_in_memory(source):
            label = name or "the image data"
            stream = _memory_stream(source, label)
        else:
            path = _existing_file(source)
            label = name or repr(str(path))
            early = _early.take(path)  # decoded while the command line's modules loaded, if it was
            stream = open(path, "rb")
        with stream, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            decoded = _decode(stream, label, max_pixels, stills_only, early)
            if decoded is None:
                return None
            array, orientation = decoded
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
    if not isinstance(source, (str, os.PathLike)):
        hint = "; for an array use colorlab.to_rgb8(array) instead" if isinstance(source, np.ndarray) else ""
        raise InvalidParameterError(
            f"source must be a path, the name of a bundled photo or the bytes of an image file, got {type(source).__name__}{hint}"
        )
    try:
        path = Path(source)
        if not path.exists():  # a bundled photo's name, or a missing file
            from .samples import resolve  # only then: the table of bundled photos is not needed for a file

            path = resolve(source)
        return _checked_path(path)
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


def _decode(stream, label: str, max_pixels: int | None, stills_only: bool = False, early=None):
    """Decode the first frame of an open image file; return (array, EXIF orientation), or None for an
    animation with ``stills_only``. ``early``: the file's Pillow image already decoded (:mod:`._early`)."""
    plain = None if early is not None else _read_plain_png(stream, max_pixels)  # an ordinary PNG, without Pillow
    if plain is not None:
        return plain, 1
    image = early if early is not None else _open_unlimited(stream, label)
    with image:
        try:
            if stills_only and is_animated(image):
                return None
        except Exception:  # noqa: BLE001 - counting the frames of a broken file: decoding says what is wrong
            pass
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
    with pillow_limit_lifted():
        return _open(stream, label)


#: The first bytes of the two formats photos come in, and the Pillow reader of each. ``Image.open`` of a
#: file object first imports five readers (BMP, GIF, JPEG, PPM, PNG: about 10 ms, a tenth of what
#: ``colorlab quantize`` takes on a 0.4 MP photo); a file with one of these signatures needs only its own.
_SIGNATURES = ((_PNG_SIGNATURE, "PNG", "PIL.PngImagePlugin"), (b"\xff\xd8\xff", "JPEG", "PIL.JpegImagePlugin"))


def _open_by_signature(stream) -> Image.Image | None:
    """The file opened by the one Pillow reader its signature names (the image ``Image.open`` gives, without
    importing the other readers), or None: another format, or a header that reader refuses, which ``Image.open``
    then words."""
    from PIL import Image

    head = stream.read(16)
    stream.seek(0)
    for signature, fmt, plugin in _SIGNATURES:
        if head.startswith(signature):
            import_module(plugin)
            factory, _ = Image.OPEN[fmt]
            try:
                return factory(stream, "")
            except (SyntaxError, IndexError, TypeError, struct.error):  # what Image.open takes for "not this format"
                stream.seek(0)
                return None
    return None


def _open(stream, label: str) -> Image.Image:
    from PIL import Image, UnidentifiedImageError

    try:
        image = _open_by_signature(stream)
        return image if image is not None else Image.open(stream)
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
    view = {
        "FLIP_LEFT_RIGHT": lambda a: a[:, ::-1],
        "FLIP_TOP_BOTTOM": lambda a: a[::-1],
        "ROTATE_180": lambda a: a[::-1, ::-1],
        "ROTATE_90": lambda a: np.rot90(a, 1),  # counter-clockwise, as Pillow's
        "ROTATE_270": lambda a: np.rot90(a, -1),
        "TRANSPOSE": lambda a: np.swapaxes(a, 0, 1),
        "TRANSVERSE": lambda a: np.swapaxes(a[::-1, ::-1], 0, 1),
    }[method](image)
    return np.ascontiguousarray(view)  # one writable copy (Pillow's round trip took three)


def _pixels(image: Image.Image, stream, label: str) -> np.ndarray:
    """Return the pixels as an array in one of the layouts :func:`to_rgb8` accepts."""
    rawmode = _png_rawmode(image)
    if rawmode in _PNG16_LOW_BYTES:
        return _png16_color(image, rawmode, stream, label)
    fast = _read_png_pixels(image, stream, rawmode)
    if fast is not None:
        return fast
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
