"""Many k at once and choosing k: :func:`colorlab.sweep` (:mod:`.sweep`), the smallest k that reaches a
target (:mod:`.smallest`) and comparing methods (:mod:`.compare`).

May import: :mod:`colorlab.metrics`, :mod:`colorlab.redraw` and everything below them. Never matplotlib or
ipywidgets.
"""
