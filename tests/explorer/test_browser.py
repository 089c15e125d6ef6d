"""The explorer notebook in a real browser: JupyterLab and Voila, driven in headless Chromium.

Needs Debian's ``chromium`` (``bash dev.sh test`` installs it). Each test
starts its own server on 127.0.0.1 with a random port (and token), on a copy of
the notebook in the test's tmp_path, and leaves screenshots there.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

import browser_support as support

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02_explorer.ipynb"
WAIT_MS = 180_000  # any single wait; the first kernel start on a busy machine is the slowest step
KEY_PRESSES = 3

# a cheap hash of a canvas's pixels: changes whenever what the canvas shows changes
CANVAS_HASH_JS = """selector => {
    const canvas = document.querySelector(selector);
    if (!canvas || canvas.width === 0) return null;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 0;
    for (let i = 0; i < data.length; i += 4) hash = (hash * 31 + data[i] + 7 * data[i + 1] + 13 * data[i + 2]) >>> 0;
    return hash;
}"""
SETTLED_JS = """k => document.querySelector('.colorlab-stats')?.innerText.trim().endsWith('→ ' + k)
    && !document.querySelector('.colorlab-explorer').classList.contains('colorlab-pending')"""

# records the SSIM text each time the stats line changes, with the photo and the palette shown beside it
WATCH_SSIM_JS = """() => {
    const stats = document.querySelector('.colorlab-stats');
    window.colorlabSsimSeen = [];
    const record = () => {
        const ssim = stats.querySelector('.colorlab-ssim');
        if (!ssim) return;
        window.colorlabSsimSeen.push({ text: ssim.textContent, photo: stats.querySelector('b').textContent,
            colors: [...document.querySelectorAll('.colorlab-swatch')].map(box => box.dataset.color) });
    };
    new MutationObserver(record).observe(stats, { childList: true, subtree: true, characterData: true });
    record();
}"""
SSIM_SHOWN_JS = """() => /^-?[0-9]\\.[0-9]{4}$/.test(document.querySelector('.colorlab-ssim')?.textContent ?? '')"""

ERROR_TEXTS = ("Traceback", "Error displaying widget", "There was an error when executing cell", "Model not found")


@pytest.fixture(scope="module")
def browser():
    if not support.CHROMIUM.exists():
        pytest.fail(f"{support.CHROMIUM} is missing; install it with `apt-get install chromium` (bash dev.sh test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(support.CHROMIUM), args=support.CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page, the errors its console reports, and the websocket messages it sends (to the kernel)."""

    # Voila's page template links Font Awesome from a CDN; this machine reaches no CDN, so that load fails. Only
    # such failures to reach another host are not counted; anything from the page's own server or its code is.
    OFFLINE = "net::ERR_NAME_NOT_RESOLVED"

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        self.sent: list[float] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        page.on("websocket", lambda socket: socket.on("framesent", lambda _payload: self.sent.append(time.time())))

    def _on_console(self, message) -> None:
        url = message.location.get("url", "")
        if message.type != "error" or (self.OFFLINE in message.text and not url.startswith("http://127.0.0.1")):
            return
        self.console_errors.append(f"{message.text} ({url})")


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    yield Watched(page)
    context.close()


def _hash(page, selector):
    return page.evaluate(CANVAS_HASH_JS, selector)


def _exercise_explorer(watched: Watched, tmp_path: Path, name: str) -> None:
    """Move k with the keyboard, jump with End, hover a swatch, drag the 3D view, click a pixel; check each."""
    page = watched.page
    page.wait_for_selector(".colorlab-explorer .colorlab-swatch")
    k0 = int(page.inner_text(".colorlab-k-readout"))
    page.wait_for_function(SETTLED_JS, arg=k0)
    page.locator(".colorlab-explorer").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(tmp_path / f"{name}-before.png"))
    picture, cube, stats = _hash(page, ".colorlab-picture"), _hash(page, ".colorlab-cube"), page.inner_text(".colorlab-stats")
    assert int(page.get_attribute(".colorlab-cube", "data-points")) >= 20_000

    # k with the keyboard: the readout, the numbers, the picture and the 3D view (the centroids) change
    page.evaluate(WATCH_SSIM_JS)
    page.locator(".colorlab-k").focus()
    for _ in range(KEY_PRESSES):
        page.keyboard.press("ArrowRight")
    k1 = k0 + KEY_PRESSES
    page.wait_for_function("k => document.querySelector('.colorlab-k-readout').innerText.trim() === String(k)", arg=k1)
    page.wait_for_function(SETTLED_JS, arg=k1)
    page.wait_for_timeout(200)
    assert _hash(page, ".colorlab-picture") != picture, "the picture did not change with k"
    assert _hash(page, ".colorlab-cube") != cube, "the 3D view did not change with k"
    assert page.inner_text(".colorlab-stats") != stats
    assert page.locator(".colorlab-swatch").count() == k1
    assert page.inner_text(".colorlab-message").strip() == ""
    # and SSIM: measured after the picture is painted, it appears for the shown k; never a number of another result
    page.wait_for_function(SSIM_SHOWN_JS)
    _assert_ssim_shown_is_exact(page.evaluate("() => window.colorlabSsimSeen"), k1)

    # End: the largest k, computed on demand; its swatch strip fits the page, without labels in the boxes
    k_max = int(page.get_attribute(".colorlab-k", "max"))
    assert k_max == 256
    page.keyboard.press("End")
    page.wait_for_function(SETTLED_JS, arg=k_max)
    assert page.locator(".colorlab-swatch").count() == k_max
    strip = page.locator(".colorlab-swatches").bounding_box()
    last = page.locator(".colorlab-swatches > .colorlab-swatch >> nth=-1").bounding_box()
    assert last["x"] + last["width"] <= strip["x"] + strip["width"] + 1, "the swatches overflow their strip"
    assert page.inner_text(".colorlab-swatches").strip() == ""

    # hovering a swatch lights up its pixels and its cluster; leaving restores the view exactly
    page.wait_for_timeout(200)
    picture, cube = _hash(page, ".colorlab-picture"), _hash(page, ".colorlab-cube")
    page.hover(".colorlab-swatch >> nth=0")
    page.wait_for_selector(".colorlab-swatch-on")
    page.wait_for_timeout(200)
    page.screenshot(path=str(tmp_path / f"{name}-hover.png"))
    assert _hash(page, ".colorlab-picture") != picture and _hash(page, ".colorlab-cube") != cube
    first = page.get_attribute(".colorlab-swatch >> nth=0", "data-color")
    assert page.inner_text(".colorlab-swatch-label").startswith(f"1 of {k_max}: {first}")  # the hovered color, named
    page.mouse.move(5, 5)
    page.wait_for_timeout(200)
    assert _hash(page, ".colorlab-picture") == picture and _hash(page, ".colorlab-cube") == cube
    assert page.inner_text(".colorlab-swatch-label").strip() == ""

    # dragging the 3D view turns it without a single message to the kernel
    box = page.locator(".colorlab-cube").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.wait_for_timeout(500)  # let anything in flight (results computed ahead) arrive first
    sent = len(watched.sent)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 150, y + 40, steps=30)
    page.mouse.up()
    page.wait_for_timeout(300)
    assert len(watched.sent) == sent, "dragging the 3D view sent messages to the kernel"
    assert _hash(page, ".colorlab-cube") != cube, "the 3D view did not turn"

    # a click on the picture picks the palette color of that pixel
    picture_box = page.locator(".colorlab-picture").bounding_box()
    page.mouse.click(picture_box["x"] + picture_box["width"] * 0.75, picture_box["y"] + picture_box["height"] / 2)
    page.wait_for_selector(".colorlab-swatch-on")

    # a click on a swatch locks its color: it stays in the palette when k changes
    color = page.get_attribute(".colorlab-swatch >> nth=2", "data-color")
    page.click(".colorlab-swatch >> nth=2")
    page.wait_for_selector(f".colorlab-swatch-locked[data-color='{color}']")
    page.locator(".colorlab-k").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(SETTLED_JS, arg=k_max - 1)
    page.wait_for_selector(f".colorlab-swatch-locked[data-color='{color}']")
    page.locator(".colorlab-explorer").screenshot(path=str(tmp_path / f"{name}-explorer.png"))
    page.screenshot(path=str(tmp_path / f"{name}-after.png"))


def _assert_ssim_shown_is_exact(seen: list[dict], k: int) -> None:
    """Each SSIM the stats line showed is "…" (not yet measured) or metrics.ssim of the full photo quantized with the
    palette shown beside it, to the digits shown; the last one, for k colors, is a number."""
    import numpy as np

    import colorlab
    from colorlab import metrics

    assert seen and seen[-1]["text"] != "…" and len(seen[-1]["colors"]) == k, seen[-1:]
    expected = {}
    for record in seen:
        if record["text"] == "…":
            continue
        case = (record["photo"], tuple(record["colors"]))
        if case not in expected:
            image = colorlab.load_image(record["photo"])
            colors = np.array([list(bytes.fromhex(color[1:])) for color in case[1]], np.uint8)
            palette = colorlab.Palette(colors, np.ones(len(colors), np.int64))
            expected[case] = f"{metrics.ssim(image, colorlab.quantize(image, palette)):.4f}"
        assert record["text"] == expected[case], f"SSIM {record['text']} shown for {len(case[1])} colors, not {expected[case]}"


def _assert_no_errors(watched: Watched) -> None:
    page = watched.page
    stderr = page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
    problems = [text for text in stderr if any(word in text for word in ("Traceback", "Error"))]
    assert not problems, f"a cell shows an error:\n{problems[0][:2000]}"
    body = page.inner_text("body")
    shown = [text for text in ERROR_TEXTS if text in body]
    assert not shown, f"the page shows {shown[0]!r}"
    assert not watched.console_errors, f"the browser console shows errors: {watched.console_errors[:5]}"


def test_lab_server_finds_the_venv_kernel(tmp_path):
    root = support.copy_notebook(NOTEBOOK, tmp_path / "lab").parent
    with support.jupyterlab(root, tmp_path) as server:
        specs = support.kernelspecs(server)
    assert specs["default"] == "python3" and "python3" in specs["kernelspecs"]
    executable = specs["kernelspecs"]["python3"]["spec"]["argv"][0]
    # "python" is replaced by the server's own interpreter (this venv) when the kernel starts
    assert executable in ("python", "python3", sys.executable), executable


def test_explorer_in_jupyterlab(watched, tmp_path):
    notebook = support.copy_notebook(NOTEBOOK, tmp_path / "lab")
    with support.jupyterlab(notebook.parent, tmp_path) as server:
        support.open_notebook(watched.page, server, notebook.name)
        watched.page.wait_for_selector(".jp-Notebook")
        support.run_all_cells(watched.page)
        _exercise_explorer(watched, tmp_path, "lab")
        _assert_no_errors(watched)


def test_explorer_in_voila(watched, tmp_path):
    notebook = support.copy_notebook(NOTEBOOK, tmp_path / "voila")
    with support.voila(notebook, tmp_path) as server:
        watched.page.goto(server.url)
        watched.page.wait_for_selector(".colorlab-explorer .colorlab-swatch")
        body = watched.page.inner_text("body")
        assert "from colorlab.explorer import" not in body and 'explorer("rocket"' not in body, "Voila shows code"
        _exercise_explorer(watched, tmp_path, "voila")
        _assert_no_errors(watched)


def test_classroom_page_downloads_to_the_student(watched, tmp_path):
    """`bash dev.sh classroom`'s server: the page is ready from a pre-started kernel; Export is a browser download."""
    import subprocess

    notebook = support.copy_notebook(NOTEBOOK, tmp_path / "class")
    port = support.free_port()
    command = [sys.executable, "-m", "colorlab.explorer.classroom", f"--port={port}", "--pool=1",
               f"--notebook={notebook}"]
    env = support.jupyter_env(tmp_path)
    env.pop("COLORLAB_CLASSROOM", None)  # the command sets it itself
    log = tmp_path / "classroom.log"
    with open(log, "wb") as sink:
        server = subprocess.Popen(command, cwd=notebook.parent, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        support._wait_until_up(f"http://127.0.0.1:{port}/voila/static/voila.js", server, log)
        page = watched.page
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector(".colorlab-explorer .colorlab-swatch")
        assert page.inner_text(".colorlab-export") == "Download"
        with page.expect_download() as download:
            page.click(".colorlab-export")
        assert download.value.suggested_filename == "rocket-k6-kmeans-seed0.zip"
        saved = tmp_path / "downloaded.zip"
        download.value.save_as(saved)
        import zipfile

        from PIL import Image

        with zipfile.ZipFile(saved) as bundle:
            assert "rocket-k6-kmeans-seed0.gpl" in bundle.namelist()
            with bundle.open("rocket-k6-kmeans-seed0.png") as png, Image.open(png) as image:
                assert image.mode == "P" and image.size == (640, 427)
        page.wait_for_function("() => document.querySelector('.colorlab-message').innerText.includes('downloads')")
        assert sorted(p.name for p in notebook.parent.iterdir()) == [notebook.name], "the server wrote files"
        _assert_no_errors(watched)
    finally:
        support._stop(server)
    assert "kernels ready" in log.read_text()


def _classroom_server(notebook: Path, tmp_path: Path, *options: str):
    """`python -m colorlab.explorer.classroom` on a random port: (process, port, log path)."""
    import subprocess

    port = support.free_port()
    command = [sys.executable, "-m", "colorlab.explorer.classroom", f"--port={port}", f"--notebook={notebook}", *options]
    env = support.jupyter_env(tmp_path)
    env.pop("COLORLAB_CLASSROOM", None)  # the command sets it itself
    log = tmp_path / "classroom.log"
    with open(log, "wb") as sink:
        server = subprocess.Popen(command, cwd=notebook.parent, env=env, stdout=sink, stderr=subprocess.STDOUT)
    return server, port, log


def _log_after(log: Path, marker: str, pattern: str, count: int, server) -> str:
    """The log from ``marker`` on, once ``pattern`` occurs ``count`` times there (fails if the server exits)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        tail = text[text.index(marker):] if marker in text else ""
        if tail.count(pattern) >= count:
            return tail
        assert server.poll() is None, f"the classroom server exited:\n{text[-3000:]}"
        time.sleep(0.3)
    raise AssertionError(f"{pattern!r} not seen {count} times after {marker!r}:\n{log.read_text()[-3000:]}")


def test_classroom_pool_is_filled_before_the_class_and_refilled_sparingly(tmp_path):
    """--pool kernels are started before the class; a page that takes one starts another only below --reserve;
    once no page has come for --refill-minutes, the pool is filled up again."""
    import urllib.request

    notebook = support.copy_notebook(NOTEBOOK, tmp_path / "class")
    server, port, log = _classroom_server(notebook, tmp_path, "--pool=2", "--reserve=1", "--refill-minutes=0.25")
    decided = "0 being started (reserve 1)"
    try:
        support._wait_until_up(f"http://127.0.0.1:{port}/voila/static/voila.js", server, log)
        ready = "colorlab classroom: 2 kernels ready\n"  # not "... ready or starting"
        _log_after(log, ready, decided, 1, server)  # full: 2 kernels, nothing more started
        for page in (1, 2):  # each page takes a pre-started kernel that has run the notebook
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=WAIT_MS / 1000) as response:
                html = response.read().decode()
            assert "application/vnd.jupyter.widget-view+json" in html
            # a still line while the page loads, not Voila's spinning logo (drawn 60 times a second)
            assert 'id="loading_text"' in html and 'class="spinner"' not in html and "@keyframes" not in html
            # the first page leaves 1 ready (the reserve): nothing started; the second leaves none: one started,
            # and once it has run the notebook the pool is at its reserve again
            tail = _log_after(log, ready, decided, 1 + page, server)
        again = "no page for 0.25 min, filling the pool again"
        tail = _log_after(log, ready, ready, 2, server)  # full again after the refill
        class_time = tail[:tail.index(again)]
        assert class_time.count("1 being started") == 1, tail
        assert log.read_text().split(again)[0].count("Kernel started:") == 3, "Voila's own pool would have started 4"
        assert tail[tail.index(again):].count("Kernel started:") == 1  # one taken before, one after: back to 2
    finally:
        support._stop(server)
