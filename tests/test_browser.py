"""The explorer notebook in a real browser: JupyterLab and Voila, driven in headless Chromium.

Needs Debian's ``chromium`` (``bash dev.sh test`` installs it). Each test
starts its own server on 127.0.0.1 with a random port (and token), on a copy of
the notebook in the test's tmp_path, and leaves screenshots there.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import browser_support as support

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "02_explorer.ipynb"
WAIT_MS = 180_000  # any single wait; the first kernel start on a busy machine is the slowest step
KEY_PRESSES = 3

# a patch inside the quantized image (middle of the figure's left half), as fractions of the canvas
QUANTIZED_PATCH = (0.36, 0.25, 0.24, 0.30)  # left, top, width, height

CANVAS_PATCH_JS = """([left, top, width, height]) => {
    const canvas = document.querySelector('.colorlab-explorer .jupyter-matplotlib-canvas-div canvas');
    if (!canvas || canvas.width === 0) return null;
    const x = Math.floor(left * canvas.width), y = Math.floor(top * canvas.height);
    const data = canvas.getContext('2d').getImageData(x, y, Math.floor(width * canvas.width),
                                                      Math.floor(height * canvas.height)).data;
    let hash = 0;
    for (let i = 0; i < data.length; i += 1) hash = (hash * 31 + data[i]) >>> 0;
    return hash;
}"""

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


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    yield page
    context.close()


def _patch_hash(page):
    return page.evaluate(CANVAS_PATCH_JS, list(QUANTIZED_PATCH))


def _move_k_slider_and_check(page, tmp_path: Path, name: str) -> None:
    """Press ArrowRight on the k slider; the readout, stats and quantized picture must change."""
    page.wait_for_function(f"() => ({CANVAS_PATCH_JS})({list(QUANTIZED_PATCH)}) !== null")
    page.wait_for_timeout(500)  # let the first picture settle
    explorer = page.locator(".colorlab-explorer")
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / f"{name}-before.png"))
    before_hash = _patch_hash(page)
    before_stats = page.inner_text(".colorlab-stats")
    readout = page.locator(".widget-slider .widget-readout").first
    k_before = int(readout.inner_text())

    page.locator(".widget-slider .noUi-handle").first.click()
    for _ in range(KEY_PRESSES):
        page.keyboard.press("ArrowRight")
    k_after = k_before + KEY_PRESSES
    page.wait_for_function(
        "k => document.querySelector('.widget-slider .widget-readout')?.innerText.trim() === String(k)", arg=k_after
    )
    page.wait_for_function(
        "k => document.querySelector('.colorlab-stats')?.innerText.trim().endsWith('→ ' + k)", arg=k_after
    )
    page.wait_for_function(f"old => ({CANVAS_PATCH_JS})({list(QUANTIZED_PATCH)}) !== old", arg=before_hash)
    page.wait_for_timeout(300)
    explorer.screenshot(path=str(tmp_path / f"{name}-explorer.png"))
    page.screenshot(path=str(tmp_path / f"{name}-after.png"))
    assert page.inner_text(".colorlab-stats") != before_stats
    assert page.inner_text(".colorlab-message").strip() == ""


def _assert_no_errors(page) -> None:
    stderr = page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
    problems = [text for text in stderr if any(word in text for word in ("Traceback", "Error"))]
    assert not problems, f"a cell shows an error:\n{problems[0][:2000]}"
    body = page.inner_text("body")
    shown = [text for text in ERROR_TEXTS if text in body]
    assert not shown, f"the page shows {shown[0]!r}"


def _run_all_cells(page) -> None:
    page.get_by_text("Kernel status: Idle").first.wait_for(state="attached")  # the kernel is up
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()


def test_lab_server_finds_the_venv_kernel(tmp_path):
    root = support.copy_notebook(NOTEBOOK, tmp_path / "lab").parent
    with support.jupyterlab(root, tmp_path) as server:
        specs = support.kernelspecs(server)
    assert specs["default"] == "python3" and "python3" in specs["kernelspecs"]
    executable = specs["kernelspecs"]["python3"]["spec"]["argv"][0]
    # "python" is replaced by the server's own interpreter (this venv) when the kernel starts
    assert executable in ("python", "python3", sys.executable), executable


def test_explorer_in_jupyterlab(page, tmp_path):
    notebook = support.copy_notebook(NOTEBOOK, tmp_path / "lab")
    with support.jupyterlab(notebook.parent, tmp_path) as server:
        page.goto(f"{server.url}lab/tree/{notebook.name}?token={server.token}")
        page.wait_for_selector(".jp-Notebook")
        _run_all_cells(page)
        page.wait_for_selector(".colorlab-explorer .widget-slider")
        _move_k_slider_and_check(page, tmp_path, "lab")
        _assert_no_errors(page)


def test_explorer_in_voila(page, tmp_path):
    notebook = support.copy_notebook(NOTEBOOK, tmp_path / "voila")
    with support.voila(notebook, tmp_path) as server:
        page.goto(server.url)
        page.wait_for_selector(".colorlab-explorer .widget-slider")
        body = page.inner_text("body")
        assert "from colorlab.widgets import" not in body and 'explorer("rocket"' not in body, "Voila shows code"
        _move_k_slider_and_check(page, tmp_path, "voila")
        _assert_no_errors(page)
