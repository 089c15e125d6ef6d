"""Half-transparent pixels in an indexed PNG (colorlab.redraw.alpha): entries with their own alpha."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import colorlab
from colorlab.errors import InvalidImageError, InvalidParameterError
from colorlab.io.saving import save_indexed_rgba
from colorlab.redraw import alpha as alpha_fit
from colorlab.redraw.alpha import has_partial_alpha, rgba_palette


def anti_aliased(size: int = 96, scale: int = 4) -> np.ndarray:
    """An RGBA picture with soft edges: two disks and a ring drawn at 4x and averaged down (alpha and the
    premultiplied color, as a renderer does), over a fully transparent background, and a fading bar."""
    big = size * scale
    y, x = np.mgrid[0:big, 0:big] / scale
    rgba = np.zeros((big, big, 4))
    for cy, cx, r, color in ((30, 30, 22, (220, 60, 40)), (60, 62, 26, (30, 110, 200))):
        inside = (y - cy) ** 2 + (x - cx) ** 2 <= r * r
        rgba[inside] = (*color, 255)
    ring = np.abs(np.hypot(y - 48, x - 48) - 40) <= 1.5
    rgba[ring] = (250, 200, 30, 255)
    premultiplied = rgba[..., :3] * rgba[..., 3:] / 255
    small = lambda a: a.reshape(size, scale, size, scale, -1).mean(axis=(1, 3))  # noqa: E731
    alpha = small(rgba[..., 3:])
    color = small(premultiplied) * 255 / np.maximum(alpha, 1e-9)
    out = np.concatenate([color, alpha], axis=-1).round().clip(0, 255).astype(np.uint8)
    out[80:90, :, :3] = (20, 160, 90)
    out[80:90, :, 3] = np.linspace(10, 240, size).astype(np.uint8)  # a bar fading out
    return out


def over(rgba: np.ndarray, background) -> np.ndarray:
    """What a browser shows: the color blended over the background by its alpha (in sRGB)."""
    a = rgba[..., 3:4] / 255.0
    return rgba[..., :3] * a + np.asarray(background, float) * (1 - a)


def drawn_error(source: np.ndarray, result: np.ndarray) -> float:
    """Mean squared error of what is shown, over black and over white."""
    return float(np.mean([((over(source, bg) - over(result, bg)) ** 2).mean() for bg in ((0, 0, 0), (255, 255, 255))]))


def cut_at(source: np.ndarray, k: int, threshold: int = 128) -> np.ndarray:
    """What an indexed file with one transparent entry gives: the opaque-or-transparent result."""
    visible = source[..., 3] >= threshold
    palette = colorlab.fit_palette(source[..., :3], k, mask=visible, method="wu-kmeans", space="oklab")
    out = np.zeros_like(source)
    out[..., :3] = colorlab.quantize(source[..., :3], palette)
    out[..., 3] = np.where(visible, 255, 0)
    return out


def test_few_colors_are_kept_exactly():
    source = anti_aliased()[:40, :40]  # a corner: fewer distinct colors with their alpha
    distinct = len(np.unique(source[source[..., 3] > 0].reshape(-1, 4), axis=0))
    assert distinct < 256
    labels, table = rgba_palette(source[..., :3], source[..., 3], 256)
    result = table[labels]
    visible = source[..., 3] > 0
    assert np.array_equal(result[visible], source[visible])
    assert (result[~visible][:, 3] == 0).all()


def test_fitted_palette_keeps_the_soft_edges():
    source = anti_aliased()
    assert has_partial_alpha(source[..., 3])
    labels, table = rgba_palette(source[..., :3], source[..., 3], 16)
    assert labels.shape == source.shape[:2] and labels.dtype == np.uint8 and len(table) <= 16
    result = table[labels]
    # fully transparent pixels stay so; opaque ones stay opaque (but for a few blends of two shapes' edges,
    # which 16 entries serve better with an edge's half-transparent entry); the half-transparent ones keep a
    # range of alpha levels instead of two
    assert (result[source[..., 3] == 0][:, 3] == 0).all()
    assert (result[source[..., 3] == 255][:, 3] == 255).mean() >= 0.98
    assert len(np.unique(result[..., 3])) >= 5
    # the see-through entries come first, so a PNG's tRNS chunk lists only them
    see_through = table[:, 3] < 255
    assert not (see_through[1:] & ~see_through[:-1]).any()
    # what is shown over black and over white is far nearer the source than a cut at alpha 128 with as many
    # entries (15 colors and the transparent one)
    assert drawn_error(source, result) < 0.25 * drawn_error(source, cut_at(source, 15))


@pytest.mark.parametrize("coarser", [False, True])
def test_many_distinct_colors_are_averaged_in_cells_first(monkeypatch, coarser):
    rng = np.random.default_rng(3)
    source = anti_aliased()
    source[..., :3] = np.clip(source[..., :3].astype(int) + rng.integers(-12, 13, source[..., :3].shape), 0, 255)
    visible = source[..., 3] > 0
    distinct = len(np.unique(source[visible].reshape(-1, 4), axis=0))
    monkeypatch.setattr(alpha_fit, "MAX_POINTS", distinct // 4)
    if coarser:  # too many cells of 5 bits: cells of 4 bits or fewer
        monkeypatch.setattr(alpha_fit, "MAX_CELLS", 300)
    labels, table = rgba_palette(source[..., :3], source[..., 3], 64)
    assert len(table) <= 64
    result = table[labels]
    assert drawn_error(source, result) < 0.25 * drawn_error(source, cut_at(source, 63))


def test_same_result_every_time():
    source = anti_aliased()
    first, second = rgba_palette(source[..., :3], source[..., 3], 32), rgba_palette(source[..., :3], source[..., 3], 32)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))


def test_no_transparent_pixel_no_transparent_entry():
    source = anti_aliased()
    source[..., 3] = np.maximum(source[..., 3], 1)
    labels, table = rgba_palette(source[..., :3], source[..., 3], 8)
    assert len(table) <= 8 and table[:, 3].min() >= 1


def test_saved_png_holds_the_entries_alpha(tmp_path):
    source = anti_aliased()
    labels, table = rgba_palette(source[..., :3], source[..., 3], 64)
    path = save_indexed_rgba(tmp_path / "soft.png", labels, table)
    with Image.open(path) as written:
        assert written.mode == "P"
        transparency = written.info["transparency"]
        assert isinstance(transparency, bytes) and len(transparency) == int((table[:, 3] < 255).sum())
        assert np.array_equal(np.asarray(written.convert("RGBA")), table[labels])


def test_bad_inputs_are_refused(tmp_path):
    source = anti_aliased()
    with pytest.raises(InvalidImageError, match="alpha of its size"):
        rgba_palette(source[..., :3], source[:10, :, 3], 8)
    with pytest.raises(InvalidImageError, match="uint8"):
        rgba_palette(source[..., :3].astype(float), source[..., 3], 8)
    with pytest.raises(InvalidParameterError, match="k"):
        rgba_palette(source[..., :3], source[..., 3], 0)
    with pytest.raises(InvalidParameterError, match="no entry for the colors"):
        rgba_palette(source[..., :3], source[..., 3], 1)
    labels, table = rgba_palette(source[..., :3], source[..., 3], 8)
    with pytest.raises(InvalidParameterError, match=r"need a \.png"):
        save_indexed_rgba(tmp_path / "soft.gif", labels, table)
    assert not (tmp_path / "soft.gif").exists()
