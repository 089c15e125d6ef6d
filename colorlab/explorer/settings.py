"""What an explorer takes and how it starts: its limits, its defaults at home and in a class, and the texts
that name them.

The browser is sent these from here (:mod:`colorlab.explorer.app` puts them in the widget's traits), so
the front end (``js/``) never writes a limit or a message again. No widget library is needed to read them.
"""

from __future__ import annotations

import os

from ..io.images import DEFAULT_MAX_PIXELS
from .session import CACHE_MB

__all__ = ["defaults", "limit_memory", "upload_title", "CLASSROOM", "PERSONAL", "MESSAGES", "EXPORT_FORMATS",
           "EXPORT_TITLE"]

#: Neighbouring k computed ahead after each change from the browser.
PREFETCH = 4
#: Largest upload, in megabytes.
MAX_UPLOAD_MB = 40
#: The browser sends an upload in parts of this many megabytes (a websocket message is limited, 10 MB by default).
UPLOAD_PART_MB = 4
#: Megabytes of results the browser keeps (a result there is one byte per displayed pixel and per 3D point,
#: about 0.45 MB at the display size, whatever k is).
BROWSER_CACHE_MB = 80
#: The status texts the browser shows by itself (it fills in the {names}); the kernel says the same ones from here.
MESSAGES = {
    "computing": "computing k = {k}…",
    "reading": "reading {name}…",
    "too_large": "{name} was not used: it is {mb} MB, more than the {limit} MB this explorer takes; "
                 "upload a smaller photo",
}
#: The palette files Export writes beside the quantized PNG and the view.
EXPORT_FORMATS = ("hex", "json", "gpl")
#: The Export button's hint.
EXPORT_TITLE = f"the quantized PNG, the palette ({' '.join('.' + f for f in EXPORT_FORMATS)}) and this view as a PNG"
#: An environment variable: when set (to anything but "" or "0"), explorers start with CLASSROOM's settings.
CLASSROOM_VARIABLE = "COLORLAB_CLASSROOM"
#: An environment variable: the most memory, in megabytes, one explorer's process (a student's kernel) may take.
#: The class server sets it for its kernels (python -m colorlab.explorer.classroom --kernel-memory-mb).
MEMORY_VARIABLE = "COLORLAB_KERNEL_MEMORY_MB"
#: The defaults for a page served to a class (``bash dev.sh classroom`` sets COLORLAB_CLASSROOM=1): Export sends
#: files to the student's browser and writes nothing on the server; one k computed ahead (30 students share the
#: cores); smaller uploads, at most 3 kept per student (a fourth replaces the oldest); photos up to 24 megapixels
#: are taken, and kept reduced to 6 megapixels (a 24 MP photo held 200 MB in a kernel, and a dithered fit of it
#: 1.8 GB more for a moment: 30 students with 3 each would outgrow a 24 GiB server); 64 MB of results per student.
CLASSROOM = {"export_to": "browser", "prefetch": 1, "max_upload_mb": 15, "max_uploads": 3, "max_pixels": 24_000_000,
             "keep_pixels": 6_000_000, "cache_mb": 64, "memory_mb": None}
#: The defaults otherwise (JupyterLab, where the person owns the server).
PERSONAL = {"export_to": "folder", "prefetch": PREFETCH, "max_upload_mb": MAX_UPLOAD_MB, "max_uploads": None,
            "max_pixels": DEFAULT_MAX_PIXELS, "keep_pixels": None, "cache_mb": CACHE_MB, "memory_mb": None}


def defaults() -> dict:
    """The explorer's default settings here: :data:`CLASSROOM` when COLORLAB_CLASSROOM is set, else :data:`PERSONAL`;
    ``memory_mb`` from COLORLAB_KERNEL_MEMORY_MB when set.

    Examples
    --------
    >>> sorted(defaults()) == sorted(PERSONAL)
    True
    """
    settings = dict(CLASSROOM if os.environ.get(CLASSROOM_VARIABLE, "") not in ("", "0") else PERSONAL)
    memory = os.environ.get(MEMORY_VARIABLE, "").strip()
    if memory:
        settings["memory_mb"] = int(memory)
    return settings


def limit_memory(megabytes: int) -> None:
    """Let this process take at most ``megabytes`` of memory (its data, numpy's arrays included).

    A class server's kernels each get such a limit, so a student whose photos need more gets a
    ``MemoryError`` (the explorer says so and stays usable) instead of the machine running out of memory
    and the system ending other students' kernels. Only ever lowers the limit.
    """
    import resource

    wanted = int(megabytes) * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if soft == resource.RLIM_INFINITY or wanted < soft:
        resource.setrlimit(resource.RLIMIT_DATA, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def upload_title(max_upload_mb: int, max_pixels: int | None) -> str:
    """The Upload button's hint: what it takes, with this explorer's limits.

    Examples
    --------
    >>> upload_title(15, 24_000_000)
    'add your own photo (PNG or JPEG, up to 15 MB and 24 megapixels)'
    """
    pixels = "" if max_pixels is None else f" and {max_pixels / 1e6:g} megapixels"
    return f"add your own photo (PNG or JPEG, up to {max_upload_mb} MB{pixels})"
