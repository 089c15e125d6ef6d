"""colorlab._engine.random gives exactly the numbers numpy's default generator gives, without numpy.random."""

import subprocess
import sys

import numpy as np
import pytest

from colorlab._engine import random as _random


@pytest.mark.parametrize("seed", [0, 1, 2, 42, 2**31 - 1, 2**32 - 1, 2**32, 2**63 + 11, 2**64 + 5, 2**130 + 3,
                                  np.int64(5), np.uint8(3)])
def test_uniform_numbers_equal_numpys(seed):
    ours, numpys = _random.generator(seed), np.random.default_rng(seed)
    assert isinstance(ours, _random.Uniform)
    for size in [None, (3, 4), 5, None, 0, (2, 0), (15, 8), 1000]:
        a, b = ours.random(size), numpys.random(size)
        assert type(a) is type(b)
        assert np.array_equal(a, b)


def test_many_seeds_equal_numpys():
    seeds = np.random.default_rng(99).integers(0, 2**62, 200)
    for seed in [*range(50), *seeds]:
        assert np.array_equal(_random.generator(int(seed)).random(7), np.random.default_rng(seed).random(7))


@pytest.mark.parametrize("seed", [None, np.random.SeedSequence(4), True])
def test_other_seeds_go_to_numpy(seed):
    assert isinstance(_random.generator(seed), np.random.Generator)


def test_negative_seed_is_refused_as_numpy_refuses_it():
    with pytest.raises(ValueError):
        _random.generator(-1)


def test_a_fit_does_not_import_numpy_random():
    code = ("import sys, colorlab; colorlab.fit_palette(colorlab.load_image('rocket'), 16, seed=3); "
            "print('numpy.random' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
