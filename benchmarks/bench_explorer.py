"""The KERNEL-SIDE share of a k step in the explorer, without a browser.

This is not what a person feels: `benchmarks/bench_browser.py` times that, from the frames the browser
paints. Here only the kernel's part is timed, for both explorers:

- ``colorlab.explorer`` (the default): what the kernel does per setting: fit on the photo's color
  histogram, the displayed and sampled labels, the exact figures, and the message for the browser
  (``Session.result`` + ``result_message`` + the label bytes). The browser paints.
- ``colorlab.lessons.widgets`` (the matplotlib fallback): below.

For the fallback, it builds one explorer per photo size in this process (Agg backend), sets
``k_slider.value`` to k = 2..64 one after the other and times each update:
clustering, quantizing, statistics and drawing (the Agg explorer draws the
parts that change with k over a kept rendering of the rest, the original photo
and the 3D pixel cloud, and encodes the PNG it shows; with a canvas backend the
script forces a full ``fig.canvas.draw()``). Then it replays the last ks that fit in
the explorer's cache (``widgets.CACHE_SIZE``), so that pass is drawing only.

Photos: ``rocket`` (640x427, 0.27 MP) and ``retina`` resized to 1000x1000
(1.0 MP). The target: median below 150 ms at 1 megapixel.

Usage::

    python benchmarks/bench_explorer.py            # k = 2..64, both sizes
    python benchmarks/bench_explorer.py --ks 2 8 32 --sizes 0.3
"""

from __future__ import annotations

import argparse
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import colorlab  # noqa: E402
from colorlab.lessons import widgets  # noqa: E402
from colorlab.explorer import Key, Session  # noqa: E402
from colorlab.explorer.app import result_message  # noqa: E402


def time_session(image: np.ndarray, ks: list[int]) -> list[float]:
    """Seconds per k for the anywidget explorer's kernel side (the photo prepared beforehand)."""
    session = Session()
    session.add_image("photo", image)
    session.photo("photo")  # histogram, display sampling: once per photo
    times = []
    for k in ks:
        start = time.perf_counter()
        result = session.result(Key("photo", k))
        result_message(result)
        bytes(result.display_labels), bytes(result.scatter_labels)
        times.append(time.perf_counter() - start)
    return times


def photo(megapixels: str) -> np.ndarray:
    """The benchmark photo of a size: '0.3' -> rocket as is, '1' -> retina resized to 1000x1000."""
    if megapixels == "0.3":
        return colorlab.load_image("rocket")
    retina = Image.fromarray(colorlab.load_image("retina"))
    return np.asarray(retina.resize((1000, 1000), Image.Resampling.LANCZOS))


def time_updates(explorer: widgets.Explorer, ks: list[int]) -> list[float]:
    """Seconds per update, one per k: set the slider, then make sure the figure is drawn."""
    canvas_shown = explorer.figure_view is explorer.figure.canvas
    times = []
    for k in ks:
        start = time.perf_counter()
        explorer.k_slider.value = k
        if canvas_shown:
            explorer.figure.canvas.draw()
        times.append(time.perf_counter() - start)
        if explorer.message.value:
            raise RuntimeError(f"the explorer reported a problem at k={k}: {explorer.message.value}")
    return times


def summary(label: str, times: list[float]) -> str:
    ms = [1000 * t for t in times]
    return f"{label:<28} median {statistics.median(ms):7.1f} ms   worst {max(ms):7.1f} ms   (n={len(ms)})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ks", type=int, nargs="+", default=list(range(2, 65)), help="k values, in order")
    parser.add_argument("--sizes", nargs="+", default=["0.3", "1"], choices=["0.3", "1"], help="photo sizes in MP")
    args = parser.parse_args(argv)
    print(f"colorlab {colorlab.__version__}, matplotlib backend {matplotlib.get_backend()}, "
          f"k = {args.ks[0]}..{args.ks[-1]} ({len(args.ks)} values)")
    for size in args.sizes:
        image = photo(size)
        start_k = 1  # start away from every benchmarked k so the first update is a real one
        explorer = widgets.explorer(image, k=start_k)
        height, width = image.shape[:2]
        print(f"\n{size} MP photo ({width}x{height} = {width * height / 1e6:.2f} MP)")
        print(summary("explorer: kernel side", time_session(image, args.ks)))
        print(summary("fallback: compute + draw", time_updates(explorer, args.ks)))
        # the LRU keeps the last CACHE_SIZE results: replay those, newest first, so every one is a hit
        cached_ks = args.ks[-widgets.CACHE_SIZE:][::-1]
        computed = explorer.compute_count
        cached_times = time_updates(explorer, cached_ks)
        if explorer.compute_count != computed:
            raise RuntimeError("the cached pass computed results again; the cache is not working")
        print(summary("fallback: cached (draw)", cached_times))


if __name__ == "__main__":
    main()
