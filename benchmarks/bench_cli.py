"""The command line end to end: ``colorlab quantize`` against pngquant (and ImageMagick) as whole processes.

Run:  .venv/bin/python benchmarks/bench_cli.py                      # 0.4, 2 and 12 MP, k = 16, 5 rounds
      .venv/bin/python benchmarks/bench_cli.py --photos 0.4mp --repeat 9
      .venv/bin/python benchmarks/bench_cli.py --compress default,fast,small --save   # -> results/cli.md

What a person at a terminal feels: each run is a fresh process, from start to exit (imports,
decoding, clustering, writing the file), timed by wall clock; the tools take turns within each round
(alternating runs) and the table shows the median over the rounds. Peak memory is the child's maximum
resident set size. One untimed run of each tool comes first (Python's compiled modules are cached,
as in an installed colorlab; the input file is in the page cache for every tool). File size and MSE (mean squared RGB distance on 0..255, summed
over the channels: ``colorlab.metrics.mse``) are of each output decoded by Pillow, against the input.
Peak memory comes from GNU time (``/usr/bin/time -f %M``) when it is there, else from ``os.wait4``.

Runs: ``colorlab quantize IN -k K -o OUT.png [--compress C]`` (``python -m colorlab``: the same code as the
``colorlab`` command), ``pngquant --nofs K`` (no dithering), ``convert IN +dither -colors K OUT`` (or
``magick``) when ImageMagick is installed, and ``colorlab palette IN -k 8`` (no image written). A tool
that is not installed gets one line saying so and is left out.

Photos (PNG files made once in the system's temporary folder, Pillow's default compression, so every tool
decodes the same file): ``0.4mp``: kodim05 (768 x 512) from ../shared/datasets/kodak, or the bundled
``rocket`` (640 x 427) when that folder is absent; ``2mp``: the bundled ``retina`` (1411 x 1411, a JPEG
saved as PNG); ``12mp``: the bundled ``astronaut`` upscaled to 4096 x 3072 plus camera-like noise
(``_photos.big_photo(noisy=True)``, bench_quantize.py's ``big12mp-noisy``).

Ratios are colorlab's over pngquant's; the command line's targets are checked in a second table. Timings on a
shared machine are noisy: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

import colorlab
from _photos import KODAK, big_photo
from colorlab.metrics import mse

RESULTS = Path(__file__).resolve().parent / "results"
PHOTOS = ("0.4mp", "2mp", "12mp")


# ---------------------------------------------------------------------------------------- photos

def photo_file(name: str, folder: Path) -> tuple[Path, str]:
    """(PNG file, description) of one benchmark photo, written into ``folder`` once."""
    if name == "0.4mp":
        source, label = (KODAK / "kodim05.png", "kodim05") if (KODAK / "kodim05.png").exists() else (None, "rocket")
        if source is not None:
            return source, label  # already a PNG
        make = lambda: colorlab.load_image("rocket")  # noqa: E731
    elif name == "2mp":
        label, make = "retina", lambda: colorlab.load_image("retina")
    elif name == "12mp":
        label, make = "astronaut 12 MP + noise", lambda: big_photo(noisy=True)
    else:
        raise SystemExit(f"bench_cli: unknown photo {name!r}; use {', '.join(PHOTOS)}")
    path = folder / f"{name}.png"
    if not path.exists():
        partial = path.with_suffix(".partial.png")
        Image.fromarray(make()).save(partial)
        partial.rename(path)
    return path, label


# ---------------------------------------------------------------------------------------- tools

def imagemagick() -> list[str] | None:
    """``magick`` or ``convert`` when it is ImageMagick (its ``-version`` says so), else None."""
    for name in ("magick", "convert"):
        if shutil.which(name) and _version([name, "-version"]).startswith("ImageMagick"):
            return [name]
    return None


def commands(k: int, compresses: list[str]) -> dict[str, object]:
    """Tool name -> function (input, output) -> argv; missing tools are reported and left out."""
    python = [sys.executable, "-m", "colorlab"]
    runs = {}
    for compress in compresses:
        name = "colorlab" if compress == "default" else f"colorlab --compress {compress}"
        runs[name] = (lambda c: lambda src, out: python + ["quantize", str(src), "-k", str(k), "-o", str(out),
                                                             "--compress", c])(compress)
    if shutil.which("pngquant"):
        runs["pngquant"] = lambda src, out: ["pngquant", "--nofs", "--force", "--output", str(out), str(k), str(src)]
    else:
        print("bench_cli: pngquant is not installed (Debian/Ubuntu: apt-get install pngquant); its rows are left out",
              file=sys.stderr)
    magick = imagemagick()
    if magick:
        runs["imagemagick"] = lambda src, out: magick + [str(src), "+dither", "-colors", str(k), str(out)]
    else:
        print("bench_cli: ImageMagick (magick or convert) is not installed; its rows are left out", file=sys.stderr)
    runs["colorlab palette -k 8"] = lambda src, out: python + ["palette", str(src), "-k", "8"]
    return runs


#: GNU time, which reports its child's peak resident memory (``-f %M``). Without it the peak comes from
#: ``os.wait4`` and includes this benchmark's own size at the fork (Linux keeps the larger of the two).
GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


#: The runs' environment: this one, but Python may cache compiled modules (.pyc), as an installed colorlab has
#: them (pip compiles them when it installs a wheel). Without them every run compiles colorlab's modules
#: again: about 65 ms more per start on this machine (a session that sets PYTHONDONTWRITEBYTECODE=1 does).
CHILD_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run_once(argv: list[str], scratch: Path) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of one process from start to exit; a failure stops the benchmark."""
    report = scratch / "peak.txt"
    wrapped = [GNU_TIME, "-f", "%M", "-o", str(report)] + argv if GNU_TIME else argv
    start = time.perf_counter()
    process = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=CHILD_ENV)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"bench_cli: {' '.join(argv)} exited with {process.returncode}: {error.strip()[-500:]}")
    kilobytes = int(report.read_text().split()[-1]) if GNU_TIME else usage.ru_maxrss  # Linux: kilobytes
    return seconds, kilobytes / 1024


# ---------------------------------------------------------------------------------------- measuring

def measure(photo: Path, runs: dict, repeat: int, folder: Path) -> dict[str, dict]:
    """Per tool: median seconds, peak MB (the largest over the rounds), file bytes and MSE of its output."""
    times = {name: [] for name in runs}
    peaks = {name: [] for name in runs}
    outputs = {name: folder / f"out-{photo.stem}-{i}.png" for i, name in enumerate(runs)}
    for name, argv in runs.items():  # untimed: compiled modules cached, the input file in the page cache
        run_once(argv(photo, outputs[name]), folder)
    for _ in range(repeat):
        for name, argv in runs.items():  # the tools take turns
            seconds, peak = run_once(argv(photo, outputs[name]), folder)
            times[name].append(seconds)
            peaks[name].append(peak)
    original = colorlab.load_image(photo)
    results = {}
    for name in runs:
        result = {"seconds": statistics.median(times[name]), "peak": max(peaks[name]), "bytes": None, "mse": None}
        if outputs[name].exists():
            with Image.open(outputs[name]) as written:
                decoded = np.asarray(written.convert("RGB"))
            result["bytes"] = outputs[name].stat().st_size
            result["mse"] = mse(original, decoded)
            result["colors"] = len(np.unique(decoded.reshape(-1, 3), axis=0))
        results[name] = result
    return results


def _ratio(value, base, digits=2) -> str:
    return "" if value is None or base is None else f"{value / base:.{digits}f}"


def table(rows: list[tuple[str, tuple, dict]]) -> list[str]:
    lines = ["| photo | size | run | wall s (median) | / pngquant | peak MB | / pngquant | file KB | / pngquant "
             "| MSE | / pngquant | colors |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for label, shape, results in rows:
        base = results.get("pngquant", {})
        size = f"{shape[1]} x {shape[0]} ({shape[0] * shape[1] / 1e6:.2f} MP)"
        for name, r in results.items():
            kilobytes = "" if r["bytes"] is None else f"{r['bytes'] / 1000:.0f}"
            error = "" if r["mse"] is None else f"{r['mse']:.1f}"
            cells = [label, size, name, f"{r['seconds']:.2f}", _ratio(r["seconds"], base.get("seconds")),
                     f"{r['peak']:.0f}", _ratio(r["peak"], base.get("peak"), 1), kilobytes,
                     _ratio(r["bytes"], base.get("bytes"), 3), error, _ratio(r["mse"], base.get("mse"), 3),
                     str(r.get("colors", ""))]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def targets(rows) -> list[str]:
    """The command line's targets, each checked where the run has what it needs."""
    lines = ["| target | photo | measured | met |", "| --- | --- | --- | --- |"]

    def add(target, label, measured, met):
        lines.append(f"| {target} | {label} | {measured} | {'yes' if met else '**no**'} |")

    for name, label, shape, results in rows:
        ours, theirs = results.get("colorlab"), results.get("pngquant")
        if ours and theirs and ours["bytes"] and theirs["bytes"]:
            time_ratio = ours["seconds"] / theirs["seconds"]
            if name == "0.4mp":
                add("wall time <= pngquant's at 0.4 MP", label, f"{ours['seconds']:.2f} s vs {theirs['seconds']:.2f} s "
                    f"({time_ratio:.2f}x)", time_ratio <= 1.0)
            if name == "12mp":
                add("wall time <= half of pngquant's at 12 MP", label, f"{ours['seconds']:.2f} s vs "
                    f"{theirs['seconds']:.2f} s ({time_ratio:.2f}x)", time_ratio <= 0.5)
            size_ratio = ours["bytes"] / theirs["bytes"]
            add("file <= 1.05x pngquant's", label, f"{ours['bytes'] / 1000:.0f} vs {theirs['bytes'] / 1000:.0f} KB "
                f"({size_ratio:.3f}x)", size_ratio <= 1.05)
            add("MSE <= pngquant's (--nofs)", label, f"{ours['mse']:.1f} vs {theirs['mse']:.1f}", ours["mse"] <= theirs["mse"])
        if ours and name == "12mp":
            bound = 3 * shape[0] * shape[1] * 3 / 2**20 + 100
            add("peak memory <= 3x decoded + 100 MB at 12 MP", label, f"{ours['peak']:.0f} MB (bound {bound:.0f} MB)",
                ours["peak"] <= bound)
        palette = results.get("colorlab palette -k 8")
        if palette and name == "0.4mp":
            add("`colorlab palette IN -k 8` < 0.5 s at 0.4 MP", label, f"{palette['seconds']:.2f} s", palette["seconds"] < 0.5)
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", default=",".join(PHOTOS), help=f"comma-separated, of {', '.join(PHOTOS)}")
    parser.add_argument("-k", type=int, default=16, help="number of colors (default 16)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of alternating runs; the median is shown")
    parser.add_argument("--compress", default="default",
                        help="colorlab's --compress settings to run, comma-separated (default: default)")
    parser.add_argument("--save", action="store_true", help=f"also write the tables to {RESULTS}/cli.md (replacing the last run's)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.gettempdir()) / "colorlab-bench-cli"
    folder.mkdir(exist_ok=True)
    runs = commands(args.k, args.compress.split(","))
    header = [f"# colorlab bench_cli, {date.today()}",
              "",
              f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.1f} at the start; k = {args.k}, median of {args.repeat} alternating rounds; "
              f"pngquant {_version(['pngquant', '--version'])}, {_version((imagemagick() or ['-'])[:1] + ['-version'])}, "
              f"Pillow {Image.__version__}, numpy {np.__version__}",
              ""]
    print("\n".join(header), flush=True)
    rows = []
    for name in args.photos.split(","):
        path, label = photo_file(name, folder)
        with Image.open(path) as picture:
            shape = picture.size[::-1]
        with tempfile.TemporaryDirectory(prefix="run-", dir=folder) as scratch:  # outputs of this run only
            results = measure(path, runs, args.repeat, Path(scratch))
        rows.append((name, label, shape, results))
        print(f"{label}: done", file=sys.stderr, flush=True)
    lines = table([(label, shape, results) for _, label, shape, results in rows])
    lines += ["", "Against the targets:", ""] + targets(rows)
    lines += ["", f"load average at the end: {os.getloadavg()[0]:.1f}"]
    print("\n".join(lines))
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / "cli.md"  # the latest run; git keeps the earlier ones
        out.write_text("\n".join(header + lines) + "\n")
        print(f"\nsaved to {out}", file=sys.stderr)


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "(not installed)" if argv[0] != "-" else "no ImageMagick"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0].replace("Version: ", "").split(" https")[0] if text else "(unknown)"


if __name__ == "__main__":
    main()
