"""numpy's default random numbers for a whole-number seed, without importing ``numpy.random``.

Private module. ``np.random.default_rng(seed).random(size)`` for an int ``seed >= 0`` is PCG64 seeded
by ``SeedSequence(seed)``; this module computes exactly those numbers (the SeedSequence hash here in
Python, the generator in ``colorlab/_engine/engine.c``). Importing ``numpy.random`` costs 10-19 ms, 5-8% of
a whole ``colorlab quantize`` on a 0.4 MP photo; the engine only needs uniform numbers.
Any other seed (None, a SeedSequence, a Generator) goes to numpy itself. ``tests/engine/test_random.py``
checks the numbers against numpy's for many seeds and shapes.
"""

from __future__ import annotations

import numbers
from itertools import cycle

import numpy as np

from . import kernels as _kernels

_MASK32 = 0xFFFF_FFFF
_MASK128 = (1 << 128) - 1
_PCG_MULT = (2549297995355413924 << 64) | 4865540595714422341
# numpy/random/bit_generator.pyx: SeedSequence's hash constants
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R = 0xCA01F9DD, 0x4973F715
_XSHIFT = 16
_POOL_SIZE = 4


def _words(value: int) -> list[int]:
    """A non-negative int as little-endian 32-bit words ([0] for 0), as SeedSequence reads it."""
    words = []
    while True:
        words.append(value & _MASK32)
        value >>= 32
        if not value:
            return words


def _seed_state(seed: int) -> list[int]:
    """``SeedSequence(seed).generate_state(4, np.uint64)`` as Python ints."""
    hash_const = _INIT_A

    def hashmix(value):
        nonlocal hash_const
        value ^= hash_const
        hash_const = (hash_const * _MULT_A) & _MASK32
        value = (value * hash_const) & _MASK32
        return value ^ (value >> _XSHIFT)

    def mix(x, y):
        result = (_MIX_MULT_L * x - _MIX_MULT_R * y) & _MASK32
        return result ^ (result >> _XSHIFT)

    entropy = _words(seed)
    pool = [hashmix(entropy[i] if i < len(entropy) else 0) for i in range(_POOL_SIZE)]
    for i_src in range(_POOL_SIZE):
        for i_dst in range(_POOL_SIZE):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hashmix(pool[i_src]))
    for i_src in range(_POOL_SIZE, len(entropy)):
        for i_dst in range(_POOL_SIZE):
            pool[i_dst] = mix(pool[i_dst], hashmix(entropy[i_src]))
    hash_const, words = _INIT_B, []
    for value, _ in zip(cycle(pool), range(8)):
        value ^= hash_const
        hash_const = (hash_const * _MULT_B) & _MASK32
        value = (value * hash_const) & _MASK32
        words.append(value ^ (value >> _XSHIFT))
    return [words[i] | (words[i + 1] << 32) for i in range(0, 8, 2)]


class Uniform:
    """``np.random.default_rng(seed)`` for an int seed >= 0, as far as ``random()`` goes.

    Examples
    --------
    >>> import numpy as np
    >>> bool((Uniform(7).random((2, 3)) == np.random.default_rng(7).random((2, 3))).all())
    True
    """

    def __init__(self, seed: int):
        words = _seed_state(seed)
        initstate, initseq = (words[0] << 64) | words[1], (words[2] << 64) | words[3]
        increment = ((initseq << 1) | 1) & _MASK128
        state = increment  # pcg64_srandom_r: state 0, one step, add the seed, one step
        state = (state + initstate) & _MASK128
        state = (state * _PCG_MULT + increment) & _MASK128
        self._state = np.array([state >> 64, state & (2**64 - 1), increment >> 64, increment & (2**64 - 1)],
                               dtype=np.uint64)

    def random(self, size=None):
        """Uniform floats in [0, 1): one float for ``size=None``, else an array of that shape."""
        shape = () if size is None else (size,) if isinstance(size, numbers.Integral) else tuple(size)
        values = _kernels.pcg64_doubles(self._state, int(np.prod(shape, dtype=np.int64)))
        return float(values[0]) if size is None else values.reshape(shape)


#: Whether the engine was built with 128-bit integers (else every seed goes to numpy).
_HAS_PCG64 = _kernels.pcg64_doubles(np.zeros(4, np.uint64), 0) is not None


def generator(seed):
    """An object with numpy's ``Generator.random`` for ``seed``, giving the numbers
    ``np.random.default_rng(seed)`` gives: :class:`Uniform` for a whole number >= 0 (when the engine
    has 128-bit integers), numpy's generator for anything else."""
    if _HAS_PCG64 and isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return Uniform(int(seed))
    return np.random.default_rng(seed)
