"""Redrawing an image with the colors of a palette. PLACEHOLDER."""

from __future__ import annotations

import numpy as np
from scipy.cluster import vq

from .palette import Palette


def quantize(image, palette: Palette, *, return_labels: bool = False):
    image = np.asarray(image)
    pixels = image.reshape(-1, 3)
    labels, _ = vq.vq(pixels.astype(np.float64), palette.colors.astype(np.float64))
    out = palette.colors[labels].reshape(image.shape)
    if return_labels:
        return out, labels.reshape(image.shape[:-1])
    return out
