"""colorlab calls no BLAS routine.

numpy hands float64 ``@``, ``np.dot`` and friends to BLAS (OpenBLAS in the wheels), whose worker
threads go on spinning for about 0.1 s on the other cores after each call. A fit takes 30 ms and runs
its own threads on those cores: one ``weights @ upper**2`` in the engine made ``reduce_colors`` at
k = 16 half as fast and twice as costly in CPU (docs/engine.md). So the package writes
its products out (``colorspace._times``, ``metrics.pixel_mean``, ``_kernels.weighted_squares``), and
this test keeps it so.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

import colorlab
from colorlab import metrics

PACKAGE = Path(colorlab.__file__).resolve().parent
BLAS_CALLS = {"dot", "vdot", "inner", "matmul", "tensordot", "einsum_path"}


def _blas_uses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ast.MatMult):
            found.append(f"{path.name}:{node.lineno}: @")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in BLAS_CALLS:
            found.append(f"{path.name}:{node.lineno}: {node.func.attr}()")
    return sorted(found, key=lambda use: int(use.split(":")[1]))


def test_no_module_multiplies_arrays_through_blas():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 30  # the package's modules, not an empty folder
    assert [use for path in modules for use in _blas_uses(path)] == []


def test_the_check_finds_what_it_looks_for(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text("import numpy as np\na = b @ c\nd = np.dot(a, a)\ne @= f\ng = a.sum()\n")
    assert _blas_uses(source) == ["sample.py:2: @", "sample.py:3: dot()", "sample.py:4: @"]


def test_the_written_out_sums_are_the_products():
    rng = np.random.default_rng(3)
    values, counts = rng.random(1000), rng.integers(1, 9, 1000)
    assert np.isclose(metrics.pixel_mean(values, counts, int(counts.sum())), values @ counts / counts.sum(), rtol=1e-13)
    rgb = rng.random((50, 3))
    xyz = colorlab.color.spaces.rgb_to_xyz(rgb)
    linear = colorlab.color.spaces.srgb_to_linear(rgb)
    np.testing.assert_allclose(xyz, linear @ colorlab.color.spaces.SRGB_TO_XYZ.T, rtol=1e-14, atol=1e-16)
