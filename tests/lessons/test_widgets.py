"""The explorer, driven headless: set control values, check palette, drawn image data, numbers and messages."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

import colorlab
from colorlab.lessons import widgets


@pytest.fixture
def small_explorer(small_photo):
    """An explorer on a small real photo so every update is quick; its exports go to the tests' own folders."""
    return widgets.explorer(small_photo, k=4, allow_outside=True)


def _upload(name: str, content: bytes) -> tuple:
    return ({"name": name, "type": "", "size": len(content), "content": memoryview(content),
             "last_modified": datetime.now(timezone.utc)},)


def _png_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def _huge_header_png(width: int = 200_000, height: int = 200_000) -> bytes:
    """A PNG whose header claims 40 gigapixels, with no real pixel data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def test_builds_with_named_controls(small_explorer):
    ex = small_explorer
    assert (ex.k_slider.min, ex.k_slider.max, ex.k_slider.value) == (1, 64, 4)
    assert [value for _, value in ex.method.options] == list(colorlab.METHODS)
    assert set(colorlab.samples()) <= set(ex.image_picker.options)
    assert len(ex.palette) == 4 and ex.message.value == ""
    assert ex.quantized.shape == ex.image.shape and ex.quantized.dtype == np.uint8
    assert ex._repr_mimebundle_()["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.widget.model_id


@pytest.mark.parametrize("k", [1, 2, 7, 16])
def test_k_slider_changes_palette_image_and_stats(small_explorer, k):
    ex = small_explorer
    before_text, before_shown = ex.stats_text.value, np.array(ex.quantized_artist.get_array())
    ex.k_slider.value = k
    assert len(ex.palette) == k
    assert ex.palette.params["k"] == k
    # the quantized image has exactly the palette's colors, and that is what the figure shows
    shown = np.asarray(ex.quantized_artist.get_array())
    assert set(map(tuple, shown.reshape(-1, 3))) <= set(map(tuple, ex.palette.colors))
    assert not np.array_equal(shown, before_shown)
    assert ex.stats["colors_after"] == len(np.unique(ex.quantized.reshape(-1, 3), axis=0))
    assert ex.stats["mse"] == pytest.approx(colorlab.metrics.mse(ex.image, ex.quantized))
    assert ex.stats_text.value != before_text and f"<b>{ex.stats['colors_after']}</b>" in ex.stats_text.value


def test_more_colors_lower_error(small_explorer):
    ex = small_explorer
    ex.k_slider.value = 2
    coarse = ex.stats["mse"]
    ex.k_slider.value = 24
    assert ex.stats["mse"] < coarse
    assert ex.stats["psnr"] == pytest.approx(10 * np.log10(3 * 255**2 / ex.stats["mse"]))


def test_image_picker_switches_photo():
    ex = widgets.explorer("rocket", k=3)
    ex.image_picker.value = "chelsea"
    chelsea = colorlab.load_image("chelsea")
    assert ex.image_name == "chelsea" and np.array_equal(ex.image, chelsea)
    assert ex.quantized.shape == chelsea.shape
    shown = np.asarray(ex.original_artist.get_array())
    assert np.array_equal(shown, widgets._for_display(chelsea))
    assert max(shown.shape[:2]) <= widgets.DISPLAY_SIZE
    assert "chelsea" in ex.stats_text.value


@pytest.mark.parametrize("control, value", [("method", "scipy"), ("seed", 7)])
def test_method_and_seed_recompute(small_explorer, control, value):
    ex = small_explorer
    count = ex.compute_count
    getattr(ex, control).value = value
    assert ex.compute_count == count + 1
    assert (ex.palette.method if control == "method" else ex.palette.params["seed"]) == value


def test_cache_reuses_results(small_explorer):
    ex = small_explorer
    first = ex.palette
    ex.k_slider.value = 9
    count = ex.compute_count
    ex.k_slider.value = 4
    assert ex.compute_count == count  # k=4 came from the cache
    assert ex.palette is first


def test_cache_is_bounded(small_explorer, monkeypatch):
    monkeypatch.setattr(widgets, "CACHE_SIZE", 3)
    for k in range(2, 9):
        small_explorer.k_slider.value = k
    assert len(small_explorer._cache) == 3


def test_values_set_by_code_in_a_running_loop_update_at_once(small_explorer):
    async def set_k():
        small_explorer.k_slider.value = 13
        assert len(small_explorer.palette) == 13

    asyncio.run(set_k())


def test_burst_of_browser_values_computes_only_the_last(small_explorer, monkeypatch):
    monkeypatch.setattr(widgets, "_handling_browser_message", lambda: True)
    ex = small_explorer
    ex.debounce = 0.05
    count = ex.compute_count

    async def move_slider():
        for k in (5, 6, 7, 8, 9):
            ex.k_slider.value = k  # as queued comm messages would, with no pause between them
        assert ex.compute_count == count  # nothing computed yet: the work is pending
        await asyncio.sleep(0.3)

    asyncio.run(move_slider())
    assert ex.compute_count == count + 1
    assert len(ex.palette) == 9


@pytest.mark.parametrize(
    "name, content",
    [
        ("notes.txt", b"this is not a photo\n"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10),
        ("huge.png", _huge_header_png()),
    ],
    ids=["text", "broken-png", "huge-header"],
)
def test_invalid_upload_shows_message_and_keeps_image(small_explorer, name, content):
    ex = small_explorer
    image, palette, options = ex.image, ex.palette, list(ex.image_picker.options)
    ex.upload.value = _upload(name, content)
    assert name in ex.message.value and "was not used" in ex.message.value
    assert ex.image is image and ex.palette is palette
    assert list(ex.image_picker.options) == options
    ex.k_slider.value = 5  # still working
    assert len(ex.palette) == 5


def test_error_in_a_delayed_update_is_shown(small_explorer, monkeypatch):
    monkeypatch.setattr(widgets, "_handling_browser_message", lambda: True)
    ex = small_explorer
    ex.debounce = 0.01

    def broken(*args, **kwargs):
        raise RuntimeError("engine on fire")

    monkeypatch.setattr(widgets, "reduce_colors", broken)

    async def move_slider():
        ex.k_slider.value = 11
        await asyncio.sleep(0.2)

    asyncio.run(move_slider())
    assert "engine on fire" in ex.message.value
    assert len(ex.palette) == 4  # the previous result stays


@pytest.mark.parametrize("name, stem", [("rocket", "rocket"), ("my photo.png (1a2b3c)", "my-photo"), ("..", "image")])
def test_export_file_names(name, stem):
    assert colorlab.io.uploads.file_stem(name) == stem


def test_message_clears_after_next_good_update(small_explorer):
    ex = small_explorer
    ex.upload.value = _upload("x.txt", b"no")
    assert ex.message.value
    ex.k_slider.value = 3
    assert ex.message.value == ""


def test_valid_upload_becomes_the_image(small_explorer, rng):
    ex = small_explorer
    photo = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    ex.upload.value = _upload("mine.png", _png_bytes(photo))
    assert ex.message.value == ""
    assert np.array_equal(ex.image, photo)
    assert ex.image_picker.value.startswith("mine.png")
    assert np.array_equal(np.asarray(ex.original_artist.get_array()), photo)


def test_export_writes_four_files(small_explorer, tmp_path):
    ex = small_explorer
    ex.export_folder.value = str(tmp_path / "new" / "folder")  # created on demand
    ex.export_button.click()
    written = sorted((tmp_path / "new" / "folder").iterdir())
    assert [p.name for p in written] == [f"your-image-k4-kmeans-seed0{sfx}" for sfx in (".gpl", ".hex", ".json", ".png")]
    assert str((tmp_path / "new" / "folder").resolve()) in ex.message.value
    assert np.array_equal(colorlab.load_image(next(p for p in written if p.suffix == ".png")), ex.quantized)
    saved = colorlab.Palette.from_json(next(p for p in written if p.suffix == ".json").read_text())
    assert saved == ex.palette
    assert next(p for p in written if p.suffix == ".hex").read_text().split() == ex.palette.to_hex()


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_export_to_unwritable_place_shows_message(small_explorer, tmp_path, where):
    ex = small_explorer
    blocker = tmp_path / "a-file.txt"
    blocker.write_text("x")
    # root may write anywhere on disk, so use places no one can write: below a file, and /proc
    ex.export_folder.value = str(blocker / "out") if where == "under-a-file" else "/proc/colorlab-export"
    assert ex.export() == []
    assert "cannot create the folder" in ex.message.value
    ex.k_slider.value = 2  # the explorer keeps working
    assert len(ex.palette) == 2 and ex.message.value == ""


def test_one_figure_reused(small_explorer):
    import matplotlib.pyplot as plt

    ex = small_explorer
    figures = plt.get_fignums()
    artist = ex.quantized_artist
    for k in (2, 3, 5):
        ex.k_slider.value = k
    assert plt.get_fignums() == figures
    assert list(ex.quantized_axes.images) == [artist]
    assert ex.figure_view.value[:8] == b"\x89PNG\r\n\x1a\n"  # Agg: the figure is shown as a PNG


def test_scatter_shows_centroids(small_explorer):
    ex = small_explorer
    ex.k_slider.value = 5
    pixels, centroids = ex.scatter_axes.collections[:2]
    assert len(centroids.get_offsets()) == 5


def test_outside_a_kernel_nothing_comes_from_a_browser():
    assert widgets._handling_browser_message() is False


def test_method_dropdown_warns_which_methods_are_slow():
    ex = widgets.explorer(np.zeros((4, 4, 3), np.uint8) + np.arange(4, dtype=np.uint8)[:, None, None], k=2)
    labels = dict((value, label) for label, value in ex.method.options)
    assert labels["scipy"] == "scipy (slow on big photos)" and labels["kmeans"] == "kmeans"
    ex.method.value = "scipy"  # still selectable, and it works
    assert ex.palette.method == "scipy"


def test_changing_k_redraws_only_the_centroids_in_3d():
    ex = widgets.explorer("rocket", k=4)
    pixels_before = ex.scatter_axes.collections[0]
    ex.k_slider.value = 7
    pixels, markers = ex.scatter_axes.collections  # the same pixel cloud, new centroids
    assert pixels is pixels_before
    assert len(markers.get_offsets()) == 7 and len(ex.palette) == 7
    ex.image_picker.value = "coffee"  # a new photo: a new cloud
    assert ex.scatter_axes.collections[0] is not pixels_before
    assert len(ex.scatter_axes.collections) == 2


def _figure_pixels(ex) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(ex.figure_view.value)).convert("RGB"))


def _full_draw_pixels(ex) -> np.ndarray:
    """The figure drawn from scratch in one pass, with no part left out for blitting."""
    animated = [artist for artist in ex.figure.findobj() if artist.get_animated()]
    for artist in animated:
        artist.set_animated(False)
    try:
        ex.figure.canvas.draw()
        return np.array(ex.figure.canvas.buffer_rgba())[..., :3]
    finally:
        for artist in animated:
            artist.set_animated(True)


def test_blitted_update_looks_exactly_like_a_full_draw():
    ex = widgets.explorer("rocket", k=4)
    assert ex.quantized_axes.get_animated() and ex._palette_markers.get_animated()  # Agg: blitting is on
    for control, value in [("k_slider", 9), ("k_slider", 40), ("method", "kmeans2"), ("image_picker", "coffee"),
                           ("k_slider", 2), ("seed", 3)]:
        getattr(ex, control).value = value
        assert np.array_equal(_figure_pixels(ex), _full_draw_pixels(ex)), f"after {control}={value}"


def test_blitted_update_shows_the_new_palette():
    ex = widgets.explorer("rocket", k=3)
    before = _figure_pixels(ex)
    ex.k_slider.value = 12
    after = _figure_pixels(ex)
    left, top, right, bottom = (int(v) for v in ex.swatches_axes.get_window_extent().extents)
    height = after.shape[0]
    swatch_rows = slice(height - bottom, height - top)  # figure pixels count y from the bottom
    assert not np.array_equal(before[swatch_rows, left:right], after[swatch_rows, left:right])
    assert len(ex.swatches_axes.patches) == 12
    assert ex.swatches_axes.get_title().startswith("palette: 12 colors, width = share of pixels")
    assert ex.scatter_axes.get_title() == "pixels and 12 palette colors in RGB space"


def test_full_redraw_renders_the_background_again(small_explorer):
    ex = small_explorer
    ex.original_axes.set_title("changed by hand")
    ex.redraw()
    assert np.array_equal(_figure_pixels(ex), _figure_pixels(ex))  # sanity: decoding is stable
    kept = _figure_pixels(ex)
    ex.redraw(full=True)
    assert not np.array_equal(_figure_pixels(ex), kept)  # the static title is drawn anew
    assert np.array_equal(_figure_pixels(ex), _full_draw_pixels(ex))


@pytest.mark.parametrize("k", [1, 5, 24, 64])
def test_update_swatches_draws_what_swatches_draws(k):
    import matplotlib.pyplot as plt

    image = colorlab.load_image("coffee")[::4, ::4]
    palette = colorlab.fit_palette(image, k)
    fresh = colorlab.plot.swatches(palette)
    updated = colorlab.plot.swatches(colorlab.fit_palette(image, 7, seed=1))
    assert colorlab.plot.update_swatches(palette, updated) is updated
    pixels = []
    for ax in (fresh, updated):
        ax.figure.canvas.draw()
        pixels.append(np.array(ax.figure.canvas.buffer_rgba()))
        plt.close(ax.figure)
    assert len(updated.patches) == len(palette) and len(updated.texts) == len(fresh.texts)
    assert np.array_equal(*pixels)


def test_update_swatches_rejects_a_non_palette():
    ax = colorlab.plot.swatches(colorlab.Palette([[1, 2, 3]], counts=[1]))
    with pytest.raises(colorlab.errors.InvalidParameterError, match="palette must be a colorlab.Palette"):
        colorlab.plot.update_swatches([[1, 2, 3]], ax)


def test_title_names_the_seed_only_for_methods_that_use_it(small_explorer):
    ex = small_explorer
    ex.seed.value = 5
    assert ex.quantized_axes.get_title().endswith("(kmeans, seed 5)")
    ex.method.value = "median-cut"
    assert ex.quantized_axes.get_title().endswith("(median-cut)")
