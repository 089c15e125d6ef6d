"""The numba engine (colorlab/_kernels.py) against the numpy engine it replaced, stage by stage, in one process.

Run:  .venv/bin/python benchmarks/bench_kernels.py                       # kodim05, kodim23, rocket, 1 MP
      .venv/bin/python benchmarks/bench_kernels.py --images 12MP --ks 16 --repeat 3
      .venv/bin/python benchmarks/bench_kernels.py --images none --jit    # one-time compile cost only

The numpy engine is colorlab/_kmeans.py as of commit 1ffdd7d (read with ``git show``), or a file given
with --numpy-engine. Both engines run interleaved, median of --repeat rounds; the last rows check that
both give the same palette. --jit times the first fit_palette + quantize in fresh processes: with an
empty numba cache (compilation) and again with the cache it left (loading), and checks that both
processes give the same palettes.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

import colorlab
from colorlab import _kmeans, cluster
from colorlab import quantize as quantize_module

REPO = Path(__file__).resolve().parent.parent
KODAK = REPO.parent / "shared" / "datasets" / "kodak"
NUMPY_ENGINE_COMMIT = "1ffdd7d"


def numpy_engine(path: str | None):
    if path is None:
        source = subprocess.run(["git", "show", f"{NUMPY_ENGINE_COMMIT}:colorlab/_kmeans.py"], cwd=REPO,
                                capture_output=True, text=True, check=True).stdout
        path = Path(tempfile.mkdtemp()) / "kmeans_numpy.py"
        path.write_text(source)
    spec = importlib.util.spec_from_file_location("kmeans_numpy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def photo(name: str) -> np.ndarray:
    if name == "1MP":
        retina = Image.fromarray(colorlab.load_image("retina"))
        return np.asarray(retina.resize((1000, 1000), Image.Resampling.LANCZOS))
    if name == "12MP":
        astronaut = Image.fromarray(colorlab.load_image("astronaut"))
        return np.asarray(astronaut.resize((4096, 3072), Image.Resampling.BICUBIC))
    if name.startswith("kodim"):
        return colorlab.load_image(KODAK / f"{name}.png")
    return colorlab.load_image(name)


def use(engine) -> None:
    """Make fit_palette and quantize call ``engine`` (they look functions up on the module at call time)."""
    cluster._kmeans = engine
    quantize_module._kmeans = engine


def stages(image, ks):
    pixels = image.reshape(-1, 3)
    colors, _ = _kmeans.distinct_colors(pixels)
    coords = colors.astype(np.float64)
    centers = coords[:: max(1, len(coords) // 64)][:64]
    out = {
        "distinct_colors": lambda e: e.distinct_colors(pixels),
        "distinct_codes": lambda e: e.distinct_codes(e.pack_rgb(pixels)),
        "assign to 64 centers": lambda e: e.assign(coords, centers),
    }
    for k in ks:
        out[f"fit_palette k={k}"] = lambda e, k=k: (use(e), colorlab.fit_palette(image, k))
        out[f"fit + quantize k={k}"] = lambda e, k=k: (use(e), colorlab.quantize(image, colorlab.fit_palette(image, k)))
    return out


def compare(names, ks, repeat, engine_path) -> None:
    old = numpy_engine(engine_path)
    print("| image | stage | numpy ms | numba ms | speed-up |\n| --- | --- | --- | --- | --- |")
    for name in names:
        image = photo(name)
        for stage, run in stages(image, ks).items():
            times = {old: [], _kmeans: []}
            for _ in range(repeat):
                for engine in times:
                    start = time.perf_counter()
                    run(engine)
                    times[engine].append(time.perf_counter() - start)
            a, b = (1e3 * statistics.median(times[e]) for e in (old, _kmeans))
            print(f"| {name} | {stage} | {a:,.1f} | {b:,.1f} | {a / b:.1f}x |", flush=True)
        same = []
        for k in ks:
            use(old)
            before = colorlab.fit_palette(image, k)
            use(_kmeans)
            same.append(before == colorlab.fit_palette(image, k))
        print(f"| {name} | same palette, k = {ks} | | | {same} |")
    use(_kmeans)


_FIRST_CALL = """
import time
start = time.perf_counter()
import colorlab
image = colorlab.load_image("rocket")
palette = colorlab.fit_palette(image, 16)
colorlab.quantize(image, palette)
print(time.perf_counter() - start, palette.to_hex(), colorlab.fit_palette(image, 64, space="lab").to_hex())
"""


def jit_cost() -> None:
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        runs = []
        for label in ("empty cache (compile)", "warm cache (load)"):
            out = subprocess.run([sys.executable, "-c", _FIRST_CALL], env=env, capture_output=True, text=True,
                                 check=True).stdout.split(" ", 1)
            runs.append(out[1])
            print(f"import colorlab + first fit_palette + quantize (rocket, k=16), {label}: {float(out[0]):.2f} s")
        print(f"same palettes with and without the cache: {runs[0] == runs[1]}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", default="kodim05,kodim23,rocket,1MP",
                        help="comma-separated: 1MP, 12MP, kodimNN or bundled names; none: no comparison")
    parser.add_argument("--ks", default="4,16,64")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--numpy-engine", help="path of the numpy _kmeans.py (default: git show 1ffdd7d)")
    parser.add_argument("--jit", action="store_true", help="also time the one-time JIT compile / cache load")
    args = parser.parse_args(argv)
    names = [n for n in args.images.split(",") if n and n != "none"]
    print(f"# bench_kernels, load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores\n")
    if names:
        compare(names, [int(k) for k in args.ks.split(",")], args.repeat, args.numpy_engine)
    if args.jit:
        jit_cost()


if __name__ == "__main__":
    main()
