"""Progress of a batch run: a tqdm bar on a terminal or in a notebook, a line per 10% otherwise."""

from __future__ import annotations

from ...util.extras import need

import sys

__all__ = ["Progress", "progress_mode"]

MODES = ("bar", "lines")


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    try:
        return shell.get_ipython() is not None and hasattr(shell.get_ipython(), "kernel")
    except Exception:  # pragma: no cover - an odd IPython
        return False


def progress_mode(progress, stream=None) -> str | None:
    """``"bar"``, ``"lines"`` or None (silent) for the ``progress`` argument of :func:`colorlab.batch`.

    ``True`` picks a bar in a notebook or when ``stream`` (default stderr) is a terminal, and a
    line per 10% otherwise (a log file, a pipe, a CI job).
    """
    from ...errors import InvalidParameterError

    if progress is False or progress is None:
        return None
    if progress is True:
        stream = sys.stderr if stream is None else stream
        is_tty = getattr(stream, "isatty", lambda: False)()
        return "bar" if is_tty or _in_notebook() else "lines"
    if isinstance(progress, str) and progress in MODES:
        return progress
    raise InvalidParameterError(f"progress must be True, False, 'bar' or 'lines', got {progress!r}")


class Progress:
    """Counts finished images and shows it in the chosen mode."""

    def __init__(self, mode: str | None, total: int, *, already_done: int = 0, stream=None):
        self.mode, self.total, self.done, self.failed = mode, total, 0, 0
        self.stream = sys.stderr if stream is None else stream
        self._printed = 0
        self._bar = None
        if mode == "bar":
            tqdm = need("tqdm.auto", "batch", "a progress bar").tqdm

            self._bar = tqdm(total=total, unit="image", desc="colorlab batch", file=self.stream, dynamic_ncols=True)
        elif mode == "lines" and already_done:
            self._line(f"{already_done} images already done, {total} to do")

    def _line(self, text: str) -> None:
        self.stream.write(f"colorlab batch: {text}\n")
        self.stream.flush()

    def update(self, row: dict) -> None:
        self.done += 1
        self.failed += row["error"] is not None
        if self._bar is not None:
            self._bar.update(1)
            if self.failed:
                self._bar.set_postfix(failed=self.failed, refresh=False)
        elif self.mode == "lines" and self.total:
            tenth = self.done * 10 // self.total  # one line each time another 10% is done
            if tenth > self._printed:
                self._printed = tenth
                self._line(f"{self.done}/{self.total} images ({self.done * 100 // self.total}%), {self.failed} failed")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
