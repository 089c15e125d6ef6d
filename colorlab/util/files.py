"""Atomic file writing shared by images, palettes and the command line.

A file is first written to a temporary file in the destination folder and then
renamed over the destination, so a reader never sees a half-written file and an
earlier file at that path survives any failure (disk full, a crash, an error in
the encoder).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from ..errors import ImageFileError

__all__ = ["write_atomically", "check_output_path"]


def check_output_path(path: os.PathLike | str) -> Path:
    """Return ``path`` as a Path after checking that a file can be created there.

    Raises
    ------
    ImageFileError
        If the folder does not exist, is not a folder, or the path is a folder.
    """
    path = Path(path)
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
        name = str(path.parent / f".{path.name}.{os.urandom(6).hex()}.tmp{path.suffix}")
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
