"""colorlab.io: loading every odd file (images), saving atomically (saving), and the array rules (arrays)."""

from __future__ import annotations

import gc
import io
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

import colorlab
from colorlab.io import arrays as io_arrays, images
from colorlab.errors import (
    ColorlabError,
    ImageFileError,
    ImageTooLargeError,
    InvalidImageError,
    InvalidParameterError,
)

from corpus_cases import (APPROX, ERRORS, EXACT, SPECIAL, block_centers, composite, corpus, gray3,
                          unprivileged_runner)

WHITE = (255, 255, 255)


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """The corpus, freshly generated for this run (never stale)."""
    folder = tmp_path_factory.mktemp("corpus")
    corpus.build(folder)
    return folder


def test_every_corpus_entry_has_an_expected_outcome():
    assert set(corpus.ENTRIES) == set(ERRORS) | set(EXACT) | set(APPROX) | SPECIAL
    assert not (set(ERRORS) & set(EXACT) or set(ERRORS) & set(APPROX) or set(EXACT) & set(APPROX))


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_corpus_bad_file_raises_one_clear_error(corpus_dir, name):
    path = corpus_dir / name
    error, phrase = ERRORS[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(error) as info:
            colorlab.load_image(path)
        gc.collect()
    message = str(info.value)
    assert str(path) in message and phrase in message
    assert "\n" not in message
    err = info.value
    assert err.__cause__ is None and (err.__context__ is None or err.__suppress_context__)  # no Pillow traceback
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


@pytest.mark.parametrize("name", sorted(EXACT))
def test_corpus_image_loads_exactly(corpus_dir, name):
    loaded = colorlab.load_image(corpus_dir / name)
    expected = np.asarray(EXACT[name](), np.uint8)
    assert loaded.dtype == np.uint8 and loaded.shape == expected.shape
    np.testing.assert_array_equal(loaded, expected)


@pytest.mark.parametrize("name", sorted(APPROX))
def test_corpus_lossy_image_loads_right_way_up(corpus_dir, name):
    loaded = colorlab.load_image(corpus_dir / name)
    blocks = APPROX[name]
    assert loaded.shape == (blocks.shape[0] * 16, blocks.shape[1] * 16, 3)
    assert np.abs(block_centers(loaded) - blocks).max() <= 12


def test_corpus_one_bit_image_is_black_and_white(corpus_dir):
    loaded = colorlab.load_image(corpus_dir / "gray_1bit.png")
    with Image.open(corpus_dir / "gray_1bit.png") as stored:
        assert stored.mode == "1"
        bits = np.asarray(stored)
    np.testing.assert_array_equal(loaded, gray3(bits.astype(np.uint8) * 255))
    assert 0 < bits.mean() < 1


@pytest.mark.parametrize("name", ["rgba_transparent.png", "palette_transparency.png", "gray_alpha16.png"])
def test_transparent_pixels_show_the_chosen_background(corpus_dir, name):
    on_white = colorlab.load_image(corpus_dir / name)
    on_black = colorlab.load_image(corpus_dir / name, background=(0, 0, 0))
    fully_transparent = (on_white == 255).all(axis=-1) & (on_black == 0).all(axis=-1)
    assert fully_transparent.any() or name == "gray_alpha16.png"
    assert (on_white >= on_black).all() and (on_white > on_black).any()


def test_exif_orientation_matches_pillow_exif_transpose(corpus_dir):
    # an independent check of the orientation table against Pillow's own helper
    from PIL import ImageOps

    for n in range(1, 9):
        with Image.open(corpus_dir / f"exif_orientation_{n}.jpg") as stored:
            expected = np.asarray(ImageOps.exif_transpose(stored).convert("RGB"))
        np.testing.assert_array_equal(colorlab.load_image(corpus_dir / f"exif_orientation_{n}.jpg"), expected)


def test_committed_corpus_is_current(repo, corpus_dir):
    """tests/data/corpus, if present, holds exactly what make_corpus.py makes (same names, same outcomes)."""
    committed = repo / "tests" / "data" / "corpus"
    if not committed.exists():
        pytest.skip("no committed corpus; the tests use a freshly generated one")
    assert sorted(p.name for p in committed.iterdir()) == sorted(corpus.ENTRIES)
    for name in corpus.ENTRIES:
        assert _outcome(committed / name) == _outcome(corpus_dir / name), name


def _outcome(path):
    try:
        return colorlab.load_image(path).tobytes()
    except ColorlabError as err:
        return type(err).__name__


# ------------------------------------------------------------------ paths


def test_missing_file(tmp_path):
    with pytest.raises(ImageFileError, match="no such file") as info:
        colorlab.load_image(tmp_path / "nope.png")
    assert str(tmp_path / "nope.png") in str(info.value)
    assert isinstance(info.value, FileNotFoundError) is False and isinstance(info.value, OSError)


def test_directory(tmp_path):
    with pytest.raises(ImageFileError, match="folder") as info:
        colorlab.load_image(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_unknown_name_lists_the_bundled_photos():
    with pytest.raises(ImageFileError) as info:
        colorlab.load_image("sunset")
    message = str(info.value)
    assert "'sunset'" in message and "path" in message
    assert all(name in message for name in colorlab.samples())


def test_bundled_name_and_its_path_give_the_same_image():
    np.testing.assert_array_equal(colorlab.load_image("chelsea"), colorlab.load_image(colorlab.sample_path("chelsea")))


@pytest.mark.parametrize("source", [42, None, 3.5, ["rocket"], np.zeros((2, 2, 3), np.uint8)])
def test_source_of_the_wrong_type(source):
    with pytest.raises(InvalidParameterError, match="source must be a path"):
        colorlab.load_image(source)


# -- in-memory sources: bytes and binary file objects (an upload needs no temporary file)

IN_MEMORY = {
    "bytes": lambda path: path.read_bytes(),
    "bytearray": lambda path: bytearray(path.read_bytes()),
    "memoryview": lambda path: memoryview(path.read_bytes()),
    "BytesIO": lambda path: io.BytesIO(path.read_bytes()),
    "open file": lambda path: open(path, "rb"),  # noqa: SIM115 - load_image must not close it; closed below
}


@pytest.mark.parametrize("kind", sorted(IN_MEMORY))
@pytest.mark.parametrize("name", ["rgb16.png", "exif_orientation_6.jpg", "palette_transparency.png", "animated.gif"])
def test_in_memory_source_gives_the_same_image_as_the_path(corpus_dir, kind, name):
    path = corpus_dir / name
    source = IN_MEMORY[kind](path)
    try:
        np.testing.assert_array_equal(colorlab.load_image(source), colorlab.load_image(path))
        if hasattr(source, "closed"):
            assert not source.closed  # the caller's file object stays theirs
    finally:
        if hasattr(source, "close"):
            source.close()


def test_file_object_is_read_from_its_current_position(corpus_dir):
    data = (corpus_dir / "one_pixel.png").read_bytes()
    stream = io.BytesIO(b"header of a container" + data)
    stream.seek(len(b"header of a container"))
    np.testing.assert_array_equal(colorlab.load_image(stream), corpus.ONE_PIXEL)


@pytest.mark.parametrize(("name", "label"), [(None, "the image data"), ("the uploaded file 'x.png'", "the uploaded file 'x.png'")])
@pytest.mark.parametrize(("data", "error", "phrase"), [
    (b"", ImageFileError, "empty"),
    (b"rocket.png", ImageFileError, "not an image"),  # bytes are a file's content, never a path
    (corpus.png16_bytes(np.zeros((1, 1), np.uint16), 0, size=(100_000, 100_000)), ImageTooLargeError, "max_pixels="),
])
def test_in_memory_errors_name_the_source(name, label, data, error, phrase):
    with pytest.raises(error) as info:
        colorlab.load_image(data, name=name)
    message = str(info.value)
    assert label in message and phrase in message and "\n" not in message


def test_name_replaces_the_path_in_messages(corpus_dir):
    with pytest.raises(ImageFileError, match=r"^cannot read your scan: it is not an image file"):
        colorlab.load_image(corpus_dir / "text_named.png", name="your scan")


def test_text_mode_file_object_is_refused(corpus_dir):
    with open(corpus_dir / "text_named.png", encoding="utf-8") as text_file:
        with pytest.raises(InvalidParameterError, match=r"binary mode: open\(path, 'rb'\)"):
            colorlab.load_image(text_file)


def test_closed_file_object_is_refused(corpus_dir):
    stream = io.BytesIO((corpus_dir / "one_pixel.png").read_bytes())
    stream.close()
    with pytest.raises(ImageFileError, match="closed"):
        colorlab.load_image(stream, name="the upload")


@pytest.mark.parametrize("name", ["", "   ", 3, b"x.png"])
def test_invalid_name(name):
    with pytest.raises(InvalidParameterError, match="name must be a text"):
        colorlab.load_image(b"\x89PNG", name=name)


def test_no_read_permission(tmp_path):
    if os.geteuid() != 0:
        path = tmp_path / "secret.png"
        Image.fromarray(corpus.ONE_PIXEL).save(path)
        path.chmod(0o000)
        with pytest.raises(ImageFileError, match="no permission") as info:
            colorlab.load_image(path)
        assert str(path) in str(info.value)
        return
    # root reads anything: run the same call as the unprivileged user 'nobody'
    runner = unprivileged_runner()
    if runner is None:
        pytest.skip("running as root without setpriv: cannot take read permission away")
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="colorlab-perm-"))  # in /tmp, which 'nobody' can reach
    try:
        folder.chmod(0o755)
        path = folder / "secret.png"
        Image.fromarray(corpus.ONE_PIXEL).save(path)
        path.chmod(0o000)
        closed = folder / "closed"
        closed.mkdir(mode=0o700)
        hidden = closed / "inside.png"
        Image.fromarray(corpus.ONE_PIXEL).save(hidden)
        script = (
            "import sys, colorlab\n"
            "for path in sys.argv[1:]:\n"
            "    try:\n        colorlab.load_image(path)\n"
            "    except colorlab.ImageFileError as err:\n        print(type(err).__name__, err)\n"
        )
        done = subprocess.run([*runner, sys.executable, "-c", script, str(path), str(hidden)], capture_output=True,
                              text=True, timeout=120, cwd="/", env={**os.environ, "HOME": "/tmp"})
    finally:
        shutil.rmtree(folder)
    if done.returncode != 0 and "Permission denied" in done.stderr:
        pytest.skip(f"the user 'nobody' cannot run this interpreter: {done.stderr.strip()[-200:]}")
    assert done.returncode == 0, done.stderr
    file_line, folder_line = done.stdout.splitlines()
    assert file_line.startswith("ImageFileError") and "no permission to read it" in file_line and str(path) in file_line
    assert folder_line.startswith("ImageFileError") and "no permission to open its folder" in folder_line
    assert str(hidden) in folder_line


@pytest.mark.parametrize(("source", "phrase"), [("a" * 5000 + ".png", "too long"), ("x\0y.png", "no such file")])
def test_impossible_paths(source, phrase):
    with pytest.raises(ImageFileError, match=phrase):
        colorlab.load_image(source)


def test_loaded_images_are_fresh_writable_arrays(corpus_dir):
    for name in ["one_pixel.png", "exif_orientation_6.png", "rgb16.png"]:
        image = colorlab.load_image(corpus_dir / name)
        assert image.flags.writeable and image.flags.c_contiguous


def test_out_of_memory_becomes_a_clear_error(corpus_dir, monkeypatch):
    def no_memory(self):
        raise MemoryError

    from PIL import ImageFile

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_memory)
    with pytest.raises(ImageTooLargeError, match="not enough memory") as info:
        colorlab.load_image(corpus_dir / "rgb.bmp")
    assert str(corpus_dir / "rgb.bmp") in str(info.value)


def test_pillow_warnings_come_out_as_colorlab_warnings_naming_the_file(corpus_dir, monkeypatch):
    from PIL import ImageFile

    original = ImageFile.ImageFile.load

    def load_with_a_warning(self):
        warnings.warn("Possibly corrupt EXIF data", UserWarning)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load_with_a_warning)
    with pytest.warns(colorlab.ColorlabWarning, match="corrupt EXIF") as record:
        colorlab.load_image(corpus_dir / "rgb.bmp")
    assert str(corpus_dir / "rgb.bmp") in str(record[0].message)


# ------------------------------------------------------------------ size limits


def test_twelve_megapixel_photo_loads(tmp_path):
    source = colorlab.load_image("chelsea")
    big = Image.fromarray(source).resize((4000, 3000), Image.Resampling.BILINEAR)
    path = tmp_path / "twelve_mp.jpg"
    big.save(path, quality=90)
    loaded = colorlab.load_image(path)
    assert loaded.shape == (3000, 4000, 3) and loaded.dtype == np.uint8
    assert np.abs(loaded[::50, ::50].astype(int) - np.asarray(big)[::50, ::50]).mean() < 3


def test_huge_header_message_gives_the_limit_and_the_way_out(corpus_dir):
    with pytest.raises(ImageTooLargeError) as info:
        colorlab.load_image(corpus_dir / "huge_header.png", max_pixels=5_000)
    message = str(info.value)
    assert "100000 x 100000" in message and "5,000" in message and "max_pixels=" in message


@pytest.mark.parametrize("limit", [4095, 1])
def test_our_limit_is_checked_before_decoding(corpus_dir, limit):
    with pytest.raises(ImageTooLargeError):
        colorlab.load_image(corpus_dir / "rgb.bmp", max_pixels=limit)  # 64 x 64 = 4096 pixels
    assert colorlab.load_image(corpus_dir / "rgb.bmp", max_pixels=4096).shape == (64, 64, 3)


def test_pillow_bomb_limit_neither_leaks_nor_changes(corpus_dir, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow alone would refuse 4096 pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = colorlab.load_image(corpus_dir / "rgb.bmp")
        image16 = colorlab.load_image(corpus_dir / "rgb16.png")  # the 16-bit path opens the file twice
    np.testing.assert_array_equal(image, corpus.RANDOM_RGB)
    assert image16.shape == (16, 12, 3)
    assert Image.MAX_IMAGE_PIXELS == 1000


@pytest.mark.parametrize("max_pixels", [0, -5, 1.5, "many", True])
def test_invalid_max_pixels(corpus_dir, max_pixels):
    with pytest.raises(InvalidParameterError, match="max_pixels"):
        colorlab.load_image(corpus_dir / "one_pixel.png", max_pixels=max_pixels)


@pytest.mark.parametrize("background", [(0, 0), (0, 0, 256), (-1, 0, 0), (0.5, 0, 0), "white", None, (True, 0, 0)])
def test_invalid_background(corpus_dir, background):
    with pytest.raises(InvalidParameterError, match="background"):
        colorlab.load_image(corpus_dir / "one_pixel.png", background=background)


# ------------------------------------------------------------------ saving


@pytest.mark.parametrize("suffix", [".png", ".PNG", ".bmp", ".tif", ".tiff", ".webp", ".ppm"])
def test_lossless_formats_round_trip(tmp_path, suffix):
    path = colorlab.save_image(tmp_path / f"out{suffix}", corpus.RANDOM_RGB)
    assert path == tmp_path / f"out{suffix}"
    np.testing.assert_array_equal(colorlab.load_image(path), corpus.RANDOM_RGB)


@pytest.mark.parametrize("suffix", [".jpg", ".jpeg"])
def test_jpeg_is_written_at_quality_95(tmp_path, suffix):
    photo = colorlab.load_image("coffee")
    path = colorlab.save_image(tmp_path / f"out{suffix}", photo)
    with Image.open(path) as written:
        assert written.format == "JPEG"
        reference = tmp_path / "q95.jpg"
        Image.fromarray(photo).save(reference, quality=95)
        assert path.stat().st_size == reference.stat().st_size


def test_unknown_suffix_lists_the_supported_ones(tmp_path):
    with pytest.raises(ImageFileError) as info:
        colorlab.save_image(tmp_path / "out.xyz", corpus.RANDOM_RGB)
    assert ".xyz" in str(info.value) and ".png" in str(info.value) and ".jpg" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_saving_a_non_image_is_refused(tmp_path):
    with pytest.raises(InvalidImageError, match="to_rgb8"):
        colorlab.save_image(tmp_path / "out.png", np.zeros((4, 4), np.uint8))


def test_missing_output_folder(tmp_path):
    with pytest.raises(ImageFileError, match="does not exist"):
        colorlab.save_image(tmp_path / "no" / "out.png", corpus.RANDOM_RGB)


def test_existing_file_survives_a_failing_encoder(tmp_path, monkeypatch):
    path = tmp_path / "keep.png"
    path.write_bytes(b"precious")

    def broken_save(self, fp, format=None, **params):
        Path(fp).write_bytes(b"half a PNG")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(ImageFileError, match="disk is full"):
        colorlab.save_image(path, corpus.RANDOM_RGB)
    assert path.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]  # no temporary file left


@given(arrays(np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12), st.just(3))))
def test_png_round_trip_is_lossless(image):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = colorlab.save_image(Path(folder) / "round.png", image)
        np.testing.assert_array_equal(colorlab.load_image(path), image)


# ------------------------------------------------------------------ arrays


def test_as_image_returns_valid_images_and_views_unchanged():
    image = np.zeros((4, 6, 3), np.uint8)
    assert io_arrays.as_image(image) is image
    view = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)[::2, ::-3]
    assert io_arrays.as_image(view) is view


@pytest.mark.parametrize(
    ("array", "phrase"),
    [
        (np.zeros((4, 6), np.uint8), "grayscale"),
        (np.zeros((4, 6, 4), np.uint8), "RGBA"),
        (np.zeros((4, 6, 2), np.uint8), "gray + alpha"),
        (np.zeros((4, 6, 1), np.uint8), "grayscale"),
        (np.zeros((10, 3), np.uint8), "list of pixels"),
        (np.zeros((4, 6, 3), np.float64), "to_rgb8"),
        (np.zeros((4, 6, 3), np.uint16), "to_rgb8"),
        (np.zeros((4, 6, 3), np.int64), "to_rgb8"),
        (np.zeros((0, 6, 3), np.uint8), "no pixels"),
        (np.zeros((2, 2, 2, 3), np.uint8), "(H, W, 3)"),
        ([[1, 2], [3]], "not an array of numbers"),
    ],
)
def test_as_image_refuses_with_advice(array, phrase):
    with pytest.raises(InvalidImageError, match=None) as info:
        io_arrays.as_image(array, name="photo")
    assert phrase in str(info.value) and "photo" in str(info.value)


@pytest.mark.parametrize("shape", [(5, 7, 3), (35, 3)])
def test_as_pixels_flattens(shape):
    array = np.arange(np.prod(shape), dtype=np.uint64).astype(np.uint8).reshape(shape)
    pixels = io_arrays.as_pixels(array)
    assert pixels.shape == (35, 3)
    np.testing.assert_array_equal(pixels, array.reshape(-1, 3))


def test_as_pixels_accepts_non_contiguous_views():
    image = np.arange(6 * 8 * 3, dtype=np.uint8).reshape(6, 8, 3)
    view = image[::2, 1::3]
    np.testing.assert_array_equal(io_arrays.as_pixels(view), view.reshape(-1, 3))


@pytest.mark.parametrize("array", [np.zeros((5, 4), np.uint8), np.zeros((0, 3), np.uint8), np.zeros((5, 3), np.float32)])
def test_as_pixels_refuses(array):
    with pytest.raises(InvalidImageError):
        io_arrays.as_pixels(array)


TO_RGB8_CASES = [
    # (input, expected output)
    (np.array([[0, 128, 255, 3]], np.uint8), [[[0] * 3, [128] * 3, [255] * 3, [3] * 3]]),
    (np.array([[[7], [9]]], np.uint8), [[[7] * 3, [9] * 3]]),
    (np.array([[0, 128, 65535, 32896]], np.uint16), [[[0] * 3, [0] * 3, [255] * 3, [128] * 3]]),
    (np.array([[True, False]]), [[[255] * 3, [0] * 3]]),
    (np.array([[0.0, 0.5, 1.0, 0.2]], np.float32), [[[0] * 3, [128] * 3, [255] * 3, [51] * 3]]),
    (np.array([[[1.0, 0.0, 0.5]]], np.float64), [[[255, 0, 128]]]),
    (np.array([[10, 20, 30], [40, 50, 60]], np.uint8), [[10, 20, 30], [40, 50, 60]]),  # (N, 3) pixels
    (np.array([[0.0, 1.0, 0.5]], np.float64), [[0, 255, 128]]),  # (N, 3) float pixels
    (np.array([[[100, 0], [100, 255], [100, 51]]], np.uint8), [[[255] * 3, [100] * 3, [224] * 3]]),  # gray+alpha
    (np.array([[[10, 20, 30, 0], [10, 20, 30, 255]]], np.uint8), [[[255] * 3, [10, 20, 30]]]),  # RGBA
    (np.array([[[65535, 0, 0, 32768]]], np.uint16), [[[255, 127, 127]]]),
    (np.array([[[1.0, 0.0, 0.0, 0.5]]], np.float32), [[[255, 128, 128]]]),
]


@pytest.mark.parametrize(("array", "expected"), TO_RGB8_CASES, ids=lambda v: getattr(v, "dtype", None) and f"{v.dtype}{v.shape}")
def test_to_rgb8_rules(array, expected):
    out = colorlab.to_rgb8(array)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, np.array(expected, np.uint8))


def test_to_rgb8_background_and_copy():
    rgba = np.array([[[10, 20, 30, 0]]], np.uint8)
    np.testing.assert_array_equal(colorlab.to_rgb8(rgba, background=(1, 2, 3)), [[[1, 2, 3]]])
    rgb = np.zeros((2, 2, 3), np.uint8)
    assert not np.shares_memory(colorlab.to_rgb8(rgb), rgb)


@pytest.mark.parametrize(
    ("array", "phrase"),
    [
        (np.array([[0.0, 255.0]]), "divide it by 255"),
        (np.array([[0.0, 1.5]]), "divide it by 255"),
        (np.array([[-0.1, 0.5]]), "within 0..1"),
        (np.array([[np.nan, 0.5]]), "NaN"),
        (np.array([[np.inf, 0.5]]), "NaN or infinite"),
        (np.array([[1, 2]], np.int64), "astype(np.uint8)"),
        (np.array([[1, 2]], np.int16), "astype(np.uint8)"),
        (np.zeros((0, 4), np.uint8), "no pixels"),
        (np.zeros((2, 2, 5), np.uint8), "(H, W, 4)"),
        (np.zeros((2,), np.uint8), "(H, W)"),
    ],
)
def test_to_rgb8_refuses_instead_of_guessing(array, phrase):
    with pytest.raises(InvalidImageError) as info:
        colorlab.to_rgb8(array)
    assert phrase in str(info.value)


@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5), st.just(1)), elements=st.floats(0, 1)))
def test_to_rgb8_float_matches_rounded_scaling(gray):
    out = colorlab.to_rgb8(gray)
    assert out.shape == gray.shape[:2] + (3,)
    np.testing.assert_array_equal(out, np.repeat(np.floor(gray * 255 + 0.5).astype(np.uint8), 3, axis=-1))


def test_to_rgb8_two_dimensional_with_three_columns_means_pixels():
    # documented rule: (N, 3) is a list of pixels; a gray image 3 wide must be (H, 3, 1)
    assert colorlab.to_rgb8(np.zeros((5, 3), np.uint8)).shape == (5, 3)
    assert colorlab.to_rgb8(np.zeros((5, 3, 1), np.uint8)).shape == (5, 3, 3)


@given(arrays(np.uint16, st.tuples(st.integers(1, 5), st.integers(1, 5), st.just(4))))
def test_to_rgb8_uint16_alpha_matches_float_compositing(rgba):
    expected = composite(rgba[..., :3], rgba[..., 3:], 65535)
    np.testing.assert_array_equal(colorlab.to_rgb8(rgba), expected)


# -- indexed images (save_image(..., palette=)) ---------------------------------------------------


def _quantized_photo(k):
    image = colorlab.load_image("rocket")[:120, :160]
    palette = colorlab.fit_palette(image, k, seed=0)
    return colorlab.quantize(image, palette), palette


@pytest.mark.parametrize("k, bits", [(2, 1), (4, 2), (5, 4), (16, 4), (17, 8), (64, 8)])
def test_indexed_png_is_lossless_with_the_smallest_bit_depth(tmp_path, k, bits):
    quantized, palette = _quantized_photo(k)
    path = colorlab.save_image(tmp_path / "q.png", quantized, palette=palette)
    header = path.read_bytes()[:26]
    assert header[12:16] == b"IHDR" and header[24] == bits and header[25] == 3  # bit depth, color type 3 = indexed
    with Image.open(path) as saved:
        stored = np.array(saved.getpalette()[: 3 * len(palette)], np.uint8).reshape(-1, 3)
    assert set(map(tuple, stored)) == set(map(tuple, palette.colors))
    assert np.array_equal(colorlab.load_image(path), quantized)


def test_indexed_gif_is_lossless(tmp_path):
    quantized, palette = _quantized_photo(8)
    path = colorlab.save_image(tmp_path / "q.gif", quantized, palette=palette)
    with Image.open(path) as saved:
        assert saved.mode == "P"
    assert np.array_equal(colorlab.load_image(path), quantized)


def test_indexed_png_is_smaller_than_rgb_png(tmp_path):
    quantized, palette = _quantized_photo(6)
    rgb = colorlab.save_image(tmp_path / "rgb.png", quantized)
    indexed = colorlab.save_image(tmp_path / "indexed.png", quantized, palette=palette)
    assert indexed.stat().st_size < rgb.stat().st_size


def test_indexed_save_refuses_more_than_256_colors(tmp_path):
    colors = np.stack(np.meshgrid(np.arange(0, 256, 36), np.arange(0, 256, 36), np.arange(0, 256, 51)), -1)
    colors = colors.reshape(-1, 3).astype(np.uint8)
    assert len(colors) > 256
    palette = colorlab.Palette(colors, counts=np.ones(len(colors), np.int64))
    image = colors[None, :, :]
    with pytest.raises(colorlab.InvalidParameterError, match=r"at most 256 colors, but the palette has 384"):
        colorlab.save_image(tmp_path / "big.png", image, palette=palette)
    assert not list(tmp_path.iterdir())


def test_indexed_save_refuses_colors_outside_the_palette(tmp_path):
    quantized, palette = _quantized_photo(4)
    original = colorlab.load_image("rocket")[:120, :160]
    with pytest.raises(colorlab.InvalidParameterError, match=r"quantize it first"):
        colorlab.save_image(tmp_path / "q.png", original, palette=palette)


def test_indexed_save_refuses_formats_without_palette(tmp_path):
    quantized, palette = _quantized_photo(4)
    with pytest.raises(colorlab.InvalidParameterError, match=r"only \.png and \.gif"):
        colorlab.save_image(tmp_path / "q.jpg", quantized, palette=palette)


def test_gif_without_palette_is_refused_not_silently_reduced(tmp_path):
    image = colorlab.load_image("rocket")[:40, :40]
    with pytest.raises(colorlab.InvalidParameterError, match=r"at most 256 colors; quantize the image"):
        colorlab.save_image(tmp_path / "photo.gif", image)


# -- transparency kept: load_image_alpha and colorlab.save_image(alpha=) ------------------------------------


def _logo_rgba() -> np.ndarray:
    rgba = np.zeros((12, 16, 4), np.uint8)
    rgba[..., :3] = (0, 255, 0)
    rgba[2:10, 2:14] = (200, 30, 30, 255)
    rgba[4:8, 5:9, 3] = 100  # half transparent: below the default threshold of 128
    return rgba


def test_load_image_alpha_returns_colors_and_alpha_uncomposited(tmp_path):
    from colorlab.io.images import load_image_alpha

    Image.fromarray(_logo_rgba(), "RGBA").save(tmp_path / "logo.png")
    image, alpha = load_image_alpha(tmp_path / "logo.png")
    assert np.array_equal(image, _logo_rgba()[..., :3]) and np.array_equal(alpha, _logo_rgba()[..., 3])
    opaque, full = load_image_alpha(colorlab.sample_path("coffee"))
    assert np.array_equal(opaque, colorlab.load_image("coffee")) and full.min() == 255


def test_load_image_alpha_of_a_transparent_palette_entry(tmp_path):
    from colorlab.io.images import load_image_alpha

    picture = Image.fromarray(np.array([[0, 1, 1]], np.uint8), "P")
    picture.putpalette([10, 20, 30, 40, 50, 60])
    picture.save(tmp_path / "p.png", transparency=0)
    image, alpha = load_image_alpha(tmp_path / "p.png")
    assert image.tolist() == [[[10, 20, 30], [40, 50, 60], [40, 50, 60]]] and alpha.tolist() == [[0, 255, 255]]


@pytest.mark.parametrize("suffix", [".png", ".gif"])
def test_save_indexed_with_alpha_adds_one_transparent_entry(tmp_path, suffix):
    from colorlab.io.images import load_image_alpha

    rgba = _logo_rgba()
    palette = colorlab.Palette([[200, 30, 30], [0, 255, 0]], counts=[2, 1])
    quantized = colorlab.quantize(rgba[..., :3].copy(), palette)
    colorlab.save_image(tmp_path / f"out{suffix}", quantized, palette=palette, alpha=rgba[..., 3])
    with Image.open(tmp_path / f"out{suffix}") as written:
        assert written.mode == "P" and len(written.getpalette()) // 3 >= 3
    image, alpha = load_image_alpha(tmp_path / f"out{suffix}")
    visible = rgba[..., 3] >= 128
    assert np.array_equal(alpha, np.where(visible, 255, 0))
    assert np.array_equal(image[visible], quantized[visible])


def test_save_rgba_keeps_alpha_exactly(tmp_path):
    from colorlab.io.images import load_image_alpha

    rgba = _logo_rgba()
    for suffix in (".png", ".tif", ".webp"):
        colorlab.save_image(tmp_path / f"out{suffix}", rgba[..., :3].copy(), alpha=rgba[..., 3])
        image, alpha = load_image_alpha(tmp_path / f"out{suffix}")
        assert np.array_equal(alpha, rgba[..., 3]), suffix
        assert np.array_equal(image[alpha > 0], rgba[..., :3][alpha > 0]), suffix


@pytest.mark.parametrize("kwargs, match", [
    (dict(alpha=np.zeros((3, 3), np.uint8)), r"alpha must be an \(H, W\) uint8"),
    (dict(alpha=np.zeros((12, 16), np.float32)), r"alpha must be an \(H, W\) uint8"),
    (dict(alpha=np.zeros((12, 16), np.uint8), threshold=0), r"threshold must be a whole number from 1 to 255"),
])
def test_save_bad_alpha(tmp_path, kwargs, match):
    palette = colorlab.Palette([[0, 255, 0]], counts=[1])
    image = np.zeros((12, 16, 3), np.uint8)
    image[...] = (0, 255, 0)
    with pytest.raises(colorlab.InvalidParameterError, match=match):
        colorlab.save_image(tmp_path / "out.png", image, palette=palette, **kwargs)
    assert not (tmp_path / "out.png").exists()


def test_save_alpha_to_jpeg_is_refused(tmp_path):
    with pytest.raises(colorlab.InvalidParameterError, match=r"a \.jpg file holds none"):
        colorlab.save_image(tmp_path / "out.jpg", np.zeros((2, 2, 3), np.uint8), alpha=np.zeros((2, 2), np.uint8))
    assert not (tmp_path / "out.jpg").exists()


def test_save_256_colors_with_transparency_is_refused(tmp_path):
    values = np.arange(256, dtype=np.uint8)
    palette = colorlab.Palette(np.stack([values, values, values], axis=1), counts=np.ones(256, np.int64))
    image = np.repeat(values[None, :, None], 3, axis=2)
    alpha = np.full((1, 256), 255, np.uint8)
    alpha[0, 0] = 0
    with pytest.raises(colorlab.InvalidParameterError, match="at most 255 colors"):
        colorlab.save_image(tmp_path / "out.png", image, palette=palette, alpha=alpha)


# -- decoding without extra copies: the same pixels as Pillow's own paths -------------------


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_on_the_array_matches_pillows_transpose(orientation):
    rng = np.random.default_rng(orientation)
    image = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    plane = image[..., 0].copy()
    method = images._ORIENTATION.get(orientation)
    for array in (image, plane):
        expected = array if method is None else np.asarray(Image.fromarray(array).transpose(Image.Transpose[method]))
        oriented = images._orient(array, orientation)
        assert np.array_equal(oriented, expected)
        assert oriented.flags.c_contiguous and (method is None or oriented.flags.writeable)


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA"])
def test_pixels_copied_in_strips_are_pillows(mode, monkeypatch):
    rng = np.random.default_rng(0)
    picture = Image.fromarray(rng.integers(0, 256, (37, 11, 4), dtype=np.uint8), "RGBA").convert(mode)
    monkeypatch.setattr(images, "_STRIP_BYTES", 50)  # a few rows a strip, the last one shorter
    array = images._array(picture)
    assert np.array_equal(array, np.asarray(picture)) and array.flags.writeable and array.flags.owndata


def test_loaded_photo_is_a_fresh_array_of_its_own(tmp_path):
    first, second = colorlab.load_image("coffee"), colorlab.load_image("coffee")
    assert first.flags.owndata and first.flags.writeable and not np.shares_memory(first, second)
    first[...] = 0
    assert second.any()
