"""256 colors: ``colorlab quantize IN -k 256 -o OUT.png`` against pngquant 3 and libimagequant 2.

Usage::

    python benchmarks/bench_256.py [--images kodak,cq100,unsplash,unsplash-large] [--limit N] [--repeat R]
                                   [--datasets DIR] [--no-process] [--no-inprocess] [--dither] [--times-only]

Needs the ``bench`` extra (``pip install -e ".[bench]"``: ``ssimulacra2``, ``pngquant-cli``, ``imagequant``)
and, for butteraugli, Debian's ``butteraugli`` binary (``apt-get install -y butteraugli``; the column is
left out without it). The photos are the shared data sets: ``--datasets`` or ``$COLORLAB_DATASETS``, else
``../shared/datasets`` beside the checkout (``kodak/``, ``cq100/``, ``unsplash/1920x1280/``; ``--images
unsplash-large``: the same photos at 3840 x 2560, ``unsplash/3840x2560/``).

For every photo (decoded once and written as a PNG, the input of both tools):

- **whole process**, side by side and alternating, ``--repeat`` times each, median: colorlab's command line
  as a user types it (``colorlab quantize IN -k 256 -o x.png``: the default fit, see ``--help``),
  ``pngquant 256`` (dithered), ``pngquant --nofs 256`` and ``python -c "import numpy"``, the floor no
  colorlab change can remove. With ``--dither`` also ``colorlab ... --dither floyd-steinberg``.
- **quality** of each output: SSIMULACRA2 (PyPI ``ssimulacra2``, higher is better), butteraugli (lower is
  better), MSE (squared error summed over R, G and B, mean over pixels) and file size.
- **in process**: ``reduce_colors(image, 256, method="wu-kmeans", space="oklab")`` (fit plus redraw, best
  of ``--repeat``) against ``imagequant.quantize_pil_image(..., dithering_level=0, max_colors=256)``
  (libimagequant 2), in ms and ms per megapixel (quantette publishes 12.6-13.5 ms/MP on 4 threads).

Then medians, the share of photos where colorlab is at or above pngquant ``--nofs`` on SSIMULACRA2, the
worst MSE ratio, the median file size ratio and the time ratios, with the machine's load average before
and after. The machine has 2 cores shared with other work: timings are indicative only.

What was tried for the fit (numbers in benchmarks/results/256.md): exact k-means in RGB (the library's
default; best MSE, 3-11 SSIMULACRA2 points below pngquant), exact k-means in OKLab (above pngquant, slow),
Wu's cuts plus Lloyd in OKLab with 0-16 iterations on the distinct colors or on 6-bit cells, OKLab with its
L or chroma axes scaled, OKLab's formula with other exponents than the cube root, a weighted RGB like
pngquant's, and OKLab clusters mapped in RGB. Kept: Wu's cuts (in C), 16 Lloyd iterations on the 6-bit
cells' means and 8 on the distinct colors, all in OKLab (the figures: benchmarks/results/256.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

import colorlab
from bench_cli import CHILD_ENV  # the runs may cache compiled modules, as an installed colorlab has them

REPO = Path(__file__).resolve().parent.parent
SETS = {"kodak": "kodak", "cq100": "cq100", "unsplash": "unsplash/1920x1280", "unsplash-large": "unsplash/3840x2560"}


def _datasets(given: str | None) -> Path:
    if given:
        return Path(given)
    if os.environ.get("COLORLAB_DATASETS"):
        return Path(os.environ["COLORLAB_DATASETS"])
    return REPO.parent / "shared" / "datasets"


def photos(root: Path, names: list[str], limit: int | None) -> list[tuple[str, Path]]:
    """(set/name, path) of the first ``limit`` photos of each set, in name order."""
    found = []
    for name in names:
        folder = root / SETS[name]
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
        found += [(f"{name}/{p.stem}", p) for p in files[:limit]]
    return found


def _tool(name: str) -> str:
    """The executable ``name`` next to this Python (a venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"error: {name} is not installed; pip install -e '.[bench]'")
    return found


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CHILD_ENV)
    return time.perf_counter() - start


def _rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def _mse(a: np.ndarray, b: np.ndarray) -> float:
    diff = a.astype(np.int32) - b.astype(np.int32)
    return float((diff * diff).sum() / (a.shape[0] * a.shape[1]))


def _butteraugli(reference: Path, output: Path) -> float | None:
    if shutil.which("butteraugli") is None:
        return None
    done = subprocess.run(["butteraugli", str(reference), str(output)], capture_output=True, text=True, check=True)
    return float(done.stdout.split()[0])


def _quality(reference: Path, output: Path, original: np.ndarray) -> dict:
    from ssimulacra2 import compute_ssimulacra2

    return {"ssim2": float(compute_ssimulacra2(str(reference), str(output))),
            "butter": _butteraugli(reference, output),
            "mse": _mse(original, _rgb(output)),
            "bytes": output.stat().st_size}


def whole_process(reference: Path, work: Path, repeat: int, dither: bool) -> dict:
    """Median seconds of each whole-process run, alternating, and the outputs' paths."""
    colorlab_cli, pngquant = _tool("colorlab"), _tool("pngquant")
    runs = {
        "colorlab": [colorlab_cli, "quantize", str(reference), "-k", "256", "-o", str(work / "colorlab.png")],
        "pngquant": [pngquant, "--force", "-o", str(work / "pngquant.png"), "256", str(reference)],
        "pngquant-nofs": [pngquant, "--nofs", "--force", "-o", str(work / "pngquant-nofs.png"), "256", str(reference)],
        "numpy": [sys.executable, "-c", "import numpy"],
    }
    if dither:
        runs["colorlab-fs"] = runs["colorlab"][:-2] + ["--dither", "floyd-steinberg", "-o", str(work / "colorlab-fs.png")]
    times = {name: [] for name in runs}
    for _ in range(repeat):
        for name, command in runs.items():
            times[name].append(_timed(command))
    return {name: statistics.median(values) for name, values in times.items()}


def in_process(image: np.ndarray, repeat: int, dither: bool = False) -> dict:
    """Best seconds of colorlab's fit plus redraw and of libimagequant 2's, both undithered or both with
    Floyd-Steinberg at full strength."""
    import imagequant

    pil = Image.fromarray(image)
    ours, theirs = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        colorlab.reduce_colors(image, 256, method="wu-kmeans", space="oklab",
                               dither="floyd-steinberg" if dither else "none")
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        imagequant.quantize_pil_image(pil, dithering_level=1.0 if dither else 0.0, max_colors=256)
        theirs.append(time.perf_counter() - start)
    return {"colorlab": min(ours), "imagequant": min(theirs)}


def _median(rows, key):
    values = [row[key] for row in rows if row.get(key) is not None]
    return statistics.median(values) if values else float("nan")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", default="kodak,cq100,unsplash")
    parser.add_argument("--limit", type=int, default=None, help="first N photos of each set")
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs per photo (median or best)")
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--no-process", action="store_true", help="skip the whole-process runs and their quality")
    parser.add_argument("--no-inprocess", action="store_true", help="skip colorlab vs libimagequant in process")
    parser.add_argument("--dither", action="store_true", help="also colorlab --dither floyd-steinberg")
    parser.add_argument("--times-only", action="store_true",
                        help="time the whole processes without scoring their outputs (butteraugli takes about a "
                             "minute on a 10-megapixel photo)")
    args = parser.parse_args(argv)
    root = _datasets(args.datasets)
    names = [name for name in args.images.split(",") if name]
    if not root.is_dir():
        sys.exit(f"error: no data sets at {root}; pass --datasets DIR or set COLORLAB_DATASETS")
    chosen = photos(root, names, args.limit)
    load_before = os.getloadavg()
    print(f"# bench_256: {len(chosen)} photos, repeat {args.repeat}, load average {load_before[0]:.2f} "
          f"{load_before[1]:.2f} {load_before[2]:.2f}, {os.cpu_count()} cores (timings indicative only)")
    butter = shutil.which("butteraugli") is not None
    header = ("photo", "MP", "cl ms", "pq ms", "pq-nofs ms", "numpy ms", "(cl-numpy)/pq-nofs",
              "SSIM2 cl", "pq-nofs", "pq", "butter cl", "pq-nofs", "MSE cl", "pq-nofs", "KB cl", "pq-nofs",
              "in-proc cl ms", "liq ms", "cl ms/MP", "liq/cl")
    dithered_times = args.dither and not args.no_process
    if dithered_times:  # each photo's dithered whole process, against pngquant's (dithered) one
        header += ("cl-fs ms", "cl-fs/pq")
    dithered_inside = args.dither and not args.no_inprocess
    if dithered_inside:  # each photo's dithered fit and redraw, against libimagequant's dithered one
        header += ("in-proc cl-fs ms", "liq-fs ms", "liq-fs/cl-fs")
    print(" | ".join(header))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for label, path in chosen:
            image = colorlab.load_image(str(path))
            reference = work / "reference.png"
            Image.fromarray(image).save(reference)
            megapixels = image.shape[0] * image.shape[1] / 1e6
            row = {"photo": label, "mp": megapixels}
            if not args.no_process:
                times = whole_process(reference, work, args.repeat, args.dither)
                row.update({f"t_{name}": value for name, value in times.items()})
                for name in ("colorlab", "pngquant-nofs", "pngquant") + (("colorlab-fs",) if args.dither else ()):
                    if args.times_only:
                        continue
                    for key, value in _quality(reference, work / f"{name}.png", image).items():
                        row[f"{key}_{name}"] = value
            if not args.no_inprocess:
                inside = in_process(image, args.repeat)
                row.update({"in_colorlab": inside["colorlab"], "in_liq": inside["imagequant"]})
                if args.dither:
                    inside = in_process(image, args.repeat, dither=True)
                    row.update({"in_colorlab_fs": inside["colorlab"], "in_liq_fs": inside["imagequant"]})
            rows.append(row)
            cells = [label, f"{megapixels:.2f}"]
            if not args.no_process:
                cells += [f"{1e3 * row['t_colorlab']:.0f}", f"{1e3 * row['t_pngquant']:.0f}",
                          f"{1e3 * row['t_pngquant-nofs']:.0f}", f"{1e3 * row['t_numpy']:.0f}",
                          f"{(row['t_colorlab'] - row['t_numpy']) / row['t_pngquant-nofs']:.2f}"]
                cells += ["-"] * 9 if args.times_only else [
                          f"{row['ssim2_colorlab']:.1f}", f"{row['ssim2_pngquant-nofs']:.1f}", f"{row['ssim2_pngquant']:.1f}",
                          f"{row['butter_colorlab']:.2f}" if butter else "-",
                          f"{row['butter_pngquant-nofs']:.2f}" if butter else "-",
                          f"{row['mse_colorlab']:.1f}", f"{row['mse_pngquant-nofs']:.1f}",
                          f"{row['bytes_colorlab'] / 1024:.0f}", f"{row['bytes_pngquant-nofs'] / 1024:.0f}"]
            else:
                cells += ["-"] * 14
            if not args.no_inprocess:
                cells += [f"{1e3 * row['in_colorlab']:.0f}", f"{1e3 * row['in_liq']:.0f}",
                          f"{1e3 * row['in_colorlab'] / megapixels:.1f}", f"{row['in_liq'] / row['in_colorlab']:.2f}"]
            elif dithered_times:
                cells += ["-"] * 4
            if dithered_times:
                cells += [f"{1e3 * row['t_colorlab-fs']:.0f}", f"{row['t_colorlab-fs'] / row['t_pngquant']:.2f}"]
            if dithered_inside:
                cells += [f"{1e3 * row['in_colorlab_fs']:.0f}", f"{1e3 * row['in_liq_fs']:.0f}",
                          f"{row['in_liq_fs'] / row['in_colorlab_fs']:.2f}"]
            print(" | ".join(cells), flush=True)
    load_after = os.getloadavg()
    print(f"\n# summary over {len(rows)} photos (load average after: {load_after[0]:.2f} {load_after[1]:.2f})")
    scored = not args.no_process and not args.times_only
    if scored:
        gains = [row["ssim2_colorlab"] - row["ssim2_pngquant-nofs"] for row in rows]
        mse_ratios = [row["mse_colorlab"] / row["mse_pngquant-nofs"] for row in rows]
        size_ratios = [row["bytes_colorlab"] / row["bytes_pngquant-nofs"] for row in rows]
        print(f"SSIMULACRA2 median: colorlab {_median(rows, 'ssim2_colorlab'):.2f}, pngquant --nofs "
              f"{_median(rows, 'ssim2_pngquant-nofs'):.2f}, pngquant {_median(rows, 'ssim2_pngquant'):.2f}; "
              f"colorlab - pngquant --nofs: median {statistics.median(gains):+.2f}, at or above on "
              f"{sum(g >= 0 for g in gains)}/{len(gains)} ({100 * sum(g >= 0 for g in gains) / len(gains):.0f}%)")
        if butter:
            print(f"butteraugli median: colorlab {_median(rows, 'butter_colorlab'):.3f}, pngquant --nofs "
                  f"{_median(rows, 'butter_pngquant-nofs'):.3f}")
        print(f"MSE colorlab / pngquant --nofs: median {statistics.median(mse_ratios):.3f}, worst {max(mse_ratios):.3f}, "
              f"at or below on {sum(r <= 1 for r in mse_ratios)}/{len(mse_ratios)}")
        print(f"file size colorlab / pngquant --nofs: median {statistics.median(size_ratios):.3f}")
    if scored and args.dither:
        dgains = [row["ssim2_colorlab-fs"] - row["ssim2_pngquant"] for row in rows]
        print(f"dithered: colorlab --dither floyd-steinberg - pngquant (dithered) SSIMULACRA2 median "
              f"{statistics.median(dgains):+.2f}, at or above on {sum(g >= 0 for g in dgains)}/{len(dgains)}")
        if butter:
            print(f"dithered butteraugli median: colorlab {_median(rows, 'butter_colorlab-fs'):.3f}, pngquant "
                  f"{_median(rows, 'butter_pngquant'):.3f}")
    if not args.no_process:
        if args.dither:
            dover = [(row["t_colorlab-fs"] - row["t_numpy"]) / row["t_pngquant"] for row in rows]
            print(f"dithered whole process: (colorlab --dither - numpy) / pngquant median {statistics.median(dover):.2f}, "
                  f"worst {max(dover):.2f}")
        over = [(row["t_colorlab"] - row["t_numpy"]) / row["t_pngquant-nofs"] for row in rows]
        print(f"whole process: median colorlab {1e3 * _median(rows, 't_colorlab'):.0f} ms, pngquant --nofs "
              f"{1e3 * _median(rows, 't_pngquant-nofs'):.0f} ms, import numpy {1e3 * _median(rows, 't_numpy'):.0f} ms; "
              f"(colorlab - numpy) / pngquant --nofs median {statistics.median(over):.2f}, worst {max(over):.2f}")
        for low, high in ((2.4, 5.0), (5.0, float("inf"))):  # 1920 x 1280 (2.46 MP) and 3840 x 2560 (9.8 MP)
            large = [row for row in rows if low <= row["mp"] < high]
            if not large:
                continue
            whole = [row["t_colorlab"] / row["t_pngquant-nofs"] for row in large]
            line = (f"{low:g}{'' if high == float('inf') else f'-{high:g}'} MP ({len(large)} photos): colorlab / "
                    f"pngquant --nofs whole time median {statistics.median(whole):.2f}, {min(whole):.2f}-{max(whole):.2f}, "
                    f"at most 0.5 on {sum(w <= 0.5 for w in whole)}")
            if args.dither:
                dwhole = [row["t_colorlab-fs"] / row["t_pngquant"] for row in large]
                line += (f"; dithered, colorlab --dither / pngquant median {statistics.median(dwhole):.2f}, "
                         f"{min(dwhole):.2f}-{max(dwhole):.2f}, at most 0.5 on {sum(w <= 0.5 for w in dwhole)}")
            print(line)
    if not args.no_inprocess:
        speed = [row["in_liq"] / row["in_colorlab"] for row in rows]
        per_mp = [1e3 * row["in_colorlab"] / row["mp"] for row in rows]
        print(f"in process: libimagequant / colorlab median {statistics.median(speed):.2f}x, worst {min(speed):.2f}x, "
              f"at 5x or more on {sum(v >= 5 for v in speed)}/{len(speed)}; "
              f"colorlab {statistics.median(per_mp):.1f} ms/MP median (quantette: 12.6-13.5 ms/MP on 4 threads)")
        if args.dither:
            dspeed = [row["in_liq_fs"] / row["in_colorlab_fs"] for row in rows]
            print(f"in process, dithered: libimagequant / colorlab median {statistics.median(dspeed):.2f}x, "
                  f"worst {min(dspeed):.2f}x, at 5x or more on {sum(v >= 5 for v in dspeed)}/{len(dspeed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
