"""A JPEG decoded early, while the command line's modules load (colorlab.io._early), reads as the reader reads it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import colorlab
from colorlab.errors import ImageFileError
from colorlab.io import _early, images
from cli_support import in_fresh_python


@pytest.fixture
def jpeg(tmp_path):
    """A photo saved as a JPEG whose EXIF says "rotate 90 degrees" (orientation 6)."""
    path = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(colorlab.load_image("rocket")[:200, :300]).save(path, quality=90, exif=exif)
    return path


@pytest.fixture(autouse=True)
def nothing_pending():
    _early._pending.clear()
    yield
    _early._pending.clear()


def test_a_jpeg_started_early_reads_as_without_it(jpeg, monkeypatch):
    plain = colorlab.load_image(jpeg)
    assert plain.shape == (300, 200, 3)  # upright: the orientation is applied to the early image too
    assert _early.start(jpeg)

    def not_again(stream, label):
        raise AssertionError("the reader opened the file although it was decoded early")

    monkeypatch.setattr(images, "_open_unlimited", not_again)
    assert np.array_equal(colorlab.load_image(jpeg), plain)
    assert not _early._pending


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_gray_and_cmyk_jpegs_started_early_read_as_without_it(tmp_path, mode):
    path = tmp_path / f"{mode}.jpg"
    Image.fromarray(colorlab.load_image("rocket")[:120, :160]).convert(mode).save(path, quality=85)
    plain = colorlab.load_image(path)
    assert _early.start(path)
    assert np.array_equal(colorlab.load_image(path), plain) and not _early._pending


def test_a_file_changed_after_the_start_is_read_again(jpeg):
    assert _early.start(jpeg)
    _early._pending[next(iter(_early._pending))][0].join()
    Image.new("RGB", (7, 5), (10, 200, 30)).save(jpeg)
    image = colorlab.load_image(jpeg)
    assert image.shape == (5, 7, 3) and abs(int(image[2, 3, 1]) - 200) < 4


def test_a_broken_jpeg_started_early_gets_the_readers_own_message(jpeg):
    jpeg.write_bytes(jpeg.read_bytes()[:600])
    with pytest.raises(ImageFileError) as plain:
        colorlab.load_image(jpeg)
    assert _early.start(jpeg)
    assert _early.take(jpeg) is None
    assert _early.start(jpeg)
    with pytest.raises(ImageFileError) as early:
        colorlab.load_image(jpeg)
    assert str(early.value) == str(plain.value)


def test_a_jpeg_over_the_size_is_left_to_the_reader(jpeg, monkeypatch):
    monkeypatch.setattr(_early, "MOST_PIXELS", 200 * 300 - 1)
    assert _early.start(jpeg)
    assert _early.take(jpeg) is None
    with pytest.raises(colorlab.ImageTooLargeError):
        colorlab.load_image(jpeg, max_pixels=1000)


def test_only_a_jpeg_file_starts(tmp_path, jpeg):
    Image.new("RGB", (4, 4)).save(tmp_path / "a.png")
    (tmp_path / "folder.jpg").mkdir()
    for path in (tmp_path / "a.png", tmp_path / "missing.jpg", tmp_path / "folder.jpg", "rocket", "bad\0name.jpg"):
        assert not _early.start(path), path
    assert not _early._pending


def test_the_command_decodes_its_jpeg_early_and_writes_what_it_writes_without(jpeg, tmp_path):
    """In a new interpreter, as `colorlab quantize IN ...` runs: the photo is decoded before the imports, the
    reader takes it, and the output is the one the same command writes with IN last (not decoded early)."""
    early, late = tmp_path / "early.png", tmp_path / "late.png"
    result, modules = in_fresh_python(f"""
import sys
sys.argv = ["colorlab", "quantize", {str(jpeg)!r}, "-k", "8", "-o", {str(early)!r}]
import colorlab.cli
from colorlab.io import _early
started = len(_early._pending)
status = colorlab.cli.main()
result = [started, len(_early._pending), status,
          colorlab.cli.main(["quantize", "-k", "8", "-o", {str(late)!r}, {str(jpeg)!r}])]
""")
    assert result == [1, 0, 0, 0]
    with Image.open(early) as a, Image.open(late) as b:
        assert np.array_equal(np.asarray(a.convert("RGB")), np.asarray(b.convert("RGB")))
