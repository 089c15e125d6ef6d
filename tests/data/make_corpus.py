"""Generate the bad-input corpus for colorlab's image loader, deterministically.

    python tests/data/make_corpus.py [OUT_DIR]      (default: tests/data/corpus)

Every entry is small (the whole corpus is well under 100 kB) and made from
fixed arrays, so running the script twice gives the same pictures. The tests
(tests/io/test_images.py) call :func:`build` into a temporary folder, so they
never depend on stale files; :data:`ENTRIES` says what each file is.

The arrays the files are made from are exposed (``upright_pattern``,
``RGB16`` ...) so that the tests can state the expected result independently.
16-bit color PNGs are written by a tiny PNG writer here because Pillow cannot
write them.
"""

from __future__ import annotations

import io
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"

# ---------------------------------------------------------------- source arrays

_RNG = np.random.default_rng(20240601)
RANDOM_RGB = _RNG.integers(0, 256, (64, 64, 3), dtype=np.uint8)
ONE_PIXEL = np.array([[[12, 34, 56]]], np.uint8)
ONE_ROW = _RNG.integers(0, 256, (1, 17, 3), dtype=np.uint8)
ONE_COLUMN = _RNG.integers(0, 256, (17, 1, 3), dtype=np.uint8)
GRAY = _RNG.integers(0, 256, (16, 24), dtype=np.uint8)
GRAY[0, :3] = [0, 255, 128]  # the extremes, and 0 (transparent in gray_transparency.png) for sure
# 16-bit samples: a ramp through every low byte plus random values, so that
# dropping the low byte (x >> 8) gives a visibly different result from x / 257.
RGB16 = np.concatenate(
    [np.arange(0, 65536, 97, dtype=np.uint16)[: 8 * 12 * 3].reshape(8, 12, 3),
     _RNG.integers(0, 65536, (8, 12, 3), dtype=np.uint16)], axis=0)
RGBA16 = _RNG.integers(0, 65536, (10, 9, 4), dtype=np.uint16)
GRAY16 = np.arange(0, 65536, 211, dtype=np.uint16)[:300].reshape(15, 20)
GRAY_ALPHA16 = _RNG.integers(0, 65536, (7, 11, 2), dtype=np.uint16)
GRAY32 = np.arange(0, 65536, 331, dtype=np.int32)[:192].reshape(12, 16)
PATTERN_COLORS = np.array(
    [[220, 30, 30], [30, 200, 60], [40, 60, 220], [240, 220, 40], [200, 40, 200], [40, 210, 210]], np.uint8)
CMYK_BLOCKS = [(255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 255, 0), (0, 0, 0, 0), (0, 0, 0, 255), (0, 255, 255, 0)]


def upright_pattern() -> np.ndarray:
    """A 48x32 picture of 3x2 colored 16-pixel blocks, different under each of the 8 flips/rotations."""
    blocks = PATTERN_COLORS.reshape(3, 2, 3)
    return np.repeat(np.repeat(blocks, 16, axis=0), 16, axis=1)


def stored_for_orientation(upright: np.ndarray, orientation: int) -> np.ndarray:
    """The pixels a camera stores for ``upright`` with EXIF orientation tag ``orientation``.

    From the tag's definition in the EXIF standard (where the stored row 0 and
    column 0 appear in the upright picture), not from any library's table.
    """
    transforms = {
        1: lambda a: a,                                # row 0 top, column 0 left
        2: lambda a: a[:, ::-1],                       # row 0 top, column 0 right
        3: lambda a: a[::-1, ::-1],                    # row 0 bottom, column 0 right
        4: lambda a: a[::-1, :],                       # row 0 bottom, column 0 left
        5: lambda a: a.transpose(1, 0, 2),             # row 0 left, column 0 top
        6: lambda a: a[:, ::-1].transpose(1, 0, 2),    # row 0 right, column 0 top
        7: lambda a: a[::-1, ::-1].transpose(1, 0, 2), # row 0 right, column 0 bottom
        8: lambda a: a[::-1, :].transpose(1, 0, 2),    # row 0 left, column 0 bottom
    }
    return np.ascontiguousarray(transforms.get(orientation, transforms[1])(upright))


# ---------------------------------------------------------------- writers


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png16_bytes(samples: np.ndarray, color_type: int, *, trns: bytes = b"", size: tuple[int, int] | None = None) -> bytes:
    """A 16-bit PNG (color type 0 gray, 2 RGB, 4 gray+alpha, 6 RGBA) from uint16 samples; no filtering."""
    height, width = samples.shape[:2]
    if size is not None:
        width, height = size
    rows = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in samples)
    header = struct.pack(">IIBBBBB", width, height, 16, color_type, 0, 0, 0)
    extra = _chunk(b"tRNS", trns) if trns else b""
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + extra + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b"")


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _png(array: np.ndarray, mode: str | None = None, **options) -> bytes:
    image = Image.fromarray(array) if mode is None else Image.fromarray(array).convert(mode)
    return _encode(image, "PNG", **options)


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def _jpeg_with_size(jpeg: bytes, width: int, height: int) -> bytes:
    """Rewrite the frame header (SOF0) of ``jpeg`` to claim another size."""
    at = jpeg.index(b"\xff\xc0")
    return jpeg[: at + 5] + struct.pack(">HH", height, width) + jpeg[at + 9 :]


def _corrupt_png() -> bytes:
    data = bytearray(_png(RANDOM_RGB))
    idat = data.index(b"IDAT")
    data[idat + 40] ^= 0xFF  # inside the compressed data: the chunk CRC no longer matches
    return bytes(data)


def _rgba_transparent() -> np.ndarray:
    rgba = np.zeros((20, 30, 4), np.uint8)
    rgba[..., :3] = [200, 100, 50]
    rgba[:, :10, 3] = 0      # fully transparent, with a color that must not show
    rgba[:, 10:20, 3] = 128  # half
    rgba[:, 20:, 3] = 255    # opaque
    return rgba


def _palette_transparency() -> bytes:
    image = Image.new("P", (12, 8))
    image.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (253 * 3))
    index = np.zeros((8, 12), np.uint8)
    index[:, 4:8] = 1
    index[:, 8:] = 2
    image.putdata(index.ravel().tolist())
    # entry 0 fully transparent, entry 1 half transparent, entry 2 opaque
    return _encode(image, "PNG", transparency=bytes([0, 128, 255]))


def _cmyk_jpeg() -> bytes:
    blocks = np.array(CMYK_BLOCKS, np.uint8).reshape(2, 3, 4)
    cmyk = np.repeat(np.repeat(blocks, 16, axis=0), 16, axis=1)
    return _encode(Image.fromarray(cmyk, mode="CMYK"), "JPEG", quality=95)


def _animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (10, 6), color) for color in ((255, 0, 0), (0, 0, 255), (0, 255, 0))]
    return _encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


def _orientation_jpeg(orientation: int) -> bytes:
    stored = stored_for_orientation(upright_pattern(), orientation)
    return _encode(Image.fromarray(stored), "JPEG", quality=95, exif=_exif(orientation))


def _two_colors() -> np.ndarray:
    image = np.empty((20, 30, 3), np.uint8)
    image[:, :15] = [10, 20, 30]
    image[:, 15:] = [250, 240, 230]
    return image


def _rgb_with_trns() -> bytes:
    return _encode(Image.fromarray(_two_colors()), "PNG", transparency=(10, 20, 30))


def _tiff(array: np.ndarray, mode: str) -> bytes:
    return _encode(Image.fromarray(array).convert(mode) if mode != "I" else Image.fromarray(array, mode="I"), "TIFF")


# name -> (what it is, function returning its bytes)
ENTRIES: dict[str, tuple[str, callable]] = {
    # files that are not (whole) images
    "text_named.png": ("a text file named .png", lambda: b"this is a shopping list, not a picture\n"),
    "empty.png": ("an empty file", lambda: b""),
    "truncated.png": ("a PNG cut in half", lambda: _png(RANDOM_RGB)[: len(_png(RANDOM_RGB)) // 2]),
    "truncated.jpg": ("a JPEG cut in half", lambda: _encode(Image.fromarray(RANDOM_RGB), "JPEG")[:1500]),
    "corrupt_crc.png": ("a PNG with a flipped byte (bad CRC)", _corrupt_png),
    "drawing.svg": ("a vector drawing (unsupported format)",
                    lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n'),
    "huge_header.png": ("a PNG whose header claims 100000 x 100000 pixels",
                        lambda: png16_bytes(np.zeros((1, 1), np.uint16), 0, size=(100_000, 100_000))),
    "huge_header.jpg": ("a JPEG whose header claims 60000 x 60000 pixels",
                        lambda: _jpeg_with_size(_encode(Image.fromarray(ONE_PIXEL), "JPEG"), 60_000, 60_000)),
    # odd shapes and few colors
    "one_pixel.png": ("1 x 1", lambda: _png(ONE_PIXEL)),
    "one_row.png": ("1 x 17", lambda: _png(ONE_ROW)),
    "one_column.png": ("17 x 1", lambda: _png(ONE_COLUMN)),
    "single_color.png": ("one color", lambda: _png(np.full((20, 30, 3), [90, 140, 190], np.uint8))),
    "two_colors.png": ("two colors", lambda: _png(_two_colors())),
    # modes
    "gray_L.png": ("8-bit gray", lambda: _png(GRAY)),
    "gray_1bit.png": ("1-bit black and white", lambda: _png(GRAY, mode="1")),
    "gray_transparency.png": ("8-bit gray, value 0 transparent (tRNS)", lambda: _png(GRAY, transparency=0)),
    "gray_alpha_LA.png": ("8-bit gray + alpha", lambda: _png(np.stack([GRAY, GRAY[::-1]], axis=-1))),
    "rgba_transparent.png": ("RGBA with transparent, half and opaque columns", lambda: _png(_rgba_transparent())),
    "rgb_transparency.png": ("RGB with one transparent color (tRNS)", _rgb_with_trns),
    "palette_transparency.png": ("palette image with transparent entries", _palette_transparency),
    "rgb16.png": ("48-bit RGB", lambda: png16_bytes(RGB16, 2)),
    "rgb16_transparency.png": ("48-bit RGB with a transparent color (tRNS)",
                               lambda: png16_bytes(RGB16, 2, trns=RGB16[0, 0].astype(">u2").tobytes())),
    "rgba16.png": ("64-bit RGBA", lambda: png16_bytes(RGBA16, 6)),
    "gray16.png": ("16-bit gray", lambda: _png(GRAY16)),
    "gray_alpha16.png": ("16-bit gray + alpha", lambda: png16_bytes(GRAY_ALPHA16, 4)),
    "gray_I32.tif": ("32-bit integer gray TIFF with 16-bit values", lambda: _tiff(GRAY32, "I")),
    "float_F.tif": ("32-bit float TIFF", lambda: _encode(Image.fromarray(GRAY.astype(np.float32) / 255), "TIFF")),
    "cmyk.jpg": ("CMYK JPEG", _cmyk_jpeg),
    "animated.gif": ("animated GIF, 3 frames", lambda: _animated("GIF")),
    "animated.png": ("animated PNG (APNG), 3 frames", lambda: _animated("PNG")),
    "rgb.bmp": ("BMP", lambda: _encode(Image.fromarray(RANDOM_RGB), "BMP")),
    "rgb.tif": ("TIFF", lambda: _encode(Image.fromarray(RANDOM_RGB), "TIFF")),
    "rgb.webp": ("lossless WebP", lambda: _encode(Image.fromarray(RANDOM_RGB), "WEBP", lossless=True)),
    # EXIF orientation
    **{f"exif_orientation_{n}.jpg": (f"JPEG with EXIF orientation {n}", lambda n=n: _orientation_jpeg(n)) for n in range(1, 10)},
    "exif_orientation_6.png": ("PNG with EXIF orientation 6 (lossless)",
                               lambda: _encode(Image.fromarray(stored_for_orientation(upright_pattern(), 6)), "PNG", exif=_exif(6))),
}


def build(out_dir: Path = CORPUS_DIR) -> list[Path]:
    """Write every corpus entry into ``out_dir`` and return the paths, in ENTRIES order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (_, make) in ENTRIES.items():
        path = out_dir / name
        path.write_bytes(make())
        written.append(path)
    return written


if __name__ == "__main__":
    paths = build(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS_DIR)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files ({total:,} bytes) to {paths[0].parent}")
