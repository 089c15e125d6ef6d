"""Decoding the command line's JPEG photo on a thread while its modules load (private; no numpy).

``colorlab quantize photo.jpg ...`` spends its first 80-90 ms importing numpy and colorlab on one core, and
decoding a 10-megapixel JPEG takes about as long on one core; Pillow's decoder releases the GIL. So
:mod:`colorlab.cli` calls :func:`start` with the file the command names before those imports, and the reader
(:func:`colorlab.io.images._read`) asks :func:`take` for the decoded image. It gets it only if it is still
the same file (path, size, modification time); otherwise, and for anything that went wrong early, it gets
None and opens the file itself, so every check and message stays the reader's own.

Measured with the command's whole time, alternating runs (docs/speed.md): a 10-megapixel camera JPEG 624 -> 543 ms,
a 2.5-megapixel one 201 -> 189 ms.
"""

from __future__ import annotations

import os
import stat
import threading

#: Only JPEG files are decoded early: a PNG goes through colorlab's own reader, which needs numpy.
SUFFIXES = (".jpg", ".jpeg")
#: ... of at most this many pixels (a larger one waits for the reader's ``max_pixels`` check).
MOST_PIXELS = 50_000_000

_pending: dict[tuple, tuple[threading.Thread, list]] = {}


def _key(path, info=None) -> tuple:
    """What identifies a file's content here: its real path, device, inode, size and modification time
    (``info``: its ``os.stat``, if already taken)."""
    info = os.stat(path) if info is None else info
    return os.path.realpath(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def start(path) -> bool:
    """Begin decoding the JPEG file ``path`` on a thread; False (and nothing started) for anything else.

    Examples
    --------
    >>> start("no such file.jpg"), start("notes.txt")
    (False, False)
    """
    try:
        if not str(path).lower().endswith(SUFFIXES):
            return False
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return False
        key = _key(path, info)
    except (OSError, ValueError):  # e.g. a name with a NUL character: the reader words it
        return False
    from PIL import Image, JpegImagePlugin  # noqa: F401 - imported on this thread, so no two threads import at once

    slot: list = [None]
    thread = threading.Thread(target=_decode, args=(path, slot), name="colorlab-early-decode", daemon=True)
    _pending[key] = (thread, slot)
    thread.start()
    return True


def _decode(path, slot: list) -> None:
    from PIL import Image

    try:
        with open(path, "rb") as stream:
            factory, _ = Image.OPEN["JPEG"]
            image = factory(stream, str(path))  # no decompression-bomb check: the size is checked here
            width, height = image.size
            if image.format != "JPEG" or width * height > MOST_PIXELS:  # e.g. an MPO file: the reader's own way
                image.close()
                return
            # the whole file in one call of the decoder, which releases the GIL for it: block by block, the
            # thread would wait for the GIL between blocks while the imports hold it
            image.decodermaxblock = max(image.decodermaxblock, os.fstat(stream.fileno()).st_size)
            image.load()
        slot[0] = image
    except Exception:  # noqa: BLE001 - the reader opens the file again and says what is wrong
        pass


def take(path):
    """The Pillow image :func:`start` decoded from ``path``, loaded, if the file is still the same, else None.

    Waits for the decoding to end. Each start is taken once: any other pending one is dropped.
    """
    if not _pending:
        return None
    pending = dict(_pending)
    _pending.clear()
    try:
        entry = pending.get(_key(path))
    except (OSError, ValueError):
        return None
    if entry is None:
        return None
    thread, slot = entry
    thread.join()
    return slot[0]
