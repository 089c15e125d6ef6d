"""The palettes of a whole collection: colorlab.batch on 1 and 2 local workers and a 2-worker Dask cluster,
next to a plain loop over scikit-learn's KMeans(n_init=1) and Pylette's batch extraction, at the same k.

Run:  .venv/bin/python benchmarks/bench_batch.py                       # 510 images, long side 384 px, k = 8
      .venv/bin/python benchmarks/bench_batch.py --images 60 --runs colorlab-1,colorlab-2   # a quick look
      .venv/bin/python benchmarks/bench_batch.py --size 768 --k 16

Images: the 24 Kodak photos (../shared/datasets/kodak, when present) and the 6 bundled ones, as resized
copies: image i is source i mod 30, cropped to a window that moves with i // 30 (90% of each side), then
resized so its long side is --size pixels, saved as PNG in a cache folder under the system's temporary
folder (made once). So every image differs, and the set has as many images as asked.

Each run is a fresh Python process (so imports, pool start-up and memory are its own), timed from the
first image to the last row with the images already on disk; the Dask cluster (LocalCluster, 2 worker
processes of 1 thread on 127.0.0.1) is started before the clock starts. Reported per run: images per
second and its ratio to the scikit-learn loop (higher is faster), the median over the images of the MSE
of each photo redrawn with its palette (every palette's colors rounded to 0..255, every pixel mapped to
its nearest palette color in RGB; colorlab's MSE comes from its table, the peers' are computed after the
clock stops), the CPU time (user + system) of this process and its child processes per image while the
clock ran (for Dask: also the scheduler's share, which runs in this process; on a busy machine this shows
the work done when the wall clock cannot), and the peak resident memory of each process that did the work
(sampled every 50 ms with psutil: the worker processes for colorlab-2 and Dask, the one process otherwise).

Peers: scikit-learn ``KMeans(n_clusters=k, n_init=1, random_state=0)`` on every pixel, in a plain loop
(its own threads may use both cores); Pylette's ``batch_extract_colors(paths, palette_size=k,
max_workers=2)`` at its defaults (it resizes every image to 256 px before its scikit-learn KMeans, and
works in threads). Speed is measured here, never asserted in tests. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import numpy as np

RUNS = ("colorlab-1", "colorlab-2", "colorlab-dask-2", "sklearn-loop", "pylette-2")
KODAK = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "kodak"


# ---------------------------------------------------------------------------------------- images

def make_images(count: int, size: int) -> Path:
    """``count`` different photos with long side ``size`` in a cache folder (made once)."""
    import colorlab
    from PIL import Image

    folder = Path(tempfile.gettempdir()) / f"colorlab-bench-batch-{count}-{size}"
    if folder.is_dir() and len(list(folder.glob("*.png"))) == count:
        return folder
    folder.mkdir(exist_ok=True)
    sources = sorted(KODAK.glob("kodim*.png")) + [colorlab.sample_path(n) for n in colorlab.samples()]
    for i in range(count):
        image = Image.fromarray(colorlab.load_image(sources[i % len(sources)]))
        step = i // len(sources)
        width, height = image.size
        w, h = int(width * 0.9), int(height * 0.9)
        x = (step * 37) % (width - w + 1)
        y = (step * 23) % (height - h + 1)
        crop = image.crop((x, y, x + w, y + h))
        scale = size / max(crop.size)
        crop.resize((max(1, round(crop.width * scale)), max(1, round(crop.height * scale))),
                    Image.Resampling.LANCZOS).save(folder / f"img_{i:04d}.png")
    return folder


# ---------------------------------------------------------------------------------------- memory

class PeakMemory:
    """Peak resident memory of this process and each of its descendants, sampled every 50 ms, and the CPU
    time (user + system) each one used while watched (the last sample of a process that ended)."""

    def __init__(self):
        import psutil

        self._me = psutil.Process()
        self.peaks: dict[int, tuple[str, int]] = {}
        self.cpu: dict[int, float] = {}
        self._base: dict[int, float] = {}  # CPU already used by the processes alive when watching starts
        for process in [self._me, *self._me.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            self._base[process.pid] = times.user + times.system
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        import psutil

        for process in [self._me, *self._me.children(recursive=True)]:
            try:
                rss = process.memory_info().rss
                name = " ".join(process.cmdline()[1:4])
                times = process.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            self.cpu[process.pid] = times.user + times.system - self._base.get(process.pid, 0.0)
            old = self.peaks.get(process.pid, ("", 0))[1]
            self.peaks[process.pid] = (name, max(old, rss))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._sample()
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------------------------------- the runs

def _rounded(centers) -> np.ndarray:
    return np.clip(np.rint(centers), 0, 255).astype(np.uint8)


def _mse_nearest(path, colors: np.ndarray) -> float:
    """MSE of the photo redrawn with ``colors`` (every pixel to its nearest color in RGB)."""
    import colorlab
    from colorlab.metrics import mse

    image = colorlab.load_image(path)
    palette = colorlab.Palette(colors, counts=np.ones(len(colors), np.int64))
    return mse(image, colorlab.quantize(image, palette))


def run_colorlab(paths, k, workers, dask: bool):
    import colorlab

    colorlab.batch(paths[:2], k, workers=1, progress=False)  # loads the compiled kernels in this process
    if dask:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
        client.run(colorlab.warm_up)  # each worker loads the kernels before the clock starts
    with PeakMemory() as memory:
        start = time.perf_counter()
        table = colorlab.batch(paths, k, workers=None if dask else workers, client=client if dask else None,
                               progress=False)
        seconds = time.perf_counter() - start
    if dask:
        client.close()
        cluster.close()
    assert table["error"].isna().all(), table["error"].dropna().iloc[0]
    workers_only = {pid: v for pid, v in memory.peaks.items() if pid != os.getpid()} if workers > 1 else {}
    return seconds, table["mse"].tolist(), workers_only or {os.getpid(): memory.peaks[os.getpid()]}, memory.cpu


def run_sklearn(paths, k):
    import colorlab
    from colorlab.metrics import mse
    from sklearn.cluster import KMeans

    with PeakMemory() as memory:
        start = time.perf_counter()
        results = []
        for path in paths:
            image = colorlab.load_image(path)
            model = KMeans(n_clusters=k, n_init=1, random_state=0).fit(image.reshape(-1, 3).astype(np.float32))
            results.append((image, _rounded(model.cluster_centers_), model.labels_))
        seconds = time.perf_counter() - start
    errors = [mse(image, centers[labels].reshape(image.shape)) for image, centers, labels in results]
    return seconds, errors, memory.peaks, memory.cpu


def run_pylette(paths, k):
    from pylette import batch_extract_colors

    with PeakMemory() as memory:
        start = time.perf_counter()
        results = batch_extract_colors([str(p) for p in paths], palette_size=k, max_workers=2)
        seconds = time.perf_counter() - start
    failed = [r for r in results if r.exception is not None]
    assert not failed, failed[0].exception
    errors = [_mse_nearest(path, np.array([c.rgb for c in r.result.colors], np.uint8)) for path, r in zip(paths, results)]
    return seconds, errors, memory.peaks, memory.cpu


def one_run(name: str, folder: Path, k: int) -> dict:
    paths = sorted(folder.glob("*.png"))
    if name.startswith("colorlab"):
        workers = 1 if name == "colorlab-1" else 2
        seconds, errors, peaks, cpu = run_colorlab(paths, k, workers, dask="dask" in name)
    elif name == "sklearn-loop":
        seconds, errors, peaks, cpu = run_sklearn(paths, k)
    elif name == "pylette-2":
        seconds, errors, peaks, cpu = run_pylette(paths, k)
    else:
        raise SystemExit(f"unknown run {name!r}; choose from {', '.join(RUNS)}")
    return {"run": name, "images": len(paths), "seconds": seconds, "median_mse": statistics.median(errors),
            "peak_mb": sorted(round(rss / 2**20) for _, rss in peaks.values()),
            "cpu_per_image": sum(cpu.values()) / len(paths)}


# ---------------------------------------------------------------------------------------- report

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=510, help="number of images (default 510)")
    parser.add_argument("--size", type=int, default=384, help="long side of each image in pixels (default 384)")
    parser.add_argument("--k", type=int, default=8, help="colors per palette (default 8)")
    parser.add_argument("--runs", default=",".join(RUNS), help=f"comma-separated, from {', '.join(RUNS)}")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: do one run in this process, print JSON
    args = parser.parse_args(argv)
    folder = make_images(args.images, args.size)
    if args.one:
        print(json.dumps(one_run(args.one, folder, args.k)))
        return 0

    results = []
    for name in args.runs.split(","):
        done = subprocess.run([sys.executable, __file__, "--images", str(args.images), "--size", str(args.size),
                               "--k", str(args.k), "--one", name], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"{name}: failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}",
                  file=sys.stderr)
            continue
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"{name}: {results[-1]}", file=sys.stderr)

    base = next((r for r in results if r["run"] == "sklearn-loop"), None)
    load = os.getloadavg()
    import colorlab
    import numpy

    print(f"\n{date.today()}, {platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.1f} / "
          f"{load[1]:.1f} / {load[2]:.1f} (1/5/15 min) at the end; colorlab {colorlab.__version__}, numpy "
          f"{numpy.__version__}, Python {platform.python_version()}")
    print(f"{args.images} images, long side {args.size} px, k = {args.k}\n")
    print("| run | images/s | vs scikit-learn loop | CPU s per image | median MSE | MSE vs scikit-learn "
          "| peak memory per process (MB) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        rate = r["images"] / r["seconds"]
        speed = f"{rate / (base['images'] / base['seconds']):.2f}x" if base else "-"
        quality = f"{r['median_mse'] / base['median_mse']:.3f}" if base else "-"
        print(f"| {r['run']} | {rate:.1f} | {speed} | {r['cpu_per_image']:.3f} | {r['median_mse']:.1f} | {quality} | "
              f"{', '.join(map(str, r['peak_mb']))} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
