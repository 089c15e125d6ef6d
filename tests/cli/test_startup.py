"""The command line imports only what its command needs: a module budget, no heavy libraries.

Counted in modules, never in seconds (tests time nothing; benchmarks/bench_cli.py measures the time).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cli_support import in_fresh_python, under

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
    status, modules = in_fresh_python(f"from colorlab.cli import main\nresult = main({argv!r})")
    assert status == 0
    heavy = under(modules, HEAVY)
    assert heavy == [], f"colorlab {argv[0]} imported {heavy}"
    if argv[0] != "--version":
        assert "importlib.metadata" not in modules  # the version is looked up only for --version


#: What ``colorlab quantize IN -k 256 -o OUT.png`` of a PNG or JPEG file never imports: the other clustering
#: methods, Pillow's readers of other formats (``Image.open`` would import five), what only some options need,
#: the table of bundled photos (IN is a file).
NOT_AT_256 = ["colorlab.cluster.ward", "colorlab.cluster.mediancut", "colorlab.cluster.locked", "colorlab.selection",
              "colorlab.metrics", "colorlab.collection", "colorlab.plot", "colorlab.lessons", "colorlab.explorer",
              "colorlab.redraw.animation", "colorlab.redraw.masks", "colorlab.color.parse", "colorlab.io.samples",
              "PIL.BmpImagePlugin", "PIL.GifImagePlugin", "PIL.PpmImagePlugin", "importlib.metadata"]


@pytest.mark.parametrize(("photo", "reader", "not_needed"), [
    # an ordinary PNG in, an indexed PNG out: none of Pillow but its compiled core (which says whether it has
    # libimagequant, for the list of methods)
    ("coffee", "colorlab.io._pngread", ["PIL.Image", "PIL.ImageFile", "PIL.PngImagePlugin", "PIL.JpegImagePlugin"]),
    ("rocket", "PIL.JpegImagePlugin", ["PIL.PngImagePlugin"]),
])
def test_quantize_at_256_colors_imports_only_what_its_work_needs(photo, reader, not_needed, tmp_path):
    from colorlab.io.samples import sample_path

    argv = ["quantize", str(sample_path(photo)), "-k", "256", "-o", str(tmp_path / "out.png")]
    status, modules = in_fresh_python(f"from colorlab.cli import main\nresult = main({argv!r})")
    assert status == 0 and (tmp_path / "out.png").stat().st_size > 0
    assert "colorlab.cluster.wu" in modules and reader in modules  # the work was done, by these
    imported = under(modules, NOT_AT_256 + HEAVY + not_needed)
    assert imported == [], f"colorlab quantize -k 256 of {photo} imported {imported}"


def test_importing_colorlab_imports_only_its_errors_until_a_name_is_used():
    code = (
        "import sys\n"
        "import colorlab\n"
        "before = sorted(m for m in sys.modules if m.startswith(('colorlab', 'numpy', 'PIL')))\n"
        "from colorlab import fit_palette, Palette, load_image\n"
        "names = [colorlab.quantize.__module__, fit_palette.__module__, Palette.__module__, load_image.__module__,\n"
        "         colorlab.samples.__module__, colorlab.METHODS[0]]\n"
        "result = [before, names, sorted(set(colorlab.__all__) - set(dir(colorlab)))]\n"
    )
    (before, names, undir), _ = in_fresh_python(code)
    assert before == ["colorlab", "colorlab._moved", "colorlab.errors"]
    assert names == ["colorlab.redraw.quantize", "colorlab.cluster.fit", "colorlab.palette.core", "colorlab.io.images",
                     "colorlab.io.samples", "kmeans"]
    assert undir == []  # dir(colorlab) lists every public name, imported or not


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


@pytest.mark.parametrize("given, expected", [(None, "1"), ("3", "3")])
def test_the_command_gives_openblas_one_thread_unless_the_user_chose(given, expected):
    # colorlab calls no BLAS: OpenBLAS's threads would only spin beside the command's own at start-up
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    code = "import colorlab.cli, os, numpy; print(os.environ['OPENBLAS_NUM_THREADS'])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == expected


def test_a_program_that_imported_numpy_first_keeps_its_environment():
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_NUM_THREADS"}
    code = "import numpy, os, colorlab.cli; print(os.environ.get('OPENBLAS_NUM_THREADS', 'unset'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "unset"
