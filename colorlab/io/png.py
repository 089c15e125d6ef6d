"""colorlab's writer of indexed PNG files (private; :func:`colorlab.save_image` and the command line use it).

An indexed PNG stores the palette once and one index per pixel, packed 1, 2, 4 or 8 to the bit depth.
Pillow writes such files with adaptive row filters and zlib's level 9 when asked to optimise, which
is slow at 12 megapixels (2-4 s) and, for the indices of a photo, larger than no filter at all (filters
predict a pixel from its neighbours' *values*; palette indices are labels, not values). This writer
uses filter type 0 (none) on every row, as pngquant does, and deflates with libdeflate (the
``deflate`` package) at a level chosen per ``compress`` setting: at the same file size libdeflate is
3-4x faster than zlib (kodim05 at 16 colors, level 6: 105.7 KB in 3 ms, zlib's 105.7 KB in 14 ms),
and its levels 10-12 (near-optimal parsing, for ``compress="small"``) make files zlib cannot. With no
filter the order of the palette entries does not matter either: renumbering the indices maps the bytes one to one, and
deflate's matches and code lengths stay the same (measured: within a few bytes in 770 KB).

The measurements behind the settings are in docs/engine.md (the command line's path around the engine).
"""

from __future__ import annotations

import os
import struct
import zlib

import numpy as np

__all__ = ["COMPRESS", "write_indexed_png", "optimiser"]

#: The ``compress`` settings, fastest first.
COMPRESS = ("fast", "default", "small")

#: "default"'s libdeflate level: 6, lazy matching (libdeflate's and zlib's own default). On 51 photos (Kodak,
#: CQ100, Unsplash) its files are 0.930x pngquant's in the median at 256 colors, 0.931x at 16, against 0.877x and
#: 0.880x at level 10 (near-optimal parsing), which takes 4-8x as long (0.4 MP at 256 colors: 22-47 ms against
#: 6 ms, a tenth of the whole command); on 8-bit indices levels 8 and 9 are slower than 6 and no smaller.
#: Measured in docs/engine.md.
DEFAULT_LEVEL = 6

#: "small" pairs level 12 with level 10 up to this many raw bytes, with level 9 above (12 is not always the
#: smaller; 10 is slow on large images: 12 MP with noise 0.73 s against 0.22 s).
OPTIMAL_PARSING_BYTES = 1 << 19


def levels(compress: str, size: int) -> tuple[int, ...]:
    """libdeflate's levels for ``compress`` and ``size`` raw bytes; the smallest of their streams is kept.

    "fast" is level 1; "default" :data:`DEFAULT_LEVEL` (6) at any size; "small" 12 and 10, or 12 and 9 above
    :data:`OPTIMAL_PARSING_BYTES`, then an installed optimiser, if there is one.

    Examples
    --------
    >>> levels("default", 200_000), levels("small", 200_000), levels("small", 5_000_000)
    ((6,), (12, 10), (12, 9))
    """
    return {"fast": (1,), "default": (DEFAULT_LEVEL,), "small": (12, 10 if size <= OPTIMAL_PARSING_BYTES else 9)}[compress]


#: Raw bytes from which :func:`deflate` compresses in pieces on several threads (1 MiB: a 1-megapixel image at 256
#: colors; at 0.4 MP the threads' hand-over would cost about what they save).
PIECES_FROM = 1 << 20
#: At most this many pieces: 2, 4 or 8 threads share them evenly, and each cut costs a few hundred bytes.
MOST_PIECES = 8

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def bit_depth(entries: int) -> int:
    """The smallest PNG bit depth (1, 2, 4 or 8) whose indices reach ``entries`` palette entries."""
    return next(b for b in (1, 2, 4, 8) if entries <= 1 << b)


def packed_rows(labels: np.ndarray, bits: int) -> np.ndarray:
    """The PNG scanlines of (H, W) uint8 indices: a filter byte 0, then the indices packed ``bits`` to a byte.

    Examples
    --------
    >>> packed_rows(np.array([[1, 0, 3]], np.uint8), 2).tolist()
    [[0, 76]]
    """
    height, width = labels.shape
    per_byte = 8 // bits
    row_bytes = -(-width // per_byte)
    rows = np.zeros((height, row_bytes + 1), np.uint8)  # column 0: filter type 0 (none)
    if per_byte == 1:
        rows[:, 1:] = labels
        return rows
    out = rows[:, 1:]
    for i in range(per_byte):
        column = labels[:, i::per_byte]
        out[:, : column.shape[1]] |= column << np.uint8(bits * (per_byte - 1 - i))
    return rows


def deflate(raw, compress: str) -> bytes:
    """The zlib stream of ``raw``: the smallest of libdeflate's at the :func:`levels` of ``compress``.

    From :data:`PIECES_FROM` bytes the data is cut into :func:`pieces`, compressed on the engine's threads and
    joined (:func:`_left_open`), as pigz does with zlib: libdeflate has no threads, and compressing alone was a
    fifth of the command's time on a 10-megapixel photo. Each piece starts without the previous one's last
    32 KB to match against, which costs a few hundred bytes a cut.

    Examples
    --------
    >>> data = bytes(range(256)) * 20_000
    >>> zlib.decompress(deflate(data, "default")) == data
    True
    """
    try:
        import deflate as libdeflate  # here: only writing a PNG needs it
    except ImportError:
        raise ImportError(
            "colorlab writes indexed PNG files with the 'deflate' package (libdeflate), which is not installed: "
            "`pip install deflate`, or install colorlab again with its dependencies") from None

    data = memoryview(raw).cast("B")
    chosen = levels(compress, len(data))
    parts = pieces(len(data))
    if parts == 1:
        return min((libdeflate.zlib_compress(data, level) for level in chosen), key=len)
    from .._engine.threads import map_threads  # here: writing a small PNG needs no engine

    bounds = [len(data) * i // parts for i in range(parts + 1)]

    def piece(i):
        chunk = data[bounds[i]:bounds[i + 1]]
        stream = min((libdeflate.deflate_compress(chunk, level) for level in chosen), key=len)
        return stream if i == parts - 1 else _left_open(stream)

    body = b"".join(map_threads(piece, range(parts)))
    header = bytes(libdeflate.zlib_compress(b"", max(chosen))[:2])  # the zlib header libdeflate writes at that level
    return header + body + struct.pack(">I", libdeflate.adler32(data))


def pieces(size: int) -> int:
    """How many pieces :func:`deflate` cuts ``size`` raw bytes into: one below :data:`PIECES_FROM`, else as many
    as give pieces of at least half of it, at most :data:`MOST_PIECES`. The count does not depend on the
    number of threads, so a file's bytes do not either.

    Examples
    --------
    >>> pieces(400_000), pieces(2_457_600), pieces(9_830_400)
    (1, 4, 8)
    """
    return 1 if size < PIECES_FROM else min(MOST_PIECES, size // (PIECES_FROM // 2))


def _left_open(stream: bytes) -> bytes:
    """A raw deflate stream that another can follow: its final block marked not final, then an empty stored block,
    which ends on a byte boundary (what zlib's sync flush writes: 3 header bits, zeros to the byte, 00 00 FF FF).

    Examples
    --------
    >>> import deflate as libdeflate
    >>> joined = _left_open(libdeflate.deflate_compress(b"abc" * 100, 6)) + libdeflate.deflate_compress(b"xyz", 6)
    >>> zlib.decompress(joined, -15) == b"abc" * 100 + b"xyz"
    True
    """
    from .._engine.kernels import deflate_blocks  # here: writing a small PNG needs no engine

    header, end = deflate_blocks(stream)
    out = bytearray(stream[: (end + 7) // 8])
    out[header >> 3] &= 0xFF ^ (1 << (header & 7))
    if end & 7:
        out[-1] &= (1 << (end & 7)) - 1  # the stored block's header bits are zeros
    out += bytes((end + 3 + 7) // 8 - len(out))
    return bytes(out) + b"\x00\x00\xff\xff"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


def write_indexed_png(stream, labels: np.ndarray, table: np.ndarray, *, transparency: bytes | None = None,
                      compress: str = "default") -> None:
    """Write an indexed PNG to the binary file ``stream``.

    Parameters
    ----------
    stream : binary file object
        Where to write (a file opened ``"wb"``, or ``io.BytesIO``).
    labels : ndarray of uint8, shape (H, W)
        The palette index of every pixel; each must be below ``len(table)``.
    table : ndarray of uint8, shape (n, 3)
        The palette entries (1 to 256), written in this order.
    transparency : bytes, optional
        The alpha of the first entries (a ``tRNS`` chunk); the others are opaque.
    compress : {"fast", "default", "small"}
        How hard to compress; see :func:`levels`.
    """
    height, width = labels.shape
    bits = bit_depth(len(table))
    header = struct.pack(">IIBBBBB", width, height, bits, 3, 0, 0, 0)  # color type 3: indexed
    stream.write(_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"PLTE", np.ascontiguousarray(table, np.uint8).tobytes()))
    if transparency is not None:
        stream.write(_chunk(b"tRNS", bytes(transparency)))
    stream.write(_chunk(b"IDAT", deflate(packed_rows(labels, bits), compress)))
    stream.write(_chunk(b"IEND", b""))


def optimiser() -> list[str] | None:
    """The command of an installed lossless PNG optimiser for ``compress="small"``, or None.

    oxipng (``oxipng -q -o 4 --strip safe``) if it is on the PATH, else zopflipng (``zopflipng -y``).
    """
    import shutil  # here: only "small" needs it (the command line's start-up does not)

    if shutil.which("oxipng"):
        return ["oxipng", "-q", "-o", "4", "--strip", "safe"]
    if shutil.which("zopflipng"):
        return ["zopflipng", "-y"]  # (its -q is "quick", not "quiet")
    return None


def optimise(path) -> bool:
    """Shrink the PNG file at ``path`` with an installed optimiser; False when there is none, or it did not help.

    The optimiser writes a second file next to it, which replaces ``path`` only when the optimiser
    succeeded and its file is a smaller *indexed* PNG (the optimisers are lossless: the decoded pixels
    are the same; but zopflipng 1.0.3 turns a 256-color image into RGB when that is smaller, and has no
    option to keep the color type); otherwise ``path`` stays as it was.
    """
    import subprocess

    command = optimiser()
    if command is None:
        return False
    path = os.fspath(path)
    smaller = path + ".opt.png"
    arguments = [path, smaller] if command[0] == "zopflipng" else ["--out", smaller, path]
    try:
        done = subprocess.run(command + arguments, stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
        if done.returncode == 0 and _smaller_png(smaller, os.path.getsize(path)):
            os.replace(smaller, path)
            return True
        return False
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        if os.path.exists(smaller):
            os.unlink(smaller)


def _smaller_png(path: str, size: int) -> bool:
    if not os.path.exists(path) or not 0 < os.path.getsize(path) < size:
        return False
    with open(path, "rb") as stream:
        head = stream.read(len(_SIGNATURE) + 18)
    return head[:len(_SIGNATURE)] == _SIGNATURE and head[12:16] == b"IHDR" and head[25] == 3  # color type 3: indexed
