"""Colors as people and palette files write them: colorlab.color.parse, the one parser of colors."""

from __future__ import annotations

import numpy as np
import pytest

from colorlab import Palette
from colorlab.color.parse import parse_color, parse_colors, parse_hex
from colorlab.errors import InvalidParameterError


@pytest.mark.parametrize("text, rgb", [
    ("#ff8000", (255, 128, 0)), ("#FF8000", (255, 128, 0)), ("ff8000", (255, 128, 0)), (" #0cf\n", (0, 204, 255)),
    ("#000", (0, 0, 0)),
])
def test_hex_colors_read_the_same_from_users_and_palette_files(text, rgb):
    assert parse_hex(text) == rgb
    assert parse_color(text) == rgb


@pytest.mark.parametrize("text", ["#12345g", "#1234", "##ffffff", "0,128,255", "", "red", None, 7])
def test_a_palette_files_color_must_be_hex(text):
    with pytest.raises(InvalidParameterError, match=r"is not a #rrggbb color such as #ff8000"):
        parse_hex(text)


def test_user_colors_may_also_be_triples():
    assert parse_color("0, 128, 255") == (0, 128, 255)
    assert parse_colors([(1, 2, 3), "#fff"]).tolist() == [[1, 2, 3], [255, 255, 255]]
    with pytest.raises(InvalidParameterError, match=r"give it as #rrggbb"):
        parse_color("256,0,0")


@pytest.mark.parametrize("parse", [parse_hex, parse_color])
def test_a_huge_value_is_shown_cut_short(parse):
    with pytest.raises(InvalidParameterError) as caught:
        parse("#" + "z" * 1_000_000)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize("suffix, text", [
    ("hex", "#ff8000\n0cf\n"),
    ("css", ":root { --c0: #ff8000; --c1: #0cf; }"),
    ("svg", '<svg><rect fill="#ff8000"/><rect fill="#0cf"/></svg>'),
])
def test_palette_files_read_short_and_long_hex_colors(tmp_path, suffix, text):
    (tmp_path / f"p.{suffix}").write_text(text)
    assert np.array_equal(Palette.load(tmp_path / f"p.{suffix}").colors, [[255, 128, 0], [0, 204, 255]])
