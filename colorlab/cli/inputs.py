"""The inputs and wishes of ``colorlab quantize`` and ``colorlab palette`` (private; :mod:`colorlab.cli` calls it).

Transparency kept (``--background`` composites instead), pixels to ignore (``--mask``, ``--ignore``,
``--tolerance``), colors that must stay (``--fixed``), a palette to reuse (``quantize --palette``),
k chosen by quality (``-k auto --min-psnr/--max-delta-e``) and animations/video (``--per-frame``,
``--max-frame-pixels``). Every check that needs no pixel runs before the image is read, so a
mistake costs nothing and writes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from ..cluster.fit import fit_histogram
from ..errors import InvalidParameterError
from ..histogram import color_histogram
from ..io.images import DEFAULT_MAX_FRAME_PIXELS, VIDEO_SUFFIXES, load_image, read_still
from ..io.saving import (ALPHA_FORMATS, INDEXED_FORMATS, INDEXED_ONLY_FORMATS, SAVE_FORMATS, save_image, save_indexed,
                         save_indexed_rgba)
from ..palette.core import Palette
from ..palette.formats import TEXT_FORMATS, format_of
from ..util.checks import MAX_K, k_from_text
from ..util.files import check_output_path
from ..redraw.alpha import has_partial_alpha
from ..redraw.quantize import palette_labels

__all__ = ["k_type", "k_or_auto", "number", "add_options", "run_quantize", "run_palette", "PERCEPTUAL_FROM_K", "choose_fit"]

#: From this k (the 256-color indexed PNG and GIF range), ``quantize`` and ``palette`` given neither --method
#: nor --space fit with Wu's cuts and a short k-means in OKLab: at k = 256 it scores above pngquant on
#: SSIMULACRA2 where exact k-means in RGB scores below (benchmarks/results/256.md). Below it the exact
#: k-means in RGB the lessons teach stays the default.
PERCEPTUAL_FROM_K = 65
#: Alpha below which a pixel counts as transparent where the output (or the fit) has no half-transparency.
ALPHA_THRESHOLD = 128


def k_type(*, auto: bool):
    """The argparse type of ``-k``: a whole number from 1 to 256 (or ``auto`` when allowed), checked before any
    image is loaded, with fit_palette's own bound and wording."""

    def parse(text: str):
        try:
            return k_from_text(text, auto=auto)
        except InvalidParameterError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    return parse


#: ``-k`` of quantize and palette: a whole number from 1 to 256, or ``auto``.
k_or_auto = k_type(auto=True)


def _color_list(text: str) -> list[str]:
    """``#fff,#000000`` -> two colors; ``255,255,255`` -> one (r,g,b)."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return [text]
    return parts


def number(text: str) -> float:
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
    group.add_argument("--alpha-threshold", type=int, default=None, metavar="A",
                       help="pixels with alpha below A (1..255) count as transparent, the others as opaque (default: "
                            "128; an indexed .png from quantize keeps half-transparent pixels instead, with palette "
                            "entries of their own alpha, unless A is given)")
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
    group.add_argument("--min-psnr", type=number, default=None, metavar="DB",
                       help="with -k auto: the smallest k whose result has at least this PSNR (dB)")
    group.add_argument("--max-delta-e", type=number, default=None, metavar="DE",
                       help="with -k auto: the smallest k whose result has at most this mean ΔE2000")
    group.add_argument("--min-ssim", type=number, default=None, metavar="S",
                       help="with -k auto: the smallest k whose result has at least this SSIM (of the luma, up to 1; "
                            "e.g. 0.95)")
    if quantize_command:
        group.add_argument("--palette", default=None, metavar="FILE",
                           help="redraw IN with the colors of this palette file (.gpl, .json, .hex, .css, .ase, .pal, "
                                "a colorlab swatch .png/.svg) instead of fitting one; no -k")
        group = parser.add_argument_group("animations and video (GIF, APNG, WebP; .mp4 and other videos need imageio's pyav plugin)")
        group.add_argument("--per-frame", action="store_true",
                           help="fit a palette for each frame; by default one palette fitted on all frames serves them all")
        group.add_argument("--max-frame-pixels", type=int, default=None, metavar="N",
                           help=f"refuse animations with more than N frames x pixels (default: {DEFAULT_MAX_FRAME_PIXELS:_})")


# -- checks before any work -------------------------------------------------------------------------


def _input_path(source: str) -> Path | None:
    """The file ``source`` names (a path, or a bundled photo's file), or None if there is none."""
    if Path(source).exists():
        return Path(source)
    from ..io.samples import sample_path, samples  # only a name that is no file can be a bundled photo

    if source in samples():
        return sample_path(source)
    return None


def _same_file(a, b) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _check_output(args, *, quantize_command: bool) -> None:
    """-o: a file that can be written, and none of the command's inputs (the photo, the palette, the mask)."""
    output = args.output
    if output is None:
        if sys.stdout is None:  # started with its standard output closed (`>&-`)
            raise InvalidParameterError("the standard output is closed, so the palette cannot be printed; "
                                        "give -o FILE to write it to a file")
        return
    inputs = ((_input_path(args.input), "the input file", "so the photo is not overwritten"),
              (getattr(args, "palette", None), "the --palette file", "so the palette is not overwritten"),
              (args.mask, "the --mask file", "so the mask is not overwritten"))
    for path, what, why in inputs:
        if path is not None and Path(output).exists() and _same_file(path, output):
            raise InvalidParameterError(f"the output {output!r} is {what}; choose another output name {why}")
    suffix = Path(output).suffix.lower()
    if quantize_command and suffix not in SAVE_FORMATS and suffix not in VIDEO_SUFFIXES + (".apng",):
        # save_image checks this too, but only after the clustering: fail before any work
        raise InvalidParameterError(f"cannot tell the image format of {output!r} from its suffix; end the name with .png or .jpg")
    check_output_path(output)


def _targets(args) -> bool:
    """Whether a quality target for -k auto is given."""
    return args.min_psnr is not None or args.max_delta_e is not None or args.min_ssim is not None


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
    _check_output(args, quantize_command=quantize_command)
    args.fit_given = args.method is not None or args.space is not None
    choose_fit(args)
    if not quantize_command:
        # the format is decided here, once: --format, else -o's suffix, else hex
        try:
            args.format = "hex" if args.output is None and args.format is None else format_of(args.output, args.format)
        except InvalidParameterError as err:
            raise InvalidParameterError(f"{err}, or give --format") from None
        if args.output is None and args.format not in TEXT_FORMATS:
            raise InvalidParameterError(f"a {args.format} palette is a binary file, not text: write it with -o FILE.{args.format}")
    palette_file = getattr(args, "palette", None)
    if palette_file is not None:
        if args.k is not None:
            raise InvalidParameterError("give -k or --palette, not both: --palette redraws with the colors of the file")
        if args.fixed or _targets(args):
            raise InvalidParameterError("--fixed, --min-psnr, --max-delta-e and --min-ssim fit a palette; with --palette none is fitted, leave them out")
        format_of(palette_file)
    elif args.k is None:
        what = "-k K (or -k auto with --min-psnr/--max-delta-e), or --palette FILE" if quantize_command else "-k K (or -k auto with --min-psnr/--max-delta-e)"
        raise InvalidParameterError(f"the number of colors is missing: give {what}")
    if args.k == "auto" and not _targets(args):
        raise InvalidParameterError("-k auto needs a target: add --min-psnr DB (e.g. 32), --max-delta-e DE (e.g. 3) or --min-ssim S (e.g. 0.95)")
    if args.k != "auto" and _targets(args):
        raise InvalidParameterError("--min-psnr, --max-delta-e and --min-ssim choose k: use them with -k auto")
    if args.min_ssim is not None and not -1 <= args.min_ssim <= 1:
        raise InvalidParameterError(f"--min-ssim must be a number from -1 to 1 (1: identical), got {args.min_ssim:g}")
    if not 0 <= getattr(args, "dither_strength", 1.0) <= 1:
        raise InvalidParameterError(f"--dither-strength must be a number from 0 (no dithering) to 1, got {args.dither_strength:g}")
    if args.min_psnr is not None and not args.min_psnr >= 0:
        raise InvalidParameterError(f"--min-psnr must be a number of decibels of at least 0, got {args.min_psnr:g}")
    if args.max_delta_e is not None and not args.max_delta_e >= 0:
        raise InvalidParameterError(f"--max-delta-e must be a number of at least 0, got {args.max_delta_e:g}")
    args.alpha_cut = args.alpha_threshold is not None  # given: alpha is cut there, also in an indexed .png
    args.alpha_threshold = ALPHA_THRESHOLD if args.alpha_threshold is None else args.alpha_threshold
    if not 1 <= args.alpha_threshold <= 255:
        raise InvalidParameterError(f"--alpha-threshold must be a whole number from 1 to 255, got {args.alpha_threshold}")
    if not 0 <= args.tolerance <= 255:
        raise InvalidParameterError(
            f"--tolerance must be a whole number from 0 to 255 (the most each of R, G and B may differ), got {args.tolerance}")
    if args.tolerance and not args.ignore:
        raise InvalidParameterError("--tolerance says how close to the --ignore colors a pixel must be; add --ignore COLOR")
    _background(args)
    if args.ignore or args.fixed:
        from ..color.parse import parse_colors

        for colors, name in ((args.ignore, "--ignore color"), (args.fixed, "--fixed color")):
            for group in colors or ():
                parse_colors(group, name)
    fixed = _fixed(args)
    if fixed is not None and len(fixed) > MAX_K:
        raise InvalidParameterError(
            f"{len(fixed)} --fixed colors are more than a palette holds (at most {MAX_K} colors); fix fewer colors")
    if fixed is not None and isinstance(args.k, int) and len(fixed) > args.k:
        raise InvalidParameterError(
            f"{len(fixed)} --fixed colors do not fit in -k {args.k} (the fixed colors count toward k); raise -k or fix fewer colors")
    if fixed is not None and args.method != "kmeans":
        raise InvalidParameterError(f"--fixed works with --method kmeans only, got --method {args.method}")
    if getattr(args, "max_frame_pixels", None) is not None and args.max_frame_pixels < 1:
        raise InvalidParameterError(f"--max-frame-pixels must be a whole number of at least 1, got {args.max_frame_pixels}")


def _background(args):
    """``--background`` as an RGB tuple, or None when not given."""
    if args.background is None:
        return None
    from ..color.parse import parse_color  # only options that name colors need the parser

    return parse_color(args.background, "--background")


def _fixed(args):
    return None if not args.fixed else [c for group in args.fixed for c in group]


def _ignored(args):
    return None if not args.ignore else [c for group in args.ignore for c in group]


# -- reading and masking ----------------------------------------------------------------------------


def _load(args, *, half_alpha: bool = False):
    """(image, alpha or None, mask or None) of a still IN, from one opening of the file; None when IN is an
    animation or a video. alpha only when IN has (partly) transparent pixels and no --background.
    ``half_alpha``: the output keeps half-transparent pixels (a picture all below --alpha-threshold is fine)."""
    if Path(args.input).suffix.lower() in VIDEO_SUFFIXES and Path(args.input).is_file():
        return None
    options = {} if args.max_pixels is None else {"max_pixels": args.max_pixels}
    background = _background(args)
    still = read_still(args.input, background=background, **options)
    if still is None:
        return None
    image, alpha = still
    if alpha is not None and alpha.min() == 255:
        alpha = None  # opaque: nothing to leave out or keep
    return image, alpha, _mask(args, image, alpha, half_alpha)


def _mask(args, image: np.ndarray, alpha, half_alpha: bool = False) -> np.ndarray | None:
    """The pixels to count (None: all), or InvalidParameterError when none is left, unless ``half_alpha`` (the
    output keeps half-transparent pixels) and some are."""
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
        from ..redraw.masks import ignore_mask  # only --ignore needs it

        keep = ignore_mask(image, _ignored(args), args.tolerance)
        mask = keep if mask is None else mask & keep
    if mask is not None and not mask.any() and not (half_alpha and has_partial_alpha(alpha)):
        raise InvalidParameterError(
            f"no pixel of {args.input!r} is left to count (transparent, masked out or ignored); "
            "lower --alpha-threshold, or loosen --mask, --ignore or --tolerance")
    return mask


def _fit(args, histogram, k_max: int = MAX_K):
    """(palette, label of each of the histogram's colors, or None) for one image's histogram, as -k, -k auto,
    --fixed and the mask ask; ``k_max``: the most colors the output holds."""
    fixed = _fixed(args)
    if args.k == "auto":
        from ..selection.smallest import smallest_k  # only -k auto needs it (and colorlab.metrics)

        found = smallest_k(histogram, min_psnr=args.min_psnr, max_delta_e=args.max_delta_e, min_ssim=args.min_ssim,
                           k_max=k_max, method=args.method,
                           seed=args.seed, space=args.space, fixed=fixed)
        figures = f"PSNR {found.psnr:.2f} dB" + (f", mean ΔE2000 {found.delta_e:.2f}" if args.max_delta_e is not None else "") \
            + (f", SSIM {found.ssim:.4f}" if args.min_ssim is not None else "")
        sys.stderr.write(f"k = {found.k} ({figures})\n")
        return found.palette, None
    return fit_histogram(histogram, min(args.k, k_max), method=args.method, seed=args.seed, space=args.space, fixed=fixed)


def _room_for_colors(args, given, transparent_entry: bool, suffix: str) -> int:
    """How many colors the output holds: 256, or 255 when an indexed file keeps one entry for its transparent
    pixels. ``-k 256`` then fits 255 colors (as pngquant's 256 counts the transparent entry), said in one line;
    a given palette of 256 colors is refused before any work."""
    if not transparent_entry:
        return MAX_K
    if given is not None and len(given) > MAX_K - 1:
        raise InvalidParameterError(
            f"{args.input!r} has transparent pixels, and an indexed {suffix} keeps one of its {MAX_K} entries for them, "
            f"but the palette {args.palette!r} has {len(given)} colors; give at most {MAX_K - 1}, or write --rgb "
            "(or .webp), which holds full transparency")
    if args.k == MAX_K:
        sys.stderr.write(f"note: {args.input!r} has transparent pixels: the {suffix} holds {MAX_K - 1} colors "
                         "and the transparent entry\n")
    return MAX_K - 1


# -- the commands -----------------------------------------------------------------------------------


def run_quantize(args) -> int:
    _check(args, quantize_command=True)
    output_format = SAVE_FORMATS.get(Path(args.output).suffix.lower())  # None: a video or .apng
    given = Palette.load(args.palette) if args.palette is not None else None
    # an indexed PNG keeps half-transparent pixels, unless --alpha-threshold is given or an option cuts alpha
    half_alpha, cut_by = output_format == "PNG" and not args.rgb and not args.alpha_cut, _alpha_cut_by(args, given)
    still = None if output_format is None else _load(args, half_alpha=half_alpha and cut_by is None)  # else: frames
    if still is None:
        return _run_animation(args, given)
    image, alpha, mask = still
    if alpha is not None and output_format not in ALPHA_FORMATS + INDEXED_FORMATS:
        raise InvalidParameterError(
            f"{args.input!r} has transparent pixels and a {Path(args.output).suffix} file holds no transparency; "
            "write .png (or .gif, .webp, .tif), or give --background COLOR")
    indexed = output_format in INDEXED_FORMATS and not (args.rgb and output_format not in INDEXED_ONLY_FORMATS)
    if half_alpha and alpha is not None and has_partial_alpha(alpha):
        if cut_by is None:
            return _run_half_transparent(args, image, alpha)
        sys.stderr.write(f"note: {args.input!r} has half-transparent pixels; with {cut_by} they become opaque or "
                         f"transparent at alpha {args.alpha_threshold} (--alpha-threshold)\n")
    transparent_entry = indexed and alpha is not None and bool((alpha < args.alpha_threshold).any())
    k_max = _room_for_colors(args, given, transparent_entry, Path(args.output).suffix.lower())
    histogram = color_histogram(image, mask=None if given is not None else mask)
    del image, mask  # the histogram's codes redraw every pixel: the decoded photo can go before the fit (12 MP: 36 MB)
    palette, color_labels = (given, None) if given is not None else _fit(args, histogram, k_max)
    labels = palette_labels(histogram, palette, dither=args.dither, dither_strength=args.dither_strength,
                            color_labels=color_labels)
    del histogram
    options = {"alpha": alpha, "threshold": args.alpha_threshold, "compress": args.compress}
    if indexed:
        save_indexed(args.output, labels, palette, **options)  # the indices as they are: no RGB image, no search
    else:
        save_image(args.output, np.take(palette.colors, labels, axis=0), **options)
    return 0


def _alpha_cut_by(args, given) -> str | None:
    """The option that keeps an indexed PNG from entries with their own alpha, or None."""
    for name, given_here in (("--palette", given is not None), ("--fixed", args.fixed), ("-k auto", args.k == "auto"),
                             ("--mask", args.mask), ("--ignore", args.ignore)):
        if given_here:
            return name
    return None


def _run_half_transparent(args, image, alpha) -> int:
    """An indexed PNG whose entries have their own alpha (colorlab.redraw.alpha): -k of them fitted on how the
    pixels look over black and over white, and the transparent one when some pixel is fully transparent."""
    from ..redraw.alpha import rgba_palette

    if args.dither != "none":
        sys.stderr.write(f"note: {args.input!r} has half-transparent pixels: the .png keeps them, with entries of their "
                         "own alpha, not dithered (give --alpha-threshold A to cut alpha at A and dither)\n")
    if args.fit_given:
        sys.stderr.write(f"note: {args.input!r} has half-transparent pixels: its palette is fitted on how they look over "
                         "black and over white, and --method and --space do not apply\n")
    clear = bool((alpha == 0).any())  # the transparent entry comes on top of -k, as in an opaque-or-clear file
    k_max = _room_for_colors(args, None, clear, ".png")
    labels, table = rgba_palette(image, alpha, min(args.k, k_max) + clear)
    save_indexed_rgba(args.output, labels, table, compress=args.compress)
    return 0


def _run_animation(args, given) -> int:
    from ..redraw import animation  # only animations and videos need it

    suffix = Path(args.output).suffix.lower()
    if suffix not in animation.ANIMATION_SUFFIXES:
        raise InvalidParameterError(
            f"{args.input!r} is an animation and a {suffix} file holds one picture; "
            f"end the output name with one of {', '.join(animation.ANIMATION_SUFFIXES)}")
    result = _animation_result(args, given)
    animation.save_animation(args.output, result)
    return 0


def _animation_result(args, given):
    from ..redraw import animation

    limit = getattr(args, "max_frame_pixels", None)
    options = {} if limit is None else {"max_frame_pixels": limit}
    if args.mask is not None:
        raise InvalidParameterError("--mask is for still images; for an animation use --ignore COLOR or its transparency")
    if args.min_ssim is not None:
        raise InvalidParameterError("--min-ssim is for still images; for an animation use --min-psnr or --max-delta-e")
    clip = animation.load_animation(args.input, **options)
    background = _background(args)
    per_frame = getattr(args, "per_frame", False)
    suffix = Path(args.output).suffix.lower() if args.command == "quantize" else ""  # palette: -o is a palette file
    transparent_entry = animation.indexed_with_one_table(suffix, per_frame) and background is None and clip.alpha is not None and \
        bool((clip.alpha < args.alpha_threshold).any())
    k_max = _room_for_colors(args, given, transparent_entry, suffix)
    k = None if given is not None else (args.k if args.k == "auto" else min(args.k, k_max))
    result = animation.quantize_animation(
        clip, k, palette=given, per_frame=per_frame,
        method=args.method, seed=args.seed, space=args.space, dither=getattr(args, "dither", "none"),
        dither_strength=getattr(args, "dither_strength", 1.0), fixed=_fixed(args),
        ignore=_ignored(args), tolerance=args.tolerance, alpha_threshold=args.alpha_threshold, background=background,
        min_psnr=args.min_psnr, max_delta_e=args.max_delta_e)
    if args.k == "auto":
        chosen = result.params["k"]
        sys.stderr.write(f"k = {chosen}\n" if not result.params["per_frame"] else
                         "k per frame = " + ", ".join(str(len(p)) for p in result.palettes) + "\n")
    return result


def run_palette(args) -> int:
    _check(args, quantize_command=False)
    still = _load(args)
    if still is None:
        # the palette of every frame together (what quantize gives all frames)
        palette = _animation_result(args, None).palettes[0]
    else:
        image, _, mask = still
        histogram = color_histogram(image, mask=mask)
        del image, mask, still
        palette, _ = _fit(args, histogram)
    if args.output is None:
        sys.stdout.write(palette.to_text(args.format))
        sys.stdout.flush()
    else:
        palette.save(args.output, format=args.format)
    return 0
