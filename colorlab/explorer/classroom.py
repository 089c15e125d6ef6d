"""Serve the explorer to a class: Voila with settings for about 30 students on one modest machine.

``bash dev.sh classroom`` runs ``python -m colorlab.explorer.classroom``, which starts Voila on
``notebooks/02_explorer.ipynb`` with:

- pre-started kernels (``--preheat_kernel``, a pool of ``--pool`` kernels that have already run the
  notebook), so a student's page shows its first result at once; the pool refills as students arrive;
- idle kernels ended after ``--idle-minutes`` (a page left open on a closed laptop); a page that is
  closed ends its kernel at once (Voila's page asks for that), which frees the student's photos;
- ``COLORLAB_CLASSROOM=1`` for the kernels, so every explorer takes
  :data:`colorlab.explorer.app.CLASSROOM`'s settings: Export sends the files to the student's own
  browser and writes nothing on the server, uploads are limited in size (15 MB) and number (3 kept
  per student), photos to 24 megapixels, and one neighbouring k is computed ahead instead of four;
- no code cells and no tracebacks on the page;
- loopback (127.0.0.1) unless ``--host 0.0.0.0`` (or the machine's address) is given, which lets the
  class's computers on the same network reach it.

Examples
--------
>>> command = voila_command("notebooks/02_explorer.ipynb", port=8866, pool=4)
>>> "--preheat_kernel=True" in command and "--Voila.ip=127.0.0.1" in command
True
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["voila_command", "main", "NOTEBOOK"]

#: The notebook served, relative to a checkout's root.
NOTEBOOK = Path("notebooks") / "02_explorer.ipynb"


def voila_command(notebook, *, host: str = "127.0.0.1", port: int = 8866, pool: int = 8,
                  idle_minutes: float = 20, python: str = sys.executable) -> list[str]:
    """The Voila command line that serves ``notebook`` to a class (see the module docstring).

    Parameters
    ----------
    notebook : path
        The notebook to serve (the explorer).
    host : str, default "127.0.0.1"
        Address to listen on; "0.0.0.0" for every network interface.
    port : int, default 8866
    pool : int, default 8
        Kernels kept started and ready.
    idle_minutes : float, default 20
        A kernel idle this long is ended (its page shows that it lost its kernel).
    python : str
        The interpreter that runs Voila.

    Returns
    -------
    list of str
    """
    idle = max(60, int(idle_minutes * 60))
    return [
        python, "-m", "voila", str(notebook), "--no-browser", f"--Voila.ip={host}", f"--port={port}",
        "--Voila.port_retries=0", "--preheat_kernel=True", f"--pool_size={int(pool)}", "--strip_sources=True",
        "--show_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={idle}", "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=True",
    ]


def main(argv=None) -> int:
    """``python -m colorlab.explorer.classroom [--host H] [--port P] [--pool N] [--idle-minutes M] [--notebook F]``."""
    parser = argparse.ArgumentParser(
        prog="python -m colorlab.explorer.classroom",
        description="Serve colorlab's explorer to a class with Voila (pre-started kernels, idle kernels ended, "
                    "downloads instead of files on the server, limited uploads).")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 for the network)")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--pool", type=int, default=8, help="kernels kept started and ready (default 8)")
    parser.add_argument("--idle-minutes", type=float, default=20, help="end kernels idle this long (default 20)")
    parser.add_argument("--notebook", default=str(NOTEBOOK), help=f"the notebook to serve (default {NOTEBOOK})")
    args = parser.parse_args(argv)
    if not Path(args.notebook).is_file():
        print(f"error: there is no notebook {args.notebook!r}; run this from a colorlab checkout or pass --notebook",
              file=sys.stderr)
        return 2
    os.environ["COLORLAB_CLASSROOM"] = "1"  # the kernels inherit it: classroom settings for every explorer
    command = voila_command(args.notebook, host=args.host, port=args.port, pool=args.pool,
                            idle_minutes=args.idle_minutes)
    where = "this machine only" if args.host in ("127.0.0.1", "localhost") else "the network"
    print(f"colorlab classroom: http://{args.host}:{args.port}/ ({where}), {args.pool} kernels ready, "
          f"idle kernels ended after {args.idle_minutes:g} min", flush=True)
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
