"""Widgets for the lessons: k-means in 2D and on a photo, half-step by half-step (notebook 03), and choosing k (notebook 04).

Like the explorer (:mod:`colorlab.lessons.widgets`), each widget keeps what it shows as attributes and
redraws ONE matplotlib figure when a control changes, so tests drive it headless::

    stepper = lloyd_stepper("rocket", k=6)
    stepper.step_slider.index = 3      # the 4th half-step: redraws at once
    stepper.half.name                  # 'update 2'

    chooser = k_chooser("rocket", ks=[2, 4, 8])
    chooser.k_slider.value = 4
    len(chooser.palette)               # 4

With ipympl (``%matplotlib widget``) the figure is a live canvas (the 3D plot rotates with the
mouse); with any other backend it is rendered to a PNG shown in an ``ipywidgets.Image``.

**Readable without a kernel.** Displayed in a notebook, every widget first shows a static picture
(:meth:`static_png`: small multiples of a few half-steps or values of k) and then the live widget.
The picture is saved in the notebook like any figure, so a page rendered without a kernel (GitHub,
nbconvert HTML, a PDF) still shows what the slider would.
"""

from __future__ import annotations

import html
from typing import Any, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from .. import metrics
from .. import plot
from ..errors import InvalidParameterError
from ..io.arrays import as_image
from ..io.images import load_image
from .lloyd import LloydHistory, PointsHistory, channel_points, lloyd_history, lloyd_points
from ..redraw.quantize import quantize
from ..selection.sweep import sweep
from .widgets import DISPLAY_SIZE, _figure_view, _for_display, _freeze_layout, _push, _set_image

__all__ = ["LloydStepper", "lloyd_stepper", "VoronoiStepper", "voronoi_stepper", "shape_stepper", "KChooser",
           "k_chooser", "static_png"]

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


def static_png(figure, *, dpi: int = 100) -> bytes:
    """Render a matplotlib figure to PNG bytes and close it, so the notebook does not show it again.

    Parameters
    ----------
    figure : matplotlib Figure
    dpi : int, default 100
        As the inline backend saves the notebooks' other figures: a 9-point label is 12 pixels high, readable
        on a projector at the picture's own size.

    Returns
    -------
    bytes
        The PNG file.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> static_png(Figure(figsize=(1, 1)))[:4]
    b'\\x89PNG'
    """
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    plt.close(figure)
    return buffer.getvalue()


class _StaticThenLive:
    """Displayed in a notebook: a static picture (kept in the saved notebook), then the live widget."""

    #: Alt text of the static picture.
    static_alt = "a static picture of the widget below"

    def static_png(self) -> bytes:  # pragma: no cover - every widget defines it
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        from IPython.display import Image, display

        with plt.ioff():  # on ipympl a new pyplot figure would otherwise show up as a live canvas too
            png = self.static_png()
        display(Image(data=png, format="png", alt=self.static_alt))
        display(self.widget)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _half_step_slider(halves) -> tuple:
    """A slider over half-steps, labelled by name, and a Play button linked to it."""
    options = [(h.name, h.position) for h in halves]
    slider = widgets.SelectionSlider(options=options, value=0, description="half-step", continuous_update=False,
                                     style={"description_width": "initial"}, layout=widgets.Layout(width="420px"))
    play = widgets.Play(value=0, min=0, max=len(options) - 1, interval=900, description="play")
    widgets.jslink((play, "value"), (slider, "index"))
    return slider, play


# -- k-means in 2D: cells and moving centers ----------------------------------------------------

def voronoi_stepper(image: Any = "rocket", k: int = 4, *, channels=("red", "blue"), n: int = 1000,
                    init="random", seed: int = 2, max_iter: int = 50) -> "VoronoiStepper":
    """Lloyd's algorithm on a photo's pixels seen on two channels, half-step by half-step, with the cells drawn.

    ``n`` pixels are drawn at random and kept only on two channels (a 2D picture of the RGB cube
    seen from one side), then clustered with :func:`colorlab.lessons.lloyd.lloyd_points`. The slider goes
    through the half-steps: **update** (the centers move to the mean of their points) and
    **assign** (the points join the nearest center: the cell they are in).

    Parameters
    ----------
    image : str or (H, W, 3) uint8 array, default "rocket"
    k : int, default 4
    channels : pair of {"red", "green", "blue"}, default ("red", "blue")
    n : int, default 1000
        Pixels drawn.
    init : {"random", "k-means++"} or (k, 2) array, default "random"
    seed : int, default 2
        Seed of the start (the pixel sample uses seed 0).
    max_iter : int, default 50

    Returns
    -------
    VoronoiStepper

    Examples
    --------
    >>> stepper = voronoi_stepper("rocket", k=3, n=200)
    >>> stepper.step_slider.index = 1
    >>> stepper.half.kind, len(stepper.history.points)
    ('update', 200)
    """
    return VoronoiStepper(image, k, channels=channels, n=n, init=init, seed=seed, max_iter=max_iter)


class VoronoiStepper(_StaticThenLive):
    """Slider over the half-steps of a 2D run; see :func:`voronoi_stepper`.

    State: ``history`` (:class:`colorlab.lessons.lloyd.PointsHistory`), ``half`` (the shown
    :class:`colorlab.lessons.lloyd.HalfStep`), ``colors`` (the sampled pixels' own colors), ``stats_text``.
    """

    static_alt = "k-means on two channels: the cells of the centers at the first half-steps and at the end"

    def __init__(self, image="rocket", k=4, *, channels=("red", "blue"), n=1000, init="random", seed=2, max_iter=50,
                 points=None):
        self.channels = tuple(channels)
        if points is not None:  # a drawn point set (shape_stepper): no photo, the axes are plain x and y
            self.image = self.colors = None
        else:
            self.image = _image_from(image)
            if len(self.channels) != 2:
                raise InvalidParameterError(f"channels must name two channels, e.g. ('red', 'blue'), got {channels!r}")
            points, self.colors = channel_points(self.image, self.channels, n=n, seed=0)
        self.history: PointsHistory = lloyd_points(points, k, init=init, seed=seed, max_iter=max_iter)
        self.step_slider, self.play = _half_step_slider(self.history.half_steps)
        self.stats_text = widgets.HTML(value="").add_class("colorlab-stats")
        self.figure = _new_figure(figsize=(9.5, 4.4), dpi=80, layout="constrained")
        self.cells_axes, self.curve_axes = self.figure.subplots(1, 2, width_ratios=[1, 1.15])
        self.figure_view = _figure_view(self.figure)
        self.widget = widgets.VBox([widgets.HBox([self.play, self.step_slider]), self.stats_text,
                                    self.figure_view]).add_class("colorlab-voronoi-stepper")
        self.update()
        self.step_slider.observe(lambda change: self.update(), names="value")

    def update(self) -> None:
        """Show the half-step the slider is on."""
        self.half = self.history.half_steps[self.step_slider.value]
        self.cells_axes.cla()
        self.curve_axes.cla()
        plot.voronoi_step(self.history, self.half.position, ax=self.cells_axes, axis_labels=self.channels)
        plot.half_step_curve(self.history, ax=self.curve_axes, mark=self.half.position,
                             ylabel="MSE (on these two channels)")
        last = len(self.history.half_steps) - 1
        self.stats_text.value = (f"<b>{html.escape(self.half.name)}</b> ({self.half.position} of {last}): "
                                 f"{html.escape(self.half.describe().split(': ', 1)[1])} · MSE <b>{self.half.mse:,.1f}</b>")
        _push(self.figure, self.figure_view)

    def static_png(self) -> bytes:
        """Small multiples of the first half-steps and the last (:func:`colorlab.plot.voronoi_steps`)."""
        axes = plot.voronoi_steps(self.history, axis_labels=self.channels)
        return static_png(axes[0].figure)


def shape_stepper(shape: str = "rings", k: int | None = None, *, n: int = 600, seed: int = 0, init="random",
                  start_seed: int = 0, max_iter: int = 50) -> "VoronoiStepper":
    """The 2D stepper of :func:`voronoi_stepper` on a point set k-means cannot split into its groups.

    The points come from :func:`colorlab.lessons.shapes.shape_points` (rings, moons or unequal blobs); step
    through the half-steps and watch every assign cut the plane with straight borders between centers,
    across the rings and the moons, whatever the start.

    Parameters
    ----------
    shape : {"rings", "moons", "unequal blobs"}, default "rings"
    k : int, optional
        Number of clusters; by default the number of true groups (2, 2 and 3).
    n : int, default 600
        Points drawn.
    seed : int, default 0
        Seed of the points.
    init : {"random", "k-means++"} or (k, 2) array, default "random"
    start_seed : int, default 0
        Seed of the start.
    max_iter : int, default 50

    Returns
    -------
    VoronoiStepper

    Examples
    --------
    >>> stepper = shape_stepper("moons", n=200)
    >>> stepper.history.k, stepper.channels
    (2, ('x', 'y'))
    """
    from .shapes import SHAPES, shape_points

    points, _groups = shape_points(shape, n, seed=seed)
    k = SHAPES[shape] if k is None else k
    stepper = VoronoiStepper(None, k, channels=("x", "y"), init=init, seed=start_seed, max_iter=max_iter,
                             points=points)
    stepper.static_alt = (f"k-means with k = {stepper.history.k} on {shape} of {len(points)} points: the cells of "
                          "the centers at the first half-steps and at the end, cut by straight borders")
    return stepper


# -- Lloyd's algorithm step by step -------------------------------------------------------------

def lloyd_stepper(image: Any = "rocket", k: int = 6, **options) -> "LloydStepper":
    """Build the half-step by half-step view of Lloyd's algorithm on a photo.

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
        Displays a static overview and then itself when it is the last expression of a notebook cell.

    Examples
    --------
    >>> stepper = lloyd_stepper("rocket", k=3, seed=1)
    >>> stepper.step_slider.index = 2
    >>> stepper.half.name, stepper.quantized.shape
    ('assign 1', (427, 640, 3))
    """
    return LloydStepper(image, k, **options)


class LloydStepper(_StaticThenLive):
    """A half-step slider over one run of Lloyd's algorithm; see :func:`lloyd_stepper`.

    Controls: ``step_slider`` (a selection slider over the half-steps: "start", "update 1",
    "assign 1", ..., with a "repair" after any half-step that left a cluster empty) and ``play``.
    At the chosen half-step the figure shows the pixels in RGB space colored by cluster with every
    center's path so far, the original and the photo in the cluster colors, and the MSE of every
    half-step with the shown one marked. State: ``history`` (:class:`colorlab.lessons.lloyd.LloydHistory`),
    ``half`` (the shown :class:`colorlab.lessons.lloyd.HalfStep`), ``quantized`` ((H, W, 3) uint8 at that
    half-step). ``stats_text`` says, in words, what happened.
    """

    static_alt = "Lloyd's algorithm on the photo at a few half-steps: clusters in RGB space, the photo, the MSE"

    def __init__(self, image: Any = "rocket", k: int = 6, *, init="k-means++", seed: int = 0, max_iter: int = 50,
                 history: LloydHistory | None = None):
        self.image = _image_from(image)
        self.history = history if history is not None else lloyd_history(
            self.image, k, init=init, seed=seed, max_iter=max_iter)
        self._shown = _for_display(self.image)
        every = max(1, -(-max(self.image.shape[:2]) // DISPLAY_SIZE))  # the rows and columns _for_display keeps
        self._shown_index = self.history.pixel_index[::every, ::every]
        self.step_slider, self.play = _half_step_slider(self.history.half_steps)
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
        """The box to display: controls, the sentence about the half-step, the figure."""
        if not hasattr(self, "_widget"):
            self._widget = widgets.VBox([
                widgets.HBox([self.play, self.step_slider]), self.stats_text, self.figure_view,
            ]).add_class("colorlab-lloyd-stepper")
        return self._widget

    @property
    def step(self):
        """The :class:`colorlab.lessons.lloyd.LloydStep` the shown half-step belongs to."""
        return self.history.steps[self.half.step]

    def update(self) -> None:
        """Show the half-step the slider is on."""
        history = self.history
        self.half = history.half_steps[self.step_slider.value]
        self.quantized = history.half_step_quantized(self.half.position)
        path = history.half_step_path(self.half.position)
        view = (self.scatter_axes.elev, self.scatter_axes.azim)
        self.scatter_axes.cla()
        plot.cluster_scatter(self._shown, self.half.labels[self._shown_index], path[-1],
                             ax=self.scatter_axes, max_points=SCATTER_POINTS, seed=0)
        plot.centroid_paths(path, ax=self.scatter_axes)
        self.scatter_axes.view_init(*view)
        _set_image(self.quantized_artist, _for_display(self.quantized))
        self.quantized_axes.set_title(f"{self.half.name}: pixels in cluster colors")
        self.inertia_axes.cla()
        plot.half_step_curve(history, ax=self.inertia_axes, mark=self.half.position,
                             ylabel="MSE (inertia / pixels)")
        self.stats_text.value = self.describe()
        if not self._laid_out:
            _freeze_layout(self.figure)
            self._laid_out = True
        _push(self.figure, self.figure_view)

    def describe(self) -> str:
        """What happened at the shown half-step, as one HTML line."""
        half, history = self.half, self.history
        last = len(history.half_steps) - 1
        what = html.escape(half.describe().split(": ", 1)[1])
        if half.kind == "start":
            what = f"{html.escape(str(history.init))} centers; " + what
        stopped = "" if history.converged or half.position < last else (
            f" (stopped after {history.n_steps - 1} steps without converging)")
        return (f"<b>{html.escape(half.name)}</b> (half-step {half.position} of {last}): {what} · "
                f"MSE <b>{half.mse:,.1f}</b>{stopped}")

    def static_png(self) -> bytes:
        """The run at a few half-steps (:func:`colorlab.plot.lloyd_overview`), as a PNG."""
        return static_png(plot.lloyd_overview(self.image, self.history))


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
    rows : list of colorlab.selection.sweep.SweepRow, optional
        A sweep already computed with ``colorlab.sweep(image, ks, mode="exact")`` on this image (saves refitting).

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
        rows = sweep(image, ks, seed=seed, mode="exact")
    return KChooser(image, rows)


class KChooser(_StaticThenLive):
    """A k slider over a sweep of k; see :func:`k_chooser`.

    The figure shows MSE, PSNR, mean CIEDE2000 and the indexed PNG size against k with the chosen
    k marked, the original above the photo quantized with k colors, and the palette. State: ``row`` (the
    :class:`colorlab.selection.sweep.SweepRow` shown), ``palette``, ``quantized``, ``png_size`` (bytes of
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

    static_alt = "the photo quantized with a few values of k, beside the original"

    def _build_figure(self) -> None:
        self.figure = _new_figure(figsize=(11, 6.6), dpi=80, layout="constrained")
        grid = self.figure.add_gridspec(3, 4, height_ratios=[1, 1, 0.35])
        self.curve_axes = [self.figure.add_subplot(grid[row, col]) for row in range(2) for col in range(2)]
        self.original_axes = self.figure.add_subplot(grid[0, 2:])
        self.image_axes = self.figure.add_subplot(grid[1, 2:])
        self.swatches_axes = self.figure.add_subplot(grid[2, :])
        shown = _for_display(self.image)
        plot.compare(shown, shown, ax=(self.original_axes, self.image_axes), titles=("original", ""))
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
        _set_image(self.image_artist, _for_display(self.quantized))
        self.image_axes.set_title(f"quantized, k = {k}")
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

    def static_png(self) -> bytes:
        """The original and the photo at up to five k of the sweep (with PSNR and ΔE), as a PNG."""
        chosen = [k for k in (2, 4, 8, 16, 32) if k in self.ks] or self.ks[:5]
        rows = [self.rows[self.ks.index(k)] for k in chosen]
        images = [_for_display(self.image)] + [_for_display(self._quantized[self.ks.index(k)]) for k in chosen]
        titles = ["original"] + [f"k = {r.k}: PSNR {r.psnr:.1f} dB, ΔE {r.delta_e:.1f}" for r in rows]
        axes = plot.gallery(images, titles, ncols=3)
        for ax in axes:
            ax.title.set_fontsize(10)
        return static_png(axes[0].figure)
