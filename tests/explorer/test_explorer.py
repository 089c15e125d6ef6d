"""The explorer (colorlab.explorer) driven headless: set controls, check what was computed and what the browser is sent.

Values set from Python compute at once; values that arrive as a browser message (``set_state``, what
ipywidgets calls for one) go to the worker thread once a view has said it is ready. The browser
side (the JS files in colorlab/explorer/js/) is driven for real in tests/explorer/test_browser.py.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import colorlab
from colorlab import metrics
from colorlab.explorer import Key, Session, explorer
from colorlab.explorer.app import Explorer, result_message, snapshot_png
from colorlab.explorer.session import make_photo


class Outbox:
    """What the widget sends to the browser, kept (the widget has no browser here)."""

    def __init__(self, widget):
        self.messages = []
        original = widget.send

        def send(content, buffers=None):
            self.messages.append((content, buffers or []))
            original(content, buffers)

        widget.send = send

    def of(self, kind):
        return [(c, b) for c, b in self.messages if c["type"] == kind]


@pytest.fixture
def ex(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # Export writes under the folder the explorer was opened in
    widget = explorer("coffee", k=4)
    yield widget
    widget.close()


def _wait(condition, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_builds_with_its_controls(ex):
    assert ex.photo == "coffee" and ex.k == 4 and (ex.k_min, ex.k_max) == (1, 256)
    assert set(colorlab.samples()) <= set(ex.photos)
    assert [value for _, value in ex.methods] == list(colorlab.METHODS)
    assert ex.spaces == list(colorlab.SPACES) and ex.dithers == ["none", "floyd-steinberg", "bayer"]
    assert len(ex.palette) == 4 and ex.message == "" and not ex.error


@pytest.mark.parametrize("k", [1, 2, 9, 33, 64, 256])
def test_k_gives_the_library_result_and_exact_figures(ex, k):
    ex.k = k
    image = colorlab.load_image("coffee")
    expected = colorlab.fit_palette(image, k, seed=0)
    assert ex.palette == expected
    quantized = colorlab.quantize(image, expected)
    assert np.array_equal(ex.quantized, quantized)
    # the figures are those of the full-resolution image, to the last bit
    assert ex.stats["mse"] == metrics.mse(image, quantized)
    assert ex.stats["psnr"] == metrics.psnr(image, quantized)
    assert ex.stats["colors_before"] == metrics.count_colors(image)
    assert ex.stats["colors_after"] == metrics.count_colors(quantized)


def test_what_the_browser_is_sent_paints_the_quantized_photo(ex):
    outbox = Outbox(ex)
    ex._on_message(ex, {"type": "ready"}, [])  # a view opened
    photo_content, (rgb, points) = outbox.of("photo")[0]
    result_content, (labels, point_labels) = outbox.of("result")[0]
    dh, dw = photo_content["dh"], photo_content["dw"]
    assert (photo_content["width"], photo_content["height"]) == (600, 400) and max(dh, dw) <= 640
    display = np.frombuffer(rgb, np.uint8).reshape(dh, dw, 3)
    index = np.frombuffer(labels, np.uint8).reshape(dh, dw)
    palette = np.array(result_content["palette"], np.uint8)
    assert result_content["key"] == Key("coffee", 4).text() == "coffee|4|kmeans|0|rgb|none|"
    # what the browser paints (palette[index]) is the full quantized image at the displayed pixels
    photo = ex.session.photo("coffee")
    assert np.array_equal(display, ex.image[np.ix_(photo.rows, photo.cols)])
    assert np.array_equal(palette[index], ex.quantized[np.ix_(photo.rows, photo.cols)])
    assert len(np.frombuffer(points, np.uint8)) == 3 * len(np.frombuffer(point_labels, np.uint8))
    assert result_content["stats"]["mse"] == pytest.approx(ex.stats["mse"])


def test_browser_changes_go_to_the_worker_which_computes_the_newest_and_looks_ahead(ex):
    outbox = Outbox(ex)
    ex._on_message(ex, {"type": "ready"}, [])
    for k in (5, 6, 7, 8):  # a burst of key presses arriving from the browser
        ex.set_state({"k": k})
    assert _wait(lambda: ex.result.key.k == 8), "the newest k was never shown"
    sent = {c["k"] for c, _ in outbox.of("result")}
    assert 8 in sent
    # then the neighbours are computed ahead and sent, so the next step needs no round trip
    assert _wait(lambda: {9, 7, 10} <= {c["k"] for c, _ in outbox.of("result")}), "no look-ahead"
    ahead = [c for c, _ in outbox.of("result") if c["k"] == 9][0]
    assert ahead["ahead"] is True and ahead["key"] == Key("coffee", 9).text()
    assert ex.session.cached(Key("coffee", 9)).palette == colorlab.fit_palette(colorlab.load_image("coffee"), 9)


def test_a_setting_that_fails_says_so_and_the_explorer_stays_usable(ex):
    ex.set_state({"method": "no-such-method"})
    assert ex.error and "method must be one of" in ex.message
    ex.set_state({"method": "median-cut"})
    ex.k = 7
    assert not ex.error and len(ex.palette) == 7 and ex.palette.method == "median-cut"


def test_methods_spaces_and_dithering(ex):
    image = colorlab.load_image("coffee")
    ex.method, ex.space = "kmeans", "oklab"
    assert ex.palette == colorlab.fit_palette(image, 4, space="oklab")
    ex.dither = "floyd-steinberg"
    quantized = colorlab.quantize(image, ex.palette, dither="floyd-steinberg")
    assert np.array_equal(ex.quantized, quantized)
    assert ex.stats["mse"] == metrics.mse(image, quantized)
    photo = ex.session.photo("coffee")
    assert np.array_equal(ex.result.display_labels, ex.result._full_labels[np.ix_(photo.rows, photo.cols)])


def _png(image) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def test_upload_adds_and_shows_a_photo_and_a_bad_one_is_refused(ex):
    image = np.random.default_rng(0).integers(0, 255, (30, 40, 3), dtype=np.uint8)
    name = ex.add_upload("mine.png", _png(image))
    assert name in ex.photos and ex.photo == name and np.array_equal(ex.image, image)
    ex._on_message(ex, {"type": "upload", "name": "notes.png"}, [memoryview(b"just some text")])
    assert ex.error and ex.message.startswith("notes.png was not used") and "PNG or JPEG" in ex.message
    assert ex.photo == name  # the previous photo stays
    ex.k = 3
    assert len(ex.palette) == 3


def test_an_upload_over_the_limits_is_refused(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    ex = explorer(np.zeros((20, 20, 3), np.uint8), k=1, max_pixels=1000, max_upload_mb=1)
    try:
        assert ex.add_upload("big.bin", b"\0" * (2 * 2**20)) is None and "more than the 1 MB" in ex.message
        assert ex.add_upload("wide.png", _png(np.zeros((40, 40, 3), np.uint8))) is None
        assert "explorer(..., max_pixels=" in ex.message
    finally:
        ex.close()


def test_export_writes_under_the_notebook_folder_only(ex, tmp_path):
    ex.k = 5
    written = ex.export(elev=0.4, azim=-0.9)
    names = sorted(path.name for path in written)
    assert names == sorted(f"coffee-k5-kmeans-seed0{suffix}" for suffix in (".png", ".hex", ".json", ".gpl", "-view.png"))
    assert all(path.parent == tmp_path / "colorlab-export" for path in written)
    with Image.open(written[0]) as indexed:
        assert indexed.mode == "P" and np.array_equal(np.asarray(indexed.convert("RGB")), ex.quantized)
    assert colorlab.Palette.from_json(written[2].read_text()) == ex.palette
    with Image.open(tmp_path / "colorlab-export" / "coffee-k5-kmeans-seed0-view.png") as view:
        assert view.width > 800
    for outside in ("../elsewhere", str(tmp_path.parent / "abs")):
        ex.export_folder = outside
        assert ex.export() == [] and ex.error and "outside the notebook's folder" in ex.message
    assert not (tmp_path.parent / "elsewhere").exists() and not (tmp_path.parent / "abs").exists()


def test_export_to_the_browser_writes_nothing_on_the_server(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    ex = explorer("coffee", k=3, method="median-cut", export_to="browser")
    outbox = Outbox(ex)
    try:
        names = ex.export()
        content, buffers = outbox.of("download")[0]
        assert content["files"] == names == ["coffee-k3-median-cut.zip"] and len(buffers) == 1
        assert list(tmp_path.iterdir()) == []
        with zipfile.ZipFile(io.BytesIO(buffers[0])) as bundle:
            assert sorted(bundle.namelist()) == sorted(f"coffee-k3-median-cut{s}" for s in
                                                       (".png", ".hex", ".json", ".gpl", "-view.png"))
            with Image.open(io.BytesIO(bundle.read("coffee-k3-median-cut.png"))) as image:
                assert np.array_equal(np.asarray(image.convert("RGB")), ex.quantized)
    finally:
        ex.close()


def test_a_saved_notebook_keeps_a_still_picture(ex):
    bundle = ex._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data and "image/png" in data
    with Image.open(io.BytesIO(snapshot_png(ex))) as still:
        assert still.width >= 1000 and still.height >= 400  # big enough for its titles and labels to be read
        shown = {tuple(p) for p in np.asarray(still.convert("RGB")).reshape(-1, 3)}
    # every palette color is in the still (its labelled swatch)
    assert all(tuple(int(v) for v in color) in shown for color in ex.palette.colors)


def test_result_message_names_seed_only_for_seeded_methods():
    session = Session()
    assert "seed 3" in result_message(session.result(Key("coffee", 4, "kmeans", 3)))["title"]
    assert "seed" not in result_message(session.result(Key("coffee", 4, "median-cut", 3)))["title"]


def test_photo_sampling_for_display():
    image = np.arange(1000 * 250 * 3, dtype=np.int64).reshape(1000, 250, 3).astype(np.uint8)
    photo = make_photo("tall", image, display_size=200, scatter_points=500)
    assert photo.display.shape == (200, 50, 3)
    assert np.array_equal(photo.display, image[np.ix_(photo.rows, photo.cols)])
    assert photo.scatter.shape == (500, 3)


def test_the_fallback_explorer_is_still_there():
    from colorlab.lessons import widgets

    classic = widgets.explorer("coffee", k=3)
    assert len(classic.palette) == 3


def test_forget_frees_a_photo():
    session = Session()
    session.add_image("mine", np.zeros((5, 5, 3), np.uint8))
    session.result(Key("mine", 1))
    session.forget("mine")
    assert session.cached(Key("mine", 1)) is None and "mine" not in session.names()


def test_classroom_defaults_come_from_the_environment(monkeypatch, tmp_path):
    from colorlab.explorer.app import CLASSROOM, PERSONAL

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLORLAB_CLASSROOM", "1")
    ex = explorer(np.zeros((8, 8, 3), np.uint8), k=1)
    try:
        assert ex.export_to == "browser" and ex.prefetch == CLASSROOM["prefetch"] == 1
        assert ex.max_upload_mb == CLASSROOM["max_upload_mb"] and ex.session.max_pixels == CLASSROOM["max_pixels"]
        rng = np.random.default_rng(2)
        names = [ex.add_upload(f"p{i}.png", _png(rng.integers(0, 255, (6, 6, 3), dtype=np.uint8)))
                 for i in range(CLASSROOM["max_uploads"] + 1)]
        # the oldest upload was freed to make room for the newest; the page keeps a bounded number
        assert names[0] not in ex.photos and all(name in ex.photos for name in names[1:])
        assert ex.session.cached(Key(names[0], 1)) is None and "was removed to make room" in ex.message
        ex.export()
        assert list(tmp_path.iterdir()) == []  # a class page writes nothing on the server
    finally:
        ex.close()
    monkeypatch.setenv("COLORLAB_CLASSROOM", "0")
    ex = explorer(np.zeros((8, 8, 3), np.uint8), k=1, prefetch=0)
    try:
        assert ex.export_to == PERSONAL["export_to"] == "folder" and ex.prefetch == 0 and ex.max_uploads is None
    finally:
        ex.close()
    with pytest.raises(colorlab.InvalidParameterError, match="no option 'folder'"):
        explorer("coffee", folder="x")


def test_an_upload_arrives_in_parts(ex):
    image = np.random.default_rng(3).integers(0, 255, (50, 60, 3), dtype=np.uint8)
    data = _png(image)
    parts = [data[i:i + 1000] for i in range(0, len(data), 1000)]
    for i, part in enumerate(parts):
        ex._on_message(ex, {"type": "upload", "name": "parts.png", "part": i, "parts": len(parts)}, [memoryview(part)])
    assert ex.photo.startswith("parts.png") and np.array_equal(ex.image, image)
    # a part missing: refused with a message, nothing half-added
    before = list(ex.photos)
    ex._on_message(ex, {"type": "upload", "name": "gap.png", "part": 1, "parts": 3}, [memoryview(b"x")])
    assert ex.error and "interrupted" in ex.message and ex.photos == before


def test_locked_colors_stay_in_the_palette(ex):
    keep = ex.palette.to_hex()[1]
    ex.locked = [keep]
    assert keep in ex.palette.to_hex() and len(ex.palette) == 4
    image = colorlab.load_image("coffee")
    assert ex.palette == colorlab.fit_palette(image, 4, fixed=[keep])
    ex.k = 9
    assert keep in ex.palette.to_hex() and len(ex.palette) == 9
    assert Key("coffee", 9, locked=(keep,)).text() == f"coffee|9|kmeans|0|rgb|none|{keep}"
    ex.method = "median-cut"  # locking needs k-means: said plainly, and the explorer stays usable
    assert ex.error and "kmeans" in ex.message
    ex.locked = []
    assert not ex.error and ex.palette.method == "median-cut"


def _key_as_the_browser_spells_it(widget) -> str:
    """What js/state.js's keyOf does with the key_format trait: each field's value, lists joined."""
    form = widget.key_format
    parts = [getattr(widget, name) for name in form["fields"]]
    return form["separator"].join(form["list_separator"].join(p) if isinstance(p, list) else str(p) for p in parts)


def test_the_browser_spells_the_cache_key_from_what_python_sends(ex):
    ex.k, ex.seed, ex.space = 7, 3, "oklab"
    ex.locked = ["#102030", "#ffffff"]
    assert _key_as_the_browser_spells_it(ex) == ex._key().text() == "coffee|7|kmeans|3|oklab|none|#102030,#ffffff"
    outbox = Outbox(ex)
    ex._on_message(ex, {"type": "ready"}, [])
    assert outbox.of("result")[0][0]["key"] == _key_as_the_browser_spells_it(ex)


def test_the_limits_and_their_messages_come_from_python(monkeypatch, tmp_path):
    from colorlab.explorer.app import MESSAGES

    monkeypatch.chdir(tmp_path)
    ex = explorer(np.zeros((20, 20, 3), np.uint8), k=1, max_pixels=3_000_000, max_upload_mb=2)
    try:
        assert ex.upload_title == "add your own photo (PNG or JPEG, up to 2 MB and 3 megapixels)"
        assert ex.messages == MESSAGES and ex.max_upload_mb == 2
        ex.add_upload("big.png", b"\0" * (3 * 2**20))
        # the browser refuses a file over the limit itself, filling in the same template
        assert ex.message == MESSAGES["too_large"].format(name="big.png", mb="3.0", limit=2)
        assert ex.message == "big.png was not used: it is 3.0 MB, more than the 2 MB this explorer takes; upload a smaller photo"
    finally:
        ex.close()


def test_the_front_end_is_its_files_joined_in_order_into_one_module():
    from colorlab.explorer.app import FRONT_END_PARTS, front_end

    folder = Path(colorlab.explorer.__file__).parent / "js"
    assert sorted(FRONT_END_PARTS) == sorted(path.stem for path in folder.glob("*.js")), "a js/ file is not joined"
    module = front_end()
    texts = [(folder / f"{part}.js").read_text(encoding="utf-8") for part in FRONT_END_PARTS]
    starts = [module.index(text) for text in texts]
    assert starts == sorted(starts)
    assert module.count("export default") == 1 and "export default" in texts[-1]
    assert not re.search(r"^\s*(import|export)\b", "\n".join(texts[:-1]), re.MULTILINE), "only the last file exports"
    assert Explorer._esm == module


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed (the browser tests run the module)")
def test_the_joined_front_end_loads_as_an_es_module(tmp_path):
    from colorlab.explorer.app import front_end

    (tmp_path / "explorer.mjs").write_text(front_end(), encoding="utf-8")
    done = subprocess.run(["node", "-e", "import('./explorer.mjs').then(m => console.log(typeof m.default.render))"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "function"


def test_the_front_end_writes_no_text_or_limit_that_python_sends(ex):
    from colorlab.explorer.app import front_end
    from colorlab.explorer.settings import EXPORT_FORMATS, MESSAGES

    module = front_end()
    for template in MESSAGES.values():  # each text in pieces around its {names}: none of them in the JS
        assert not [piece for piece in re.split(r"\{\w+\}", template) if len(piece.strip()) > 3 and piece in module]
    assert ex.export_title and all(f".{fmt}" in ex.export_title for fmt in EXPORT_FORMATS)
    assert ex.export_title not in module and ex.upload_title not in module
    code = re.sub(r"//.*", "", module)  # the comments may name a number
    assert not re.search(r"\b(40|256|80)\b", code), "an upload, k or cache limit written in the JS"
    assert all(f'"{name}"' in module for name in ("key_format", "k_min", "k_max", "max_upload_mb", "upload_part_mb",
                                                  "browser_cache_mb", "messages", "export_title", "upload_title"))


def test_more_locked_colors_than_k_is_said_by_the_kernel(ex):
    colors = ex.palette.to_hex()
    ex.locked = colors[:3]
    assert not ex.error
    ex.k = 2
    assert ex.error and "3 fixed colors do not fit in k = 2" in ex.message
    ex.k = 4
    assert not ex.error and set(colors[:3]) <= set(ex.palette.to_hex())


def test_the_cache_keeps_results_within_its_megabytes():
    session = Session(cache_mb=1.0)
    results = [session.result(Key("coffee", k)) for k in (250, 251, 252, 253)]
    assert all(r._labels.dtype == np.uint8 and r.display_labels.dtype == np.uint8 for r in results)
    assert session.cached_bytes == sum(r.nbytes for r in results if session.cached(r.key) is not None)
    assert 0 < session.cached_bytes <= 2**20 and session.cached(Key("coffee", 253)) is results[-1]
    assert session.cached(Key("coffee", 250)) is None  # the least recently used went first
    # a result larger than the whole budget is still kept: the newest always stays
    tiny = Session(cache_mb=0.001)
    assert tiny.result(Key("coffee", 3)) is tiny.cached(Key("coffee", 3))
    session.forget("coffee")
    assert session.cached_bytes == 0


def test_k_256_labels_fit_in_a_byte_and_give_the_quantized_image():
    session = Session()
    for dither in ("none", "floyd-steinberg"):
        result = session.result(Key("coffee", 256, dither=dither))
        image = colorlab.load_image("coffee")
        assert np.array_equal(session.quantized(result), colorlab.quantize(image, result.palette, dither=dither))
        assert len(result.palette) == 256 and int(result.display_labels.max()) < 256


def test_one_key_asked_from_two_threads_is_computed_once_and_two_keys_side_by_side():
    import threading

    session = Session()
    session.photo("coffee")
    keys = [Key("coffee", 40), Key("coffee", 40), Key("coffee", 41)]
    got = [None] * len(keys)

    def ask(i):
        got[i] = session.result(keys[i])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got[0] is got[1] and session.compute_count == 2
    image = colorlab.load_image("coffee")
    assert got[2].palette == colorlab.fit_palette(image, 41) and got[0].palette == colorlab.fit_palette(image, 40)


def test_a_failed_computation_is_reported_to_each_thread_that_asked():
    session = Session()
    with pytest.raises(colorlab.InvalidParameterError):
        session.result(Key("coffee", 4, locked=("#000000",), method="median-cut"))
    assert session._computing == {}  # nothing left waiting


def test_a_class_kernel_keeps_within_its_memory_and_says_when_a_photo_needs_more(tmp_path):
    """The class server's kernels each get a memory limit: a photo that needs more is refused on the page, the
    explorer stays usable, and uploads are kept reduced to the class size."""
    import subprocess

    big = np.kron(colorlab.load_image("retina"), np.ones((3, 3, 1), np.uint8))  # about 18 MP
    upload = tmp_path / "upload.png"
    buffer = io.BytesIO()
    Image.fromarray(big[:3000, :4000]).save(buffer, format="PNG", compress_level=1)  # 12 MP
    upload.write_bytes(buffer.getvalue())
    code = (
        "import resource, numpy as np, colorlab, pathlib\n"
        "from colorlab.explorer import explorer\n"
        "big = np.kron(colorlab.load_image('retina'), np.ones((5, 5, 1), np.uint8))\n"  # about 50 MP
        "ex = explorer('rocket', k=6)\n"
        "print(resource.getrlimit(resource.RLIMIT_DATA)[0] // 2**20)\n"
        f"name = ex.add_upload('upload.png', pathlib.Path({str(upload)!r}).read_bytes())\n"
        "print(ex.session.photo(name).image.shape[0] * ex.session.photo(name).image.shape[1] <= 6_000_000)\n"
        "print(ex.message)\n"
        "ex.session.add_image('big', big)\n"
        "ex.dither = 'floyd-steinberg'\n"
        "ex.photo = 'big'\n"
        "print(ex.error, ex.message)\n"
        "ex.dither = 'none'\n"
        "ex.photo = 'rocket'\n"
        "print(ex.error, len(ex.palette))\n"
    )
    env = dict(os.environ, COLORLAB_CLASSROOM="1", COLORLAB_KERNEL_MEMORY_MB="600")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    limit, small_enough, reduced_note, failed, back = done.stdout.strip().splitlines()
    assert limit == "600" and small_enough == "True"
    assert "reduced to 6 on this class server" in reduced_note
    assert failed.startswith("True") and "needs more memory than this page may use" in failed
    assert back == "False 6"


def test_the_class_server_shares_the_machines_memory_between_its_kernels():
    from colorlab.explorer.classroom import kernel_memory_mb

    assert kernel_memory_mb(34, total_mb=24 * 1024) * 34 + 2048 <= 24 * 1024
    assert kernel_memory_mb(34, total_mb=24 * 1024) > 600


def _ssim_of(widget) -> float:
    return metrics.ssim(widget.image, widget.quantized)


def test_a_value_set_from_python_has_its_ssim_on_the_next_line(ex):
    ex.k = 7
    assert ex.stats["ssim"] == _ssim_of(ex)
    ex.dither = "floyd-steinberg"  # measured on the dithered image, which is drawn at full resolution
    assert ex.stats["ssim"] == _ssim_of(ex)
    ex.dither = "none"
    assert ex.stats["ssim"] == _ssim_of(ex) and 0 < ex.stats["ssim"] < 1


def _messages_for(outbox, key: Key) -> list[tuple[int, dict]]:
    return [(i, c) for i, (c, _) in enumerate(outbox.messages) if c.get("key") == key.text()]


def test_a_step_from_the_browser_is_sent_before_its_ssim_which_follows_for_that_key(ex):
    outbox = Outbox(ex)
    ex._on_message(ex, {"type": "ready"}, [])
    ex.set_state({"k": 9})
    key = Key("coffee", 9)
    assert _wait(lambda: any(c["type"] == "stats" for _, c in _messages_for(outbox, key))), "no SSIM for k = 9"
    (first, result), (second, stats) = [(i, c) for i, c in _messages_for(outbox, key) if c["type"] in ("result", "stats")]
    # the picture went first, without SSIM (it is measured after the step is painted); then its figures with SSIM
    assert first < second and result["type"] == "result" and "ssim" not in result["stats"]
    assert stats["type"] == "stats" and stats["stats"]["ssim"] == _ssim_of(ex) == ex.stats["ssim"]
    assert {name: stats["stats"][name] for name in result["stats"]} == result["stats"]
    # the neighbours computed ahead get their SSIM too, after their result; a step to one shows it at once
    ahead = Key("coffee", 10)
    assert _wait(lambda: [c["type"] for _, c in _messages_for(outbox, ahead)] == ["result", "stats"]), "no SSIM ahead"
    ex.set_state({"k": 10})
    assert _wait(lambda: ex.result.key == ahead)
    assert ex.stats["ssim"] == _ssim_of(ex)
    assert [c["type"] for _, c in _messages_for(outbox, ahead)] == ["result", "stats"]  # nothing sent twice


def test_a_result_sent_again_carries_its_ssim(ex):
    ex.k = 6
    outbox = Outbox(ex)
    ex._on_message(ex, {"type": "ready"}, [])  # a reloaded page: what is shown is sent again
    content, _ = outbox.of("result")[0]
    assert content["key"] == Key("coffee", 6).text() and content["stats"]["ssim"] == _ssim_of(ex)
    assert result_message(ex.session.cached(Key("coffee", 6)))["stats"]["ssim"] == ex.stats["ssim"]


def test_export_and_the_still_measure_the_ssim_a_step_from_the_browser_has_not_yet(ex):
    from colorlab.explorer.pictures import figures_line, view_figure

    ex._ahead_jobs = lambda key: []  # no look-ahead thread work: nothing measures SSIM in the background
    outbox = Outbox(ex)
    ex._on_message(ex, {"type": "ready"}, [])
    ex.set_state({"k": 8})
    assert _wait(lambda: ex.result.key.k == 8)
    assert "ssim" not in ex.stats
    ex.export()
    assert ex.stats["ssim"] == _ssim_of(ex)
    assert outbox.of("stats")[-1][0] == {"type": "stats", "key": Key("coffee", 8).text(), "stats": ex.stats}
    figure = view_figure(ex.session.photo("coffee"), ex.result)
    title = figure.axes[1].get_title()
    assert title.endswith("\n" + figures_line(ex.stats)) and title.endswith(f" · SSIM {_ssim_of(ex):.4f}")


def test_an_ssim_that_fails_is_said_and_the_explorer_stays_usable(ex, monkeypatch):
    def broken(original, quantized):
        raise RuntimeError("no filters today")

    monkeypatch.setattr(metrics, "ssim", broken)
    ex.k = 5
    assert ex.error and ex.message == "SSIM was not measured (RuntimeError: no filters today); the other figures are exact"
    assert len(ex.palette) == 5 and np.isnan(ex.stats["ssim"]) and ex.stats["mse"] == metrics.mse(ex.image, ex.quantized)
    outbox = Outbox(ex)
    ex._on_message(ex, {"type": "ready"}, [])
    assert outbox.of("result")[0][0]["stats"]["ssim"] is None  # JSON has no NaN: the browser shows "–"
    ex.set_state({"k": 11})  # from the browser: the failure comes from the look-ahead thread, for that key
    key = Key("coffee", 11)
    assert _wait(lambda: any(c["type"] == "stats" for _, c in _messages_for(outbox, key)))
    assert _wait(lambda: any(c["type"] == "status" and c["error"] for _, c in _messages_for(outbox, key)))
    assert [c for _, c in _messages_for(outbox, key) if c["type"] == "stats"][0]["stats"]["ssim"] is None
    assert len(ex.palette) == 11 and "RuntimeError: no filters today" in ex.message
    monkeypatch.undo()
    ex.k = 12
    assert not ex.error and ex.stats["ssim"] == _ssim_of(ex)


def test_a_photo_too_small_for_ssim_says_so_without_an_error(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    ex = explorer(np.random.default_rng(4).integers(0, 256, (8, 30, 3), dtype=np.uint8), k=3)
    try:
        assert len(ex.palette) == 3 and np.isnan(ex.stats["ssim"]) and not ex.error
        assert ex.message == "no SSIM for your image: SSIM needs images of at least 11 x 11 pixels, got 30 x 8"
    finally:
        ex.close()


def test_session_measures_ssim_once_and_keeps_it_with_the_result():
    session = Session()
    result = session.result(Key("coffee", 8))
    assert "ssim" not in result.stats  # a fit does not measure it: a k step must not wait for it
    value = session.ssim(result)
    image = colorlab.load_image("coffee")
    assert value == metrics.ssim(image, colorlab.quantize(image, result.palette)) == result.stats["ssim"]
    assert session.result(Key("coffee", 8)).stats["ssim"] == value  # the cached result has it
