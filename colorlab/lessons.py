"""Widgets for the lessons: Lloyd's algorithm step by step (notebook 03) and choosing k (notebook 04).

Like the explorer (:mod:`colorlab.widgets`), each widget keeps what it shows as attributes and
redraws ONE matplotlib figure when a control changes, so tests drive it headless::

    stepper = lloyd_stepper("rocket", k=6)
    stepper.step_slider.value = 3      # redraws at once
    stepper.step.index                 # 3

    chooser = k_chooser("rocket", ks=[2, 4, 8])
    chooser.k_slider.value = 4
    len(chooser.palette)               # 4

With ipympl (``%matplotlib widget``) the figure is a live canvas (the 3D plot rotates with the
mouse); with any other backend it is rendered to a PNG shown in an ``ipywidgets.Image``.
"""

from __future__ import annotations

import html
from typing import Any, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from . import metrics, plot
from .images import as_image, load_image
from .lloyd import LloydHistory, lloyd_history
from .quantize import quantize
from .widgets import DISPLAY_SIZE, _figure_view, _for_display, _freeze_layout, _push, _set_image

__all__ = ["LloydStepper", "lloyd_stepper", "KChooser", "k_chooser"]

#: Pixels drawn in the 3D scatter of the stepper.
SCATTER_POINTS = 2000


def _image_from(image: Any) -> np.ndarray:
    """A bundled photo's name or an (H, W, 3) uint8 array -> the array."""
    return load_image(image) if isinstance(image, str) else as_image(image)


def _new_figure(**options):
    """A figure for a widget: a pyplot figure on ipympl (its canvas is a widget), else a plain one.

    A plain :class:`matplotlib.figure.Figure` is not registered with pyplot, so the inline backend
    does not show it a second time, as a static picture, under the widget.
    """
    import matplotlib

    if "ipympl" in matplotlib.get_backend():
        with plt.ioff():  # ipympl would otherwise display the figure a second time
            return plt.figure(**options)
    from matplotlib.figure import Figure

    return Figure(**options)


# -- Lloyd's algorithm step by step -------------------------------------------------------------

def lloyd_stepper(image: Any = "rocket", k: int = 6, **options) -> "LloydStepper":
    """Build the step-by-step view of Lloyd's algorithm on a photo.

    Parameters
    ----------
    image : str or (H, W, 3) uint8 array, default "rocket"
        A name from :func:`colorlab.samples` or an image.
    k : int, default 6
        Number of clusters.
    **options
        Passed to :class:`LloydStepper` (``init``, ``seed``, ``max_iter``, ``history``).

    Returns
    -------
    LloydStepper
        Displays itself when it is the last expression of a notebook cell.

    Examples
    --------
    >>> stepper = lloyd_stepper("rocket", k=3, seed=1)
    >>> stepper.step_slider.value = 1
    >>> stepper.step.index, stepper.quantized.shape
    (1, (427, 640, 3))
    """
    return LloydStepper(image, k, **options)


class LloydStepper:
    """An iteration slider over one run of Lloyd's algorithm; see :func:`lloyd_stepper`.

    Controls: ``step_slider`` (0 .. last step) and ``play`` (steps through by itself in the
    browser). At the chosen step the figure shows the pixels in RGB space colored by cluster with
    every center's path so far, the original and the quantized photo, and the inertia curve with
    the step marked. State: ``history`` (:class:`colorlab.lloyd.LloydHistory`), ``step`` (the
    shown :class:`colorlab.lloyd.LloydStep`), ``quantized`` ((H, W, 3) uint8 at that step).
    ``stats_text`` says, in words, what happened at that step.
    """

    def __init__(self, image: Any = "rocket", k: int = 6, *, init="k-means++", seed: int = 0, max_iter: int = 50,
                 history: LloydHistory | None = None):
        self.image = _image_from(image)
        self.history = history if history is not None else lloyd_history(
            self.image, k, init=init, seed=seed, max_iter=max_iter)
        self._shown = _for_display(self.image)
        every = max(1, -(-max(self.image.shape[:2]) // DISPLAY_SIZE))  # the rows and columns _for_display keeps
        self._shown_index = self.history.pixel_index[::every, ::every]
        last = self.history.n_steps - 1
        self.step_slider = widgets.IntSlider(value=0, min=0, max=last, description="step", continuous_update=False)
        self.play = widgets.Play(value=0, min=0, max=last, interval=900, description="play")
        widgets.jslink((self.play, "value"), (self.step_slider, "value"))
        self.stats_text = widgets.HTML(value="").add_class("colorlab-stats")
        self._build_figure()
        self.update()
        self.step_slider.observe(lambda change: self.update(), names="value")

    def _build_figure(self) -> None:
        self.figure = _new_figure(figsize=(11, 6.2), dpi=80, layout="constrained")
        grid = self.figure.add_gridspec(2, 3, width_ratios=[1.35, 1, 1], height_ratios=[1.2, 1])
        self.scatter_axes = self.figure.add_subplot(grid[:, 0], projection="3d")
        self.original_axes = self.figure.add_subplot(grid[0, 1])
        self.quantized_axes = self.figure.add_subplot(grid[0, 2])
        self.inertia_axes = self.figure.add_subplot(grid[1, 1:])
        plot.compare(self._shown, self._shown, ax=(self.original_axes, self.quantized_axes), titles=("original", ""))
        self.quantized_artist = self.quantized_axes.images[0]
        self.figure_view = _figure_view(self.figure)
        self._laid_out = False

    @property
    def widget(self) -> widgets.Widget:
        """The box to display: controls, the sentence about the step, the figure."""
        if not hasattr(self, "_widget"):
            self._widget = widgets.VBox([
                widgets.HBox([self.play, self.step_slider]), self.stats_text, self.figure_view,
            ]).add_class("colorlab-lloyd-stepper")
        return self._widget

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def update(self) -> None:
        """Show the step the slider is on."""
        history = self.history
        self.step = history.step(self.step_slider.value)
        self.quantized = history.quantized(self.step.index)
        view = (self.scatter_axes.elev, self.scatter_axes.azim)
        self.scatter_axes.cla()
        plot.cluster_scatter(self._shown, self.step.labels[self._shown_index], history.color_path[self.step.index],
                             ax=self.scatter_axes, max_points=SCATTER_POINTS, seed=0)
        plot.centroid_paths(history.color_path[: self.step.index + 1], ax=self.scatter_axes)
        self.scatter_axes.view_init(*view)
        _set_image(self.quantized_artist, _for_display(self.quantized))
        self.quantized_axes.set_title(f"step {self.step.index}: pixels in cluster colors")
        self.inertia_axes.cla()
        plot.inertia_curve(history.mse, ax=self.inertia_axes, mark=self.step.index,
                           ylabel="MSE (inertia / pixels)")
        self.stats_text.value = self.describe()
        if not self._laid_out:
            _freeze_layout(self.figure)
            self._laid_out = True
        _push(self.figure, self.figure_view)

    def describe(self) -> str:
        """What happened at the shown step, as one HTML line."""
        step, history = self.step, self.history
        if step.index == 0:
            what = f"the start ({history.init}): every pixel joins its nearest center"
        elif step.changed == 0 and not step.repairs:
            what = "no pixel changed cluster: the centers stay put, k-means has converged"
        else:
            what = (f"the centers moved to the mean of their pixels, then <b>{step.changed:,}</b> pixels "
                    "changed to a nearer center")
        repairs = "".join(f"<br>⚠ {html.escape(r.describe())}" for r in step.repairs)
        last = "" if history.converged or step.index < history.n_steps - 1 else (
            f" (stopped after {history.n_steps - 1} moves without converging)")
        return (f"<b>step {step.index}</b> of {history.n_steps - 1}: {what} · MSE <b>{step.mse:,.1f}</b>"
                f"{last}{repairs}")


# -- choosing k -----------------------------------------------------------------------------------

def k_chooser(image: Any = "rocket", ks: Sequence[int] = (2, 3, 4, 6, 8, 12, 16, 24, 32), *, seed: int = 0,
              rows=None) -> "KChooser":
    """Build the slider over k that marks the quality curves and shows the photo at that k.

    Parameters
    ----------
    image : str or (H, W, 3) uint8 array, default "rocket"
        A name from :func:`colorlab.samples` or an image.
    ks : sequence of int
        The k values to offer (ignored when ``rows`` is given).
    seed : int, default 0
        Seed of the palettes.
    rows : list of colorlab.metrics.KSweepRow, optional
        A sweep already computed with :func:`colorlab.metrics.sweep_k` on this image (saves refitting).

    Returns
    -------
    KChooser

    Examples
    --------
    >>> chooser = k_chooser("rocket", ks=[2, 4])
    >>> chooser.k_slider.value = 4
    >>> len(chooser.palette), chooser.png_size < chooser.original_png_size
    (4, True)
    """
    image = _image_from(image)
    if rows is None:
        rows = metrics.sweep_k(image, ks, seed=seed)
    return KChooser(image, rows)


class KChooser:
    """A k slider over a sweep of k; see :func:`k_chooser`.

    The figure shows MSE, PSNR, mean CIEDE2000 and the indexed PNG size against k with the chosen
    k marked, the photo quantized with k colors and its palette. State: ``row`` (the
    :class:`colorlab.metrics.KSweepRow` shown), ``palette``, ``quantized``, ``png_size`` (bytes of
    the indexed PNG), ``sizes`` (one per k) and ``original_png_size`` (the 24-bit PNG).
    """

    def __init__(self, image, rows):
        self.image = as_image(image)
        self.rows = list(rows)
        self.ks = [row.k for row in self.rows]
        self._quantized = [quantize(self.image, row.palette) for row in self.rows]
        self.sizes = [metrics.png_size(q, row.palette) for q, row in zip(self._quantized, self.rows)]
        self.original_png_size = metrics.png_size(self.image)
        self.k_slider = widgets.SelectionSlider(options=self.ks, value=self.ks[len(self.ks) // 2],
                                                description="k colors", continuous_update=False)
        self.stats_text = widgets.HTML(value="").add_class("colorlab-stats")
        self._build_figure()
        self.update()
        self.k_slider.observe(lambda change: self.update(), names="value")

    def _build_figure(self) -> None:
        self.figure = _new_figure(figsize=(11, 6.4), dpi=80, layout="constrained")
        grid = self.figure.add_gridspec(3, 4, height_ratios=[1, 1, 0.35])
        self.curve_axes = [self.figure.add_subplot(grid[row, col]) for row in range(2) for col in range(2)]
        self.image_axes = self.figure.add_subplot(grid[:2, 2:])
        self.swatches_axes = self.figure.add_subplot(grid[2, :])
        plot.gallery([_for_display(self.image)], ax=[self.image_axes])
        self.image_artist = self.image_axes.images[0]
        self.figure_view = _figure_view(self.figure)
        self._laid_out = False

    @property
    def widget(self) -> widgets.Widget:
        """The box to display: the slider, the numbers at that k, the figure."""
        if not hasattr(self, "_widget"):
            self._widget = widgets.VBox([self.k_slider, self.stats_text, self.figure_view]).add_class(
                "colorlab-k-chooser")
        return self._widget

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def update(self) -> None:
        """Show the k the slider is on."""
        index = self.ks.index(self.k_slider.value)
        self.row = self.rows[index]
        self.palette = self.row.palette
        self.quantized = self._quantized[index]
        self.png_size = self.sizes[index]
        k = self.row.k
        mse_axes, psnr_axes, delta_e_axes, size_axes = self.curve_axes
        for axes in self.curve_axes:
            axes.cla()
        plot.elbow(self.ks, [r.mse for r in self.rows], ax=mse_axes, ylabel="MSE", mark=k)
        plot.elbow(self.ks, [r.psnr for r in self.rows], ax=psnr_axes, ylabel="PSNR (dB)", mark=k)
        plot.elbow(self.ks, [r.delta_e for r in self.rows], ax=delta_e_axes, ylabel="mean ΔE2000", mark=k)
        plot.size_curve(self.ks, self.sizes, ax=size_axes, original=self.original_png_size, mark=k)
        for axes in self.curve_axes:
            axes.title.set_fontsize(10)
            axes.set_xlabel("k")
            if len(self.ks) > 6:  # every k labelled would overlap at small k
                axes.set_xticks(self.ks[::2])
        _set_image(self.image_artist, _for_display(self.quantized))
        self.image_axes.set_title(f"k = {k}")
        self.swatches_axes.cla()
        plot.swatches(self.palette, ax=self.swatches_axes, labels=len(self.palette) <= 16)
        self.stats_text.value = (
            f"<b>k = {k}</b> · MSE <b>{self.row.mse:,.1f}</b> · PSNR <b>{self.row.psnr:.2f} dB</b> · "
            f"mean ΔE2000 <b>{self.row.delta_e:.2f}</b> · indexed PNG <b>{self.png_size / 1000:,.1f} kB</b> "
            f"({100 * self.png_size / self.original_png_size:.0f}% of the 24-bit PNG, "
            f"{self.original_png_size / 1000:,.0f} kB)"
        )
        if not self._laid_out:
            _freeze_layout(self.figure)
            self._laid_out = True
        _push(self.figure, self.figure_view)
