"""Old module paths of colorlab, from before its subpackages, kept working for one release.

``import colorlab.lloyd`` (or ``from colorlab import widgets``) still works: it gives a module that reads
every name from the new home(s) and warns once, with a :class:`FutureWarning` naming the new path. The
modules ``colorlab.quantize``, ``colorlab.sweep`` and ``colorlab.batch`` cannot come back this way: those
names are the functions ``colorlab.quantize``, ``colorlab.sweep`` and ``colorlab.batch``.

Imports only the standard library; the new homes are imported on first use of the old path.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
import warnings

#: Old module path -> the module(s) that hold its names now, looked up in this order.
MOVED = {
    "animation": ("colorlab.redraw.animation",),
    "choose_k": ("colorlab.selection.smallest",),
    "collection_plot": ("colorlab.plot.collection",),
    "colorspace": ("colorlab.color.spaces",),
    "compare": ("colorlab.redraw.compare",),
    "compare_widgets": ("colorlab.lessons.compare_widgets",),
    "constrained": ("colorlab.cluster.locked", "colorlab.color.parse", "colorlab.redraw.masks"),
    "dither": ("colorlab.redraw.dither",),
    "figures": ("colorlab.plot.blog",),
    "hierarchy": ("colorlab.cluster.ward",),
    "images": ("colorlab.io.images", "colorlab.io.arrays", "colorlab.io.saving"),
    "lloyd": ("colorlab.lessons.lloyd",),
    "mediancut": ("colorlab.cluster.mediancut",),
    "palette_io": ("colorlab.palette.formats",),
    "params": ("colorlab.util.checks",),
    "uploads": ("colorlab.io.uploads",),
    "widgets": ("colorlab.lessons.widgets",),
}


class _OldPath(types.ModuleType):
    """A module standing at an old path: each name is read from the new module that has it."""

    def __init__(self, name: str, homes: tuple[str, ...]):
        super().__init__(name, f"Moved: see {', '.join(homes)}.")
        self._homes = homes

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        for home in self._homes:
            module = importlib.import_module(home)
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")

    def __dir__(self):
        return sorted({n for home in self._homes for n in dir(importlib.import_module(home))})


class _Finder:
    """A meta path finder and loader for the old paths (duck-typed: importlib.abc costs 8 ms of start-up)."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition(".")
        if package == "colorlab" and name in MOVED:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        name = spec.name.rpartition(".")[2]
        homes = MOVED[name]
        warnings.warn(
            f"{spec.name} has moved to {' and '.join(homes)}; the old path goes in the next release",
            FutureWarning,
            stacklevel=_caller_level(),
        )
        return _OldPath(spec.name, homes)

    def exec_module(self, module):
        pass


def moved_names(module: str, names: dict[str, str]):
    """A module ``__getattr__`` for names that moved out of ``module``: each is read from its new home
    (``"package.module.name"``) on first use, with a warning naming it."""

    def __getattr__(name: str):
        if name not in names:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        home, _, attribute = names[name].rpartition(".")
        warnings.warn(f"{module}.{name} has moved to {names[name]}; the old name goes in the next release",
                      FutureWarning, stacklevel=2)
        return getattr(importlib.import_module(home), attribute)

    return __getattr__


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside the import system and colorlab's own lookup (the line
    that named the old path). ``warnings`` itself does not count the import system's frozen frames."""
    skipped = (__file__, importlib.__file__, sys.modules["colorlab"].__file__)
    frame, level = sys._getframe(1), 1
    while frame is not None and (frame.f_code.co_filename.startswith("<frozen") or frame.f_code.co_filename in skipped):
        frame = frame.f_back
        if frame is not None and not frame.f_code.co_filename.startswith("<frozen importlib"):
            level += 1
    return level


if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
    sys.meta_path.append(_Finder())
