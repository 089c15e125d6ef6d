"""The inputs and wishes of ``colorlab quantize`` and ``colorlab palette`` (private; :mod:`colorlab.cli` calls it).

Transparency kept (``--background`` composites instead), pixels to ignore (``--mask``, ``--ignore``,
``--tolerance``), colors that must stay (``--fixed``), a palette to reuse (``quantize --palette``),
k chosen by quality (``-k auto --min-psnr/--max-delta-e``) and animations/video (``--per-frame``,
``--max-frame-pixels``). Every check that needs no pixel runs before the image is read, so a
mistake costs nothing and writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from ..redraw import animation
from ..cluster.fit import fit_histogram
from ..color.parse import parse_color, parse_colors
from ..redraw.masks import ignore_mask
from ..errors import InvalidParameterError
from ..histogram import color_histogram
from ..io.images import load_image, load_image_alpha
from ..io.saving import ALPHA_FORMATS, INDEXED_FORMATS, INDEXED_ONLY_FORMATS, SAVE_FORMATS, save_image, save_indexed
from ..palette.core import Palette
from ..palette.formats import TEXT_FORMATS, format_of
from ..util.checks import k_from_text
from ..redraw.quantize import palette_labels

__all__ = ["k_or_auto", "add_options", "run_quantize", "run_palette", "PERCEPTUAL_FROM_K", "choose_fit"]

#: From this k (the 256-color indexed PNG and GIF range), ``quantize`` and ``palette`` given neither --method
#: nor --space fit with Wu's cuts and a short k-means in OKLab: at k = 256 it scores above pngquant on
#: SSIMULACRA2 where exact k-means in RGB scores below (benchmarks/results/256.md). Below it the exact
#: k-means in RGB the lessons teach stays the default.
PERCEPTUAL_FROM_K = 65


def k_or_auto(text: str):
    """``-k``: a whole number from 1 to 256, or ``auto``."""
    try:
        return k_from_text(text, auto=True)
    except InvalidParameterError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _color_list(text: str) -> list[str]:
    """``#fff,#000000`` -> two colors; ``255,255,255`` -> one (r,g,b)."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return [text]
    return parts


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None


def add_options(parser: argparse.ArgumentParser, *, quantize_command: bool) -> None:
    """The options of this module, added to the ``quantize`` or ``palette`` sub-parser."""
    group = parser.add_argument_group("transparency and pixels to ignore")
    group.add_argument("--background", default=None, metavar="COLOR",
                       help="put transparent images on COLOR (e.g. '#ffffff') instead of keeping their transparency; "
                            "by default transparent pixels (alpha below --alpha-threshold) are left out of the palette "
                            "and stay transparent in the output")
    group.add_argument("--alpha-threshold", type=int, default=128, metavar="A",
                       help="pixels with alpha below A (1..255) count as transparent (default: 128)")
    group.add_argument("--mask", default=None, metavar="MASK",
                       help="an image of IN's size: its white pixels are counted, the dark ones ignored")
    group.add_argument("--ignore", type=_color_list, action="append", default=None, metavar="COLOR[,COLOR...]",
                       help="ignore pixels close to these colors (e.g. '#ffffff' for a white backdrop); they still "
                            "get their nearest palette color in the output")
    group.add_argument("--tolerance", type=int, default=0, metavar="T",
                       help="with --ignore: pixels whose R, G and B each differ by at most T (0..255) from a color are ignored (default: 0)")
    group = parser.add_argument_group("palette and k")
    group.add_argument("--fixed", type=_color_list, action="append", default=None, metavar="COLOR[,COLOR...]",
                       help="colors that must be in the palette exactly (they count toward k; the others are fitted around them)")
    group.add_argument("--min-psnr", type=_number, default=None, metavar="DB",
                       help="with -k auto: the smallest k whose result has at least this PSNR (dB)")
    group.add_argument("--max-delta-e", type=_number, default=None, metavar="DE",
                       help="with -k auto: the smallest k whose result has at most this mean ΔE2000")
    if quantize_command:
        group.add_argument("--palette", default=None, metavar="FILE",
                           help="redraw IN with the colors of this palette file (.gpl, .json, .hex, .css, .ase, .pal, "
                                "a colorlab swatch .png/.svg) instead of fitting one; no -k")
        group = parser.add_argument_group("animations and video (GIF, APNG, WebP; .mp4 and other videos need imageio's pyav plugin)")
        group.add_argument("--per-frame", action="store_true",
                           help="fit a palette for each frame; by default one palette fitted on all frames serves them all")
        group.add_argument("--max-frame-pixels", type=int, default=None, metavar="N",
                           help=f"refuse animations with more than N frames x pixels (default: {animation.DEFAULT_MAX_FRAME_PIXELS:_})")


# -- checks before any work -------------------------------------------------------------------------


def choose_fit(args) -> None:
    """Fill in ``args.method`` and ``args.space`` where the user gave neither (see :data:`PERCEPTUAL_FROM_K`).

    An option the user gave is kept as given, and the other takes the library's default (kmeans, rgb);
    with neither, ``-k`` of at least PERCEPTUAL_FROM_K without --fixed gets ("wu-kmeans", "oklab"), any
    other case (also ``-k auto``, which judges by PSNR) ("kmeans", "rgb").
    """
    if args.method is None and args.space is None and isinstance(args.k, int) and args.k >= PERCEPTUAL_FROM_K \
            and not args.fixed:
        args.method, args.space = "wu-kmeans", "oklab"
    args.method = "kmeans" if args.method is None else args.method
    args.space = "rgb" if args.space is None else args.space


def _check(args, *, quantize_command: bool) -> None:
    choose_fit(args)
    palette_file = getattr(args, "palette", None)
    if palette_file is not None:
        if args.k is not None:
            raise InvalidParameterError("give -k or --palette, not both: --palette redraws with the colors of the file")
        if args.fixed or args.min_psnr is not None or args.max_delta_e is not None:
            raise InvalidParameterError("--fixed, --min-psnr and --max-delta-e fit a palette; with --palette none is fitted, leave them out")
        format_of(palette_file)
    elif args.k is None:
        what = "-k K (or -k auto with --min-psnr/--max-delta-e), or --palette FILE" if quantize_command else "-k K (or -k auto with --min-psnr/--max-delta-e)"
        raise InvalidParameterError(f"the number of colors is missing: give {what}")
    if args.k == "auto" and args.min_psnr is None and args.max_delta_e is None:
        raise InvalidParameterError("-k auto needs a target: add --min-psnr DB (e.g. 32) or --max-delta-e DE (e.g. 3)")
    if args.k != "auto" and (args.min_psnr is not None or args.max_delta_e is not None):
        raise InvalidParameterError("--min-psnr and --max-delta-e choose k: use them with -k auto")
    if args.min_psnr is not None and not args.min_psnr >= 0:
        raise InvalidParameterError(f"--min-psnr must be a number of decibels of at least 0, got {args.min_psnr:g}")
    if args.max_delta_e is not None and not args.max_delta_e >= 0:
        raise InvalidParameterError(f"--max-delta-e must be a number of at least 0, got {args.max_delta_e:g}")
    if not 1 <= args.alpha_threshold <= 255:
        raise InvalidParameterError(f"--alpha-threshold must be a whole number from 1 to 255, got {args.alpha_threshold}")
    if not 0 <= args.tolerance <= 255:
        raise InvalidParameterError(
            f"--tolerance must be a whole number from 0 to 255 (the most each of R, G and B may differ), got {args.tolerance}")
    if args.tolerance and not args.ignore:
        raise InvalidParameterError("--tolerance says how close to the --ignore colors a pixel must be; add --ignore COLOR")
    if args.background is not None:
        parse_color(args.background, "--background")
    for colors, name in ((args.ignore, "--ignore color"), (args.fixed, "--fixed color")):
        for group in colors or ():
            parse_colors(group, name)
    fixed = _fixed(args)
    if fixed is not None and isinstance(args.k, int) and len(fixed) > args.k:
        raise InvalidParameterError(
            f"{len(fixed)} --fixed colors do not fit in -k {args.k} (the fixed colors count toward k); raise -k or fix fewer colors")
    if fixed is not None and args.method != "kmeans":
        raise InvalidParameterError(f"--fixed works with --method kmeans only, got --method {args.method}")
    if getattr(args, "max_frame_pixels", None) is not None and args.max_frame_pixels < 1:
        raise InvalidParameterError(f"--max-frame-pixels must be a whole number of at least 1, got {args.max_frame_pixels}")


def _fixed(args):
    return None if not args.fixed else [c for group in args.fixed for c in group]


def _ignored(args):
    return None if not args.ignore else [c for group in args.ignore for c in group]


# -- reading and masking ----------------------------------------------------------------------------


def _load(args):
    """(image, alpha or None, mask or None): alpha only when IN has (partly) transparent pixels and no --background."""
    options = {} if args.max_pixels is None else {"max_pixels": args.max_pixels}
    if args.background is not None:
        image, alpha = load_image(args.input, background=parse_color(args.background, "--background"), **options), None
    else:
        image, alpha = load_image_alpha(args.input, **options)
        if alpha.min() == 255:
            alpha = None  # opaque: nothing to leave out or keep
    return image, alpha, _mask(args, image, alpha)


def _mask(args, image: np.ndarray, alpha) -> np.ndarray | None:
    mask = None if alpha is None or alpha.min() >= args.alpha_threshold else alpha >= args.alpha_threshold
    if args.mask is not None:
        picture = load_image(args.mask, name=f"the mask {args.mask!r}")
        if picture.shape[:2] != image.shape[:2]:
            raise InvalidParameterError(
                f"the mask {args.mask!r} is {picture.shape[0]} x {picture.shape[1]} but {args.input!r} is "
                f"{image.shape[0]} x {image.shape[1]} (height x width); give a mask of the image's size")
        white = picture.astype(np.uint16).sum(axis=-1) >= 3 * 128
        mask = white if mask is None else mask & white
    if args.ignore:
        keep = ignore_mask(image, _ignored(args), args.tolerance)
        mask = keep if mask is None else mask & keep
    if mask is not None and not mask.any():
        raise InvalidParameterError(
            f"no pixel of {args.input!r} is left to count (transparent, masked out or ignored); "
            "loosen --mask, --ignore or --tolerance")
    return mask


def _fit(args, histogram):
    """(palette, label of each of the histogram's colors, or None) for one image's histogram, as -k, -k auto,
    --fixed and the mask ask."""
    fixed = _fixed(args)
    if args.k == "auto":
        from ..selection.smallest import smallest_k  # only -k auto needs it (and colorlab.metrics)

        found = smallest_k(histogram, min_psnr=args.min_psnr, max_delta_e=args.max_delta_e, method=args.method,
                           seed=args.seed, space=args.space, fixed=fixed)
        figures = f"PSNR {found.psnr:.2f} dB" + (f", mean ΔE2000 {found.delta_e:.2f}" if args.max_delta_e is not None else "")
        sys.stderr.write(f"k = {found.k} ({figures})\n")
        return found.palette, None
    return fit_histogram(histogram, args.k, method=args.method, seed=args.seed, space=args.space, fixed=fixed)


# -- the commands -----------------------------------------------------------------------------------


def run_quantize(args) -> int:
    _check(args, quantize_command=True)
    output_format = SAVE_FORMATS.get(Path(args.output).suffix.lower())  # None: a video or .apng
    given = Palette.load(args.palette) if args.palette is not None else None
    if output_format is None or animation.is_animation_input(args.input, args.output):
        return _run_animation(args, given)
    image, alpha, mask = _load(args)
    if alpha is not None and output_format not in ALPHA_FORMATS + INDEXED_FORMATS:
        raise InvalidParameterError(
            f"{args.input!r} has transparent pixels and a {Path(args.output).suffix} file holds no transparency; "
            "write .png (or .gif, .webp, .tif), or give --background COLOR")
    histogram = color_histogram(image, mask=None if given is not None else mask)
    del image, mask  # the histogram's codes redraw every pixel: the decoded photo can go before the fit (12 MP: 36 MB)
    palette, color_labels = (given, None) if given is not None else _fit(args, histogram)
    labels = palette_labels(histogram, palette, dither=args.dither, color_labels=color_labels)
    del histogram
    options = {"alpha": alpha, "threshold": args.alpha_threshold, "compress": args.compress}
    if output_format in INDEXED_FORMATS and not (args.rgb and output_format not in INDEXED_ONLY_FORMATS):
        save_indexed(args.output, labels, palette, **options)  # the indices as they are: no RGB image, no search
    else:
        save_image(args.output, np.take(palette.colors, labels, axis=0), **options)
    return 0


def _run_animation(args, given) -> int:
    suffix = Path(args.output).suffix.lower()
    if suffix not in animation.ANIMATION_SUFFIXES:
        raise InvalidParameterError(
            f"{args.input!r} is an animation and a {suffix} file holds one picture; "
            f"end the output name with one of {', '.join(animation.ANIMATION_SUFFIXES)}")
    result = _animation_result(args, given)
    animation.save_animation(args.output, result)
    return 0


def _animation_result(args, given):
    limit = getattr(args, "max_frame_pixels", None)
    options = {} if limit is None else {"max_frame_pixels": limit}
    if args.mask is not None:
        raise InvalidParameterError("--mask is for still images; for an animation use --ignore COLOR or its transparency")
    clip = animation.load_animation(args.input, **options)
    background = None if args.background is None else parse_color(args.background, "--background")
    result = animation.quantize_animation(
        clip, None if given is not None else args.k, palette=given, per_frame=getattr(args, "per_frame", False),
        method=args.method, seed=args.seed, space=args.space, dither=getattr(args, "dither", "none"), fixed=_fixed(args),
        ignore=_ignored(args), tolerance=args.tolerance, alpha_threshold=args.alpha_threshold, background=background,
        min_psnr=args.min_psnr, max_delta_e=args.max_delta_e)
    if args.k == "auto":
        chosen = result.params["k"]
        sys.stderr.write(f"k = {chosen}\n" if not result.params["per_frame"] else
                         "k per frame = " + ", ".join(str(len(p)) for p in result.palettes) + "\n")
    return result


def run_palette(args) -> int:
    _check(args, quantize_command=False)
    if args.output is None and args.format is not None and args.format not in TEXT_FORMATS:
        raise InvalidParameterError(f"a {args.format} palette is a binary file, not text: write it with -o FILE.{args.format}")
    if animation.is_animation_input(args.input):
        # the palette of every frame together (what quantize gives all frames)
        palette = _animation_result(args, None).palettes[0]
    else:
        image, _, mask = _load(args)
        histogram = color_histogram(image, mask=mask)
        del image, mask
        palette, _ = _fit(args, histogram)
    fmt = args.format if args.format is not None else ("hex" if args.output is None else format_of(args.output))
    if args.output is None:
        sys.stdout.write(palette.to_text(fmt))
        sys.stdout.flush()
    else:
        palette.save(args.output, format=fmt)
    return 0
