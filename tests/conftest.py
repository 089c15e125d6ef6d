"""Shared test set-up: headless matplotlib, a hypothesis profile for a 2-core CI, small images."""

from __future__ import annotations

import os
import tempfile
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


@pytest.fixture
def unwritable_folder(tmp_path):
    """A folder this user cannot create files in.

    As a normal user, a folder with mode 0o555. As root (CI), chmod stops nothing, so the folder is
    /sys/kernel, where the kernel refuses new files to everyone; the test skips only if that folder
    turns out to accept files (then no honest unwritable folder exists here).
    """
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    folder = Path("/sys/kernel")
    try:
        fd, name = tempfile.mkstemp(dir=folder)
    except OSError:
        yield folder
        return
    os.close(fd)
    os.unlink(name)
    pytest.skip("running as root and /sys/kernel accepts new files: no honest unwritable folder")
