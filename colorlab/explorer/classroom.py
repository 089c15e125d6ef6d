"""Serve the explorer to a class: Voila with settings for about 30 students on one modest machine.

``bash dev.sh classroom`` runs ``python -m colorlab.explorer.classroom``, which starts Voila on
``notebooks/02_explorer.ipynb`` with:

- pre-started kernels (``--preheat_kernel``): ``--pool`` kernels (default 32: a class of 30 and two spare)
  that have each run the notebook, so they hold the explorer computed for the default photo and a
  student's page shows its first result at once. The pool is filled before the class, two kernels at a
  time (about 1 s of CPU each: start the server a minute before the class), and is not refilled
  while the class uses it up: only when fewer than ``--reserve`` (default 2) are left is another
  kernel started, one at a time (:mod:`colorlab.explorer.classroom_pool`); when no page has taken a
  kernel for ``--refill-minutes`` (default 10), the pool is filled up again for the next class.
  Voila's own pool would start a new kernel for every student who arrives, on the cores their pages
  need;
- idle kernels ended after ``--idle-minutes`` (a page left open on a closed laptop); a page that is
  closed ends its kernel at once (Voila's page asks for that), which frees the student's photos;
- ``COLORLAB_CLASSROOM=1`` for the kernels, so every explorer takes
  :data:`colorlab.explorer.settings.CLASSROOM`'s settings: Export sends the files to the student's own
  browser and writes nothing on the server, uploads are limited in size (15 MB) and number (3 kept
  per student), photos to 24 megapixels, and one neighbouring k is computed ahead instead of four;
- no code cells and no tracebacks on the page, and a still "Running 02_explorer.ipynb..." line while
  it loads instead of Voila's spinning logo (the template ``colorlab-class``: Voila's ``lab``
  template with a still ``spinner.macro.html.j2``, written to this user's cache folder put on
  ``JUPYTER_PATH``). The animation is drawn 60 times a second by every page still loading: on a
  machine without a GPU (a headless browser, or pages on the server itself) 30 loading pages spent
  more CPU on it than the server spent on the whole class;
- loopback (127.0.0.1) unless ``--host 0.0.0.0`` (or the machine's address) is given, which lets the
  class's computers on the same network reach it.

Examples
--------
>>> command = voila_command("notebooks/02_explorer.ipynb", port=8866, pool=4)
>>> "--preheat_kernel=True" in command and "--pool_size=4" in command and "--Voila.ip=127.0.0.1" in command
True
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from ..util.extras import MissingExtraError, need

__all__ = ["voila_command", "template_folder", "kernel_memory_mb", "main", "NOTEBOOK", "POOL", "RESERVE", "TEMPLATE"]

#: The notebook served, relative to a checkout's root.
NOTEBOOK = Path("notebooks") / "02_explorer.ipynb"
#: Kernels started before the class (a class of 30 and two spare).
POOL = 32
#: Kernels kept ready once the class has used up the pool (late arrivals, reloads).
RESERVE = 2
#: The Voila template of the class's page: Voila's "lab" with a still line instead of the spinning logo.
TEMPLATE = "colorlab-class"

# the macros Voila's lab template imports for its loading indicator (voila/templates/base/spinner.macro.html.j2),
# with the same element ids (Voila's page updates #loading_text and removes #loading) and no animation
_STILL_LOADING = """{% macro css() %}
  <style>
    #loading { display: flex; flex-direction: column; align-items: center; justify-content: center; height: 75vh;
               color: var(--jp-content-font-color1); font-family: sans-serif; z-index: 100; position: relative; }
  </style>
{% endmacro %}

{% macro html() %}
  <div id="loading" style="display: flex;">
    <h2 id="loading_text">Running {{nb_title}}...</h2>
  </div>
{% endmacro %}
"""


def template_folder() -> Path:
    """Write the template :data:`TEMPLATE` into this user's cache folder; return the folder to put on JUPYTER_PATH.

    The folder is ``$XDG_CACHE_HOME/colorlab/classroom`` (``~/.cache/...``), rewritten at every start, so starts
    leave nothing behind; where the home folder cannot be written, a new private temporary folder.

    Returns
    -------
    Path
        The folder (it holds ``voila/templates/colorlab-class/``).
    """
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    try:
        return _write_template(cache / "colorlab" / "classroom")
    except OSError:
        return _write_template(Path(tempfile.mkdtemp(prefix="colorlab-classroom-")))


def _write_template(root: Path) -> Path:
    folder = root / "voila" / "templates" / TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "conf.json").write_text('{"base_template": "lab"}\n')
    (folder / "spinner.macro.html.j2").write_text(_STILL_LOADING)
    return root


def voila_command(notebook, *, host: str = "127.0.0.1", port: int = 8866, pool: int = POOL, reserve: int = RESERVE,
                  refill_minutes: float = 10, idle_minutes: float = 20, template: str | None = TEMPLATE,
                  python: str = sys.executable) -> list[str]:
    """The Voila command line that serves ``notebook`` to a class (see the module docstring).

    Parameters
    ----------
    notebook : path
        The notebook to serve (the explorer).
    host : str, default "127.0.0.1"
        Address to listen on; "0.0.0.0" for every network interface.
    port : int, default 8866
    pool : int, default POOL (32)
        Kernels started before the class, each having run the notebook.
    reserve : int, default RESERVE (2)
        Once the pool has been full, a kernel is started (one at a time) only when fewer than this many
        are left ready.
    refill_minutes : float, default 10
        When no page has taken a kernel for this long, the pool is filled up again (for the next class).
    template : str or None, default TEMPLATE
        Voila's template for the page; :data:`TEMPLATE` needs :func:`template_folder` on JUPYTER_PATH.
        None: Voila's own (``lab``).
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
        "--VoilaConfiguration.multi_kernel_manager_class=colorlab.explorer.classroom_pool.ClassroomKernelManager",
        f"--ClassroomKernelManager.reserve={int(reserve)}", f"--ClassroomKernelManager.refill_minutes={refill_minutes:g}",
        f"--MappingKernelManager.cull_idle_timeout={idle}", "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=True",
    ] + ([f"--template={template}"] if template else [])


def kernel_memory_mb(kernels: int, *, total_mb: int | None = None, server_mb: int = 2048) -> int:
    """Megabytes each of ``kernels`` kernels may use so that together, with ``server_mb`` for the server and the
    system, they fit in this machine's memory (``total_mb``: MemTotal of /proc/meminfo when not given).

    Examples
    --------
    >>> kernel_memory_mb(34, total_mb=24 * 1024)
    662
    """
    if total_mb is None:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            total_mb = next(int(line.split()[1]) // 1024 for line in meminfo if line.startswith("MemTotal:"))
    return max(0, total_mb - server_mb) // max(1, kernels)


def main(argv=None) -> int:
    """``python -m colorlab.explorer.classroom [--host H] [--port P] [--pool N] [--reserve R] [--refill-minutes M]
    [--idle-minutes M] [--notebook F]``."""
    parser = argparse.ArgumentParser(
        prog="python -m colorlab.explorer.classroom",
        description="Serve colorlab's explorer to a class with Voila (pre-started kernels, idle kernels ended, "
                    "downloads instead of files on the server, limited uploads).")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 for the network)")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--pool", type=int, default=POOL,
                        help=f"kernels started before the class: the class's size and a few spare (default {POOL})")
    parser.add_argument("--reserve", type=int, default=RESERVE,
                        help=f"once the pool is used up, kernels kept ready for late arrivals and reloads "
                             f"(default {RESERVE})")
    parser.add_argument("--refill-minutes", type=float, default=10,
                        help="when no page has taken a kernel for this long, fill the pool up again for the next "
                             "class (default 10; 0: never)")
    parser.add_argument("--idle-minutes", type=float, default=20, help="end kernels idle this long (default 20)")
    parser.add_argument("--notebook", default=str(NOTEBOOK), help=f"the notebook to serve (default {NOTEBOOK})")
    parser.add_argument("--kernel-memory-mb", type=int, default=None,
                        help="the most memory one student's kernel may take; a student who needs more is told so on "
                             "the page, and no other kernel is ended (default: this machine's memory less 2 GiB for "
                             "the server, shared by the pool and the reserve)")
    args = parser.parse_args(argv)
    if args.pool < 1:
        parser.error(f"--pool must be at least 1 (kernels started before the class), not {args.pool}")
    if args.reserve < 0:
        parser.error(f"--reserve must be 0 or more, not {args.reserve}")
    if args.refill_minutes < 0:
        parser.error(f"--refill-minutes must be 0 (never) or more, not {args.refill_minutes:g}")
    if not Path(args.notebook).is_file():
        print(f"error: there is no notebook {args.notebook!r}; run this from a colorlab checkout or pass --notebook",
              file=sys.stderr)
        return 2
    try:
        need("voila", "classroom", "serving the explorer to a class")
    except MissingExtraError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    memory_mb = args.kernel_memory_mb or kernel_memory_mb(args.pool + args.reserve)
    if memory_mb < 256:
        print(f"error: {memory_mb} MB per kernel is too little for the explorer (at least 256); lower --pool or "
              "give --kernel-memory-mb", file=sys.stderr)
        return 2
    os.environ["COLORLAB_KERNEL_MEMORY_MB"] = str(memory_mb)  # each kernel limits itself (colorlab.explorer.settings)
    os.environ["COLORLAB_CLASSROOM"] = "1"  # the kernels inherit it: classroom settings for every explorer
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(template_folder())] + [
        folder for folder in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if folder])
    command = voila_command(args.notebook, host=args.host, port=args.port, pool=args.pool, reserve=args.reserve,
                            refill_minutes=args.refill_minutes, idle_minutes=args.idle_minutes)
    where = "this machine only" if args.host in ("127.0.0.1", "localhost") else "the network"
    print(f"colorlab classroom: http://{args.host}:{args.port}/ ({where}); starting {args.pool} kernels, "
          f"then {args.reserve} kept ready (all again after {args.refill_minutes:g} min without a new page); idle "
          f"kernels ended after {args.idle_minutes:g} min; each kernel may use {memory_mb} MB. The class can come "
          f"in once this log says 'colorlab classroom: {args.pool} kernels ready'.", flush=True)
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
