"""Palettes and their figures for many k at once: :func:`sweep`.

Choosing k (an elbow curve, the smallest k that reaches a PSNR, the explorer's slider) needs a
palette for every k. Fitting each k on its own repeats work that does not depend on k: counting the
distinct colors, converting them to the color space, the coarse histogram levels of the k-means
engine, the colors' CIELAB for ΔE2000. :func:`sweep` does that once, and by default it also starts
each k from the palette of the k before it (a *warm start*): the previous centers plus one new one,
chosen the way k-means++ chooses, then Lloyd iterations, with the bounds that let Lloyd skip most
colors carried over from k to k. That costs a few passes over the colors per k instead of a fresh
search from several starts.

A warm start finds a local minimum of its own: sometimes better than an independent fit, sometimes
worse. So every row says where its palette came from (:attr:`SweepRow.warm`):

- ``mode="warm"`` (the default): the smallest k, and every k up to :data:`EXACT_UP_TO` (8), is fitted
  independently as well and the warm palette replaces that fit only where its MSE is lower; larger k
  are warm starts. Fast; a warm palette is a true k-means local minimum (its counts and labels
  exact), but its MSE may be somewhat above ``fit_palette``'s.
- ``mode="exact"``: every row is exactly ``fit_palette(image, k, seed=seed, ...)``.
- ``mode="best"``: both for every k, keeping the lower MSE (the independent fit on a tie): never
  worse than ``fit_palette``, and equal to it unless the warm start is better.

numpy and the engine's compiled loops only; no screen.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np

from .._engine import kernels as _kernels
from .._engine import codes as _codes
from .._engine import kmeans as _kmeans
from .._engine import random as _random
from ..cluster._centers import palette_from_centers
from ..cluster.fit import METHODS, fit_histogram, nearest_labels
from ..color.spaces import SPACES, to_space
from ..errors import ColorlabWarning, InvalidParameterError
from ..histogram import color_histogram
from ..metrics import ciede2000, pixel_mean, psnr_from_mse
from ..palette.core import Palette
from ..util.checks import check_choice, check_k

__all__ = ["MODES", "SweepRow", "sweep", "sweep_k"]

@dataclass(frozen=True)
class SweepRow:
    """The result of fitting one k: the palette and how well it redraws the image.

    Attributes
    ----------
    k : int
        The number of colors asked for (the palette has fewer when the image has fewer distinct colors).
    mse : float
        :func:`colorlab.metrics.mse` of the quantized image (exact).
    psnr : float
        :func:`colorlab.metrics.psnr` of the quantized image, in dB.
    delta_e : float
        :func:`colorlab.metrics.delta_e` (mean CIEDE2000) of the quantized image; ``nan`` when a sweep was asked not
        to measure it.
    palette : Palette
        The fitted palette.
    warm : bool, default False
        True when :func:`colorlab.sweep` made the palette from a warm start (the previous k's palette
        plus one color, then Lloyd) and it may differ from ``fit_palette(image, k, ...)``; False when it
        is exactly that.
    """

    k: int
    mse: float
    psnr: float
    delta_e: float
    palette: Palette
    warm: bool = False


#: The ways :func:`sweep` finds each palette.
MODES = ("warm", "exact", "best")
#: Most Lloyd iterations of a warm start on the histogram level (it stops earlier once an update gains
#: less than WARM_TOL of the objective). Measured (docs/engine.md): WARM_TOL 1e-4 and WARM_FINE 0
#: left warm palettes' MSE a median 0.2-1.5% above independent fits (hubble_deep_field); WARM_FINE 2
#: brought the median to 1.000.
WARM_ITER = 30
WARM_TOL = 1e-4
#: Lloyd iterations on the distinct colors after those on the histogram level (0: none).
WARM_FINE = 2
#: In mode "warm", k up to this also get an independent fit (cheap there), and keep it unless the
#: warm start is better: from k-1 to k, small palettes change the most (rocket, k=4: a warm start's
#: MSE was 1.19x the independent fit's).
EXACT_UP_TO = 8




def sweep(image, ks, *, method: str = "kmeans", seed=0, space: str = "rgb", mode: str = "warm",
          delta_e: bool = True) -> list[SweepRow]:
    """Fit a palette for each k and measure it (MSE, PSNR, mean ΔE2000), sharing the work between k.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W, 3) or (N, 3), or ColorHistogram
        An RGB image or its pixels, or its :func:`colorlab.color_histogram`.
    ks : iterable of int
        The numbers of colors, each from 1 to 256, in the order the rows should come in.
    method : str, default "kmeans"
        As in :func:`colorlab.fit_palette`. Only ``"kmeans"`` has warm starts; the other methods
        always fit each k independently (``"agglomerative"`` cuts one tree at every k).
    seed : int, default 0
        As in :func:`colorlab.fit_palette`; the same seed gives the same rows.
    space : {"rgb", "lab", "oklab"}, default "rgb"
        As in :func:`colorlab.fit_palette`.
    mode : {"warm", "exact", "best"}, default "warm"
        ``"warm"``: each k above 8 starts from the palette of the k before it (fast; the MSE may
        differ from ``fit_palette``'s either way); k up to 8 are independent fits unless the warm
        start is better. ``"exact"``: every palette is exactly ``fit_palette(image, k,
        method=method, seed=seed, space=space)``. ``"best"``: both for every k, keeping the lower
        MSE, so a row is never worse than ``fit_palette`` (and equal to it where ``warm`` is False).
    delta_e : bool, default True
        Measure the mean ΔE2000 of every row (False: ``nan``, and a faster sweep).

    Returns
    -------
    list of SweepRow
        One row per k, in the order of ``ks``; :attr:`SweepRow.warm` says whether the palette may
        differ from ``fit_palette``'s.

    Raises
    ------
    InvalidParameterError
        If ``ks`` is empty or holds something other than whole numbers from 1 to 256, or method,
        space or mode is unknown.
    InvalidImageError
        If ``image`` is not an (H, W, 3) or (N, 3) uint8 array.

    Examples
    --------
    >>> import colorlab
    >>> histogram = colorlab.color_histogram(colorlab.load_image("coffee")[::4, ::4])
    >>> rows = colorlab.sweep(histogram, [2, 4, 8, 12, 16])
    >>> [(row.k, row.warm) for row in rows]  # up to k = 8 here the independent fits were better
    [(2, False), (4, False), (8, False), (12, True), (16, True)]
    >>> rows[1].palette == colorlab.fit_palette(histogram, 4)
    True
    >>> exact = colorlab.sweep(histogram, [16], mode="exact")
    >>> exact[0].palette == colorlab.fit_palette(histogram, 16), exact[0].warm
    (True, False)
    >>> f"{rows[-1].mse:.1f} (warm) vs {exact[0].mse:.1f} (independent)"
    '218.5 (warm) vs 207.0 (independent)'
    >>> best = colorlab.sweep(histogram, [12, 16], mode="best")  # never worse than fit_palette
    >>> [round(row.mse, 1) for row in best]
    [268.4, 207.0]
    """
    ks = _check_ks(ks)
    check_choice(method, METHODS, "method")
    check_choice(space, SPACES, "space")
    check_choice(mode, MODES, "mode")
    if not isinstance(delta_e, (bool, np.bool_)):
        raise InvalidParameterError(f"delta_e must be True or False, got {delta_e!r}")
    # a mask: the pixels that count (the engine takes only colors that have pixels)
    return _Sweeper(color_histogram(image).counted(), method, seed, space, delta_e).rows(ks, mode)


class _Sweeper:
    """Rows of one histogram, method, seed and space; what does not depend on k is computed once and
    kept for later calls (a search for the smallest k asks for one k at a time)."""

    def __init__(self, histogram, method, seed, space, delta_e=True):
        # delta_e: True, False, or "exact" (numpy's ciede2000 on every color: metrics.delta_e to the last bit)
        self.histogram, self.method, self.seed, self.space = histogram, method, seed, space
        self.figures = _Figures(histogram, delta_e)
        self.engine = _Engine(histogram, space) if method == "kmeans" else None

    def rows(self, ks, mode) -> list[SweepRow]:
        histogram, method, seed, space = self.histogram, self.method, self.seed, self.space
        n_colors = len(histogram)
        wanted = sorted(set(ks))
        fitting = [k for k in wanted if k < n_colors] if method == "kmeans" else []
        # at k >= n_colors the palette is the colors themselves
        palettes = _independent(histogram, [k for k in wanted if k not in fitting], method, seed, space)
        if fitting and mode == "exact":
            palettes.update({k: (*self.engine.fit(k, seed), False) for k in fitting})
        elif fitting:
            # independent fits too where they are wanted: every k ("best"), the small k ("warm")
            independent = set(fitting) if mode == "best" else {k for k in fitting if k <= EXACT_UP_TO}
            for k, palette, labels, warm in self.engine.warm_chain(fitting, seed, independent, self.figures.mse):
                palettes[k] = (palette, labels, warm)
        rows = {k: self.figures.row(k, *palettes[k]) for k in wanted}
        return [rows[k] for k in ks]


def _check_ks(ks) -> list[int]:
    if isinstance(ks, (numbers.Number, str)) or not hasattr(ks, "__iter__"):
        raise InvalidParameterError(f"ks must be a list of k values such as [2, 4, 8], got {ks!r}")
    ks = list(ks)
    if not ks:
        raise InvalidParameterError("ks must list at least one k, got an empty list")
    return [check_k(k, "every k in ks") for k in ks]


def _independent(histogram, ks, method, seed, space) -> dict:
    """Palettes fitted independently (``fit_histogram``), one tree shared by every k for "agglomerative"."""
    if not ks:
        return {}
    if method == "agglomerative" and len(histogram) > max(ks, default=0):
        from ..cluster import ward as hierarchy

        tree = hierarchy.tree_of_colors(histogram.colors, histogram.counts, space)
        out = {}
        for k in ks:
            palette = tree.palette(k, seed=seed)
            out[k] = (palette, nearest_labels(histogram.colors, palette), False)
        return out
    with warnings.catch_warnings():
        # one warning for the whole sweep, not one per k
        warnings.simplefilter("ignore", ColorlabWarning)
        out = {k: (*fit_histogram(histogram, k, method=method, seed=seed, space=space), False) for k in ks}
    if any(k > len(histogram) for k in ks):
        warnings.warn(f"the image has only {len(histogram)} distinct colors; rows for a larger k hold exactly those",
                      ColorlabWarning, stacklevel=4)
    return out


class _Engine:
    """colorlab's k-means on one histogram, with what does not depend on k computed once."""

    def __init__(self, histogram, space):
        self.colors, self.counts, self.space = histogram.colors, histogram.counts, space
        self.coords = np.ascontiguousarray(to_space(self.colors, space), dtype=np.float64)
        self.weights = self.counts.astype(np.float64)
        self.levels = None
        self._centers = {}

    def palette(self, centers, k, seed, nearest=None):
        return palette_from_centers(centers, self.colors, self.coords, self.counts, k, method="kmeans",
                                    space=self.space, params={"k": k, "seed": seed}, with_labels=True,
                                    nearest=nearest)

    def centers(self, k, seed):
        """Exactly the centers ``fit_palette(image, k, seed=seed)`` rounds."""
        if self.levels is None:
            self.levels = _kmeans.histogram_levels(self.colors, self.coords, self.weights)
        if k not in self._centers:
            self._centers[k] = _kmeans.fit_centers(self.colors, self.coords, self.weights, k,
                                                   _random.generator(seed), levels=self.levels,
                                                   whole=self.space == "rgb")
        return self._centers[k].copy()

    def fit(self, k, seed):
        return self.palette(self.centers(k, seed), k, seed)

    def warm_chain(self, ks, seed, independent, mse):
        """(k, palette, labels, warm) for each of the increasing ``ks``: the first an independent fit,
        then each from the centers before it plus greedy k-means++ choices on the finest histogram
        level that has at most half as many cells as colors, refined by weighted Lloyd there, then by
        at most WARM_FINE Lloyd iterations on the distinct colors. For k in ``independent`` the
        independent fit is made too and kept unless the warm palette has a lower ``mse(palette,
        labels)``; the chain goes on from the palette kept.

        Hamerly bounds of the cells and of the colors are carried over from k to k (a new center: one
        distance per point; moved centers: the bounds loosen), so a step costs a few passes over the
        colors, and the palette's counts and labels come out exact from the colors' bounds."""
        centers = self.centers(ks[0], seed)
        yield (ks[0], *self.palette(centers, ks[0], seed), False)
        coords, counts = self.coords, self.weights
        usable = [level for level in self.levels if len(level[1]) <= len(coords) // 2]
        cell, points, weights = usable[-1] if usable else (None, coords, counts)
        rng = _random.generator(seed)

        def bounds(centers):  # of the level's cells (or the colors), and of the colors
            state = _kmeans.assign(points, centers, want_second=True)
            return state, (_kmeans.assign(coords, centers, want_second=True) if usable else state)

        state, colors_state = bounds(centers)
        for k in ks[1:]:
            if k > len(points):  # fewer cells than colors asked for: Lloyd on the colors themselves
                cell, points, weights, usable, state = None, coords, counts, [], colors_state
            _kmeans._mark("warm: other")
            before = len(centers)
            closest = _kernels.own_sqdist(points, centers, state[0])
            while len(centers) < k:
                trials = rng.random(_kmeans._trials(len(centers) + 1))
                chosen = _kernels.greedy_candidate(points, weights, closest, trials)
                centers = np.vstack([centers, points[chosen]])
                _kernels.insert_center(points, centers, *state)
            _kmeans._mark("warm: new centers")
            previous = centers.copy()
            # serial: few labels change per iteration, handing row ranges to threads would cost more
            threshold = WARM_TOL * _kernels.weighted_squares(weights, state[1])
            _kernels.hamerly_lloyd(points, weights, centers, *state, WARM_ITER, threshold)
            _kmeans._mark("warm: Lloyd on the level")
            if usable:
                for j in range(before, k):  # the new centers into the colors' bounds, where they started
                    _kernels.insert_center(coords, previous[: j + 1], *colors_state)
                _loosen(coords, previous, centers, colors_state)
                _kmeans._mark("warm: colors' bounds")
                if WARM_FINE:
                    refined = centers.copy()
                    _kernels.hamerly_lloyd(coords, counts, refined, *colors_state, WARM_FINE,
                                           _kmeans.TOL * _kernels.weighted_squares(counts, colors_state[1]))
                    _loosen(points, centers, refined, state)
                    centers = refined
                _kmeans._mark("warm: Lloyd on the colors")
            # the palette's labels from the cells' bounds: tighter than the colors', which every step loosens
            nearest = _kmeans.nearest_from_bounds(coords, centers, *state, cell, points if usable else None)
            palette, labels = self.palette(centers, k, seed, nearest)
            _kmeans._mark("warm: palette")
            if k in independent:
                fitted = self.centers(k, seed)
                fitted_palette, fitted_labels = self.palette(fitted, k, seed)
                _kmeans._mark("independent fits")
                if not mse(palette, labels) < mse(fitted_palette, fitted_labels):
                    centers, palette, labels = fitted, fitted_palette, fitted_labels
                    state, colors_state = bounds(centers)
                    yield k, palette, labels, False
                    continue
            yield k, palette, labels, True


def _loosen(points, old, new, state):
    """Hamerly bounds (labels, upper, lower: in place) of ``points`` for centers ``old`` -> for ``new``,
    every label checked again where the loosened bounds no longer settle it."""
    shift = np.sqrt(((new - old) ** 2).sum(axis=1))
    top = int(shift.argmax())
    runner_up = float(np.delete(shift, top).max()) if len(shift) > 1 else 0.0
    _kernels.shift_and_verify(points, new, *state, shift, top, runner_up)


class _Figures:
    """MSE, PSNR and mean ΔE2000 of palettes of one histogram.

    The colors' CIELAB is computed once, and each color's CIEDE2000 is kept with the palette color it
    was measured against: the next palette recomputes it only for colors whose palette color changed
    (from one k to the next, a warm start leaves most clusters and their colors as they were).
    """

    def __init__(self, histogram, with_delta_e=True):
        self.histogram = histogram
        # "exact": numpy's ciede2000 over every color, to the last bit what metrics.delta_e computes
        self.with_delta_e = with_delta_e
        self._lab = None
        self._against = np.full(len(histogram), -1, np.int64)  # packed palette color each ΔE is against
        self._delta_e = np.zeros(len(histogram))

    def mse(self, palette, labels) -> float:
        """Exactly ``metrics.histogram_mse`` (integers), in one compiled pass."""
        histogram = self.histogram
        return int(_kernels.squared_error(histogram.colors, palette.colors, labels, histogram.counts)) / histogram.n_pixels

    def delta_e(self, palette, labels) -> float:
        if not self.with_delta_e:
            return float("nan")
        if self._lab is None:
            self._lab = to_space(self.histogram.colors, "lab")
        if self.with_delta_e == "exact":
            differences = ciede2000(self._lab, to_space(palette.colors, "lab")[labels])
            return pixel_mean(differences, self.histogram.counts, self.histogram.n_pixels)
        against = _codes.pack_rgb(palette.colors).astype(np.int64)[labels]
        stale = np.flatnonzero(against != self._against)
        if len(stale):
            _kernels.ciede2000_to_palette(self._lab, to_space(palette.colors, "lab"), labels, stale, self._delta_e)
            self._against[stale] = against[stale]
        return pixel_mean(self._delta_e, self.histogram.counts, self.histogram.n_pixels)

    def row(self, k, palette, labels, warm) -> SweepRow:
        error = self.mse(palette, labels)
        return SweepRow(k=k, palette=palette, mse=error, psnr=psnr_from_mse(error),
                        delta_e=self.delta_e(palette, labels), warm=bool(warm))


def sweep_k(image, ks, *, method: str = "kmeans", seed=0, space: str = "rgb") -> list[SweepRow]:
    """``sweep(image, ks, method=method, seed=seed, space=space, mode="exact")``, under its old name.

    Deprecated: call :func:`colorlab.sweep` with ``mode="exact"``; this name goes in the next release.

    Examples
    --------
    >>> import numpy as np, warnings
    >>> image = np.array([[[0, 0, 0], [255, 255, 255]]], np.uint8)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FutureWarning)
    ...     rows = sweep_k(image, [2])
    >>> rows[0].k, rows[0].mse, rows[0].psnr
    (2, 0.0, inf)
    """
    warnings.warn("sweep_k is deprecated: call colorlab.sweep(image, ks, mode='exact')", FutureWarning, stacklevel=2)
    return sweep(image, ks, method=method, seed=seed, space=space, mode="exact")
