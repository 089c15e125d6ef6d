"""The live explorer: controls for the photo, k, method and seed wired to colorlab.

:func:`explorer` returns an :class:`Explorer`, which displays itself in a
notebook (or a Voila page). Its callbacks only read the controls, call library
functions (:func:`colorlab.load_image`, :func:`colorlab.reduce_colors`,
:mod:`colorlab.metrics`, :mod:`colorlab.plot`,
:meth:`colorlab.Palette.save`, :func:`colorlab.save_image`) and update the
artists of ONE matplotlib figure in place. Everything they compute is an
attribute (``.image``, ``.palette``, ``.quantized``, ``.stats``, ``.message``),
so tests drive the explorer without a browser::

    ex = explorer("rocket", k=6)
    ex.k_slider.value = 12         # recomputes (or reuses the cache) and redraws
    len(ex.palette)                # 12

With ipympl (``%matplotlib widget``) the figure is a live canvas and the 3D
scatter rotates with the mouse; with any other backend (inline, Agg) the figure
is rendered to a PNG shown in an ``ipywidgets.Image``.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import io
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image

from .. import metrics
from .. import plot
from ..cluster.fit import METHODS, SEEDED_METHODS, SLOW_METHODS
from ..errors import ColorlabError
from ..util.files import check_inside
from ..io.arrays import as_image
from ..io.images import DEFAULT_MAX_PIXELS, load_image
from ..io.saving import save_image
from ..palette.core import Palette
from ..redraw.quantize import reduce_colors
from ..io.samples import samples
from ..io.uploads import decode_upload, file_stem

__all__ = ["Explorer", "Result", "explorer"]

#: Longest side, in pixels, of the images as DRAWN; computation always uses the full image.
DISPLAY_SIZE = 400
#: Results kept per (image, k, method, seed); a 1-megapixel result is about 3 MB.
CACHE_SIZE = 32
#: Pixels drawn in the 3D scatter.
SCATTER_POINTS = 2000


@dataclass(frozen=True)
class Result:
    """What the explorer computed for one (image, k, method, seed)."""

    palette: Palette
    quantized: np.ndarray
    stats: Mapping[str, float]


def explorer(image: Any = "rocket", k: int = 6, *, method: str = "kmeans", seed: int = 0, **options) -> "Explorer":
    """Build the live explorer for a bundled photo (or an (H, W, 3) uint8 array).

    Parameters
    ----------
    image : str or (H, W, 3) uint8 array, default "rocket"
        A name from :func:`colorlab.samples` or an image array (shown as "your image").
    k : int, default 6
        Initial number of colors, 1..64.
    method : str, default "kmeans"
        Initial clustering method, one of :data:`colorlab.METHODS`.
    seed : int, default 0
        Initial random seed of the clustering.
    **options
        Passed to :class:`Explorer` (``export_folder``, ``debounce``, ``max_pixels``, ``allow_outside``:
        whether Export may write into a folder outside the notebook's, refused by default as in
        :func:`colorlab.explorer.explorer`).

    Returns
    -------
    Explorer
        Displays itself when it is the last expression of a notebook cell.

    Examples
    --------
    >>> ex = explorer("rocket", k=4)
    >>> ex.k_slider.value = 3
    >>> len(ex.palette), ex.stats["colors_after"] <= 3
    (3, True)
    """
    return Explorer(image, k, method=method, seed=seed, **options)


class Explorer:
    """Controls, state and figure of the live explorer; see :func:`explorer`.

    Controls: ``image_picker``, ``upload``, ``k_slider`` (1..64), ``method``,
    ``seed``, ``export_folder``, ``export_button``. State: ``image`` (the full
    photo, (H, W, 3) uint8), ``palette``, ``quantized`` ((H, W, 3) uint8),
    ``stats`` (``mse``, ``psnr``, ``colors_before``, ``colors_after``). Output:
    ``message`` (one line: errors and where an export went), ``stats_text``,
    ``figure`` and ``widget`` (the box to display).

    Fast sliders. The kernel handles widget messages one at a time, so while
    one update runs, newer slider values wait in the queue; the slider itself
    already shows the newest value. Two things keep the explorer from working
    through every stale value:

    * the k slider sends its value when released (``continuous_update=False``),
      and each key press sends one value;
    * a change that comes from the browser only (re)arms a short timer
      (``debounce`` seconds, on the kernel's asyncio loop). A burst of queued
      values re-arms it again and again, so only the LAST value is computed
      and drawn; the stale ones are dropped without any work.

    Results are cached per (image, k, method, seed) in an LRU of
    :data:`CACHE_SIZE` entries, so going back to a k already seen only redraws.
    A value set by code (a notebook cell, a test, a benchmark) updates at
    once, synchronously, so the next line sees the new ``palette``.
    """

    def __init__(
        self,
        image: Any = "rocket",
        k: int = 6,
        *,
        method: str = "kmeans",
        seed: int = 0,
        export_folder: str = "colorlab-export",
        debounce: float = 0.15,
        max_pixels: int | None = None,
        allow_outside: bool = False,
    ):
        self.debounce = float(debounce)
        self.allow_outside = bool(allow_outside)  # the export folder may lie outside the notebook's folder
        self._base = Path.cwd()
        self.max_pixels = max_pixels
        self._images: dict[str, np.ndarray] = {}
        self._colors_before: dict[str, int] = {}
        self._cache: OrderedDict[tuple, Result] = OrderedDict()
        self._timer: asyncio.TimerHandle | None = None
        self.compute_count = 0  # results computed (not taken from the cache); tests read it

        first = self._add_initial_image(image)
        self.image = self._images[first]
        self.image_name = first
        self._build_controls(first, k, method, seed, export_folder)
        self._build_figure()
        self.palette: Palette | None = None
        self.quantized: np.ndarray | None = None
        self.stats: dict[str, float] = {}
        self._shown_key: tuple | None = None
        self.update()
        for control in (self.image_picker, self.k_slider, self.method, self.seed):
            control.observe(self._on_control_change, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.export_button.on_click(self._on_export)

    # -- building ------------------------------------------------------------
    def _add_initial_image(self, image: Any) -> str:
        if isinstance(image, str):
            self._images[image] = load_image(image, **self._load_options())
            return image
        self._images["your image"] = as_image(image)
        return "your image"

    def _build_controls(self, first: str, k: int, method: str, seed: int, export_folder: str) -> None:
        names = list(dict.fromkeys([first, *samples()]))
        self.image_picker = widgets.Dropdown(options=names, value=first, description="Photo")
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="Upload")
        self.k_slider = widgets.IntSlider(
            value=k, min=1, max=64, step=1, description="k colors", continuous_update=False
        )
        # the slow methods stay available (teaching the blog's call is the point) but say what they cost
        labels = [(f"{m} (slow on big photos)" if m in SLOW_METHODS else m, m) for m in METHODS]
        self.method = widgets.Dropdown(options=labels, value=method, description="Method")
        self.seed = widgets.BoundedIntText(value=seed, min=0, max=2**31 - 1, description="Seed")
        self.export_folder = widgets.Text(value=export_folder, description="Folder")
        self.export_button = widgets.Button(description="Export", icon="download",
                                            tooltip="write the quantized PNG and the palette (.hex, .json, .gpl)")
        self.message = widgets.HTML(value="").add_class("colorlab-message")
        self.stats_text = widgets.HTML(value="").add_class("colorlab-stats")

    def _build_figure(self) -> None:
        with plt.ioff():  # ipympl would otherwise display the figure a second time
            self.figure = plt.figure(figsize=(10.5, 4.5), dpi=80, layout="constrained")
        # the narrow 4th column keeps the 3D plot's "blue" label inside the figure
        grid = self.figure.add_gridspec(2, 4, height_ratios=[3, 1], width_ratios=[1, 1, 1.2, 0.05])
        self.original_axes = self.figure.add_subplot(grid[0, 0])
        self.quantized_axes = self.figure.add_subplot(grid[0, 1])
        self.swatches_axes = self.figure.add_subplot(grid[1, :2])
        self.scatter_axes = self.figure.add_subplot(grid[:, 2], projection="3d")
        self._laid_out_shape: tuple | None = None
        self._scatter_photo: str | None = None  # the photo whose pixels the 3D plot shows
        self._palette_markers = None  # the centroids' collection in the 3D plot
        self._background = None  # Agg: the rendered pixels of everything that does not change with k
        shown = _for_display(self.image)
        plot.compare(shown, shown, ax=(self.original_axes, self.quantized_axes), titles=("original", ""))
        # compare() leaves one AxesImage per axes; updates swap their data in place
        self.original_artist = self.original_axes.images[0]
        self.quantized_artist = self.quantized_axes.images[0]
        canvas = self.figure.canvas
        self.figure_view = _figure_view(self.figure)
        self.figure_view.add_class("colorlab-figure")
        # Agg: blit. What changes with k (the quantized image, the swatches, the centroids and the 3D title) is
        # "animated": left out of the full draw of the rest, which is kept as a background and re-rendered only
        # when the photo or the layout changes (about half the drawing time of an update)
        self._blitting = self.figure_view is not canvas
        for axes in (self.quantized_axes, self.swatches_axes):
            axes.set_animated(self._blitting)

    @property
    def widget(self) -> widgets.Widget:
        """The box that shows controls, message, statistics and figure."""
        if not hasattr(self, "_widget"):
            row = widgets.Layout(flex_flow="row wrap", align_items="center")
            self._widget = widgets.VBox([
                widgets.Box([self.image_picker, self.upload], layout=row),
                widgets.Box([self.k_slider, self.method, self.seed], layout=row),
                self.stats_text,
                self.figure_view,
                widgets.Box([self.export_folder, self.export_button], layout=row),
                self.message,
            ]).add_class("colorlab-explorer")
        return self._widget

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # -- reading controls --------------------------------------------------------
    def _load_options(self) -> dict:
        return {} if self.max_pixels is None else {"max_pixels": self.max_pixels}

    def _key(self) -> tuple:
        return (self.image_picker.value, self.k_slider.value, self.method.value, self.seed.value)

    # -- updating ------------------------------------------------------------
    def _on_control_change(self, change) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (tests, scripts): update now
            loop = None
        if loop is None or not _handling_browser_message():
            self.update()  # code set the value (a cell, a test): its next line sees the result
            return
        if self._timer is not None:
            self._timer.cancel()  # a newer value arrived: drop the pending one
        self._timer = loop.call_later(self.debounce, self._update_from_timer)

    def _update_from_timer(self) -> None:
        # runs from the kernel's event loop, where an exception would only reach the server log
        try:
            self.update()
        except Exception as err:
            self._say(f"something went wrong ({type(err).__name__}: {err}); try another value", error=True)

    def update(self) -> None:
        """Show the result for the current control values (from the cache or computed)."""
        self._timer = None
        key = self._key()
        try:
            image = self._image_for(key[0])
            result = self._result_for(key, image)
        except ColorlabError as err:
            self._say(str(err), error=True)
            return
        self.image, self.image_name = image, key[0]
        self.palette, self.quantized, self.stats = result.palette, result.quantized, dict(result.stats)
        self._shown_key = key
        self._draw(key)
        self._say("")

    def _image_for(self, name: str) -> np.ndarray:
        if name not in self._images:
            self._images[name] = load_image(name, **self._load_options())
        return self._images[name]

    def _result_for(self, key: tuple, image: np.ndarray) -> Result:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        _, k, method, seed = key
        quantized, palette = reduce_colors(image, k, method=method, seed=seed)
        if key[0] not in self._colors_before:
            self._colors_before[key[0]] = metrics.count_colors(image)
        mse = metrics.mse(image, quantized)
        stats = {
            "mse": mse,
            "psnr": metrics.psnr_from_mse(mse),
            "colors_before": self._colors_before[key[0]],
            # quantized pixels are palette colors, so counting the palette's used colors is exact and cheap
            "colors_after": metrics.count_colors(palette.colors[palette.counts > 0]),
        }
        self.compute_count += 1
        self._cache[key] = Result(palette, quantized, stats)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return self._cache[key]

    # -- drawing -------------------------------------------------------------
    def _draw(self, key: tuple) -> None:
        name, k, method, seed = key
        original = _for_display(self.image)
        _set_image(self.original_artist, original)
        _set_image(self.quantized_artist, _for_display(self.quantized))
        seeded = f", seed {seed}" if method in SEEDED_METHODS else ""  # the other methods ignore the seed
        self.quantized_axes.set_title(f"{len(self.palette)} colors ({method}{seeded})")
        if self.swatches_axes.patches:  # swap the bars and labels: clearing the axes costs more than drawing
            plot.update_swatches(self.palette, ax=self.swatches_axes)
        else:
            plot.swatches(self.palette, ax=self.swatches_axes)
        if self._scatter_photo != name:
            # a new photo: a new cloud of pixels (the slow part of the 3D plot, so only then)
            view = (self.scatter_axes.elev, self.scatter_axes.azim)
            self.scatter_axes.cla()
            plot.rgb_scatter(original, None, ax=self.scatter_axes, max_points=SCATTER_POINTS, seed=0)
            self.scatter_axes.view_init(*view)  # keep the user's rotation
            self._scatter_photo, self._palette_markers, self._background = name, None, None
        if self._palette_markers is not None:
            self._palette_markers.remove()  # only the centroids change with k, method or seed
        self._palette_markers = plot.palette_markers(self.palette, self.scatter_axes)
        self._palette_markers.set_animated(self._blitting)
        # set_text, not set_title: set_title moves the title back to y=1, and only a full draw of the 3D axes
        # would lift it above the plot again
        self.scatter_axes.title.set_text(f"pixels and {len(self.palette)} palette colors in RGB space")
        self.scatter_axes.title.set_animated(self._blitting)  # cla() makes a new title
        s = self.stats
        self.stats_text.value = (
            f"<b>{name}</b> {self.image.shape[1]}×{self.image.shape[0]} · "
            f"MSE <b>{s['mse']:.1f}</b> · PSNR <b>{s['psnr']:.2f} dB</b> · "
            f"colors <b>{s['colors_before']:,}</b> → <b>{s['colors_after']}</b>"
        )
        self.redraw()

    def redraw(self, *, full: bool = False) -> None:
        """Push the figure to the screen: ``draw_idle`` on ipympl, else re-render the PNG.

        Without ipympl only the parts that change with k, method or seed are
        drawn again, over the kept rendering of the rest; ``full=True`` renders
        everything (needed after changing the photo's axes or the 3D view by hand).
        """
        if self._laid_out_shape != self.image.shape:
            # lay out for this photo's shape, then keep the positions while only k, method or seed change:
            # saves a layout pass per update. (not canvas.draw(): an ipympl canvas drawn before it is
            # displayed stays 0x0 in the browser)
            _freeze_layout(self.figure)
            self._laid_out_shape, self._background = self.image.shape, None
        if self.figure_view is self.figure.canvas:
            self.figure.canvas.draw_idle()
            return
        if full:
            self._background = None
        self._blit()
        rgba = np.asarray(self.figure.canvas.buffer_rgba())
        buffer = io.BytesIO()
        # the figure is opaque, so RGB loses nothing; compress_level=1: fast over small
        PIL.Image.fromarray(rgba[..., :3]).save(buffer, format="png", compress_level=1)
        self.figure_view.value = buffer.getvalue()

    def _blit(self) -> None:
        """Agg: restore (or first render) the background, then draw the changing artists over it."""
        canvas = self.figure.canvas
        if self._background is None:
            canvas.draw()  # leaves out the animated artists
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        # the two axes do not overlap the 3D one, so drawing them after it changes no pixel; in the 3D axes a full
        # draw also ends with the centroids (zorder 2), then the title (3)
        self.figure.draw_artist(self.quantized_axes)
        self.figure.draw_artist(self.swatches_axes)
        self._palette_markers.do_3d_projection()  # Axes3D.draw does this for a full draw
        self.figure.draw_artist(self._palette_markers)
        self.figure.draw_artist(self.scatter_axes.title)

    def _say(self, text: str, *, error: bool = False) -> None:
        color = "#b00020" if error else "inherit"
        self.message.value = f'<span style="color:{color}">{html.escape(text)}</span>' if text else ""

    # -- upload ----------------------------------------------------------------
    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[-1]
        name, content = upload["name"], bytes(upload["content"])
        try:
            image = decode_upload(name, content, self._load_options().get("max_pixels", DEFAULT_MAX_PIXELS))
        except ColorlabError as err:
            self._say(f"{name} was not used: {err}", error=True)
            return
        except Exception as err:  # any decoder failure: keep the previous image and say why
            self._say(f"{name} was not used: it could not be read as an image ({type(err).__name__}: {err}); "
                      "upload a PNG or JPEG photo", error=True)
            return
        key = f"{name} ({hashlib.sha1(content).hexdigest()[:6]})"
        self._images[key] = image
        if key not in self.image_picker.options:
            self.image_picker.options = [*self.image_picker.options, key]
        self.image_picker.value = key  # triggers the update like any other control

    # -- export ----------------------------------------------------------------
    def _on_export(self, _button=None) -> None:
        self.export()

    def export(self) -> list[Path]:
        """Write the quantized PNG and the palette (.hex, .json, .gpl) into ``export_folder``.

        The folder is created if it does not exist. Returns the written paths
        (empty on failure; the message area then says why).
        """
        try:
            folder = check_inside(self.export_folder.value.strip() or ".", self._base, self.allow_outside)
        except ColorlabError as err:
            self._say(str(err), error=True)
            return []
        name, _, method, seed = self._shown_key  # what is on screen, even if a newer value is pending
        stem = f"{file_stem(name)}-k{len(self.palette)}-{method}-seed{seed}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            self._say(f"cannot create the folder {str(folder)!r} ({err.strerror or err}); type another folder name",
                      error=True)
            return []
        try:
            # an indexed PNG: the same pixels as the quantized image, a several times smaller file
            written = [save_image(folder / f"{stem}.png", self.quantized, palette=self.palette)]
            written += [self.palette.save(folder / f"{stem}.{fmt}") for fmt in ("hex", "json", "gpl")]
        except ColorlabError as err:
            self._say(str(err), error=True)
            return []
        self._say(f"wrote {', '.join(p.name for p in written)} to {folder.resolve()}")
        return written


def _figure_view(figure) -> widgets.Widget:
    """The widget that shows ``figure``: the ipympl canvas itself, or an Image for a PNG."""
    canvas = figure.canvas
    if isinstance(canvas, widgets.DOMWidget):  # ipympl: the canvas is a widget
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.resizable = False
        return canvas
    return widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))


def _push(figure, view) -> None:
    """Show the figure's new state: ``draw_idle`` on ipympl, else render a PNG into the Image."""
    if view is figure.canvas:
        figure.canvas.draw_idle()
        return
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    view.value = buffer.getvalue()


def _freeze_layout(figure) -> None:
    """Lay the figure out once, then keep the positions (a redraw then costs no layout pass)."""
    figure.set_layout_engine("constrained")
    figure.draw_without_rendering()
    figure.set_layout_engine(None)  # not "none": savefig would lay out (draw) twice


def _handling_browser_message() -> bool:
    """True while the kernel handles a message from the browser (someone moved a control there)."""
    from IPython import get_ipython

    kernel = getattr(get_ipython(), "kernel", None)
    try:
        parent = kernel.get_parent("shell")
    except AttributeError:  # no kernel, or an ipykernel older than 6
        return False
    return parent.get("header", {}).get("msg_type") == "comm_msg"


def _for_display(image: np.ndarray, size: int = DISPLAY_SIZE) -> np.ndarray:
    """Every n-th pixel so the longest side is at most ``size``: for drawing only."""
    step = max(1, -(-max(image.shape[:2]) // size))
    return image[::step, ::step]


def _set_image(artist, image: np.ndarray) -> None:
    height, width = image.shape[:2]
    artist.set_data(image)
    artist.set_extent((-0.5, width - 0.5, height - 0.5, -0.5))
