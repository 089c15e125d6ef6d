"""Hostile inputs: special files, huge or deeply nested palettes, damaged journals, odd file names,
seeds out of range, pictures that are not animations, outputs that name an input, a closed stdout,
long names and killed runs.

Each one must end with exit status 2 and one ``error:`` line (or the right result), no traceback,
and leave the inputs and earlier outputs as they were. Runs that could hang or take quadratic time
run in a real process with a generous deadline: a hang or a quadratic reader misses it by far.
"""

from __future__ import annotations

import html
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import colorlab
from colorlab.errors import ColorlabError, ImageFileError, InvalidParameterError
from colorlab.palette import formats
from colorlab.redraw.animation import is_animation_input
from colorlab.util.files import hidden_name
from cli_support import run_cli

DEADLINE = 60  # seconds; the quadratic readers took 30 s on inputs 10 times smaller than these


def run_process(*args, timeout=DEADLINE, **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "colorlab", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, **options)


def one_error_line(status: int, err: str, *phrases: str) -> str:
    assert status == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for phrase in phrases:
        assert phrase.lower() in lines[0].lower(), lines[0]
    return lines[0]


@pytest.fixture
def photo(tmp_path, small_photo) -> Path:
    path = tmp_path / "photo.png"
    Image.fromarray(small_photo).save(path)
    return path


def snapshot(*paths) -> dict:
    return {Path(p): Path(p).read_bytes() for p in paths}


# -- 1. outputs that are devices, pipes or links ----------------------------------------------------

@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
@pytest.mark.parametrize("command", ["quantize", "palette"])
def test_output_that_is_a_device_is_refused_and_stays_a_device(photo, capsys, device, command):
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    status, _, err = run_cli(capsys, command, photo, "-k", 3, "-o", device)
    # palette: /dev/null has no suffix; either way nothing may replace the device
    assert status == 2 and "Traceback" not in err and len(err.splitlines()) == 1, err
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_output_that_is_a_fifo_is_refused_without_waiting(photo, tmp_path):
    fifo = tmp_path / "out.png"
    os.mkfifo(fifo)
    result = run_process("quantize", photo, "-k", 3, "-o", fifo)
    one_error_line(result.returncode, result.stderr, "pipe")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_through_a_link_replaces_the_file_and_keeps_the_link(photo, tmp_path, capsys):
    real = tmp_path / "real.gpl"
    real.write_text("old")
    link = tmp_path / "link.gpl"
    link.symlink_to(real)
    status, _, err = run_cli(capsys, "palette", photo, "-k", 3, "-o", link)
    assert status == 0, err
    assert link.is_symlink() and real.read_text().startswith("GIMP Palette")


# -- 13. long output names ----------------------------------------------------------------------------

@pytest.mark.parametrize("length", [234, 250, 255])
def test_longest_output_names_can_be_written(photo, tmp_path, capsys, length):
    name = "p" * (length - 4) + ".png"
    status, _, err = run_cli(capsys, "quantize", photo, "-k", 3, "-o", tmp_path / name)
    assert status == 0, err
    assert Image.open(tmp_path / name).size == Image.open(photo).size
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_hidden_names_fit_the_limit_and_keep_their_tag():
    long = Path("/tmp") / ("x" * 255)
    hidden = hidden_name(long, "colorlab-batch.jsonl")
    assert len(os.fsencode(hidden.name)) <= 255 and hidden.name.endswith(".colorlab-batch.jsonl")
    accented = hidden_name(Path("/tmp") / ("é" * 127), "t.tmp", ".png")  # 254 bytes: cut between characters
    assert len(accented.name.encode("utf-8")) <= 255 and accented.name.endswith("é.t.tmp.png")


# -- 2. palette files that are not regular files, or too large ----------------------------------------

def test_palette_that_is_a_fifo_is_refused_without_waiting(photo, tmp_path):
    fifo = tmp_path / "colors.gpl"
    os.mkfifo(fifo)
    out = tmp_path / "out.png"
    result = run_process("quantize", photo, "--palette", fifo, "-o", out)
    one_error_line(result.returncode, result.stderr, "pipe")
    assert not out.exists()


def test_palette_linked_to_an_endless_device_is_refused(photo, tmp_path, capsys):
    link = tmp_path / "colors.hex"
    link.symlink_to("/dev/zero")
    status, _, err = run_cli(capsys, "quantize", photo, "--palette", link, "-o", tmp_path / "out.png")
    one_error_line(status, err, "device")


def test_palette_file_over_the_size_limit_is_refused(photo, tmp_path, capsys):
    big = tmp_path / "colors.hex"
    big.write_bytes(b"#ffffff\n" * (formats.MAX_PALETTE_BYTES // 8 + 1))
    status, _, err = run_cli(capsys, "quantize", photo, "--palette", big, "-o", tmp_path / "out.png")
    one_error_line(status, err, "larger than")


def test_error_line_cuts_a_huge_token(photo, tmp_path, capsys):
    path = tmp_path / "colors.hex"
    path.write_text("#" + "a" * 3_000_000 + "\n")
    status, _, err = run_cli(capsys, "quantize", photo, "--palette", path, "-o", tmp_path / "out.png")
    line = one_error_line(status, err, "colors.hex")
    assert len(line) < 400


# -- 3. deep nesting and huge numbers ----------------------------------------------------------------

def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deeply_nested_json_palette_is_one_error_line(photo, tmp_path, capsys):
    path = tmp_path / "colors.json"
    path.write_text('{"colors": ' + _nested(200_000) + "}")
    status, _, err = run_cli(capsys, "quantize", photo, "--palette", path, "-o", tmp_path / "out.png")
    one_error_line(status, err, "nested")


def test_deeply_nested_json_in_a_swatch_png_is_one_error_line(photo, tmp_path, capsys):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text(formats.PNG_KEY, _nested(100_000))
    path = tmp_path / "swatch.png"
    Image.new("RGB", (4, 4)).save(path, pnginfo=info)
    status, _, err = run_cli(capsys, "quantize", photo, "--palette", path, "-o", tmp_path / "out.png")
    one_error_line(status, err, "nested")


def test_palette_counts_too_large_are_one_error_line():
    text = json.dumps({"colors": [{"rgb": [1, 2, 3], "count": 1}]}).replace('"count": 1', '"count": 1e999')
    with pytest.raises(InvalidParameterError, match="whole number"):
        formats.parse(text.encode(), "json")


@pytest.fixture
def batch_folder(tmp_path, small_photo) -> Path:
    pytest.importorskip("pandas")
    folder = tmp_path / "photos"
    folder.mkdir()
    for index in range(3):
        Image.fromarray(np.roll(small_photo, 7 * index, axis=1)).save(folder / f"p{index}.png")
    return folder


def test_damaged_journal_lines_are_skipped_and_every_rerun_works(batch_folder, tmp_path):
    out = tmp_path / "table.csv"
    first = run_process("batch", batch_folder, "-k", 3, "-o", out, "--workers", 1, "--quiet")
    assert first.returncode == 0, first.stderr
    rows = out.read_text()
    journal = hidden_name(out, "colorlab-batch.jsonl")
    row = {c: None for c in ("path", "width", "height", "distinct_colors", "k", "method", "space", "seed", "colors",
                             "shares", "mse", "psnr", "seconds", "error", "warning")}
    row.update(path=str(batch_folder / "p0.png"), k=3, method="kmeans", space="rgb", seed=0, colors=[], shares=[])
    huge = json.dumps(row).replace('"width": null', '"width": 1e999')
    journal.write_text(_nested(100_000) + "\n" + huge + "\n" + "\xff not json\n")
    for _ in range(2):  # the damage never stops a rerun
        again = run_process("batch", batch_folder, "-k", 3, "-o", out, "--workers", 1, "--quiet")
        assert again.returncode == 0, again.stderr
        assert "Traceback" not in again.stderr
    assert out.read_text() == rows  # the images were done again with the same results


# -- 4. readers take linear time -----------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content"), [
    ("dashes.css", ":root {\n  " + "-" * 2_000_000 + "\n}\n"),
    ("no_semicolon.css", "--a: " + "x" * 2_000_000),
    ("unclosed_comments.css", "--a: #ffffff; /*" * 150_000),
    ("digits.gpl", "GIMP Palette\n1 2 3 " + "9" * 2_000_000 + "\n"),
    ("rects.svg", "<rect " * 300_000),
    ("fills.svg", '<rect fill="' + 'fill="' * 300_000),
])
def test_palette_readers_take_linear_time(photo, tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    out = tmp_path / "out.png"
    result = run_process("quantize", photo, "--palette", path, "-o", out)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 1 and result.returncode in (0, 2), result.stderr


def test_linear_css_reader_reads_what_colorlab_writes_and_skips_other_properties():
    text = (":root { --gap: 4px; --color-1: #c81e1e; /* 75.0% 3 px */\n --font: a;b;"
            " --color-2: rgb(20, 20, 20); /* 25.0% 1 px */ }")
    record = formats.parse(text.encode(), "css")
    assert record["colors"].tolist() == [[200, 30, 30], [20, 20, 20]]
    assert record["counts"].tolist() == [3, 1]


def test_linear_gpl_and_svg_readers_keep_the_counts():
    palette = colorlab.Palette([[200, 30, 30], [20, 20, 20]], counts=[30, 10], method="kmeans")
    for fmt in ("gpl", "svg"):
        record = formats.parse(palette.to_text(fmt).encode(), fmt)
        assert record["colors"].tolist() == [[200, 30, 30], [20, 20, 20]]
        assert record["counts"].tolist() == [30, 10]


# -- 5. file names that are not UTF-8 ------------------------------------------------------------------

def test_batch_takes_a_file_whose_name_is_not_utf8(batch_folder, tmp_path, small_photo):
    try:
        name = os.path.join(os.fsencode(batch_folder), b"caf\xe9.png")
        Image.fromarray(small_photo).save(open(name, "wb"), format="PNG")
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    out = tmp_path / "table.csv"
    for _ in range(2):  # the rerun reads the row back and skips the image
        result = run_process("batch", batch_folder, "-k", 3, "-o", out, "--workers", 1, "--quiet")
        assert result.returncode == 0, result.stderr
    from colorlab.collection.batch import read_results

    table = read_results(out)
    escaped = [p for p in table["path"] if p.endswith("caf\\xe9.png")]
    assert len(escaped) == 1 and len(table) == 4
    assert table["error"].isna().all()


# -- 6. seeds -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["kmeans", "kmeans2", "scipy"])
@pytest.mark.parametrize("seed", ["4294967296", "-1", "1.5", "abc", "9" * 5000])
def test_cli_seed_out_of_range_is_one_error_line(photo, tmp_path, capsys, method, seed):
    status, _, err = run_cli(capsys, "quantize", photo, "-k", 3, "--method", method, "--seed", seed,
                             "-o", tmp_path / "out.png")
    line = one_error_line(status, err, "seed", "4294967295")
    assert len(line) < 300


@pytest.mark.parametrize("method", colorlab.METHODS)
@pytest.mark.parametrize("seed", ["abc", 1.5, -1, 2**32, True, None])
def test_library_seed_is_checked_for_every_method(small_photo, method, seed):
    with pytest.raises(InvalidParameterError, match="seed must be a whole number from 0 to 4294967295"):
        colorlab.fit_palette(small_photo[:8, :8], 3, method=method, seed=seed)


def test_largest_seed_works_with_every_seeded_method(small_photo):
    for method in ("kmeans", "kmeans2", "scipy"):
        assert len(colorlab.fit_palette(small_photo[:16, :16], 3, method=method, seed=2**32 - 1)) == 3


def test_batch_seed_out_of_range_is_one_error_line(batch_folder, tmp_path):
    result = run_process("batch", batch_folder, "-k", 3, "--seed", 2**32, "-o", tmp_path / "t.csv")
    one_error_line(result.returncode, result.stderr, "seed")
    with pytest.raises(InvalidParameterError, match="seed"):
        colorlab.batch(batch_folder, 3, seed=2**32)


# -- 7, 9, 10. animations and stills --------------------------------------------------------------------

def _frames(n: int, size=(24, 16)) -> list[Image.Image]:
    return [Image.new("RGB", size, (40 * i, 200 - 40 * i, 90)) for i in range(n)]


def test_animation_with_a_palette_of_more_than_256_colors_is_one_error_line(tmp_path, capsys):
    clip = tmp_path / "clip.gif"
    frames = _frames(3)
    frames[0].save(clip, save_all=True, append_images=frames[1:], duration=80, loop=0)
    palette = tmp_path / "big.hex"
    palette.write_text("".join(f"#{i:06x}\n" for i in range(0, 300 * 997, 997)))
    for suffix in (".gif", ".png"):
        out = tmp_path / f"out{suffix}"
        out.write_bytes(b"earlier")
        status, _, err = run_cli(capsys, "quantize", clip, "--palette", palette, "-o", out)
        one_error_line(status, err, "256")
        assert out.read_bytes() == b"earlier"


def _multi_page_tiff(path: Path) -> None:
    first = Image.new("RGB", (20, 10), (250, 10, 10))
    second = Image.new("RGB", (20, 10), (10, 10, 250))
    first.save(path, save_all=True, append_images=[second])


def _mpo(path: Path) -> None:
    first = Image.new("RGB", (20, 10), (250, 10, 10))
    second = Image.new("RGB", (20, 10), (10, 10, 250))
    try:
        first.save(path, format="MPO", save_all=True, append_images=[second])
    except (KeyError, ValueError, OSError):
        pytest.skip("this Pillow cannot write MPO")


@pytest.mark.parametrize(("name", "make"), [("pages.tif", _multi_page_tiff), ("pair.jpg", _mpo)])
def test_second_picture_is_not_an_animation(tmp_path, capsys, name, make):
    path = tmp_path / name
    make(path)
    with Image.open(path) as picture:
        assert picture.n_frames == 2  # the file really holds two pictures
    status, out, err = run_cli(capsys, "palette", path, "-k", 2)
    assert status == 0, err
    blue = [h for h in out.split() if int(h[5:7], 16) > 200 and int(h[1:3], 16) < 60]
    assert blue == []  # the second picture is not mixed into the palette
    status, _, err = run_cli(capsys, "quantize", path, "-k", 2, "-o", tmp_path / "still.jpg")
    assert status == 0, err
    assert Image.open(tmp_path / "still.jpg").size == (20, 10)
    assert is_animation_input(path) is False


def test_animation_over_pillows_size_limit_stays_an_animation(tmp_path, capsys, monkeypatch):
    clip = tmp_path / "clip.gif"
    frames = _frames(3, size=(60, 40))
    frames[0].save(clip, save_all=True, append_images=frames[1:], duration=80, loop=0)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # the canvas is over twice the limit: a bomb to Pillow
    out = tmp_path / "out.gif"
    status, _, err = run_cli(capsys, "quantize", clip, "-k", 4, "--max-frame-pixels", 100, "-o", out)
    one_error_line(status, err, "--max-frame-pixels")
    status, _, err = run_cli(capsys, "quantize", clip, "-k", 4, "-o", out)
    assert status == 0, err
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    with Image.open(out) as written:
        assert written.n_frames == 3
    assert Image.MAX_IMAGE_PIXELS is None


# -- 11. -o naming an input -----------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["--palette", "--mask"])
def test_output_naming_the_palette_or_mask_file_is_refused(photo, tmp_path, capsys, which, small_photo):
    if which == "--palette":
        named = tmp_path / "colors.png"
        colorlab.Palette([[0, 0, 0], [255, 255, 255]], counts=[1, 1]).save(named)
        args = ["--palette", named]
    else:
        named = tmp_path / "mask.png"
        Image.fromarray(np.full(small_photo.shape[:2], 255, np.uint8)).save(named)
        args = ["-k", 3, "--mask", named]
    before = snapshot(named, photo)
    status, _, err = run_cli(capsys, "quantize", photo, *args, "-o", named)
    one_error_line(status, err, which)
    assert snapshot(named, photo) == before


# -- 12. standard output closed -------------------------------------------------------------------------

def test_palette_with_stdout_closed_is_one_error_line():
    result = subprocess.run(f"'{sys.executable}' -m colorlab palette rocket -k 3 >&-", shell=True,
                            capture_output=False, stderr=subprocess.PIPE, text=True, timeout=DEADLINE)
    one_error_line(result.returncode, result.stderr, "-o")


# -- also: --fixed beyond 256 colors, an infinite PSNR target ------------------------------------------

def test_too_many_fixed_colors_names_the_option(photo, tmp_path, capsys):
    colors = ",".join(f"#{i:06x}" for i in range(300))
    status, _, err = run_cli(capsys, "quantize", photo, "-k", "auto", "--min-psnr", 30, "--fixed", colors,
                             "-o", tmp_path / "out.png")
    one_error_line(status, err, "300 --fixed colors", "256")


def test_infinite_psnr_asks_for_an_exact_redraw(tmp_path, capsys):
    image = np.zeros((10, 10, 3), np.uint8)
    for index in range(5):
        image[2 * index:2 * index + 2] = (50 * index, 10, 200 - 30 * index)
    path = tmp_path / "five.png"
    Image.fromarray(image).save(path)
    status, _, err = run_cli(capsys, "quantize", path, "-k", "auto", "--min-psnr", "inf", "-o", tmp_path / "out.png")
    assert status == 0, err
    assert err.strip() == "k = 5 (PSNR inf dB)"
    assert np.array_equal(np.asarray(Image.open(tmp_path / "out.png").convert("RGB")), image)


# -- 8. batch workers end with their parent --------------------------------------------------------------

def _children() -> dict[int, int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[0] != b"Z":
                parents[int(entry)] = int(fields[1])
    return parents


def _descendants(pid: int) -> set[int]:
    parents = _children()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.skipif(not os.path.isdir("/proc") or sys.platform != "linux", reason="needs Linux's /proc")
def test_batch_workers_end_when_the_parent_is_killed(tmp_path, small_photo):
    pytest.importorskip("pandas")
    folder = tmp_path / "many"
    folder.mkdir()
    big = np.tile(small_photo, (4, 4, 1))
    for index in range(40):
        Image.fromarray(np.roll(big, index, axis=0)).save(folder / f"p{index:02d}.png")
    process = subprocess.Popen([sys.executable, "-m", "colorlab", "batch", str(folder), "-k", "64", "--workers", "2",
                                "-o", str(tmp_path / "t.csv"), "--quiet"], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + DEADLINE
        helpers = set()
        while len(helpers) < 3 and time.monotonic() < deadline and process.poll() is None:
            helpers = _descendants(process.pid)  # the forkserver, its workers, the resource tracker
            time.sleep(0.1)
        if process.poll() is not None:
            pytest.skip("the batch finished before its workers could be seen")
        assert len(helpers) >= 3
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline and helpers & set(_children()):
            time.sleep(0.2)
        assert not helpers & set(_children()), f"still running: {helpers & set(_children())}"
    finally:
        if process.poll() is None:
            process.kill()


# -- the explorers' export folder -------------------------------------------------------------------------

def test_fallback_explorer_refuses_an_export_folder_outside_the_notebook(small_photo, tmp_path, monkeypatch):
    pytest.importorskip("ipywidgets")
    from colorlab.lessons import widgets

    notebook = tmp_path / "notebook"
    notebook.mkdir()
    monkeypatch.chdir(notebook)
    outside = tmp_path / "elsewhere"
    ex = widgets.explorer(small_photo, k=3)
    for folder in (str(outside), "../elsewhere"):
        ex.export_folder.value = folder
        assert ex.export() == []
        assert "outside the notebook's folder" in html.unescape(ex.message.value)
    assert not outside.exists()
    ex.export_folder.value = "exports"
    assert len(ex.export()) == 4 and (notebook / "exports").is_dir()
    allowed = widgets.explorer(small_photo, k=3, allow_outside=True)
    allowed.export_folder.value = str(outside)
    assert len(allowed.export()) == 4


def test_both_explorers_share_one_rule():
    from colorlab.util.files import check_inside

    with pytest.raises(ColorlabError, match="outside"):
        check_inside("../x", "/tmp/a")
    assert check_inside("../x", "/tmp/a", allow_outside=True) == Path("/tmp/x").resolve()


def test_special_files_are_refused_by_the_library_writers(tmp_path):
    fifo = tmp_path / "p.gpl"
    os.mkfifo(fifo)
    with pytest.raises(ImageFileError, match="pipe"):
        colorlab.Palette([[1, 2, 3]], counts=[1]).save(fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
