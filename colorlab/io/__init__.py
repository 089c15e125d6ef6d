"""Images in and out: the arrays colorlab takes (:mod:`.arrays`), loading files with EXIF orientation,
alpha, 16-bit and size limits (:mod:`.images`), saving atomically (:mod:`.saving`) with colorlab's
indexed-PNG writer (:mod:`.png`), the bundled sample photos (:mod:`.samples`) and uploaded files
(:mod:`.uploads`).

May import: :mod:`colorlab.errors`, :mod:`colorlab.util`, :mod:`colorlab._engine`, :mod:`colorlab.palette`,
numpy, Pillow and imageio. Never matplotlib or ipywidgets.
"""
