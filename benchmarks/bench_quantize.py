"""colorlab's k-means next to its peers, in one process: time (fit + map the whole image), MSE, peak memory.

Run:  .venv/bin/python benchmarks/bench_quantize.py --quick
      .venv/bin/python benchmarks/bench_quantize.py --images kodim05,kodim23,rocket --ks 6,16,64 --big --repeat 3
      .venv/bin/python benchmarks/bench_quantize.py --images kodak,bundled --ks 4,8,16,32,64

"colorlab kmeans" is ``colorlab.reduce_colors(image, k)`` (fit and redraw in one call); "colorlab
fit_palette + quantize" is the same result from the two separate calls.

Peers come from the ``bench`` extra (scikit-learn, opencv-python-headless, imagequant); a missing
peer is reported as such. Images: the bundled photos by name (``bundled``: all six), Kodak photos (kodimNN; ``kodak``:
all 24) when ../shared/datasets/kodak is there, the same saved as JPEG (kodimNN-q75, kodimNN-q90: made here
in memory with Pillow, never written; ``kodak-jpeg``: all 48), camera-like JPEGs of the 11 Unsplash photos
(1920 x 1280) when ../shared/datasets/unsplash is there: sensor noise, then other encoders and settings
(``cam-PHOTO-VARIANT``, ``_photos.CAMERA_VARIANTS``: chroma subsampling 4:4:4, 4:2:2, 4:2:0, quality 75-95,
Pillow's IJG and Photoshop-like tables, OpenCV, cjpeg and ImageMagick when installed; made at benchmark time;
``camera-jpegs``: all), ``jpegs`` (the bundled JPEGs rocket, retina, hubble_deep_field, the 48 Kodak JPEGs and
the camera-like JPEGs), and with --big two 12-megapixel photos made by upscaling the bundled
"astronaut" (bicubic, 4096x3072): ``big12mp`` (smooth) and ``big12mp-noisy`` (plus Gaussian noise of sigma 2,
seed 0, like a camera's). Prints a markdown table; ratios are against scikit-learn KMeans(n_init=1) on all pixels.

--sweep times ``colorlab.sweep(image, 2..64)`` in each mode against one ``fit_palette(image, 64)``
(interleaved, median of --repeat rounds; the image, not a histogram, so both count the colors) and
compares the warm rows' MSE with the independent fits' (mode "exact"). A second table gives what any
sweep pays whose every row is ``fit_palette``'s palette or is checked against it: the engine's fit at
every k with the histogram and its levels computed once, and the fine stages alone (each k's Lloyd on
the distinct colors from its own start, which neither sharing nor a warm start can skip).

--stages prints instead where colorlab's time goes (per stage, median of --repeat runs): the histogram,
the color space, the engine's stages (colorlab._engine.kmeans marks them), the palette and the redraw.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import time
import tracemalloc
from datetime import date

import numpy as np
from PIL import Image

import colorlab
from _photos import CAMERA_VARIANTS, KODAK, big_photo, camera_jpeg, camera_jpeg_names
from colorlab.metrics import mse


def colorlab_kmeans(image, k):
    return colorlab.reduce_colors(image, k)[0]


def colorlab_two_calls(image, k):
    return colorlab.quantize(image, colorlab.fit_palette(image, k))


def blog_scipy(image, k):
    return colorlab.quantize(image, colorlab.fit_palette(image, k, method="scipy"))


def sklearn_kmeans(image, k):
    from sklearn.cluster import KMeans

    pixels = image.reshape(-1, 3).astype(np.float32)
    model = KMeans(n_clusters=k, n_init=1, random_state=0).fit(pixels)
    return _rounded(model.cluster_centers_)[model.labels_].reshape(image.shape)


def sklearn_gallery(image, k):
    from sklearn.cluster import KMeans

    pixels = image.reshape(-1, 3).astype(np.float32)
    sample = pixels[np.random.default_rng(0).choice(len(pixels), min(1000, len(pixels)), replace=False)]
    model = KMeans(n_clusters=k, n_init=1, random_state=0).fit(sample)
    return _rounded(model.cluster_centers_)[model.predict(pixels)].reshape(image.shape)


def sklearn_minibatch(image, k):
    from sklearn.cluster import MiniBatchKMeans

    pixels = image.reshape(-1, 3).astype(np.float32)
    model = MiniBatchKMeans(n_clusters=k, n_init=1, random_state=0).fit(pixels)
    return _rounded(model.cluster_centers_)[model.predict(pixels)].reshape(image.shape)


def opencv_kmeans(image, k):
    import cv2

    cv2.setRNGSeed(0)
    pixels = image.reshape(-1, 3).astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 100, 0.1)
    _, labels, centers = cv2.kmeans(pixels, k, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
    return _rounded(centers)[labels.ravel()].reshape(image.shape)


def pillow(method):
    def run(image, k):
        out = Image.fromarray(image).quantize(colors=k, method=method, dither=Image.Dither.NONE)
        return np.asarray(out.convert("RGB"))

    return run


def libimagequant(image, k):
    import imagequant

    out = imagequant.quantize_pil_image(Image.fromarray(image).convert("RGBA"), dithering_level=0.0, max_colors=k)
    return np.asarray(out.convert("RGB"))


def _rounded(centers):
    return np.clip(np.rint(centers), 0, 255).astype(np.uint8)


PEERS = {
    "colorlab kmeans": colorlab_kmeans,
    "colorlab fit_palette + quantize": colorlab_two_calls,
    "scikit-learn KMeans": sklearn_kmeans,
    "sklearn gallery (1000 px)": sklearn_gallery,
    "MiniBatchKMeans": sklearn_minibatch,
    "OpenCV kmeans": opencv_kmeans,
    "Pillow median cut": pillow(Image.Quantize.MEDIANCUT),
    "Pillow fast octree": pillow(Image.Quantize.FASTOCTREE),
    "libimagequant": libimagequant,
    "blog scipy kmeans": blog_scipy,
}


BUNDLED_JPEGS = ["rocket", "retina", "hubble_deep_field"]


def as_jpeg(image, quality):
    """The image after a round trip through a JPEG file of this quality (Pillow's default 4:2:0 chroma)."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"))


def load(name):
    if name.startswith("kodim"):
        base, _, quality = name.partition("-q")
        path = KODAK / f"{base}.png"
        if not path.exists():
            return None
        image = colorlab.load_image(path)
        return as_jpeg(image, int(quality)) if quality else image
    if name.startswith("cam-"):
        return camera_jpeg(name)
    if name.startswith("big12mp"):
        return big_photo(noisy=name == "big12mp-noisy")
    return colorlab.load_image(name)


def _image_names(text):
    names = []
    for name in text.split(","):
        if name == "kodak":
            names += [f"kodim{i:02d}" for i in range(1, 25)]
        elif name == "kodak-jpeg":
            names += [f"kodim{i:02d}-q{q}" for i in range(1, 25) for q in (75, 90)]
        elif name == "camera-jpegs":
            names += camera_jpeg_names()
        elif name == "jpegs":
            names += BUNDLED_JPEGS + [f"kodim{i:02d}-q{q}" for i in range(1, 25) for q in (75, 90)] + camera_jpeg_names()
        elif name == "bundled":
            names += list(colorlab.samples())
        elif name and name != "none":
            names.append(name)
    return names


def measure(run, image, k, memory):
    """(seconds, output, peak bytes or None). Timing and memory are measured in separate runs."""
    start = time.perf_counter()
    out = run(image, k)
    seconds = time.perf_counter() - start
    peak = None
    if memory:
        tracemalloc.start()
        run(image, k)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return seconds, out, peak


def stage_times(image, k):
    """Seconds per stage of ``reduce_colors(image, k)``, done step by step as it does them."""
    from colorlab.cluster import _centers
    from colorlab._engine import kmeans as _kmeans
    from colorlab.color.spaces import to_space

    times = {}
    start = time.perf_counter()
    histogram = colorlab.color_histogram(image)
    times["histogram"] = time.perf_counter() - start
    start = time.perf_counter()
    coords = to_space(histogram.colors, "rgb")
    times["to_space"] = time.perf_counter() - start
    _kmeans._stage_clock = [times, time.perf_counter()]
    try:
        centers = _kmeans.fit_centers(histogram.colors, coords, histogram.counts, k, np.random.default_rng(0),
                                      whole=True)  # as fit_histogram does in RGB
    finally:
        _kmeans._stage_clock = None
    start = time.perf_counter()
    palette, labels = _centers.palette_from_centers(centers, histogram.colors, coords, histogram.counts, k,
                                                    method="kmeans", space="rgb", params={}, with_labels=True)
    times["palette"] = time.perf_counter() - start
    start = time.perf_counter()
    histogram.spread(palette.colors[labels])  # as reduce_colors redraws
    times["redraw"] = time.perf_counter() - start
    return times, len(histogram)


STAGES = ["histogram", "to_space", "other", "levels", "starts", "large levels", "bounds", "fine", "palette", "redraw"]


def print_stages(names, ks, repeat):
    print("| image | colors | k | " + " | ".join(STAGES) + " | total ms |")
    print("| --- | --- | --- | " + " | ".join("---" for _ in STAGES) + " | --- |")
    for name in names:
        image = load(name)
        if image is None:
            print(f"| {name} | (skipped: Kodak photos not found) |")
            continue
        for k in ks:
            runs = [stage_times(image, k) for _ in range(repeat)]
            n_colors = runs[0][1]
            medians = {stage: statistics.median(run[0].get(stage, 0.0) for run in runs) for stage in STAGES}
            cells = " | ".join(f"{1e3 * medians[stage]:.1f}" for stage in STAGES)
            print(f"| {name} | {n_colors:,} | {k} | {cells} | {1e3 * sum(medians.values()):.0f} |", flush=True)


def print_sweeps(names, repeat):
    ks = list(range(2, 65))
    runs = {
        "fit_palette k=64": lambda image: colorlab.fit_palette(image, 64),
        "sweep warm": lambda image: colorlab.sweep(image, ks),
        "sweep warm, no dE": lambda image: colorlab.sweep(image, ks, delta_e=False),
        "sweep exact": lambda image: colorlab.sweep(image, ks, mode="exact"),
        "sweep best": lambda image: colorlab.sweep(image, ks, mode="best"),
    }
    print("| image | colors | fit k=64 ms | " + " | ".join(f"{name} / fit" for name in list(runs)[1:])
          + " | warm MSE / exact: median | worst (k) | k worse by > 1% | warm rows | best MSE / exact: worst |")
    print("| --- " * (len(runs) + 7) + "|")
    for name in names:
        image = load(name)
        if image is None:
            print(f"| {name} | (skipped: Kodak photos not found) |")
            continue
        times, rows = {run: [] for run in runs}, {}
        for _ in range(repeat):
            for run, call in runs.items():
                start = time.perf_counter()
                rows[run] = call(image)
                times[run].append(time.perf_counter() - start)
        base = statistics.median(times["fit_palette k=64"])
        exact = np.array([row.mse for row in rows["sweep exact"]])
        warm = np.array([row.mse for row in rows["sweep warm"]]) / exact
        best = np.array([row.mse for row in rows["sweep best"]]) / exact
        cells = " | ".join(f"{statistics.median(times[run]) / base:.1f}" for run in list(runs)[1:])
        print(f"| {name} | {len(colorlab.color_histogram(image)):,} | {1e3 * base:.0f} | {cells} | {np.median(warm):.4f} "
              f"| {warm.max():.4f} ({ks[int(warm.argmax())]}) | {int((warm > 1.01).sum())} "
              f"| {sum(row.warm for row in rows['sweep warm'])} | {best.max():.4f} |", flush=True)


def print_sweep_floor(names, repeat):
    """Per image: one fit_palette(image, 64) against the engine's fit at every k = 2..64 sharing the
    histogram and levels, and the part of that spent in the fine stages (stage marks)."""
    from colorlab._engine import kmeans as _kmeans
    from colorlab._engine import random as _random

    print("\n| image | colors | fit k=64 ms | every k's fit, shared histogram and levels / fit | their fine stages / fit |")
    print("| --- | --- | --- | --- | --- |")
    for name in names:
        image = load(name)
        if image is None:
            continue
        histogram = colorlab.color_histogram(image)
        coords, weights = histogram.colors.astype(np.float64), histogram.counts.astype(np.float64)
        levels = _kmeans.histogram_levels(histogram.colors, coords, weights)
        one, every, fine = [], [], []
        for _ in range(repeat):
            start = time.perf_counter()
            colorlab.fit_palette(image, 64)
            one.append(time.perf_counter() - start)
            stages = {}
            start = time.perf_counter()
            _kmeans._stage_clock = [stages, start]
            try:
                for k in range(2, 65):
                    _kmeans.fit_centers(histogram.colors, coords, weights, k, _random.generator(0), levels=levels,
                                        whole=True)
            finally:
                _kmeans._stage_clock = None
            every.append(time.perf_counter() - start)
            fine.append(stages.get("bounds", 0.0) + stages.get("fine", 0.0))
        base = statistics.median(one)
        print(f"| {name} | {len(histogram):,} | {1e3 * base:.0f} | {statistics.median(every) / base:.1f} "
              f"| {statistics.median(fine) / base:.1f} |", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", default="kodim05,kodim23,rocket",
                        help="comma-separated names or groups (bundled, kodak, kodak-jpeg, camera-jpegs, jpegs); a camera "
                             f"JPEG is cam-PHOTO-VARIANT, VARIANT one of {', '.join(CAMERA_VARIANTS)}")
    parser.add_argument("--ks", default="6,16,64", help="comma-separated k values")
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated peer names")
    parser.add_argument("--big", action="store_true", help="also a 12-megapixel upscaled photo at k=16")
    parser.add_argument("--memory", action="store_true", help="measure peak memory (tracemalloc; runs twice)")
    parser.add_argument("--scipy-cap", type=float, default=100_000, help="run the blog's scipy only up to this many pixels x k / 16")
    parser.add_argument("--repeat", type=int, default=1, help="timing rounds (interleaved); the median is shown")
    parser.add_argument("--quick", action="store_true", help="kodim05 and rocket at k=16 only")
    parser.add_argument("--stages", action="store_true", help="colorlab's time per stage instead of the peers")
    parser.add_argument("--sweep", action="store_true", help="colorlab.sweep over k = 2..64 against one k=64 fit")
    args = parser.parse_args(argv)
    names = ["kodim05", "rocket"] if args.quick else _image_names(args.images)
    ks = [16] if args.quick else [int(k) for k in args.ks.split(",")]
    big = ["big12mp", "big12mp-noisy"] if args.big else []
    if args.sweep:
        print(f"# colorlab sweep, {date.today()}, load average {os.getloadavg()[0]:.1f}\n")
        colorlab.sweep(colorlab.load_image("coffee"), [2, 9, 12])  # first call (loads the engine), untimed
        print_sweeps(names + big, args.repeat)
        print_sweep_floor(names + big, args.repeat)
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
        return
    if args.stages:
        print(f"# colorlab stages, {date.today()}, load average {os.getloadavg()[0]:.1f}\n")
        stage_times(colorlab.load_image("rocket")[:64, :64], 4)  # first call (loads the engine), untimed
        print_stages(names, ks, args.repeat)
        if big:
            print_stages(big, [16], args.repeat)
        return
    jobs = [(n, k) for n in names for k in ks] + [(n, 16) for n in big]
    peers = [p for p in PEERS if p in args.peers.split(",")]
    print(f"# colorlab bench_quantize, {date.today()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, numpy {np.__version__}\n")
    if "colorlab kmeans" in peers:
        # the first call pays for the first use of the engine's pages and the thread pool; reported, kept out
        start = time.perf_counter()
        colorlab_kmeans(colorlab.load_image("rocket")[:64, :64], 4)
        print(f"colorlab first call: {time.perf_counter() - start:.2f} s\n")
    print("| image | k | peer | time ms | time / sklearn | MSE | MSE / sklearn | peak MB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    ratios = {}
    for name, k in jobs:
        image = load(name)
        if image is None:
            print(f"| {name} | {k} | (skipped: its photo is not in ../shared/datasets) | | | | | |")
            continue
        order = ["scikit-learn KMeans"] + [p for p in peers if p != "scikit-learn KMeans"]
        n_pixels = image.shape[0] * image.shape[1]
        order = [p for p in order if not (p == "blog scipy kmeans" and n_pixels * k / 16 > args.scipy_cap)]
        results, missing = {}, {}
        for repeat in range(args.repeat):  # interleaved: every peer once per round, median over rounds
            for peer in order:
                if peer in missing:
                    continue
                try:
                    seconds, out, peak = measure(PEERS[peer], image, k, args.memory and repeat == 0)
                except ImportError as err:
                    missing[peer] = err.name
                    continue
                times, _, _ = results.setdefault(peer, ([], out, peak))
                times.append(seconds)
        for peer, name_missing in missing.items():
            print(f"| {name} | {k} | {peer} | not installed ({name_missing}) | | | | |")
        base_time = statistics.median(results["scikit-learn KMeans"][0])
        base_error = mse(image, results["scikit-learn KMeans"][1])
        for peer, (times, out, peak) in results.items():
            seconds, error = statistics.median(times), mse(image, out)
            t_ratio, e_ratio = seconds / base_time, error / base_error
            ratios.setdefault((peer, k, "all"), []).append((t_ratio, e_ratio))
            if name.startswith("cam-"):
                ratios.setdefault((peer, k, "camera JPEGs"), []).append((t_ratio, e_ratio))
            peak_text = f"{peak / 1e6:.0f}" if peak is not None else ""
            print(f"| {name} | {k} | {peer} | {1e3 * seconds:,.0f} | {t_ratio:.3f} | {error:.1f} | {e_ratio:.3f} | {peak_text} |",
                  flush=True)
    print("\n| peer | k | images | median time / sklearn | worst time / sklearn | median MSE / sklearn | worst MSE / sklearn |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for (peer, k, group), values in sorted(ratios.items(), key=lambda item: (item[0][1], item[0][0], item[0][2])):
        times, errors = zip(*values)
        print(f"| {peer} | {k} | {len(values)} {group} | {statistics.median(times):.3f} | {max(times):.3f} "
              f"| {statistics.median(errors):.3f} | {max(errors):.3f} |")


if __name__ == "__main__":
    main()
