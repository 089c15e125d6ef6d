"""Colors: conversions between sRGB, linear RGB, XYZ, CIELAB and OKLab (:mod:`.spaces`) with the numbers that
define them (:mod:`.standards`), and colors as people write them, ``"#rrggbb"``, ``"#rgb"`` or ``"r,g,b"`` (:mod:`.parse`).

May import: :mod:`colorlab.errors`, :mod:`colorlab.util`, the engine's C kernels (:mod:`colorlab._engine`,
which imports nothing of colorlab's but errors and util) and numpy.
"""
