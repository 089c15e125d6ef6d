"""Small shared helpers: argument checks (:mod:`.checks`: k, choices, whole numbers, seeds), atomic file writes
and output checks (:mod:`.files`), and the optional packages a part needs (:mod:`.extras`: one line naming the
``pip install`` when one is missing).

May import: :mod:`colorlab.errors` and the standard library (and numpy). Nothing else in colorlab.
"""
