"""pytest configuration for the whole checkout: the tests in tests/ and the doctests in colorlab/."""

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every matplotlib figure a test or a doctest opened (pyplot keeps them otherwise)."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
