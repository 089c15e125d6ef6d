"""Executed copies of the notebooks, for the documentation site.

The lesson notebooks are committed executed, with their outputs (``tests/test_notebooks.py``
checks that and executes them again): the site shows those outputs as they are. So is the
explorer's notebook, with the labelled still picture it shows where no kernel runs. A notebook
committed without outputs is executed, top to bottom in a real Jupyter kernel as the tests do. Either way the copy is saved in ``docs/notebooks/`` (generated, not
committed), which the site reads with MyST-NB's execution turned off.

A copy records a digest of what produced it: the notebook, and colorlab's files
(its modules, its browser files and the bundled photos). ``docs/conf.py``
executes only the notebooks whose copy is missing or out of date, so a rebuild
after a change to the text of a page executes nothing.

:func:`run` keeps what it executed for the rest of the process: the test
command's ``tests/test_docs.py`` and ``tests/test_notebooks.py`` can share one
execution of each notebook.

Run as a script (``python docs/execute_notebooks.py``) it brings the copies up
to date and prints one line per notebook.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import alt_text  # noqa: E402  (docs/alt_text.py)

DOCS = Path(__file__).resolve().parent
#: The notebooks, as committed (no outputs).
NOTEBOOKS = DOCS.parent / "notebooks"
#: Where the executed copies go; docs/conf.py's toctree reads them from here.
EXECUTED = DOCS / "notebooks"
#: Seconds one cell may take (the first kernel start on a fresh install is slow).
CELL_TIMEOUT = 600

#: The output kind of a live widget (a slider, a play button, the explorer).
WIDGET = "application/vnd.jupyter.widget-view+json"
#: What a page shows in place of a live widget: a static page has no kernel, so its controls would do nothing.
KERNEL_CAPTION = ("*Runs with a kernel:* in Jupyter this cell's controls (sliders, play) move what the picture "
                  "above shows; here the picture is all there is.")

_runs: dict[tuple[Path, str], nbformat.NotebookNode] = {}


def digest(notebook: Path) -> str:
    """Return a digest of ``notebook`` and of the colorlab files its outputs depend on.

    Parameters
    ----------
    notebook : Path
        A notebook under ``notebooks/``.

    Returns
    -------
    str
        A hex SHA-256 digest; it changes when the notebook, a module, a browser
        file or a bundled photo of the imported colorlab changes.
    """
    import colorlab
    from colorlab.io.samples import data_dir

    package = Path(colorlab.__file__).resolve().parent
    files = sorted(p for ext in ("py", "js", "css") for p in package.rglob(f"*.{ext}"))
    files += sorted(p for p in data_dir().iterdir() if p.is_file())
    hasher = hashlib.sha256(Path(notebook).read_bytes())
    for path in files:
        hasher.update(str(path.relative_to(path.parent.parent)).encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


def run(notebook: Path) -> nbformat.NotebookNode:
    """Execute ``notebook`` in a fresh kernel and return it with its outputs.

    The kernel's working folder is a scratch folder, so files a notebook writes
    never land in the checkout. A notebook already executed by this process,
    unchanged since (same :func:`digest`), is not executed again: the same
    executed notebook is returned.

    Parameters
    ----------
    notebook : Path
        The notebook file.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook; errors raised by cells are in its outputs
        (see :func:`errors`), they do not stop the run.
    """
    from nbclient import NotebookClient

    notebook = Path(notebook).resolve()
    key = (notebook, digest(notebook))
    if key not in _runs:
        nb = nbformat.read(notebook, as_version=4)
        if committed_executed(nb):  # a lesson: its committed outputs are the site's (the tests rerun it)
            nb.metadata["colorlab_docs"] = {"digest": key[1]}
            _runs[key] = nb
            return nb
        with tempfile.TemporaryDirectory(prefix="colorlab-notebook-") as scratch:
            client = NotebookClient(
                nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                resources={"metadata": {"path": scratch}},
            )
            client.execute()
        alt_text.apply(nb)  # the pictures made here get the descriptions their cells list
        nb.metadata["colorlab_docs"] = {"digest": key[1]}
        _runs[key] = nb
    return _runs[key]


def committed_executed(nb: nbformat.NotebookNode) -> bool:
    """True for a notebook committed with its outputs, executed top to bottom (execution counts 1, 2, ...).

    The lesson notebooks are committed so (``tests/test_notebooks.py`` checks it and executes them
    again); the site shows their committed outputs instead of executing them a second time.
    """
    counts = [cell.get("execution_count") for cell in nb.cells if cell.cell_type == "code"]
    return bool(counts) and counts == list(range(1, len(counts) + 1))


def errors(nb: nbformat.NotebookNode) -> list[str]:
    """Return one line per error a cell raised, and per traceback printed on stderr, in ``nb``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    list of str
        Empty when every cell ran cleanly.
    """
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.output_type == "error":
                found.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr" and "Traceback" in output.text:
                found.append(f"cell {index} printed a traceback: {output.text.strip().splitlines()[-1]}")
    return found


def without_widgets(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` for a page read without a kernel: no live widget, a caption in its place.

    A widget drawn on a static page (from the state a notebook saves) shows sliders and play buttons that
    move nothing. Every widget of the notebooks comes after a still picture of what it shows
    (``tests/test_notebooks.py`` checks it), so the still stays and the widget gives way to
    :data:`KERNEL_CAPTION`; an output that holds both (the explorer) keeps its still only. The widgets' saved
    state goes too, so the page loads no widget code.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook; it is not changed.

    Returns
    -------
    nbformat.NotebookNode

    Examples
    --------
    >>> cell = nbformat.v4.new_code_cell("stepper", outputs=[nbformat.v4.new_output(
    ...     "display_data", data={WIDGET: {"model_id": "1"}, "text/plain": "VBox()"})])
    >>> page = without_widgets(nbformat.v4.new_notebook(cells=[cell]))
    >>> page.cells[0].outputs[0].data["text/markdown"] == KERNEL_CAPTION
    True
    """
    import copy

    page = copy.deepcopy(nb)
    page.metadata.pop("widgets", None)
    for cell in page.cells:
        for index, output in enumerate(cell.get("outputs", [])):
            data = output.get("data", {})
            if WIDGET not in data:
                continue
            if any(kind.startswith("image/") for kind in data):
                del data[WIDGET]
            else:
                cell.outputs[index] = nbformat.v4.new_output(
                    "display_data", data={"text/markdown": KERNEL_CAPTION, "text/plain": KERNEL_CAPTION})
    return page


def save(nb: nbformat.NotebookNode, notebook: Path, folder: Path = EXECUTED) -> Path:
    """Write the executed ``nb`` as ``folder/<notebook's name>``, atomically, as a page shows it.

    Live widgets give way to :data:`KERNEL_CAPTION` (:func:`without_widgets`).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook (from :func:`run`).
    notebook : Path
        The source notebook it was executed from (gives the file name).
    folder : Path
        Where to write it; created when missing.

    Returns
    -------
    Path
        The file written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / Path(notebook).name
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as sink:
            nbformat.write(without_widgets(nb), sink)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def is_current(notebook: Path, folder: Path = EXECUTED) -> bool:
    """Tell whether ``folder`` holds an executed copy of ``notebook`` made from what is there now."""
    copy = folder / Path(notebook).name
    if not copy.is_file():
        return False
    recorded = nbformat.read(copy, as_version=4).metadata.get("colorlab_docs", {}).get("digest")
    return recorded == digest(notebook)


def refresh(source: Path = NOTEBOOKS, folder: Path = EXECUTED, *, execute: bool = True, log=print) -> list[Path]:
    """Execute every notebook of ``source`` whose copy in ``folder`` is missing or out of date.

    Copies whose notebook is gone are removed, so the site lists exactly the
    notebooks of ``source``.

    Parameters
    ----------
    source : Path
        The folder of committed notebooks.
    folder : Path
        The folder of executed copies.
    execute : bool
        False: execute nothing, use the copies as they are (the test command
        puts the copies from its own execution there); each must exist.
    log : callable
        Called with one line per notebook.

    Returns
    -------
    list of Path
        The executed copies, one per notebook, sorted.

    Raises
    ------
    RuntimeError
        If a notebook raises an error (the message names the notebook and the
        cell); its copy is not written. With ``execute=False``, if a copy is
        missing.
    """
    notebooks = sorted(Path(source).glob("*.ipynb"))
    if not notebooks:
        raise RuntimeError(f"no notebook in {str(source)!r}; the site needs the notebooks of the checkout")
    for stale in set(Path(folder).glob("*.ipynb")) - {Path(folder) / n.name for n in notebooks}:
        stale.unlink()
    for notebook in notebooks:
        if not execute:
            if not (Path(folder) / notebook.name).is_file():
                raise RuntimeError(f"no executed copy of {notebook.name} in {str(folder)!r}; "
                                   "run python docs/execute_notebooks.py first")
            log(f"{notebook.name}: as given")
            continue
        if is_current(notebook, folder):
            log(f"{notebook.name}: up to date")
            continue
        log(f"{notebook.name}: executing")
        nb = run(notebook)
        problems = errors(nb)
        if problems:
            raise RuntimeError(f"{notebook.name} failed, {problems[0]}; fix the notebook or colorlab, then rebuild")
        save(nb, notebook, folder)
    return [Path(folder) / n.name for n in notebooks]


if __name__ == "__main__":
    try:
        refresh()
    except RuntimeError as error:
        sys.exit(f"error: {error}")
