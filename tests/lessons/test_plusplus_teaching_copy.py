"""The lessons' textbook k-means++ (``lessons.lloyd._plusplus_start``) is the engine's, written to be read.

The engine's greedy k-means++ (``_engine.kernels.kmeans_plusplus``) with one candidate per step keeps
that candidate, so it is the textbook algorithm. numpy's ``Generator.choice(n, p=...)`` draws one
uniform number per call and picks the first index whose cumulative probability exceeds it, as the
engine does with its cumulative weights. Given the same uniform numbers both choose the same points.
They sum differently (numpy normalises the probabilities first), so a uniform number within rounding
of a boundary between two points could pick the neighbour; the fixed cases below are checked exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

from colorlab._engine import kernels as _kernels
from colorlab.color.spaces import to_space
from colorlab.lessons.lloyd import _plusplus_start


def _case(seed: int):
    rng = np.random.default_rng(1000 + seed)
    colors = np.unique(rng.integers(0, 256, (int(rng.integers(5, 400)), 3)).astype(np.uint8), axis=0)
    coords = to_space(colors, ("rgb", "lab", "oklab")[seed % 3])
    weights = np.ones(len(colors)) if seed % 4 == 0 else rng.integers(1, 50, len(colors)).astype(np.float64)
    k = int(rng.integers(1, min(len(colors), 40) + 1))
    return coords, weights, k


@pytest.mark.parametrize("seed", range(40))
def test_teaching_plusplus_chooses_what_the_engine_chooses_with_one_trial_per_step(seed):
    coords, weights, k = _case(seed)
    taught = coords[_plusplus_start(coords, weights, k, np.random.default_rng(seed))]
    uniforms = np.random.default_rng(seed).random(k)  # what the k calls of rng.choice draw
    engine = _kernels.kmeans_plusplus(coords, weights, uniforms[0], uniforms[1:, None])
    np.testing.assert_array_equal(taught, engine)


def test_more_trials_per_step_make_the_engine_choose_differently():
    # the equality above is about one trial per step; the engine's default draws several and keeps the best
    coords, weights, k = _case(1)
    k = max(k, 8)
    uniforms = np.random.default_rng(1).random((k, 6))
    one = _kernels.kmeans_plusplus(coords, weights, uniforms[0, 0], uniforms[1:, :1])
    several = _kernels.kmeans_plusplus(coords, weights, uniforms[0, 0], uniforms[1:])
    assert not np.array_equal(one, several)
