"""colorlab as a user gets it: the sdist and wheel built from this checkout, the wheel used from a fresh venv.

The sources are the files git would commit (tracked, plus untracked ones that .gitignore does not exclude),
copied to a temporary folder, so the build never writes into the checkout. ``python -m build`` makes the sdist
and then the wheel *from that sdist* (so a file missing from the sdist breaks the wheel too). The wheel is
installed, with its dependencies from the package index (pip's cache makes that quick), into a new virtual
environment that does not see this checkout, and everything below runs there with the working folder outside
the checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

import colorlab
from colorlab.io.samples import SAMPLES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

pytestmark = pytest.mark.slow


def _run(args, *, cwd, env=None, timeout=600) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (
        f"{' '.join(map(str, args))} exited with {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done


def _source_files(repo: Path) -> list[str]:
    if not (repo / ".git").exists():
        pytest.skip("not a git checkout: the files to package are those git would commit")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=repo, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    return [name for name in listed if name and (repo / name).is_file()]


@pytest.fixture(scope="module")
def project(repo) -> dict:
    return tomllib.loads((repo / "pyproject.toml").read_text())["project"]


@pytest.fixture(scope="module")
def dists(repo, tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel, built from a copy of the sources."""
    source = tmp_path_factory.mktemp("source") / "colorlab"
    files = _source_files(repo)
    for name in files:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(source)], cwd=out)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel, "source": source, "files": files}


def _new_venv(dists, tmp_path_factory, extras: str = "") -> dict:
    """A fresh virtual environment with the wheel installed (not editable, with ``extras``), and the environment
    to run it in."""
    root = tmp_path_factory.mktemp("venv")
    # no pip inside (saves the ensurepip step); this interpreter's pip installs into it with --python
    _run([sys.executable, "-m", "venv", "--without-pip", str(root)], cwd=root)
    python = root / "bin" / "python"
    wheel = f"{dists['wheel']}[{extras}]" if extras else str(dists["wheel"])
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-compile", "-q", wheel],
         cwd=root, timeout=900)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "COLORLAB_DATA"}}
    env.update(MPLBACKEND="Agg", PATH=f"{root / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(root))
    work = tmp_path_factory.mktemp("work")  # the working folder: not the checkout, which must not be importable
    return {"root": root, "python": python, "env": env, "work": work}


@pytest.fixture(scope="module")
def venv(dists, tmp_path_factory) -> dict:
    """``pip install colorlab``: the wheel alone, with only the dependencies of the library and command line."""
    return _new_venv(dists, tmp_path_factory)


@pytest.fixture(scope="module")
def notebooks_venv(dists, tmp_path_factory) -> dict:
    """``pip install colorlab[notebooks]``: the explorer and the lessons."""
    return _new_venv(dists, tmp_path_factory, "notebooks")


def _python(venv, code: str) -> str:
    return _run([venv["python"], "-c", code], cwd=venv["work"], env=venv["env"]).stdout


# -- what the sdist and the wheel hold ------------------------------------------------------------------------


def test_sdist_holds_license_photos_credits_and_sources(dists, project):
    with tarfile.open(dists["sdist"]) as sdist:
        top = f"colorlab-{project['version']}/"
        names = {name.removeprefix(top) for name in sdist.getnames()}
        pkg_info = sdist.extractfile(top + "PKG-INFO").read().decode()
    expected = {"LICENSE", "data/README.md", "README.md", "CHANGELOG.md", "pyproject.toml", "setup.py"}
    expected |= {f"data/{sample.file}" for sample in SAMPLES.values()}
    # everything under colorlab/, notebooks/ and tests/ that git would commit (not generated files)
    expected |= {n for n in dists["files"] if n.startswith(("colorlab/", "notebooks/", "tests/"))}
    assert not expected - names, f"missing from the sdist: {sorted(expected - names)}"
    assert "License-Expression: BSD-3-Clause" in pkg_info
    assert not [n for n in names if "__pycache__" in n or n.startswith(("docs/_build", ".venv"))]


def test_wheel_holds_photos_credits_license_and_every_subpackage(dists, repo):
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        names = set(wheel.namelist())
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = wheel.read(metadata).decode()
    dist_info = metadata.rsplit("/", 1)[0]
    expected = {f"colorlab/data/{sample.file}" for sample in SAMPLES.values()} | {
        "colorlab/data/README.md", f"{dist_info}/licenses/LICENSE", f"{dist_info}/licenses/data/README.md",
    }
    source = dists["source"]
    # every module of every package under colorlab/, and the explorer's browser files, wherever they are
    expected |= {p.relative_to(source).as_posix() for p in (source / "colorlab").rglob("*.py")}
    expected |= {p.relative_to(source).as_posix() for ext in ("js", "css") for p in (source / "colorlab").rglob(f"*.{ext}")}
    assert not expected - names, f"missing from the wheel: {sorted(expected - names)}"
    # the engine's loops, compiled when the wheel was built (colorlab/_engine/engine.c; loaded with ctypes)
    assert [n for n in names if re.fullmatch(r"colorlab/_engine/_lib\.[\w.-]*so", n)], "no compiled engine in the wheel"
    assert "License-Expression: BSD-3-Clause" in meta
    assert not [n for n in names if n.startswith(("tests/", "data/", "notebooks/", "docs/"))], "stray top-level folders"


# -- the installed wheel, used as a user would ----------------------------------------------------------------


def test_installed_from_the_wheel_not_the_checkout(venv, repo, project):
    out = _python(venv, (
        "import colorlab, importlib.metadata as m; from colorlab.io.samples import data_dir; "
        "print(colorlab.__file__); print(data_dir()); "
        "print(colorlab.__version__, m.version('colorlab'))"
    ))
    package, data, versions = out.splitlines()
    assert Path(package).is_relative_to(venv["root"]) and not Path(package).is_relative_to(repo)
    assert Path(data) == Path(package).parent / "data"
    assert versions.split() == [project["version"], project["version"]]


def test_bundled_photos_load_from_the_install(venv):
    out = _python(venv, (
        "import colorlab; from colorlab.io.samples import SAMPLES; "
        "print(colorlab.samples()); "
        "print(*[colorlab.load_image(n).shape for n in colorlab.samples()], sep=';')"
    ))
    names, shapes = out.splitlines()
    assert names == str(sorted(SAMPLES))
    assert shapes.split(";") == [str((s.size[1], s.size[0], 3)) for _, s in sorted(SAMPLES.items())]


def test_version_flag_agrees_with_the_metadata(venv, project):
    out = _run([venv["python"], "-m", "colorlab", "--version"], cwd=venv["work"], env=venv["env"]).stdout
    assert out.strip() == f"colorlab {project['version']}"


def test_cli_quantizes_a_bundled_photo(venv):
    _run([venv["root"] / "bin" / "colorlab", "quantize", "rocket", "-k", "6", "-o", "out.png"],
         cwd=venv["work"], env=venv["env"])
    result = colorlab.load_image(venv["work"] / "out.png")
    assert result.shape == (427, 640, 3)
    assert len(np.unique(result.reshape(-1, 3), axis=0)) == 6


def test_fit_palette_in_the_lean_install(venv):
    out = _python(venv, "import colorlab; p = colorlab.fit_palette(colorlab.load_image('coffee'), 5, seed=0); print(len(p))")
    assert out.strip() == "5"


def test_the_lean_install_brings_no_notebook_plot_or_table_packages(venv):
    out = _python(venv, (
        "import importlib.util as u; "
        "print(*[m for m in ('matplotlib', 'ipywidgets', 'anywidget', 'jupyterlab', 'voila', 'pandas', 'pyarrow', "
        "'tqdm', 'distributed', 'sklearn') if u.find_spec(m)])"
    ))
    assert out.strip() == ""


@pytest.mark.parametrize("module, extra", [("colorlab.plot", "plot"), ("colorlab.lessons", "notebooks"),
                                            ("colorlab.explorer.app", "notebooks")])
def test_a_part_that_needs_an_extra_names_it(venv, module, extra):
    done = subprocess.run([venv["python"], "-c", f"import {module}"], cwd=venv["work"], env=venv["env"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert f"pip install 'colorlab[{extra}]'" in done.stderr.splitlines()[-1]


@pytest.mark.parametrize("args, extra", [(["figures", "--out", "figs"], "plot"),
                                          (["batch", "rocket", "-k", "4", "-o", "t.csv"], "batch")])
def test_a_command_that_needs_an_extra_says_which_in_one_line(venv, args, extra):
    done = subprocess.run([venv["root"] / "bin" / "colorlab", *args], cwd=venv["work"], env=venv["env"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ")
    assert f"pip install 'colorlab[{extra}]'" in done.stderr and "Traceback" not in done.stderr


def test_cli_regenerates_the_figures(notebooks_venv):
    venv = notebooks_venv
    out = _run([venv["root"] / "bin" / "colorlab", "figures", "--out", "figs"], cwd=venv["work"], env=venv["env"]).stdout
    written = [venv["work"] / line for line in out.splitlines()]  # relative paths are under the working folder
    assert sorted(p.name for p in written) == [
        "coffee_k4_compare.png", "coffee_k4_rgb.png", "rocket_k6_compare.png", "rocket_k6_rgb.png",
    ]
    assert all(p.parent == venv["work"] / "figs" and colorlab.load_image(p).size > 10_000 for p in written)


def test_widgets_and_every_subpackage_import(notebooks_venv, dists):
    source = dists["source"]
    packages = sorted(
        ".".join(init.parent.relative_to(source).parts) for init in (source / "colorlab").rglob("__init__.py")
    )
    modules = ["colorlab.lessons.widgets", "colorlab.explorer.app", *packages]
    out = _python(notebooks_venv, f"import importlib; [importlib.import_module(m) for m in {modules!r}]; print('ok')")
    assert out.strip() == "ok"


def test_the_explorer_opens_headless_and_draws_its_still(notebooks_venv):
    out = _python(notebooks_venv, (
        "from colorlab.explorer import explorer; from colorlab.explorer.app import snapshot_png; "
        "ex = explorer('rocket', k=6); png = snapshot_png(ex); "
        "print(len(ex.palette), png[:8] == b'\\x89PNG\\r\\n\\x1a\\n', len(png) > 10_000)"
    ))
    assert out.split() == ["6", "True", "True"]


def test_readme_install_section_names_the_wheel_commands(repo):
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert re.search(r"pip install \S*\.whl|pip install dist/", readme)
    assert 'pip install "git+' in readme
