"""Widgets of lesson 05 (beyond k-means): cut the Ward tree of a photo's colors with a slider.

:func:`dendrogram_cutter` builds the tree once (:func:`colorlab.cluster.ward.color_tree`); moving the k
slider only cuts it at another height, so every k is quick. The figure shows the dendrogram with
the cut line, the photo redrawn with the k cluster means, and the palette; a line of text gives
MSE, PSNR and mean CIEDE2000. Everything shown is an attribute, so tests drive it headless::

    cutter = dendrogram_cutter(image, k=4)
    cutter.k_slider.value = 9
    len(cutter.palette)     # 9
"""

from __future__ import annotations


import ipywidgets as widgets
from matplotlib.figure import Figure

from .. import metrics
from .. import plot
from ..cluster.ward import MAX_LEAVES, color_tree
from ..io.arrays import as_image
from ..io.images import load_image
from .steppers import _StaticThenLive, static_png
from ..redraw.quantize import quantize
from .widgets import _figure_view, _for_display, _push

__all__ = ["DendrogramCutter", "dendrogram_cutter"]


def dendrogram_cutter(image="chelsea", k: int = 8, *, space: str = "rgb", max_k: int = 32) -> "DendrogramCutter":
    """A k slider that cuts the Ward tree of a photo's colors and shows the palette it gives.

    Parameters
    ----------
    image : str or (H, W, 3) uint8 array, default "chelsea"
        A bundled photo name (:func:`colorlab.samples`) or an image.
    k : int, default 8
        Initial number of clusters.
    space : {"rgb", "lab", "oklab"}, default "rgb"
        Color space of the tree.
    max_k : int, default 32
        Largest k on the slider.

    Returns
    -------
    DendrogramCutter
        Displays itself when it is the last expression of a notebook cell.

    Examples
    --------
    >>> cutter = dendrogram_cutter("rocket", k=3)
    >>> cutter.k_slider.value = 5
    >>> len(cutter.palette), cutter.cut_line.get_ydata()[0] == cutter.tree.cut_height(5)
    (5, True)
    """
    return DendrogramCutter(image, k, space=space, max_k=max_k)


class DendrogramCutter(_StaticThenLive):
    """Slider, state and figure of :func:`dendrogram_cutter`.

    Attributes: ``k_slider``, ``tree`` (the :class:`colorlab.cluster.ward.ColorTree`), ``image``,
    ``palette``, ``quantized``, ``stats`` (mse, psnr, delta_e), ``stats_text``, ``figure``,
    ``cut_line`` (the dashed line on the dendrogram) and ``widget``. Displayed in a notebook, it
    first shows a static picture (:meth:`static_png`: the photo cut at a few k), then itself.
    """

    static_alt = "the photo redrawn with the Ward tree cut at a few values of k, beside the original"

    def __init__(self, image="chelsea", k: int = 8, *, space: str = "rgb", max_k: int = 32,
                 max_leaves: int = MAX_LEAVES):
        self.image = load_image(image) if isinstance(image, str) else as_image(image)
        self.tree = color_tree(self.image, space=space, max_leaves=max_leaves)
        top = max(1, min(int(max_k), self.tree.n_leaves))
        self.k_slider = widgets.IntSlider(value=min(max(int(k), 1), top), min=1, max=top, description="k (cut)",
                                          continuous_update=False)
        self.stats_text = widgets.HTML(value="")
        # a Figure outside pyplot: the notebook never shows it by itself (no stray copy under a later cell);
        # it is rendered to a PNG in an ipywidgets.Image, which works with every backend
        self.figure = Figure(figsize=(11, 6.5), dpi=80, layout="constrained")
        grid = self.figure.add_gridspec(3, 2, height_ratios=[2.2, 2.6, 0.7])
        self.tree_axes = self.figure.add_subplot(grid[0, :])
        self.original_axes = self.figure.add_subplot(grid[1, 0])
        self.quantized_axes = self.figure.add_subplot(grid[1, 1])
        self.swatches_axes = self.figure.add_subplot(grid[2, :])
        self.figure_view = _figure_view(self.figure)  # a PNG Image: this Figure has no widget canvas
        self.widget = widgets.VBox([self.k_slider, self.stats_text, self.figure_view])
        self.update()
        self.k_slider.observe(lambda change: self.update(), names="value")

    def update(self) -> None:
        """Cut the tree at the slider's k and redraw."""
        k = self.k_slider.value
        self.palette = self.tree.palette(k)
        self.quantized = quantize(self.image, self.palette)
        self.stats = {
            "mse": metrics.mse(self.image, self.quantized),
            "psnr": metrics.psnr(self.image, self.quantized),
            "delta_e": metrics.delta_e(self.image, self.quantized),
        }
        for axes in (self.tree_axes, self.original_axes, self.quantized_axes, self.swatches_axes):
            axes.cla()
        plot.dendrogram(self.tree, k, ax=self.tree_axes)
        self.cut_line = self.tree_axes.lines[-1]
        plot.compare(self.image, self.quantized, ax=(self.original_axes, self.quantized_axes),
                     titles=("original", f"cut at k = {k}: each cluster drawn in its mean color"))
        plot.swatches(self.palette, ax=self.swatches_axes)
        s = self.stats
        self.stats_text.value = (f"k = <b>{k}</b> · MSE <b>{s['mse']:.1f}</b> · PSNR <b>{s['psnr']:.2f} dB</b> · "
                                 f"mean ΔE2000 <b>{s['delta_e']:.2f}</b>")
        _push(self.figure, self.figure_view)

    def static_png(self) -> bytes:
        """The original and the tree cut at k = 2, 4, 8, 16 and 32 (those the slider offers), with MSE, as a PNG."""
        return static_png(self.static_axes()[0].figure)

    def static_axes(self):
        """The axes of the static picture: one per image, every one holding a picture (no empty panel)."""
        ks = [k for k in (2, 4, 8, 16, 32) if k <= self.k_slider.max] or [self.k_slider.max]
        images, titles = [_for_display(self.image)], ["original"]
        for k in ks:
            quantized = quantize(self.image, self.tree.palette(k))
            images.append(_for_display(quantized))
            titles.append(f"cut at k = {k}: MSE {metrics.mse(self.image, quantized):.0f}")
        return plot.gallery(images, titles, ncols=3 if len(images) == 6 else len(images))
