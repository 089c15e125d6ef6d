"""Many k at once and choosing k: :func:`colorlab.sweep` (:mod:`.sweep`: a palette and its figures for
each k, sharing the work) and the smallest k that reaches a PSNR or a mean ΔE2000 (:mod:`.smallest`).

May import: :mod:`colorlab.metrics`, :mod:`colorlab.cluster` and everything below them. Never
matplotlib or ipywidgets.
"""

from .smallest import AutoK, NoKReachesError, smallest_k
from .sweep import MODES, SweepRow

# the sweep itself is colorlab.sweep (its module is colorlab.selection.sweep)
__all__ = ["smallest_k", "AutoK", "NoKReachesError", "SweepRow", "MODES"]
