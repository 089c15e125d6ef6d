"""How the engine's compiled library (``colorlab/_engine/engine.c``, built as ``_engine/_lib*.so``) is loaded
through ctypes: each exported function's argument types, and the checks every wrapper in
:mod:`colorlab._engine.kernels` makes of the arrays it hands over.

Private module; numpy and the standard library only.
"""

from __future__ import annotations

import ctypes
import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import numpy as np

#: Hamerly bounds must beat the competing bound by this much (in distance units, colors on 0..255).
SLACK = 1e-6

_P = ctypes.c_void_p
_N = ctypes.c_int64
_F = ctypes.c_double
_I = ctypes.c_int

#: (return type, argument types) of each exported C function.
_SIGNATURES = {
    "pack_rgb": (None, [_P, _N, _P]),
    "table_times": (None, [_P, _N, _P, _P, _P]),
    "times_scaled": (None, [_P, _N, _P, _F]),
    "mark_codes": (ctypes.c_uint32, [_P, _N, _P]),
    "bitmap_ranks": (_N, [_P, _P]),
    "count_codes": (None, [_P, _N, _P, _P, _P]),
    "bitmap_codes": (None, [_P, _P]),
    "spread": (_I, [_P, _N, _P, _N, _P, _N, _P]),
    "count_cells": (_N, [_P, _N, _I]),
    "cells_number": (_N, [_P, _N, _I, _P]),
    "cells_fill": (None, [_P, _P, _P, _N, _I, _P, _P, _N]),
    "nearest": (_I, [_P, _N, _P, _N, _P]),
    "nearest_any": (_I, [_P, _N, _N, _P, _N, _P]),
    "nearest_two": (_I, [_P, _N, _P, _N, _P, _P, _P]),
    "totals": (None, [_P, _P, _P, _N, _N, _P, _P]),
    "totals_whole": (None, [_P, _P, _P, _N, _N, _P, _P]),
    "reseed_empty": (_I, [_P, _P, _N, _P, _N, _P]),
    "objective": (_F, [_P, _P, _P, _P, _N]),
    "weighted_squares": (_F, [_P, _P, _N]),
    "move_centers": (_F, [_P, _N, _P, _P, _P, ctypes.POINTER(_N), ctypes.POINTER(_F)]),
    "shift_and_verify": (_N, [_P, _N, _P, _N, _P, _P, _P, _P, _N, _F, _P]),
    "near_state_size": (_N, [_N]),
    "near_update": (_N, [_P, _N, _P, _N, _F, _P]),
    "verify_near": (_N, [_P, _N, _P, _N, _P, _P, _P, _P, _N, _F, _P, _P]),
    "hamerly_lloyd": (_N, [_P, _P, _N, _P, _N, _P, _P, _P, _N, _F, _P]),
    "lloyd": (_F, [_P, _P, _N, _P, _N, _N, _F, _P]),
    "plain_lloyd": (_F, [_P, _P, _N, _P, _N, _N]),
    "bounds_from_cells": (None, [_P, _N, _P, _P, _P, _P, _P, _P, _P, _P]),
    "kmeans_plusplus": (_I, [_P, _P, _N, _F, _P, _N, _N, _P]),
    "greedy_candidate": (_N, [_P, _P, _N, _P, _P, _N]),
    "own_sqdist": (None, [_P, _N, _P, _P, _P]),
    "insert_center": (_N, [_P, _N, _P, _N, _P, _P, _P]),
    "squared_error": (ctypes.c_int64, [_P, _N, _P, _P, _P]),
    "ciede2000_to_palette": (None, [_P, _P, _P, _P, _N, _P]),
    "pcg64_doubles": (_I, [_P, _P, _N]),
    "grid_labels": (_I, [_P, _N, _P, _N, _P, _P, _P, _P]),
    "edge_weights": (_I, [_P, _N, _N, _N, _N, _F, _P]),
    "diffuse": (_I, [_P, _N, _P, _P, _P, _N, _N, _P, _N, _P, _P, _F, _F, _F, _F, _I, _P, _N, _P]),
    "wu_cuts": (_N, [_P, _N, _N, _P, _P]),
    "wu_moments": (None, [_P, _P, _P, _N, _I, _P, _P]),
    "png_unfilter": (_I, [_P, _N, _N, _I, _P]),
    "nearest_others": (None, [_P, _N, _P]),
    "png_unfilter_shared": (_I, [_P, _N, _N, _I, _P, _P]),
    "deflate_blocks": (_I, [_P, _N, ctypes.POINTER(_N), ctypes.POINTER(_N)]),
}


def _library_path() -> Path:
    here = Path(__file__).parent
    for suffix in EXTENSION_SUFFIXES:
        if (here / f"_lib{suffix}").exists():
            return here / f"_lib{suffix}"
    raise ImportError(
        f"colorlab's compiled engine (_lib{EXTENSION_SUFFIXES[0]}) is missing from {here}: install colorlab "
        "with pip (`pip install -e .` in a checkout, or `bash dev.sh test`), which compiles it; that needs a C "
        "compiler (on Debian or Ubuntu: `sudo apt install gcc`)"
    )


def _load():
    library = ctypes.CDLL(str(_library_path()))
    for name, (restype, argtypes) in _SIGNATURES.items():
        function = getattr(library, name)
        function.restype, function.argtypes = restype, argtypes
    return library


#: glibc's mallopt() parameters (malloc.h) and the values :func:`keep_freed_memory` gives them.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 64 << 20


def keep_freed_memory() -> bool:
    """Let glibc's malloc keep up to 64 MiB of freed memory for the next call, as its own rule does after
    freeing a 32 MiB block. Returns whether the setting was made.

    A 256-color fit of a 0.4-megapixel photo allocates and frees about 11 MB of arrays (the histogram's
    bitmap and ranks, the colors' coordinates, labels and bounds). glibc starts by mapping every block
    above 128 KiB afresh and returning freed memory to the system once a little of it is free, raising
    those limits only as it sees large blocks freed. So call after call the memory went back to the
    system, and the next call's first writes faulted it in again page by page: about 2,700 page faults,
    a tenth of a 33 ms fit (docs/engine.md, "Freed memory kept for the next call"). Set here to where glibc's sliding rule ends
    (its largest mapping threshold, 32 MiB on 64-bit systems, and twice that kept free), blocks up to
    32 MiB come from the heap and stay there between calls; larger ones (a 10-megapixel photo's arrays)
    are still mapped and given back at once, so the peak memory does not grow. The process keeps at most
    64 MiB more than it uses.

    Nothing is changed off glibc, or when the process chose its own limits (``MALLOC_TRIM_THRESHOLD_``,
    ``MALLOC_MMAP_THRESHOLD_`` or a ``glibc.malloc`` tunable in ``GLIBC_TUNABLES``): set
    ``MALLOC_TRIM_THRESHOLD_=131072`` to keep glibc's start values.
    """
    if not sys.platform.startswith("linux") or "MALLOC_TRIM_THRESHOLD_" in os.environ \
            or "MALLOC_MMAP_THRESHOLD_" in os.environ or "glibc.malloc." in os.environ.get("GLIBC_TUNABLES", ""):
        return False
    try:
        libc = ctypes.CDLL(None)
        if not hasattr(libc, "gnu_get_libc_version"):  # musl and others: their malloc has other rules
            return False
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.restype, mallopt.argtypes = ctypes.c_int, [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


_C = _load()
keep_freed_memory()
assert np.dtype(np.intp).itemsize == 8, "the engine's labels are 64-bit"


def _in(array, dtype) -> np.ndarray:
    """An input: C-contiguous of ``dtype`` (no copy when it already is)."""
    return np.ascontiguousarray(array, dtype=dtype)


def _points(array, name: str = "points") -> np.ndarray:
    array = _in(array, np.float64)
    if array.ndim != 2 or array.shape[1] != 3:
        raise ValueError(f"the engine needs (n, 3) {name}, got shape {array.shape}")
    return array


def _updated(array, dtype, name: str) -> np.ndarray:
    """An array the kernel updates in place: it must already be C-contiguous, writable and of ``dtype``."""
    if not isinstance(array, np.ndarray) or array.dtype != dtype or not array.flags.c_contiguous \
            or not array.flags.writeable:
        raise TypeError(f"{name} must be a writable C-contiguous {np.dtype(dtype)} array (the kernel updates it in place)")
    return array


def _ptr(array: np.ndarray) -> int:
    """The address of the array's data. The caller keeps the array itself alive (a name) during the call."""
    return array.ctypes.data


def _memory(status) -> None:
    if status == -2:
        raise MemoryError("colorlab's engine ran out of memory")
