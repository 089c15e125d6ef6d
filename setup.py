"""Package layout and the compiled engine, which pyproject.toml cannot say by itself.

Every package under ``colorlab/`` is found (so new subpackages ship without a
change here), and ``colorlab.data`` is added: it is the top-level ``data/``
folder (``package-dir`` in pyproject.toml), so the bundled photos and their
credits land in ``colorlab/data/`` inside wheels and installs.

``colorlab/_engine/engine.c`` (the k-means engine's loops) is compiled into the shared
library ``colorlab/_engine/_lib*.so``. It uses no Python or numpy headers:
``colorlab._kernels`` loads it with ctypes, so building needs only a C compiler.
``-ffp-contract=off`` keeps every floating-point operation as written (no fused
multiply-adds), so results are the same on every machine.
"""

from setuptools import Extension, find_packages, setup

engine = Extension(
    "colorlab._engine._lib",
    sources=["colorlab/_engine/engine.c"],
    extra_compile_args=["-O3", "-ffp-contract=off", "-fno-math-errno", "-std=gnu99"],
    libraries=["m"],
)

setup(packages=find_packages(include=["colorlab", "colorlab.*"]) + ["colorlab.data"], ext_modules=[engine])
