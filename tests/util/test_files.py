"""Atomic writes: a failed write never leaves a half-written file or a stray temporary file."""

from __future__ import annotations

import os

import pytest

from colorlab import ImageFileError
from colorlab.util.files import write_atomically


def test_writes_the_file(tmp_path):
    target = write_atomically(tmp_path / "a.txt", lambda tmp: tmp.write_text("new"))
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_failure_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")

    def half_write_then_fail(tmp):
        tmp.write_text("half")
        raise RuntimeError("encoder crashed")

    with pytest.raises(RuntimeError):
        write_atomically(target, half_write_then_fail)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_disk_full_is_one_clear_error(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")

    def disk_full(tmp):
        with open("/dev/full", "w") as f:  # a real ENOSPC from the kernel
            f.write("x" * 10000)
            f.flush()

    with pytest.raises(ImageFileError, match="the disk is full"):
        write_atomically(target, disk_full)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_keeps_permissions_of_replaced_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_atomically(target, lambda tmp: tmp.write_text("new"))
    assert (target.stat().st_mode & 0o777) == 0o640


@pytest.mark.parametrize("make, match", [
    (lambda d: d / "missing" / "a.txt", "does not exist"),
    (lambda d: d, "it is a folder"),
])
def test_bad_destinations(tmp_path, make, match):
    with pytest.raises(ImageFileError, match=match):
        write_atomically(make(tmp_path), lambda tmp: tmp.write_text("x"))
