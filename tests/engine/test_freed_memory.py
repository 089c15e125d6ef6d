"""Loading the engine lets glibc keep freed memory for the next call (``binding.keep_freed_memory``), unless
the process set its own malloc limits. Observed from outside: page faults of a block allocated, freed and
allocated again, in a new interpreter."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys

import pytest

from colorlab._engine import binding

GLIBC = sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None), "gnu_get_libc_version")
pytestmark = pytest.mark.skipif(not GLIBC, reason="the setting is glibc's (mallopt); other C libraries are left as they are")

SIZE = 20 << 20  # below MMAP_THRESHOLD: from the heap once the engine is loaded

SECOND_BLOCK_FAULTS = f"""
import ctypes, resource
import colorlab._engine.binding
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes, libc.free.argtypes = ctypes.c_void_p, [ctypes.c_size_t], [ctypes.c_void_p]

def written():
    block = libc.malloc({SIZE})
    ctypes.memset(block, 1, {SIZE})
    return block

libc.free(written())
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
libc.free(written())
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _second_block_faults(**env) -> int:
    clean = {name: value for name, value in os.environ.items()
             if not name.startswith("MALLOC_") and name != "GLIBC_TUNABLES"}
    out = subprocess.run([sys.executable, "-c", SECOND_BLOCK_FAULTS], env={**clean, **env}, capture_output=True,
                         text=True, check=True)
    return int(out.stdout)


def test_a_freed_block_is_used_again_without_faulting_it_in():
    pages = SIZE // 4096
    assert _second_block_faults() <= pages // 100


def test_a_process_that_set_its_own_limits_keeps_them():
    # glibc's start values: a 20 MiB block is mapped afresh and given back, so writing it again faults
    # it in again (at least once per 2 MiB, if the kernel backs it with huge pages)
    assert _second_block_faults(MALLOC_TRIM_THRESHOLD_="131072") >= SIZE // (2 << 20)


@pytest.mark.parametrize("name, value", [("MALLOC_TRIM_THRESHOLD_", "131072"), ("MALLOC_MMAP_THRESHOLD_", "131072"),
                                         ("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=131072")])
def test_the_setting_is_skipped_when_the_process_chose(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    assert binding.keep_freed_memory() is False


def test_the_setting_is_made_on_glibc(monkeypatch):
    for name in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)
    assert binding.keep_freed_memory() is True
