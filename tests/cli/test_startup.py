"""The command line imports only what its command needs: a module budget, no heavy libraries.

Counted in modules, never in seconds (tests time nothing; benchmarks/bench_cli.py measures the time).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Most modules ``python -X importtime -c "import colorlab.cli"`` may list (the interpreter's own
#: start-up included: about 65). Measured 2026-12-01: 255 (numpy alone is about 130).
IMPORT_BUDGET = 300

#: Never imported on the way to ``quantize`` or ``palette`` (only other commands or methods need them).
HEAVY = ["matplotlib", "ipywidgets", "IPython", "pandas", "scipy.cluster", "dask", "distributed", "imageio",
         "sklearn", "pyarrow", "numba"]


def _importtime(code: str) -> list[str]:
    """Every module ``python -X importtime -c code`` reports importing, in its order."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or line.rstrip().endswith("imported package"):
            continue
        rows.append(line.split("|")[-1].strip())
    return rows


def test_importing_the_command_line_stays_within_its_module_budget():
    names = _importtime("import colorlab.cli")
    assert "colorlab.cli" in names and "numpy" in names  # the report was read
    assert len(names) <= IMPORT_BUDGET, (
        f"import colorlab.cli imports {len(names)} modules, over the budget of {IMPORT_BUDGET}; "
        "import what only some commands need inside those commands"
    )
    heavy = sorted({name for name in names for root in HEAVY if name == root or name.startswith(root + ".")})
    assert heavy == []
    assert "importlib.metadata" not in names  # the version is looked up on first use


@pytest.mark.parametrize("argv", [
    ["quantize", "coffee", "-k", "4", "-o", "{out}"],
    ["palette", "coffee", "-k", "8"],
    ["--version"],
])
def test_commands_import_no_heavy_library(argv, tmp_path):
    argv = [arg.replace("{out}", str(tmp_path / "out.png")) for arg in argv]
    code = (
        "import json, sys\n"
        "from colorlab.cli import main\n"
        f"status = main({argv!r})\n"
        "print(json.dumps([status, sorted(sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    status, modules = json.loads(done.stdout.splitlines()[-1])
    assert status == 0
    heavy = sorted({name for name in modules for root in HEAVY if name == root or name.startswith(root + ".")})
    assert heavy == [], f"colorlab {argv[0]} imported {heavy}"
    if argv[0] != "--version":
        assert "importlib.metadata" not in modules  # the version is looked up only for --version


def test_sweep_and_batch_are_functions_imported_on_first_use():
    code = (
        "import sys, colorlab\n"
        "assert 'colorlab.selection.sweep' not in sys.modules and 'colorlab.collection.batch' not in sys.modules\n"
        "import colorlab.metrics, colorlab.selection.sweep\n"  # the module imported by name first
        "from colorlab.collection.batch import find_images\n"
        "from colorlab import batch\n"
        "assert callable(colorlab.sweep) and colorlab.sweep.__module__ == 'colorlab.selection.sweep'\n"
        "assert callable(batch) and colorlab.batch is batch and batch.__module__ == 'colorlab.collection.batch'\n"
        "assert sys.modules['colorlab.selection.sweep'].MODES and callable(find_images)\n"
        "assert not isinstance(type(colorlab), type) or type(colorlab).__name__ == 'module'\n"
        "rows = colorlab.sweep(colorlab.load_image('coffee')[:40, :40], [2, 3])\n"
        "print(len(rows))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "2", done.stderr[-2000:]
