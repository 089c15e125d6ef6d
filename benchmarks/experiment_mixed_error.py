"""An experiment for the 256-color MSE target: fit on OKLab's error and RGB's at once, against pngquant --nofs.

Not a feature of the package. Each photo's colorlab palette (``wu-kmeans`` in OKLab, what ``colorlab quantize -k
256`` uses) starts a k-means on six coordinates, OKLab x 100 and sqrt(lam) x RGB (0..255), so that a color's
error is its squared OKLab distance plus lam times its squared RGB distance: scikit-learn's ``KMeans`` on the
distinct colors weighted by their pixel counts, 30 iterations. Each palette color is the rounded RGB mean of its
cluster, and every color is mapped to the palette color of least mixed error. Printed per photo and lam:
SSIMULACRA2 difference to ``pngquant --nofs 256`` and MSE / pngquant's (lam 0 is colorlab's own output).

Needs the ``bench`` extra (scikit-learn, pngquant-cli, ssimulacra2). Results: benchmarks/results/256.md.

    python benchmarks/experiment_mixed_error.py --photos cq100/chicken_dish,kodak/kodim02 --lams 30,60,100
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

import colorlab
from colorlab.color.spaces import to_space
from colorlab.histogram import color_histogram

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_256 import SETS, _datasets, _mse, _tool  # noqa: E402

ITERATIONS = 30


def _nearest(points: np.ndarray, palette: np.ndarray) -> np.ndarray:
    labels = np.empty(len(points), np.intp)
    squares = (palette * palette).sum(axis=1)
    for start in range(0, len(points), 20_000):  # n x k distances in blocks
        block = points[start:start + 20_000]
        labels[start:start + 20_000] = np.argmin(squares[None] - 2 * np.einsum("nd,kd->nk", block, palette), axis=1)
    return labels


def mixed_fit(image: np.ndarray, lam: float):
    """(palette (k, 3) uint8, label of each distinct color, histogram) of the mixed-error fit."""
    from sklearn.cluster import KMeans

    histogram = color_histogram(image)
    rgb, weights = histogram.colors.astype(float), histogram.counts.astype(float)
    oklab = to_space(histogram.colors, "oklab") * 100
    start = colorlab.fit_palette(image, 256, method="wu-kmeans", space="oklab")
    labels = _nearest(oklab, to_space(start.colors, "oklab") * 100)
    scale = np.sqrt(lam)
    points = np.hstack([oklab, scale * rgb])
    used = np.unique(labels)
    seeds = np.array([np.average(points[labels == j], axis=0, weights=weights[labels == j]) for j in used])
    fitted = KMeans(len(seeds), init=seeds, n_init=1, max_iter=ITERATIONS, tol=1e-7).fit(points, sample_weight=weights)
    palette = np.clip(np.round(fitted.cluster_centers_[:, 3:] / scale), 0, 255).astype(np.uint8)
    coordinates = np.hstack([to_space(palette, "oklab") * 100, scale * palette.astype(float)])
    return palette, _nearest(points, coordinates), histogram


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", required=True, help="set/name,... (sets: kodak, cq100, unsplash)")
    parser.add_argument("--lams", default="30,60,100")
    parser.add_argument("--datasets", default=None)
    args = parser.parse_args(argv)
    from ssimulacra2 import compute_ssimulacra2

    root, lams = _datasets(args.datasets), [float(lam) for lam in args.lams.split(",")]
    pngquant = _tool("pngquant")
    print("photo | " + " | ".join(f"lam {lam:g}: SSIM2 diff / MSE ratio" for lam in [0.0] + lams))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for label in args.photos.split(","):
            group, name = label.split("/")
            path = next(p for p in (root / SETS[group]).iterdir() if p.stem == name)
            image = colorlab.load_image(str(path))
            reference, theirs, ours = work / "reference.png", work / "pngquant.png", work / "colorlab.png"
            Image.fromarray(image).save(reference)
            subprocess.run([pngquant, "--nofs", "--force", "-o", str(theirs), "256", str(reference)], check=True)
            their_s2 = compute_ssimulacra2(str(reference), str(theirs))
            their_mse = _mse(image, np.asarray(Image.open(theirs).convert("RGB")))
            cells = []
            for lam in [0.0] + lams:
                if lam == 0.0:
                    output = colorlab.reduce_colors(image, 256, method="wu-kmeans", space="oklab")[0]
                else:
                    palette, labels, histogram = mixed_fit(image, lam)
                    output = histogram.spread(palette[labels])
                Image.fromarray(output).save(ours, compress_level=1)
                cells.append(f"{compute_ssimulacra2(str(reference), str(ours)) - their_s2:+.2f} / "
                             f"{_mse(image, output) / their_mse:.3f}")
            print(f"{label} | " + " | ".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
