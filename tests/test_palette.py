"""Palette: an immutable, count-ordered value with hex/JSON/GPL export."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from colorlab import ColorlabError, InvalidParameterError, Palette


def palettes():
    colors = st.integers(1, 12).flatmap(
        lambda k: st.tuples(
            arrays(np.uint8, (k, 3)),
            arrays(np.int64, (k,), elements=st.integers(0, 10**9)),
        )
    )
    return colors.map(lambda cc: Palette(cc[0], cc[1], method="kmeans", space="rgb", params={"k": len(cc[0]), "seed": 3}))


def test_orders_colors_by_count_and_keeps_pairs_together():
    p = Palette([[1, 1, 1], [2, 2, 2], [3, 3, 3]], counts=[5, 50, 20], method="m")
    assert p.colors.tolist() == [[2, 2, 2], [3, 3, 3], [1, 1, 1]]
    assert p.counts.tolist() == [50, 20, 5]


def test_is_immutable():
    p = Palette([[1, 2, 3]], counts=[4])
    with pytest.raises(ValueError):
        p.colors[0, 0] = 9
    with pytest.raises(AttributeError):
        p.method = "other"
    with pytest.raises(TypeError):
        p.params["k"] = 1


def test_copies_its_inputs():
    colors = np.array([[1, 2, 3]], np.uint8)
    p = Palette(colors, counts=[1])
    colors[0, 0] = 99
    assert p.colors[0, 0] == 1


def test_hex_is_lowercase_and_zero_padded():
    assert Palette([[0, 10, 255]], counts=[1]).to_hex() == ["#000aff"]


@given(palettes())
def test_json_round_trip(p):
    assert Palette.from_json(p.to_json()) == p


@given(palettes())
def test_shares_sum_to_one_or_zero(p):
    total = p.shares.sum()
    assert total == pytest.approx(1.0) if p.counts.sum() else total == 0


def test_json_lists_hex_rgb_count_share():
    data = json.loads(Palette([[255, 0, 0], [0, 0, 0]], counts=[3, 1], method="kmeans", params={"k": 2}).to_json())
    assert data["method"] == "kmeans" and data["params"] == {"k": 2}
    assert data["colors"][0] == {"hex": "#ff0000", "rgb": [255, 0, 0], "count": 3, "share": 0.75}


@given(palettes())
def test_gpl_is_a_gimp_palette_with_one_line_per_color(p):
    lines = p.to_gpl().splitlines()
    assert lines[0] == "GIMP Palette" and lines[1].startswith("Name: ") and lines[3] == "#"
    body = lines[4:]
    assert len(body) == len(p)
    for line, color in zip(body, p.colors):
        assert [int(v) for v in line.split("\t")[0].split()] == color.tolist()


@pytest.mark.parametrize(
    "colors, counts, match",
    [
        ([[1, 2]], [1], r"shape \(k, 3\)"),
        (np.zeros((0, 3), np.uint8), [], r"k >= 1"),
        ([[1, 2, 300]], [1], r"0\.\.255"),
        ([[0.5, 0, 0]], [1], r"0\.\.255"),
        ([[1, 2, 3]], [1, 2], r"one entry per color"),
        ([[1, 2, 3]], [-1], r"non-negative"),
    ],
)
def test_rejects_malformed_input(colors, counts, match):
    with pytest.raises(InvalidParameterError, match=match):
        Palette(colors, counts)


@pytest.mark.parametrize("suffix, check", [
    (".hex", lambda text: text.splitlines() == ["#ff0000", "#00ff00"]),
    (".txt", lambda text: text.splitlines() == ["#ff0000", "#00ff00"]),
    (".json", lambda text: Palette.from_json(text).to_hex() == ["#ff0000", "#00ff00"]),
    (".gpl", lambda text: text.startswith("GIMP Palette\n")),
])
def test_save_picks_format_from_suffix(tmp_path, suffix, check):
    p = Palette([[255, 0, 0], [0, 255, 0]], counts=[2, 1], method="kmeans")
    path = p.save(tmp_path / f"palette{suffix}")
    assert check(path.read_text())


def test_save_unknown_suffix_names_the_valid_ones(tmp_path):
    with pytest.raises(InvalidParameterError, match=r"\.hex, \.txt, \.json or \.gpl"):
        Palette([[1, 2, 3]], counts=[1]).save(tmp_path / "palette.xyz")


def test_save_into_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ColorlabError, match="does not exist"):
        Palette([[1, 2, 3]], counts=[1]).save(tmp_path / "nope" / "p.json")


def test_from_json_rejects_other_json():
    with pytest.raises(InvalidParameterError, match="not a colorlab palette"):
        Palette.from_json('{"hello": 1}')
