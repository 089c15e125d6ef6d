"""The engine's threads: the kernels release the GIL, so independent work runs on several cores from plain
Python threads (whole k-means++ starts, or row ranges of the points). Each point's label and bounds depend on
that point alone and every sum is taken serially, so the results are the same for any number of threads.

Read :data:`THREADS`, :data:`SPLIT_POINTS` and :data:`SPLIT_PIXELS` as ``threads.THREADS`` at call time
(tests and batch workers set them).
"""

from __future__ import annotations

import os
import queue
import threading

import numpy as np

__all__ = ["THREADS", "SPLIT_POINTS", "SPLIT_PIXELS", "map_threads", "ranges", "pixel_ranges"]

#: Threads the engine uses (the cores this process may run on, at most 8).
THREADS = max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))
#: Point sets smaller than this are not split over threads (the hand-over would cost more).
SPLIT_POINTS = 16_384
#: ... nor images with fewer pixels than this in :func:`spread_values` (each thread builds its own 3 MB
#: lookup bitmap, ~0.5 ms).
SPLIT_PIXELS = 1_000_000
_pool = None
_POOL_LOCK = threading.Lock()


class _Pool:
    """THREADS - 1 worker threads that, with the calling thread, run the items of :func:`map_threads`.

    Here instead of ``concurrent.futures.ThreadPoolExecutor``, whose import (with ``logging``) cost
    the command line 4 ms of its start . The caller takes items from the queue too, so a
    call from inside a mapped function (or from two threads at once) cannot wait on itself.
    """

    def __init__(self, workers: int):
        self._tasks = queue.SimpleQueue()
        for i in range(workers):
            threading.Thread(target=self._work, name=f"colorlab-{i}", daemon=True).start()

    def _work(self):
        while True:
            self._run(*self._tasks.get())

    @staticmethod
    def _run(function, items, results, index, done):
        try:
            results[index] = (True, function(items[index]))
        except BaseException as error:  # noqa: BLE001 - handed to the caller, which raises it
            results[index] = (False, error)
        done.release()

    def map(self, function, items: list) -> list:
        results, done = [None] * len(items), threading.Semaphore(0)
        for index in range(len(items)):
            self._tasks.put((function, items, results, index, done))
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                break
            self._run(*task)
        for _ in items:
            done.acquire()
        for ok, value in results:
            if not ok:
                raise value
        return [value for _, value in results]


def _forget_pool():
    global _pool, _POOL_LOCK
    _pool, _POOL_LOCK = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)  # a forked child has none of the parent's threads


def map_threads(function, items):
    """``[function(item) for item in items]``, on up to :data:`THREADS` threads (the calling one too)."""
    global _pool
    items = list(items)
    if THREADS == 1 or len(items) < 2:
        return [function(item) for item in items]
    if _pool is None:
        with _POOL_LOCK:
            if _pool is None:
                _pool = _Pool(THREADS - 1)
    return _pool.map(function, items)


def ranges(n: int) -> list[slice]:
    """Row ranges that split n points over the threads (one range when n is small)."""
    parts = 1 if n < SPLIT_POINTS else THREADS
    bounds = np.linspace(0, n, parts + 1).astype(int)
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]



def pixel_ranges(n: int) -> list[slice]:
    """n pixels in one range per thread."""
    bounds = np.linspace(0, n, THREADS + 1).astype(int)
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
