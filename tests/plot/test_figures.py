"""Tests for colorlab.plot.blog: the blog's figures, regenerated as PNG files."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from colorlab.plot import blog as figures
from colorlab.errors import ImageFileError

EXPECTED_NAMES = ["rocket_k6_compare.png", "rocket_k6_rgb.png", "coffee_k4_compare.png", "coffee_k4_rgb.png"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    plt.close("all")
    out_dir = tmp_path_factory.mktemp("figures") / "new" / "folder"  # does not exist yet
    paths = figures.blog_figures(out_dir, seed=0)
    return out_dir, paths, plt.get_fignums()


def _read_png(path) -> np.ndarray:
    with Image.open(path) as im:
        assert im.format == "PNG"
        return np.asarray(im.convert("RGB"))


def test_blog_figures_writes_four_named_pngs_into_a_new_folder(written):
    out_dir, paths, _ = written
    assert [p.name for p in paths] == EXPECTED_NAMES
    assert all(p.parent == out_dir and p.is_file() for p in paths)
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(EXPECTED_NAMES)  # no temporary files left
    for path in paths:
        height, width = _read_png(path).shape[:2]
        assert width >= 500 and height >= 500


def test_blog_figures_leave_no_pyplot_figures_open(written):
    _, _, open_figures = written
    assert open_figures == []


@pytest.mark.parametrize("name, k", [("rocket_k6_compare.png", 6), ("coffee_k4_compare.png", 4)])
def test_compare_figure_has_original_above_quantized(written, name, k):
    """A patch inside the lower image holds at most k colors; the same patch of the upper image many more."""
    out_dir, _, _ = written
    figure = _read_png(out_dir / name)
    height, width = figure.shape[:2]
    columns = slice(int(width * 0.3), int(width * 0.7))
    upper = figure[int(height * 0.15) : int(height * 0.35), columns].reshape(-1, 3)
    lower = figure[int(height * 0.65) : int(height * 0.85), columns].reshape(-1, 3)
    assert len(np.unique(lower, axis=0)) <= k
    assert len(np.unique(upper, axis=0)) > 10 * k


def test_blog_figures_are_reproducible(written, tmp_path):
    _, paths, _ = written
    again = figures.blog_figures(tmp_path, seed=0)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]


def test_blog_figures_replace_existing_files(tmp_path, monkeypatch):
    monkeypatch.setattr(figures, "BLOG_PHOTOS", (("chelsea", 2),))
    stale = tmp_path / "chelsea_k2_compare.png"
    stale.write_bytes(b"old")
    paths = figures.blog_figures(tmp_path)
    assert [p.name for p in paths] == ["chelsea_k2_compare.png", "chelsea_k2_rgb.png"]
    assert _read_png(stale).ndim == 3


def test_blog_figures_refuse_a_file_as_folder(tmp_path):
    not_a_folder = tmp_path / "figures.png"
    not_a_folder.write_bytes(b"x")
    with pytest.raises(ImageFileError, match="not a folder"):
        figures.blog_figures(not_a_folder)
    assert not_a_folder.read_bytes() == b"x"


def test_blog_figures_refuse_a_folder_under_a_file(tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(ImageFileError, match="cannot create the folder"):
        figures.blog_figures(a_file / "sub")
