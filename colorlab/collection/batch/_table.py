"""The results table: its columns, the three file formats, and the journal rows are appended to.

A row is a dict of plain Python values (see :data:`COLUMNS`). The same rows become a
``pandas.DataFrame`` (:func:`rows_to_frame`), a CSV, JSON lines or Parquet file
(:func:`write_table`) and come back from any of them (:func:`read_rows`) unchanged: floats are
written with ``repr`` (the shortest text that reads back as the same number).
"""

from __future__ import annotations

from ...util.extras import need

import csv
import json
import math
import os
from pathlib import Path

from ...util.files import hidden_name, write_atomically
from ...errors import ImageFileError, InvalidParameterError

__all__ = ["COLUMNS", "OUTPUT_FORMATS", "output_format", "rows_to_frame", "write_table", "read_rows", "Journal"]

#: The columns of a batch table, in order.
COLUMNS = (
    "path", "width", "height", "distinct_colors", "k", "method", "space", "seed",
    "colors", "shares", "mse", "psnr", "ssim", "seconds", "error", "warning",
)
_INTS = ("width", "height", "distinct_colors", "k", "seed")
_FLOATS = ("mse", "psnr", "ssim", "seconds")
_TEXTS = ("path", "method", "space", "error", "warning")

#: Output suffix -> format name.
OUTPUT_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}


def output_format(path) -> str:
    """The format of an output path, from its suffix (``csv``, ``jsonl`` or ``parquet``)."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise InvalidParameterError(
            f"cannot tell the table format of {str(path)!r} from its suffix; end the name with .csv, .jsonl or .parquet"
        )
    if OUTPUT_FORMATS[suffix] == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InvalidParameterError(
                f"writing {str(path)!r} needs pyarrow, which is not installed: pip install 'colorlab[batch]', or write .csv or .jsonl"
            ) from None
    return OUTPUT_FORMATS[suffix]


# -- rows <-> DataFrame ---------------------------------------------------------------------------

def rows_to_frame(rows):
    """The rows as a ``pandas.DataFrame`` with the columns of :data:`COLUMNS`.

    Integer columns that a failed image leaves empty are pandas' nullable ``Int64``; ``mse``,
    ``psnr`` and ``seconds`` are floats (NaN when empty); ``colors`` and ``shares`` hold lists.
    """
    pd = need("pandas", "batch", "a table of palettes")

    frame = pd.DataFrame([[row.get(c) for c in COLUMNS] for row in rows], columns=list(COLUMNS))
    for name in ("width", "height", "distinct_colors"):
        frame[name] = frame[name].astype("Int64")
    for name in ("k", "seed"):
        frame[name] = frame[name].astype("int64")
    for name in _FLOATS:
        frame[name] = frame[name].astype("float64")
    return frame


def _plain(value):
    """A value read from Parquet/pandas as a plain Python value (None for missing)."""
    import numpy as np

    if value is None:
        return None
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        pd = need("pandas", "batch", "a table of palettes")

        if value is pd.NA:
            return None
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, np.generic):
        value = value.item()
        return None if isinstance(value, float) and math.isnan(value) else value
    return value


def _clean(row: dict) -> dict:
    """A row read from a file with every column present and of the right Python type."""
    missing = [c for c in COLUMNS if c not in row]
    if missing:
        raise ValueError(f"no column {missing[0]!r}")
    out = {}
    for name in COLUMNS:
        value = _plain(row[name])
        if value is not None and name in _INTS:
            value = int(value)
        elif value is not None and name in _FLOATS:
            value = float(value)
        elif name in _TEXTS:
            value = None if value in (None, "") else str(value)
        elif name == "colors":
            value = [str(v) for v in (value or [])]
        elif name == "shares":
            value = [float(v) for v in (value or [])]
        out[name] = value
    if out["path"] is None:
        raise ValueError("a row without a path")
    return out


# -- files ----------------------------------------------------------------------------------------

def _csv_cell(name: str, value) -> str:
    if value is None:
        return ""
    if name == "colors":
        return " ".join(value)
    if name == "shares":
        return " ".join(repr(float(v)) for v in value)
    if isinstance(value, float):
        return repr(value)  # 'inf' for a perfect redraw, which pandas reads back as inf
    return str(value)


def _from_csv_cell(name: str, text: str):
    if name == "colors":
        return text.split()
    if name == "shares":
        return [float(v) for v in text.split()]
    return None if text == "" else text


def _write_csv(rows, tmp: Path) -> None:
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([_csv_cell(c, row[c]) for c in COLUMNS])


def _json_line(row: dict) -> str:
    return json.dumps({c: row[c] for c in COLUMNS}, ensure_ascii=False)  # inf is written as Infinity


def _write_jsonl(rows, tmp: Path) -> None:
    with open(tmp, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(_json_line(row) + "\n")


def _write_parquet(rows, tmp: Path) -> None:
    rows_to_frame(rows).to_parquet(tmp, index=False)


def write_table(path, rows) -> Path:
    """Write the rows to ``path`` atomically, in the format its suffix names."""
    writer = {"csv": _write_csv, "jsonl": _write_jsonl, "parquet": _write_parquet}[output_format(path)]
    rows = list(rows)
    return write_atomically(path, lambda tmp: writer(rows, tmp))


def read_rows(path) -> list[dict]:
    """The rows of a table :func:`write_table` wrote (CSV, JSON lines or Parquet).

    Raises
    ------
    ImageFileError
        If the file cannot be read or is not a batch table.
    """
    path = Path(path)
    fmt = output_format(path)
    try:
        if fmt == "csv":
            with open(path, newline="", encoding="utf-8") as f:
                reader = csv.reader(f)
                header = next(reader, None)
                if header is None:
                    raise ValueError("the file is empty")
                raw = [{h: _from_csv_cell(h, cell) for h, cell in zip(header, line)} for line in reader]
        elif fmt == "jsonl":
            with open(path, encoding="utf-8") as f:
                raw = [json.loads(line) for line in f if line.strip()]
        else:
            pd = need("pandas", "batch", "a table of palettes")

            raw = pd.read_parquet(path).to_dict("records")
        return [_clean(row) for row in raw]
    except OSError as err:
        raise ImageFileError(f"cannot read {str(path)!r}: {err.strerror or err}; check the file") from None
    except Exception as err:  # anything that is not our table
        raise ImageFileError(
            f"{str(path)!r} is not a table colorlab batch wrote ({' '.join(str(err).split())[:120]}); "
            "choose another output file, or recompute with --no-resume (resume=False) to replace it"
        ) from None


# -- the journal: rows appended as images finish ------------------------------------------------

class Journal:
    """A hidden JSON-lines file beside the output where finished rows are appended at once.

    If a run is killed outright (no chance to save), the rows it finished are still here and the
    next run with the same output picks them up. The file is locked while a run writes it, so
    two runs cannot write the same output at once.
    """

    def __init__(self, out: Path):
        self.out = out
        self.path = hidden_name(out, "colorlab-batch.jsonl")  # fits the name limit beside any output name
        self._file = None

    def leftover_rows(self) -> list[dict]:
        """Rows a run that was killed left behind.

        A line that is not a row (cut off when the run was killed, or damaged: nested too deeply,
        a number too large for its column, not UTF-8) is skipped, and counted in a warning unless
        it is a cut-off last line: its image is simply done again, and no rerun can be stopped by it.
        """
        import warnings

        from ...errors import ColorlabWarning

        rows, bad = [], 0
        try:
            with open(self.path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    try:
                        rows.append(_clean(json.loads(line)))
                    except (ValueError, TypeError, KeyError, OverflowError, RecursionError):
                        bad += line.endswith("\n")  # a last line without its newline was cut off by a kill
        except FileNotFoundError:
            pass
        except OSError as err:
            raise ImageFileError(f"cannot read {str(self.path)!r}: {err.strerror or err}; "
                                 "delete it to start the table again") from None
        if bad:
            warnings.warn(f"skipped {bad} damaged line{'s' if bad > 1 else ''} of {str(self.path)!r}; "
                          "their images are done again", ColorlabWarning, stacklevel=3)
        return rows

    def open(self, keep: bool) -> None:
        """Open for appending (emptied unless ``keep``), locked against a second run."""
        try:
            self._file = open(self.path, "a", encoding="utf-8")  # never truncated before the lock is ours
        except OSError as err:
            raise ImageFileError(
                f"cannot write beside {str(self.path.parent)!r}: {err.strerror or err}; choose an output in a folder you can write"
            ) from None
        try:
            import fcntl

            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - Windows: no lock
            pass
        except OSError:
            self._file.close()
            self._file = None
            raise InvalidParameterError(
                f"another colorlab batch run is writing {str(self.out)!r} right now; "
                "wait for it to finish or choose another output file"
            ) from None
        if not keep:
            self._file.truncate(0)

    def is_empty(self) -> bool:
        try:
            return self.path.stat().st_size == 0
        except FileNotFoundError:
            return True

    def append(self, row: dict) -> None:
        self._file.write(_json_line(row) + "\n")
        self._file.flush()

    def close(self, remove: bool) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if remove:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
