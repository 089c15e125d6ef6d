"""Images in and out: loading (EXIF orientation, alpha, 16-bit, size limits) and atomic saving
(:mod:`.images`), the indexed-PNG writer (:mod:`.png`), the bundled sample photos (:mod:`.samples`) and
uploaded files (:mod:`.uploads`).

May import: :mod:`colorlab.errors`, :mod:`colorlab.util`, :mod:`colorlab._engine`, :mod:`colorlab.palette`,
numpy, Pillow and imageio. Never matplotlib or ipywidgets.
"""
