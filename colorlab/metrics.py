"""Figures of merit for a quantized image. PLACEHOLDER."""

from __future__ import annotations

import numpy as np


def mse(original, quantized) -> float:
    d = np.asarray(original, np.float64) - np.asarray(quantized, np.float64)
    return float((d**2).sum(axis=-1).mean())


def psnr(original, quantized) -> float:
    m = mse(original, quantized)
    return float("inf") if m == 0 else float(10 * np.log10(3 * 255.0**2 / m))


def count_colors(image) -> int:
    p = np.asarray(image).reshape(-1, 3).astype(np.uint32)
    return int(np.unique((p[:, 0] << 16) | (p[:, 1] << 8) | p[:, 2]).size)
