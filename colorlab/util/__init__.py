"""Small shared helpers: argument checks (k, choices, whole numbers) and atomic file writes.

May import: :mod:`colorlab.errors` and the standard library (and numpy). Nothing else in colorlab.
"""
