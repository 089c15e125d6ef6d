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
    with pytest.raises(InvalidParameterError, match=r"\.hex, \.txt, \.json, \.gpl, \.css, \.ase, \.pal, \.png or \.svg"):
        Palette([[1, 2, 3]], counts=[1]).save(tmp_path / "palette.xyz")


def test_save_into_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ColorlabError, match="does not exist"):
        Palette([[1, 2, 3]], counts=[1]).save(tmp_path / "nope" / "p.json")


def test_from_json_rejects_other_json():
    with pytest.raises(InvalidParameterError, match="not a colorlab palette"):
        Palette.from_json('{"hello": 1}')


# -- more formats and Palette.load ---------------------------------------------------------------

KEEP_COUNTS = ("json", "gpl", "css", "png", "svg")
EQUAL_COUNTS = ("hex", "ase", "pal")


def _distinct(p: Palette) -> bool:
    return len(np.unique(p.colors, axis=0)) == len(p)


@pytest.mark.parametrize("fmt", KEEP_COUNTS)
@given(p=palettes())
def test_round_trip_keeps_colors_and_shares(tmp_path_factory, fmt, p):
    path = p.save(tmp_path_factory.mktemp(fmt) / f"palette.{fmt}")
    back = Palette.load(path)
    assert back.colors.tolist() == p.colors.tolist()
    assert back.counts.tolist() == p.counts.tolist()
    assert np.array_equal(back.shares, p.shares)
    if fmt in ("json", "png"):
        assert back == p  # method, space and params too


@pytest.mark.parametrize("fmt", EQUAL_COUNTS)
@given(p=palettes())
def test_formats_without_shares_give_the_colors_in_order_with_equal_counts(tmp_path_factory, fmt, p):
    back = Palette.load(p.save(tmp_path_factory.mktemp(fmt) / f"palette.{fmt}"))
    assert back.colors.tolist() == p.colors.tolist()  # every uint8 value survives (ASE: float32 c / 255)
    assert back.counts.tolist() == [1] * len(p)
    assert back.method == "file"


def test_every_uint8_value_survives_ase_and_pal(tmp_path):
    values = np.arange(256, dtype=np.uint8)
    p = Palette(np.stack([values, values[::-1], (values.astype(int) * 7) % 256], axis=1).astype(np.uint8), counts=np.arange(256, 0, -1))
    for fmt in ("ase", "pal", "css", "gpl"):
        assert Palette.load(p.save(tmp_path / f"all.{fmt}")).colors.tolist() == p.colors.tolist(), fmt


def test_ase_is_big_endian_asef_with_float32_rgb(tmp_path):
    import struct

    data = Palette([[255, 0, 51]], counts=[1]).save(tmp_path / "p.ase").read_bytes()
    assert data[:4] == b"ASEF" and struct.unpack(">HHI", data[4:12]) == (1, 0, 1)
    kind, length = struct.unpack(">HI", data[12:18])
    body = data[18:18 + length]
    (units,) = struct.unpack(">H", body[:2])
    assert kind == 1 and body[2:2 + 2 * units].decode("utf-16-be").rstrip("\0").startswith("#ff0033")
    rest = body[2 + 2 * units:]
    assert rest[:4] == b"RGB " and struct.unpack(">fff", rest[4:16]) == pytest.approx((1.0, 0.0, 0.2))


def test_pal_is_jasc_text(tmp_path):
    text = Palette([[1, 2, 3], [4, 5, 6]], counts=[2, 1]).save(tmp_path / "p.pal").read_bytes().decode()
    assert text == "JASC-PAL\r\n0100\r\n2\r\n1 2 3\r\n4 5 6\r\n"


def test_css_is_custom_properties(tmp_path):
    text = Palette([[255, 0, 0], [0, 0, 0]], counts=[3, 1]).to_text("css")
    assert ":root {" in text and "--color-1: #ff0000; /* 75.0% 3 px */" in text and text.rstrip().endswith("}")


def test_files_of_other_programs_are_read(tmp_path):
    (tmp_path / "gimp.gpl").write_text("GIMP Palette\nName: x\nColumns: 2\n#\n255 0 0\tRed\n  0 128 0 Green\n")
    (tmp_path / "site.css").write_text(":root { --brand: #f00; --gap: 4px; --ink: rgb(0, 0, 10); }")
    (tmp_path / "aseprite.pal").write_text("JASC-PAL\n0100\n1\n9 8 7\n")
    assert Palette.load(tmp_path / "gimp.gpl").to_hex() == ["#ff0000", "#008000"]
    assert Palette.load(tmp_path / "site.css").to_hex() == ["#ff0000", "#00000a"]
    assert Palette.load(tmp_path / "aseprite.pal").to_hex() == ["#090807"]


def test_swatch_png_and_svg_show_each_share(tmp_path):
    from PIL import Image

    p = Palette([[255, 0, 0], [0, 0, 255]], counts=[3, 1], method="kmeans")
    with Image.open(p.save(tmp_path / "s.png")) as picture:
        row = np.asarray(picture.convert("RGB"))[10]
    assert (row == [255, 0, 0]).all(axis=1).mean() == pytest.approx(0.75, abs=0.01)
    assert (row == [0, 0, 255]).all(axis=1).mean() == pytest.approx(0.25, abs=0.01)
    svg = p.save(tmp_path / "s.svg").read_text()
    assert svg.startswith("<svg") and "#ff0000 75%" in svg and "#0000ff 25%" in svg


@pytest.mark.parametrize("fmt", list(KEEP_COUNTS + EQUAL_COUNTS))
def test_empty_palette_file_is_refused(tmp_path, fmt):
    (tmp_path / f"p.{fmt}").write_bytes(b"")
    with pytest.raises(InvalidParameterError, match=r"is empty; write one"):
        Palette.load(tmp_path / f"p.{fmt}")


@pytest.mark.parametrize("name, content, match", [
    ("p.gpl", b"GIMP Palette\n300 0 0\tx\n", r"three numbers 0\.\.255"),
    ("p.gpl", b"Hello\n", r"not 'GIMP Palette'"),
    ("p.gpl", b"GIMP Palette\nName: nothing\n", r"holds no colors"),
    ("p.hex", b"#12345g\n", r"not a #rrggbb color"),
    ("p.css", b"body { color: red; }", r"holds no colors"),
    ("p.pal", b"JASC-PAL\n0100\n3\n1 2 3\n", r"announces 3 colors but holds 1"),
    ("p.pal", b"RIFF....", r"does not start with"),
    ("p.ase", b"ASEF\x00\x01\x00\x00\x00\x00\x00\x02\x00\x01\x00\x00\x00\x40\x00", r"truncated"),
    ("p.ase", b"GIF89a", r"'ASEF' signature"),
    ("p.json", b"{\"colors\": 3}", r"not a colorlab palette JSON"),
    ("p.png", b"\x89PNG\r\n\x1a\nbroken", r"not a PNG file"),
    ("p.gpl", b"GIMP Palette\n\xff\xfe 1 2\n", r"binary"),
])
def test_corrupt_palette_file_is_one_clear_error(tmp_path, name, content, match):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InvalidParameterError, match=match) as caught:
        Palette.load(tmp_path / name)
    assert name in str(caught.value) and "\n" not in str(caught.value)


def test_png_that_is_not_a_swatch_says_how_to_get_colors(tmp_path):
    import colorlab

    colorlab.save_image(tmp_path / "photo.png", np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(InvalidParameterError, match=r"colorlab palette IN -k K"):
        Palette.load(tmp_path / "photo.png")


def test_load_missing_file_and_folder(tmp_path):
    with pytest.raises(ColorlabError, match="no such file"):
        Palette.load(tmp_path / "nope.gpl")
    (tmp_path / "dir.gpl").mkdir()
    with pytest.raises(ColorlabError, match="folder"):
        Palette.load(tmp_path / "dir.gpl")


def test_binary_formats_are_not_text():
    with pytest.raises(InvalidParameterError, match=r"binary file"):
        Palette([[1, 2, 3]], counts=[1]).to_text("ase")
