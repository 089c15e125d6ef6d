"""colorlab's indexed PNG writer (colorlab.io.png) behind save_image(..., palette=), save_indexed and --compress."""

from __future__ import annotations

import os
import shutil
import stat
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import colorlab
from colorlab.io import png as _png
from colorlab.io.images import load_image_alpha
from colorlab.io.saving import save_indexed
from cli_support import run_cli


def _quantized(k, crop=(slice(0, 120), slice(0, 161))):
    image = colorlab.load_image("rocket")[crop]
    palette = colorlab.fit_palette(image, k, seed=0)
    quantized, labels = colorlab.quantize(image, palette, return_labels=True)
    return quantized, labels, palette


def _chunks(path: Path) -> list[tuple[bytes, bytes]]:
    data, chunks, i = path.read_bytes(), [], 8
    while i < len(data):
        n = int.from_bytes(data[i:i + 4], "big")
        chunks.append((data[i + 4:i + 8], data[i + 8:i + 8 + n]))
        i += 12 + n
    return chunks


@pytest.mark.parametrize("compress", _png.COMPRESS)
@pytest.mark.parametrize("k", [1, 2, 3, 16, 17, 256])
def test_every_setting_decodes_to_the_same_pixels(tmp_path, monkeypatch, compress, k):
    monkeypatch.setattr(_png, "optimiser", lambda: None)  # colorlab's own encoding (an installed optimiser: below)
    # odd width: the last byte of each row is only partly used at 1, 2 and 4 bits
    quantized, _, palette = _quantized(min(k, 64))
    if k == 256:  # all 256 entries, so the 8-bit depth is full
        values = np.arange(256, dtype=np.uint8)
        palette = colorlab.Palette(np.stack([values, values[::-1], values], axis=1), counts=np.ones(256, np.int64))
        quantized = palette.colors[np.arange(120 * 161).reshape(120, 161) * 7 % 256]
    path = colorlab.save_image(tmp_path / "q.png", quantized, palette=palette, compress=compress)
    with Image.open(path) as written:
        assert written.mode == "P"
    assert np.array_equal(colorlab.load_image(path), quantized)


def test_rows_are_unfiltered_and_the_palette_kept_in_its_order(tmp_path):
    quantized, _, palette = _quantized(6)
    path = colorlab.save_image(tmp_path / "q.png", quantized, palette=palette)
    chunks = dict(_chunks(path))
    assert np.array_equal(np.frombuffer(chunks[b"PLTE"], np.uint8).reshape(-1, 3), palette.colors)
    raw = zlib.decompress(b"".join(data for kind, data in _chunks(path) if kind == b"IDAT"))
    row_bytes = -(-161 * 4 // 8) + 1  # 6 colors: 4 bits
    assert len(raw) == 120 * row_bytes
    assert set(raw[::row_bytes]) == {0}  # filter type 0 on every row


def test_each_setting_deflates_at_its_levels_and_keeps_the_smallest(monkeypatch):
    import deflate as libdeflate

    real, calls = libdeflate.zlib_compress, []
    monkeypatch.setattr(libdeflate, "zlib_compress", lambda data, level: calls.append(level) or real(data, level))
    most = _png.OPTIMAL_PARSING_BYTES
    data = bytes(range(256)) * (most // 256 + 1)
    for compress, size, expected in [("default", 10, [6]), ("default", most, [6]), ("default", most + 1, [6]),
                                     ("fast", most, [1]), ("small", most, [12, 10]), ("small", most + 1, [12, 9])]:
        calls.clear()
        stream = _png.deflate(data[:size], compress)
        assert calls == expected, (compress, size)
        assert len(stream) == min(len(real(data[:size], level)) for level in expected)


@pytest.mark.parametrize("data", [b"", b"a", bytes(range(256)) * 5000, os.urandom(300_000)])
def test_deflate_gives_a_zlib_stream_with_the_right_checksum(data):
    for compress in _png.COMPRESS:
        assert zlib.decompress(_png.deflate(data, compress)) == data


def _photo_like(size: int, seed: int = 0) -> bytes:
    """Bytes like a dithered photo's indices: runs of nearby values with noise (dynamic Huffman blocks)."""
    rng = np.random.default_rng(seed)
    runs = np.repeat(rng.integers(0, 240, size // 64 + 1), 64)[:size]
    return (runs + rng.integers(0, 16, size)).astype(np.uint8).tobytes()


@pytest.mark.parametrize("data", [b"", b"abc", os.urandom(70_000), bytes(200_000), _photo_like(700_000)],
                         ids=["empty", "short", "random", "zeros", "photo-like"])
def test_the_final_block_is_found_in_streams_of_every_level_and_block_kind(data):
    import deflate as libdeflate

    from colorlab._engine.kernels import deflate_blocks

    for level in range(13):  # 0: stored blocks; short data: fixed codes; the rest: dynamic codes
        stream = libdeflate.deflate_compress(data, level)
        header, end = deflate_blocks(stream)
        assert (end + 7) // 8 == len(stream), level
        assert stream[header >> 3] >> (header & 7) & 1, level  # the final-block bit is set there
        joined = _png._left_open(stream) + libdeflate.deflate_compress(b"next", level)
        assert zlib.decompress(joined, -15) == data + b"next", level


@pytest.mark.parametrize("stream", [b"", b"\x07", b"\x01\x05\x00\xfa\xff"], ids=["empty", "block-type-3", "bad-length"])
def test_a_corrupt_or_cut_stream_is_a_value_error(stream):
    import deflate as libdeflate

    from colorlab._engine.kernels import deflate_blocks

    with pytest.raises(ValueError, match="corrupt or ends early"):
        deflate_blocks(stream)
    whole = libdeflate.deflate_compress(_photo_like(200_000), 6)
    with pytest.raises(ValueError, match="corrupt or ends early"):
        deflate_blocks(whole[: len(whole) // 2])


@pytest.mark.parametrize("compress", _png.COMPRESS)
def test_large_rows_are_deflated_in_pieces_that_join_into_one_stream(monkeypatch, compress):
    import deflate as libdeflate

    data = _photo_like(3 * _png.PIECES_FROM + 12_345, seed=1)
    real, calls = libdeflate.deflate_compress, []
    monkeypatch.setattr(libdeflate, "deflate_compress", lambda chunk, level: calls.append(len(chunk)) or real(chunk, level))
    stream = _png.deflate(data, compress)
    assert zlib.decompress(stream) == data
    parts = _png.pieces(len(data))
    assert parts == 6 and sorted(set(calls)) == [len(data) // parts, len(data) // parts + 1]
    assert len(calls) == parts * len(_png.levels(compress, len(data)))
    whole = min(len(libdeflate.zlib_compress(data, level)) for level in _png.levels(compress, len(data)))
    assert len(stream) <= whole * 1.002 + 1000  # the cuts cost little


def test_the_pieces_give_the_same_bytes_on_any_number_of_threads(monkeypatch):
    from colorlab._engine import threads

    data = _photo_like(5 * _png.PIECES_FROM)
    streams = set()
    for n in (1, 2, 3, 8):
        monkeypatch.setattr(threads, "THREADS", n)
        streams.add(_png.deflate(data, "default"))
    assert len(streams) == 1 and _png.pieces(len(data)) == _png.MOST_PIECES


def test_a_large_image_written_in_pieces_is_read_back_by_pillow(tmp_path):
    rng = np.random.default_rng(2)
    labels = (np.add.outer(np.arange(1100) // 5, np.arange(1000) // 4) % 256).astype(np.uint8)
    noise = rng.random(labels.shape) < 0.3  # across the cuts too
    labels[noise] = rng.integers(0, 256, int(noise.sum()))
    palette = colorlab.Palette(rng.integers(0, 256, (256, 3)).astype(np.uint8), counts=np.ones(256, np.int64))
    assert _png.pieces(labels.size + labels.shape[0]) > 1
    path = save_indexed(tmp_path / "big.png", labels, palette)
    with Image.open(path) as image:
        assert image.mode == "P" and np.array_equal(np.asarray(image), labels)


def test_save_indexed_writes_what_save_image_writes(tmp_path):
    quantized, labels, palette = _quantized(12)
    rgba_alpha = np.full(labels.shape, 255, np.uint8)
    rgba_alpha[:30, :40] = 0
    for suffix in (".png", ".gif"):
        for alpha in (None, rgba_alpha):
            from_rgb = colorlab.save_image(tmp_path / f"a{suffix}", quantized, palette=palette, alpha=alpha)
            from_labels = save_indexed(tmp_path / f"b{suffix}", labels, palette, alpha=alpha)
            assert from_rgb.read_bytes() == from_labels.read_bytes(), (suffix, alpha is None)
    image, alpha = load_image_alpha(tmp_path / "b.png")
    assert np.array_equal(alpha, rgba_alpha) and np.array_equal(image[alpha > 0], quantized[alpha > 0])


def test_save_indexed_refuses_labels_outside_the_palette(tmp_path):
    _, labels, palette = _quantized(4)
    with pytest.raises(colorlab.InvalidParameterError, match=r"indices below 4"):
        save_indexed(tmp_path / "q.png", labels + 4, palette)
    with pytest.raises(colorlab.InvalidParameterError, match=r"only \.png and \.gif"):
        save_indexed(tmp_path / "q.jpg", labels, palette)
    assert not list(tmp_path.iterdir())


def test_unknown_compress_is_one_clear_error(tmp_path):
    quantized, _, palette = _quantized(4)
    with pytest.raises(colorlab.InvalidParameterError, match=r"compress must be one of 'fast', 'default', 'small', got 'max'"):
        colorlab.save_image(tmp_path / "q.png", quantized, palette=palette, compress="max")
    assert not list(tmp_path.iterdir())


def test_smaller_settings_give_smaller_files_of_a_photo(tmp_path):
    image = colorlab.load_image("coffee")
    quantized, palette = colorlab.reduce_colors(image, 16)
    sizes = {c: colorlab.save_image(tmp_path / f"{c}.png", quantized, palette=palette, compress=c).stat().st_size
             for c in _png.COMPRESS}
    assert sizes["small"] <= sizes["default"] < sizes["fast"]
    # Pillow's own encoder (adaptive row filters, level 9) gives a larger file than the default setting
    picture = Image.fromarray(quantized).quantize(palette=_pillow_palette(palette), dither=Image.Dither.NONE)
    picture.save(tmp_path / "pillow.png", optimize=True, bits=4)
    assert np.array_equal(colorlab.load_image(tmp_path / "pillow.png"), quantized)
    assert sizes["default"] < (tmp_path / "pillow.png").stat().st_size


def _pillow_palette(palette):
    holder = Image.new("P", (1, 1))
    holder.putpalette(palette.colors.tobytes())
    return holder


def _with_tools(tmp_path, monkeypatch, **scripts) -> Path:
    tools = tmp_path / "bin"
    tools.mkdir()
    for name, script in scripts.items():
        tool = tools / name
        tool.write_text("#!/bin/sh\n" + script + "\n")
        tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    return tools


# a stand-in for oxipng (-q -o 4 --strip safe --out OUT IN) that logs its arguments and writes a smaller copy (the PNG less its IEND chunk)
OXIPNG = 'echo "$@" >> "$LOG"; head -c -12 "$8" > "$7"'


def test_small_runs_an_installed_optimiser_and_keeps_its_smaller_file(tmp_path, monkeypatch):
    quantized, _, palette = _quantized(8)
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", "/nonexistent")  # no optimiser
    written = colorlab.save_image(tmp_path / "plain.png", quantized, palette=palette, compress="small").read_bytes()
    monkeypatch.setenv("PATH", path)
    log = tmp_path / "calls.txt"
    _with_tools(tmp_path, monkeypatch, oxipng=OXIPNG)
    monkeypatch.setenv("LOG", str(log))
    out = tmp_path / "out" / "q.png"
    out.parent.mkdir()
    colorlab.save_image(out, quantized, palette=palette, compress="default")
    assert not log.exists()  # only "small" runs it
    colorlab.save_image(out, quantized, palette=palette, compress="small")
    calls = log.read_text().splitlines()
    assert len(calls) == 1 and calls[0].startswith("-q -o 4 --strip safe --out ") and ".tmp.png" in calls[0]
    assert out.read_bytes() == written[:-12]  # the optimiser's file, and nothing left beside it
    assert [p.name for p in out.parent.iterdir()] == ["q.png"]
    assert np.array_equal(colorlab.load_image(tmp_path / "plain.png"), quantized)


def test_zopflipng_is_the_optimiser_when_there_is_no_oxipng(tmp_path, monkeypatch):
    log = tmp_path / "calls.txt"
    tools = _with_tools(tmp_path, monkeypatch, zopflipng='echo "$@" >> "$LOG"; head -c -12 "$2" > "$3"')
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}/usr/bin{os.pathsep}/bin")
    if shutil.which("oxipng"):
        pytest.skip("a real oxipng is installed in /usr/bin or /bin; it would be chosen first")
    monkeypatch.setenv("LOG", str(log))
    quantized, _, palette = _quantized(8)
    path = colorlab.save_image(tmp_path / "q.png", quantized, palette=palette, compress="small")
    arguments = log.read_text().split()
    assert arguments[0] == "-y" and len(arguments) == 3 and arguments[2] == arguments[1] + ".opt.png"
    assert path.read_bytes()[-12:] != b"\0\0\0\0IEND\xaeB`\x82"  # the stand-in's file (IEND dropped) replaced ours


@pytest.mark.parametrize("script", [
    'printf broken > "$7"; exit 1',  # fails after writing something
    'cp "$8" "$7"; printf more >> "$7"',  # "succeeds" with a larger file
    'printf "not a png" > "$7"',  # "succeeds" with something else
    # "succeeds" with a smaller PNG that is not indexed any more (color type 2: RGB)
    'head -c 25 "$8" > "$7"; printf "\\002" >> "$7"; tail -c +27 "$8" | head -c -12 >> "$7"',
])
def test_an_optimiser_that_does_not_help_leaves_the_written_file(tmp_path, monkeypatch, script):
    _with_tools(tmp_path, monkeypatch, oxipng=script)
    quantized, _, palette = _quantized(8)
    path = colorlab.save_image(tmp_path / "q.png", quantized, palette=palette, compress="small")
    assert np.array_equal(colorlab.load_image(path), quantized)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "q.png"]  # no optimiser's file left


def test_cli_compress_changes_the_file_not_the_pixels(tmp_path, capsys):
    sizes, pixels = {}, {}
    for compress in _png.COMPRESS:
        out = tmp_path / f"{compress}.png"
        assert run_cli(capsys, "quantize", "coffee", "-k", "16", "-o", out, "--compress", compress)[0] == 0
        sizes[compress], pixels[compress] = out.stat().st_size, colorlab.load_image(out)
    assert np.array_equal(pixels["fast"], pixels["default"]) and np.array_equal(pixels["small"], pixels["default"])
    assert sizes["fast"] > sizes["default"]
    assert np.array_equal(pixels["default"], colorlab.reduce_colors(colorlab.load_image("coffee"), 16)[0])


def test_cli_unknown_compress_is_a_usage_error(tmp_path, capsys):
    status, out, err = run_cli(capsys, "quantize", "coffee", "-k", "4", "-o", tmp_path / "q.png", "--compress", "max")
    assert status == 2 and out == "" and err.count("\n") == 1 and err.startswith("error: ") and "--compress" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.skipif(_png.optimiser() is None, reason="no oxipng or zopflipng installed")
@pytest.mark.parametrize("k", [4, 256])
def test_an_installed_optimiser_keeps_the_pixels_and_the_palette_type(tmp_path, k):
    quantized, _, palette = _quantized(min(k, 64))
    if k == 256:
        values = np.arange(256, dtype=np.uint8)
        palette = colorlab.Palette(np.stack([values, values[::-1], values], axis=1), counts=np.ones(256, np.int64))
        quantized = palette.colors[np.arange(120 * 161).reshape(120, 161) * 7 % 256]
    plain = colorlab.save_image(tmp_path / "plain.png", quantized, palette=palette, compress="default")
    small = colorlab.save_image(tmp_path / "small.png", quantized, palette=palette, compress="small")
    with Image.open(small) as written:
        assert written.mode == "P"
    assert np.array_equal(colorlab.load_image(small), quantized)
    assert small.stat().st_size <= plain.stat().st_size


def test_a_missing_deflate_package_is_one_clear_error_and_leaves_no_file(tmp_path, monkeypatch):
    import sys

    quantized, _, palette = _quantized(4)
    monkeypatch.setitem(sys.modules, "deflate", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"'deflate' package .*pip install deflate"):
        colorlab.save_image(tmp_path / "q.png", quantized, palette=palette)
    assert not list(tmp_path.iterdir())
