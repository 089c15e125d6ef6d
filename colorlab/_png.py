"""colorlab's writer of indexed PNG files (private; :func:`colorlab.save_image` and the command line use it).

An indexed PNG stores the palette once and one index per pixel, packed 1, 2, 4 or 8 to the bit depth.
Pillow writes such files with adaptive row filters and zlib's level 9 when asked to optimise, which
is slow at 12 megapixels (2-4 s) and, for the indices of a photo, larger than no filter at all (filters
predict a pixel from its neighbours' *values*; palette indices are labels, not values). This writer
uses filter type 0 (none) on every row, as pngquant does, and a zlib level chosen per ``compress``
setting; large images are deflated in pieces on several threads (zlib releases the GIL), each piece
primed with the previous 32 KB as its dictionary, so the pieces join into one ordinary zlib stream
that is as small as a single-threaded one (as ``pigz`` does). With no filter the order of the palette
entries does not matter either: renumbering the indices maps the bytes one to one, and deflate's
matches and code lengths stay the same (measured: within a few bytes in 770 KB).

The measurements behind the settings are in benchmarks/README.md ("Command line speed").
"""

from __future__ import annotations

import os
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["COMPRESS", "write_indexed_png", "optimiser"]

#: The ``compress`` settings, fastest first.
COMPRESS = ("fast", "default", "small")

# zlib (level, memLevel, strategy) of the pixel data for each setting, tried in turn, the smallest
# kept (benchmarks/README.md): "fast" is zlib's run-length strategy (the fastest that still finds
# runs), "default" level 8 (files within 1.05x of pngquant's, well under a second at 12 MP on 2
# threads), "small" the smallest of level 9 with either memLevel and of "default" (level 9 is not
# always smaller than 8), then an installed optimiser (oxipng or zopflipng), if there is one.
_ZLIB = {
    "fast": [(1, 8, zlib.Z_RLE)],
    "default": [(8, 8, zlib.Z_DEFAULT_STRATEGY)],
    "small": [(9, 9, zlib.Z_DEFAULT_STRATEGY), (9, 8, zlib.Z_DEFAULT_STRATEGY), (8, 8, zlib.Z_DEFAULT_STRATEGY)],
}
# the zlib stream header for each level (RFC 1950: 32 KB window, FLEVEL from the level, FCHECK)
_ZLIB_HEADER = {1: b"\x78\x01", 8: b"\x78\xda", 9: b"\x78\xda"}

#: Raw bytes per deflate piece (at most); images of at least SPLIT_BYTES are cut into at least one
#: piece per core, smaller ones are deflated in one piece on the calling thread.
PIECE_BYTES = 1 << 21
SPLIT_BYTES = 1 << 16
_WINDOW = 1 << 15
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


def _deflate_piece(data: memoryview, start: int, end: int, settings: tuple, last: bool) -> bytes:
    level, mem_level, strategy = settings
    if start:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15, mem_level, strategy,
                                      zdict=data[max(0, start - _WINDOW):start])
    else:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15, mem_level, strategy)
    return compressor.compress(data[start:end]) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def _threads() -> int:
    try:
        return max(1, min(4, len(os.sched_getaffinity(0))))
    except AttributeError:  # not Linux
        return max(1, min(4, os.cpu_count() or 1))


def deflate(raw, compress: str) -> list[bytes]:
    """A zlib stream of ``raw``, as consecutive parts (their concatenation is the stream).

    Examples
    --------
    >>> data = bytes(range(256)) * 20_000
    >>> zlib.decompress(b"".join(deflate(data, "default"))) == data
    True
    """
    data = memoryview(raw).cast("B")
    n = len(data)
    threads = _threads()
    pieces = max(1, -(-n // PIECE_BYTES))
    if pieces < threads and n >= SPLIT_BYTES:
        pieces = threads  # a 0.4 MP photo too: one piece per core
    bounds = [n * i // pieces for i in range(pieces + 1)]
    threads = min(threads, pieces)
    best = None
    for settings in _ZLIB[compress]:
        jobs = [(data, bounds[i], bounds[i + 1], settings, i == pieces - 1) for i in range(pieces)]
        if threads == 1:
            parts = [_deflate_piece(*job) for job in jobs]
        else:
            with ThreadPoolExecutor(threads, thread_name_prefix="colorlab-png") as pool:
                parts = list(pool.map(lambda job: _deflate_piece(*job), jobs))
        parts = [_ZLIB_HEADER[settings[0]]] + parts
        if best is None or sum(map(len, parts)) < sum(map(len, best)):
            best = parts
    return best + [struct.pack(">I", zlib.adler32(data))]


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
        zlib settings; see :data:`COMPRESS`.
    """
    height, width = labels.shape
    bits = bit_depth(len(table))
    header = struct.pack(">IIBBBBB", width, height, bits, 3, 0, 0, 0)  # color type 3: indexed
    stream.write(_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"PLTE", np.ascontiguousarray(table, np.uint8).tobytes()))
    if transparency is not None:
        stream.write(_chunk(b"tRNS", bytes(transparency)))
    parts = deflate(packed_rows(labels, bits), compress)
    # the zlib header and checksum (2 and 4 bytes) travel with the first and last pieces
    parts = [parts[0] + parts[1]] + parts[2:-2] + [parts[-2] + parts[-1]] if len(parts) > 3 else [b"".join(parts)]
    for part in parts:
        stream.write(_chunk(b"IDAT", part))
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
