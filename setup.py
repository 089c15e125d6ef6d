"""Package layout that pyproject.toml cannot say by itself.

Every package under ``colorlab/`` is found (so new subpackages ship without a
change here), and ``colorlab.data`` is added: it is the top-level ``data/``
folder (``package-dir`` in pyproject.toml), so the bundled photos and their
credits land in ``colorlab/data/`` inside wheels and installs. Everything else
is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(packages=find_packages(include=["colorlab", "colorlab.*"]) + ["colorlab.data"])
