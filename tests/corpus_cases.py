"""What each bad-input case should give: the one table the library, command-line and explorer tests share.

``corpus`` is tests/data/make_corpus.py (the files and the arrays they are made from).
For every corpus file, exactly one of these says what :func:`colorlab.load_image` gives:

- :data:`ERRORS`: the error class and a phrase its message must contain;
- :data:`EXACT`: a function returning the exact expected ``(H, W, 3)`` uint8 image;
- :data:`APPROX`: lossy files, the expected colors of the centers of 16-pixel blocks
  (compare with :func:`block_centers` within :data:`JPEG_TOLERANCE`);
- :data:`SPECIAL`: checked by a test of its own (``gray_1bit.png``).

:data:`GENERATED` lists the cases that are not committed files (a missing file, a folder,
a file without read permission, a 12-megapixel photo); :func:`make_generated` makes them.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
from PIL import Image

from colorlab.errors import ImageFileError, ImageTooLargeError

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("make_corpus", HERE / "data" / "make_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

#: Largest difference allowed between a JPEG block center and its intended color.
JPEG_TOLERANCE = 12


def composite(color, alpha, scale, background=255):
    """Expected alpha compositing, in floating point: round(c * a + bg * (1 - a)) with a in 0..1."""
    c = np.asarray(color, np.float64) / scale * 255
    a = np.asarray(alpha, np.float64) / scale
    return np.rint(c * a + background * (1 - a)).astype(np.uint8)


def gray3(gray):
    return np.repeat(np.asarray(gray, np.uint8)[..., None], 3, axis=-1)


def block_centers(image, size=16):
    return image[size // 2 :: size, size // 2 :: size].astype(int)


# ------------------------------------------------------------------ expected outcome of each corpus entry

ERRORS = {
    "text_named.png": (ImageFileError, "not an image"),
    "empty.png": (ImageFileError, "empty"),
    "truncated.png": (ImageFileError, "truncated"),
    "truncated.jpg": (ImageFileError, "truncated"),
    "corrupt_crc.png": (ImageFileError, "corrupt"),
    "drawing.svg": (ImageFileError, "convert it to PNG"),
    "float_F.tif": (ImageFileError, "floating-point"),
    "huge_header.png": (ImageTooLargeError, "max_pixels="),
    "huge_header.jpg": (ImageTooLargeError, "max_pixels="),
}


def _expect_rgba_transparent():
    rgba = np.zeros((20, 30, 4), np.uint8)
    rgba[..., :3] = [200, 100, 50]
    rgba[:, :10, 3], rgba[:, 10:20, 3], rgba[:, 20:, 3] = 0, 128, 255
    return composite(rgba[..., :3], rgba[..., 3:], 255)


def _expect_two_colors():
    image = np.empty((20, 30, 3), np.uint8)
    image[:, :15], image[:, 15:] = [10, 20, 30], [250, 240, 230]
    return image


def _expect_rgb_transparency():
    image = _expect_two_colors()
    image[:, :15] = 255
    return image


def _expect_palette():
    colors = np.zeros((8, 12, 3))
    colors[:, :4], colors[:, 4:8], colors[:, 8:] = [255, 0, 0], [0, 255, 0], [0, 0, 255]
    alpha = np.zeros((8, 12, 1))
    alpha[:, :4], alpha[:, 4:8], alpha[:, 8:] = 0, 128, 255
    return composite(colors, alpha, 255)


def _expect_rgb16():
    expected = np.rint(corpus.RGB16 / 257).astype(np.uint8)
    # the sample must tell scaling from dropping the low byte, or the tests could not fail
    assert (expected != (corpus.RGB16 >> 8)).sum() > 50
    return expected


def _expect_rgb16_transparency():
    expected = _expect_rgb16()
    expected[(corpus.RGB16 == corpus.RGB16[0, 0]).all(axis=-1)] = 255
    return expected


def _expect_gray_transparency():
    expected = gray3(corpus.GRAY)
    expected[corpus.GRAY == 0] = 255
    return expected


def _expect_gray_alpha16():
    g, a = corpus.GRAY_ALPHA16[..., :1], corpus.GRAY_ALPHA16[..., 1:]
    return np.repeat(composite(g, a, 65535), 3, axis=-1)


EXACT = {
    "one_pixel.png": lambda: corpus.ONE_PIXEL,
    "one_row.png": lambda: corpus.ONE_ROW,
    "one_column.png": lambda: corpus.ONE_COLUMN,
    "single_color.png": lambda: np.full((20, 30, 3), [90, 140, 190], np.uint8),
    "two_colors.png": _expect_two_colors,
    "gray_L.png": lambda: gray3(corpus.GRAY),
    "gray_transparency.png": _expect_gray_transparency,
    "gray_alpha_LA.png": lambda: np.repeat(composite(corpus.GRAY[..., None], corpus.GRAY[::-1, :, None], 255), 3, axis=-1),
    "rgba_transparent.png": _expect_rgba_transparent,
    "rgb_transparency.png": _expect_rgb_transparency,
    "palette_transparency.png": _expect_palette,
    "rgb16.png": _expect_rgb16,
    "rgb16_transparency.png": _expect_rgb16_transparency,
    "rgba16.png": lambda: composite(corpus.RGBA16[..., :3], corpus.RGBA16[..., 3:], 65535),
    "gray16.png": lambda: gray3(np.rint(corpus.GRAY16 / 257)),
    "gray_alpha16.png": _expect_gray_alpha16,
    "gray_I32.tif": lambda: gray3(np.rint(corpus.GRAY32 / 257)),
    "animated.gif": lambda: np.full((6, 10, 3), [255, 0, 0], np.uint8),
    "animated.png": lambda: np.full((6, 10, 3), [255, 0, 0], np.uint8),
    "rgb.bmp": lambda: corpus.RANDOM_RGB,
    "rgb.tif": lambda: corpus.RANDOM_RGB,
    "rgb.webp": lambda: corpus.RANDOM_RGB,
    "exif_orientation_6.png": corpus.upright_pattern,
}

# lossy files: compare the centers of 16-pixel blocks, within a JPEG tolerance
CMYK_AS_RGB = np.array([[0, 255, 255], [255, 0, 255], [255, 255, 0], [255, 255, 255], [0, 0, 0], [255, 0, 0]])
APPROX = {
    **{f"exif_orientation_{n}.jpg": corpus.PATTERN_COLORS.reshape(3, 2, 3) for n in range(1, 10)},
    "cmyk.jpg": CMYK_AS_RGB.reshape(2, 3, 3),
}

SPECIAL = {"gray_1bit.png"}

#: Every committed corpus file whose image loads.
LOADABLE = sorted(set(EXACT) | set(APPROX) | SPECIAL)


def check_loaded(name: str, image: np.ndarray) -> None:
    """Assert that ``image`` is what loading the corpus entry ``name`` must give."""
    assert isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
    if name in EXACT:
        np.testing.assert_array_equal(image, np.asarray(EXACT[name](), np.uint8))
    elif name in APPROX:
        blocks = APPROX[name]
        assert image.shape == (blocks.shape[0] * 16, blocks.shape[1] * 16, 3)
        assert np.abs(block_centers(image) - blocks).max() <= JPEG_TOLERANCE
    else:  # gray_1bit.png: black and white only, both present
        assert name in SPECIAL
        assert set(np.unique(image)) == {0, 255} and (image == image[..., :1]).all()


# ------------------------------------------------------------------ cases that are not committed files

#: name -> (what it is, error class, phrase of the message). The 12-megapixel photo loads.
GENERATED = {
    "missing": ("a file that does not exist", ImageFileError, "no such file"),
    "folder": ("a folder given as the image", ImageFileError, "folder"),
    "no_permission": ("a file the user may not read", ImageFileError, "no permission"),
    "twelve_megapixels": ("a 12-megapixel JPEG photo (4000 x 3000)", None, None),
}


def twelve_megapixel_jpeg(path: Path) -> Path:
    """Write a 4000 x 3000 JPEG made from a bundled photo (about 0.8 MB) to ``path``."""
    import colorlab

    Image.fromarray(colorlab.load_image("chelsea")).resize((4000, 3000), Image.Resampling.BILINEAR).save(path, quality=90)
    return path


def make_generated(name: str, folder: Path) -> Path:
    """Create the generated case ``name`` inside ``folder`` and return the path to pass.

    ``no_permission`` takes all permissions away; root still reads it, so tests run as
    root must read it as another user (see ``unprivileged_runner``).
    """
    if name == "missing":
        return folder / "missing.png"
    if name == "folder":
        album = folder / "album.png"
        album.mkdir()
        return album
    if name == "no_permission":
        path = folder / "secret.png"
        Image.fromarray(corpus.ONE_PIXEL).save(path)
        path.chmod(0o000)
        return path
    if name == "twelve_megapixels":
        return twelve_megapixel_jpeg(folder / "twelve_mp.jpg")
    raise KeyError(name)


def unprivileged_runner() -> list[str] | None:
    """A command prefix that runs a program as the user 'nobody' (None if this is impossible)."""
    import shutil

    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        return None
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
