"""Shared test set-up: headless matplotlib, a hypothesis profile for a 2-core CI, small images."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")  # before any pyplot import: tests never need a screen

settings.register_profile(
    "colorlab",
    deadline=None,  # timing is the benchmarks' business, not the tests'
    max_examples=int(os.environ.get("COLORLAB_HYPOTHESIS_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("colorlab")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
KODAK = SHARED / "datasets" / "kodak"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def kodak_dir() -> Path:
    """The Kodak suite in ../shared; tests that need it skip cleanly in a user's clone."""
    if not (KODAK / "kodim05.png").exists():
        pytest.skip("the Kodak photos (../shared/datasets/kodak) are not beside this checkout")
    return KODAK


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def small_photo() -> np.ndarray:
    """A real photo, cropped small (64x96) so clustering tests stay fast."""
    import colorlab

    return np.ascontiguousarray(colorlab.load_image("rocket")[150:214, 200:296])
