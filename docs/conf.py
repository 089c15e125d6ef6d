"""Sphinx configuration of colorlab's documentation site: ``bash dev.sh docs`` builds it into docs/_build/html.

Pages are MyST Markdown; the notebooks are shown with their outputs, from the executed copies in
``docs/notebooks/`` that :mod:`execute_notebooks` makes (only the ones out of date are executed, before Sphinx
reads anything; MyST-NB itself executes nothing). The command line's page is generated from
``colorlab.cli.build_parser`` (sphinx-argparse), the API reference from the numpydoc docstrings (autodoc).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import colorlab

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS))

import execute_notebooks  # noqa: E402  (beside this file)

project = "colorlab"
author = "colorlab developers"
copyright = "2026, colorlab developers"
version = release = colorlab.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "numpydoc",
    "sphinxarg.ext",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# -- MyST and the notebooks ----------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "colon_fence"]
nb_execution_mode = "off"  # the outputs come from docs/notebooks/, executed once (see execute_notebooks.py)
nb_merge_streams = True
# No live widget reaches a page: a static page has no kernel to drive one, so execute_notebooks.save puts
# the widget's still picture and a "runs with a kernel" caption in its place.

# -- API reference -------------------------------------------------------------------------------------------
autodoc_default_options = {"members": True, "undoc-members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc Parameters sections give the types
numpydoc_show_class_members = False  # members are documented by autodoc's :members:
numpydoc_class_members_toctree = False

# -- HTML ----------------------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"colorlab {release}"
html_static_path: list[str] = []


def api_pages() -> dict[str, list[str]]:
    """Return the API reference's pages: each public module of colorlab with the members its page leaves out.

    A page per module or subpackage with no leading underscore in its path (a module's ``__all__`` is its
    public API). Each function and class is described once: the ones ``colorlab`` itself exports on the
    ``colorlab`` page, the others on the page of the module that defines them; a subpackage's page leaves
    out what it re-exports from its modules. Constants stay on every page that lists them.
    """
    import importlib
    import inspect
    import pkgutil

    names = ["colorlab"] + sorted(
        m.name for m in pkgutil.walk_packages(colorlab.__path__, "colorlab.")
        if not any(part.startswith("_") for part in m.name.split("."))
    )
    modules = {name: importlib.import_module(name) for name in names}
    top = {id(getattr(colorlab, n)) for n in colorlab.__all__}

    def home(obj, page: str) -> str:
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            return page
        if id(obj) in top:
            return "colorlab"
        return obj.__module__ if obj.__module__ in modules else page

    return {
        name: sorted(n for n in getattr(module, "__all__", []) if home(getattr(module, n), name) != name)
        for name, module in modules.items()
    }


def _write_api_pages(app, config) -> None:
    """Write docs/api/ (generated, not committed): an index and one page per entry of :func:`api_pages`.

    The pages are reStructuredText: autodoc's output is reStructuredText, and the sections of module
    docstrings (``Examples``) stay local to their page there.
    """
    folder = DOCS / "api"
    folder.mkdir(exist_ok=True)
    pages = api_pages()
    wanted = {f"{name}.rst" for name in pages} | {"index.rst"}
    for old in folder.iterdir():
        if old.name not in wanted:
            old.unlink()
    title = "API reference"
    index = [title, "=" * len(title), "",
             "Generated from the numpydoc docstrings. ``import colorlab`` gives the names on the ``colorlab`` page; "
             "the other modules are imported as ``from colorlab import metrics`` or ``from colorlab.cluster import fit``, "
             "and so on.", "",
             ".. toctree::", "   :maxdepth: 1", "", *[f"   {name}" for name in pages], ""]
    _write_if_changed(folder / "index.rst", "\n".join(index))
    for name, excluded in pages.items():
        # a module's __all__ is its public API, wherever a name is defined (with no __all__: its own names only)
        options = ["   :imported-members:"] if hasattr(sys.modules[name], "__all__") else []
        options += [f"   :exclude-members: {', '.join(excluded)}"] if excluded else []
        text = "\n".join([name, "=" * len(name), "", f".. automodule:: {name}", *options, ""])
        _write_if_changed(folder / f"{name}.rst", text)


def _write_if_changed(path: Path, text: str) -> None:
    # an unchanged page keeps its time stamp, so Sphinx does not read it again
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _executed_notebooks(app, config) -> None:
    """Bring docs/notebooks/ up to date with notebooks/ before Sphinx reads the sources.

    ``COLORLAB_DOCS_EXECUTE=never`` executes nothing and uses the copies already there: the test command
    builds the site from its own execution of the notebooks.
    """
    execute = os.environ.get("COLORLAB_DOCS_EXECUTE", "when-stale") != "never"
    execute_notebooks.refresh(execute=execute, log=lambda line: print(f"colorlab docs: {line}", flush=True))
    # the teacher's plan, beside the notebooks it links to, so it is the first page of the lessons
    plan = execute_notebooks.NOTEBOOKS / "README.md"
    _write_if_changed(execute_notebooks.EXECUTED / "README.md", plan.read_text(encoding="utf-8"))


def setup(app):
    app.connect("config-inited", _write_api_pages)
    app.connect("config-inited", _executed_notebooks)
