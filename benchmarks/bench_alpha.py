"""Half-transparent pictures at 256 colors: ``colorlab quantize IN -k 256 -o OUT.png`` against pngquant 3.

Usage::

    python benchmarks/bench_alpha.py [--repeat R] [--keep DIR]

Needs the ``bench`` extra (``pngquant-cli``, ``ssimulacra2``); butteraugli (Debian's binary) is used when installed.
The pictures are made here, so nothing is needed beside the checkout: a logo (shapes and a word drawn at 4x and
scaled down, so their edges are half-transparent, and a bar fading out), shapes with a soft drop shadow, words
in three colors on a transparent background, and two of the bundled photos cut out with a feathered ellipse
(half of their pixels half-transparent); with ``--large`` also a 12-megapixel photo cut out the same way.
``--keep DIR`` keeps them and the outputs.

Each picture is quantized, side by side and alternating, ``--repeat`` times each (the median time of the whole
process): by colorlab's command as a user types it (an indexed PNG whose entries have their own alpha), by
colorlab with ``--alpha-threshold 128`` (alpha cut to opaque or transparent, what an indexed PNG had before), by
``pngquant --nofs 256`` and by ``pngquant 256`` (dithered). A half-transparent picture looks different on each
page it is put on, so each output is judged drawn over black, over white and over a mid blue (sRGB blending, as
browsers do), against the source drawn the same way: SSIMULACRA2 (higher is better), butteraugli (lower is
better) and MSE, and the file size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

import colorlab
from _photos import big_photo
from bench_256 import _butteraugli, _mse, _timed, _tool  # the same runs and measures as the photo benchmark

BACKGROUNDS = {"black": (0, 0, 0), "white": (255, 255, 255), "blue": (40, 120, 200)}


def _font(size: int):
    return ImageFont.load_default(size=size)  # Pillow's own font: the same pictures on every machine


def logo() -> Image.Image:
    big = Image.new("RGBA", (1920, 960), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    draw.ellipse([160, 120, 880, 840], fill=(220, 60, 40, 255))
    draw.rounded_rectangle([720, 240, 1760, 720], radius=120, fill=(30, 110, 200, 255))
    draw.polygon([(1000, 800), (1200, 400), (1400, 800)], fill=(250, 200, 30, 255))
    draw.text((820, 380), "colorlab", font=_font(190), fill=(255, 255, 255, 255))
    rgba = np.asarray(big.resize((480, 240), Image.LANCZOS)).copy()
    rgba[200:230, :, :3] = (20, 160, 90)
    rgba[200:230, :, 3] = np.linspace(0, 200, 480).astype(np.uint8)  # a bar fading out
    return Image.fromarray(rgba, "RGBA")


def drop_shadow() -> Image.Image:
    shadow = Image.new("L", (400, 300), 0)
    ImageDraw.Draw(shadow).rounded_rectangle([70, 70, 350, 250], 25, fill=160)
    picture = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    picture.putalpha(shadow.filter(ImageFilter.GaussianBlur(12)))
    top = Image.new("RGBA", (1600, 1200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(top)
    draw.rounded_rectangle([200, 200, 1360, 920], 100, fill=(250, 250, 245, 255))
    draw.ellipse([320, 320, 720, 720], fill=(240, 120, 30, 255))
    return Image.alpha_composite(picture, top.resize((400, 300), Image.LANCZOS))


def words() -> Image.Image:
    big = Image.new("RGBA", (1200, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    for row, (text, color) in enumerate([("Quantize!", (200, 30, 60, 255)), ("256 colors", (20, 90, 200, 255)),
                                         ("alpha edges", (30, 140, 60, 255))]):
        draw.text((20, 10 + 125 * row), text, font=_font(90), fill=color)
    return big.resize((600, 200), Image.LANCZOS)


def cut_out(name: str) -> Image.Image:
    photo = Image.fromarray(big_photo(noisy=True) if name == "12mp" else colorlab.load_image(name))
    width, height = photo.size
    mask = Image.new("L", photo.size, 0)
    ImageDraw.Draw(mask).ellipse([width * 0.15, height * 0.1, width * 0.85, height * 0.9], fill=255)
    photo.putalpha(mask.filter(ImageFilter.GaussianBlur(max(width, height) / 30)))
    return photo


PICTURES = {"logo": logo, "drop_shadow": drop_shadow, "words": words,
            "coffee_cut_out": lambda: cut_out("coffee"), "rocket_cut_out": lambda: cut_out("rocket")}
#: With --large: the 12-megapixel noisy astronaut (benchmarks/_photos.py) cut out the same way.
LARGE = {"astronaut_12mp_cut_out": lambda: cut_out("12mp")}


def _rgba(path: Path) -> np.ndarray:
    with Image.open(path) as picture:
        return np.asarray(picture.convert("RGBA")).astype(np.float64)


def drawn_over(rgba: np.ndarray, background) -> np.ndarray:
    """What a browser shows: the color blended over the background by its alpha, in sRGB."""
    a = rgba[..., 3:4] / 255.0
    return np.clip(np.round(rgba[..., :3] * a + np.asarray(background, float) * (1 - a)), 0, 255).astype(np.uint8)


def quality(source: Path, output: Path, work: Path) -> dict:
    from ssimulacra2 import compute_ssimulacra2

    scores = {}
    for name, color in BACKGROUNDS.items():
        reference, result = work / f"ref_{name}.png", work / f"out_{name}.png"
        a, b = drawn_over(_rgba(source), color), drawn_over(_rgba(output), color)
        Image.fromarray(a).save(reference)
        Image.fromarray(b).save(result)
        scores[f"ssim2 {name}"] = float(compute_ssimulacra2(str(reference), str(result)))
        if shutil.which("butteraugli"):
            scores[f"butter {name}"] = _butteraugli(reference, result)
        scores[f"mse {name}"] = _mse(a, b)
    scores["KB"] = output.stat().st_size / 1024
    return scores


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs per picture (median)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the pictures and the outputs in this folder")
    parser.add_argument("--large", action="store_true", help="also a 12-megapixel photo cut out (slow to judge)")
    args = parser.parse_args(argv)
    pictures = {**PICTURES, **(LARGE if args.large else {})}
    colorlab_cli, pngquant = _tool("colorlab"), _tool("pngquant")
    load = os.getloadavg()
    print(f"# bench_alpha: {len(pictures)} pictures, repeat {args.repeat}, load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} cores (timings indicative only)")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        for name, make in pictures.items():
            source = work / f"{name}.png"
            make().save(source)
            alpha = _rgba(source)[..., 3]
            runs = {
                "colorlab": [colorlab_cli, "quantize", str(source), "-k", "256", "-o", str(work / f"{name}_colorlab.png")],
                "colorlab cut": [colorlab_cli, "quantize", str(source), "-k", "256", "--alpha-threshold", "128",
                                 "-o", str(work / f"{name}_colorlab_cut.png")],
                "pngquant --nofs": [pngquant, "--nofs", "--force", "-o", str(work / f"{name}_pngquant_nofs.png"), "256",
                                    str(source)],
                "pngquant": [pngquant, "--force", "-o", str(work / f"{name}_pngquant.png"), "256", str(source)],
            }
            times = {tool: [] for tool in runs}
            for _ in range(args.repeat):
                for tool, command in runs.items():
                    times[tool].append(_timed(command))
            for tool, command in runs.items():
                row = {"picture": name, "MP": alpha.size / 1e6,
                       "half-transparent": float(((alpha > 0) & (alpha < 255)).mean()), "tool": tool,
                       "ms": 1000 * statistics.median(times[tool])}
                row.update(quality(source, Path(command[-1] if tool.startswith("colorlab") else command[-3]), work))
                rows.append(row)
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |")
    print("|" + " --- |" * len(columns))
    for row in rows:
        print("| " + " | ".join(f"{value:.2f}" if isinstance(value, float) else str(value) for value in row.values()) + " |")
    print(f"\n# summary over {len(pictures)} pictures (load average after: {os.getloadavg()[0]:.2f})")
    by = {(row["picture"], row["tool"]): row for row in rows}
    for other in ("pngquant --nofs", "colorlab cut"):
        for background in BACKGROUNDS:
            key = f"ssim2 {background}"
            gaps = [by[(p, "colorlab")][key] - by[(p, other)][key] for p in pictures]
            print(f"SSIMULACRA2 over {background}: colorlab - {other} median {statistics.median(gaps):+.2f}, "
                  f"at or above on {sum(g >= 0 for g in gaps)}/{len(gaps)}, worst {min(gaps):+.2f}")
    ratios = [by[(p, "colorlab")]["ms"] / by[(p, "pngquant --nofs")]["ms"] for p in pictures]
    sizes = [by[(p, "colorlab")]["KB"] / by[(p, "pngquant --nofs")]["KB"] for p in pictures]
    print(f"whole process colorlab / pngquant --nofs: median {statistics.median(ratios):.2f}, worst {max(ratios):.2f}; "
          f"file size median {statistics.median(sizes):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
