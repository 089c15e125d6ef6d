"""What only the notebooks use: the Lloyd stepper (:mod:`.lloyd`), the lesson steppers (:mod:`.steppers`),
the point sets where k-means fails (:mod:`.shapes`), the cat's green eyes (:mod:`.eyes`),
the checks of the k-means a student writes (:mod:`.by_hand`), the dendrogram cutter (:mod:`.compare_widgets`) and the matplotlib explorer (:mod:`.widgets`).

May import: :mod:`colorlab.plot` and everything below it, matplotlib and ipywidgets. Nothing in the library
imports it.
"""

from importlib import import_module

from ..util.extras import need

need("ipywidgets", "notebooks", "colorlab.lessons")
need("matplotlib", "notebooks", "colorlab.lessons")

#: The steppers' names, which ``colorlab.lessons.steppers`` held before the lessons became a package.
_STEPPERS = {"LloydStepper", "lloyd_stepper", "VoronoiStepper", "voronoi_stepper", "shape_stepper", "KChooser",
             "k_chooser", "static_png"}


def __getattr__(name):
    if name in _STEPPERS:
        return getattr(import_module(".steppers", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
