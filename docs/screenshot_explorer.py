"""Take the explorer's picture for the documentation site: ``docs/images/explorer.png``.

Serves ``notebooks/02_explorer.ipynb`` with Voila on loopback (a copy, in a scratch folder), opens it in
headless Chromium (Debian's ``chromium``, as the browser tests use), waits until the explorer has drawn its
first result and saves a screenshot of it. Run it after the explorer's look changes::

    .venv/bin/python docs/screenshot_explorer.py [--out docs/images/explorer.png]

It uses the browser tests' server helpers (``tests/browser_support.py``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import browser_support as support  # noqa: E402

NOTEBOOK = REPO / "notebooks" / "02_explorer.ipynb"
#: What the page shows once the explorer is drawn (its outer element).
EXPLORER = ".colorlab-explorer"
VIEWPORT = {"width": 1280, "height": 900}


def screenshot(out: Path, *, notebook: Path = NOTEBOOK, timeout_s: float = 180) -> Path:
    """Serve the explorer notebook with Voila, and save a picture of the explorer as ``out`` (PNG).

    Parameters
    ----------
    out : Path
        The PNG file to write (its folder must exist).
    notebook : Path
        The notebook that shows the explorer.
    timeout_s : float
        Seconds to wait for the explorer to appear.

    Returns
    -------
    Path
        ``out``.
    """
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="colorlab-screenshot-") as scratch:
        scratch = Path(scratch)
        notebook = support.copy_notebook(Path(notebook), scratch / "voila")
        with support.voila(notebook, scratch) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(support.CHROMIUM), args=support.CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
                page.goto(server.url, timeout=timeout_s * 1000)  # Voila serves its one notebook at /
                explorer = page.locator(EXPLORER).first
                explorer.wait_for(state="visible", timeout=timeout_s * 1000)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(2000)  # the first result is computed and painted after the page loads
                explorer.screenshot(path=str(out))
            finally:
                browser.close()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images" / "explorer.png", help="PNG to write")
    parser.add_argument("--notebook", type=Path, default=NOTEBOOK, help="notebook that shows the explorer")
    parser.add_argument("--timeout", type=float, default=180, help="seconds to wait for the explorer (default: 180)")
    args = parser.parse_args(argv)
    print(screenshot(args.out, notebook=args.notebook, timeout_s=args.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
