"""A class on one machine: N students open the classroom page (Voila) and move k every few seconds.

Starts the classroom server exactly as ``bash dev.sh classroom`` does (``python -m
colorlab.explorer.classroom``: a pool of kernels filled before the class, COLORLAB_CLASSROOM=1) on
127.0.0.1 with a random port, waits until its pool of kernels is filled (reported as the time to
fill), then lets N students arrive ``--arrival`` seconds apart, each a headless
Chromium page (one browser, one context per student). Each student waits for the first result,
then presses ArrowRight on k ``--moves`` times, ``--gap`` seconds apart (with some jitter).

Reported per N:

- ready: from opening the page to the explorer's first result on screen (median, worst);
- k step, painted: from the key press to the first painted frame (DevTools screencast) in which the
  picture changed, for ``--observed`` students (recording every student's frames would itself load
  the machine); k step, on the page: from the key press until the page shows the new k's numbers,
  for every student;
- server memory: the largest total memory (PSS) of the Voila server and its kernels;
- errors: pages whose console showed an error, or whose explorer reported one;
- CPU seconds used during the class by the server (Voila and its kernels), by the students'
  browsers (Chromium and Playwright, on the same cores here, on the students' own computers in a
  real class) and by every other program on the machine, and the load average before the class.

    .venv/bin/python benchmarks/bench_classroom.py                  # N = 10, 20, 30
    .venv/bin/python benchmarks/bench_classroom.py --students 5 --moves 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import browser_support as support  # noqa: E402

from colorlab.explorer.classroom import POOL, RESERVE  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "02_explorer.ipynb"
SETTLED_JS = """k => document.querySelector('.colorlab-stats')?.innerText.trim().endsWith('→ ' + k)
    && !document.querySelector('.colorlab-explorer').classList.contains('colorlab-pending')"""


def _pss(pid: int) -> int:
    """Proportional set size in bytes: resident memory, with pages shared by n processes counted 1/n each."""
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants that are alive (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                children.setdefault(int(stat.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo.extend(children.get(tree[-1], []))
    return tree


def tree_memory(pid: int) -> int:
    """Memory in bytes of a process and all its descendants: the sum of their PSS.

    PSS rather than RSS: every kernel maps the same libraries (numba's LLVM alone is over 100 MB of
    resident pages), and summing RSS would count those pages once per kernel.
    """
    total = 0
    for member in process_tree(pid):
        try:
            total += _pss(member)
        except OSError:  # it ended meanwhile
            pass
    return total


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by a process and its descendants that are alive."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0.0
    for member in process_tree(pid):
        try:
            with open(f"/proc/{member}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            pass
    return total


def _busy_seconds() -> float:
    """CPU seconds the whole machine has been busy since boot (every core, every program; /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Watch(threading.Thread):
    """Every 0.5 s: the server's memory (peak PSS of its tree), and CPU seconds per process, kept per pid.

    CPU is read per process while it runs, so the pages' renderer processes, which end when a
    student leaves, are still counted. ``cpu()`` splits the CPU used since ``mark()`` into the
    server (Voila and its kernels), the students' browsers (Playwright and Chromium, started by
    this process) and every other program on the machine.
    """

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopped = pid, 0, False
        self.seen: dict[int, tuple[bool, float]] = {}  # pid: (in the server's tree, CPU seconds)
        self.marked = (0.0, {}, 0.0)

    def run(self):
        while not self.stopped:
            self.sample()
            time.sleep(0.5)

    def sample(self):
        self.peak = max(self.peak, tree_memory(self.pid))
        server = set(process_tree(self.pid))
        ticks = os.sysconf("SC_CLK_TCK")
        for member in process_tree(os.getpid()):
            if member == os.getpid():
                continue
            try:
                with open(f"/proc/{member}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                self.seen[member] = (member in server, (int(fields[11]) + int(fields[12])) / ticks)
            except (OSError, IndexError, ValueError):
                pass

    def mark(self):
        self.sample()
        self.marked = (time.time(), dict(self.seen), _busy_seconds())

    def cpu(self) -> dict:
        self.sample()
        _, before, busy = self.marked
        used = {True: 0.0, False: 0.0}
        for member, (in_server, seconds) in self.seen.items():
            used[in_server] += seconds - before.get(member, (in_server, 0.0))[1]
        total = _busy_seconds() - busy
        return {"server": used[True], "browsers": used[False],
                "others": max(0.0, total - used[True] - used[False]), "wall": time.time() - self.marked[0]}


async def _page_state(page) -> str:
    """What a failed student's page shows: k, the numbers under the picture, the message, pending or not."""
    try:
        return await page.evaluate("""() => {
            const q = s => document.querySelector(s);
            if (!q('.colorlab-explorer')) return 'no explorer; ' + document.body.innerText.slice(0, 200).replace(/\\s+/g, ' ');
            return `k ${q('.colorlab-k-readout')?.innerText}, focus on ${document.activeElement?.className || document.activeElement?.tagName}, `
                + `stats "${q('.colorlab-stats')?.innerText.trim()}", message "${q('.colorlab-message')?.innerText}", `
                + (q('.colorlab-explorer').classList.contains('colorlab-pending') ? 'pending' : 'not pending');
        }""")
    except Exception as err:  # noqa: BLE001 - the page itself is gone
        return f"(unreadable: {type(err).__name__})"


async def student(index: int, browser, url: str, args, observed: bool, out: dict) -> None:
    await asyncio.sleep(index * args.arrival)
    context = await browser.new_context(viewport={"width": 1280, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(120_000)
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and "ERR_NAME_NOT_RESOLVED" not in m.text and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    frames: list[tuple[float, str]] = []
    phase = "opening the page"
    try:
        start = time.time()
        await page.goto(url)
        await page.wait_for_selector(".colorlab-explorer .colorlab-swatch")
        k = int(await page.inner_text(".colorlab-k-readout"))
        phase = f"waiting for the first result (k = {k})"
        await page.wait_for_function(SETTLED_JS, arg=k)
        out["ready"].append(time.time() - start)
        await page.locator(".colorlab-explorer").scroll_into_view_if_needed()
        if observed:
            cdp = await context.new_cdp_session(page)

            async def on_frame(frame):
                frames.append((frame["metadata"]["timestamp"], frame["data"]))
                try:
                    await cdp.send("Page.screencastFrameAck", {"sessionId": frame["sessionId"]})
                except Exception:  # noqa: BLE001 - closing
                    pass

            cdp.on("Page.screencastFrame", lambda frame: asyncio.ensure_future(on_frame(frame)))
            await cdp.send("Page.startScreencast", {"format": "jpeg", "quality": 80, "maxWidth": 640, "maxHeight": 500})
        box = await page.evaluate("() => { const r = document.querySelector('.colorlab-picture')"
                                  ".getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }")
        await page.locator(".colorlab-k").focus()
        for move in range(args.moves):
            await asyncio.sleep(args.gap * random.uniform(0.75, 1.25))
            pressed = time.time()
            await page.keyboard.press("ArrowRight")
            k += 1
            phase = f"k step {move + 1} (to k = {k})"
            await page.wait_for_function(SETTLED_JS, arg=k, polling="raf")
            out["step_page"].append(time.time() - pressed)
            if observed:
                await asyncio.sleep(0.5)
                changes = support.changes_after(frames, pressed, pressed + 3, [box], 1280)
                if changes:
                    out["step_painted"].append(changes[0])
        if await page.locator(".colorlab-error").count():
            errors.append(await page.inner_text(".colorlab-message"))
    except Exception as err:  # noqa: BLE001 - a student whose page failed counts as an error
        errors.append(f"{phase}: {type(err).__name__}: {str(err).splitlines()[0]}; the page shows: "
                      f"{await _page_state(page)}")
    finally:
        if errors:
            out["errors"].append(f"student {index}: {errors[0][:400]}")
        await context.close()


async def classroom(n: int, url: str, args) -> dict:
    from playwright.async_api import async_playwright

    out = {"ready": [], "step_page": [], "step_painted": [], "errors": []}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(support.CHROMIUM), args=support.CHROMIUM_ARGS)
        await asyncio.gather(*(student(i, browser, url, args, i < args.observed, out) for i in range(n)))
        await browser.close()
    return out


def run(n: int, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="colorlab-classroom-") as scratch:
        scratch = Path(scratch)
        notebook = support.copy_notebook(NOTEBOOK, scratch / "class")
        port = support.free_port()
        env = support.jupyter_env(scratch)
        env.pop("COLORLAB_CLASSROOM", None)  # the command sets it itself
        log = scratch / "server.log"
        pool = args.pool
        # exactly as `bash dev.sh classroom` (os.execv: the process is Voila itself)
        command = [sys.executable, "-m", "colorlab.explorer.classroom", f"--port={port}", f"--pool={pool}",
                   f"--reserve={args.reserve}", f"--notebook={notebook}"]
        with open(log, "wb") as sink:
            server = subprocess.Popen(command, cwd=notebook.parent, env=env, stdout=sink, stderr=subprocess.STDOUT)
        watch = Watch(server.pid)
        watch.start()
        try:
            support._wait_until_up(f"http://127.0.0.1:{port}/voila/static/voila.js", server, log)
            started = time.time()
            while not re.search(r"colorlab classroom: \d+ kernels ready$", log.read_text(errors="replace"), re.M):
                if time.time() - started > 600:
                    raise TimeoutError(f"the pool of {pool} kernels was not filled within 10 minutes")
                time.sleep(1)
            # the pool's kernels run the notebook in the background: wait until the server is quiet
            before = tree_cpu_seconds(server.pid)
            while True:
                time.sleep(2)
                now = tree_cpu_seconds(server.pid)
                if now - before < 0.2 or time.time() - started > 600:
                    break
                before = now
            warm = time.time() - started
            load = os.getloadavg()[0]
            watch.mark()
            result = asyncio.run(classroom(n, f"http://127.0.0.1:{port}/", args))
            result["cpu"] = watch.cpu()
            result["warm"], result["pool"], result["load"] = warm, pool, load
        finally:
            watch.stopped = True
            support._stop(server)
        result["memory"] = watch.peak
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", default="10,20,30")
    parser.add_argument("--pool", type=int, default=POOL,
                        help=f"kernels started before the class (default {POOL}, as dev.sh classroom)")
    parser.add_argument("--reserve", type=int, default=RESERVE,
                        help=f"kernels kept ready once the pool is used up (default {RESERVE}, as dev.sh classroom)")
    parser.add_argument("--arrival", type=float, default=0.5, help="seconds between two students opening the page")
    parser.add_argument("--moves", type=int, default=5)
    parser.add_argument("--gap", type=float, default=4.0, help="seconds between a student's key presses")
    parser.add_argument("--observed", type=int, default=3, help="students whose painted frames are recorded")
    args = parser.parse_args(argv)
    if not support.CHROMIUM.exists():
        print(f"bench_classroom: {support.CHROMIUM} is missing; install it with `apt-get install chromium`")
        return 2
    print(f"# bench_classroom {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB; arrivals {args.arrival} s apart, "
          f"{args.moves} k steps each, {args.gap} s apart")
    print("| students | kernels ready ahead (time to fill) | page ready: median (worst) | k step painted: median (worst) "
          "| k step on the page: median (worst) | server memory | errors | CPU s during the class: server, browsers, "
          "other programs (wall s) | load before |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n in (int(v) for v in args.students.split(",")):
        r = run(n, args)
        s = lambda values: (f"{statistics.median(values):.2f} s ({max(values):.2f} s)" if values else "n/a")  # noqa: E731
        print(f"| {n} | {r['pool']} ({r['warm']:.0f} s) | {s(r['ready'])} | {s(r['step_painted'])} | {s(r['step_page'])} "
              f"| {r['memory'] / 2**30:.2f} GiB | {len(r['errors'])} | {r['cpu']['server']:.0f}, {r['cpu']['browsers']:.0f}, "
              f"{r['cpu']['others']:.0f} ({r['cpu']['wall']:.0f}) | {r['load']:.1f} |", flush=True)
        for error in r["errors"][:5]:
            print(f"  {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
