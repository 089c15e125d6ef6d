"""The module paths of before the subpackages keep working for one release, and say where they went."""

import subprocess
import sys

import pytest

from colorlab import _moved


@pytest.mark.parametrize("old", sorted(_moved.MOVED))
def test_an_old_path_warns_once_and_gives_the_new_homes_names(old):
    code = (
        "import importlib, warnings, colorlab\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        f"    module = importlib.import_module('colorlab.{old}')\n"
        f"    again = importlib.import_module('colorlab.{old}')\n"
        "messages = [str(w.message) for w in caught if w.category is FutureWarning]\n"
        "print(len(messages)); print(messages[0] if messages else '')\n"
        f"homes = [importlib.import_module(h) for h in {_moved.MOVED[old]!r}]\n"
        "names = [n for h in homes for n in getattr(h, '__all__', [])]\n"
        "assert names and all(getattr(module, n) is next(getattr(h, n) for h in homes if hasattr(h, n)) for n in names)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    count, message = done.stdout.splitlines()
    assert count == "1"
    assert f"colorlab.{old} has moved to" in message
    assert all(home in message for home in _moved.MOVED[old])


def test_from_colorlab_import_an_old_name_warns_at_the_callers_line(tmp_path):
    script = tmp_path / "user.py"
    script.write_text("from colorlab import lloyd\n")
    done = subprocess.run([sys.executable, "-W", "always", str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "user.py:1: FutureWarning: colorlab.lloyd has moved to colorlab.lessons.lloyd" in done.stderr


def test_functions_named_like_old_modules_stay_functions():
    import colorlab

    assert callable(colorlab.quantize) and callable(colorlab.sweep) and callable(colorlab.batch)
    assert callable(colorlab.samples) and not set(_moved.MOVED) & {"quantize", "sweep", "batch", "samples"}


def test_an_unknown_old_name_is_still_an_attribute_error():
    import colorlab

    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        colorlab.nonexistent
