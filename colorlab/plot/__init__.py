"""Matplotlib figures: images side by side, swatches, 3D RGB scatters, elbow and error plots, the Lloyd
figures (:mod:`.figures`, whose names this package exports), a collection's figures (:mod:`.collection`) and
the blog post's figures (:mod:`.blog`).

May import: everything in colorlab below :mod:`colorlab.collection`, and matplotlib. Never ipywidgets.
"""

from .figures import *  # noqa: F403  (colorlab.plot's names are the figures module's)
from .figures import __all__  # noqa: F401
