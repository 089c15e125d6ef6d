"""Redrawing an image with a palette: :func:`colorlab.quantize` and :func:`colorlab.reduce_colors`
(:mod:`.quantize`), dithering (:mod:`.dither`), masks of the pixels to count (:mod:`.masks`), half-transparent
pixels kept in an indexed PNG with entries of their own alpha (:mod:`.alpha`), animations (:mod:`.animation`)
and side-by-side comparisons of methods, color spaces and ditherings (:mod:`.compare`).

May import: :mod:`colorlab.selection` (``-k auto`` for animations) and everything below it. Never
matplotlib or ipywidgets.
"""
