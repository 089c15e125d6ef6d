"""A PNG or JPEG is opened by its own Pillow reader, found from its first bytes, and decodes exactly as through
``Image.open``, which first imports every common reader: the same pixels, alpha and errors for every file."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from PIL import Image

import colorlab
from colorlab.io import images

from cli_support import in_fresh_python
from corpus_cases import corpus


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    corpus.build(folder)
    return folder


def _outcome(read, source):
    """What ``read(source)`` gives: its arrays, or the type and message of its error; and its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = read(source)
            result = ("ok", [np.asarray(part) for part in (result if isinstance(result, tuple) else (result,))])
        except Exception as err:  # noqa: BLE001 - the outcome compared is the error itself
            result = ("error", type(err), str(err))
    return result, [(w.category, str(w.message)) for w in caught]


def _same(a, b) -> bool:
    (result_a, warned_a), (result_b, warned_b) = a, b
    if result_a[0] != result_b[0] or warned_a != warned_b:
        return False
    if result_a[0] == "error":
        return result_a == result_b
    return len(result_a[1]) == len(result_b[1]) and all(
        x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y) for x, y in zip(result_a[1], result_b[1]))


def _through_image_open(monkeypatch, read, source):
    with monkeypatch.context() as patched:
        patched.setattr(images, "_SIGNATURES", ())  # every file goes through Image.open, as before
        return _outcome(read, source)


READERS = {
    "load_image": colorlab.load_image,
    "load_image_alpha": colorlab.load_image_alpha,
    "read_still": images.read_still,
}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("name", sorted(corpus.ENTRIES))
def test_every_corpus_file_reads_the_same_as_through_image_open(corpus_dir, monkeypatch, name, reader):
    read = READERS[reader]
    path = corpus_dir / name
    fast = _outcome(read, path)
    assert _same(fast, _through_image_open(monkeypatch, read, path)), name


# the corpus's PNGs and JPEGs cover 16-bit, palette, gray, alpha, transparency colors, CMYK, EXIF orientation
OPENED_BY_SIGNATURE = ["rgb16.png", "rgba16.png", "gray16.png", "gray_alpha16.png", "gray_L.png", "gray_1bit.png",
                       "gray_alpha_LA.png", "palette_transparency.png", "rgba_transparent.png", "rgb_transparency.png",
                       "animated.png", "cmyk.jpg", "exif_orientation_6.jpg", "exif_orientation_6.png"]


@pytest.mark.parametrize("name", OPENED_BY_SIGNATURE)
def test_png_and_jpeg_files_are_opened_by_their_own_reader(corpus_dir, name):
    data = (corpus_dir / name).read_bytes()
    opened = images._open_by_signature(io.BytesIO(data))
    assert opened is not None
    with opened, Image.open(io.BytesIO(data)) as reference:
        assert type(opened) is type(reference) and opened.mode == reference.mode and opened.size == reference.size
        assert opened.tile == reference.tile and opened.info.keys() == reference.info.keys()


@pytest.mark.parametrize("name", ["rocket", "coffee"])
def test_bundled_photos_read_the_same_as_through_image_open(monkeypatch, name):
    path = colorlab.sample_path(name)
    fast = _outcome(images.read_still, path)
    assert fast[0][0] == "ok"
    assert _same(fast, _through_image_open(monkeypatch, images.read_still, path))


def _jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 40, 90)).save(buffer, "JPEG", subsampling="4:2:0")
    return buffer.getvalue()


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + b"\0" * 40,  # a PNG signature, then no header
    b"\xff\xd8\xff" + b"\0" * 40,  # a JPEG signature, then nothing a JPEG holds
    b"\x89PNG\r\n\x1a\n",  # the signature alone
    _jpeg_bytes()[:200],  # a JPEG cut short
], ids=["png-no-header", "jpeg-garbage", "png-signature-only", "jpeg-cut"])
def test_a_broken_file_behind_a_signature_gives_the_same_error(monkeypatch, data):
    fast = _outcome(colorlab.load_image, data)
    assert fast[0][0] == "error" and issubclass(fast[0][1], colorlab.ImageFileError)
    assert _same(fast, _through_image_open(monkeypatch, colorlab.load_image, data))


def test_a_jpeg_named_png_reads_as_the_jpeg_it_is(tmp_path, monkeypatch):
    path = tmp_path / "photo.png"
    path.write_bytes(_jpeg_bytes())
    fast = _outcome(colorlab.load_image, path)
    assert fast[0][0] == "ok" and fast[0][1][0].shape == (6, 8, 3)
    assert _same(fast, _through_image_open(monkeypatch, colorlab.load_image, path))


@pytest.mark.parametrize(("sample", "readers"), [("coffee", []), ("rocket", ["PIL.JpegImagePlugin"])])
def test_reading_a_png_or_jpeg_imports_no_other_pillow_reader(sample, readers):
    code = f"from colorlab.io.images import read_still\nresult = read_still({str(colorlab.sample_path(sample))!r})[0].shape"
    shape, modules = in_fresh_python(code)
    assert len(shape) == 3
    assert [name for name in modules if name.startswith("PIL.") and name.endswith("ImagePlugin")] == readers
    if not readers:  # an ordinary PNG is read without Pillow at all
        assert not [name for name in modules if name == "PIL" or name.startswith("PIL.")]
