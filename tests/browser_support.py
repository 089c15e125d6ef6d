"""Start JupyterLab or Voila on loopback and Debian's Chromium for the browser tests.

Each server runs with throw-away Jupyter config/runtime/data folders, a random
free port and a random token, in a folder of its own (a copy of the notebook),
so a browser run never saves outputs into the checkout. Servers are stopped by
their own process handle.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
SERVER_START_TIMEOUT = 180  # seconds


@dataclass
class Server:
    url: str  # base URL, ends with "/"
    token: str
    process: subprocess.Popen
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_env(scratch: Path) -> dict:
    """The environment for a server: throw-away Jupyter folders, everything else as in this process."""
    env = dict(os.environ)
    for name in ("CONFIG", "RUNTIME", "DATA"):
        folder = scratch / f"jupyter-{name.lower()}"
        folder.mkdir(parents=True, exist_ok=True)
        env[f"JUPYTER_{name}_DIR"] = str(folder)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env.pop("MPLBACKEND", None)  # the notebook chooses its backend
    return env


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"the server did not answer {url} within {SERVER_START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def _server(command: list[str], cwd: Path, scratch: Path, probe: str, port: int, token: str) -> Iterator[Server]:
    log = scratch / f"server-{port}.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, cwd=cwd, env=jupyter_env(scratch), stdout=sink, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}/"
        _wait_until_up(base + probe, process, log)
        yield Server(base, token, process, log)
    finally:
        _stop(process)


def copy_notebook(notebook: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(notebook, folder / notebook.name))


def _quiet_lab_settings(scratch: Path) -> None:
    # no "get notified about Jupyter news?" toast over the page (user settings live in JUPYTER_CONFIG_DIR)
    folder = scratch / "jupyter-config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')


@contextmanager
def jupyterlab(root: Path, scratch: Path) -> Iterator[Server]:
    """JupyterLab serving ``root`` on 127.0.0.1, a random port and token."""
    port, token = free_port(), secrets.token_hex(16)
    _quiet_lab_settings(scratch)
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--ServerApp.port_retries=0",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    with _server(command, root, scratch, f"api?token={token}", port, token) as server:
        yield server


@contextmanager
def voila(notebook: Path, scratch: Path) -> Iterator[Server]:
    """Voila serving ``notebook`` as a page on 127.0.0.1 and a random port (Voila has no token)."""
    port = free_port()
    command = [
        sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
    ]
    with _server(command, notebook.parent, scratch, "voila/static/voila.js", port, "") as server:
        yield server


def open_notebook(page, server: Server, notebook_name: str, kernel: str = "python3") -> None:
    """Open a notebook in JupyterLab with its session and kernel already started.

    The session (the notebook's path and its kernel) is made through the server's REST API first, and the
    page is opened once the server lists that kernel: JupyterLab then attaches to it. Opening the page first
    raced with the server's start on a fresh machine: when JupyterLab asked which kernel to use before the
    kernel specs had loaded, accepting its dialog started a second kernel and shut the first one down
    while it was still importing, and the notebook never ran.
    """
    import json

    def call(method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{server.url}{path}", method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {server.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    session = call("POST", "api/sessions", {"path": notebook_name, "name": notebook_name, "type": "notebook",
                                            "kernel": {"name": kernel}})
    kernel_id = session["kernel"]["id"]
    # the server reports "starting" until a client connects; the kernel is up once it is listed with a
    # connection count (JupyterLab connects to it as it opens the notebook)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not any(k["id"] == kernel_id for k in call("GET", "api/kernels")):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the kernel of {notebook_name} did not start within {SERVER_START_TIMEOUT} s:\n"
                               f"{server.log.read_text()[-3000:]}")
        time.sleep(0.3)
    page.goto(f"{server.url}lab/tree/{notebook_name}?token={server.token}")


def kernelspecs(server: Server) -> dict:
    import json

    with urllib.request.urlopen(f"{server.url}api/kernelspecs?token={server.token}", timeout=10) as response:
        return json.load(response)


# ---- driving a page: JupyterLab's Run All, Chromium's painted frames --------------------------------------------

def run_all_cells(page, attempts: int = 4) -> None:
    """Run every cell of the open JupyterLab notebook (Run > Run All Cells), retried until a prompt shows [*] or [n].

    Right after the kernel reports Idle, JupyterLab sometimes drops the first Run All on a busy machine.
    """
    page.get_by_text("Kernel status: Idle").first.wait_for(state="attached")
    started = "() => [...document.querySelectorAll('.jp-InputPrompt')].some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"
    for attempt in range(attempts):
        _answer_dialog(page)
        try:
            page.get_by_role("menuitem", name="Run", exact=True).click(timeout=20_000)
            page.get_by_text("Run All Cells", exact=True).click(timeout=20_000)
        except Exception:  # noqa: BLE001 - a dialog appeared in between: answer it and try again
            if attempt == attempts - 1:
                raise
            continue
        try:
            page.wait_for_function(started, timeout=15_000)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: try the menu again
            if attempt == attempts - 1:
                raise


def _answer_dialog(page) -> None:
    """Answer a JupyterLab dialog that would block the menus: keep the notebook's kernel, fail on anything else.

    On a busy machine JupyterLab may ask which kernel to use before the notebook's own has answered. Its
    default answer starts a new kernel and shuts down the one already starting (which then never runs the
    notebook), so the notebook's existing kernel (listed as "NAME.ipynb (id)") is chosen when offered.
    """
    dialog = page.locator(".jp-Dialog")
    if not dialog.count() or not dialog.first.is_visible():
        return
    text = dialog.first.inner_text()
    if "kernel" in text.lower() and "select" in text.lower():
        choice = page.locator(".jp-Dialog select")
        if choice.count():
            labels = choice.first.locator("option").all_inner_texts()
            running = [label for label in labels if re.fullmatch(r".+\.ipynb \([0-9a-f]+\)", label.strip())]
            if running:
                choice.first.select_option(label=running[0])
        page.locator(".jp-Dialog .jp-mod-accept").first.click()
        page.wait_for_timeout(500)
        return
    raise RuntimeError(f"JupyterLab shows a dialog: {text[:500]!r}")


class Screencast:
    """Every frame Chromium paints, with its wall-clock timestamp (DevTools ``Page.startScreencast``).

    ``frames`` holds (timestamp in seconds since the epoch, JPEG bytes as base64). Frames are only
    painted when something on the page changed. Each one is acknowledged at once, or the stream stops.
    """

    def __init__(self, page, quality: int = 80, scale: float = 1.0):
        self.page = page
        self.frames: list[tuple[float, str]] = []
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.on("Page.screencastFrame", self._on_frame)
        viewport = page.viewport_size
        # scale < 1 sends smaller frames: less for the DevTools connection to carry while input events wait in it
        self.cdp.send("Page.startScreencast", {"format": "jpeg", "quality": quality, "everyNthFrame": 1,
                                               "maxWidth": round(viewport["width"] * scale),
                                               "maxHeight": round(viewport["height"] * scale)})

    def _on_frame(self, frame) -> None:
        self.frames.append((frame["metadata"]["timestamp"], frame["data"]))
        try:
            self.cdp.send("Page.screencastFrameAck", {"sessionId": frame["sessionId"]})
        except Exception:  # noqa: BLE001 - the page is closing
            pass

    def stop(self) -> None:
        try:
            self.cdp.send("Page.stopScreencast")
        except Exception:  # noqa: BLE001
            pass

    def pump(self, ms: int) -> None:
        """Let the browser run (and frames arrive) for ``ms`` milliseconds."""
        self.page.wait_for_timeout(ms)


def element_box(page, selector: str) -> tuple[float, float, float, float]:
    """(left, top, width, height) of the element in CSS pixels of the viewport."""
    return tuple(page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }",
        selector))


def _crop(data: str, box, scale: float):
    import base64
    import io

    import numpy as np
    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
    left, top, width, height = (round(v * scale) for v in box)
    return np.asarray(image.crop((left + 8, top + 8, left + width - 8, top + height - 8)), dtype=np.int16)


def changes_after(frames, start: float, end: float, boxes, viewport_width: int, min_pixels: int = 12) -> list[float]:
    """Times (seconds after ``start``) of the painted frames in (start, end] whose pixels inside ``boxes`` differ
    from the frame before them: at least ``min_pixels`` pixels changed by more than 16 (of 255) in some channel.

    The first frame compared is the last one painted at or before ``start``. Boxes are inset by 8 pixels, so
    JPEG blocks that straddle a box's edge do not count changes outside it.
    """
    import base64
    import io

    from PIL import Image

    before = [f for f in frames if f[0] <= start]
    after = [f for f in frames if start < f[0] <= end]
    if not before or not after:
        return []
    width = Image.open(io.BytesIO(base64.b64decode(before[-1][1]))).width
    scale = width / viewport_width
    previous = [_crop(before[-1][1], box, scale) for box in boxes]
    times = []
    for stamp, data in after:
        current = [_crop(data, box, scale) for box in boxes]
        if any(int((abs(a - b).max(axis=-1) > 16).sum()) >= min_pixels
               for a, b in zip(current, previous) if a.shape == b.shape):
            times.append(stamp - start)
        previous = current
    return times
