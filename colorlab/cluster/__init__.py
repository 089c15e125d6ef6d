"""Fitting a palette: exact k-means and the other methods (:mod:`.fit`), Wu's cuts with a short k-means for
256-color palettes (:mod:`.wu`), palettes with locked colors (:mod:`.locked`), Ward's agglomerative clustering
(:mod:`.ward`) and median cut (:mod:`.mediancut`).

May import: :mod:`colorlab.errors`, :mod:`colorlab.util`, :mod:`colorlab._engine`, :mod:`colorlab.color`,
:mod:`colorlab.palette`, :mod:`colorlab.io`, :mod:`colorlab.histogram`, numpy, scipy and Pillow.
Never matplotlib or ipywidgets.
"""

from .fit import MAX_K, METHODS, SEEDED_METHODS, SLOW_METHODS, SPACES, fit_histogram, fit_palette, nearest_labels

__all__ = ["METHODS", "SEEDED_METHODS", "SLOW_METHODS", "SPACES", "MAX_K", "fit_palette", "fit_histogram",
           "nearest_labels"]
