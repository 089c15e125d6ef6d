"""The work done for one image, in whatever process runs it (this one, a pool worker, a Dask worker).

Everything here is a plain top-level function of plain arguments, so it pickles by reference:
a worker needs colorlab installed and read access to the image, nothing else.
"""

from __future__ import annotations

from ...util.extras import need

import os
import re
import signal
import time
import warnings

__all__ = ["palette_row", "empty_row", "init_pool_worker", "worker_version"]


def empty_row(label: str, k: int, method: str, space: str, seed: int, error: str | None = None,
              seconds: float = 0.0) -> dict:
    """A row with no results: the image was not (or not successfully) measured."""
    return {
        "path": label, "width": None, "height": None, "distinct_colors": None,
        "k": k, "method": method, "space": space, "seed": seed,
        "colors": [], "shares": [], "mse": None, "psnr": None, "ssim": None,
        "seconds": seconds, "error": error, "warning": None,
    }


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _failure(err: BaseException, location: str) -> str:
    """The one-line message of a failed image."""
    from ...errors import ColorlabError

    if isinstance(err, ColorlabError):
        # load_image's advice names its keyword; here the option is batch's (or the command's)
        return _one_line(re.sub(r"pass max_pixels=(\d+) \(or None\) to load_image",
                                r"raise the limit with --max-pixels \1 (max_pixels=\1)", str(err)))
    if isinstance(err, MemoryError):
        return (f"ran out of memory on {location}; lower --max-pixels (max_pixels=) or run fewer workers "
                "at once so each one has more memory")
    # not a deliberate error: a bug, or something colorlab did not foresee; keep the type for a report
    return _one_line(f"{type(err).__name__}: {err} (on {location}; please report this at colorlab's issue tracker)")


def palette_row(path: str, label: str, k: int, method: str, space: str, seed: int, max_pixels) -> dict:
    """Load one image, fit its k-color palette, measure it, and return its row (never raises for the image).

    ``path`` is what is read (absolute, so the same on every worker); ``label`` is what the
    ``path`` column shows (as the user gave it).
    """
    from ...io.images import load_image
    from ...metrics import count_colors, mse, psnr_from_mse, ssim
    from ...redraw.quantize import reduce_colors

    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            image = load_image(path, max_pixels=max_pixels, name=repr(label))
            distinct = count_colors(image)
            quantized, palette = reduce_colors(image, k, method=method, seed=seed, space=space)
            error = mse(image, quantized)
            # SSIM needs 11 x 11 pixels; a smaller image has none (NaN in the table)
            similarity = ssim(image, quantized) if min(image.shape[:2]) >= 11 else None
            height, width = image.shape[:2]
        del quantized, image  # a worker holds one image at a time
    except Exception as err:  # one image's failure is its row's business; the run goes on
        return empty_row(label, k, method, space, seed, error=_failure(err, repr(label)),
                         seconds=time.perf_counter() - start)
    notes = [_one_line(w.message) for w in caught if not issubclass(w.category, (ResourceWarning, DeprecationWarning))]
    return {
        "path": label,
        "width": int(width),
        "height": int(height),
        "distinct_colors": int(distinct),
        "k": k, "method": method, "space": space, "seed": seed,
        "colors": palette.to_hex(),
        "shares": [float(s) for s in palette.shares],
        "mse": float(error),
        "psnr": float(psnr_from_mse(error)),
        "ssim": None if similarity is None else float(similarity),
        "seconds": time.perf_counter() - start,
        "error": None,
        "warning": "; ".join(dict.fromkeys(notes)) or None,
    }


def _alive(pid: int) -> bool:
    """True while the process ``pid`` runs (a zombie, dead but not yet reaped by its parent, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True  # no /proc: kill(pid, 0) is all there is


def _watch_parent(pid: int, interval: float = 0.5) -> None:
    """End this worker as soon as the process that started the pool is gone.

    A parent killed outright (kill -9, the out-of-memory killer) cannot tell its workers; without
    this they would go on fitting images for no one, holding the caller's terminal, and keep the
    forkserver and the resource tracker (which wait for their last child or pipe) alive with them.
    """
    import threading

    def watch():
        while _alive(pid):
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="colorlab-parent-watchdog", daemon=True).start()


def init_pool_worker(threads: int, parent_pid: int | None = None) -> None:
    """Set up a process of the local pool: Ctrl-C is the parent's to handle, fewer engine threads, and
    an end with the parent (``parent_pid``, the process that runs :func:`colorlab.batch`).

    The parent catches Ctrl-C, lets the images in progress finish and saves the rows; a worker
    that also got the terminal's SIGINT would only print a traceback. With several worker
    processes on the cores, each engine uses its share of the threads (the results do not depend
    on the number of threads, only the speed does).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent_pid is not None:
        _watch_parent(int(parent_pid))
    from ..._engine import threads as threads_module

    threads_module.THREADS = max(1, int(threads))
    # BLAS (OpenBLAS, MKL) starts a thread per core in every process; with one process per core they
    # fight over the cores and OpenBLAS's spinning threads make every worker several times slower on a
    # busy machine (measured: 0.20 s instead of 0.04 s per image); the engine has its own threads. Dask's
    # workers do the same (OMP_NUM_THREADS=1).
    threadpool_limits = need("threadpoolctl", "batch", "colorlab batch").threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def worker_version() -> str:
    """colorlab's version in the process that runs this (the Dask pre-flight check)."""
    import colorlab

    return f"colorlab {colorlab.__version__} in {os.getpid()}"
