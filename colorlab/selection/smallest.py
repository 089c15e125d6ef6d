"""k chosen by quality: the smallest k whose redrawn image reaches a PSNR or a mean ΔE2000.

:func:`smallest_k` is what ``colorlab quantize IN -k auto --min-psnr 32`` (or ``--max-delta-e 3``)
runs. It counts the image's colors once (:func:`colorlab.color_histogram`) and converts them to
CIELAB once; each k it tries is one fit on that histogram and exact figures from it (no pixel is
redrawn), found by doubling k until the target is reached, then a binary search between the last
two: about 2 log2(k) fits, most of them at small, cheap k.

numpy only; no screen.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass


from ..cluster.fit import METHODS, fit_histogram, nearest_labels
from ..color.spaces import SPACES, to_space
from ..errors import ColorlabWarning, InvalidParameterError
from ..histogram import color_histogram
from ..metrics import ciede2000, histogram_mse, pixel_mean, psnr_from_mse, ssim
from ..palette.core import Palette
from ..util.checks import MAX_K, check_choice, check_k
from .sweep import SweepRow, sweep

__all__ = ["AutoK", "smallest_k", "NoKReachesError", "smallest_k_for_psnr"]


class NoKReachesError(InvalidParameterError):
    """No k up to the largest allowed reaches the quality asked for."""


@dataclass(frozen=True)
class AutoK:
    """The result of :func:`smallest_k`.

    Attributes
    ----------
    k : int
        The smallest k found that reaches the target(s).
    palette : Palette
        Its palette (exactly ``fit_palette(image, k, ...)`` with the same options).
    psnr : float
        PSNR of the redrawn image in dB (of the counted pixels, with a mask).
    delta_e : float
        Mean CIEDE2000 difference of the redrawn image.
    tried : dict
        Every k measured, with its (psnr, delta_e).
    ssim : float
        SSIM (:func:`colorlab.metrics.ssim`) of the redrawn image; NaN unless ``min_ssim`` was given.
    """

    k: int
    palette: Palette
    psnr: float
    delta_e: float
    tried: dict
    ssim: float = float("nan")


def _target(value, name: str, low: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value) or value < low:
        raise InvalidParameterError(f"{name} must be a number of at least {low:g}, got {value!r}")
    return float(value)


def smallest_k(image, *, min_psnr=None, max_delta_e=None, min_ssim=None, k_max: int = MAX_K, method: str = "kmeans", seed=0,
               space: str = "rgb", mask=None, fixed=None) -> AutoK:
    """The smallest k (1 to ``k_max``) whose palette redraws the image with at least ``min_psnr`` dB
    and/or a mean ΔE2000 of at most ``max_delta_e`` and/or an SSIM of at least ``min_ssim``.

    Doubling k from 1 until the target is reached, then a binary search below, assuming quality
    grows with k. k-means does not promise that, so what
    is guaranteed is: the k returned reaches the target and k - 1 does not (both measured with the
    same seed); a still smaller k could occasionally reach it too. k never goes above the number of
    distinct colors (plus the fixed ones), where the redraw is exact.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3), or ColorHistogram
    min_psnr : float, optional
        PSNR to reach, in dB (about 30 looks good on a photo; 40 is hard to tell apart).
    max_delta_e : float, optional
        Mean CIEDE2000 not to exceed (about 1 is hard to see; 3 is close).
    min_ssim : float, optional
        SSIM of the whole redrawn image (:func:`colorlab.metrics.ssim`, luma) to reach, at most 1
        (0.95 is close on a photo). Needs an (H, W, 3) image or its histogram, not a pixel list.
    k_max : int, default 256
    method, seed, space, mask, fixed
        As in :func:`colorlab.fit_palette`; the figures are those of the counted pixels.

    Returns
    -------
    AutoK

    Raises
    ------
    InvalidParameterError
        No target given, or a target that is not a number (PSNR >= 0, ΔE >= 0, SSIM <= 1).
    NoKReachesError
        When even ``k_max`` colors (or every distinct color) do not reach the target; the message
        gives the best figures reached.

    Examples
    --------
    >>> import colorlab
    >>> image = colorlab.load_image("coffee")[::4, ::4]
    >>> found = smallest_k(image, min_psnr=30)
    >>> found.k, found.psnr >= 30, len(found.palette) == found.k
    (18, True, True)
    >>> found.tried[found.k - 1][0] < 30
    True
    """
    min_psnr = _target(min_psnr, "min_psnr (dB)", 0.0)
    max_delta_e = _target(max_delta_e, "max_delta_e", 0.0)
    if min_ssim is not None and (isinstance(min_ssim, bool) or not isinstance(min_ssim, numbers.Real)
                                 or not -1 <= min_ssim <= 1):
        raise InvalidParameterError(f"min_ssim must be a number from -1 to 1 (1: identical), got {min_ssim!r}")
    if min_psnr is None and max_delta_e is None and min_ssim is None:
        raise InvalidParameterError("choosing k by quality needs a target: give min_psnr (dB), max_delta_e (mean ΔE2000) "
                                    "or min_ssim")
    k_max = check_k(k_max, "k_max")
    check_choice(method, METHODS, "method")
    check_choice(space, SPACES, "space")
    whole = color_histogram(image, mask=mask)
    if min_ssim is not None and len(whole.shape) != 3:
        raise InvalidParameterError("min_ssim measures an image's structure: give an (H, W, 3) image, not a list of pixels")
    histogram = whole.counted()
    n_fixed = 0 if fixed is None else len(fixed) if not isinstance(fixed, str) else 1
    lab = to_space(histogram.colors, "lab") if max_delta_e is not None else None
    measured: dict[int, tuple] = {}

    def measure(k: int):
        if k not in measured:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ColorlabWarning)
                palette, labels = fit_histogram(histogram, k, method=method, seed=seed, space=space, fixed=fixed)
            psnr = psnr_from_mse(histogram_mse(histogram, palette, labels))
            delta_e = float("nan")
            if lab is not None:
                differences = ciede2000(lab, to_space(palette.colors, "lab")[labels])
                delta_e = pixel_mean(differences, histogram.counts, histogram.n_pixels)
            similarity = float("nan")
            if min_ssim is not None:
                redrawn = whole.spread(palette.colors[nearest_labels(whole.colors, palette)])
                similarity = ssim(whole.image(), redrawn.reshape(whole.shape))
            measured[k] = (psnr, delta_e, palette, similarity)
        return measured[k]

    def reaches(k: int) -> bool:
        psnr, delta_e, _, similarity = measure(k)
        return (min_psnr is None or psnr >= min_psnr) and (max_delta_e is None or delta_e <= max_delta_e) \
            and (min_ssim is None or similarity >= min_ssim)

    low = max(1, n_fixed)
    highest = max(low, min(k_max, len(histogram.colors) + n_fixed))
    # gallop up (low, 2 low, 4 low, ...) before bisecting: targets are usually reached at small k,
    # whose fits are cheap, and the most expensive fit (k near 256) is then rarely needed
    high = low
    while high < highest and not reaches(high):
        low, high = high + 1, min(2 * high, highest)
    if not reaches(high):
        psnr, delta_e, _, similarity = measure(high)
        wanted = " and ".join(t for t in (
            f"a PSNR of {min_psnr:g} dB" if min_psnr is not None else "",
            f"a mean ΔE2000 of at most {max_delta_e:g}" if max_delta_e is not None else "",
            f"an SSIM of {min_ssim:g}" if min_ssim is not None else "") if t)
        reached = f"{psnr:.2f} dB" + (f", ΔE2000 {delta_e:.2f}" if max_delta_e is not None else "") \
            + (f", SSIM {similarity:.4f}" if min_ssim is not None else "")
        raise NoKReachesError(f"no k up to {high} reaches {wanted} (k = {high} gives {reached}); lower the target")
    low = min(low, high)
    while low < high:  # invariant: high reaches the target
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle + 1
    psnr, delta_e, palette, similarity = measure(high)
    return AutoK(high, palette, psnr, delta_e, {k: v[:2] for k, v in sorted(measured.items())}, similarity)


def smallest_k_for_psnr(image, target_psnr, *, k_max: int = 64, method: str = "kmeans", seed=0,
                        space: str = "rgb") -> SweepRow | None:
    """:func:`smallest_k` for a PSNR, as a :class:`~colorlab.selection.sweep.SweepRow`, or None when
    even ``k_max`` colors do not reach it.

    Deprecated: call :func:`smallest_k` (``min_psnr=``), which raises :class:`NoKReachesError` instead
    of returning None; this name goes in the next release.

    Examples
    --------
    >>> import numpy as np, warnings
    >>> image = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0]]], np.uint8)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FutureWarning)
    ...     smallest_k_for_psnr(image, 60).k, smallest_k_for_psnr(image, 60, k_max=2)
    (3, None)
    """
    warnings.warn("smallest_k_for_psnr is deprecated: call colorlab.selection.smallest_k(image, min_psnr=...)",
                  FutureWarning, stacklevel=2)
    try:
        found = smallest_k(image, min_psnr=target_psnr, k_max=k_max, method=method, seed=seed, space=space)
    except NoKReachesError:
        return None
    (row,) = sweep(image, [found.k], method=method, seed=seed, space=space, mode="exact")
    return row
