"""The ``colorlab`` command line: the parser and commands (:mod:`.commands`) and the checks and runs of
``quantize`` and ``palette`` (:mod:`.inputs`).

May import: anything in colorlab, each command's needs on use (start-up stays fast).
"""

import os
import sys

if "numpy" not in sys.modules:  # a command's own process (not a program that imported numpy already)
    # colorlab calls no BLAS (colorlab.color.spaces._times), but numpy starts OpenBLAS's threads when it is
    # imported, and they spin on the other cores for about 0.1 s while the command's own threads need them
    # (a 0.4-megapixel photo at 256 colors: 6% of the command's time). A user's own setting is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # `colorlab quantize photo.jpg ...`: decode the photo on another core while the imports below run
    if len(sys.argv) > 2 and sys.argv[1] in ("quantize", "palette") and not sys.argv[2].startswith("-"):
        from ..io import _early

        _early.start(sys.argv[2])

from .commands import build_parser, main  # noqa: E402 (numpy must see the setting above)

__all__ = ["main", "build_parser"]
