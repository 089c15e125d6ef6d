"""The lessons' figures read from the back of a room: every text at least 9 points at the size the picture is
saved (12 pixels at the notebooks' 100 dpi), and the tick labels of 3D axes clear of each other.

The figures are built as the notebooks build them: the static pictures of the lesson widgets (caught where
they are rendered to PNG, at the resolution they are rendered at), and the figures a lesson cell shows, which
the inline backend saves at matplotlib's default 100 dpi.
"""

from __future__ import annotations

import inspect

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

import colorlab
from colorlab import plot
from colorlab.lessons import compare_widgets
from colorlab.lessons import steppers
from colorlab.lessons.lloyd import lloyd_history
from colorlab.lessons.shapes import where_kmeans_fails
from colorlab.plot import collection as collection_plot

#: 9 points on a 96-dpi screen, the smallest text read from the back of a classroom on a projector.
MIN_PIXELS = 12
#: The resolution the inline backend saves a notebook cell's figure at (matplotlib's figure.dpi).
INLINE_DPI = matplotlib.rcParamsDefault["figure.dpi"]


def _too_small(figure, dpi) -> list:
    figure.canvas.draw()
    return sorted({(t.get_text()[:40], t.get_fontsize()) for t in figure.findobj(Text)
                   if t.get_visible() and t.get_text().strip() and t.get_fontsize() * dpi / 72 < MIN_PIXELS})


def _overlapping_3d_labels(figure) -> list:
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    found = []
    for ax in [a for a in figure.axes if a.name == "3d"]:
        boxes = []
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            low, high = sorted(axis.get_view_interval())
            boxes += [(label.get_text(), label.get_window_extent(renderer))
                      for tick, label in zip(axis.get_majorticklocs(), axis.get_ticklabels())
                      if label.get_visible() and label.get_text() and low - 1e-9 <= tick <= high + 1e-9]
            boxes.append((axis.label.get_text(), axis.label.get_window_extent(renderer)))
        found += [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:] if box_a.overlaps(box_b)]
    return found


@pytest.fixture(scope="module")
def rocket():
    return colorlab.load_image("rocket")[::2, ::2]


@pytest.fixture(scope="module")
def table():
    return colorlab.batch([colorlab.sample_path(n) for n in ("rocket", "chelsea", "coffee")], 4, workers=1,
                          progress=False)


STILLS = {
    "2D warm-up": lambda photo: steppers.voronoi_stepper(photo, k=4, n=300),
    "rings": lambda photo: steppers.shape_stepper("rings", n=300),
    "Lloyd on the photo": lambda photo: steppers.lloyd_stepper(photo, k=4),
    "choosing k": lambda photo: steppers.k_chooser(photo, ks=[2, 4, 8]),
    "tree cutter": lambda photo: compare_widgets.dendrogram_cutter(photo, k=4, max_k=8),
}


@pytest.mark.parametrize("name", list(STILLS))
def test_the_still_of_a_lesson_widget_is_readable_at_its_saved_size(name, rocket, monkeypatch):
    saved = []
    dpi = inspect.signature(steppers.static_png).parameters["dpi"].default

    def catch(figure, *, dpi=dpi):
        saved.append((figure, dpi))
        return b""

    monkeypatch.setattr(steppers, "static_png", catch)
    monkeypatch.setattr(compare_widgets, "static_png", catch)
    STILLS[name](rocket).static_png()
    (figure, dpi), = saved
    assert not _too_small(figure, dpi), f"{name}: text under {MIN_PIXELS} px at {dpi} dpi"
    assert not _overlapping_3d_labels(figure), f"{name}: 3D tick labels run into each other"
    plt.close(figure)


FIGURES = {
    "where k-means fails": lambda photo, table: plot.kmeans_failures(where_kmeans_fails(n=200, starts=1)),
    "Lloyd overview": lambda photo, table: plot.lloyd_overview(photo, lloyd_history(photo, 4)),
    "clusters in 3D": lambda photo, table: plot.cluster_scatter(
        photo, lloyd_history(photo, 4).labels_image(), lloyd_history(photo, 4).steps[-1].colors).figure,
    "RGB scatter": lambda photo, table: plot.rgb_scatter(photo, colorlab.fit_palette(photo, 4)).figure,
    "gallery": lambda photo, table: plot.gallery([photo, photo, photo], ["original", "k = 4", "k = 8"])[0].figure,
    "swatches": lambda photo, table: plot.swatches(colorlab.fit_palette(photo, 8)).figure,
    "many swatches": lambda photo, table: plot.swatches(colorlab.fit_palette(photo, 32)).figure,
    "size curve": lambda photo, table: plot.size_curve([2, 4, 8], [9000, 12000, 15000], original=40000).figure,
    "palettes in 3D": lambda photo, table: collection_plot.palettes_3d(table),
    "barcode": lambda photo, table: collection_plot.barcode(table, colorlab.collection.thumbnails(table["path"])),
}


@pytest.mark.parametrize("make", list(FIGURES.values()), ids=list(FIGURES))
def test_a_lesson_figure_is_readable_at_the_size_the_notebook_saves(make, rocket, table, request):
    name = request.node.callspec.id
    figure = make(rocket, table)
    assert not _too_small(figure, INLINE_DPI), f"{name}: text under {MIN_PIXELS} px at {INLINE_DPI} dpi"
    assert not _overlapping_3d_labels(figure), f"{name}: 3D tick labels run into each other"
    plt.close(figure)


def test_the_check_finds_small_text_and_crowded_3d_ticks():
    figure = plt.figure(figsize=(2, 2))
    ax = figure.add_subplot(projection="3d")
    ax.set_xticks(range(0, 256, 5))
    ax.tick_params(labelsize=7)
    assert _too_small(figure, INLINE_DPI) and _overlapping_3d_labels(figure)
    plt.close(figure)
