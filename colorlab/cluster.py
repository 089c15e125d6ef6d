"""Fitting a palette: cluster the pixels of an image into k colors. PLACEHOLDER."""

from __future__ import annotations

import numpy as np
from scipy.cluster import vq

from .images import as_pixels
from .palette import Palette

METHODS = ("kmeans", "kmeans2", "scipy")
SPACES = ("rgb",)


def fit_palette(image, k, *, method="kmeans", seed=0, space="rgb") -> Palette:
    pixels = as_pixels(image)
    data = pixels.astype(np.float64)
    if method == "scipy":
        centers, _ = vq.kmeans(data, k, seed=seed)
    else:
        centers, _ = vq.kmeans2(data, k, minit="++", seed=seed)
    colors = np.clip(np.rint(centers), 0, 255).astype(np.uint8)
    labels, _ = vq.vq(data, colors.astype(np.float64))
    counts = np.bincount(labels, minlength=len(colors))
    return Palette(colors, counts, method=method, space=space, params={"k": k, "seed": seed})
