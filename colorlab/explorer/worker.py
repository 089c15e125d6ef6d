"""The explorer's two threads: one computes and shows the newest setting from the browser, the other looks ahead.

The explorer (:class:`colorlab.explorer.app.Explorer`) hands each browser change to :meth:`Worker.want` and
returns to reading messages at once; this module calls back its ``_show``, ``_ahead_jobs``, ``_send_result``,
``_measure`` and ``session``. Standard library only (it is handed the explorer, it does not import it).
"""

from __future__ import annotations

import threading

from .session import Key

__all__ = ["Worker"]


class Worker:
    """Two threads: one computes and shows the newest setting from the browser, the other looks ahead: the
    shown setting's SSIM, its neighbours, their SSIM (:meth:`Explorer._ahead_jobs`).

    A look-ahead job starts only while no wanted setting is waiting or being computed; one already
    running is not stopped (a fit cannot be interrupted), the wanted setting is computed beside it.
    """

    def __init__(self, explorer):
        self.explorer = explorer
        self._cond = threading.Condition()
        self._wanted: Key | None = None
        self._showing = False
        self._ahead: list[tuple[str, Key]] = []  # ("fit" or "ssim", key), in order
        self._stopped = False
        self._threads = [threading.Thread(target=self._run_wanted, name="colorlab-explorer", daemon=True),
                         threading.Thread(target=self._run_ahead, name="colorlab-explorer-ahead", daemon=True)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def want(self, key: Key) -> None:
        with self._cond:
            self._wanted, self._ahead = key, []
            self._cond.notify_all()

    def ahead(self, jobs: list[tuple[str, Key]]) -> None:
        with self._cond:
            self._ahead = list(jobs)
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def _run_wanted(self) -> None:
        explorer = self.explorer
        while True:
            with self._cond:
                while not self._stopped and self._wanted is None:
                    self._cond.wait()
                if self._stopped:
                    return
                key, self._wanted, self._showing = self._wanted, None, True
            try:
                shown = explorer._show(key, measure=False) is not None
            finally:
                with self._cond:
                    self._showing = False
                    self._cond.notify_all()
            if shown:
                self.ahead(explorer._ahead_jobs(key))

    def _run_ahead(self) -> None:
        explorer = self.explorer
        while True:
            with self._cond:
                while not self._stopped and (not self._ahead or self._wanted is not None or self._showing):
                    self._cond.wait()
                if self._stopped:
                    return
                job, key = self._ahead.pop(0)
            try:
                if job == "fit":
                    explorer._send_result(explorer.session.result(key), ahead=True)
                elif (result := explorer.session.cached(key)) is not None:  # not fitted again just for SSIM
                    explorer._measure(result)
            except Exception:  # noqa: BLE001 - a failed look-ahead is simply not there; the shown key reports its own
                pass
