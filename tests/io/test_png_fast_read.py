"""The reader of ordinary 8-bit PNGs (colorlab/io/_pngread.py) and its engine kernel: the same pixels as Pillow,
bit for bit, the same errors for broken files, and every other PNG left to Pillow."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import colorlab
import kernels_reference as reference
from colorlab._engine import kernels as _kernels
from colorlab.errors import ImageFileError
from colorlab.io import _pngread, images
from colorlab.io.png import _chunk

MODES = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}
CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"


def _photo_like(rng, height: int, width: int, channels: int) -> np.ndarray:
    """Smooth ramps with noise: rows the encoder's adaptive filters treat differently."""
    y, x = np.mgrid[:height, :width]
    base = (3 * y + 5 * x)[..., None] + 40 * np.arange(channels)
    noise = rng.integers(0, 12, (height, width, channels))
    image = ((base + noise) % 256).astype(np.uint8)
    return image[..., 0] if channels == 1 else image


def _fast(data: bytes):
    """What the fast reader returns for PNG bytes (None: it left the file to Pillow)."""
    stream = io.BytesIO(data)
    image = images._open_unlimited(stream, "the image data")
    with image:
        return _pngread.read_pixels(image, stream, images._png_rawmode(image))


def _pillow(data: bytes, mode: str) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert(mode))


# -- the kernel against its plain-Python reference -----------------------------------------------

@pytest.mark.parametrize("bpp", [1, 2, 3, 4, 6, 8])
def test_unfilter_kernel_matches_the_reference_for_every_filter_type(rng, bpp):
    for height, pixels in [(1, 1), (6, 1), (1, 5), (12, 7)]:
        row_bytes = bpp * pixels
        raw = rng.integers(0, 256, (height, 1 + row_bytes), dtype=np.uint8)
        raw[:, 0] = np.arange(height) % 5  # every filter type, also on the first row
        rng.shuffle(raw[:, 0])
        expected = reference.png_unfilter(raw, height, row_bytes, bpp)
        assert np.array_equal(_kernels.png_unfilter(raw, height, row_bytes, bpp), expected)


def test_unfilter_kernel_refuses_an_unknown_filter_type(rng):
    raw = rng.integers(0, 256, (3, 1 + 6), dtype=np.uint8)
    raw[:, 0] = [1, 5, 0]
    with pytest.raises(ValueError, match="unknown filter type"):
        _kernels.png_unfilter(raw, 3, 6, 3)
    with pytest.raises(ValueError, match="unknown filter type"):
        reference.png_unfilter(raw, 3, 6, 3)


def _many_pieces(rng, bpp: int, height: int = 24) -> tuple[np.ndarray, int]:
    """Rows longer than the threaded kernel's 4 KB pieces, each filter type on several rows, shuffled."""
    row_bytes = bpp * 1500
    raw = rng.integers(0, 256, (height, 1 + row_bytes), dtype=np.uint8)
    raw[:, 0] = np.arange(height) % 5
    rng.shuffle(raw[:, 0])
    return raw, row_bytes


@pytest.mark.parametrize("threads", [2, 3, 8])
@pytest.mark.parametrize("bpp", [1, 3, 4, 8])
def test_unfilter_on_threads_gives_the_bytes_of_one_thread(rng, monkeypatch, bpp, threads):
    from colorlab._engine import threads as _threads

    raw, row_bytes = _many_pieces(rng, bpp)
    one = _kernels.png_unfilter(raw, len(raw), row_bytes, bpp)
    monkeypatch.setattr(_kernels, "UNFILTER_SPLIT_BYTES", 0)
    monkeypatch.setattr(_threads, "THREADS", threads)
    assert np.array_equal(_kernels.png_unfilter(raw, len(raw), row_bytes, bpp), one)
    if bpp == 3 and threads == 2:
        assert np.array_equal(one, reference.png_unfilter(raw, len(raw), row_bytes, bpp))


def test_unfilter_on_threads_refuses_an_unknown_filter_type_without_waiting_for_ever(rng, monkeypatch):
    from colorlab._engine import threads as _threads

    raw, row_bytes = _many_pieces(rng, 3)
    raw[:, 0] = 4  # every row reads the one above
    raw[10, 0] = 7
    monkeypatch.setattr(_kernels, "UNFILTER_SPLIT_BYTES", 0)
    monkeypatch.setattr(_threads, "THREADS", 2)
    with pytest.raises(ValueError, match="unknown filter type"):
        _kernels.png_unfilter(raw, len(raw), row_bytes, 3)


def test_calls_of_the_shared_unfilter_one_after_another_finish(rng):
    """With no second thread free, the first call takes every row and the next finds none left."""
    from colorlab._engine.binding import _C, _ptr

    raw, row_bytes = _many_pieces(rng, 3)
    raw[:, 0] = 4
    out, state = np.zeros((len(raw), row_bytes), np.uint8), np.zeros(2 + len(raw), np.int64)
    assert [_C.png_unfilter_shared(_ptr(raw), len(raw), row_bytes, 3, _ptr(out), _ptr(state)) for _ in range(2)] == [0, 0]
    assert np.array_equal(out, _kernels.png_unfilter(raw, len(raw), row_bytes, 3))
    assert state[0] >= len(raw) and (state[2:] == row_bytes).all()


def test_unfilter_kernel_refuses_data_of_the_wrong_size():
    with pytest.raises(ValueError, match="not 2 rows"):
        _kernels.png_unfilter(np.zeros(13, np.uint8), 2, 6, 3)


# -- PNGs written by Pillow --------------------------------------------------------------------------

@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("options", [{"compress_level": 0}, {"compress_level": 1}, {}, {"compress_level": 9},
                                     {"optimize": True}], ids=["level0", "level1", "default", "level9", "optimize"])
def test_pillow_written_pngs_decode_as_pillow_decodes_them(rng, mode, options):
    for height, width in [(1, 1), (1, 7), (9, 1), (5, 3), (33, 40)]:
        buffer = io.BytesIO()
        Image.fromarray(_photo_like(rng, height, width, MODES[mode])).save(buffer, "PNG", **options)
        data = buffer.getvalue()
        fast = _fast(data)
        assert fast is not None, "the fast reader left an ordinary PNG to Pillow"
        expected = _pillow(data, mode)
        assert fast.shape == expected.shape and fast.dtype == np.uint8
        assert np.array_equal(fast, expected)


# -- PNGs built here: every filter type, the zlib stream over several IDAT chunks ---------------------

def _filtered(image: np.ndarray, bpp: int, types) -> bytes:
    """The PNG image data of ``image`` ((H, W*C) uint8) with row ``y`` filtered by ``types[y]`` (PNG spec 9)."""
    height, row_bytes = image.shape
    padded = np.zeros((height + 1, row_bytes + bpp), np.int64)  # zeros above and to the left
    padded[1:, bpp:] = image
    out = bytearray()
    for y in range(height):
        x, a, b, c = padded[y + 1, bpp:], padded[y + 1, :-bpp], padded[y, bpp:], padded[y, :-bpp]
        prediction = [0 * x, a, b, (a + b) // 2, np.array([reference._paeth(*abc) for abc in zip(a, b, c)])][types[y]]
        out += bytes([types[y]]) + ((x - prediction) % 256).astype(np.uint8).tobytes()
    return bytes(out)


def _png(width: int, height: int, color_type: int, idat: list[bytes], before=b"", after=b"", interlace=0) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + before + b"".join(_chunk(b"IDAT", part) for part in idat)
            + after + _chunk(b"IEND", b""))


def _split(stream: bytes, pieces: int) -> list[bytes]:
    cuts = np.linspace(0, len(stream), pieces + 1).astype(int)
    return [stream[i:j] for i, j in zip(cuts[:-1], cuts[1:])]


COLOR_TYPES = {"L": 0, "LA": 4, "RGB": 2, "RGBA": 6}


def _built(rng, mode: str, height: int, width: int, pieces: int = 4, first: int = 4, **chunks):
    """(PNG bytes, the pixels) of a hand-built PNG whose rows cycle through the five filter types, from ``first``."""
    channels = MODES[mode]
    pixels = _photo_like(rng, height, width, channels)
    types = [(first + y) % 5 for y in range(height)]
    stream = zlib.compress(_filtered(pixels.reshape(height, width * channels), channels, types))
    return _png(width, height, COLOR_TYPES[mode], _split(stream, pieces) + [b""], **chunks), pixels


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("height, width", [(1, 1), (1, 3), (7, 1), (11, 7), (25, 30)])
@pytest.mark.parametrize("first", range(5))
def test_hand_built_pngs_with_every_filter_over_several_idat_chunks(rng, mode, height, width, first):
    data, pixels = _built(rng, mode, height, width, first=first)
    fast = _fast(data)
    assert fast is not None
    assert np.array_equal(fast, pixels)
    assert np.array_equal(fast, _pillow(data, mode))


def _plain(data: bytes, max_pixels=None):
    """What the Pillow-free reader returns for PNG bytes (None: it left the file to Pillow)."""
    return _pngread.read_plain(io.BytesIO(data), max_pixels)


@pytest.mark.parametrize("reader", ["_read_plain_png", "_read_png_pixels"])
def test_load_image_takes_a_fast_path_for_an_ordinary_png(rng, monkeypatch, tmp_path, reader):
    path = tmp_path / "photo.png"
    pixels = _photo_like(rng, 30, 20, 3)
    Image.fromarray(pixels).save(path)
    if reader == "_read_png_pixels":  # the reader of a PNG Pillow has opened: for files the other leaves
        monkeypatch.setattr(images, "_read_plain_png", lambda *args: None)
    returned = []
    read = getattr(images, reader)
    monkeypatch.setattr(images, reader, lambda *args: returned.append(read(*args)) or returned[-1])
    assert np.array_equal(colorlab.load_image(path), pixels)
    assert len(returned) == 1 and isinstance(returned[0], np.ndarray)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("height, width", [(1, 1), (7, 1), (11, 7)])
def test_the_pillow_free_reader_gives_pillows_pixels(rng, mode, height, width):
    data, pixels = _built(rng, mode, height, width, before=_chunk(b"gAMA", b"\0\0\xb1\x8f"),
                          after=_chunk(b"tEXt", b"Comment\0hello"))
    assert np.array_equal(_plain(data), pixels)
    assert np.array_equal(_plain(data), _pillow(data, mode))
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG", optimize=True)
    assert np.array_equal(_plain(buffer.getvalue()), _pillow(buffer.getvalue(), mode))


def test_the_pillow_free_reader_leaves_to_pillow_what_pillow_would_change(rng):
    exif = Image.Exif()
    exif[0x0112] = 6
    text_exif = _chunk(b"tEXt", b"Raw profile type exif\0\nexif\n  0\n")
    bad_crc = bytearray(_chunk(b"tEXt", b"k\0v"))
    bad_crc[-1] ^= 1
    cases = {
        "exif": dict(after=_chunk(b"eXIf", exif.tobytes()[6:])),
        "exif_as_text": dict(before=text_exif),
        "xmp": dict(after=_chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0<x/>")),
        "transparency": dict(before=_chunk(b"tRNS", b"\0\1\0\2\0\3")),
        "suggested_palette": dict(before=_chunk(b"PLTE", b"\0\0\0\xff\xff\xff")),
        "animation": dict(before=_chunk(b"acTL", b"\0\0\0\1\0\0\0\0")),
        "bad_crc": dict(before=bytes(bad_crc)),
    }
    for name, chunks in cases.items():
        data, _ = _built(rng, "RGB", 6, 5, **chunks)
        assert _plain(data) is None, name
        assert _plain(_built(rng, "RGB", 6, 5)[0]) is not None  # a control: the same file without the chunk
    data, _ = _built(rng, "RGB", 6, 5)
    assert _plain(data, max_pixels=29) is None and _plain(data, max_pixels=30) is not None
    with pytest.raises(colorlab.ImageTooLargeError, match="more than the limit of 29"):
        colorlab.load_image(data, max_pixels=29)  # Pillow's path words the limit, as always
    with Image.open(io.BytesIO(_built(rng, "RGB", 6, 5, before=text_exif)[0])) as image:
        assert "Raw profile type exif" in image.info  # where Pillow's getexif looks


class _CountingStream(io.BytesIO):
    """A file whose reads are counted in bytes."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_the_pillow_free_reader_reads_past_the_header_only_a_file_it_takes(rng):
    data, _ = _built(rng, "RGB", 40, 30, after=_chunk(b"tEXt", b"Comment\0" + b"x" * 500))
    too_large = _CountingStream(data)
    assert _pngread.read_plain(too_large, 1199) is None
    assert too_large.bytes_read == 33 and too_large.tell() == 0  # the signature and IHDR, then back to the start
    buffer = io.BytesIO()
    Image.fromarray(_photo_like(rng, 40, 30, 3)[..., 0].astype(np.uint16) * 200).save(buffer, "PNG")
    sixteen_bit = _CountingStream(buffer.getvalue())
    assert _pngread.read_plain(sixteen_bit, None) is None and sixteen_bit.bytes_read == 33
    taken = _CountingStream(data)
    assert _pngread.read_plain(taken, 1200) is not None and taken.bytes_read == len(data)


@pytest.mark.parametrize("case", ["interlaced", "sixteen_bit", "palette", "gray_alpha16", "low_bit_gray"])
def test_the_pillow_free_reader_leaves_other_pngs_to_pillow(rng, case):
    pixels = _photo_like(rng, 6, 5, 3)
    if case == "interlaced":
        data = _png(1, 1, 2, [zlib.compress(b"\0" + pixels[0, 0].tobytes())], interlace=1)
    elif case == "gray_alpha16":
        data = (CORPUS / "gray_alpha16.png").read_bytes()
    else:
        buffer = io.BytesIO()
        {"sixteen_bit": Image.fromarray(pixels[..., 0].astype(np.uint16) * 200),
         "palette": Image.fromarray(pixels).quantize(8),
         "low_bit_gray": Image.fromarray(pixels[..., 0] > 128)}[case].save(buffer, "PNG")
        data = buffer.getvalue()
    assert _plain(data) is None


def test_exif_orientation_after_the_image_data_is_still_applied(rng):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to show upright
    data, pixels = _built(rng, "RGB", 6, 9, after=_chunk(b"eXIf", exif.tobytes()[6:]) + _chunk(b"tEXt", b"k\0v"))
    assert _fast(data) is not None
    assert np.array_equal(colorlab.load_image(data), np.rot90(pixels, -1))
    with Image.open(io.BytesIO(data)) as image:
        assert image.getexif()[0x0112] == 6  # Pillow finds it there too


def test_ancillary_chunks_after_the_image_data_are_read_as_pillow_reads_them(rng):
    data, _ = _built(rng, "RGB", 4, 4, after=_chunk(b"tEXt", b"Comment\0after the pixels"))
    stream = io.BytesIO(data)
    image = images._open_unlimited(stream, "the image data")
    assert _pngread.read_pixels(image, stream, images._png_rawmode(image)) is not None
    assert image.info["Comment"] == "after the pixels"
    assert image.tile == []


@pytest.mark.parametrize("case", ["interlaced", "trns", "sixteen_bit", "palette", "gray_alpha16", "low_bit_gray"])
def test_other_pngs_are_left_to_pillow(rng, case):
    pixels = _photo_like(rng, 6, 5, 3)
    buffer = io.BytesIO()
    if case == "interlaced":  # one pixel: Adam7's first pass alone, the same bytes as without interlacing
        data = _png(1, 1, 2, [zlib.compress(b"\0" + pixels[0, 0].tobytes())], interlace=1)
    elif case == "trns":
        data, _ = _built(rng, "RGB", 6, 5, before=_chunk(b"tRNS", b"\0\1\0\2\0\3"))
    elif case == "gray_alpha16":
        data = (CORPUS / "gray_alpha16.png").read_bytes()
    else:
        image = {"sixteen_bit": Image.fromarray(pixels[..., 0].astype(np.uint16) * 200),
                 "palette": Image.fromarray(pixels).quantize(8),
                 "low_bit_gray": Image.fromarray(pixels[..., 0] > 128)}[case]
        image.save(buffer, "PNG")
        data = buffer.getvalue()
    assert _fast(data) is None
    colorlab.load_image(data)  # Pillow decodes it


def test_kodak_photos_decode_as_pillow_decodes_them(kodak_dir):
    paths = sorted(kodak_dir.glob("kodim*.png"))
    assert len(paths) == 24
    for path in paths:
        data = path.read_bytes()
        fast = _fast(data)
        assert fast is not None, path.name
        expected = _pillow(data, "RGB")
        assert np.array_equal(fast, expected), path.name
        assert np.array_equal(colorlab.load_image(path), expected), path.name  # from the file, not bytes


# -- broken files: the same one-line error as through Pillow ----------------------------------------

def _through_pillow_only(monkeypatch, data: bytes):
    with monkeypatch.context() as patch:
        patch.setattr(images, "_read_png_pixels", lambda *args: None)
        patch.setattr(images, "_read_plain_png", lambda *args: None)
        return _outcome(data)


def _outcome(data: bytes):
    try:
        return colorlab.load_image(data)
    except ImageFileError as error:
        return str(error)


def _broken(rng) -> dict[str, bytes]:
    height, width = 20, 17
    data, pixels = _built(rng, "RGB", height, width, pieces=3, after=_chunk(b"tEXt", b"Comment\0" + b"x" * 40))
    rows = pixels.reshape(height, width * 3)
    idat = data.index(b"IDAT") + 4  # where the first IDAT's data starts
    last_idat = data.rindex(b"IDAT", 0, data.rindex(b"IDAT")) + 4  # the last with data (an empty one follows)
    flipped = bytearray(data)
    flipped[idat + 30] ^= 0x5A
    bad_filter = bytearray(_filtered(rows, 3, [1] * height))
    bad_filter[5 * (1 + width * 3)] = 7  # row 5's filter type
    plain = zlib.compress(_filtered(rows, 3, [0] * height))
    short = _filtered(rows[:-1], 3, [2] * (height - 1))
    long_ = _filtered(np.concatenate([rows, rows[:1]]), 3, [2] * (height + 1))
    return {
        "cut_in_first_idat": data[:idat + 20],
        "cut_in_last_idat": data[:last_idat + 10],
        "cut_in_a_crc": data[:last_idat + struct.unpack(">I", data[last_idat - 8:last_idat - 4])[0] + 2],
        "cut_after_the_image_data": data[:data.index(b"tEXt") + 10],
        "no_iend": data[:data.index(b"IEND") - 4],
        "flipped_byte_in_idat": bytes(flipped),
        "unknown_filter_type": _png(width, height, 2, [zlib.compress(bytes(bad_filter))]),
        "one_row_short": _png(width, height, 2, [zlib.compress(short)]),
        "one_row_long": _png(width, height, 2, [zlib.compress(long_)]),
        "huge_idat_length": data[:idat - 8] + b"\x7f\xff\xff\xf0" + data[idat - 4:],
        "text_between_idats": _png(width, height, 2, [plain[:50]],
                                   after=_chunk(b"tEXt", b"k\0v") + _chunk(b"IDAT", plain[50:])),
    }


def test_broken_pngs_end_as_pillow_ends_them(rng, monkeypatch):
    for name, data in _broken(rng).items():
        got = _outcome(data)
        expected = _through_pillow_only(monkeypatch, data)
        if isinstance(expected, str):
            assert got == expected, name
        else:
            assert isinstance(got, np.ndarray) and np.array_equal(got, expected), name


def test_a_corrupt_idat_gives_the_one_line_truncated_or_corrupt_error(rng):
    data = _broken(rng)["flipped_byte_in_idat"]
    with pytest.raises(ImageFileError, match=r"^cannot read the image data: the file is truncated or corrupt; "
                                             r"save or download it again$"):
        colorlab.load_image(data)
