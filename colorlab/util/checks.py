"""Checks of the parameters several modules take (k, a choice among names), with messages a student understands.

numpy only; no screen.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import InvalidParameterError

__all__ = ["MAX_K", "check_k", "check_choice"]

#: The largest palette colorlab makes (GIF and PNG-8 palettes hold 256 colors).
MAX_K = 256


def check_k(k, name: str = "k") -> int:
    """``k`` as an int, if it is a whole number from 1 to :data:`MAX_K`; ``name`` is what the message calls it.

    Raises
    ------
    InvalidParameterError
        Otherwise, with a message that says which numbers are allowed.

    Examples
    --------
    >>> check_k(np.int64(8))
    8
    >>> check_k(0)
    Traceback (most recent call last):
    ...
    colorlab.errors.InvalidParameterError: k must be a whole number from 1 to 256, got 0
    """
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral) or not 1 <= k <= MAX_K:
        raise InvalidParameterError(f"{name} must be a whole number from 1 to {MAX_K}, got {k!r}")
    return int(k)


def check_choice(value, choices, name: str) -> str:
    """``value``, if it is one of the strings ``choices``; ``name`` is what the message calls it.

    Examples
    --------
    >>> check_choice("lab", ("rgb", "lab"), "space")
    'lab'
    >>> check_choice("hsv", ("rgb", "lab"), "space")
    Traceback (most recent call last):
    ...
    colorlab.errors.InvalidParameterError: space must be one of 'rgb', 'lab', got 'hsv'
    """
    if not isinstance(value, str) or value not in choices:
        raise InvalidParameterError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value
