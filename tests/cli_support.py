"""Running the command line from the tests: in this process (fast, output captured by pytest's ``capsys``)."""

from __future__ import annotations

from colorlab.cli import commands as cli


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``colorlab ARGS`` run in this process."""
    status = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err
