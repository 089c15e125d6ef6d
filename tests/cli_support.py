"""Running the command line from the tests: in this process (fast, output captured by pytest's ``capsys``)."""

from __future__ import annotations

from colorlab.cli import commands as cli


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``colorlab ARGS`` run in this process."""
    status = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def in_fresh_python(code: str, timeout: int = 300):
    """``(result, modules)``: the JSON-able ``result`` that ``code`` sets, run in a new interpreter, and the
    sorted names of every module that interpreter imported by then."""
    import json
    import subprocess
    import sys

    script = code + "\nimport json as _json, sys as _sys\nprint(_json.dumps([result, sorted(_sys.modules)]))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    result, modules = json.loads(done.stdout.splitlines()[-1])
    return result, modules


def under(modules, roots) -> list[str]:
    """The names in ``modules`` that are one of ``roots`` or inside one of them."""
    return sorted({name for name in modules for root in roots if name == root or name.startswith(root + ".")})
