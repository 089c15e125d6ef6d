"""``colorlab quantize IN -k 256 -o OUT.png``: the file holds the pixels and palette the library gives for the photo
as Pillow's default reader decodes it, whichever reader and deflate level the command uses to get there."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from PIL import Image

import colorlab
from colorlab.cli import main


def _chunks(path):
    data = path.read_bytes()
    at = 8
    while at < len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        yield data[at + 4:at + 8], data[at + 8:at + 8 + size]
        at += 12 + size


@pytest.fixture(scope="module", params=["coffee", "rocket"])  # a PNG and a JPEG
def expected(request):
    """The photo decoded by ``Image.open`` (all of Pillow's readers), its 256-color palette and redrawn pixels."""
    path = colorlab.sample_path(request.param)
    with Image.open(path) as picture:
        image = np.asarray(picture.convert("RGB"))
    palette = colorlab.fit_palette(image, 256, method="wu-kmeans", space="oklab")
    return path, palette, colorlab.quantize(image, palette)


@pytest.mark.parametrize("compress", ["fast", "default", "small"])
def test_quantize_256_writes_the_librarys_pixels_and_palette(expected, tmp_path, compress):
    path, palette, pixels = expected
    out = tmp_path / "out.png"
    assert main(["quantize", str(path), "-k", "256", "-o", str(out), "--compress", compress]) == 0
    chunks = dict(_chunks(out))
    assert chunks[b"IHDR"][8:10] == bytes([8, 3])  # 8-bit indices, color type 3
    table = np.frombuffer(chunks[b"PLTE"], np.uint8).reshape(-1, 3)
    assert len(table) == 256 and sorted(map(bytes, table)) == sorted(map(bytes, palette.colors))
    height, width = pixels.shape[:2]
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, width + 1)
    assert not rows[:, 0].any()  # filter type 0 on every row
    assert np.array_equal(table[rows[:, 1:]], pixels)
    assert np.array_equal(colorlab.load_image(out), pixels)
