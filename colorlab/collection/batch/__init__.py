"""The palettes of a whole collection of photos: many images, in parallel, safe to stop and rerun.

:func:`batch` (also ``colorlab.batch``) fits the k-color palette of every image in a list of
files and folders and returns one row per image as a ``pandas.DataFrame``; with ``out=`` it also
writes the table (CSV, JSON lines or Parquet) as images finish, so a run that is stopped can be
resumed. The command line is ``colorlab batch IN... -k K -o OUT``.

Where the work runs:

- ``workers=1``: in this process, one image after another;
- ``workers=N`` (default: the number of cores): N local processes
  (:class:`concurrent.futures.ProcessPoolExecutor`, started with ``forkserver`` where there is one);
- ``client=`` a ``dask.distributed.Client``: the workers of a Dask cluster (each needs colorlab
  installed and read access to the images at the same paths).

Every image gets the same ``seed``, so the palettes are the same whichever way the work runs;
only the ``seconds`` column (time spent on the image) differs. An image that cannot be read or
fails gets its row with the one-line message in ``error`` and no results; the run goes on.

Import this module as ``from colorlab.batch import read_results`` (``colorlab.batch`` itself is
the function).

Examples
--------
>>> import colorlab
>>> table = colorlab.batch([colorlab.sample_path("coffee"), colorlab.sample_path("rocket")], 4,
...                        workers=1, progress=False)
>>> len(table), table.loc[0, "path"].endswith("coffee.png"), len(table.loc[0, "colors"])
(2, True, 4)
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path

from ...util.checks import check_choice, check_k, check_seed
from ...util.extras import need
from ...errors import ColorlabError, ColorlabWarning, InvalidParameterError
from ...io.images import DEFAULT_MAX_PIXELS
from ._table import COLUMNS, OUTPUT_FORMATS, Journal, output_format, read_rows, rows_to_frame, write_table
from ._work import empty_row, init_pool_worker, palette_row, worker_version

__all__ = ["batch", "find_images", "read_results", "COLUMNS", "OUTPUT_FORMATS", "IMAGE_SUFFIXES", "WorkerLostError"]

#: File suffixes (any case) that a folder's files need to be taken as images.
IMAGE_SUFFIXES = (
    ".png", ".apng", ".jpg", ".jpeg", ".jpe", ".jfif", ".gif", ".bmp", ".dib", ".tif", ".tiff", ".webp",
    ".ppm", ".pgm", ".pbm", ".pnm", ".tga", ".avif", ".heic", ".heif",
)


class WorkerLostError(ColorlabError, RuntimeError):
    """A worker process died or the Dask workers cannot run colorlab; the finished rows are saved."""


# -- which files ----------------------------------------------------------------------------------

def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _folder_images(folder: str, recursive: bool) -> list[str]:
    import warnings

    found = []
    problems = []
    for root, dirs, files in os.walk(folder, onerror=problems.append):
        dirs[:] = [] if not recursive else sorted(d for d in dirs if not _is_hidden(d))
        found += [os.path.join(root, f) for f in files
                  if not _is_hidden(f) and os.path.splitext(f)[1].lower() in IMAGE_SUFFIXES]
    for err in problems:
        where = getattr(err, "filename", None) or folder
        if os.path.normpath(where) == os.path.normpath(folder):
            raise InvalidParameterError(f"cannot list the folder {folder!r}: {err.strerror or err}; check its permissions")
        warnings.warn(f"skipped the folder {where!r}: {err.strerror or err}", ColorlabWarning, stacklevel=4)
    return found


def _label(path: str) -> str:
    """How the ``path`` column spells a file: its name as found, or with the bytes that are not UTF-8
    escaped (``caf\\xe9.png``) when the file system holds such a name, so the row can be written
    to a CSV, JSON or Parquet file (and the terminal) like any other."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def find_images(inputs, *, recursive: bool = False) -> list[str]:
    """The image files that ``inputs`` name, as sorted path strings (the ``path`` column).

    Parameters
    ----------
    inputs : path-like or iterable of path-like
        Image files, folders, or names of bundled photos (``"rocket"``...). A file named
        directly is always taken (if it is not an image, its row says so); in a folder, the
        files whose suffix is in :data:`IMAGE_SUFFIXES` (any case), except hidden ones.
    recursive : bool, default False
        Also look in the subfolders of folders (hidden subfolders are skipped).

    Returns
    -------
    list of str
        Each file once, in sorted order, spelled as found (``photos/a.png`` for the folder ``photos``).

    Raises
    ------
    InvalidParameterError
        If an input does not exist, a folder cannot be listed, or no image is found at all.

    Examples
    --------
    >>> import colorlab
    >>> [Path(p).name for p in find_images(["rocket", colorlab.sample_path("coffee")])]
    ['coffee.png', 'rocket.jpg']
    """
    from ...io.samples import sample_path, samples

    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    inputs = list(inputs)
    if not inputs:
        raise InvalidParameterError("no input given; name image files or folders of images")
    found = []
    for source in inputs:
        text = os.fspath(source)
        if os.path.isdir(text):
            images = _folder_images(text, recursive)
            found += images
        elif os.path.lexists(text):
            found.append(text)  # a file (even one that will not read: it gets its row with the error)
        elif isinstance(source, str) and source in samples():
            found.append(str(sample_path(source)))
        else:
            raise InvalidParameterError(f"the input {text!r} does not exist; check the path (give image files or folders)")
    if not found:
        names = ", ".join(os.fspath(i) for i in inputs[:3]) + (", ..." if len(inputs) > 3 else "")
        hint = "" if recursive else ", or add --recursive (recursive=True) to look in subfolders"
        raise InvalidParameterError(f"found no image files in {names}; images end in .png, .jpg, .tif, ...{hint}")
    return sorted({os.path.normpath(p) for p in found})


def read_results(path):
    """Read a table written by :func:`batch` (``out=``) or ``colorlab batch`` as a DataFrame.

    The same DataFrame :func:`batch` returned: ``colors`` and ``shares`` as lists (also from CSV,
    where they are space-separated text), empty results as ``<NA>``/NaN, ``error`` NaN when the
    image worked.

    Examples
    --------
    >>> import tempfile, colorlab
    >>> out = Path(tempfile.mkdtemp()) / "photos.csv"
    >>> table = colorlab.batch("coffee", 3, out=out, workers=1, progress=False)
    >>> read_results(out).equals(table)
    True
    """
    return rows_to_frame(read_rows(path))


# -- checks ---------------------------------------------------------------------------------------

def _check_options(k, method, seed, space, max_pixels, workers, client):
    from ...cluster.fit import METHODS, SPACES

    k = check_k(k)
    check_choice(method, METHODS, "method")
    check_choice(space, SPACES, "space")
    seed = check_seed(seed)  # every image gets this same seed
    if max_pixels is not None and (isinstance(max_pixels, bool) or not isinstance(max_pixels, numbers.Integral)
                                   or max_pixels < 1):
        raise InvalidParameterError(f"max_pixels must be a whole number of at least 1 or None, got {max_pixels!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1):
        raise InvalidParameterError(f"workers must be a whole number of at least 1 or None, got {workers!r}")
    if workers is not None and client is not None:
        raise InvalidParameterError("give workers= or client=, not both: with a Dask client its workers do the work")
    return int(k), int(seed), None if max_pixels is None else int(max_pixels), None if workers is None else int(workers)


def _check_resumable(rows, out, k, method, space, seed) -> None:
    asked = (k, method, space, seed)
    for row in rows:
        made = (row["k"], row["method"], row["space"], row["seed"])
        if made != asked:
            raise InvalidParameterError(
                f"{str(out)!r} holds palettes made with k={made[0]}, method {made[1]}, space {made[2]}, seed {made[3]}, "
                f"not the k={k}, method {method}, space {space}, seed {seed} asked for now; recompute them with "
                "--no-resume (resume=False) or choose another output file"
            )


def default_workers() -> int:
    """The number of cores this process may use (the default of ``workers``)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# -- where the work runs ----------------------------------------------------------------------------

def _run_here(tasks, emit, options):
    threadpool_limits = need("threadpoolctl", "batch", "colorlab batch").threadpool_limits

    # the engine runs its own threads; BLAS threads on top only spin (see init_pool_worker)
    with threadpool_limits(limits=1, user_api="blas"):
        for path, label in tasks:
            emit(palette_row(path, label, **options))


def _pool_context():
    import multiprocessing

    # fork is unsafe once the engine's threads exist; forkserver starts workers from a clean,
    # preloaded process (fast), spawn where there is no forkserver (Windows, macOS default)
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["colorlab.collection.batch._work", "colorlab.quantize", "colorlab.metrics"])
        return context
    return multiprocessing.get_context("spawn")


def _run_pool(tasks, emit, options, workers: int):
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    threads = max(1, default_workers() // workers)
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                                   initializer=init_pool_worker, initargs=(threads, os.getpid()))
    pending = {}
    queue = iter(tasks)

    def submit_more():
        # a few tasks ahead per worker, not the whole list: memory stays flat for any collection
        while len(pending) < 2 * workers:
            task = next(queue, None)
            if task is None:
                return
            pending[executor.submit(palette_row, *task, **options)] = task

    try:
        submit_more()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: pending[f][1]):
                pending.pop(future)
                try:
                    row = future.result()
                except BrokenProcessPool:
                    raise WorkerLostError(
                        f"a worker process died with {len(pending) + 1} images in progress (out of memory, a crash "
                        "in a library, or it could not start: a script that calls colorlab.batch with workers > 1 "
                        "must be a file whose own code runs under if __name__ == '__main__'); the finished rows "
                        "are kept; run again to continue, with fewer --workers or a lower --max-pixels"
                    ) from None
                emit(row)
            submit_more()
    except KeyboardInterrupt:
        # Ctrl-C: stop at once (an image in progress may take long); the rows already finished are
        # kept, the images in progress are done again by the next run
        for future in pending:
            future.cancel()
        _stop_workers(executor)
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _stop_workers(executor) -> None:
    if hasattr(executor, "kill_workers"):  # Python 3.14
        executor.kill_workers()
        return
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.kill()


def _check_dask_workers(client) -> None:
    import warnings

    try:
        client.wait_for_workers(1, timeout=30)
    except Exception:
        raise WorkerLostError(
            "the Dask cluster has no workers after 30 s; start some with 'dask worker SCHEDULER-ADDRESS'"
        ) from None
    try:
        versions = client.run(worker_version)
    except Exception as err:
        raise WorkerLostError(
            f"the Dask workers cannot run colorlab ({type(err).__name__}: {' '.join(str(err).split())[:150]}); "
            "install colorlab, the same version, on every worker"
        ) from None
    import colorlab

    mine = f"colorlab {colorlab.__version__}"
    other = sorted({v.split(" in ")[0] for v in versions.values()} - {mine})
    if other:
        warnings.warn(f"some Dask workers run {', '.join(other)}, this process {mine}; palettes may differ",
                      ColorlabWarning, stacklevel=4)


def _run_dask(tasks, emit, options, client):
    from distributed import as_completed

    _check_dask_workers(client)
    paths, labels = [t[0] for t in tasks], [t[1] for t in tasks]
    futures = client.map(palette_row, paths, labels, pure=False, **options)
    label_of = {future.key: label for future, label in zip(futures, labels)}
    try:
        for future in as_completed(futures):
            try:
                row = future.result()
            except Exception as err:  # e.g. KilledWorker: the task took its worker down, three times
                label = label_of[future.key]
                row = empty_row(label, options["k"], options["method"], options["space"], options["seed"],
                                error=" ".join(f"the Dask task failed: {type(err).__name__}: {err}".split()))
            future.release()
            emit(row)
    except KeyboardInterrupt:
        client.cancel(futures)
        raise


# -- the whole run --------------------------------------------------------------------------------

def batch(paths, k, *, method: str = "kmeans", seed: int = 0, space: str = "rgb", max_pixels=DEFAULT_MAX_PIXELS,
          recursive: bool = False, out=None, resume: bool = True, workers: int | None = None, client=None,
          progress=True):
    """Fit the k-color palette of every image in files and folders; one row per image.

    Parameters
    ----------
    paths : path-like or iterable of path-like
        Image files, folders and bundled photo names (see :func:`find_images`).
    k : int
        Number of colors per palette, 1 to 256.
    method, seed, space
        As in :func:`colorlab.fit_palette`; every image gets the same ``seed``.
    max_pixels : int or None
        Limit on the pixels of each image (as in :func:`colorlab.load_image`); a bigger one
        gets an ``error`` row.
    recursive : bool, default False
        Also take the images in subfolders.
    out : path-like, optional
        Also write the table here: ``.csv``, ``.jsonl`` or ``.parquet``. Rows are appended to
        a hidden journal beside ``out`` as images finish and ``out`` is written (atomically) at
        the end, also after Ctrl-C or a failure, with the rows done so far.
    resume : bool, default True
        With ``out``: keep the rows already in ``out`` (and in a journal a killed run left) and
        skip their images; rows with an ``error`` are tried again. ``False`` recomputes everything.
    workers : int, optional
        Local processes; default the number of cores. ``1`` works in this process.
    client : dask.distributed.Client, optional
        Run on this Dask cluster instead of local processes.
    progress : bool or {"bar", "lines"}, default True
        A tqdm bar in a notebook or on a terminal, else a line on stderr per 10%; False: silent.

    Returns
    -------
    pandas.DataFrame
        One row per image (plus rows already in ``out`` for other paths; ``table.attrs["inputs"]``
        lists this call's images), sorted by ``path``,
        with the columns :data:`COLUMNS`: ``path``, ``width``, ``height``, ``distinct_colors``,
        ``k``, ``method``, ``space``, ``seed``, ``colors`` (hex codes, most used first),
        ``shares`` (each color's share of the pixels), ``mse``, ``psnr`` (dB), ``ssim``
        (:func:`colorlab.metrics.ssim`, NaN below 11 x 11 pixels), ``seconds``
        (load, fit and measure), ``error`` (NaN if none), ``warning`` (e.g. fewer distinct
        colors than k).

    Raises
    ------
    InvalidParameterError
        For a bad option, an input that does not exist, no images found, or an ``out`` made
        with other options (when resuming).
    ImageFileError
        If ``out`` cannot be written.
    WorkerLostError
        If a worker process died, or the Dask workers cannot run colorlab (rows done are saved).
    KeyboardInterrupt
        After saving the rows done so far to ``out``.

    Examples
    --------
    >>> import colorlab
    >>> table = colorlab.batch(["rocket", "coffee", "chelsea"], 6,
    ...                        workers=1, progress=False)
    >>> table[["width", "height", "k"]].values.tolist()
    [[451, 300, 6], [600, 400, 6], [640, 427, 6]]
    >>> table["colors"].map(len).tolist(), bool(table["psnr"].between(20, 40).all()), int(table["error"].notna().sum())
    ([6, 6, 6], True, 0)
    """
    for module in ("pandas", "threadpoolctl", "tqdm"):  # before any work: one line naming the extra
        need(module, "batch", "colorlab batch")
    k, seed, max_pixels, workers = _check_options(k, method, seed, space, max_pixels, workers, client)
    found = find_images(paths, recursive=recursive)
    labels = [_label(path) for path in found]
    options = {"k": k, "method": method, "space": space, "seed": seed, "max_pixels": max_pixels}
    mode = _progress_mode(progress)

    rows: dict[str, dict] = {}
    journal = None
    if out is not None:
        from ...util.files import check_output_path

        out = check_output_path(out)
        output_format(out)
        journal = Journal(out)
        journal.open(keep=resume)
        try:
            if resume:
                earlier = (read_rows(out) if out.exists() else []) + journal.leftover_rows()
                _check_resumable(earlier, out, k, method, space, seed)
                rows.update((row["path"], row) for row in earlier)
        except BaseException:
            journal.close(remove=journal.is_empty())  # keep the rows a killed run left
            raise
    done = {path for path, row in rows.items() if row["error"] is None}
    tasks = [(os.path.abspath(path), label) for path, label in zip(found, labels) if label not in done]

    from ._progress import Progress

    meter = Progress(mode, len(tasks), already_done=len(labels) - len(tasks))

    def emit(row):
        rows[row["path"]] = row
        if journal is not None:
            journal.append(row)
        meter.update(row)

    saved = False
    try:
        if not tasks:
            pass
        elif client is not None:
            _run_dask(tasks, emit, options, client)
        else:
            count = min(workers or default_workers(), len(tasks))
            if count <= 1:
                _run_here(tasks, emit, options)
            else:
                _run_pool(tasks, emit, options, count)
    finally:
        meter.close()
        if journal is not None:
            try:
                write_table(out, [rows[p] for p in sorted(rows)])
                saved = True
            finally:
                journal.close(remove=saved)  # a failed save keeps the journal: the next run reads it
    table = rows_to_frame([rows[p] for p in sorted(rows)])
    table.attrs["inputs"] = labels
    return table


def _progress_mode(progress):
    from ._progress import progress_mode

    return progress_mode(progress)
