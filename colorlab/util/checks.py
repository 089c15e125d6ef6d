"""Checks of the parameters several modules take (k, a choice among names), with messages a student understands.

numpy only; no screen.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import InvalidParameterError

__all__ = ["MAX_K", "MAX_SEED", "SHOWN", "shown", "check_whole", "check_k", "k_from_text", "check_seed", "seed_from_text",
           "check_choice"]

#: The largest palette colorlab makes (GIF and PNG-8 palettes hold 256 colors).
MAX_K = 256
#: The largest seed: every method takes it (scipy's ``kmeans2`` and numpy's legacy generator stop at 2**32 - 1).
MAX_SEED = 2**32 - 1
#: Characters of a value a message shows (a value read from a file may be megabytes long).
SHOWN = 40


def shown(value, limit: int = SHOWN) -> str:
    """``repr(value)`` for a message, cut to ``limit`` characters.

    Examples
    --------
    >>> shown("#12345g"), shown("x" * 100, 8)
    ("'#12345g'", "'xxxxxxx...")
    """
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def check_whole(value, name: str, low: int, high: int | None = None) -> int:
    """``value`` as an int, if it is a whole number from ``low`` to ``high`` (no upper end when None).

    Examples
    --------
    >>> check_whole(3, "step", 0, 9)
    3
    >>> check_whole(2.5, "max_points", 1)
    Traceback (most recent call last):
    ...
    colorlab.errors.InvalidParameterError: max_points must be a whole number of at least 1, got 2.5
    """
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < low
            or (high is not None and value > high)):
        bound = f"of at least {low}" if high is None else f"from {low} to {high}"
        raise InvalidParameterError(f"{name} must be a whole number {bound}, got {value!r}")
    return int(value)


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
    return check_whole(k, name, 1, MAX_K)


def k_from_text(text: str, *, auto: bool = False):
    """A k typed on the command line: a whole number from 1 to :data:`MAX_K`, or ``"auto"`` when allowed.

    Examples
    --------
    >>> k_from_text(" 16 "), k_from_text("Auto", auto=True)
    (16, 'auto')
    >>> k_from_text("0")
    Traceback (most recent call last):
    ...
    colorlab.errors.InvalidParameterError: k must be a whole number from 1 to 256, got '0'
    """
    if auto and text.strip().lower() == "auto":
        return "auto"
    try:
        k = int(text)
    except ValueError:
        k = None
    if k is None or not 1 <= k <= MAX_K:
        raise InvalidParameterError(f"k must be a whole number from 1 to {MAX_K}{' or auto' if auto else ''}, got {text!r}")
    return k


def check_seed(seed, name: str = "seed") -> int:
    """``seed`` as an int, if it is a whole number from 0 to :data:`MAX_SEED`, the seeds every method takes.

    Examples
    --------
    >>> check_seed(np.uint32(7))
    7
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    colorlab.errors.InvalidParameterError: seed must be a whole number from 0 to 4294967295, got -1
    """
    return check_whole(seed, name, 0, MAX_SEED)


def seed_from_text(text: str) -> int:
    """A seed typed on the command line, checked as :func:`check_seed` does.

    Examples
    --------
    >>> seed_from_text("42")
    42
    >>> seed_from_text("4294967296")
    Traceback (most recent call last):
    ...
    colorlab.errors.InvalidParameterError: the seed must be a whole number from 0 to 4294967295, got '4294967296'
    """
    try:
        return check_seed(int(text) if len(text) < 30 else -1)
    except (ValueError, InvalidParameterError):
        raise InvalidParameterError(f"the seed must be a whole number from 0 to {MAX_SEED}, got {text if len(text) < 30 else text[:30] + '...'!r}") from None


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
