"""Fitting a palette: cluster the pixels of an image into k colors.

:func:`fit_palette` is the one entry point. Its methods (:data:`METHODS`):

``"kmeans"`` (the default)
    colorlab's own engine (``colorlab._engine.kmeans``): k-means over *all* pixels, computed on the
    distinct colors weighted by their pixel counts, converged on coarse color histograms from the
    best of several k-means++ starts, then refined by exact Lloyd iterations. Seeded, fast.
``"kmeans2"``
    ``scipy.cluster.vq.kmeans2(pixels, k, minit="++", seed=seed)`` on every pixel (10 iterations).
``"scipy"``
    exactly the 2012 blog post: ``scipy.cluster.vq.kmeans`` then ``vq`` on every pixel. Slow on
    big photos, kept for teaching.
``"agglomerative"``
    Ward's hierarchical clustering of the weighted distinct colors (``colorlab.cluster.ward``), cut
    at k clusters; the palette is the weighted mean of each cluster. Deterministic.
``"wu-kmeans"``
    Wu's variance-minimizing box cuts on a coarse (5 bits per channel) histogram, then a few weighted
    Lloyd iterations with Hamerly's bounds on the distinct colors (``colorlab.cluster.wu``): not a
    converged k-means, but close, and fast at large k. With ``space="oklab"`` it is the perceptual
    256-color path the command line uses by default. Deterministic.
``"median-cut"``
    Heckbert's median cut (``colorlab.cluster.mediancut``): split the box with the largest range at the
    weighted median until there are k boxes; the palette is their weighted means. Deterministic.
``"pillow-median-cut"``, ``"pillow-max-coverage"``, ``"pillow-octree"``
    Pillow's ``Image.quantize`` with ``Quantize.MEDIANCUT``, ``MAXCOVERAGE`` or ``FASTOCTREE``.
    Pillow always works in RGB and ignores ``seed``; ``space`` then only sets how pixels are
    counted (and how :func:`colorlab.quantize` assigns them).
``"libimagequant"``
    Pillow's ``Quantize.LIBIMAGEQUANT``; listed only when Pillow was built with libimagequant
    (``PIL.features.check("libimagequant")``).

Every method hands its centers to the same last step: round them to sRGB uint8, make them k
distinct colors, count the pixels :func:`colorlab.quantize` maps to each. So the palette holds
exactly k distinct colors whenever the image has at least k distinct colors; an image with fewer
gets a palette of exactly its colors and a warning.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._engine import kernels as _kernels
from .._engine import kmeans as _kmeans
from .._engine import random as _random
from . import wu
from ._centers import palette_from_centers
from ..color.spaces import SPACES, to_space
from ..errors import ColorlabWarning, InvalidParameterError
from ..histogram import ColorHistogram, color_histogram
from ..palette.core import Palette
from ..util.checks import MAX_K, check_choice, check_k, check_seed

__all__ = ["METHODS", "SEEDED_METHODS", "SLOW_METHODS", "SPACES", "MAX_K", "fit_palette", "fit_histogram", "nearest_labels"]


def _pillow_has_libimagequant() -> bool:
    """Whether Pillow was built with libimagequant: the flag ``PIL.features.check("libimagequant")`` reads, read
    from Pillow's compiled core, without importing ``PIL.Image`` (with ``PIL.features``, about 20 ms of a
    command that never clusters with Pillow)."""
    try:
        from PIL import _imaging
    except ImportError:  # pragma: no cover - Pillow always has its core; the check below then words it
        from PIL import features

        return bool(features.check("libimagequant"))
    return bool(getattr(_imaging, "HAVE_LIBIMAGEQUANT", False))


#: Pillow's quantizers by method name, as the names of ``PIL.Image.Quantize`` members (libimagequant only
#: when Pillow was built with it); Pillow is imported when one of them is used.
_PILLOW_METHODS = {
    "pillow-median-cut": "MEDIANCUT",
    "pillow-max-coverage": "MAXCOVERAGE",
    "pillow-octree": "FASTOCTREE",
}
if _pillow_has_libimagequant():
    _PILLOW_METHODS["libimagequant"] = "LIBIMAGEQUANT"
#: The clustering methods :func:`fit_palette` knows.
METHODS = ("kmeans", "kmeans2", "scipy", "agglomerative", "median-cut", "wu-kmeans", *_PILLOW_METHODS)
#: Methods whose result depends on ``seed`` (the others are deterministic and only record it).
SEEDED_METHODS = ("kmeans", "kmeans2", "scipy")
#: Methods that cluster every pixel (not the distinct colors): seconds to minutes on a megapixel photo.
SLOW_METHODS = ("kmeans2", "scipy")


def fit_palette(image, k, *, method: str = "kmeans", seed=0, space: str = "rgb", mask=None, fixed=None) -> Palette:
    """Find the k colors that best represent an image (k-means clustering of its pixels).

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3), or ColorHistogram
        An RGB image or its pixels, or its :func:`colorlab.color_histogram` (the same result; pass
        the histogram when fitting the same image many times).
    k : int
        Number of colors, a whole number from 1 to :data:`MAX_K` (256).
    method : str, default "kmeans"
        One of :data:`METHODS` (details in the module docstring):

        - ``"kmeans"``: colorlab's fast exact k-means on the weighted distinct colors.
        - ``"kmeans2"``: ``scipy.cluster.vq.kmeans2`` with k-means++ starts on every pixel.
        - ``"scipy"``: the blog's ``vq.kmeans`` on every pixel (slow). ``vq.kmeans`` only accepts
          floating-point data, so the pixels are converted to float first (the fix for the blog
          readers' ``TypeError: type other than float or double not supported``).
        - ``"agglomerative"``: Ward's hierarchical clustering, cut at k (``colorlab.cluster.ward``).
        - ``"median-cut"``: Heckbert's median cut (``colorlab.cluster.mediancut``).
        - ``"wu-kmeans"``: Wu's box cuts, then a few Lloyd iterations (``colorlab.cluster.wu``); with
          ``space="oklab"``, the command line's perceptual default. Deterministic.
        - ``"pillow-median-cut"``, ``"pillow-max-coverage"``, ``"pillow-octree"``: Pillow's
          ``Image.quantize`` methods (RGB only, no seed).
        - ``"libimagequant"``: only when Pillow was built with it.
    seed : int, default 0
        Seed of the random generator; the same seed gives the same palette.
    space : {"rgb", "lab", "oklab"}, default "rgb"
        Color space the clustering measures distances in; the palette colors are sRGB either way.
    mask : array_like of bool, shape (H, W) (or (N,) for pixels), optional
        Only the pixels where ``mask`` is True are clustered and counted (e.g. ``alpha >= 128`` for
        a logo, or everything but a white backdrop); see :func:`colorlab.color_histogram`. The
        other pixels still get their nearest palette color from :func:`colorlab.quantize`.
    fixed : list of colors, optional
        Colors that must be in the palette exactly (``"#rrggbb"`` strings or (r, g, b) triples);
        they count toward k and the other k - m colors are fitted around them by k-means with
        locked centers (:mod:`colorlab.cluster.locked`). Only with ``method="kmeans"``.

    Returns
    -------
    Palette
        k sRGB colors (uint8), most used first; ``counts`` are the pixels :func:`colorlab.quantize`
        maps to each color (the counted pixels only, with ``mask``); ``params`` holds ``k`` and
        ``seed`` (and ``fixed``).

    Raises
    ------
    InvalidParameterError
        If k, method or space is invalid; if ``mask`` is not a boolean array of the image's size
        or counts no pixel; if a fixed color is not a color, or there are more than k of them.
    InvalidImageError
        If ``image`` is not an (H, W, 3) or (N, 3) uint8 array.

    Warns
    -----
    ColorlabWarning
        If the image has fewer than k distinct colors (the palette then holds exactly those).

    Examples
    --------
    >>> import numpy as np
    >>> pixels = np.array([[0, 0, 0]] * 5 + [[250, 250, 250]] * 3 + [[240, 255, 250]], np.uint8)
    >>> palette = fit_palette(pixels, 2)
    >>> palette.to_hex(), palette.counts.tolist()
    (['#000000', '#f8fbfa'], [5, 4])
    >>> fit_palette(pixels, 2, mask=np.arange(9) >= 5).to_hex()  # the black pixels are not counted
    ['#fafafa', '#f0fffa']
    >>> fit_palette(pixels, 2, fixed=["#ff0000"]).to_hex()
    ['#ff0000', '#f8fbfa']
    """
    check_k(k)
    check_choice(method, METHODS, "method")
    check_choice(space, SPACES, "space")
    return fit_histogram(color_histogram(image, mask=mask), k, method=method, seed=seed, space=space, fixed=fixed)[0]


def fit_histogram(histogram: ColorHistogram, k, *, method: str = "kmeans", seed=0, space: str = "rgb", fixed=None):
    """Fit a palette to a color histogram and label its colors: what :func:`fit_palette` and
    :func:`colorlab.reduce_colors` both do.

    Parameters
    ----------
    histogram : ColorHistogram
        From :func:`colorlab.color_histogram`.
    k, method, seed, space, fixed
        As in :func:`fit_palette`. A histogram made with a ``mask`` is fitted on its counted pixels.

    Returns
    -------
    palette : Palette
        Exactly ``fit_palette(image, k, method=method, seed=seed, space=space)``.
    labels : ndarray of int64, shape (n,)
        For each of ``histogram.colors``, the index of the palette color :func:`colorlab.quantize`
        gives it (its nearest in ``space``, ties to the color listed first).

    Examples
    --------
    >>> from colorlab import color_histogram
    >>> pixels = np.array([[0, 0, 0]] * 5 + [[250, 250, 250]] * 3 + [[240, 255, 250]], np.uint8)
    >>> palette, labels = fit_histogram(color_histogram(pixels), 2)
    >>> palette.to_hex(), labels.tolist()
    (['#000000', '#f8fbfa'], [0, 1, 1])
    """
    k = check_k(k)
    method = check_choice(method, METHODS, "method")
    space = check_choice(space, SPACES, "space")
    seed = check_seed(seed)
    if not isinstance(histogram, ColorHistogram):
        raise InvalidParameterError(
            f"histogram must be a colorlab.ColorHistogram (from colorlab.color_histogram), got {type(histogram).__name__}"
        )
    if histogram.mask is not None:
        # fit the counted pixels only; every color of the image (also the uncounted ones) gets its nearest
        palette, _ = fit_histogram(histogram.counted(), k, method=method, seed=seed, space=space, fixed=fixed)
        return palette, nearest_labels(histogram.colors, palette)
    if fixed is not None:
        from .locked import fit_locked_histogram

        if method != "kmeans":
            raise InvalidParameterError(f"fixed colors work with method 'kmeans' only, got method {method!r}; "
                                        "leave out the method or the fixed colors")
        return fit_locked_histogram(histogram, k, fixed, seed=seed, space=space, method=method)
    colors, counts = histogram.colors, histogram.counts
    params = {"k": k, "seed": seed}
    if len(colors) <= k:
        if len(colors) < k:
            warnings.warn(
                f"the image has only {len(colors)} distinct colors, fewer than k={k}; the palette holds exactly those",
                ColorlabWarning,
                stacklevel=3,
            )
        palette = Palette(colors, counts, method=method, space=space, params=params)
        return palette, nearest_labels(colors, palette)
    coords = histogram.coordinates(space)
    if method == "kmeans":
        centers = _kmeans.fit_centers(colors, coords, counts, k, _random.generator(seed), whole=space == "rgb")
    elif method == "agglomerative":
        from . import ward as hierarchy  # imported here: the command line at k = 256 never needs it

        palette = hierarchy.tree_of_colors(colors, counts, space).palette(k, seed=seed)
        return palette, nearest_labels(colors, palette)
    elif method == "median-cut":
        from . import mediancut

        centers = mediancut.median_cut_centers(coords, counts, k)
    elif method == "wu-kmeans":
        # the palette's labels from the fit's last bounds: most colors are settled without all k distances
        near = _kernels.near_state(k)  # the centers' neighbour lists, also for the palette's last check
        centers, *state = wu.wu_kmeans_fit(colors, coords, counts, k, near=near)
        return palette_from_centers(centers, colors, coords, counts, k, method=method, space=space, params=params,
                                    with_labels=True, nearest=_kmeans.nearest_from_bounds(coords, centers, *state,
                                                                                          near=near, scratch=True))
    elif method in _PILLOW_METHODS:
        centers = to_space(_fit_pillow(histogram.pixels(), k, _PILLOW_METHODS[method]), space)
    else:
        centers = _fit_scipy(to_space(histogram.pixels(), space), k, method, seed)
    return palette_from_centers(centers, colors, coords, counts, k, method=method, space=space,
                                params=params, with_labels=True)


def nearest_labels(colors: np.ndarray, palette: Palette) -> np.ndarray:
    """Index of the nearest ``palette`` color (in ``palette.space``, ties to the first listed) of each color.

    Parameters
    ----------
    colors : ndarray of uint8, shape (n, 3)
    palette : Palette

    Returns
    -------
    ndarray of int64, shape (n,)

    Examples
    --------
    >>> palette = Palette([[0, 0, 0], [255, 255, 255]], counts=[1, 1])
    >>> nearest_labels(np.array([[10, 10, 10], [200, 200, 200]], np.uint8), palette).tolist()
    [0, 1]
    """
    return _kmeans.assign(to_space(colors, palette.space), to_space(palette.colors, palette.space))


def _fit_pillow(pixels: np.ndarray, k: int, quantizer: str) -> np.ndarray:
    """The colors Pillow's ``Image.quantize(k, method=Image.Quantize[quantizer])`` uses for (N, 3) uint8 pixels:
    (m, 3) uint8, m <= k."""
    from PIL import Image

    # one column of N pixels: Pillow needs a 2-D image, the layout does not matter without dithering
    indexed = Image.fromarray(pixels.reshape(-1, 1, 3)).quantize(k, method=Image.Quantize[quantizer],
                                                                 dither=Image.Dither.NONE)
    used = np.unique(np.asarray(indexed))
    table = np.array(indexed.getpalette()[: 3 * 256], dtype=np.uint8).reshape(-1, 3)
    return table[used]


def _fit_scipy(data: np.ndarray, k: int, method: str, seed) -> np.ndarray:
    """Centers from scipy's k-means on every pixel (``data``: (N, 3) float64 coordinates)."""
    from scipy.cluster import vq  # only these two methods need it (0.4 s of a command's start-up)

    if method == "scipy":
        # The blog's call. vq.kmeans rejects integer arrays with "TypeError: type other than float
        # or double not supported"; to_space gives float64, the blog's fix was pixels.astype(float).
        centers, _ = vq.kmeans(data, k, seed=seed)
        return centers
    with warnings.catch_warnings():
        # kmeans2 warns when a cluster empties; _centers.distinct_rounded restores exactly k colors anyway.
        warnings.filterwarnings("ignore", "One of the clusters is empty", UserWarning)
        centers, _ = vq.kmeans2(data, k, minit="++", seed=seed)
    return centers
