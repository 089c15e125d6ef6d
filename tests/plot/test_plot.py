"""Tests for colorlab.plot: layout, colors, sampling, and good manners (no show, no rcParams, no stray figures)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.image import AxesImage
from matplotlib.markers import MarkerStyle

import colorlab
from colorlab import plot
from colorlab.errors import InvalidImageError, InvalidParameterError
from colorlab.palette.core import Palette

# WCAG 2.x reference values: relative luminance of the sRGB primaries is the matrix row (0.2126, 0.7152, 0.0722)
WCAG_LUMINANCE = {(255, 255, 255): 1.0, (0, 0, 0): 0.0, (255, 0, 0): 0.2126, (0, 255, 0): 0.7152, (0, 0, 255): 0.0722}
WCAG_AA_CONTRAST = 4.5


def _luminance(rgb8) -> float:
    c = np.asarray(rgb8, float) / 255
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def _contrast(rgb_a, rgb_b) -> float:
    hi, lo = sorted([_luminance(rgb_a), _luminance(rgb_b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _hex_to_rgb8(hexcode: str):
    return [int(hexcode[i : i + 2], 16) for i in (1, 3, 5)]


@pytest.fixture
def two_tone():
    """Top half red, bottom half blue: tells up from down."""
    image = np.zeros((40, 60, 3), np.uint8)
    image[:20] = (255, 0, 0)
    image[20:] = (0, 0, 255)
    return image


@pytest.fixture
def palette():
    return Palette([[250, 250, 240], [10, 20, 30], [200, 30, 40], [0, 128, 0]], counts=[50, 30, 15, 5], method="manual")


@pytest.fixture(autouse=True)
def _no_show(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("plot functions must never call plt.show()")

    monkeypatch.setattr(plt, "show", fail)


# -- compare --------------------------------------------------------------------


def test_compare_new_figure_has_two_stacked_axes_with_one_image_each(two_tone):
    quantized = np.zeros_like(two_tone)
    top, bottom = plot.compare(two_tone, quantized)
    assert top.figure is bottom.figure
    assert top.get_position().y0 > bottom.get_position().y0  # original ABOVE quantized
    for ax, expected in ((top, two_tone), (bottom, quantized)):
        assert len(ax.images) == 1 and isinstance(ax.images[0], AxesImage)
        np.testing.assert_array_equal(ax.images[0].get_array(), expected)
        assert ax.get_xticks().size == 0 and ax.get_yticks().size == 0


def test_compare_draws_the_image_right_way_up(two_tone):
    """Rendered pixels: red (the image's top rows) must appear at the top of the axes, as in a photo viewer."""
    top, _ = plot.compare(two_tone, two_tone)
    fig = top.figure
    fig.canvas.draw()
    rendered = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    box = top.get_window_extent()  # display coordinates, origin bottom-left
    height = rendered.shape[0]
    x = int(box.x0 + box.width / 2)
    upper_row = int(height - (box.y1 - box.height * 0.2))
    lower_row = int(height - (box.y0 + box.height * 0.2))
    np.testing.assert_array_equal(rendered[upper_row, x], [255, 0, 0])
    np.testing.assert_array_equal(rendered[lower_row, x], [0, 0, 255])


def test_compare_default_titles_count_the_colors(two_tone):
    top, bottom = plot.compare(two_tone, two_tone)
    assert top.get_title() == "original"
    assert bottom.get_title() == "quantized (2 colors)"


def test_compare_custom_titles(two_tone):
    top, bottom = plot.compare(two_tone, two_tone, titles=("photo", "k=2"))
    assert (top.get_title(), bottom.get_title()) == ("photo", "k=2")


def test_compare_draws_into_given_axes_without_new_figure(two_tone):
    fig, axes = plt.subplots(2, 1)
    before = plt.get_fignums()
    returned = plot.compare(two_tone, two_tone, ax=axes)
    assert list(returned) == list(axes)
    assert plt.get_fignums() == before


def test_compare_image_can_be_updated_in_place(two_tone):
    _, bottom = plot.compare(two_tone, two_tone)
    new = np.full_like(two_tone, 7)
    bottom.images[0].set_data(new)
    np.testing.assert_array_equal(bottom.images[0].get_array(), new)


@pytest.mark.parametrize(
    "original, quantized",
    [
        (np.zeros((4, 4, 3), np.uint8), np.zeros((4, 5, 3), np.uint8)),
        (np.zeros((4, 4), np.uint8), np.zeros((4, 4), np.uint8)),
        (np.zeros((4, 4, 3), np.float64), np.zeros((4, 4, 3), np.uint8)),
        (np.zeros((4, 4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8)),
    ],
    ids=["shapes differ", "2D", "float", "RGBA"],
)
def test_compare_rejects_bad_images(original, quantized):
    with pytest.raises(InvalidImageError):
        plot.compare(original, quantized)


@pytest.mark.parametrize("titles", ["one string", ("a",), ("a", "b", "c")])
def test_compare_rejects_bad_titles(two_tone, titles):
    with pytest.raises(InvalidParameterError, match="titles"):
        plot.compare(two_tone, two_tone, titles=titles)


def test_compare_rejects_wrong_number_of_axes(two_tone):
    fig, axes = plt.subplots(3, 1)
    with pytest.raises(InvalidParameterError, match="two axes"):
        plot.compare(two_tone, two_tone, ax=axes)


# -- swatches -------------------------------------------------------------------


def test_swatch_widths_are_pixel_shares_in_palette_order(palette):
    ax = plot.swatches(palette)
    bars = ax.patches
    assert [round(b.get_width(), 9) for b in bars] == [0.5, 0.3, 0.15, 0.05]
    lefts = [b.get_x() for b in bars]
    assert lefts == sorted(lefts) and lefts[0] == 0
    assert bars[-1].get_x() + bars[-1].get_width() == pytest.approx(1.0)
    np.testing.assert_allclose([b.get_facecolor()[:3] for b in bars], palette.colors / 255)
    assert ax.get_xlim() == (0.0, 1.0)


def test_swatch_labels_show_hex_and_share_in_contrasting_color(palette):
    ax = plot.swatches(palette)
    texts = ax.texts
    assert len(texts) == len(palette)  # every bar here is wide enough (>= 5 %)
    for text, rgb, hexcode, share in zip(texts, palette.colors, palette.to_hex(), palette.shares):
        assert hexcode in text.get_text()
        assert f"{100 * share:.1f}%" in text.get_text()
        text_rgb = np.round(np.array(matplotlib.colors.to_rgb(text.get_color())) * 255)
        assert _contrast(text_rgb, rgb) >= WCAG_AA_CONTRAST


def test_swatches_without_labels_has_no_text(palette):
    assert len(plot.swatches(palette, labels=False).texts) == 0


def test_very_narrow_swatch_gets_no_unreadable_label_and_the_title_says_so():
    p = Palette([[0, 0, 0], [255, 255, 255]], counts=[999, 1])
    ax = plot.swatches(p)
    assert len(ax.patches) == 2
    assert [t.get_text().split()[0] for t in ax.texts] == ["#000000"]
    assert ax.get_title().endswith("(1 too narrow to label)")


def test_a_swatch_of_a_few_percent_still_gets_its_hex_code():
    ax = plot.swatches(Palette([[0, 0, 0], [200, 160, 100]], counts=[97, 3]))
    assert [t.get_text().split()[0] for t in ax.texts] == ["#000000", "#c8a064"]
    assert "too narrow" not in ax.get_title()


def test_elbow_labels_ks_that_do_not_run_together():
    ax = plot.elbow([1, 2, 3, 4, 6, 8, 12, 16, 24, 32], np.linspace(10, 1, 10))
    ticks = ax.get_xticks().tolist()
    assert ticks[0] == 1 and ticks[-1] == 32 and 4 in ticks
    assert min(np.diff(ticks)) >= 31 / 16


def test_step_axes_have_whole_number_ticks():
    ax = plot.inertia_curve(np.linspace(900, 400, 12))
    ax.figure.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks())


def test_rgb_axes_keep_the_blue_label_clear_of_its_ticks():
    ax = plot.rgb_scatter(np.zeros((4, 3), np.uint8))
    assert ax.zaxis.labelpad > ax.xaxis.labelpad


def test_swatches_with_zero_counts_show_equal_widths():
    ax = plot.swatches(Palette([[1, 2, 3], [4, 5, 6]], counts=[0, 0]))
    assert [b.get_width() for b in ax.patches] == [0.5, 0.5]


def test_swatches_rejects_non_palette():
    with pytest.raises(InvalidParameterError, match="Palette"):
        plot.swatches([[1, 2, 3]])


def test_swatches_draws_into_given_axes(palette):
    fig, ax = plt.subplots()
    before = plt.get_fignums()
    assert plot.swatches(palette, ax=ax) is ax
    assert plt.get_fignums() == before


@pytest.mark.parametrize("rgb, luminance", WCAG_LUMINANCE.items())
def test_text_color_rule_uses_wcag_luminance(rgb, luminance):
    assert plot.palette_bar._relative_luminance(rgb) == pytest.approx(luminance)


@given(st.tuples(*[st.integers(0, 255)] * 3))
def test_text_color_is_readable_on_any_background(rgb):
    text_rgb = _hex_to_rgb8(plot.text_color_for(rgb))
    assert _contrast(text_rgb, rgb) >= WCAG_AA_CONTRAST


# -- rgb_scatter ----------------------------------------------------------------


def _sorted_rows(array) -> np.ndarray:
    array = np.asarray(array)
    return array[np.lexsort(array.T[::-1])]


def _drawn_colors(ax, index: int) -> np.ndarray:
    """RGB 0..1 face colors of a 3D collection as drawn (matplotlib only settles them at draw time, depth-sorted)."""
    ax.figure.canvas.draw()
    return _sorted_rows(np.asarray(ax.collections[index].get_facecolor())[:, :3])


def _points(collection) -> np.ndarray:
    # Path3DCollection keeps the data coordinates in _offsets3d (no public getter in matplotlib)
    return np.column_stack([np.asarray(c, float) for c in collection._offsets3d])


def test_rgb_scatter_axes_span_the_rgb_cube(small_photo):
    ax = plot.rgb_scatter(small_photo)
    assert ax.name == "3d"
    assert ax.get_xlim() == ax.get_ylim() == ax.get_zlim() == (0.0, 255.0)
    labels = (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel())
    assert [label.lower() for label in labels] == ["red", "green", "blue"]
    assert ax.get_title()


def test_rgb_scatter_draws_a_sample_of_pixels_in_their_own_colors(small_photo):
    ax = plot.rgb_scatter(small_photo, max_points=500, seed=3)
    points = _points(ax.collections[0])
    assert points.shape == (500, 3)
    pixel_set = {tuple(p) for p in small_photo.reshape(-1, 3).tolist()}
    assert {tuple(p) for p in points.astype(int).tolist()} <= pixel_set
    np.testing.assert_allclose(_drawn_colors(ax, 0), _sorted_rows(points / 255))
    assert 0 < ax.collections[0].get_alpha() < 1


def test_rgb_scatter_draws_every_pixel_when_there_are_few():
    pixels = np.array([[0, 0, 0], [255, 0, 0], [0, 255, 0]], np.uint8)
    ax = plot.rgb_scatter(pixels, max_points=10)
    np.testing.assert_array_equal(_points(ax.collections[0]), pixels)


def test_rgb_scatter_sample_is_seeded(small_photo):
    first = _points(plot.rgb_scatter(small_photo, max_points=200, seed=1).collections[0])
    again = _points(plot.rgb_scatter(small_photo, max_points=200, seed=1).collections[0])
    other = _points(plot.rgb_scatter(small_photo, max_points=200, seed=2).collections[0])
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_rgb_scatter_accepts_image_or_pixels_alike(small_photo):
    from_image = _points(plot.rgb_scatter(small_photo, max_points=300).collections[0])
    from_pixels = _points(plot.rgb_scatter(small_photo.reshape(-1, 3), max_points=300).collections[0])
    np.testing.assert_array_equal(from_image, from_pixels)


def test_rgb_scatter_palette_markers_are_large_edged_and_sized_by_share(small_photo, palette):
    ax = plot.rgb_scatter(small_photo, palette)
    pixels, centers = ax.collections[0], ax.collections[1]
    np.testing.assert_array_equal(_points(centers), palette.colors)
    sizes = centers.get_sizes().copy()  # before drawing, which depth-sorts them
    assert len(sizes) == len(palette)
    assert sizes.min() > pixels.get_sizes().max() * 5
    assert list(sizes) == sorted(sizes, reverse=True)  # palette is ordered by share
    np.testing.assert_allclose(_drawn_colors(ax, 1), _sorted_rows(palette.colors / 255))
    edge = np.asarray(centers.get_edgecolor())[0, :3]
    assert _luminance(edge * 255) < 0.05  # dark edge


def test_rgb_scatter_draws_into_given_3d_axes(small_photo):
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    before = plt.get_fignums()
    assert plot.rgb_scatter(small_photo, ax=ax) is ax
    assert plt.get_fignums() == before


def test_rgb_scatter_rejects_a_2d_axes(small_photo):
    fig, ax = plt.subplots()
    with pytest.raises(InvalidParameterError, match="3D"):
        plot.rgb_scatter(small_photo, ax=ax)


@pytest.mark.parametrize("max_points", [0, -5, 1.5, "100", True])
def test_rgb_scatter_rejects_bad_max_points(small_photo, max_points):
    with pytest.raises(InvalidParameterError, match="max_points"):
        plot.rgb_scatter(small_photo, max_points=max_points)


@pytest.mark.parametrize(
    "pixels", [np.zeros((5, 4), np.uint8), np.zeros((5, 3), np.float64), np.zeros((2, 2, 4), np.uint8)]
)
def test_rgb_scatter_rejects_bad_pixels(pixels):
    with pytest.raises(InvalidImageError):
        plot.rgb_scatter(pixels)


def test_rgb_scatter_rejects_non_palette(small_photo):
    with pytest.raises(InvalidParameterError, match="Palette"):
        plot.rgb_scatter(small_photo, palette=np.zeros((3, 3), np.uint8))


# -- elbow ----------------------------------------------------------------------


def test_elbow_plots_values_against_k_and_marks_one():
    ks, values = [2, 4, 8, 16], [900.0, 400.0, 150.0, 90.0]
    ax = plot.elbow(ks, values, ylabel="MSE", mark=8)
    line = ax.lines[0]
    np.testing.assert_array_equal(line.get_xdata(), ks)
    np.testing.assert_array_equal(line.get_ydata(), values)
    marked_x = {float(np.asarray(artist.get_xdata())[0]) for artist in ax.lines[1:]}
    assert marked_x == {8.0}
    assert "k" in ax.get_xlabel() and ax.get_ylabel() == "MSE"


@pytest.mark.parametrize(
    "ks, values, mark", [([2, 4], [1.0], None), ([], [], None), ([2, 4], [1.0, 2.0], 3)], ids=["lengths", "empty", "mark"]
)
def test_elbow_rejects_bad_input(ks, values, mark):
    with pytest.raises(InvalidParameterError):
        plot.elbow(ks, values, mark=mark)


# -- manners --------------------------------------------------------------------


def test_plot_functions_leave_rcparams_alone(small_photo, palette):
    before = dict(matplotlib.rcParams)
    plot.compare(small_photo, small_photo)
    plot.swatches(palette)
    plot.rgb_scatter(small_photo, palette)
    plot.elbow([1, 2], [2.0, 1.0])
    assert dict(matplotlib.rcParams) == before


def test_each_call_without_ax_makes_exactly_one_figure(small_photo, palette):
    plt.close("all")
    plot.compare(small_photo, small_photo)
    plot.swatches(palette)
    plot.rgb_scatter(small_photo, palette)
    plot.elbow([1, 2], [2.0, 1.0])
    assert len(plt.get_fignums()) == 4


def test_plot_is_reachable_from_the_package():
    assert colorlab.plot.swatches is plot.swatches and set(plot.__all__) <= set(dir(colorlab.plot))


# ---------------------------------------------------------------- lesson plots (cluster scatter, paths, curves)


OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


def test_cluster_colors_are_okabe_itos_and_repeat_after_8():
    colors = plot.cluster_colors(9)
    assert {matplotlib.colors.to_hex(c) for c in colors[:8]} == OKABE_ITO
    np.testing.assert_array_equal(colors[8], colors[0])


def test_no_red_and_green_pair_among_the_first_clusters():
    """Deuteranopes confuse a red with a green of similar lightness: tab10's first four held both."""
    hexes = [matplotlib.colors.to_hex(c) for c in plot.cluster_colors(4)]
    assert not {"#d62728", "#2ca02c"} & set(hexes)


def test_cluster_markers_tell_apart_every_cluster_that_shares_a_color():
    markers, colors = plot.cluster_markers(64), plot.cluster_colors(64)
    pairs = {(m, matplotlib.colors.to_hex(c)) for m, c in zip(markers, colors)}
    assert len(pairs) == 64 and len(set(markers[:8])) == 8


def test_the_2d_warm_up_draws_each_cluster_with_its_own_shape(points_history):
    ax = plot.voronoi_step(points_history, 2)
    points, centers = ax.collections[:2]
    labels = points_history.half_steps[2].labels
    shapes = plot.cluster_markers(points_history.k)
    expected = [MarkerStyle(shapes[j]) for j in labels]
    for path, style in zip(points.get_paths(), expected):
        np.testing.assert_allclose(path.vertices, style.get_path().transformed(style.get_transform()).vertices)
    assert len(centers.get_paths()) == points_history.k


def test_3d_tick_labels_are_readable_and_do_not_overlap():
    from colorlab.lessons.lloyd import lloyd_history

    image = colorlab.load_image("rocket")[::8, ::8]
    figure = plot.lloyd_overview(image, lloyd_history(image, 4, seed=0))
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    for ax in [a for a in figure.axes if a.name == "3d"]:
        labels = [t for axis in (ax.xaxis, ax.yaxis, ax.zaxis) for t in axis.get_ticklabels() if t.get_text()]
        assert labels and min(t.get_fontsize() for t in labels) >= 9
        # red's "255" and green's "0" share a corner and read as "2550": only one of them is labelled
        assert "0" not in [t.get_text() for t in ax.yaxis.get_ticklabels()]
        boxes = [t.get_window_extent(renderer) for t in labels]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not a.overlaps(b), "two tick labels of a 3D plot overlap"


@pytest.mark.parametrize("k", [0, -1, 2.0, True])
def test_cluster_colors_refuses_a_bad_k(k):
    with pytest.raises(InvalidParameterError, match="k must be a whole number"):
        plot.cluster_colors(k)


def test_cluster_scatter_colors_pixels_by_cluster_and_draws_centers():
    pixels = np.array([[0, 0, 0], [10, 0, 0], [250, 250, 250], [240, 250, 250]], np.uint8)
    ax = plot.cluster_scatter(pixels, [0, 0, 1, 1], [[5, 0, 0], [245, 250, 250]])
    ax.figure.canvas.draw()
    points, centers = ax.collections
    expected = plot.cluster_colors(2)[[0, 0, 1, 1]]
    np.testing.assert_allclose(points.get_facecolors()[:, :3], expected)
    np.testing.assert_allclose(centers.get_facecolors()[:, :3], np.array([[5, 0, 0], [245, 250, 250]]) / 255)
    np.testing.assert_allclose(centers.get_edgecolors()[:, :3], plot.cluster_colors(2))


def test_cluster_scatter_samples_pixels_with_their_labels(rng):
    pixels = rng.integers(0, 256, (500, 3), dtype=np.uint8)
    labels = (pixels[:, 0] > 127).astype(int)  # cluster 1: the reddish half
    ax = plot.cluster_scatter(pixels, labels, max_points=50)
    ax.figure.canvas.draw()
    shown = np.asarray(ax.collections[0]._offsets3d).T
    colors = ax.collections[0].get_facecolors()[:, :3]
    assert len(shown) == 50
    # a 3D collection draws (and lists colors) in depth order: compare how many points have each color
    expected = plot.cluster_colors(2)[(shown[:, 0] > 127).astype(int)]
    np.testing.assert_allclose(np.sort(colors, axis=0), np.sort(expected, axis=0))


@pytest.mark.parametrize(
    ("labels", "centers", "match"),
    [([0, 1], None, "one cluster number"), ([0, 0, 1.5], None, "one cluster number"),
     ([0, -1, 0], None, "one cluster number"), ([0, 1, 2], [[0, 0, 0], [1, 1, 1]], "a row for every cluster"),
     ([0, 0, 0], [[0, 0]], "shape \\(k, 3\\)")],
)
def test_cluster_scatter_refuses_bad_labels_or_centers(labels, centers, match):
    pixels = np.zeros((3, 3), np.uint8)
    with pytest.raises(InvalidParameterError, match=match):
        plot.cluster_scatter(pixels, labels, centers)


def test_cluster_scatter_needs_3d_axes():
    _, ax = plt.subplots()
    with pytest.raises(InvalidParameterError, match="3D axes"):
        plot.cluster_scatter(np.zeros((2, 3), np.uint8), [0, 0], ax=ax)


def test_centroid_paths_draw_one_line_per_center_in_its_cluster_color():
    path = np.array([[[0, 0, 0], [255, 255, 255], [0, 255, 0]],
                     [[10, 0, 0], [200, 200, 200], [0, 250, 0]],
                     [[20, 5, 0], [190, 200, 210], [0, 250, 0]]], np.float64)
    ax = plot.centroid_paths(path)
    assert len(ax.lines) == 3
    for j, line in enumerate(ax.lines):
        np.testing.assert_allclose(np.array(line.get_data_3d()).T, path[:, j])
        np.testing.assert_allclose(matplotlib.colors.to_rgb(line.get_color()), plot.cluster_colors(3)[j])


@pytest.mark.parametrize("path", [np.zeros((0, 2, 3)), np.zeros((2, 3)), np.zeros((1, 2, 2))])
def test_centroid_paths_refuse_a_bad_shape(path):
    with pytest.raises(InvalidParameterError, match="n_steps, k, 3"):
        plot.centroid_paths(path)


def test_inertia_curve_marks_a_step():
    ax = plot.inertia_curve([900.0, 500.0, 450.0, 449.0], mark=2)
    assert ax.lines[0].get_ydata().tolist() == [900.0, 500.0, 450.0, 449.0]
    assert ax.lines[-1].get_xdata().tolist() == [2] and ax.lines[-1].get_ydata().tolist() == [450.0]


@pytest.mark.parametrize(("values", "mark"), [([], None), ([[1.0, 2.0]], None), ([1.0, 2.0], 2), ([1.0], True)])
def test_inertia_curve_refuses_bad_input(values, mark):
    with pytest.raises(InvalidParameterError):
        plot.inertia_curve(values, mark=mark)


def test_gallery_shows_each_image_with_its_title():
    images = [np.full((3, 4, 3), v, np.uint8) for v in (0, 128, 255)]
    axes = plot.gallery(images, ["a", "b", "c"])
    assert [a.get_title() for a in axes] == ["a", "b", "c"]
    for a, image in zip(axes, images):
        np.testing.assert_array_equal(a.images[0].get_array(), image)


def test_gallery_refuses_mismatched_titles_or_no_images():
    with pytest.raises(InvalidParameterError, match="one entry per image"):
        plot.gallery([np.zeros((2, 2, 3), np.uint8)], ["a", "b"])
    with pytest.raises(InvalidParameterError, match="at least one image"):
        plot.gallery([])
    with pytest.raises(InvalidImageError):
        plot.gallery([np.zeros((2, 2), np.uint8)])


def test_size_curve_plots_kilobytes_and_the_original():
    ax = plot.size_curve([2, 4, 8], [2000, 5000, 9000], original=300_000, mark=4)
    assert ax.lines[0].get_ydata().tolist() == [2.0, 5.0, 9.0]
    assert any(list(line.get_ydata()) == [300.0, 300.0] for line in ax.lines)
    assert "300 kB" in ax.texts[0].get_text()
    assert ax.get_legend() is None  # a legend box would cover the curve in the k chooser's small panels


def test_gallery_wraps_into_rows_of_ncols():
    images = [np.full((3, 4, 3), v, np.uint8) for v in (0, 60, 120, 180, 240)]
    axes = plot.gallery(images, ncols=2)
    rows = sorted({round(a.get_position().y0, 3) for a in axes})
    columns = sorted({round(a.get_position().x0, 3) for a in axes})
    assert len(axes) == 5 and len(rows) == 3 and len(columns) == 2
    with pytest.raises(InvalidParameterError, match="ncols"):
        plot.gallery(images, ncols=0)


# -- the half-steps of lesson 03 --------------------------------------------------


@pytest.fixture
def points_history():
    from colorlab.lessons.lloyd import lloyd_points

    return lloyd_points([[0, 0], [0, 40], [200, 0], [200, 40], [210, 20]], 2, init=[[0, 0], [0, 40]])


def test_voronoi_step_tints_the_cells_and_draws_an_arrow_after_an_update(points_history):
    ax = plot.voronoi_step(points_history, 1)
    assert ax.get_title().startswith("update 1")
    assert len(ax.images) == 1 and len(ax.collections) == 2
    np.testing.assert_allclose(ax.collections[1].get_offsets(), points_history.half_steps[1].centers)
    assert [t for t in ax.texts if t.arrow_patch is not None]  # where the centers came from
    assert not plot.voronoi_step(points_history, 2).texts  # an assign moves no center


def test_voronoi_step_refuses_3d_points_and_bad_positions(points_history):
    from colorlab.lessons.lloyd import lloyd_points

    with pytest.raises(InvalidParameterError, match="2D points"):
        plot.voronoi_step(lloyd_points(np.eye(3) * 9, 2, seed=0), 0)
    with pytest.raises(InvalidParameterError, match="half-step from 0 to"):
        plot.voronoi_step(points_history, 99)


def test_voronoi_steps_shows_the_start_the_first_steps_and_the_end(points_history):
    axes = plot.voronoi_steps(points_history)
    names = [ax.get_title().split(" ·")[0] for ax in axes]
    assert names[0] == "start" and names[-1] == points_history.half_steps[-1].name
    assert len(axes) == len(points_history.half_steps)  # a short run: every half-step


def test_half_step_curve_puts_updates_between_the_steps(small_photo):
    from colorlab.lessons.lloyd import lloyd_history

    history = lloyd_history(small_photo, 3, seed=0)
    ax = plot.half_step_curve(history, mark=3)
    xs = ax.lines[0].get_xdata()
    assert xs.tolist() == [h.x for h in history.half_steps]
    assert xs[1] == 0.5 and history.half_steps[1].kind == "update"
    assert np.all(np.diff(ax.lines[0].get_ydata()) <= 1e-9)  # never up
    assert ax.lines[-1].get_xdata()[0] == history.half_steps[3].x


def test_lloyd_overview_shows_chosen_half_steps(small_photo):
    from colorlab.lessons.lloyd import lloyd_history

    history = lloyd_history(small_photo, 3, seed=0)
    figure = plot.lloyd_overview(small_photo, history)
    titles = [ax.get_title() for ax in figure.axes if ax.name != "3d" and ax.images]
    assert titles[0] == "start: first centers" and titles[1] == "update 1: centers move"
    assert titles[-1].endswith("converged")
    with pytest.raises(InvalidParameterError, match="1 to 6"):
        plot.lloyd_overview(small_photo, history, positions=list(range(7)))
