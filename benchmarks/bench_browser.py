"""The explorer as a person feels it: timed from the frames Chromium paints, in JupyterLab and in Voila.

Starts JupyterLab and/or Voila on 127.0.0.1 (random port, and token for JupyterLab) with a copy of
notebooks/02_explorer.ipynb opened on one photo, drives the explorer in headless Chromium (Debian's
/usr/bin/chromium through Playwright) and records every painted frame with its timestamp
(DevTools ``Page.startScreencast``). Each case is timed from the key press (or selection, or drag)
to the painted frames in which the explorer's pictures (the photo, the 3D view, the swatches) changed:

- k step: focus the k slider, press ArrowRight, wait ``--gap`` seconds; ``--steps`` times. "first" is
  the first frame that changed, "final" the last one that changed in that window (the new picture).
- jump: press End (the largest k, 256, not computed before: start ``--k`` more than the look-ahead's
  reach below it): first change, and the frame with the exact result (whose swatches equal
  ``colorlab.fit_palette(image, 256, seed=0)``, checked).
- photo switch: pick another bundled photo; the frame with its result.
- drag: drag across the 3D view for ``--drag-seconds``; distinct painted frames per second of the
  3D view, and how many websocket messages went to the kernel meanwhile. Twice: with one pointer move
  per display frame made in the page (as a person's mouse gives them, 60 Hz), and with Playwright's
  mouse, whose events travel over the same DevTools connection as the recorded frames and arrive at
  only 20-50 per second on this machine (each event is one frame, so that rate is the ceiling there).

Prints median and worst per case. Nothing here is asserted: the tests check behaviour, this measures.

    .venv/bin/python benchmarks/bench_browser.py                 # retina (2 MP), JupyterLab and Voila
    .venv/bin/python benchmarks/bench_browser.py --photo rocket --frontends voila
    .venv/bin/python benchmarks/bench_browser.py --k 236 --frontends lab   # k steps near 256, then the jump
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import browser_support as support  # noqa: E402
from colorlab.explorer.session import K_MAX  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "02_explorer.ipynb"
PICTURES = (".colorlab-picture", ".colorlab-cube", ".colorlab-swatches")
IN_PAGE_DRAG_JS = """async duration => {
    const canvas = document.querySelector('.colorlab-cube'), box = canvas.getBoundingClientRect();
    const x0 = box.left + box.width / 2, y0 = box.top + box.height / 2;
    const send = (type, x, y) => canvas.dispatchEvent(new PointerEvent(type,
        { clientX: x, clientY: y, pointerId: 7, isPrimary: true, buttons: 1, bubbles: true }));
    send('pointerdown', x0, y0);
    const t0 = performance.now();
    await new Promise(done => {
        const step = t => {
            send('pointermove', x0 + 120 * Math.sin((t - t0) / 300), y0 + 25 * Math.cos((t - t0) / 500));
            if (t - t0 < duration) requestAnimationFrame(step); else done();
        };
        requestAnimationFrame(step);
    });
    send('pointerup', x0, y0);
}"""


def notebook_for(photo: str, k: int, folder: Path) -> Path:
    """A copy of the explorer notebook that opens ``photo`` at ``k``."""
    notebook = json.loads(NOTEBOOK.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and "explorer(" in "".join(cell["source"]) and "import" not in "".join(cell["source"]):
            cell["source"] = [f'explorer("{photo}", k={k})']
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / NOTEBOOK.name
    path.write_text(json.dumps(notebook))
    return path


def _k(page) -> int:
    return int(page.inner_text(".colorlab-k-readout"))


def _wait_for_result(page, k: int, timeout: float = 60_000) -> None:
    page.wait_for_function("k => document.querySelector('.colorlab-stats')?.innerText.trim().endsWith('→ ' + k)"
                           " && !document.querySelector('.colorlab-explorer').classList.contains('colorlab-pending')",
                           arg=k, timeout=timeout)


def measure(page, cast: support.Screencast, args, websocket_sent: list) -> dict:
    viewport = page.viewport_size["width"]
    boxes = [support.element_box(page, s) for s in PICTURES]
    cube_box = [support.element_box(page, ".colorlab-cube")]
    out: dict = {"first": [], "final": []}
    page.locator(".colorlab-k").focus()
    cast.pump(int(args.gap * 1000))
    for _ in range(args.steps):
        k = _k(page)
        start = time.time()
        page.keyboard.press("ArrowRight")
        cast.pump(int(args.gap * 1000))
        _wait_for_result(page, k + 1)
        changes = support.changes_after(cast.frames, start, start + args.gap, boxes, viewport)
        out["first"].append(changes[0] if changes else float("nan"))
        out["final"].append(changes[-1] if changes else float("nan"))

    # a jump to the largest k, never computed before
    start = time.time()
    page.keyboard.press("End")
    cast.pump(1500)
    _wait_for_result(page, K_MAX)
    cast.pump(500)
    changes = support.changes_after(cast.frames, start, time.time(), boxes, viewport)
    out["jump_first"] = changes[0] if changes else float("nan")
    out["jump_final"] = changes[-1] if changes else float("nan")
    out["jump_palette"] = page.evaluate(
        "() => [...document.querySelectorAll('.colorlab-swatch')].map(s => s.title.split(':')[0])")

    # another bundled photo
    other = args.switch_to
    page.select_option(".colorlab-photo", other)
    start = time.time()
    cast.pump(1500)
    _wait_for_result(page, K_MAX)
    cast.pump(500)
    changes = support.changes_after(cast.frames, start, time.time(), boxes, viewport)
    out["switch_final"] = changes[-1] if changes else float("nan")

    # drag the 3D view: distinct painted frames per second, messages to the kernel meanwhile
    left, top, width, height = cube_box[0]
    x, y = left + width / 2, top + height / 2
    page.mouse.move(x, y)
    page.mouse.down()
    sent_before = len(websocket_sent)
    start = time.time()
    moves = 0
    while time.time() - start < args.drag_seconds:
        # back and forth, 40 mouse events per sweep, sent as fast as the DevTools connection takes them
        moves += 1
        page.mouse.move(x + (120 if moves % 2 else -120), y + (25 if moves % 2 else -25), steps=40)
    page.mouse.up()
    end = time.time()
    cast.pump(300)
    drawn = support.changes_after(cast.frames, start, end, cube_box, viewport)
    out["drag_fps"] = len(drawn) / (end - start)
    out["drag_messages"] = len(websocket_sent) - sent_before
    out["points"] = page.evaluate("() => document.querySelector('.colorlab-cube').dataset.points")
    out["mouse_events"] = 40 * moves / (end - start)

    # the same drag as a person's mouse gives it: one pointer move per display frame (60 Hz), made in the page,
    # so the DevTools connection (which also carries the recorded frames) does not limit the events
    cast.pump(500)
    sent_before = len(websocket_sent)
    paints = int(page.evaluate("() => document.querySelector('.colorlab-cube').dataset.paints"))
    start = time.time()
    page.evaluate(IN_PAGE_DRAG_JS, 1000 * args.drag_seconds)
    end = time.time()
    out["drag60_paints"] = (int(page.evaluate("() => document.querySelector('.colorlab-cube').dataset.paints"))
                            - paints) / (end - start)
    cast.pump(300)
    drawn = support.changes_after(cast.frames, start, end, cube_box, viewport)
    out["drag60_fps"] = len(drawn) / (end - start)
    out["drag60_messages"] = len(websocket_sent) - sent_before
    return out


def run(frontend: str, args, browser) -> dict:
    with tempfile.TemporaryDirectory(prefix="colorlab-bench-browser-") as scratch:
        scratch = Path(scratch)
        notebook = notebook_for(args.photo, args.k, scratch / frontend)
        context = browser.new_context(viewport={"width": 1400, "height": 1100})
        page = context.new_page()
        page.set_default_timeout(180_000)
        sent: list = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(time.time())))
        server_context = support.jupyterlab(notebook.parent, scratch) if frontend == "lab" else support.voila(notebook, scratch)
        with server_context as server:
            if frontend == "lab":
                support.open_notebook(page, server, notebook.name)
                page.wait_for_selector(".jp-Notebook")
                support.run_all_cells(page)
            else:
                page.goto(server.url)
            page.wait_for_selector(".colorlab-explorer .colorlab-swatch")
            _wait_for_result(page, args.k)
            page.locator(".colorlab-explorer").scroll_into_view_if_needed()
            cast = support.Screencast(page, scale=args.frame_scale)
            cast.pump(1000)
            try:
                result = measure(page, cast, args, sent)
            finally:
                cast.stop()
                page.screenshot(path=str(Path(args.screenshots) / f"bench-{frontend}.png"))
        context.close()
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photo", default="retina")
    parser.add_argument("--k", type=int, default=6)
    parser.add_argument("--switch-to", default="astronaut")
    parser.add_argument("--frontends", default="lab,voila")
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--gap", type=float, default=2.0, help="seconds between key presses")
    parser.add_argument("--drag-seconds", type=float, default=3.0)
    parser.add_argument("--screenshots", default=tempfile.gettempdir())
    parser.add_argument("--frame-scale", type=float, default=0.5,
                        help="size of the recorded frames (full-size frames slow the mouse events down)")
    args = parser.parse_args(argv)
    if not support.CHROMIUM.exists():
        print(f"bench_browser: {support.CHROMIUM} is missing; install it with `apt-get install chromium`")
        return 2
    from playwright.sync_api import sync_playwright

    import colorlab

    if args.k + args.steps >= K_MAX - 4:
        parser.error(f"--k plus --steps must stay below {K_MAX - 4}, so that the jump to {K_MAX} is to a k "
                     "not computed ahead")
    expected = colorlab.fit_palette(colorlab.load_image(args.photo), K_MAX, seed=0).to_hex()
    print(f"# bench_browser: {args.photo}, k from {args.k}, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores")
    print(f"| front end | k step: new picture, median (worst) | k step: first change | jump to {K_MAX}: first change "
          "| jump: exact result | photo switch | 3D drag at 60 Hz: frames/s | 3D drag by DevTools mouse: frames/s (events/s) "
          "| messages to the kernel while dragging |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(support.CHROMIUM), args=support.CHROMIUM_ARGS)
        for frontend in args.frontends.split(","):
            r = run(frontend, args, browser)
            ms = lambda v: f"{1000 * v:.0f} ms"  # noqa: E731
            exact = "exact" if r["jump_palette"] == expected else "NOT the fit_palette result"
            print(f"| {frontend} | {ms(statistics.median(r['final']))} ({ms(max(r['final']))}) "
                  f"| {ms(statistics.median(r['first']))} ({ms(max(r['first']))}) | {ms(r['jump_first'])} "
                  f"| {ms(r['jump_final'])} ({exact}) | {ms(r['switch_final'])} | {r['drag60_fps']:.0f} ({r['points']} points; "
                  f"the page drew {r['drag60_paints']:.0f}/s) "
                  f"| {r['drag_fps']:.0f} ({r['mouse_events']:.0f}) | {r['drag_messages'] + r['drag60_messages']} |")
            print(f"  {frontend} k steps, new picture (ms): {' '.join(f'{1000 * v:.0f}' for v in r['final'])}")
            sys.stdout.flush()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
