"""The ``colorlab`` command line: the parser and commands (:mod:`.commands`) and the checks and runs of
``quantize`` and ``palette`` (:mod:`.inputs`).

May import: anything in colorlab, each command's needs on use (start-up stays fast).
"""

from .commands import build_parser, main

__all__ = ["main", "build_parser"]
