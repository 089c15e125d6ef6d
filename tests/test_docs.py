"""The documentation site: it builds with warnings as errors, and every page its tables of contents name is there.

The build reads a copy of docs/, the notebooks, README.md and CHANGELOG.md in a temporary folder, so it writes
nothing into the checkout. The notebooks are executed by ``docs/execute_notebooks.py``'s :func:`run`, which keeps
each executed notebook for the rest of the test run: tests/test_notebooks.py can use the same execution instead of
executing every notebook a second time.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pickle
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging_support import requirements

import colorlab

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "docs"))

import execute_notebooks  # noqa: E402  (docs/execute_notebooks.py)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
#: The pages index.md's table of contents names, besides the notebooks and the API pages.
PAGES = ["index", "quickstart", "explorer", "lessons", "cli", "api/index", "changelog"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict:
    """Build the site once: its html folder, the build's output, and Sphinx's record of the tables of contents."""
    root = tmp_path_factory.mktemp("site")
    generated = {"_build", "notebooks", "api", "__pycache__", ".ipynb_checkpoints"}  # docs/ folders conf.py writes
    shutil.copytree(REPO / "docs", root / "docs", ignore=lambda folder, names: [n for n in names if n in generated])
    (root / "notebooks").mkdir()
    for name in ("README.md", "CHANGELOG.md", "notebooks/README.md"):
        shutil.copy(REPO / name, root / name)
    executed = {}
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, root / "notebooks" / notebook.name)
        executed[notebook.name] = nb = execute_notebooks.run(notebook)
        problems = execute_notebooks.errors(nb)
        assert not problems, f"{notebook.name}: {problems[0]}"
        execute_notebooks.save(nb, notebook, root / "docs" / "notebooks")
    html, doctrees = root / "html", root / "doctrees"
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-d", str(doctrees),
         str(root / "docs"), str(html)],
        cwd=root, capture_output=True, text=True, timeout=900,
        env=os.environ | {"COLORLAB_DOCS_EXECUTE": "never"},  # the pages show this run's execution, no other
    )
    with open(doctrees / "environment.pickle", "rb") as stream:
        env = pickle.load(stream)
    return {
        "html": html, "build": build, "toctree": dict(env.toctree_includes), "log": build.stdout + build.stderr,
        "executed": executed,
    }


def _page(site, docname: str) -> str:
    return (site["html"] / f"{docname}.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_builds_with_warnings_as_errors(site):
    assert site["build"].returncode == 0, f"the docs build failed:\n{site['log'][-4000:]}"


@pytest.mark.slow
def test_every_page_the_tables_of_contents_name_exists(site):
    named = {page for pages in site["toctree"].values() for page in pages}
    missing = sorted(page for page in named | {"index"} if not (site["html"] / f"{page}.html").is_file())
    assert not missing, f"named in a table of contents but not built: {missing}"
    expected = set(PAGES) | {f"notebooks/{nb.stem}" for nb in NOTEBOOKS} | {"api/colorlab", "api/colorlab.metrics"}
    assert not expected - named - {"index"}, f"not in any table of contents: {sorted(expected - named - {'index'})}"


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_pages_show_their_outputs(site, notebook):
    nb = site["executed"][notebook.name]  # the execution the site was built from
    with_outputs = sum(1 for cell in nb.cells if cell.cell_type == "code" and cell.outputs)
    assert with_outputs, f"{notebook.name} has no output at all"
    assert _page(site, f"notebooks/{notebook.stem}").count('class="cell_output') == with_outputs


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_pages_have_no_control_that_does_nothing(site, notebook):
    """A page has no kernel: where a notebook shows a live widget, its page shows the still and says so."""
    page = _page(site, f"notebooks/{notebook.stem}")
    assert "application/vnd.jupyter.widget" not in page, f"{notebook.name}: a widget drawn on a page without a kernel"
    widgets = sum(1 for cell in site["executed"][notebook.name].cells for output in cell.get("outputs", [])
                  if execute_notebooks.WIDGET in output.get("data", {}) and "image/png" not in output.data)
    assert page.count("Runs with a kernel:") == widgets


@pytest.mark.slow
def test_cli_page_is_generated_from_the_parser(site):
    from colorlab.cli import build_parser

    (subparsers,) = [a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction"]
    page = _page(site, "cli")
    for command, parser in subparsers.choices.items():
        assert f'id="{command}"' in page, f"the command line page lacks 'colorlab {command}'"
        for action in parser._actions:
            assert all(option in page for option in action.option_strings), (command, action.option_strings)


@pytest.mark.slow
def test_api_reference_describes_every_public_function_and_class(site):
    """Each function and class a public module lists in __all__ is described, under one of its names."""
    ids = set()
    for page in (site["html"] / "api").glob("*.html"):
        ids |= set(re.findall(r'id="(colorlab[\w.]*)"', page.read_text(encoding="utf-8")))
    described = {id(_resolve(name)) for name in ids}
    modules = ["colorlab"] + [m.name for m in pkgutil.walk_packages(colorlab.__path__, "colorlab.")
                              if not any(part.startswith("_") for part in m.name.split("."))]
    missing = []
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and id(obj) not in described:
                missing.append(f"{module_name}.{name}")
    assert not missing, f"public functions and classes missing from the API reference: {missing}"


def _resolve(dotted: str):
    """The object a documented id names (a module, or an attribute of one), or None."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
        return obj
    return None


def test_docs_tools_are_in_the_test_extra(repo):
    """The test command installs the test extra, and builds the docs: it must hold everything the docs extra has."""
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    docs, test = set(requirements(project, "docs")), set(requirements(project, "test"))
    assert docs <= test, sorted(docs - test)


def test_refresh_without_execution_needs_every_copy(tmp_path):
    source, folder = tmp_path / "notebooks", tmp_path / "executed"
    source.mkdir()
    shutil.copy(NOTEBOOKS[0], source / NOTEBOOKS[0].name)
    with pytest.raises(RuntimeError, match=re.escape(NOTEBOOKS[0].name)):
        execute_notebooks.refresh(source, folder, execute=False, log=lambda line: None)


def test_errors_names_the_cell_and_the_exception():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# title"),
        nbformat.v4.new_code_cell("1/0", outputs=[nbformat.v4.new_output("error", ename="ZeroDivisionError",
                                                                          evalue="division by zero", traceback=[])]),
        nbformat.v4.new_code_cell("print(1)", outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\n")]),
    ])
    assert execute_notebooks.errors(nb) == ["cell 1: ZeroDivisionError: division by zero"]


def test_docs_extra_has_what_the_notebooks_import(repo):
    """``bash dev.sh docs`` installs colorlab with the docs extra only, and executes every notebook with it."""
    import ast
    from importlib.metadata import packages_distributions

    import nbformat
    from IPython.core.inputtransformer2 import TransformerManager

    def normal(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    declared = {normal(re.match(r"[\w.\-]+", r).group()) for r in requirements(project, "docs")}
    providers = packages_distributions()
    missing = set()
    for notebook in NOTEBOOKS:
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(TransformerManager().transform_cell(cell.source))):  # magics as calls
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
                for top in {n.split(".")[0] for n in names} - set(sys.stdlib_module_names) - {"colorlab"}:
                    if not {normal(d) for d in providers.get(top, [])} & declared:
                        missing.add(f"{notebook.name}: {top}")
    assert not missing, f"imported by a notebook, in neither the dependencies nor the docs extra: {sorted(missing)}"
