"""Redrawing an image with a palette: :func:`quantize` and :func:`reduce_colors` (:mod:`.quantize`),
dithering (:mod:`.dither`) and animations (:mod:`.animation`).

May import: :mod:`colorlab.cluster` and everything below it. Never matplotlib or ipywidgets.
"""
