"""colorlab's C engine (colorlab/_engine/engine.c) against the numba kernels it replaced, in one process and at start-up.

Run:  .venv/bin/python benchmarks/bench_kernels.py                     # kodim05, kodim23, rocket; k = 4, 16, 64
      .venv/bin/python benchmarks/bench_kernels.py --images 12MP --ks 16 --repeat 3
      .venv/bin/python benchmarks/bench_kernels.py --images none         # start-up only

The numba engine is ``tests/kernels_reference.py`` (the kernels' source, the numba code the C engine replaced)
compiled with ``@njit(nogil=True)`` again, as it ran then; it needs numba (``pip install numba``, in the
bench extra). Both engines run interleaved in one process, median of --repeat rounds, and every row
checks that both give the same palette. Start-up: fresh processes, each importing colorlab and running
its first fit_palette + quantize on a bundled photo, with numba's on-disk cache already filled (the
cost a command or a new Jupyter kernel pays every time), median of 5.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np

import colorlab
from colorlab._engine import kernels as _kernels
from colorlab._engine import kmeans as _kmeans

REPO = Path(__file__).resolve().parent.parent
KODAK = REPO.parent / "shared" / "datasets" / "kodak"
REFERENCE = REPO / "tests" / "kernels_reference.py"


def numba_source() -> str:
    """The reference kernels with numba's decorator on every function, as colorlab/_kernels.py was."""
    source = REFERENCE.read_text()
    source = re.sub(r"^def ", "@njit(cache=True, nogil=True)\ndef ", source, flags=re.M)
    return source.replace("import numpy as np\n", "import numpy as np\nfrom numba import njit\n", 1)


def numba_engine() -> types.ModuleType:
    path = Path(tempfile.gettempdir()) / "colorlab_numba_kernels.py"  # numba caches by file
    if not path.exists() or path.read_text() != numba_source():
        path.write_text(numba_source())
    sys.path.insert(0, str(path.parent))
    import colorlab_numba_kernels

    return colorlab_numba_kernels


def images(names: list[str]) -> dict[str, np.ndarray]:
    out = {}
    for name in names:
        if name == "none":
            continue
        if name == "12MP":
            rng = np.random.default_rng(0)
            small = colorlab.load_image("rocket")
            big = np.repeat(np.repeat(small, 4, axis=0), 4, axis=1)[:3000, :4000]
            out[name] = np.clip(big + rng.normal(0, 2, big.shape), 0, 255).astype(np.uint8)
        elif name.startswith("kodim"):
            if not (KODAK / f"{name}.png").exists():
                print(f"skipping {name}: {KODAK} is not here")
                continue
            out[name] = colorlab.load_image(KODAK / f"{name}.png")
        else:
            out[name] = colorlab.load_image(name)
    return out


def use(engine) -> None:
    _kmeans._kernels = engine
    sys.modules["colorlab.sweep"]._kernels = engine


def steady(engines: dict, photos: dict, ks: list[int], repeat: int) -> None:
    print("| image | k | C ms | numba ms | numba / C | same palette |\n| --- | --- | --- | --- | --- | --- |")
    for name, image in photos.items():
        histogram = colorlab.color_histogram(image)
        for k in ks:
            times = {engine: [] for engine in engines}
            palettes = {}
            for _ in range(repeat):
                for label, engine in engines.items():
                    use(engine)
                    start = time.perf_counter()
                    palettes[label] = colorlab.fit_palette(histogram, k, seed=0)
                    times[label].append(time.perf_counter() - start)
            c, nb = (statistics.median(times[label]) * 1000 for label in ("C", "numba"))
            same = palettes["C"] == palettes["numba"]
            print(f"| {name} | {k} | {c:.1f} | {nb:.1f} | {nb / c:.2f}x | {same} |")
    use(_kernels)


_FIRST_FIT = """
import time
start = time.perf_counter()
import colorlab
{setup}
image = colorlab.load_image("rocket")
palette = colorlab.fit_palette(image, 16, seed=0)
colorlab.quantize(image, palette)
print(time.perf_counter() - start, palette.to_hex())
"""

_NUMBA_SETUP = f"""
import sys
sys.path.insert(0, {str(Path(tempfile.gettempdir()))!r})
import colorlab_numba_kernels
from colorlab._engine import kmeans as _kmeans
_kmeans._kernels = colorlab_numba_kernels
"""


def start_up(rounds: int = 5) -> None:
    numba_engine()  # writes the module file
    runs = {"C": _FIRST_FIT.format(setup=""), "numba": _FIRST_FIT.format(setup=_NUMBA_SETUP)}
    env = dict(os.environ)
    for code in runs.values():  # fill numba's cache (and the OS's file cache) first
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    times = {label: [] for label in runs}
    answers = {}
    for _ in range(rounds):
        for label, code in runs.items():
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
            times[label].append(time.perf_counter() - start)
            answers[label] = done.stdout.split(" ", 1)[1]
    c, nb = (statistics.median(times[label]) for label in ("C", "numba"))
    print("\n| fresh process: start, import colorlab, first fit + quantize (rocket, k=16) | C | numba | numba / C |")
    print(f"| --- | --- | --- | --- |\n| wall time, median of {rounds} | {c:.2f} s | {nb:.2f} s | {nb / c:.1f}x |")
    print(f"\nsame palette in both processes: {answers['C'] == answers['numba']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", nargs="+", default=["kodim05", "kodim23", "rocket"])
    parser.add_argument("--ks", nargs="+", type=int, default=[4, 16, 64])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    try:
        numba = numba_engine()
    except ImportError:
        print("bench_kernels: numba is not installed (pip install numba, or bash dev.sh bench); nothing to compare")
        return
    print(f"# bench_kernels, load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores\n")
    photos = images(args.images)
    if photos:
        use(numba)
        colorlab.fit_palette(colorlab.load_image("rocket"), 4)  # numba: load (or compile) before timing
        use(_kernels)
        steady({"C": _kernels, "numba": numba}, photos, args.ks, args.repeat)
    start_up()


if __name__ == "__main__":
    main()
