"""What the explorer computes, with no screen: photos, their histograms, results per setting, a cache.

The browser front end (:mod:`colorlab.explorer.app`) shows a photo at display size and redraws it
for every k, so everything that does not depend on k is computed once per photo (:class:`Photo`):
the color histogram of the full image, which distinct color each displayed pixel has, and a
sample of pixels for the 3D view. A :class:`Result` for one setting (photo, k, method, seed,
space, dither) is then the palette, the palette index of each displayed and each sampled pixel
(one byte each: what the browser needs to paint), and the exact figures of merit of the
full-resolution image, computed from the histogram without drawing it. SSIM needs the image drawn
and blurred (about 100 ms at 2 megapixels, more than a k step may take), so it is measured apart, when
asked (:meth:`Session.ssim`), and kept with the result.

numpy only (through colorlab's computation modules); thread-safe.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .. import metrics
from ..cluster.fit import METHODS, SEEDED_METHODS, SPACES, fit_histogram
from ..redraw.dither import DITHERS
from ..histogram import ColorHistogram, color_histogram
from ..io.arrays import as_image
from ..io.images import DEFAULT_MAX_PIXELS, load_image
from ..palette.core import Palette
from ..util.checks import MAX_K, check_choice, check_k
from ..redraw.quantize import quantize
from ..io.samples import samples

__all__ = ["DISPLAY_SIZE", "SCATTER_POINTS", "K_MIN", "K_MAX", "CACHE_MB", "KEY_SEPARATOR", "LIST_SEPARATOR",
           "Key", "Photo", "Result", "Session"]

#: Longest side, in pixels, of the photo as the browser paints it; computation uses the full image.
DISPLAY_SIZE = 640
#: Pixels of the photo drawn in the 3D view.
SCATTER_POINTS = 30_000
#: The k control's smallest and largest values: a palette index then fits in one byte, as the browser receives it.
K_MIN, K_MAX = 1, MAX_K
#: Megabytes of results kept. A result holds one byte per displayed pixel, per 3D point and per distinct color
#: of the photo (about 0.5 MB for a 2 MP photo, whatever k is), or per pixel of the full photo when dithered.
CACHE_MB = 256
#: How :meth:`Key.text` joins the key's fields, and the colors of its ``locked`` field.
KEY_SEPARATOR, LIST_SEPARATOR = "|", ","


class Key(NamedTuple):
    """One setting of the explorer's controls."""

    photo: str
    k: int
    method: str = "kmeans"
    seed: int = 0
    space: str = "rgb"
    dither: str = "none"
    locked: tuple = ()  # colors that must stay in the palette, as "#rrggbb" (k-means only)

    def text(self) -> str:
        """The key as one string, as the browser names its cached results.

        Examples
        --------
        >>> Key("rocket", 6, locked=("#000000", "#ffffff")).text()
        'rocket|6|kmeans|0|rgb|none|#000000,#ffffff'
        """
        return KEY_SEPARATOR.join([*(str(part) for part in self[:-1]), LIST_SEPARATOR.join(self.locked)])


@dataclass(frozen=True, eq=False)
class Photo:
    """A photo and what the explorer needs of it whatever k is."""

    name: str
    image: np.ndarray  # (H, W, 3) uint8, full resolution
    histogram: ColorHistogram
    rows: np.ndarray  # the image rows and columns the display samples (nearest neighbour)
    cols: np.ndarray
    display_colors: np.ndarray  # (dh, dw) int32: index into histogram.colors of each displayed pixel
    scatter_colors: np.ndarray  # (n,) int32: the same for the 3D view's pixel sample

    @property
    def display(self) -> np.ndarray:
        """The photo at display size, (dh, dw, 3) uint8."""
        return self.histogram.colors[self.display_colors]

    @property
    def scatter(self) -> np.ndarray:
        """The 3D view's pixels, (n, 3) uint8."""
        return self.histogram.colors[self.scatter_colors]


@dataclass(frozen=True, eq=False)
class Result:
    """What the explorer shows for one :class:`Key`."""

    key: Key
    palette: Palette
    display_labels: np.ndarray  # (dh, dw) uint8: palette index of each displayed pixel
    scatter_labels: np.ndarray  # (n,) uint8: palette index of each pixel of the 3D view
    # mse, psnr (exact, full resolution), colors_before, colors_after; "ssim" is added once Session.ssim measured it
    stats: dict[str, float]
    seconds: float = 0.0  # compute time
    _labels: np.ndarray | None = field(default=None, repr=False)  # uint8 per distinct color (no dithering)
    _full_labels: np.ndarray | None = field(default=None, repr=False)  # uint8 per pixel (dithering)
    _ssim_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)  # one measurement

    @property
    def nbytes(self) -> int:
        """The memory the result's arrays take, in bytes (what the cache counts).

        Examples
        --------
        >>> result = Session().result(Key("coffee", 4))
        >>> result.nbytes >= result.display_labels.nbytes + result.scatter_labels.nbytes
        True
        """
        arrays = (self.display_labels, self.scatter_labels, self.palette.colors, self.palette.counts,
                  self._labels, self._full_labels)
        return sum(array.nbytes for array in arrays if array is not None)

    @property
    def title(self) -> str:
        """What the result is, in a line: its number of colors, the method and each setting that is not the default.

        Examples
        --------
        >>> Session().result(Key("coffee", 4, seed=2, space="lab")).title
        '4 colors (kmeans, seed 2, lab)'
        """
        key = self.key
        parts = [key.method, f"seed {key.seed}" if key.method in SEEDED_METHODS else "",
                 key.space if key.space != "rgb" else "", f"{key.dither} dithering" if key.dither != "none" else "",
                 f"{len(key.locked)} locked" if key.locked else ""]
        return f"{len(self.palette)} colors ({', '.join(part for part in parts if part)})"


def make_photo(name: str, image: np.ndarray, *, display_size: int = DISPLAY_SIZE,
               scatter_points: int = SCATTER_POINTS) -> Photo:
    """Prepare a photo for the explorer: its histogram, display sampling and 3D sample.

    Examples
    --------
    >>> photo = make_photo("flat", np.zeros((900, 300, 3), np.uint8), display_size=300)
    >>> photo.display.shape, len(photo.histogram)
    ((300, 100, 3), 1)
    """
    image = as_image(image)
    histogram = color_histogram(image)
    height, width = image.shape[:2]
    scale = min(1.0, display_size / max(height, width))
    dh, dw = max(1, round(height * scale)), max(1, round(width * scale))
    rows = ((np.arange(dh) + 0.5) * height / dh).astype(np.intp)
    cols = ((np.arange(dw) + 0.5) * width / dw).astype(np.intp)
    display_colors = histogram.index_of((rows[:, None] * width + cols[None, :]).ravel()).reshape(dh, dw)
    rng = np.random.default_rng(0)
    n = min(scatter_points, histogram.n_pixels)
    sample = np.sort(rng.choice(histogram.n_pixels, n, replace=False))
    return Photo(name, image, histogram, rows, cols, display_colors, histogram.index_of(sample))


class Session:
    """The explorer's photos and results, computed on demand and cached (thread-safe).

    Parameters
    ----------
    max_pixels : int or None
        Largest photo (in pixels) that :meth:`add_upload` and bundled photos may have.
    display_size, scatter_points
        See :data:`DISPLAY_SIZE` and :data:`SCATTER_POINTS`.
    cache_mb : float
        Megabytes of results kept (see :data:`CACHE_MB`); the least recently used go first, the newest stays.

    Examples
    --------
    >>> session = Session()
    >>> result = session.result(Key("coffee", 4))
    >>> len(result.palette), int(result.display_labels.max()) < 4
    (4, True)
    """

    def __init__(self, *, max_pixels: int | None = DEFAULT_MAX_PIXELS, display_size: int = DISPLAY_SIZE,
                 scatter_points: int = SCATTER_POINTS, cache_mb: float = CACHE_MB):
        self.max_pixels = max_pixels
        self.cache_bytes = int(cache_mb * 2**20)
        self.cached_bytes = 0  # the results' nbytes, summed
        self.display_size = display_size
        self.scatter_points = scatter_points
        self._photos: dict[str, Photo] = {}
        self._images: dict[str, np.ndarray] = {}  # uploads and arrays, prepared on first use
        self._results: OrderedDict[Key, Result] = OrderedDict()
        self._computing: dict[Key, threading.Event] = {}  # set when that key's computation ends
        self._lock = threading.RLock()
        self.compute_count = 0  # results computed (not taken from the cache); tests read it

    # -- photos ------------------------------------------------------------------------------
    def names(self) -> list[str]:
        """The photos one can pick: added ones first, then the bundled photos."""
        return list(dict.fromkeys([*self._images, *self._photos, *samples()]))

    def add_image(self, name: str, image) -> str:
        """Add an (H, W, 3) uint8 image under ``name``; returns the name."""
        image = as_image(image)
        with self._lock:
            self._images[name] = image
            self._photos.pop(name, None)
        return name

    def photo(self, name: str) -> Photo:
        """The prepared photo (loaded and prepared on first use)."""
        with self._lock:
            if name not in self._photos:
                image = self._images.get(name)
                if image is None:
                    image = load_image(name, max_pixels=self.max_pixels)
                self._photos[name] = make_photo(name, image, display_size=self.display_size,
                                                scatter_points=self.scatter_points)
            return self._photos[name]

    def forget(self, name: str) -> None:
        """Drop a photo and its results (an upload whose page closed, say)."""
        with self._lock:
            self._images.pop(name, None)
            self._photos.pop(name, None)
            for key in [key for key in self._results if key.photo == name]:
                self.cached_bytes -= self._results.pop(key).nbytes

    # -- results -----------------------------------------------------------------------------
    def cached(self, key: Key) -> Result | None:
        """The result for ``key`` if it was computed already, else None."""
        with self._lock:
            return self._results.get(key)

    def result(self, key: Key) -> Result:
        """The result for ``key``, computed now if it is not cached.

        Different keys are computed at the same time when asked from different threads (a setting the
        person wants does not wait for one computed ahead); a key already being computed is waited for.
        """
        key = check_key(key)
        while True:
            with self._lock:
                if key in self._results:
                    self._results.move_to_end(key)
                    return self._results[key]
                running = self._computing.get(key)
                if running is None:
                    self._computing[key] = threading.Event()
                    break
            running.wait()  # then the cache has it, or that computation failed and this one says why
        try:
            photo = self.photo(key.photo)
            start = time.perf_counter()
            result = dataclasses.replace(compute(photo, key), seconds=time.perf_counter() - start)
            with self._lock:
                self.compute_count += 1
                if self._photos.get(key.photo) is photo:  # not for a photo forgotten meanwhile
                    self._results[key] = result
                    self.cached_bytes += result.nbytes
                    while self.cached_bytes > self.cache_bytes and len(self._results) > 1:
                        self.cached_bytes -= self._results.popitem(last=False)[1].nbytes
            return result
        finally:
            with self._lock:
                self._computing.pop(key).set()

    def ssim(self, result: Result) -> float:
        """SSIM of the result's full-resolution quantized photo against the photo (:func:`colorlab.metrics.ssim`).

        Measured once, then kept in ``result.stats["ssim"]`` (so a result from the cache has it at
        once); a second thread that asks meanwhile waits for the same measurement. Where it cannot be
        measured, ``result.stats["ssim"]`` becomes NaN (not measured again) and the reason is raised.

        Raises
        ------
        InvalidImageError
            If the photo is smaller than SSIM's window (11 x 11 pixels).
        MemoryError
            If the blurred copies of a large photo do not fit.

        Examples
        --------
        >>> session = Session()
        >>> result = session.result(Key("coffee", 8))
        >>> "ssim" in result.stats, 0 < session.ssim(result) < 1, "ssim" in result.stats
        (False, True, True)
        """
        with result._ssim_lock:
            if "ssim" not in result.stats:
                try:
                    value = metrics.ssim(self.photo(result.key.photo).image, self.quantized(result))
                except Exception:
                    result.stats["ssim"] = float("nan")
                    raise
                result.stats["ssim"] = value
            return result.stats["ssim"]

    def quantized(self, result: Result) -> np.ndarray:
        """The full-resolution quantized image of a result, (H, W, 3) uint8."""
        photo = self.photo(result.key.photo)
        if result._full_labels is not None:
            labels = result._full_labels
        else:
            labels = photo.histogram.spread(result._labels)
        return np.take(result.palette.colors, labels, axis=0)


def check_key(key) -> Key:
    """A :class:`Key` whose parts are valid (else :class:`colorlab.InvalidParameterError`)."""
    key = Key(*key)
    key = key._replace(locked=tuple(key.locked))
    check_k(key.k)
    check_choice(key.method, METHODS, "method")
    check_choice(key.space, SPACES, "space")
    check_choice(key.dither, DITHERS, "dither")
    return key


def compute(photo: Photo, key: Key) -> Result:
    """Fit and measure one setting: the palette, the displayed and sampled labels, the exact figures.

    Without dithering nothing is drawn at full resolution: every pixel's palette color follows from
    its distinct color, and MSE comes from the histogram (:func:`colorlab.metrics.histogram_mse`).
    With dithering the full image is dithered (a pixel's color then depends on its neighbours).
    """
    histogram = photo.histogram
    palette, labels = fit_histogram(histogram, key.k, method=key.method, seed=key.seed, space=key.space,
                                    fixed=list(key.locked) or None)
    full_labels = None
    if key.dither == "none":
        mse = metrics.histogram_mse(histogram, palette, labels)
        display_labels = labels[photo.display_colors]
        scatter_labels = labels[photo.scatter_colors]
        counts = palette.counts
    else:
        quantized, full_labels = quantize(histogram, palette, dither=key.dither, return_labels=True)
        mse = metrics.mse(photo.image, quantized)
        display_labels = full_labels[np.ix_(photo.rows, photo.cols)]
        # the 3D view shows where each pixel's own color sits; its label is its nearest palette color
        scatter_labels = labels[photo.scatter_colors]
        counts = np.bincount(full_labels.ravel(), minlength=len(palette))
    stats = {
        "mse": mse,
        "psnr": metrics.psnr_from_mse(mse),
        "colors_before": len(histogram),
        "colors_after": int(np.count_nonzero(counts)),
    }
    # k <= 256: a palette index fits in one byte, which makes a cached result 8 times smaller than int64 labels
    return Result(key, palette, display_labels.astype(np.uint8), scatter_labels.astype(np.uint8), stats,
                  _labels=None if full_labels is not None else labels.astype(np.uint8),
                  _full_labels=None if full_labels is None else full_labels.astype(np.uint8, copy=False))
