"""What people bring: transparent logos, pixels to ignore, colors that must stay, a palette to reuse,
k chosen by quality; through the library and the command line, with images made here."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

import colorlab
from colorlab import Palette
from colorlab.selection.smallest import NoKReachesError, smallest_k
from colorlab.redraw.masks import ignore_mask
from colorlab.errors import InvalidParameterError
from colorlab.io.images import load_image_alpha
from cli_support import run_cli as run

LOGO_COLORS = {(200, 30, 30), (20, 40, 120), (250, 200, 0)}
PRODUCT_COLORS = {(30, 90, 160), (220, 120, 40)}


def make_logo() -> np.ndarray:
    """A 40 x 60 RGBA logo: three flat colors on a transparent background whose hidden color is green."""
    rgba = np.zeros((40, 60, 4), np.uint8)
    rgba[..., :3] = (0, 255, 0)  # what a transparent pixel stores: must never reach the palette
    rgba[5:35, 5:25] = (200, 30, 30, 255)
    rgba[10:30, 30:55] = (20, 40, 120, 255)
    rgba[15:25, 36:49] = (250, 200, 0, 255)
    rgba[0:3, 0:60, 3] = 60  # a faint shadow line: alpha below 128, left out
    return rgba


@pytest.fixture
def logo(tmp_path):
    path = tmp_path / "logo.png"
    Image.fromarray(make_logo(), "RGBA").save(path)
    return path


def make_product() -> np.ndarray:
    """A product of two colors on a white backdrop that is not quite uniform (250..255)."""
    rng = np.random.default_rng(7)
    image = (255 - rng.integers(0, 6, (48, 64, 1))).repeat(3, axis=2).astype(np.uint8)
    image[10:40, 12:30] = (30, 90, 160)
    image[20:44, 34:56] = (220, 120, 40)
    return image


@pytest.fixture
def product(tmp_path):
    return colorlab.save_image(tmp_path / "product.png", make_product())


def bad(capsys, *args, mentions=""):
    status, out, err = run(capsys, *args)
    assert status == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert mentions.lower() in lines[0].lower(), lines[0]
    return lines[0]


def colors_of(image: np.ndarray) -> set:
    return {tuple(c) for c in image.reshape(-1, 3).tolist()}


# -- transparency kept ------------------------------------------------------------------------------


def test_library_logo_palette_has_the_logo_colors_only(logo):
    image, alpha = load_image_alpha(logo)
    assert alpha[0, 0] == 60 and alpha[20, 10] == 255 and alpha[39, 0] == 0
    palette = colorlab.fit_palette(image, 3, mask=alpha >= 128)
    assert set(palette) == LOGO_COLORS
    assert palette.counts.sum() == (alpha >= 128).sum()


def test_cli_logo_palette_gives_the_logo_colors_not_the_background(logo, capsys):
    status, out, err = run(capsys, "palette", logo, "-k", 3)
    assert status == 0 and err == ""
    assert {tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)) for h in out.split()} == LOGO_COLORS


@pytest.mark.parametrize("name, extra, mode", [
    ("out.png", ["--alpha-threshold", "128"], "P"), ("out.gif", [], "P"), ("out.png", ["--rgb"], "RGBA"), ("out.webp", [], "RGBA"),
    ("out.tif", [], "RGBA")])
def test_cli_quantize_keeps_the_transparent_pixels_transparent(logo, tmp_path, capsys, name, extra, mode):
    status, _, err = run(capsys, "quantize", logo, "-k", 3, "-o", tmp_path / name, *extra)
    assert status == 0, err
    with Image.open(tmp_path / name) as written:
        assert written.mode == mode
    image, alpha = load_image_alpha(tmp_path / name)
    source = make_logo()
    visible = source[..., 3] >= 128
    assert (alpha[visible] == 255).all()
    if mode == "P":  # an indexed file: one transparent entry, everything below the threshold is transparent
        assert (alpha[~visible] == 0).all()
    else:  # RGBA: the alpha channel as it was
        assert np.array_equal(alpha, source[..., 3])
    assert np.array_equal(image[visible], source[..., :3][visible])  # three colors, k = 3: exact


def _indexed_rgba(path):
    with Image.open(path) as written:
        return written.mode, written.info.get("transparency"), np.asarray(written.convert("RGBA"))


def test_cli_png_keeps_half_transparent_pixels_with_entries_of_their_alpha(logo, tmp_path, capsys):
    status, _, err = run(capsys, "quantize", logo, "-k", 4, "-o", tmp_path / "out.png")
    assert status == 0 and err == "", err
    mode, transparency, written = _indexed_rgba(tmp_path / "out.png")
    source = make_logo()
    clear = source[..., 3] == 0
    # four colors (the three of the logo and the faint shadow line at alpha 60), each its own entry, and the
    # transparent entry on top of -k: exact; the tRNS chunk lists the shadow's and the transparent entry's alpha
    assert mode == "P" and isinstance(transparency, bytes) and sorted(transparency) == [0, 60]
    assert np.array_equal(written[~clear], source[~clear])
    assert (written[clear][:, 3] == 0).all()
    from colorlab.redraw.alpha import rgba_palette

    labels, table = rgba_palette(source[..., :3], source[..., 3], 5)
    assert np.array_equal(written, table[labels])  # the library's result, written as it is


@pytest.mark.parametrize("extra, note", [(["--dither", "floyd-steinberg"], "not dithered"),
                                         (["--method", "kmeans"], "--method and --space do not apply")])
def test_cli_half_transparent_png_says_what_it_leaves_out(logo, tmp_path, capsys, extra, note):
    assert run(capsys, "quantize", logo, "-k", 3, "-o", tmp_path / "plain.png")[0] == 0
    status, _, err = run(capsys, "quantize", logo, "-k", 3, "-o", tmp_path / "out.png", *extra)
    assert status == 0 and note in err and len(err.splitlines()) == 1, err
    assert np.array_equal(_indexed_rgba(tmp_path / "out.png")[2], _indexed_rgba(tmp_path / "plain.png")[2])


def test_cli_picture_all_below_the_threshold_is_kept_in_a_png_and_refused_in_a_gif(tmp_path, capsys):
    faint = np.zeros((6, 8, 4), np.uint8)
    faint[..., :3] = (50, 0, 0)
    faint[..., 3] = 100  # every pixel half-transparent, below the threshold of 128
    faint[:, :4, :3] = (0, 0, 90)
    Image.fromarray(faint, "RGBA").save(tmp_path / "faint.png")
    status, _, err = run(capsys, "quantize", tmp_path / "faint.png", "-k", 2, "-o", tmp_path / "out.png")
    assert status == 0 and err == "", err
    assert np.array_equal(_indexed_rgba(tmp_path / "out.png")[2], faint)
    status, _, err = run(capsys, "quantize", tmp_path / "faint.png", "-k", 2, "-o", tmp_path / "out.gif")
    assert status == 2 and "no pixel" in err and "--alpha-threshold" in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "out.gif").exists()


def test_cli_options_that_cut_alpha_say_so(logo, tmp_path, capsys):
    palette = tmp_path / "brand.hex"
    palette.write_text("#c81e1e\n#142878\n#fac800\n")
    status, _, err = run(capsys, "quantize", logo, "--palette", palette, "-o", tmp_path / "out.png")
    assert status == 0 and "with --palette they become opaque or transparent at alpha 128" in err, err
    alphas = np.unique(_indexed_rgba(tmp_path / "out.png")[2][..., 3])
    assert alphas.tolist() == [0, 255]


def test_cli_background_composites_as_before(logo, tmp_path, capsys):
    status, out, _ = run(capsys, "palette", logo, "-k", 4, "--background", "#ffffff")
    assert status == 0
    colors = [tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)) for h in out.split()]
    assert any(min(c) >= 240 for c in colors)  # the white background (and the faint shadow on it) takes a color
    status, _, err = run(capsys, "quantize", logo, "-k", 4, "--background", "#ffffff", "-o", tmp_path / "flat.png")
    assert status == 0, err
    assert load_image_alpha(tmp_path / "flat.png")[1].min() == 255


def test_cli_transparent_input_to_jpeg_is_refused_before_work(logo, tmp_path, capsys):
    bad(capsys, "quantize", logo, "-k", 3, "-o", tmp_path / "out.jpg", mentions="--background")
    assert not (tmp_path / "out.jpg").exists()


def _many_colors_logo() -> np.ndarray:
    """A 64 x 96 RGBA logo with over 3,000 colors (a gradient) on a transparent background."""
    y, x = np.mgrid[0:64, 0:96]
    rgba = np.zeros((64, 96, 4), np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = x * 255 // 95, y * 255 // 63, (x * y) % 256
    rgba[..., 3] = np.where((x - 48) ** 2 + (y - 32) ** 2 < 30 ** 2, 255, 0)
    return rgba


@pytest.mark.parametrize("name", ["out.png", "out.gif"])
def test_cli_k256_with_transparency_fits_255_colors_and_the_transparent_entry(tmp_path, capsys, name):
    # as pngquant's 256 counts the transparent entry: -k 256 is what a web developer types
    path = tmp_path / "logo.png"
    Image.fromarray(_many_colors_logo(), "RGBA").save(path)
    status, _, err = run(capsys, "quantize", path, "-k", 256, "-o", tmp_path / name)
    assert status == 0, err
    assert err.startswith("note: ") and "255 colors and the transparent entry" in err and len(err.splitlines()) == 1
    image, alpha = load_image_alpha(tmp_path / name)
    visible = _many_colors_logo()[..., 3] == 255
    assert (alpha[visible] == 255).all() and (alpha[~visible] == 0).all()
    assert len(colors_of(image[visible])) == 255
    with Image.open(tmp_path / name) as written:
        assert written.mode == "P" and len(written.getpalette()) // 3 <= 256


def test_cli_k256_without_transparent_pixels_keeps_256_colors(tmp_path, capsys):
    rgba = _many_colors_logo()
    rgba[..., 3] = 255
    path = tmp_path / "opaque.png"
    Image.fromarray(rgba, "RGBA").save(path)
    status, _, err = run(capsys, "quantize", path, "-k", 256, "-o", tmp_path / "out.png")
    assert status == 0 and err == ""
    assert len(colors_of(colorlab.load_image(tmp_path / "out.png"))) == 256


def test_cli_transparent_gif_animation_at_k256_fits_255_colors(tmp_path, capsys):
    rng = np.random.default_rng(3)
    frames = []
    for _ in range(3):
        rgba = rng.integers(0, 256, (40, 50, 4), dtype=np.uint8)
        rgba[..., 3] = np.where(rgba[..., 3] > 40, 255, 0)
        frames.append(Image.fromarray(rgba, "RGBA"))
    path = tmp_path / "clip.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0, disposal=2)
    status, _, err = run(capsys, "quantize", path, "-k", 256, "-o", tmp_path / "out.gif")
    assert status == 0, err
    assert "255 colors and the transparent entry" in err


def test_cli_a_256_color_palette_file_with_transparency_is_refused_before_work(tmp_path, capsys):
    path = tmp_path / "logo.png"
    Image.fromarray(_many_colors_logo(), "RGBA").save(path)
    status, _, err = run(capsys, "palette", path, "-k", 256, "-o", tmp_path / "full.gpl")
    assert status == 0, err
    line = bad(capsys, "quantize", path, "--palette", tmp_path / "full.gpl", "-o", tmp_path / "out.png",
               mentions="has 256 colors")
    assert "at most 255" in line and "--rgb" in line
    assert not (tmp_path / "out.png").exists()


# -- pixels to ignore -------------------------------------------------------------------------------


def test_library_mask_leaves_the_backdrop_out_and_redraws_it_with_the_nearest(product):
    image = colorlab.load_image(product)
    mask = ignore_mask(image, "#ffffff", tolerance=8)
    assert not mask[0, 0] and mask[20, 20]
    palette = colorlab.fit_palette(image, 2, mask=mask)
    assert set(palette) == PRODUCT_COLORS
    unmasked = colorlab.fit_palette(image, 2)
    assert (255, 255, 255) in {tuple(int(v) // 8 * 8 + 7 if v > 240 else v for v in c) for c in unmasked} or \
        set(unmasked) != PRODUCT_COLORS  # without the mask the backdrop takes a color
    quantized = colorlab.quantize(colorlab.color_histogram(image, mask=mask), palette)
    assert colors_of(quantized) <= PRODUCT_COLORS  # ignored pixels take their nearest palette color
    assert np.array_equal(quantized, colorlab.quantize(image, palette))


def test_masked_histogram_metrics_are_those_of_the_counted_pixels(small_photo):
    mask = np.zeros(small_photo.shape[:2], bool)
    mask[10:40, 20:70] = True
    histogram = colorlab.color_histogram(small_photo, mask=mask)
    assert histogram.n_pixels == mask.sum() and len(histogram.codes) == mask.size
    palette = colorlab.fit_palette(histogram, 5)
    inside = small_photo[mask]
    assert palette == colorlab.fit_palette(inside, 5)  # the same fit as on the counted pixels alone
    expected = colorlab.metrics.mse(inside, colorlab.quantize(inside, palette))
    assert colorlab.metrics.mse(histogram, palette) == expected


@pytest.mark.parametrize("mask, match", [
    (np.ones((47, 64), bool), r"the mask is 47 x 64 but the image is 48 x 64"),
    (np.ones((48, 64), np.uint8), r"True \(counted\) and False"),
    (np.zeros((48, 64), bool), r"counts no pixel"),
    ("everything", r"True \(counted\) and False"),
])
def test_library_bad_masks(mask, match):
    with pytest.raises(InvalidParameterError, match=match):
        colorlab.fit_palette(make_product(), 2, mask=mask)


def test_cli_ignore_and_mask_file(product, tmp_path, capsys):
    status, out, err = run(capsys, "palette", product, "-k", 2, "--ignore", "#fff", "--tolerance", 8)
    assert status == 0, err
    assert set(out.split()) == {"#1e5aa0", "#dc7828"}
    mask = np.where(ignore_mask(make_product(), "#ffffff", 8), 255, 0).astype(np.uint8)
    colorlab.save_image(tmp_path / "mask.png", np.repeat(mask[..., None], 3, axis=2))
    status, out, err = run(capsys, "palette", product, "-k", 2, "--mask", tmp_path / "mask.png")
    assert status == 0 and set(out.split()) == {"#1e5aa0", "#dc7828"}, err
    status, _, err = run(capsys, "quantize", product, "-k", 2, "--ignore", "255,255,255", "--tolerance", 8,
                         "-o", tmp_path / "out.png")
    assert status == 0 and colors_of(colorlab.load_image(tmp_path / "out.png")) == PRODUCT_COLORS, err


@pytest.mark.parametrize("args, mentions", [
    (["--tolerance", "300", "--ignore", "#fff"], "--tolerance must be a whole number from 0 to 255"),
    (["--tolerance", "-1", "--ignore", "#fff"], "--tolerance must be"),
    (["--ignore", "offwhite"], "'offwhite' is not a color"),
    (["--ignore", "#fff", "--tolerance", "255"], "no pixel of"),
])
def test_cli_bad_ignore(product, tmp_path, capsys, args, mentions):
    bad(capsys, "quantize", product, "-k", 2, *args, "-o", tmp_path / "out.png", mentions=mentions)
    assert not (tmp_path / "out.png").exists()


def test_cli_tolerance_needs_ignore(product, tmp_path, capsys):
    bad(capsys, "palette", product, "-k", 2, "--tolerance", 8, mentions="add --ignore COLOR")


@settings(max_examples=40)
@given(image=arrays(np.uint8, st.tuples(st.integers(1, 6), st.integers(1, 6), st.just(3)), elements=st.integers(0, 3)),
       data=st.data())
def test_masked_histogram_counts_exactly_the_masked_pixels(image, data):
    mask = data.draw(arrays(np.bool_, image.shape[:2]).filter(lambda m: m.any()))
    histogram = colorlab.color_histogram(image, mask=mask)
    full = colorlab.color_histogram(image)
    assert np.array_equal(histogram.colors, full.colors) and np.array_equal(histogram.codes, full.codes)
    assert np.array_equal(histogram.image(), image)  # still redraws every pixel
    inside = colorlab.color_histogram(image[mask])
    counted = dict(zip(map(tuple, inside.colors.tolist()), inside.counts.tolist()))
    assert histogram.counts.tolist() == [counted.get(tuple(c), 0) for c in histogram.colors.tolist()]
    assert histogram.n_pixels == int(mask.sum())
    assert np.array_equal(histogram.counted().colors, inside.colors)
    assert np.array_equal(histogram.counted().counts, inside.counts)


def test_cli_mask_of_another_size(product, tmp_path, capsys):
    colorlab.save_image(tmp_path / "mask.png", np.full((10, 10, 3), 255, np.uint8))
    line = bad(capsys, "quantize", product, "-k", 2, "--mask", tmp_path / "mask.png", "-o", tmp_path / "out.png",
               mentions="is 10 x 10 but")
    assert "mask.png" in line and "48 x 64" in line
    assert not (tmp_path / "out.png").exists()


# -- colors that must stay --------------------------------------------------------------------------


def test_library_fixed_colors_are_kept_and_the_others_fitted_around_them(small_photo):
    palette = colorlab.fit_palette(small_photo, 6, fixed=["#000000", "#ffffff"])
    assert len(palette) == 6 and {(0, 0, 0), (255, 255, 255)} <= set(palette)
    assert palette.params["fixed"] == ["#000000", "#ffffff"]
    # a locked k-means fixed point: every free color is (to rounding) the mean of the pixels nearest to it
    pixels = small_photo.reshape(-1, 3)
    labels = colorlab.quantize(pixels, palette, return_labels=True)[1]
    for index, color in enumerate(palette.colors):
        if tuple(color) in {(0, 0, 0), (255, 255, 255)}:
            continue
        mean = pixels[labels == index].mean(axis=0)
        assert np.abs(mean - color).max() <= 0.5 + 1e-9, (color, mean)
    assert palette.counts.tolist() == np.bincount(labels, minlength=6).tolist()


def test_fixed_colors_use_k_and_seed(small_photo):
    a = colorlab.fit_palette(small_photo, 4, fixed=[(255, 0, 0)], seed=1)
    assert a == colorlab.fit_palette(small_photo, 4, fixed=["#ff0000"], seed=1)
    assert (255, 0, 0) in set(a) and len(a) == 4
    assert set(colorlab.fit_palette(small_photo, 2, fixed=["#ff0000", "#00ff00"])) == {(255, 0, 0), (0, 255, 0)}


@pytest.mark.parametrize("kwargs, match", [
    (dict(fixed=["reddish"]), r"fixed color 'reddish' is not a color"),
    (dict(fixed=[(1, 2, 300)]), r"is not a color"),
    (dict(fixed=["#000", "#fff", "#f00", "#0f0"]), r"4 fixed colors do not fit in k = 3"),
    (dict(fixed=["#000", "#000000"]), r"listed twice"),
    (dict(fixed=["#000"], method="median-cut"), r"method 'kmeans' only"),
])
def test_library_bad_fixed(small_photo, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        colorlab.fit_palette(small_photo, 3, **kwargs)


def test_cli_fixed(photo_file, tmp_path, capsys):
    status, out, err = run(capsys, "palette", photo_file, "-k", 4, "--fixed", "#000000,#ffffff")
    assert status == 0 and {"#000000", "#ffffff"} <= set(out.split()) and len(out.split()) == 4, err
    bad(capsys, "palette", photo_file, "-k", 1, "--fixed", "#000,#fff", mentions="2 --fixed colors do not fit in -k 1")
    bad(capsys, "palette", photo_file, "-k", 3, "--fixed", "ink", mentions="'ink' is not a color")


@pytest.fixture
def photo_file(tmp_path, small_photo):
    return colorlab.save_image(tmp_path / "photo.png", small_photo)


# -- a palette to reuse -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["gpl", "json", "hex", "css", "ase", "pal", "png", "svg"])
@pytest.mark.parametrize("dither", ["none", "floyd-steinberg"])
def test_cli_quantize_with_a_palette_file_uses_exactly_its_colors(photo_file, tmp_path, capsys, fmt, dither):
    palette = Palette([[10, 10, 10], [240, 240, 230], [200, 60, 40], [60, 120, 200]], counts=[4, 3, 2, 1])
    palette.save(tmp_path / f"brand.{fmt}")
    status, _, err = run(capsys, "quantize", photo_file, "--palette", tmp_path / f"brand.{fmt}", "--dither", dither,
                         "-o", tmp_path / "out.png")
    assert status == 0, err
    written = colorlab.load_image(tmp_path / "out.png")
    assert colors_of(written) <= set(palette)
    if dither == "none":
        assert np.array_equal(written, colorlab.quantize(colorlab.load_image(photo_file), Palette.load(tmp_path / f"brand.{fmt}")))


@pytest.mark.parametrize("content, mentions", [(b"", "is empty"), (b"GIMP Palette\n1 2\n", "not a valid gpl palette")])
def test_cli_corrupt_or_empty_palette_file(photo_file, tmp_path, capsys, content, mentions):
    (tmp_path / "p.gpl").write_bytes(content)
    bad(capsys, "quantize", photo_file, "--palette", tmp_path / "p.gpl", "-o", tmp_path / "out.png", mentions=mentions)
    assert not (tmp_path / "out.png").exists()


def test_cli_palette_and_k_together_or_neither(photo_file, tmp_path, capsys):
    Palette([[1, 2, 3]], counts=[1]).save(tmp_path / "p.hex")
    bad(capsys, "quantize", photo_file, "-k", 3, "--palette", tmp_path / "p.hex", "-o", tmp_path / "o.png",
        mentions="not both")
    bad(capsys, "quantize", photo_file, "-o", tmp_path / "o.png", mentions="number of colors is missing")


@pytest.mark.parametrize("fmt", ["css", "ase", "pal", "png", "svg"])
def test_cli_palette_writes_the_new_formats(photo_file, tmp_path, capsys, fmt):
    status, _, err = run(capsys, "palette", photo_file, "-k", 3, "-o", tmp_path / f"colors.{fmt}")
    assert status == 0, err
    assert Palette.load(tmp_path / f"colors.{fmt}").colors.tolist() == \
        colorlab.fit_palette(colorlab.load_image(photo_file), 3).colors.tolist() or fmt in ("ase", "pal")


def test_cli_binary_format_to_stdout_is_refused(photo_file, capsys):
    bad(capsys, "palette", photo_file, "-k", 3, "--format", "ase", mentions="-o FILE.ase")


# -- k chosen by quality ----------------------------------------------------------------------------


def test_library_smallest_k_reaches_the_target_and_k_minus_1_does_not(small_photo):
    found = smallest_k(small_photo, min_psnr=42)
    assert found.psnr >= 42 and found.k in found.tried and found.tried[found.k - 1][0] < 42
    assert found.palette == colorlab.fit_palette(small_photo, found.k)
    quantized = colorlab.quantize(small_photo, found.palette)
    assert colorlab.metrics.psnr(small_photo, quantized) == pytest.approx(found.psnr)
    by_delta = smallest_k(small_photo, max_delta_e=1.5)
    assert by_delta.delta_e <= 1.5 and by_delta.tried[by_delta.k - 1][1] > 1.5
    assert colorlab.metrics.delta_e(small_photo, colorlab.quantize(small_photo, by_delta.palette)) == pytest.approx(by_delta.delta_e)


def test_library_smallest_k_errors(small_photo):
    with pytest.raises(InvalidParameterError, match="needs a target"):
        smallest_k(small_photo)
    with pytest.raises(NoKReachesError, match=r"no k up to 8 reaches a PSNR of 60 dB \(k = 8 gives"):
        smallest_k(small_photo, min_psnr=60, k_max=8)
    with pytest.raises(InvalidParameterError, match="max_delta_e must be a number"):
        smallest_k(small_photo, max_delta_e=float("nan"))


def test_cli_k_auto_prints_the_chosen_k(photo_file, tmp_path, capsys):
    status, _, err = run(capsys, "quantize", photo_file, "-k", "auto", "--min-psnr", 42, "-o", tmp_path / "out.png")
    assert status == 0
    expected = smallest_k(colorlab.load_image(photo_file), min_psnr=42)
    assert err.startswith(f"k = {expected.k} (PSNR ")
    assert len(colors_of(colorlab.load_image(tmp_path / "out.png"))) == expected.k
    status, out, err = run(capsys, "palette", photo_file, "-k", "auto", "--max-delta-e", 1.5)
    assert status == 0 and err.startswith("k = ") and len(out.split()) == int(err.split()[2])


@pytest.mark.parametrize("args, mentions", [
    (["-k", "auto"], "-k auto needs a target"),
    (["-k", "auto", "--min-psnr", "200"], "no k up to"),
    (["-k", "5", "--min-psnr", "30"], "use them with -k auto"),
    (["-k", "auto", "--max-delta-e", "-1"], "--max-delta-e must be"),
    (["-k", "many"], "or auto"),
])
def test_cli_bad_auto_k(photo_file, tmp_path, capsys, args, mentions):
    bad(capsys, "quantize", photo_file, *args, "-o", tmp_path / "out.png", mentions=mentions)
    assert not (tmp_path / "out.png").exists()


def test_command_line_in_a_process(logo, tmp_path):
    """The installed entry point, once, end to end: a logo to an indexed PNG with transparency."""
    result = subprocess.run([sys.executable, "-m", "colorlab", "quantize", str(logo), "-k", "3", "-o",
                             str(tmp_path / "out.png")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert load_image_alpha(tmp_path / "out.png")[1].min() == 0
