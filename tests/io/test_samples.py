"""colorlab.io.samples: the bundled photos, their credits and data/README.md agree."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import colorlab
from colorlab.io import samples as samples_module
from colorlab.errors import ImageFileError
from colorlab.io.samples import SAMPLES, credits, data_dir, resolve, sample_path, samples

EXPECTED = ["astronaut", "chelsea", "coffee", "hubble_deep_field", "retina", "rocket"]


def test_the_six_photos_are_bundled():
    assert samples() == EXPECTED
    assert colorlab.samples() == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_each_photo_loads_with_its_documented_size(name):
    image = colorlab.load_image(name)
    width, height = SAMPLES[name].size
    assert image.shape == (height, width, 3) and image.dtype == np.uint8
    assert len(np.unique(image.reshape(-1, 3)[::97], axis=0)) > 50  # a real photo, not a flat test card


@pytest.mark.parametrize("name", EXPECTED)
def test_terms_are_public_domain_or_cc0(name):
    terms = SAMPLES[name].license.lower()
    assert "public domain" in terms or "cc0" in terms
    line = credits(name)
    assert SAMPLES[name].author in line and SAMPLES[name].source in line and SAMPLES[name].license in line


def test_data_readme_has_one_row_per_photo(repo):
    readme = (repo / "data" / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    assert len(rows) == len(SAMPLES)
    for name, sample in SAMPLES.items():
        (row,) = [r for r in rows if r.startswith(f"| `{sample.file}`")]
        width, height = sample.size
        assert f"{width} x {height}" in row and sample.author in row and sample.source in row
        assert re.search(r"public domain|CC0", row)


def test_photos_of_a_megapixel_or_more_are_included():
    assert any(w * h >= 1_000_000 for w, h in (s.size for s in SAMPLES.values()))


def test_sample_path_and_resolve():
    assert sample_path("rocket") == data_dir() / "rocket.jpg"
    assert resolve("rocket") == sample_path("rocket")
    assert str(resolve("rocket.jpg")) == "rocket.jpg"  # with a suffix it is a path, even if missing
    assert str(resolve("photos/rocket")) == "photos/rocket"


@pytest.mark.parametrize("call", [sample_path, credits])
def test_unknown_name_lists_the_choices(call):
    with pytest.raises(ImageFileError) as info:
        call("sunset")
    assert "'sunset'" in str(info.value) and "rocket" in str(info.value)


def test_colorlab_data_overrides_the_folder(tmp_path, monkeypatch):
    shutil.copy(sample_path("rocket"), tmp_path / "rocket.jpg")
    monkeypatch.setenv("COLORLAB_DATA", str(tmp_path))
    assert data_dir() == tmp_path
    assert samples() == ["rocket"]
    assert colorlab.load_image("rocket").shape == (427, 640, 3)
    with pytest.raises(ImageFileError, match="COLORLAB_DATA"):
        sample_path("coffee")  # known, but not in that folder
    with pytest.raises(ImageFileError, match="rocket"):
        colorlab.load_image("sunset")  # the message lists what that folder has


def test_an_existing_file_named_like_a_photo_wins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    colorlab.save_image(tmp_path / "probe.png", np.full((2, 2, 3), 7, np.uint8))
    (tmp_path / "rocket").write_bytes((tmp_path / "probe.png").read_bytes())
    np.testing.assert_array_equal(colorlab.load_image("rocket"), np.full((2, 2, 3), 7, np.uint8))


def test_module_has_no_import_time_folder():
    # the folder is looked up at call time, so COLORLAB_DATA set later still counts
    assert not hasattr(samples_module, "DATA_DIR")


def test_an_installed_package_reads_its_own_data_folder(tmp_path, repo):
    """Installed (wheel, pip install .), the photos are in colorlab/data; the checkout's data/ is not used.

    The package is copied beside a copy of the photos, as an install lays it out, and imported from there in a
    fresh interpreter (tests/test_package.py does the same with a real wheel in a fresh venv).
    """
    site = tmp_path / "site"
    shutil.copytree(repo / "colorlab", site / "colorlab", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "colorlab" / "data").mkdir()
    shutil.copy(repo / "data" / "rocket.jpg", site / "colorlab" / "data" / "rocket.jpg")
    code = (
        "import colorlab; from colorlab.io.samples import data_dir; "
        "print(colorlab.__file__); print(data_dir()); print(colorlab.samples()); "
        "print(colorlab.load_image('rocket').shape)"
    )
    env = {k: v for k, v in os.environ.items() if k != "COLORLAB_DATA"} | {"PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == [
        str(site / "colorlab" / "__init__.py"), str(site / "colorlab" / "data"), "['rocket']", "(427, 640, 3)",
    ]
