"""A reader of ordinary 8-bit PNGs (private; :func:`colorlab.io.images._pixels` tries it before Pillow).

Why hand-written: decoding a 1920 x 1278 photo in Pillow took about 74 ms (zlib's inflate, undoing the row
filters, then Pillow's 4-bytes-a-pixel storage copied out to numpy), about 15% of what ``colorlab quantize
-k 256`` takes on it, and 280 ms at 3840 x 2560. libdeflate (the ``deflate`` package, which colorlab
already needs to write PNGs) inflates the same image data in 13 ms against zlib's 28 ms, and the engine's C
kernel (:func:`colorlab._engine.kernels.png_unfilter`) undoes the row filters straight into the final
array. imagecodecs (libpng, libspng) decodes that photo in 41 ms, but is a 45 MB dependency, too heavy
for colorlab's lean install.

Which files: 8 bits a sample, gray, gray and alpha, RGB or RGBA (color types 0, 4, 2 and 6), not interlaced,
without a tRNS chunk, one still image (not an APNG), as Pillow opened it. Every other PNG, and any file in which this
reader finds anything wrong (a chunk cut short, a zlib stream that is corrupt or not exactly the image's
size, an unknown filter type), goes to Pillow, which decodes it from the start and words the problem as
it always has. The pixels are then the array Pillow's path gives, bit for bit.

Two ways in: :func:`read_plain` reads the file without Pillow at all (tried first; it takes only files in
which Pillow would find nothing to add: no EXIF, transparency or animation chunk, every chunk's CRC right,
see its docstring), and :func:`read_pixels` decodes the pixels of a PNG Pillow has opened (the files
:func:`read_plain` leaves, e.g. with an EXIF orientation).

CRCs: as Pillow's own decoding, neither checks the CRCs of the IDAT chunks (a damaged zlib stream still fails
its Adler-32 check in libdeflate). In :func:`read_pixels` the chunks after the image data (text, EXIF) are read
by Pillow's own code, as after its decoding, so the EXIF orientation is found where Pillow finds it.

May import what :mod:`colorlab.io` may (here numpy, Pillow's opened image and :mod:`colorlab._engine`).
"""

from __future__ import annotations

import numpy as np

from .png import _SIGNATURE

#: Channels of the Pillow modes (= raw modes) of 8-bit gray, gray and alpha, RGB and RGBA PNGs.
_CHANNELS = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}


def read_pixels(image, stream, rawmode: str | None) -> np.ndarray | None:
    """The pixels of an ordinary 8-bit PNG that Pillow has opened from ``stream``, or None: a file for Pillow.

    Parameters
    ----------
    image : PIL.PngImagePlugin.PngImageFile
        Opened, not loaded. On success it is left as Pillow's loading leaves it (its ``tile`` emptied, the
        chunks after the image data read into ``image.info``), but its pixel storage is blank: the pixels
        are in the array returned.
    stream : binary file object
        The file ``image`` was opened from (seekable).
    rawmode : str or None
        The raw mode of its single tile (:func:`colorlab.io.images._png_rawmode`).

    Returns
    -------
    numpy.ndarray or None
        (H, W) uint8 for gray, (H, W, 2) for gray and alpha, (H, W, 3) for RGB, (H, W, 4) for RGBA: what
        ``_pixels`` returns from Pillow; None when the file is another kind, or something in it is wrong, for
        Pillow to decode.

    Raises
    ------
    Exception
        Whatever Pillow's own loading raises for the chunks after the image data (an ``OSError`` for a
        file cut short in them): read by Pillow's code, they fail as they fail after its decoding.
    """
    channels = _CHANNELS.get(rawmode)
    if channels is None or not _plain(image, stream, rawmode):
        return None
    width, height = image.size
    offset = image.tile[0][2]
    try:
        data = _image_data(stream, offset)
    except OSError:  # a read error: Pillow words it
        return None
    pixels = None if data is None else _decoded(data, width, height, channels)
    if pixels is not None:
        _finish(image, stream, offset)
    return pixels


def _decoded(data: bytes, width: int, height: int, channels: int) -> np.ndarray | None:
    """The pixels of the image data (the IDAT chunks' bytes, joined) of an 8-bit, non-interlaced PNG, or None when
    the data is not exactly such an image (a corrupt zlib stream, the wrong size, an unknown filter type)."""
    try:
        import deflate  # here, as the engine: loading an image needs neither until it is a PNG

        from .._engine import kernels as _kernels

        raw = deflate.zlib_decompress(data, height * (1 + width * channels))
        if len(raw) != height * (1 + width * channels):
            return None
        pixels = np.empty((height, width, channels) if channels > 1 else (height, width), np.uint8)
        _kernels.png_unfilter(np.frombuffer(raw, np.uint8), height, width * channels, channels, pixels)
    except Exception:  # noqa: BLE001 - anything wrong (DeflateError, a bad filter byte): Pillow words it
        return None
    return pixels


#: Channels of the color types read without Pillow: gray, RGB, gray and alpha, RGBA.
_COLOR_TYPES = {0: 1, 2: 3, 4: 2, 6: 4}
#: Chunks after which Pillow would give other pixels or an orientation: transparency, animation, EXIF.
_FOR_PILLOW = (b"tRNS", b"acTL", b"fcTL", b"fdAT", b"eXIf")
#: Text chunks whose keyword Pillow's ``getexif`` reads an orientation from (EXIF or XMP as text).
_EXIF_TEXT = (b"Raw profile type exif", b"XML:com.adobe.xmp")


def read_plain(stream, max_pixels: int | None) -> np.ndarray | None:
    """The pixels of an ordinary 8-bit PNG read without Pillow, or None: a file for Pillow.

    The whole command line's work on a PNG then needs no Pillow: importing it (``PIL.Image`` with its EXIF
    tables, the PNG plugin, the check for libimagequant) costs about 20 ms, a fifth of what pngquant takes
    on a 0.4-megapixel photo. Only files this reader can decode exactly as Pillow would, with nothing for
    Pillow to add, are read here: 8 bits a sample, gray, gray and alpha, RGB or RGBA, not interlaced, no transparency,
    animation or EXIF chunk (nor EXIF or XMP as text), no critical chunk but IHDR, IDAT and IEND, every chunk
    complete up to IEND with the CRCs of all but the image data right (Pillow checks those), IDAT chunks in
    one run, at most ``max_pixels`` pixels. Anything else (or a read error) gives None, and Pillow decodes
    the file from the start and words whatever is wrong, as it always has.

    Parameters
    ----------
    stream : binary file object
        Seekable; left at its start.
    max_pixels : int or None
        A larger image gives None (Pillow's path then refuses it with the usual message).

    Returns
    -------
    numpy.ndarray or None
        (H, W) uint8 for gray, (H, W, 2) for gray and alpha, (H, W, 3) for RGB, (H, W, 4) for RGBA.
    """
    import zlib

    try:
        stream.seek(0)
        head = stream.read(33)  # the signature and the IHDR chunk: the rest is read only for a file taken here
        shape = _taken(head, max_pixels)
        if shape is None:
            stream.seek(0)
            return None
        data = head + stream.read()
        stream.seek(0)
    except OSError:
        return None
    view, pieces, position, after_image = memoryview(data), [], 33, False  # from the chunk after IHDR
    while True:
        if position + 12 > len(data):
            return None
        length = int.from_bytes(data[position:position + 4], "big")
        kind, start = data[position + 4:position + 8], position + 8
        end = start + length
        if length > _MAX_CHUNK or end + 4 > len(data):
            return None
        if kind == b"IDAT":
            if after_image:
                return None
            pieces.append(view[start:end])
        else:
            if zlib.crc32(view[position + 4:end]) != int.from_bytes(data[end:end + 4], "big"):
                return None
            after_image = after_image or bool(pieces)
            if kind == b"IEND":
                break
            if not kind[0] & 0x20 or kind in _FOR_PILLOW:  # critical (PLTE, IHDR again...) or for Pillow
                return None
            if kind in (b"tEXt", b"zTXt", b"iTXt") and bytes(view[start:end]).split(b"\0", 1)[0] in _EXIF_TEXT:
                return None
        position = end + 4
    if not pieces:
        return None
    image_data = b"".join(pieces)
    del pieces, view, data
    return _decoded(image_data, *shape)


def _taken(head: bytes, max_pixels: int | None) -> tuple[int, int, int] | None:
    """(width, height, channels) when the first 33 bytes of a file (signature, IHDR with its CRC) are those of a
    PNG :func:`read_plain` may take: 8 bits a sample, gray, gray and alpha, RGB or RGBA, not interlaced,
    standard compression and filtering, 1 to ``max_pixels`` pixels; else None."""
    import zlib

    if len(head) < 33 or not head.startswith(_SIGNATURE) or head[8:16] != b"\0\0\0\rIHDR" \
            or zlib.crc32(head[12:29]) != int.from_bytes(head[29:33], "big"):
        return None
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    depth, color, compression, filtering, interlace = head[24:29]
    if depth != 8 or color not in _COLOR_TYPES or compression or filtering or interlace \
            or not 0 < width * height <= (width * height if max_pixels is None else max_pixels):
        return None
    return width, height, _COLOR_TYPES[color]


def _plain(image, stream, rawmode: str) -> bool:
    """Whether the opened PNG is one this reader takes: its mode is the 8-bit raw mode, one full-size "zip"
    tile, not interlaced, no transparency chunk, not animated, read from ``stream``."""
    codec, extents = image.tile[0][:2]
    return (image.mode == rawmode and codec == "zip" and tuple(extents) == (0, 0, *image.size)
            and not image.info.get("interlace") and "transparency" not in image.info
            and "bbox" not in image.info and getattr(image, "n_frames", 1) == 1 and image.fp is stream)


#: The PNG spec's largest chunk length (2**31 - 1).
_MAX_CHUNK = (1 << 31) - 1


def _image_data(stream, offset: int) -> bytes | None:
    """The image data of consecutive IDAT chunks, the first one's data starting at ``offset``; None for a
    chunk cut short by the end of the file or a first chunk that is not IDAT.

    A chunk: a 4-byte big-endian length, the 4-byte type, the data, a 4-byte CRC (not checked, as in
    Pillow's decoding). The data ends at the first chunk of another type (or the end of the file, which
    then, if the data is incomplete, fails to inflate).
    """
    end = stream.seek(0, 2)
    stream.seek(offset - 8)
    pieces = []
    header = stream.read(8)
    if header[4:] != b"IDAT":
        return None
    while len(header) == 8 and header[4:] == b"IDAT":
        length = int.from_bytes(header[:4], "big")
        if length > _MAX_CHUNK or stream.tell() + length > end:
            return None
        pieces.append(stream.read(length))
        stream.seek(4, 1)  # the CRC
        header = stream.read(8)
    return b"".join(pieces)


def _finish(image, stream, offset: int) -> None:
    """Leave ``image`` as Pillow's ``ImageFile.load`` leaves it, without decoding the pixels again.

    Pillow's ``load_end`` reads the chunks after the image data (eXIf, text, XMP) into ``image.info``; without
    it ``image.getexif()`` would decode the whole image again to find them. ``load_prepare`` sets up what
    ``load_end`` expects, and a blank pixel store (allocated lazily by the system, not written). An error in
    those chunks (a file cut short in them) is raised here, as Pillow's loading raises it.
    """
    stream.seek(offset)
    image.load_prepare()
    image.tile = []
    image.load_end()
    image.fp = None
