"""Colors: conversions between sRGB, linear RGB, XYZ, CIELAB and OKLab (:mod:`.spaces`).

May import: :mod:`colorlab.errors`, :mod:`colorlab.util` and numpy.
"""
