"""Floyd-Steinberg at k = 256, judged by the eye's metrics: SSIMULACRA2 (PyPI ``ssimulacra2``, higher is
better) and butteraugli (Debian ``butteraugli``, lower is better), against ``pngquant 256`` (PyPI
``pngquant-cli``) with and without its dithering. colorlab's palette is fitted in OKLab once per photo;
then each way of redrawing it is timed (the redraw alone) and scored.

Usage: ``python benchmarks/bench_dither.py [DATASETS]`` (default ``../shared/datasets``). A few
minutes on five photos; SSIMULACRA2 in Python is the slow part.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

import colorlab
from colorlab.redraw import dither

DATASETS = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "datasets")
PHOTOS = ["kodak/kodim05.png", "kodak/kodim23.png", "cq100/calaveras.png", "cq100/fruits.png",
          "unsplash/1920x1280/Boothbay.jpg"]


def ways(image, palette):
    """(name, labels function) of each redraw measured."""
    return [
        ("none", lambda: colorlab.quantize(image, palette, return_labels=True)[1]),
        ("pillow-fs (before)", lambda: dither.floyd_steinberg_labels(image, palette, _classic=True)),
        ("fs oklab, no limits", lambda: dither.floyd_steinberg_labels(image, palette, _edge=np.inf, _clamp=np.inf)),
        ("fs linear, limits", lambda: dither.floyd_steinberg_labels(image, palette, _space="linear")),
        ("fs oklab, limits", lambda: dither.floyd_steinberg_labels(image, palette)),
        ("fs oklab, limits, 0.8", lambda: dither.floyd_steinberg_labels(image, palette, strength=0.8)),
    ]


def scores(original: Path, redrawn: Path) -> tuple[float, float]:
    from ssimulacra2 import compute_ssimulacra2

    butter = subprocess.run(["butteraugli", str(original), str(redrawn)], capture_output=True, text=True, check=True)
    return compute_ssimulacra2(str(original), str(redrawn)), float(butter.stdout.split()[0])


def main() -> None:
    pngquant = Path(sys.executable).with_name("pngquant")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for name in PHOTOS:
            path = DATASETS / name
            if not path.exists():
                print(f"{name}: missing, skipped")
                continue
            image = colorlab.load_image(path)
            original = folder / "original.png"
            Image.fromarray(image).save(original)
            palette = colorlab.fit_palette(image, 256, space="oklab")
            rows = []
            for way, labels_of in ways(image, palette):
                labels_of()  # warm
                start = time.perf_counter()
                labels = labels_of()
                seconds = time.perf_counter() - start
                out = folder / "out.png"
                Image.fromarray(palette.colors[labels].astype(np.uint8)).save(out)
                rows.append((way, seconds * 1000, *scores(original, out), out.stat().st_size))
            for flag, way in (("--nofs", "pngquant --nofs"), (None, "pngquant (dithers)")):
                out = folder / "pq.png"
                command = [str(pngquant), "256", "--force", "--output", str(out)] + ([flag] if flag else []) + [str(original)]
                start = time.perf_counter()
                subprocess.run(command, check=True)
                rows.append((way, (time.perf_counter() - start) * 1000, *scores(original, out), out.stat().st_size))
            print(f"\n{name} ({image.shape[1]}x{image.shape[0]})")
            print(f"{'way':24} {'ms':>8} {'SSIMULACRA2':>12} {'butteraugli':>12} {'bytes':>9}")
            for way, ms, s2, ba, size in rows:
                print(f"{way:24} {ms:8.1f} {s2:12.2f} {ba:12.3f} {size:9d}")


if __name__ == "__main__":
    main()
