"""Atomic file writing shared by images, palettes and the command line.

A file is first written to a temporary file in the destination folder and then
renamed over the destination, so a reader never sees a half-written file and an
earlier file at that path survives any failure (disk full, a crash, an error in
the encoder).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable

from ..errors import ImageFileError, InvalidParameterError

__all__ = ["write_atomically", "check_output_path", "hidden_name", "check_inside"]

#: The longest file name (in bytes) assumed when the file system does not say (most say 255).
_NAME_MAX = 255

_SPECIAL_KINDS = ((stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISFIFO, "a pipe (FIFO)"),
                  (stat.S_ISSOCK, "a socket"))


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (AttributeError, ValueError, OSError):
        return _NAME_MAX


def hidden_name(path: os.PathLike | str, tag: str, suffix: str = "") -> Path:
    """A hidden file beside ``path``, ``.NAME.TAG SUFFIX``, whose name fits the folder's file-name limit.

    A long ``NAME`` is cut (at a character boundary), never the tag or the suffix, so the hidden
    file of any name the file system accepts can be created too.

    Examples
    --------
    >>> hidden_name("out/table.csv", "journal", ".jsonl").name
    '.table.csv.journal.jsonl'
    >>> len(hidden_name("/tmp/" + "a" * 255, "x1234.tmp", ".png").name.encode())
    255
    """
    path = Path(path)
    name, extra = path.name, f".{tag}{suffix}"
    room = _name_max(path.parent if str(path.parent) else Path(".")) - 1 - len(os.fsencode(extra))
    while len(os.fsencode(name)) > room:
        name = name[:-1]
    return path.with_name(f".{name}{extra}")


def check_inside(folder: os.PathLike | str, base: os.PathLike | str, allow_outside: bool = False) -> Path:
    """``folder`` (relative to ``base``) resolved, if it lies inside ``base`` or ``allow_outside`` is True.

    The one rule for where the explorers export: a notebook shared with a class must not write
    anywhere on the server that a student types.

    Raises
    ------
    InvalidParameterError
        If the folder is outside ``base`` (an absolute path elsewhere, ``..``, a link out).

    Examples
    --------
    >>> check_inside("exports", "/tmp/notebook").as_posix()
    '/tmp/notebook/exports'
    >>> check_inside("/etc", "/tmp/notebook")
    Traceback (most recent call last):
    ...
    colorlab.errors.InvalidParameterError: the export folder '/etc' is outside the notebook's folder; use a folder name inside it (or explorer(..., allow_outside=True) in your own notebook)
    """
    base = Path(base).resolve()
    resolved = (base / Path(folder).expanduser()).resolve()
    if not allow_outside and not resolved.is_relative_to(base):
        raise InvalidParameterError(
            f"the export folder {str(folder)!r} is outside the notebook's folder; "
            "use a folder name inside it (or explorer(..., allow_outside=True) in your own notebook)")
    return resolved


def _special_kind(path: Path) -> str | None:
    """What ``path`` is when it exists and is neither a regular file nor a folder (a device, a pipe), else None."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return None
    for test, kind in _SPECIAL_KINDS:
        if test(mode):
            return kind
    return None


def check_output_path(path: os.PathLike | str) -> Path:
    """Return ``path`` as a Path after checking that a file can be created there.

    Raises
    ------
    ImageFileError
        If the folder does not exist, is not a folder, the path is a folder, or the path is a device,
        a pipe or a socket (``/dev/null``, ``/dev/stdout``): replacing it by rename would put a
        regular file in its place, and writing into it is not writing a file.
    """
    path = Path(path)
    kind = _special_kind(path)
    if kind is not None:
        raise ImageFileError(f"cannot write {str(path)!r}: it is {kind}, not a file; give a file name such as 'out.png'")
    if path.is_dir():
        raise ImageFileError(f"cannot write {str(path)!r}: it is a folder; give a file name such as {str(path / 'out.png')!r}")
    folder = path.parent
    if not folder.exists():
        raise ImageFileError(f"cannot write {str(path)!r}: the folder {str(folder)!r} does not exist; create it first")
    if not folder.is_dir():
        raise ImageFileError(f"cannot write {str(path)!r}: {str(folder)!r} is not a folder")
    return path


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new empty file beside ``path``, ``.NAME.RANDOM.tmpSUFFIX`` (readable by its owner only, as
    ``tempfile.mkstemp`` makes it): (open descriptor, its name). Here instead of ``tempfile``, whose
    import (with ``shutil``, ``random``, ``bz2`` and ``lzma``) cost the command line 4 ms of its start."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = str(hidden_name(path, f"{os.urandom(6).hex()}.tmp", path.suffix))
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {str(path)!r}")


def write_atomically(path: os.PathLike | str, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file, then rename it to ``path``.

    The temporary file lives in the destination folder (so the rename is atomic)
    and keeps the destination's suffix (so encoders that choose a format by
    suffix still work). On any failure the temporary file is removed and a file
    that already existed at ``path`` is left untouched.

    Parameters
    ----------
    path : path-like
        Destination file.
    write : callable
        Called once with the temporary path; must write the whole file there.

    Returns
    -------
    pathlib.Path
        The destination path.

    Raises
    ------
    ImageFileError
        If the folder is missing or not writable, or the disk is full.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
    >>> _ = write_atomically(target, lambda tmp: tmp.write_text("hi"))
    >>> target.read_text()
    'hi'
    """
    path = check_output_path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))  # replace the file the link names, not the link
        check_output_path(path)
    try:
        fd, tmp_name = _create_temporary(path)
    except PermissionError:
        raise ImageFileError(f"cannot write {str(path)!r}: no permission to write in {str(path.parent)!r}; choose another folder") from None
    except OSError as err:
        raise ImageFileError(f"cannot write {str(path)!r}: {err.strerror or err}; choose another folder") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        if path.exists():
            # keep the permissions of the file we replace
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, ImageFileError):
            raise
        reason = "the disk is full" if err.errno == 28 else (err.strerror or str(err))
        raise ImageFileError(f"could not write {str(path)!r}: {reason}; nothing was changed at that path") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
