"""The classroom server's pool of kernels: all started before the class, refilled sparingly during it.

Voila's own pool (``--preheat_kernel``) starts every kernel of the pool at once, and refills the
pool to its full size each time a page takes a kernel. For a class that is the wrong way round:
30 students arriving within a minute make the server start 30 new kernels while their 30 pages
load, on the same cores. :class:`ClassroomKernelManager` (Voila's
``VoilaConfiguration.multi_kernel_manager_class``) changes two things and nothing else:

- the pool is filled before the class, at most :attr:`~ClassroomKernelManager.starting` kernels
  starting at a time (each one imports colorlab and computes the explorer for the default photo);
- once the pool has been full, a kernel taken by a page is replaced only when fewer than
  :attr:`~ClassroomKernelManager.reserve` kernels are left ready, one at a time: a pool sized for
  the class is used up by the class, and late arrivals and reloads still find a ready kernel;
- when no page has taken a kernel for :attr:`~ClassroomKernelManager.refill_minutes`, the pool is
  filled up again as before the class (for the next class).

The server logs ``colorlab classroom: N kernels ready`` each time the pool is full.
"""

from __future__ import annotations

import asyncio
import functools

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Float, Int

__all__ = ["ClassroomKernelManager"]


class ClassroomKernelManager(AsyncMappingKernelManager):
    """A kernel manager for Voila whose pool is filled before the class and refilled sparingly.

    Voila derives its pooling manager from this class (``voila_kernel_manager_factory``); the pool's
    ``fill_if_needed`` of that derived class is wrapped here (see ``__init_subclass__``).
    """

    reserve = Int(2, config=True, help="Once the pool has been full, start a kernel only when fewer than this "
                                       "many are left ready (one at a time).")
    starting = Int(2, config=True, help="Kernels started at the same time while the pool fills (at least 1).")
    refill_minutes = Float(10, config=True, help="When no page has taken a kernel for this long, fill the pool up "
                                                 "again as before the class (0: never).")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        fill = cls.__dict__.get("fill_if_needed")
        if fill is not None:  # Voila's pooling manager: fill its pool our way
            cls.fill_if_needed = _sparing(fill)


def _sparing(fill):
    """``fill_if_needed`` that starts kernels a few at a time up to the pool size, then keeps only a reserve.

    Voila calls it once when it starts and again each time a page takes a kernel from the pool.
    """

    def fill_if_needed(self, delay=None, notebook_name=None, extra_kernel_env_variables=None, **kwargs):
        pool_state = _state(self, notebook_name)
        top_up = functools.partial(_top_up, self, fill, notebook_name, extra_kernel_env_variables or {}, kwargs)
        if notebook_name in self._pools and self.refill_minutes > 0:  # a page took a kernel
            loop = asyncio.get_event_loop()
            pool_state["taken"] = loop.time()
            loop.call_later(self.refill_minutes * 60, _refill_if_quiet, self, notebook_name, top_up)
        top_up()

    fill_if_needed.__doc__ = fill.__doc__
    return fill_if_needed


def _state(manager, notebook_name) -> dict:
    pools = manager.__dict__.setdefault("_classroom", {})
    return pools.setdefault(notebook_name, {"full": False, "starting": 0, "taken": 0.0})


def _top_up(manager, fill, notebook_name, extra_env, kwargs) -> None:
    """Start what the pool needs now: up to its size before it has been full, else up to the reserve."""
    pool_state = _state(manager, notebook_name)
    pool = manager._pools.get(notebook_name, [])
    size = _pool_size(manager, notebook_name)
    if size <= 0:
        return
    target = size if not pool_state["full"] else min(size, max(manager.reserve, 0))
    room = max(1, manager.starting) - pool_state["starting"]
    for _ in range(max(0, min(room, target - len(pool)))):
        _start_one(manager, fill, notebook_name, extra_env, kwargs)
    if pool_state["full"]:
        manager.log.info("colorlab classroom: %d kernels ready or starting, %d being started (reserve %d)",
                         len(manager._pools.get(notebook_name, [])), pool_state["starting"], manager.reserve)


def _refill_if_quiet(manager, notebook_name, top_up) -> None:
    """After a class: no page has taken a kernel for refill_minutes, so fill the pool up again."""
    pool_state = _state(manager, notebook_name)
    quiet = asyncio.get_event_loop().time() - pool_state["taken"]
    if pool_state["full"] and quiet >= manager.refill_minutes * 60 - 1 and \
            len(manager._pools.get(notebook_name, [])) < _pool_size(manager, notebook_name):
        pool_state["full"] = False
        manager.log.info("colorlab classroom: no page for %g min, filling the pool again", manager.refill_minutes)
        top_up()


def _pool_size(manager, notebook_name) -> int:
    config = manager.kernel_pools_config
    default = config.get("default", {})
    return int(config.get(notebook_name, default).get("pool_size", default.get("pool_size", 1)))


def _start_one(manager, fill, notebook_name, extra_env, kwargs) -> None:
    """Start one kernel into the pool with Voila's own fill (asked for a pool one larger than now)."""
    pool_state = _state(manager, notebook_name)
    pool = manager._pools.setdefault(notebook_name, [])
    saved = manager.kernel_pools_config
    key = notebook_name if notebook_name in saved else "default"
    manager.kernel_pools_config = {**saved, key: {**saved.get(key, {}), "pool_size": len(pool) + 1}}
    try:
        fill(manager, delay=0, notebook_name=notebook_name, extra_kernel_env_variables=extra_env, **kwargs)
    finally:
        manager.kernel_pools_config = saved
    pool_state["starting"] += 1

    def kernel_started(task) -> None:
        try:
            render = task.result()["task"]
        except BaseException:  # noqa: BLE001 - the kernel failed to start; Voila logs it
            notebook_ran(None)
            return
        render.add_done_callback(notebook_ran)

    def notebook_ran(_task) -> None:
        pool_state["starting"] -= 1
        ready = len(manager._pools.get(notebook_name, []))
        if not pool_state["full"] and pool_state["starting"] == 0 and ready >= _pool_size(manager, notebook_name):
            pool_state["full"] = True
            manager.log.info("colorlab classroom: %d kernels ready", ready)
        _top_up(manager, fill, notebook_name, extra_env, kwargs)

    pool[-1].add_done_callback(kernel_started)
