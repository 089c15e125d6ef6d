"""environment.yml (conda/Binder) and pyproject.toml (pip) must list the same dependencies."""

from __future__ import annotations

import re
import sys

import pytest
import yaml
from packaging_support import requirements

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# pip name -> conda-forge name, where they differ
CONDA_NAMES = {"opencv-python-headless": "opencv", "build": "python-build"}
NOT_IN_CONDA = {"tomli"}  # only needed on Python < 3.11, which conda's python>=3.10 may not be
# no conda-forge package: environment.yml's `pip install -e .` installs them from PyPI (its comment says so)
PIP_ONLY = {"deflate"}


def _parse(requirement: str) -> tuple[str, str]:
    """('numpy>=1.24; marker') -> ('numpy', '>=1.24'), names normalised as PEP 503 does."""
    requirement = requirement.split(";")[0].strip()
    match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", requirement)
    assert match, f"cannot parse requirement {requirement!r}"
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    return CONDA_NAMES.get(name, name), match.group(2).replace(" ", "")


@pytest.fixture(scope="module")
def pyproject(repo):
    return tomllib.loads((repo / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def conda_deps(repo) -> dict[str, str]:
    env = yaml.safe_load((repo / "environment.yml").read_text())
    deps = [d for d in env["dependencies"] if isinstance(d, str)]
    # python, pip and the C compiler (colorlab/_engine/engine.c is compiled on install) are not Python requirements
    return dict(_parse(d) for d in deps if _parse(d)[0] not in {"python", "pip", "c-compiler"})


def _pip_deps(requirements) -> dict[str, str]:
    return dict(p for p in map(_parse, requirements) if p[0] not in NOT_IN_CONDA | PIP_ONLY)


def test_runtime_and_test_dependencies_match(pyproject, conda_deps):
    pip = _pip_deps(requirements(pyproject["project"], "all", "test"))
    assert conda_deps == pip, (
        "environment.yml and pyproject.toml disagree; "
        f"only in environment.yml: {sorted(set(conda_deps.items()) - set(pip.items()))}, "
        f"only in pyproject.toml: {sorted(set(pip.items()) - set(conda_deps.items()))}"
    )


def test_pip_only_dependencies_are_named_in_environment_yml(repo, pyproject):
    text = (repo / "environment.yml").read_text()
    pip = dict(map(_parse, pyproject["project"]["dependencies"]))
    for name in PIP_ONLY:
        assert f"# {name}{pip[name]} " in text


def test_python_floor_matches(repo, pyproject):
    env = yaml.safe_load((repo / "environment.yml").read_text())
    (python,) = [d for d in env["dependencies"] if isinstance(d, str) and _parse(d)[0] == "python"]
    assert python.replace(" ", "") == "python" + pyproject["project"]["requires-python"].replace(" ", "")


def test_environment_installs_colorlab_itself(repo):
    env = yaml.safe_load((repo / "environment.yml").read_text())
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert pip_sections == [["-e ."]]


@pytest.mark.parametrize("module", ["util", "_engine.kmeans", "color", "histogram", "palette", "io", "cluster",
                                    "redraw", "metrics", "selection", "collection", "collection.batch"])
def test_computation_modules_do_not_import_screen_libraries(module):
    """Computation knows no screen: importing these must not pull in matplotlib or ipywidgets."""
    import subprocess

    code = (  # the subpackage and every module in it
        f"import sys, importlib, pkgutil; p = importlib.import_module('colorlab.{module}'); "
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(getattr(p, '__path__', []), p.__name__ + '.')]; "
        "bad = [m for m in ('matplotlib', 'ipywidgets') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
