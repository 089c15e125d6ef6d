"""The live explorer: pick a photo, move k, see the palette, the redrawn photo and the RGB cube.

- :mod:`colorlab.explorer.session`: what is computed (photos, histograms, results, cache); no screen.
- :mod:`colorlab.explorer.settings`: the limits and defaults (at home, in a class) and the texts naming them.
- :mod:`colorlab.explorer.pictures`: uploads kept smaller, Export's files and a saved notebook's still picture.
- :mod:`colorlab.explorer.app`: the widget (anywidget) with its browser front end, the files of ``js/``
  (state, cube, controls, painters, events; joined into one module) and ``explorer.css``: the photo and
  the 3D view are painted in the browser, from one byte per displayed pixel, and the 3D view turns
  there without the kernel.
- :mod:`colorlab.explorer.classroom`: the explorer served to a class (Voila).

Where a custom front end cannot load, :func:`colorlab.lessons.widgets.explorer` is the same explorer drawn
by matplotlib (ipympl or PNG images), and a notebook saved with the explorer's output still shows
a still picture of it.

May import: :mod:`colorlab.plot` and the packages below it (matplotlib only when a picture is drawn); the widget
(:mod:`.app`) also anywidget and ipywidgets, the notebooks extra.

Examples
--------
>>> from colorlab.explorer import explorer
>>> ex = explorer("coffee", k=5)
>>> ex.k = 8
>>> len(ex.palette)
8
"""

from importlib import import_module

from .session import DISPLAY_SIZE, K_MAX, SCATTER_POINTS, Key, Photo, Result, Session

__all__ = ["Explorer", "explorer", "Session", "Key", "Photo", "Result", "DISPLAY_SIZE", "K_MAX", "SCATTER_POINTS"]


def __getattr__(name):
    # the widget needs the notebooks extra (anywidget); the screenless session does not
    if name in ("Explorer", "explorer", "app"):
        module = import_module(".app", __name__)
        return module if name == "app" else getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
