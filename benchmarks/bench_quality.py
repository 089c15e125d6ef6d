"""colorlab's MSE against scikit-learn's on 78 photos at k = 4, 8, 16, 32 and 64, from stored baselines.

The engine's palettes must stay as good as scikit-learn's ``KMeans(n_init=1)``: the median MSE at or below
it, the worst within 1%, on every photo and k. Running scikit-learn on all 78 photos at
five k takes about ten minutes; its results do not change, so they are stored in
``results/sklearn-mse-78.json`` and this script compares colorlab with them in about 15-20 s, which is
what a change to the engine's starts or iterations needs before it is kept (``docs/engine.md``).

Photos: the 24 Kodak PNGs (../shared/datasets/kodak; left out with a line when missing), the same saved as
JPEG at quality 75 and 90 (in memory, as ``bench_quantize.py`` makes them) and the 6 bundled photos.
scikit-learn's MSE is that of its rounded centers over its own labels (``KMeans(k, n_init=1,
random_state=0)`` on all pixels as float32); colorlab's is ``metrics.mse`` of ``fit_palette(image, k,
seed=0)``.

    .venv/bin/python benchmarks/bench_quality.py                  # all photos, k = 4..64
    .venv/bin/python benchmarks/bench_quality.py --ks 16,32 --names kodim05-q75,kodim02-q90
    .venv/bin/python benchmarks/bench_quality.py --refresh        # recompute the baselines (slow)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import colorlab
from colorlab.metrics import mse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_quantize import KODAK, load  # noqa: E402 - the same photos and JPEGs as the speed benchmark

BASELINE = Path(__file__).resolve().parent / "results" / "sklearn-mse-78.json"
KS = (4, 8, 16, 32, 64)


def photo_names() -> list[str]:
    kodak = [f"kodim{i:02d}" for i in range(1, 25)]
    return [n for base in kodak for n in (base, f"{base}-q75", f"{base}-q90")] + list(colorlab.samples())


def sklearn_mse(image: np.ndarray, k: int) -> float:
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    pixels = image.reshape(-1, 3).astype(np.float32)
    with threadpool_limits(1):
        fitted = KMeans(k, n_init=1, random_state=0).fit(pixels)
    centers = np.clip(np.rint(fitted.cluster_centers_), 0, 255).astype(np.float32)
    return float(((pixels - centers[fitted.labels_]) ** 2).sum(1).mean())


def refresh(names, ks) -> None:
    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    for name in names:
        image = load(name)
        if image is None:
            continue
        for k in ks:
            baseline[f"{name} {k}"] = sklearn_mse(image, k)
        print(f"{name}: done", file=sys.stderr, flush=True)
        partial = BASELINE.with_suffix(".partial.json")
        partial.write_text(json.dumps(baseline, indent=0, sort_keys=True) + "\n")
        os.replace(partial, BASELINE)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ks", default=",".join(map(str, KS)), help="comma-separated k values")
    parser.add_argument("--names", default=None, help="comma-separated photos (default: all 78)")
    parser.add_argument("--refresh", action="store_true", help="recompute scikit-learn's baselines first (slow)")
    args = parser.parse_args(argv)
    ks = [int(k) for k in args.ks.split(",")]
    names = args.names.split(",") if args.names else photo_names()
    if not KODAK.exists():
        print(f"bench_quality: {KODAK} not found; the Kodak photos and their JPEGs are left out", file=sys.stderr)
    if args.refresh:
        refresh(names, ks)
    baseline = json.loads(BASELINE.read_text())
    ratios: dict[int, list[tuple[float, str]]] = {k: [] for k in ks}
    cpu = {k: 0.0 for k in ks}
    for name in names:
        image = load(name)
        if image is None:
            continue
        histogram = colorlab.color_histogram(image)
        for k in ks:
            if f"{name} {k}" not in baseline:
                print(f"bench_quality: no baseline for {name} at k={k}; run with --refresh", file=sys.stderr)
                continue
            start = time.process_time()
            palette = colorlab.fit_palette(histogram, k, seed=0)
            cpu[k] += time.process_time() - start
            ratios[k].append((mse(histogram, palette) / baseline[f"{name} {k}"], name))
    print(f"# colorlab MSE / scikit-learn's, {len(names)} photos, load average {os.getloadavg()[0]:.1f}\n")
    print("| k | photos | median | worst | worst photo | over 1.01 | CPU s of the fits |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for k in ks:
        if not ratios[k]:
            continue
        values = [r for r, _ in ratios[k]]
        worst, worst_name = max(ratios[k])
        print(f"| {k} | {len(values)} | {statistics.median(values):.4f} | {worst:.4f} | {worst_name} "
              f"| {sum(v > 1.01 for v in values)} | {cpu[k]:.1f} |")


if __name__ == "__main__":
    main()
