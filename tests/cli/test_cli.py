"""Tests for the command line, run as a subprocess like a user would (``python -m colorlab ...``)."""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import colorlab
from colorlab.cli import inputs as _cli_inputs
from colorlab.cli import commands as cli
from colorlab.palette.core import Palette

TIMEOUT = 120


def run(*args, preexec_fn=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "colorlab", *map(str, args)],
        capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=preexec_fn,
    )


def assert_bad_input(result: subprocess.CompletedProcess, *, mentions: str = "") -> str:
    """Exit status 2, nothing on stdout, exactly one stderr line starting with ``error:``; return that line."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert mentions.lower() in lines[0].lower()
    assert result.stdout == ""
    return lines[0]


def read_rgb(path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def distinct_colors(image: np.ndarray) -> set[tuple[int, int, int]]:
    return {tuple(c) for c in image.reshape(-1, 3).tolist()}


@pytest.fixture
def photo(tmp_path, small_photo) -> Path:
    path = tmp_path / "photo.png"
    Image.fromarray(small_photo).save(path)
    return path


@pytest.fixture
def existing_output(tmp_path) -> Path:
    """An earlier result at the output path; failures must leave it byte-identical."""
    path = tmp_path / "out.png"
    Image.fromarray(np.full((8, 8, 3), 200, np.uint8)).save(path)
    return path


# -- happy paths ----------------------------------------------------------------


@pytest.mark.parametrize("method", colorlab.METHODS)
def test_quantize_writes_an_image_with_at_most_k_colors(photo, tmp_path, small_photo, method):
    out = tmp_path / "quantized.png"
    result = run("quantize", photo, "-k", 4, "-o", out, "--method", method, "--seed", 1)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    image = read_rgb(out)
    assert image.shape == small_photo.shape
    assert 1 <= len(distinct_colors(image)) <= 4


@pytest.mark.parametrize("space", colorlab.SPACES)
def test_quantize_in_each_color_space(photo, tmp_path, space):
    out = tmp_path / "quantized.png"
    result = run("quantize", photo, "-k", 3, "-o", out, "--space", space)
    assert result.returncode == 0, result.stderr
    assert len(distinct_colors(read_rgb(out))) <= 3


def test_quantize_colors_come_from_the_palette(photo, tmp_path):
    out = tmp_path / "quantized.png"
    assert run("quantize", photo, "-k", 5, "-o", out, "--seed", 7).returncode == 0
    hexes = run("palette", photo, "-k", 5, "--seed", 7).stdout.split()
    used = {"#{:02x}{:02x}{:02x}".format(*c) for c in distinct_colors(read_rgb(out))}
    assert used <= set(hexes)


def test_quantize_replaces_an_existing_output(photo, existing_output, small_photo):
    assert run("quantize", photo, "-k", 2, "-o", existing_output).returncode == 0
    assert read_rgb(existing_output).shape == small_photo.shape


def test_quantize_writes_jpeg_by_suffix(photo, tmp_path):
    out = tmp_path / "quantized.jpg"
    assert run("quantize", photo, "-k", 3, "-o", out).returncode == 0
    with Image.open(out) as im:
        assert im.format == "JPEG"


def test_quantize_accepts_a_bundled_photo_name_and_max_pixels(tmp_path):
    out = tmp_path / "chelsea.png"
    result = run("quantize", "chelsea", "-k", 2, "-o", out, "--max-pixels", 10_000_000)
    assert result.returncode == 0, result.stderr
    assert read_rgb(out).shape == colorlab.load_image("chelsea").shape


def test_palette_hex_on_stdout(photo):
    result = run("palette", photo, "-k", 4)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert 1 <= len(lines) <= 4
    assert all(re.fullmatch(r"#[0-9a-f]{6}", line) for line in lines)


def test_palette_json_on_stdout_reads_back(photo):
    result = run("palette", photo, "-k", 3, "--format", "json", "--seed", 2)
    palette = Palette.from_json(result.stdout)
    assert 1 <= len(palette) <= 3
    assert palette.method == "kmeans"
    assert palette.counts.sum() == 64 * 96


def test_palette_gpl_on_stdout(photo):
    lines = run("palette", photo, "-k", 3, "--format", "gpl").stdout.splitlines()
    assert lines[0] == "GIMP Palette"
    color_lines = [line for line in lines[1:] if re.match(r"\s*\d+\s+\d+\s+\d+", line)]
    assert 1 <= len(color_lines) <= 3


@pytest.mark.parametrize(
    "name, check",
    [
        ("colors.json", lambda text: len(Palette.from_json(text)) <= 3),
        ("colors.gpl", lambda text: text.startswith("GIMP Palette\n")),
        ("colors.hex", lambda text: all(re.fullmatch(r"#[0-9a-f]{6}", s) for s in text.split())),
        ("colors.txt", lambda text: all(re.fullmatch(r"#[0-9a-f]{6}", s) for s in text.split())),
    ],
)
def test_palette_file_format_follows_suffix(photo, tmp_path, name, check):
    out = tmp_path / name
    result = run("palette", photo, "-k", 3, "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert check(out.read_text())


def test_palette_format_option_wins_over_suffix(photo, tmp_path):
    out = tmp_path / "colors.txt"
    assert run("palette", photo, "-k", 2, "-o", out, "--format", "json").returncode == 0
    assert len(Palette.from_json(out.read_text())) <= 2


def test_palette_of_a_bundled_photo_is_seeded():
    first = run("palette", "coffee", "-k", 3, "--seed", 5)
    second = run("palette", "coffee", "-k", 3, "--seed", 5)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout


def test_figures_writes_pngs_and_prints_their_paths(tmp_path):
    out_dir = tmp_path / "figs"  # created by the command
    result = run("figures", "--out", out_dir)
    assert result.returncode == 0, result.stderr
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert [p.name for p in paths] == [
        "rocket_k6_compare.png", "rocket_k6_rgb.png", "coffee_k4_compare.png", "coffee_k4_rgb.png"
    ]
    for path in paths:
        with Image.open(path) as im:
            assert im.format == "PNG"


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"colorlab {colorlab.__version__}"


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "colorlab"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=TIMEOUT)
    assert result.stdout.strip() == f"colorlab {colorlab.__version__}"


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("quantize", "palette", "figures"):
        assert command in result.stdout


def test_fewer_colors_than_k_is_a_one_line_warning_not_an_error(tmp_path):
    two_colors = np.zeros((10, 10, 3), np.uint8)
    two_colors[:, 5:] = (255, 255, 255)
    photo = tmp_path / "two.png"
    Image.fromarray(two_colors).save(photo)
    out = tmp_path / "out.png"
    result = run("quantize", photo, "-k", 6, "-o", out)
    assert result.returncode == 0, result.stderr
    assert distinct_colors(read_rgb(out)) == {(0, 0, 0), (255, 255, 255)}
    assert all(line.startswith("warning: ") for line in result.stderr.splitlines()), result.stderr


# -- bad inputs: exit 2, one error line, nothing written ---------------------------


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.fixture
def text_png(tmp_path) -> Path:
    path = tmp_path / "notes.png"
    path.write_text("this is not an image\n")
    return path


@pytest.fixture
def empty_png(tmp_path) -> Path:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    return path


@pytest.fixture
def truncated_png(tmp_path, small_photo) -> Path:
    path = tmp_path / "truncated.png"
    Image.fromarray(small_photo).save(path)
    path.write_bytes(path.read_bytes()[:300])
    return path


@pytest.mark.parametrize(
    "make_input, mentions",
    [
        (lambda tmp, request: tmp / "missing.png", "missing.png"),
        (lambda tmp, request: _folder(tmp / "album"), "album"),
        (lambda tmp, request: request.getfixturevalue("text_png"), "notes.png"),
        (lambda tmp, request: request.getfixturevalue("empty_png"), "empty.png"),
        (lambda tmp, request: request.getfixturevalue("truncated_png"), "truncated.png"),
    ],
    ids=["missing file", "directory", "text file named .png", "empty file", "truncated PNG"],
)
@pytest.mark.parametrize("command", ["quantize", "palette"])
def test_unreadable_input_is_one_error_line(tmp_path, request, existing_output, make_input, mentions, command):
    source = make_input(tmp_path, request)
    before = existing_output.read_bytes()
    output = existing_output if command == "quantize" else existing_output.with_suffix(".json")
    assert_bad_input(run(command, source, "-k", 3, "-o", output), mentions=mentions)
    assert existing_output.read_bytes() == before
    assert not existing_output.with_suffix(".json").exists()


@pytest.mark.parametrize("k", ["0", "-1", "1.5", "six", "257", ""])
def test_bad_k_is_refused(photo, existing_output, k):
    before = existing_output.read_bytes()
    line = assert_bad_input(run("quantize", photo, "-k", k, "-o", existing_output), mentions="k must be")
    assert repr(k) in line
    assert existing_output.read_bytes() == before


@pytest.mark.parametrize(
    "option, value, lists",
    [("--method", "kmedians", "kmeans2"), ("--space", "hsv", "rgb"), ("--format", "xyz", "gpl")],
)
def test_unknown_choice_lists_the_valid_ones(photo, option, value, lists):
    line = assert_bad_input(run("palette", photo, "-k", 3, option, value), mentions=value)
    assert lists in line


@pytest.mark.parametrize(
    "args, mentions",
    [
        (["quantize", "IN", "-k", "3"], "-o"),
        (["quantize", "IN", "-o", "OUT"], "-k"),
        (["palette", "-k", "3"], "IN"),
        (["figures"], "--out"),
        ([], "COMMAND"),
        (["recolor", "IN"], "recolor"),
        (["palette", "IN", "-k", "3", "--colour"], "--colour"),
        (["quantize", "IN", "-k", "3", "-o", "OUT", "--seed", "-4"], "seed"),
        (["quantize", "IN", "-k", "3", "-o", "OUT", "--max-pixels", "0"], "max-pixels"),
    ],
    ids=["no output", "no k", "no input", "no out dir", "no command", "unknown command", "unknown option",
         "negative seed", "zero max-pixels"],
)
def test_usage_errors_are_one_line(photo, tmp_path, args, mentions):
    args = [str(photo) if a == "IN" else str(tmp_path / "out.png") if a == "OUT" else a for a in args]
    assert_bad_input(run(*args), mentions=mentions)
    assert not (tmp_path / "out.png").exists()


def test_image_over_max_pixels_is_refused(photo, tmp_path):
    out = tmp_path / "out.png"
    line = assert_bad_input(run("quantize", photo, "-k", 3, "-o", out, "--max-pixels", 1000), mentions="photo.png")
    assert "--max-pixels 6144" in line  # 64 x 96 pixels: the advice is the option to use, with the value
    assert not out.exists()


def test_output_folder_missing(photo, tmp_path):
    out = tmp_path / "no" / "such" / "folder" / "out.png"
    assert_bad_input(run("quantize", photo, "-k", 3, "-o", out), mentions="does not exist")
    assert not out.parent.exists()


def test_output_suffix_unknown(photo, tmp_path):
    out = tmp_path / "out.xyz"
    assert_bad_input(run("quantize", photo, "-k", 3, "-o", out), mentions=".png")
    assert not out.exists()


def test_palette_output_suffix_unknown(photo, tmp_path):
    out = tmp_path / "colors.xyz"
    assert_bad_input(run("palette", photo, "-k", 3, "-o", out), mentions="--format")
    assert not out.exists()


@pytest.mark.parametrize("command", ["quantize", "palette"])
def test_output_equal_to_input_is_refused(photo, command):
    before = photo.read_bytes()
    assert_bad_input(run(command, photo, "-k", 3, "-o", photo), mentions="is the input")
    assert photo.read_bytes() == before


def test_output_hard_linked_to_input_is_refused(photo, tmp_path):
    link = tmp_path / "same_file.png"
    os.link(photo, link)
    before = photo.read_bytes()
    assert_bad_input(run("quantize", photo, "-k", 3, "-o", link), mentions="input")
    assert photo.read_bytes() == before


def test_output_over_a_bundled_photo_is_refused():
    bundled = colorlab.sample_path("rocket")
    before = bundled.stat().st_mtime_ns
    assert_bad_input(run("quantize", "rocket", "-k", 3, "-o", bundled), mentions="input")
    assert bundled.stat().st_mtime_ns == before


def test_output_path_is_a_folder(photo, tmp_path):
    folder = tmp_path / "results.png"
    folder.mkdir()
    assert_bad_input(run("quantize", photo, "-k", 3, "-o", folder), mentions="folder")
    assert folder.is_dir() and not any(folder.iterdir())


@pytest.mark.parametrize("command, name", [("quantize", "out.png"), ("palette", "colors.json")])
def test_unwritable_output_folder(photo, unwritable_folder, command, name):
    out = unwritable_folder / name
    assert_bad_input(run(command, photo, "-k", 3, "-o", out), mentions=str(out))
    assert not out.exists()


def _limit_file_size_to_1kb():
    # the kernel then refuses any write past 1 KiB (EFBIG; Python ignores SIGXFSZ), the same
    # mid-write failure a full disk gives (ENOSPC), with no mount or root needed
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))


@pytest.mark.parametrize("command, name", [("quantize", "out.png"), ("palette", "colors.json")])
def test_failed_write_keeps_the_existing_output_byte_identical(photo, tmp_path, command, name):
    out = tmp_path / name
    big = ["--rgb"] if command == "quantize" else []  # an indexed PNG of a small photo can fit in 1 KiB
    first = run(command, photo, "-k", 8, "-o", out, *big)
    assert first.returncode == 0, first.stderr
    before = out.read_bytes()
    assert len(before) > 1024  # the new file could not fit under the limit either
    result = run(command, photo, "-k", 8, "-o", out, "--seed", 3, *big, preexec_fn=_limit_file_size_to_1kb)
    assert_bad_input(result, mentions=str(out))
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["photo.png", name])  # no temporary file left


def test_figures_out_is_a_file(tmp_path):
    a_file = tmp_path / "figs"
    a_file.write_text("keep me")
    assert_bad_input(run("figures", "--out", a_file), mentions="figs")
    assert a_file.read_text() == "keep me"


# -- in-process: interruption and bugs --------------------------------------------


def test_ctrl_c_exits_130_quietly(photo, tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_cli_inputs, "fit_histogram", interrupted)
    assert cli.main(["quantize", str(photo), "-k", "3", "-o", str(tmp_path / "out.png")]) == 130
    assert capsys.readouterr().err == ""
    assert not (tmp_path / "out.png").exists()


def test_a_bug_is_not_swallowed(photo, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(_cli_inputs, "fit_histogram", broken)
    with pytest.raises(ZeroDivisionError):
        cli.main(["palette", str(photo), "-k", "3"])


def test_main_returns_zero_on_success(photo, capsys):
    assert cli.main(["palette", str(photo), "-k", "2", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["colors"]) <= 2


@pytest.mark.parametrize("extra, color_type", [([], 3), (["--rgb"], 2)])
def test_quantize_png_is_indexed_unless_rgb_is_asked(tmp_path, small_photo, extra, color_type):
    source = tmp_path / "in.png"
    colorlab.save_image(source, small_photo)
    out = tmp_path / "out.png"
    result = subprocess.run([sys.executable, "-m", "colorlab", "quantize", str(source), "-k", "5", "-o", str(out), *extra],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[25] == color_type  # PNG IHDR color type: 3 indexed, 2 RGB
    assert colorlab.metrics.count_colors(colorlab.load_image(out)) <= 5


def test_quantize_to_gif_writes_an_indexed_gif(tmp_path, small_photo):
    source = tmp_path / "in.png"
    colorlab.save_image(source, small_photo)
    out = tmp_path / "out.gif"
    result = subprocess.run([sys.executable, "-m", "colorlab", "quantize", str(source), "-k", "7", "-o", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert colorlab.metrics.count_colors(colorlab.load_image(out)) <= 7


@pytest.mark.parametrize("argv, status", [(["quantize"], 2), (["palette", "rocket", "-k", "six"], 2), (["--version"], 0),
                                          (["--help"], 0)])
def test_main_returns_the_status_of_usage_errors_help_and_version(capsys, argv, status):
    assert cli.main(argv) == status  # returned, not raised as SystemExit: the same for Python callers
    captured = capsys.readouterr()
    if status == 2:
        assert len(captured.err.splitlines()) == 1 and captured.err.startswith("error: ") and captured.out == ""
    else:
        assert captured.out and captured.err == ""


@pytest.mark.parametrize("dither", ["none", "floyd-steinberg", "bayer"])
def test_quantize_dither_matches_the_library(tmp_path, small_photo, dither):
    source = tmp_path / "in.png"
    colorlab.save_image(source, small_photo)
    out = tmp_path / "out.png"
    result = subprocess.run([sys.executable, "-m", "colorlab", "quantize", str(source), "-k", "4", "--dither", dither,
                             "-o", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    palette = colorlab.fit_palette(small_photo, 4, seed=0)
    assert np.array_equal(colorlab.load_image(out), colorlab.quantize(small_photo, palette, dither=dither))


def test_quantize_unknown_dither_lists_the_choices(tmp_path, small_photo):
    source = tmp_path / "in.png"
    colorlab.save_image(source, small_photo)
    result = subprocess.run([sys.executable, "-m", "colorlab", "quantize", str(source), "-k", "4", "--dither", "noise",
                             "-o", str(tmp_path / "out.png")], capture_output=True, text=True)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "floyd-steinberg" in lines[0]


@pytest.mark.parametrize("strength", ["1.5", "-0.2", "nan"])
def test_dither_strength_out_of_range_is_one_error_line(photo, tmp_path, strength):
    result = run("quantize", photo, "-k", "8", "--dither", "floyd-steinberg", "--dither-strength", strength,
                 "-o", tmp_path / "out.png")
    assert_bad_input(result, mentions="--dither-strength")


def test_dither_strength_zero_writes_the_undithered_image(photo, tmp_path):
    assert run("quantize", photo, "-k", "8", "-o", tmp_path / "plain.png").returncode == 0
    assert run("quantize", photo, "-k", "8", "--dither", "floyd-steinberg", "--dither-strength", "0",
               "-o", tmp_path / "zero.png").returncode == 0
    np.testing.assert_array_equal(read_rgb(tmp_path / "zero.png"), read_rgb(tmp_path / "plain.png"))


def test_k_auto_min_ssim_picks_the_smallest_k_that_reaches_it(photo, tmp_path, small_photo):
    result = run("quantize", photo, "-k", "auto", "--min-ssim", "0.993", "-o", tmp_path / "out.png")
    assert result.returncode == 0, result.stderr
    k = int(re.search(r"k = (\d+)", result.stderr).group(1))
    assert colorlab.metrics.ssim(small_photo, read_rgb(tmp_path / "out.png")) >= 0.993
    smaller = colorlab.quantize(small_photo, colorlab.fit_palette(small_photo, k - 1))
    assert k > 1 and colorlab.metrics.ssim(small_photo, smaller) < 0.993


@pytest.mark.parametrize("args, mentions", [(["-k", "8", "--min-ssim", "0.9"], "-k auto"),
                                            (["-k", "auto", "--min-ssim", "2"], "--min-ssim")])
def test_min_ssim_misuse_is_one_error_line(photo, tmp_path, args, mentions):
    assert_bad_input(run("quantize", photo, *args, "-o", tmp_path / "out.png"), mentions=mentions)
# -- the default fit: exact k-means in RGB up to k = 64, Wu's cuts and a short k-means in OKLab from 65 ------------


def _palette_of(path) -> list[str]:
    with Image.open(path) as im:
        table = np.array(im.getpalette()[: 3 * len(im.getcolors(256))], np.uint8).reshape(-1, 3)
    return sorted("#{:02x}{:02x}{:02x}".format(*c) for c in table)


@pytest.fixture(scope="module")
def coffee_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("coffee") / "coffee.png"
    Image.fromarray(colorlab.load_image("coffee")).save(path)
    return path


@pytest.mark.parametrize("k, method, space", [(64, "kmeans", "rgb"), (65, "wu-kmeans", "oklab"), (256, "wu-kmeans", "oklab")])
def test_quantize_default_fit_depends_on_k(coffee_file, tmp_path, k, method, space):
    image = colorlab.load_image("coffee")
    out = tmp_path / "out.png"
    assert run("quantize", coffee_file, "-k", k, "-o", out).returncode == 0
    expected = colorlab.fit_palette(image, k, method=method, space=space)
    assert sorted(expected.to_hex()) == _palette_of(out)
    hexes = run("palette", coffee_file, "-k", k).stdout.split()
    assert hexes == expected.to_hex()


@pytest.mark.parametrize("given, method, space", [(["--space", "rgb"], "kmeans", "rgb"),
                                                   (["--method", "kmeans"], "kmeans", "rgb"),
                                                   (["--method", "median-cut"], "median-cut", "rgb"),
                                                   (["--space", "oklab"], "kmeans", "oklab")])
def test_explicit_method_or_space_is_kept_at_256(coffee_file, given, method, space):
    image = colorlab.load_image("coffee")
    hexes = run("palette", coffee_file, "-k", 256, *given).stdout.split()
    expected = colorlab.fit_palette(image, 256, method=method, space=space).to_hex()
    assert hexes == expected
    assert hexes != colorlab.fit_palette(image, 256, method="wu-kmeans", space="oklab").to_hex()


def test_fixed_colors_keep_exact_kmeans_at_256(coffee_file):
    result = run("palette", coffee_file, "-k", 100, "--fixed", "#ff0000")
    assert result.returncode == 0, result.stderr
    fitted = colorlab.fit_palette(colorlab.load_image("coffee"), 100, fixed=["#ff0000"])
    assert result.stdout.split() == fitted.to_hex() and "#ff0000" in fitted.to_hex()
