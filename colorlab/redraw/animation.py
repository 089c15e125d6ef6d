"""Animations and video: read every frame, quantize them with one shared palette (or one per frame), write them back.

``colorlab quantize clip.gif -k 32 -o out.gif`` runs :func:`load_animation`,
:func:`quantize_animation` and :func:`save_animation`:

- **In**: animated GIF, PNG (APNG) and WebP, and video files (``.mp4``, ``.mov``, ``.mkv``,
  ``.webm``, ``.avi``, ``.m4v``) through imageio's pyav plugin (``pip install colorlab[video]``,
  which installs ``av``). Frames come as RGBA, so transparent GIF/APNG/WebP frames stay transparent.
- **One palette** fitted on the pixels of every frame (weighted by how often each color occurs in
  the whole clip), or a palette per frame (``per_frame=True``). Transparent pixels (alpha below
  ``alpha_threshold``) and ``ignore``-d colors are not counted, as for still images.
- **Timing kept**: each frame's duration (ms) and the loop count go to the output; a video's frame
  rate becomes durations of 1000 / fps ms, and back.
- **A limit** on frames x pixels (:data:`DEFAULT_MAX_FRAME_PIXELS`), checked from the file's header
  before any frame is decoded.
- **Out**: GIF (a local color table per frame with ``per_frame``), APNG (indexed with a shared
  palette, RGBA per frame otherwise) and WebP (lossless) hold exactly the palette's colors. A video
  output is H.264 (``yuv444p``, so odd sizes work); video compression is lossy, so its pixels are
  near the palette's colors, not exactly them.

imageio reads every frame (``imageio.v3.imiter``) and writes WebP and video. Two things are done
with Pillow directly, for measured reasons: (1) GIF and APNG are *written* with Pillow from indexed
("P") frames, because imageio's Pillow plugin takes RGB arrays and lets Pillow choose a palette
again, which would not keep the fitted palette exactly; (2) WebP frame durations are read with
Pillow, because imageio 2.38's ``immeta`` reports none for WebP (it does for GIF and APNG).
:func:`colorlab.load_image` keeps Pillow for still images, measured (2026-12-01, imageio 2.38,
Pillow 13): ``imageio.v3.imread`` of the 16-bit corpus file ``tests/data/corpus/rgb16.png`` gives
its first pixels as (0, 0, 0), (1, 1, 1), the high bytes only, where the exact 16-to-8-bit rounding
that :func:`colorlab.load_image` does gives (0, 0, 1), (1, 2, 2); it has no header-first pixel limit
(colorlab's ``max_pixels``); and it decodes with the same Pillow decoders, so it would add no format.
It was faster on the 2-megapixel ``retina`` photo (0.066 s against 0.085 s a read, mean of 5), not
enough to give up exact 16-bit input.

numpy, Pillow and imageio; no screen.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> frames = np.stack([np.full((4, 6, 3), (60 * i, 0, 255 - 60 * i), np.uint8) for i in range(5)])
>>> clip = Animation(frames, None, [100.0] * 5, 0)
>>> result = quantize_animation(clip, 5)  # one palette for the 5 frames
>>> len(result.palettes[0]), result.frames.shape
(5, (5, 4, 6, 3))
>>> path = save_animation(pathlib.Path(tempfile.mkdtemp()) / "clip.gif", result)
>>> back = load_animation(path)
>>> back.frames.shape, back.durations, back.loop
((5, 4, 6, 3), [100.0, 100.0, 100.0, 100.0, 100.0], 0)
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from ..util.files import check_output_path, write_atomically
from ..errors import ColorlabWarning, ImageFileError, ImageTooLargeError, InvalidParameterError
from ..io.images import DEFAULT_MAX_FRAME_PIXELS, VIDEO_SUFFIXES  # beside the readers' other limit and formats

__all__ = [
    "DEFAULT_MAX_FRAME_PIXELS", "VIDEO_SUFFIXES", "ANIMATION_SUFFIXES", "Animation", "QuantizedAnimation",
    "load_animation", "quantize_animation", "save_animation", "is_animation_input", "video_plugin_installed",
    "indexed_with_one_table",
]

#: Suffixes :func:`save_animation` writes.
ANIMATION_SUFFIXES = (".gif", ".png", ".apng", ".webp", ".mp4", ".mov", ".mkv")


@dataclass(frozen=True, eq=False)
class Animation:
    """The frames of an animation or video.

    Attributes
    ----------
    frames : ndarray of uint8, shape (n, H, W, 3)
    alpha : ndarray of uint8, shape (n, H, W), or None
        None when every pixel of every frame is opaque.
    durations : list of float
        How long each frame shows, in milliseconds.
    loop : int or None
        How many times to play (0 = forever); None when the file says nothing (a video, a GIF
        without a loop extension plays once).
    """

    frames: np.ndarray
    alpha: np.ndarray | None
    durations: list
    loop: int | None = 0

    def __len__(self) -> int:
        return len(self.frames)


@dataclass(frozen=True, eq=False)
class QuantizedAnimation(Animation):
    """An :class:`Animation` whose frames use only their palette's colors.

    Attributes
    ----------
    palettes : list of Palette
        One per frame (the same object for every frame when the palette is shared).
    shared : bool
        True when one palette serves every frame.
    alpha_threshold : int
        Pixels with alpha below it are written transparent.
    params : dict
        ``k`` (the chosen one with ``k="auto"``), ``per_frame``.
    """

    palettes: list = field(default_factory=list)
    shared: bool = True
    alpha_threshold: int = 128
    params: dict = field(default_factory=dict)


def video_plugin_installed() -> bool:
    """True when imageio's pyav plugin can run (the ``av`` package is installed).

    Examples
    --------
    >>> isinstance(video_plugin_installed(), bool)
    True
    """
    return importlib.util.find_spec("av") is not None


def _need_video_plugin(path: Path, writing: bool = False) -> None:
    if not video_plugin_installed():
        raise ImageFileError(
            f"{'writing' if writing else 'reading'} the video {str(path)!r} needs imageio's pyav plugin, which is not "
            "installed; pip install 'colorlab[video]' (or pip install av), or convert the video to a GIF first"
        )


def is_animation_input(source, output=None) -> bool:
    """True when ``source`` is a video file or an animation, a GIF, APNG or WebP of more than one frame (or
    ``output`` is a video). A JPEG holding a second picture (MPO) and a multi-page TIFF are stills, as
    :func:`colorlab.load_image` reads them; a canvas over Pillow's size limit is still seen as an animation.

    Examples
    --------
    >>> is_animation_input("rocket")
    False
    """
    if output is not None and Path(str(output)).suffix.lower() in VIDEO_SUFFIXES:
        return True
    if not isinstance(source, (str, os.PathLike)) or not Path(source).is_file():
        return False
    path = Path(source)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return True
    from ..io.images import is_animated, pillow_limit_lifted

    try:
        with pillow_limit_lifted():
            picture = Image.open(path)
        with picture:
            return is_animated(picture)
    except Exception:  # noqa: BLE001 - not an image Pillow knows: load_image will say what is wrong
        return False


def _check_limit(max_frame_pixels):
    if max_frame_pixels is None:
        return None
    if isinstance(max_frame_pixels, bool) or not isinstance(max_frame_pixels, (int, np.integer)) or max_frame_pixels < 1:
        raise InvalidParameterError(
            f"max_frame_pixels must be a whole number of at least 1 (or None for no limit), got {max_frame_pixels!r}")
    return int(max_frame_pixels)


def _refuse_over_limit(label: str, n: int, width: int, height: int, limit: int | None) -> None:
    if limit is not None and n * width * height > limit:
        raise ImageTooLargeError(
            f"{label} has {n} frames of {width} x {height} = {n * width * height:,} frame pixels, more than the limit of "
            f"{limit:,}; pass max_frame_pixels={n * width * height} to load_animation (on the command line: "
            f"--max-frame-pixels {n * width * height}), or shorten or shrink the animation first"
        )


def load_animation(source, *, max_frame_pixels=DEFAULT_MAX_FRAME_PIXELS) -> Animation:
    """Read every frame of an animated GIF, APNG or WebP, or of a video, with the timing and loop count.

    Parameters
    ----------
    source : str or path-like
    max_frame_pixels : int or None
        Refuse files with more frames x pixels than this (read from the header, before decoding);
        default :data:`DEFAULT_MAX_FRAME_PIXELS`; None: no limit.

    Returns
    -------
    Animation

    Raises
    ------
    ImageFileError
        A missing, empty or corrupt file; a video when imageio's pyav plugin is not installed.
    ImageTooLargeError
        More frames x pixels than ``max_frame_pixels``.
    """
    from ..io.images import _existing_file, pillow_limit_lifted

    limit = _check_limit(max_frame_pixels)
    path = _existing_file(source)
    label = repr(str(path))
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return _load_video(path, label, limit)
    try:
        # max_frame_pixels, checked from the header before any frame is decoded, is the limit here
        with pillow_limit_lifted(), Image.open(path) as picture:
            n, (width, height) = getattr(picture, "n_frames", 1), picture.size
            _refuse_over_limit(label, n, width, height, limit)
            durations, loop = _pillow_timing(picture, n)
    except ImageTooLargeError:
        raise
    except Exception:  # noqa: BLE001
        raise ImageFileError(f"cannot read {label}: it is not an animation colorlab can read (GIF, PNG, WebP or a video); check the file") from None
    import imageio.v3 as iio

    try:
        with warnings.catch_warnings(), pillow_limit_lifted():
            warnings.simplefilter("ignore")
            rgba = np.stack([np.asarray(frame, np.uint8) for frame in iio.imiter(path, mode="RGBA")])
    except Exception:  # noqa: BLE001
        raise ImageFileError(f"cannot read {label}: the file is truncated or corrupt; save or download it again") from None
    alpha = rgba[..., 3] if (rgba[..., 3] < 255).any() else None
    return Animation(np.ascontiguousarray(rgba[..., :3]), None if alpha is None else np.ascontiguousarray(alpha), durations, loop)


def _pillow_timing(picture: Image.Image, n: int) -> tuple[list, int | None]:
    durations = []
    for index in range(n):
        picture.seek(index)
        picture.load()  # WebP sets a frame's duration only once it is loaded
        durations.append(float(picture.info.get("duration") or 100.0))
    loop = picture.info.get("loop")
    return durations, None if loop is None else int(loop)


def _load_video(path: Path, label: str, limit: int | None) -> Animation:
    _need_video_plugin(path)
    import imageio.v3 as iio

    try:
        properties = iio.improps(path, plugin="pyav")
        n, height, width = properties.shape[:3]
        _refuse_over_limit(label, n, width, height, limit)
        fps = float(iio.immeta(path, plugin="pyav").get("fps") or 25.0)
        frames = np.ascontiguousarray(iio.imread(path, plugin="pyav")[..., :3])
    except ImageTooLargeError:
        raise
    except Exception:  # noqa: BLE001
        raise ImageFileError(f"cannot read {label}: it is not a video the pyav plugin can decode; check the file") from None
    return Animation(frames, None, [1000.0 / fps] * len(frames), None)


# --------------------------------------------------------------------------- quantizing


def quantize_animation(clip: Animation, k=None, *, palette=None, per_frame: bool = False, method: str = "kmeans",
                       seed=0, space: str = "rgb", dither: str = "none", dither_strength: float = 1.0, fixed=None,
                       ignore=None, tolerance: int = 0, alpha_threshold: int = 128, background=None, min_psnr=None,
                       max_delta_e=None) -> QuantizedAnimation:
    """Redraw every frame with one shared palette (fitted on all frames' pixels) or a palette per frame.

    Parameters
    ----------
    clip : Animation
        From :func:`load_animation`, or made from arrays.
    k : int or "auto"
        Colors per palette; ``"auto"`` with ``min_psnr`` and/or ``max_delta_e`` (see
        :func:`colorlab.selection.smallest.smallest_k`). Leave out with ``palette``.
    palette : Palette, optional
        Redraw with this palette instead of fitting one.
    per_frame : bool, default False
        One palette per frame instead of one for the whole clip.
    method, seed, space, fixed
        As in :func:`colorlab.fit_palette`.
    dither : {"none", "floyd-steinberg", "bayer"}
        As in :func:`colorlab.quantize`, frame by frame.
    dither_strength : float, default 1.0
        As in :func:`colorlab.quantize`: with ``"floyd-steinberg"``, the share of the error passed on,
        0 (the same as no dithering) to 1.
    ignore, tolerance
        Colors whose pixels are not counted (see :func:`colorlab.cluster.locked.ignore_mask`).
    alpha_threshold : int, default 128
        Pixels with alpha below it are not counted, and stay transparent.
    background : (r, g, b), optional
        Composite transparent frames on this color instead.

    Returns
    -------
    QuantizedAnimation
    """
    from ..selection.smallest import smallest_k
    from ..cluster.fit import fit_histogram
    from .masks import ignore_mask
    from ..histogram import color_histogram
    from .quantize import check_dither_strength, quantize

    if not isinstance(clip, Animation):
        raise InvalidParameterError(f"clip must be a colorlab.redraw.animation.Animation (from load_animation), got {type(clip).__name__}")
    check_dither_strength(dither_strength)  # before the fit, not after it
    frames, alpha = clip.frames, clip.alpha
    if background is not None and alpha is not None:
        from ..io.arrays import to_rgb8

        frames = np.stack([to_rgb8(np.concatenate([f, a[..., None]], axis=-1), background=tuple(background))
                           for f, a in zip(frames, alpha)])
        alpha = None
    mask = None if alpha is None else alpha >= alpha_threshold
    if ignore:
        keep = ignore_mask(frames.reshape(-1, 3), ignore, tolerance).reshape(frames.shape[:3])
        mask = keep if mask is None else mask & keep
    if mask is not None and not mask.any():
        raise InvalidParameterError("no pixel of the animation is left to count (transparent or ignored); loosen ignore or tolerance")
    if palette is None and k is None:
        raise InvalidParameterError("give k (a number of colors, or 'auto' with a target) or a palette")

    def fit(pixels, pixel_mask):
        histogram = color_histogram(pixels, mask=pixel_mask)
        if k == "auto":
            found = smallest_k(histogram, min_psnr=min_psnr, max_delta_e=max_delta_e, method=method, seed=seed,
                               space=space, fixed=fixed)
            return found.palette, histogram
        return fit_histogram(histogram, k, method=method, seed=seed, space=space, fixed=fixed)[0], histogram

    def draw(frame_pixels, histogram, used):
        if dither == "none" and histogram is not None:
            return quantize(histogram, used).reshape(frame_pixels.shape)
        return quantize(frame_pixels, used, dither=dither, dither_strength=dither_strength)

    out = np.empty_like(frames)
    palettes = []
    if palette is not None or not per_frame:
        if palette is None:
            flat_mask = None if mask is None else mask.reshape(-1)
            if flat_mask is not None and not flat_mask.any():
                flat_mask = None
            palette, histogram = fit(frames.reshape(-1, 3), flat_mask)
            shared_drawn = draw(frames.reshape(-1, 3), histogram, palette) if dither == "none" else None
        else:
            shared_drawn = quantize(frames.reshape(-1, 3), palette) if dither == "none" else None
        for index, frame in enumerate(frames):
            out[index] = shared_drawn.reshape(frames.shape)[index] if shared_drawn is not None else quantize(frame, palette, dither=dither, dither_strength=dither_strength)
        palettes = [palette] * len(frames)
        shared = True
    else:
        for index, frame in enumerate(frames):
            frame_mask = None if mask is None else mask[index]
            if frame_mask is not None and not frame_mask.any():
                frame_mask = None  # a fully transparent frame: fit its (invisible) colors
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ColorlabWarning)  # a flat frame has fewer colors than k: not news
                frame_palette, histogram = fit(frame, frame_mask)
            out[index] = draw(frame, histogram, frame_palette)
            palettes.append(frame_palette)
        shared = False
    chosen = len(palettes[0]) if k == "auto" and shared else k
    return QuantizedAnimation(out, alpha, list(clip.durations), clip.loop, palettes=palettes, shared=shared,
                              alpha_threshold=alpha_threshold, params={"k": chosen, "per_frame": not shared})


# --------------------------------------------------------------------------- writing


def save_animation(path, clip: QuantizedAnimation) -> Path:
    """Write a quantized animation atomically: ``.gif``, ``.png``/``.apng`` (APNG), ``.webp`` or a video suffix.

    GIF, APNG and WebP hold exactly the palettes' colors (GIF and APNG as indexed frames, with one
    transparent entry when the clip has transparency); the durations and the loop count are kept
    (a clip with no loop count is written to play once). Consecutive frames that come out identical
    are merged into one showing for the sum of their durations (Pillow's GIF, APNG and WebP writers
    do this), so the timeline is the same. A video is H.264 through imageio's pyav
    plugin, at 1000 / mean duration frames per second; it is lossy, and drops transparency.

    Raises
    ------
    InvalidParameterError
        A suffix that holds no animation, or a palette of more than 255 colors with transparency.
    ImageFileError
        The file cannot be written; a video when the pyav plugin is not installed.
    """
    if not isinstance(clip, QuantizedAnimation):
        raise InvalidParameterError(f"clip must be a QuantizedAnimation (from quantize_animation), got {type(clip).__name__}")
    path = check_output_path(path)
    suffix = path.suffix.lower()
    if suffix not in ANIMATION_SUFFIXES:
        raise InvalidParameterError(
            f"cannot write the animation {str(path)!r}: a {suffix or '(no suffix)'} file holds one picture; "
            f"end the name with one of {', '.join(ANIMATION_SUFFIXES)}")
    if suffix in VIDEO_SUFFIXES:
        _need_video_plugin(path, writing=True)
        return write_atomically(path, lambda tmp: _write_video(tmp, clip))
    if suffix == ".webp":
        return write_atomically(path, lambda tmp: _write_webp(tmp, clip))
    pictures, options = _indexed_frames(clip, "GIF" if suffix == ".gif" else "PNG")
    fmt = "GIF" if suffix == ".gif" else "PNG"

    def write(tmp: Path) -> None:
        pictures[0].save(tmp, format=fmt, save_all=True, append_images=pictures[1:], **options)

    return write_atomically(path, write)


def indexed_with_one_table(suffix: str, per_frame: bool) -> bool:
    """Whether an animation written to ``suffix`` stores palette indices in one table per frame with one entry
    kept for the transparent pixels: a GIF, or a PNG with one palette for all frames (a PNG with a palette per
    frame goes as RGBA).

    Examples
    --------
    >>> indexed_with_one_table(".gif", per_frame=True), indexed_with_one_table(".png", per_frame=True)
    (True, False)
    """
    return suffix == ".gif" or (suffix in (".png", ".apng") and not per_frame)


def _transparent(clip: QuantizedAnimation):
    return None if clip.alpha is None else clip.alpha < clip.alpha_threshold


def _indexed_frames(clip: QuantizedAnimation, fmt: str):
    from ..io.saving import _palette_indices

    transparent = _transparent(clip)
    has_transparency = transparent is not None and bool(transparent.any())
    if not indexed_with_one_table(".gif" if fmt == "GIF" else ".png", per_frame=not clip.shared):
        # one PNG holds one palette: frames with their own palettes go as RGB(A)
        pictures = []
        for index, frame in enumerate(clip.frames):
            if has_transparency:
                rgba = np.concatenate([frame, np.where(transparent[index], 0, 255).astype(np.uint8)[..., None]], axis=-1)
                pictures.append(Image.fromarray(rgba, "RGBA"))
            else:
                pictures.append(Image.fromarray(frame))
        return pictures, _timing(clip, fmt)
    # the transparent entry has the same index in every frame: after the longest palette (shorter ones are padded)
    clear = max(len(p) for p in clip.palettes)
    if clear > 256:
        raise InvalidParameterError(
            f"a {'.gif' if fmt == 'GIF' else '.png'} animation holds at most 256 colors per palette, but the palette has "
            f"{clear}; use a palette of at most 256 colors, or write .webp (or a video), which holds any colors")
    if has_transparency and clear > 255:
        raise InvalidParameterError("an animation with transparency holds at most 255 colors per palette "
                                    "(one entry is the transparent one); use k of at most 255")
    pictures = []
    for index, frame in enumerate(clip.frames):
        palette = clip.palettes[index]
        table = np.ascontiguousarray(palette.colors)
        if has_transparency:
            labels = np.full(frame.shape[:2], clear, np.uint8)
            opaque = ~transparent[index]
            labels[opaque] = _palette_indices(frame[opaque][None], palette.colors)[0]
            table = np.vstack([table, np.zeros((clear + 1 - len(palette), 3), np.uint8)])
        else:
            labels = _palette_indices(frame, palette.colors)
        picture = Image.fromarray(labels)
        picture.putpalette(table.tobytes())
        if has_transparency:
            picture.info["transparency"] = clear if fmt == "GIF" else bytes([255] * clear + [0])
        pictures.append(picture)
    options = _timing(clip, fmt)
    if has_transparency:
        if fmt == "GIF":
            options["disposal"] = 2  # clear to transparent before each frame (APNG frames replace their area anyway)
            options["transparency"] = clear
        else:
            options["transparency"] = bytes([255] * clear + [0])
    if fmt == "GIF":
        options["optimize"] = False  # keep the palettes as they are
    return pictures, options


def _timing(clip: QuantizedAnimation, fmt: str) -> dict:
    options = {"duration": [int(round(d)) for d in clip.durations]}
    if clip.loop is not None:
        options["loop"] = int(clip.loop)
    elif fmt == "PNG":
        options["loop"] = 1  # APNG: play once
    return options


def _write_webp(tmp: Path, clip: QuantizedAnimation) -> None:
    import imageio.v3 as iio

    transparent = _transparent(clip)
    if transparent is not None and transparent.any():
        frames = np.concatenate([clip.frames, np.where(transparent, 0, 255).astype(np.uint8)[..., None]], axis=-1)
    else:
        frames = clip.frames
    iio.imwrite(tmp, frames, extension=".webp", duration=[int(round(d)) for d in clip.durations],
                loop=0 if clip.loop is None else int(clip.loop), lossless=True, exact=True)


def _write_video(tmp: Path, clip: QuantizedAnimation) -> None:
    import imageio.v3 as iio

    fps = 1000.0 / float(np.mean(clip.durations))
    iio.imwrite(tmp, clip.frames, plugin="pyav", codec="libx264", fps=round(fps, 3), out_pixel_format="yuv444p")
