"""Animations and video (colorlab.redraw.animation and `colorlab quantize clip.gif ...`), with clips made here."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import colorlab
from colorlab.redraw.animation import (
    Animation, load_animation, quantize_animation, save_animation, video_plugin_installed,
)
from colorlab.errors import ImageFileError, ImageTooLargeError, InvalidParameterError
from cli_support import run_cli as run

DURATIONS = [100.0, 120.0, 80.0, 100.0, 200.0]


def make_frames(alpha: bool = False) -> np.ndarray:
    """5 frames of 24 x 32: a gradient backdrop and a square that moves and changes color."""
    y, x = np.mgrid[0:24, 0:32]
    frames = []
    for i in range(5):
        frame = np.stack([x // 4 * 32, y // 4 * 40, np.full_like(x, 90)], axis=-1).astype(np.uint8)  # 48 colors
        frame[4:14, 3 + 5 * i:13 + 5 * i] = (250, 40 * i, 20)
        if alpha:
            a = np.full((24, 32), 255, np.uint8)
            a[:, :4] = 0  # a transparent strip on the left
            frame = np.concatenate([frame, a[..., None]], axis=-1)
        frames.append(frame)
    return np.stack(frames)


def write_gif(path, alpha: bool = False):
    """A 5-frame GIF (or, with alpha, an RGBA APNG: path should end in .png)."""
    pictures = [Image.fromarray(f, "RGBA" if alpha else "RGB") for f in make_frames(alpha)]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=[int(d) for d in DURATIONS], loop=0)
    return path


def timeline(durations, step=20):
    """Which frame shows at each `step` ms: equal for two files that merged identical frames differently."""
    ends = np.cumsum(durations)
    return [int(np.searchsorted(ends, t, side="right")) for t in np.arange(0, ends[-1], step)]


@pytest.fixture
def gif(tmp_path):
    return write_gif(tmp_path / "clip.gif")


@pytest.fixture
def video(tmp_path):
    if not video_plugin_installed():
        pytest.skip("the pyav plugin (av) is not installed")
    import imageio.v3 as iio

    path = tmp_path / "clip.mp4"
    iio.imwrite(path, make_frames(), plugin="pyav", codec="libx264", fps=10, out_pixel_format="yuv444p")
    return path


def colors_of(frames) -> set:
    return {tuple(c) for c in np.asarray(frames).reshape(-1, 3).tolist()}


# -- library ---------------------------------------------------------------------------------------


def test_load_a_5_frame_gif_with_its_timing(gif):
    clip = load_animation(gif)
    assert clip.frames.shape == (5, 24, 32, 3) and clip.alpha is None
    assert clip.durations == DURATIONS and clip.loop == 0
    assert np.array_equal(clip.frames, make_frames())  # few colors per frame: the GIF is exact


def test_one_shared_palette_fitted_on_all_frames(gif, tmp_path):
    clip = load_animation(gif)
    result = quantize_animation(clip, 8)
    assert result.shared and all(p is result.palettes[0] for p in result.palettes)
    palette = result.palettes[0]
    assert palette == colorlab.fit_palette(clip.frames.reshape(-1, 3), 8)  # weighted by every frame's pixels
    assert colors_of(result.frames) <= set(palette)
    for suffix in (".gif", ".png", ".webp"):
        back = load_animation(save_animation(tmp_path / f"out{suffix}", result))
        assert timeline(back.durations) == timeline(DURATIONS), suffix
        assert back.loop == 0 and colors_of(back.frames) <= set(palette), suffix
        shown = [back.frames[i] for i in timeline(back.durations)]
        expected = [result.frames[i] for i in timeline(DURATIONS)]
        assert all(np.array_equal(a, b) for a, b in zip(shown, expected)), suffix


def test_per_frame_palettes(gif, tmp_path):
    clip = load_animation(gif)
    result = quantize_animation(clip, 4, per_frame=True)
    assert not result.shared and len({tuple(map(tuple, p.colors.tolist())) for p in result.palettes}) > 1
    for frame, palette, source in zip(result.frames, result.palettes, clip.frames):
        assert palette == colorlab.fit_palette(source, 4)
        assert colors_of(frame) <= set(palette)
    for suffix in (".gif", ".png"):
        back = load_animation(save_animation(tmp_path / f"out{suffix}", result))
        assert len(back) == 5 and back.durations == DURATIONS
        assert all(colors_of(f) <= set(p) for f, p in zip(back.frames, result.palettes)), suffix


def test_transparent_frames_stay_transparent(tmp_path):
    clip = load_animation(write_gif(tmp_path / "alpha.png", alpha=True))
    assert clip.alpha is not None and (clip.alpha[:, :, :4] == 0).all() and (clip.alpha[:, :, 4:] == 255).all()
    result = quantize_animation(clip, 6)
    visible = clip.frames[:, :, 4:]
    assert result.palettes[0] == colorlab.fit_palette(visible.reshape(-1, 3), 6)  # the hidden colors are not counted
    for suffix in (".gif", ".png", ".webp"):
        back = load_animation(save_animation(tmp_path / f"out{suffix}", result))
        assert back.alpha is not None and (back.alpha[:, :, :4] == 0).all() and (back.alpha[:, :, 4:] == 255).all(), suffix


def test_per_frame_palettes_of_different_sizes_keep_transparency(tmp_path):
    clip = load_animation(write_gif(tmp_path / "alpha.png", alpha=True))
    frames = clip.frames.copy()
    frames[2] = (10, 20, 30)  # a flat frame: a palette of one color among palettes of four
    result = quantize_animation(Animation(frames, clip.alpha, clip.durations, clip.loop), 4, per_frame=True)
    assert [len(p) for p in result.palettes] == [4, 4, 1, 4, 4]
    for suffix in (".gif", ".png", ".webp"):
        back = load_animation(save_animation(tmp_path / f"out{suffix}", result))
        assert len(back) == 5 and (back.alpha[:, :, :4] == 0).all() and (back.alpha[:, :, 4:] == 255).all(), suffix
        for frame, palette in zip(back.frames, result.palettes):
            assert colors_of(frame[:, 4:]) <= set(palette), suffix


def test_limit_on_frames_times_pixels(gif):
    with pytest.raises(ImageTooLargeError, match=r"5 frames of 32 x 24 = 3,840 frame pixels, more than the limit of 1,000"):
        load_animation(gif, max_frame_pixels=1000)
    assert len(load_animation(gif, max_frame_pixels=3840)) == 5


def test_a_given_palette_redraws_every_frame(gif):
    palette = colorlab.Palette([[0, 0, 0], [255, 255, 255], [250, 80, 20]], counts=[1, 1, 1])
    result = quantize_animation(load_animation(gif), palette=palette, dither="floyd-steinberg")
    assert colors_of(result.frames) <= set(palette)


@pytest.mark.parametrize("per_frame", [False, True])
def test_dither_strength_reaches_every_frame(gif, per_frame):
    clip = load_animation(gif)
    plain = quantize_animation(clip, 6, per_frame=per_frame)
    zero = quantize_animation(clip, 6, per_frame=per_frame, dither="floyd-steinberg", dither_strength=0)
    half = quantize_animation(clip, 6, per_frame=per_frame, dither="floyd-steinberg", dither_strength=0.5)
    full = quantize_animation(clip, 6, per_frame=per_frame, dither="floyd-steinberg")
    np.testing.assert_array_equal(zero.frames, plain.frames)  # strength 0 is no dithering
    for frame, palette, result in zip(clip.frames, half.palettes, half.frames):
        np.testing.assert_array_equal(result, colorlab.quantize(frame, palette, dither="floyd-steinberg", dither_strength=0.5))
    assert not np.array_equal(half.frames, full.frames) and not np.array_equal(half.frames, plain.frames)


def test_dither_strength_out_of_range_is_refused_before_the_fit(gif):
    with pytest.raises(InvalidParameterError, match="dither strength"):
        quantize_animation(load_animation(gif), 6, dither="floyd-steinberg", dither_strength=1.5)


def test_bad_animation_inputs(tmp_path, gif):
    with pytest.raises(InvalidParameterError, match="give k"):
        quantize_animation(load_animation(gif))
    result = quantize_animation(load_animation(gif), 3)
    with pytest.raises(InvalidParameterError, match=r"holds one picture; end the name with one of .gif"):
        save_animation(tmp_path / "out.jpg", result)
    (tmp_path / "broken.gif").write_bytes(b"GIF89a" + b"\0" * 20)
    with pytest.raises(ImageFileError, match="broken.gif"):
        load_animation(tmp_path / "broken.gif")


# -- video -----------------------------------------------------------------------------------------


def test_video_in_and_out(video, tmp_path):
    clip = load_animation(video)
    assert clip.frames.shape == (5, 24, 32, 3) and clip.durations == [100.0] * 5 and clip.loop is None
    result = quantize_animation(clip, 6)
    back = load_animation(save_animation(tmp_path / "out.gif", result))
    assert len(back) == 5 and colors_of(back.frames) <= set(result.palettes[0])
    encoded = load_animation(save_animation(tmp_path / "out.mp4", result))
    assert encoded.frames.shape == (5, 24, 32, 3)
    assert np.abs(encoded.frames.astype(int) - result.frames).mean() < 6  # H.264 is lossy: near, not exact


def test_cli_video_to_gif(video, tmp_path, capsys):
    status, _, err = run(capsys, "quantize", video, "-k", 6, "-o", tmp_path / "out.gif")
    assert status == 0, err
    back = load_animation(tmp_path / "out.gif")
    assert len(back) == 5 and len(colors_of(back.frames)) <= 6 and back.durations == [100.0] * 5


def test_video_without_the_plugin_is_one_clear_error(tmp_path):
    """A process in which the av package cannot be imported, as after `pip uninstall av`."""
    (tmp_path / "clip.mp4").write_bytes(b"\0\0\0\x18ftypisom" + b"\0" * 64)
    code = ("import sys; sys.modules['av'] = None; from colorlab import cli; "
            f"sys.exit(cli.main(['quantize', {str(tmp_path / 'clip.mp4')!r}, '-k', '4', '-o', {str(tmp_path / 'o.gif')!r}]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("error: reading the video") and "pip install 'colorlab[video]'" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and not (tmp_path / "o.gif").exists()


# -- command line ----------------------------------------------------------------------------------


def test_cli_gif_shared_and_per_frame(gif, tmp_path, capsys):
    status, _, err = run(capsys, "quantize", gif, "-k", 8, "-o", tmp_path / "out.gif")
    assert status == 0, err
    back = load_animation(tmp_path / "out.gif")
    assert len(colors_of(back.frames)) <= 8 and timeline(back.durations) == timeline(DURATIONS) and back.loop == 0
    status, _, err = run(capsys, "quantize", gif, "-k", 3, "--per-frame", "-o", tmp_path / "out.png")
    assert status == 0, err
    back = load_animation(tmp_path / "out.png")
    assert len(back) == 5 and all(len(colors_of(f)) <= 3 for f in back.frames)
    assert len(colors_of(back.frames)) > 3  # each frame its own palette


def test_cli_gif_k_auto(gif, tmp_path, capsys):
    status, _, err = run(capsys, "quantize", gif, "-k", "auto", "--min-psnr", 35, "-o", tmp_path / "out.webp")
    assert status == 0 and err.startswith("k = ")
    assert len(colors_of(load_animation(tmp_path / "out.webp").frames)) <= int(err.split()[2])


def test_cli_animation_takes_a_dither_strength(gif, tmp_path, capsys):
    out = tmp_path / "out.gif"
    status, _, err = run(capsys, "quantize", gif, "-k", 6, "--dither", "floyd-steinberg", "--dither-strength", 0.5,
                         "-o", out)
    assert status == 0, err
    expected = quantize_animation(load_animation(gif), 6, dither="floyd-steinberg", dither_strength=0.5)
    np.testing.assert_array_equal(load_animation(out).frames, expected.frames)


def test_cli_animation_over_the_limit(gif, tmp_path, capsys):
    status, _, err = run(capsys, "quantize", gif, "-k", 4, "--max-frame-pixels", 1000, "-o", tmp_path / "out.gif")
    assert status == 2 and err.startswith("error: ") and "--max-frame-pixels 3840" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out.gif").exists()


def test_cli_animation_to_a_still_format_is_refused(gif, tmp_path, capsys):
    status, _, err = run(capsys, "quantize", gif, "-k", 4, "-o", tmp_path / "out.jpg")
    assert status == 2 and "holds one picture" in err and not (tmp_path / "out.jpg").exists()


def test_cli_palette_of_an_animation_is_fitted_on_every_frame(gif, capsys):
    status, out, err = run(capsys, "palette", gif, "-k", 6)
    assert status == 0, err
    assert out.split() == colorlab.fit_palette(make_frames().reshape(-1, 3), 6).to_hex()


def test_cli_still_image_to_apng_and_per_frame_auto_k(gif, tmp_path, capsys):
    colorlab.save_image(tmp_path / "still.png", make_frames()[0])
    status, _, err = run(capsys, "quantize", tmp_path / "still.png", "-k", 4, "-o", tmp_path / "still.apng")
    assert status == 0, err
    assert len(load_animation(tmp_path / "still.apng")) == 1
    status, _, err = run(capsys, "quantize", gif, "-k", "auto", "--min-psnr", 30, "--per-frame", "-o", tmp_path / "out.gif")
    assert status == 0 and err.startswith("k per frame = ") and len(err.split(",")) == 5
