"""The ``colorlab`` command line (also ``python -m colorlab``).

Commands
--------
``colorlab quantize IN -k 6 -o OUT.png [--method M] [--seed S] [--space SP] [--max-pixels N] [--compress C]``
    Redraw the photo IN with k colors and save it as OUT (.png, .jpg, ...: the suffix picks the format;
    ``--compress fast|default|small`` chooses how hard a .png is compressed, the pixels are the same).
    Also ``--palette FILE`` (redraw with a saved palette), ``-k auto --min-psnr DB | --max-delta-e DE``,
    ``--fixed COLORS``, ``--mask MASK.png``, ``--ignore COLORS --tolerance T``, ``--background COLOR``
    (transparency is kept otherwise), and animations/video (``--per-frame``, ``--max-frame-pixels``).
    Given neither ``--method`` nor ``--space``, k from 65 (256-color PNG8 and GIF) is fitted with
    ``wu-kmeans`` in OKLab (better to the eye than exact k-means in RGB, and than pngquant; see
    benchmarks/results/256.md), smaller k with exact ``kmeans`` in RGB; ``palette`` does the same.
``colorlab palette IN -k 6 [--format hex|json|gpl|css|ase|pal|png|svg] [-o FILE] [...]``
    Print the k colors of IN (most used first), or write them to FILE; the
    format follows FILE's suffix (.hex/.txt, .json, .gpl, .css, .ase, .pal, .png, .svg) unless given.
``colorlab batch IN... -k K -o OUT [--workers N | --scheduler ADDRESS] [--recursive] [--no-resume] [--quiet] [...]``
    Fit the k-color palette of every image in the files and folders IN and write one row per
    image to OUT (.csv, .jsonl or .parquet; see :func:`colorlab.batch`), with the method and space
    ``palette`` would choose for that k. Rows are saved as
    images finish; a rerun with the same OUT skips the images already done. Exit status 1 when
    some images failed (their rows say why; a last line counts them).
``colorlab figures --out DIR [--seed S] [--method M]``
    Regenerate the blog post's figures as PNG files in DIR (created, with its
    parents, when missing) and print one path per line.

IN is a file path or the name of a bundled photo (``rocket``, ``coffee``, ...).

Exit status: 0 on success; 1 when ``batch`` finished but some images failed; 2 for bad input (a missing or unreadable file, an
invalid option, an output that cannot be written), with exactly one line on
stderr starting with ``error:``; 130 when interrupted with Ctrl-C. Outputs are
written atomically: a file already at the output path is either replaced by a
complete new file or left as it was.

Examples
--------
>>> args = build_parser().parse_args(["quantize", "rocket", "-k", "6", "-o", "rocket6.png"])
>>> args.command, args.k, args.method  # None: chosen from k when the image is fitted (cli.inputs.choose_fit)
('quantize', 6, None)
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import warnings

from ..util.checks import seed_from_text
from ..util.extras import need
from ..util.files import check_output_path
from ..cluster.fit import MAX_K, METHODS, SPACES
from ..redraw.dither import DITHERS
from ..errors import ColorlabError, ColorlabWarning, ImageTooLargeError, InvalidParameterError
from ..io.images import DEFAULT_MAX_PIXELS
from ..io.saving import COMPRESS, SAVE_FORMATS
from .inputs import PERCEPTUAL_FROM_K, add_options as add_input_options, choose_fit, k_or_auto, k_type, number, run_palette, run_quantize
from ..palette.core import PALETTE_FORMATS

__all__ = ["main", "build_parser"]

#: Exit status of ``batch`` when some images failed (each has its row with the message).
EXIT_SOME_FAILED = 1
#: Exit status for bad input (same as argparse's usage errors).
EXIT_BAD_INPUT = 2
#: Exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it ($COLUMNS, then the terminal, else 80)."""
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout at the terminal's width, found without importing ``shutil`` (and its
    ``bz2`` and ``lzma``): argparse imports it for every formatter, which is every argument added, and
    the command line would pay 2 ms of its start for it."""

    def __init__(self, prog, **options):
        options.setdefault("width", _columns() - 2)  # argparse's own margin
        super().__init__(prog, **options)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one ``error:`` line on stderr (exit status 2)."""

    def __init__(self, *args, **options):
        options.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **options)

    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"error: {message}; see '{self.prog} --help'\n")


class _VersionAction(argparse.Action):
    """``--version``: print ``colorlab VERSION`` and exit; the version is looked up only then (importlib.metadata is slow to import)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="show the version of colorlab and exit"):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from .. import __version__

        parser._print_message(f"colorlab {__version__}\n", sys.stdout)
        parser.exit()


_k = k_type(auto=False)  # batch's -k: no auto


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        return seed_from_text(text)
    except InvalidParameterError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _add_fit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="IN", help="image file, or the name of a bundled photo (rocket, coffee, ...)")
    parser.add_argument("-k", "--colors", dest="k", type=k_or_auto, default=None, metavar="K",
                        help=f"number of colors, 1 to {MAX_K}, or auto (the smallest k that reaches --min-psnr "
                             "or --max-delta-e; the chosen k is printed on stderr); an indexed .png or .gif with "
                             f"transparent pixels keeps one of its {MAX_K} entries for them, so -k {MAX_K} gives "
                             f"{MAX_K - 1} colors there")
    parser.add_argument("--method", choices=METHODS, default=None,
                        help=f"clustering method (default: kmeans, exact k-means; from -k {PERCEPTUAL_FROM_K} with neither "
                             "--method nor --space: wu-kmeans in oklab, Wu's box cuts and a short k-means, which looks "
                             "better than exact k-means in rgb and than pngquant at PNG8/GIF sizes)")
    parser.add_argument("--seed", type=_seed, default=0, help="random seed of the clustering (default: 0)")
    parser.add_argument("--space", choices=SPACES, default=None,
                        help=f"color space to cluster in (default: rgb; oklab from -k {PERCEPTUAL_FROM_K} when --method "
                             "is not given either)")
    parser.add_argument("--max-pixels", type=_positive_int, default=None, metavar="N",
                        help=f"refuse images with more than N pixels (default: {DEFAULT_MAX_PIXELS:_})")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``colorlab`` command."""
    parser = _Parser(prog="colorlab", description="Color quantization by clustering: palettes and quantized images.")
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    quantize_cmd = commands.add_parser("quantize", help="redraw an image with k colors",
                                       description="Redraw an image with its k most representative colors.")
    _add_fit_options(quantize_cmd)
    quantize_cmd.add_argument("-o", "--output", required=True, metavar="OUT",
                              help="output image: .png (lossless) or .jpg, also " + ", ".join(sorted(set(SAVE_FORMATS) - {".png", ".jpg"})) + " (never the input file)")
    quantize_cmd.add_argument("--rgb", action="store_true",
                              help="write a .png as 24-bit RGB; by default .png and .gif are written as indexed "
                                   "images (the palette plus one small index per pixel: the same pixels, a smaller file)")
    quantize_cmd.add_argument("--compress", choices=COMPRESS, default="default",
                              help="how hard to compress a .png; the pixels are the same: fast, default (files about "
                                   "the size of pngquant's), small (slowest; also runs oxipng or zopflipng when "
                                   "installed) (default: default)")
    quantize_cmd.add_argument("--dither", choices=DITHERS, default="none",
                              help="spread the quantization error over neighbouring pixels (default: none); "
                                   "floyd-steinberg diffuses it in the --space, serpentine, less on edges and in flat areas")
    quantize_cmd.add_argument("--dither-strength", type=number, default=1.0, metavar="S",
                              help="with --dither floyd-steinberg: the share of the error passed on, 0 (none) to 1; "
                                   "lower gives a quieter pattern and a smaller file (default: 1)")
    add_input_options(quantize_cmd, quantize_command=True)
    quantize_cmd.set_defaults(run=run_quantize)  # colorlab.cli.inputs: every check of the command, then the work

    palette_cmd = commands.add_parser("palette", help="print the k colors of an image",
                                      description="Find the k colors that best represent an image.")
    _add_fit_options(palette_cmd)
    palette_cmd.add_argument("--format", choices=tuple(PALETTE_FORMATS), default=None,
                             help="hex (one color a line), json, gpl (GIMP palette), css (custom properties), "
                                  "ase (Adobe Swatch Exchange), pal (JASC-PAL), png or svg (a swatch picture); "
                                  "default: from the -o suffix, else hex")
    palette_cmd.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE instead of stdout")
    add_input_options(palette_cmd, quantize_command=False)
    palette_cmd.set_defaults(run=run_palette)

    batch_cmd = commands.add_parser(
        "batch", help="the palettes of many images, as a table",
        description="Fit the k-color palette of every image in files and folders, in parallel, and write one row "
                    "per image to a table (CSV, JSON lines or Parquet). Safe to stop (Ctrl-C) and run again.")
    batch_cmd.add_argument("inputs", nargs="+", metavar="IN", help="image files and folders of images")
    batch_cmd.add_argument("-k", "--colors", dest="k", type=_k, required=True, metavar="K",
                           help=f"number of colors per image, 1 to {MAX_K}")
    batch_cmd.add_argument("-o", "--output", required=True, metavar="OUT",
                           help="the table: .csv (colors and shares space-separated), .jsonl or .parquet")
    batch_cmd.add_argument("--method", choices=METHODS, default=None,
                           help=f"clustering method (default: kmeans; from -k {PERCEPTUAL_FROM_K} with neither --method nor "
                                "--space: wu-kmeans in oklab, as quantize and palette)")
    batch_cmd.add_argument("--seed", type=_seed, default=0, help="random seed, the same for every image (default: 0)")
    batch_cmd.add_argument("--space", choices=SPACES, default=None,
                           help=f"color space to cluster in (default: rgb; oklab from -k {PERCEPTUAL_FROM_K} when --method "
                                "is not given either)")
    batch_cmd.add_argument("--max-pixels", type=_positive_int, default=None, metavar="N",
                           help=f"give images with more than N pixels an error row (default: {DEFAULT_MAX_PIXELS:_})")
    batch_cmd.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                           help="local worker processes (default: the number of cores; 1: no extra process)")
    batch_cmd.add_argument("--scheduler", default=None, metavar="ADDRESS",
                           help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs dask distributed; every "
                                "worker needs colorlab and read access to the images at the same paths)")
    batch_cmd.add_argument("--recursive", action="store_true", help="also take the images in subfolders")
    batch_cmd.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                           help="skip the images OUT already has a row for (default); --no-resume recomputes all")
    batch_cmd.add_argument("--quiet", action="store_true", help="no progress and no summary (failures still get a line)")
    batch_cmd.set_defaults(run=_run_batch, fixed=None)  # no --fixed: choose_fit reads it as not given

    figures_cmd = commands.add_parser("figures", help="regenerate the blog post's figures",
                                      description="Regenerate the blog post's figures from bundled photos as PNGs.")
    figures_cmd.add_argument("--out", required=True, metavar="DIR",
                             help="folder for the PNG files (created when missing)")
    figures_cmd.add_argument("--method", choices=METHODS, default="kmeans",
                             help="clustering method (default: kmeans; scipy is the blog's exact call, slow)")
    figures_cmd.add_argument("--seed", type=_seed, default=0, help="random seed (default: 0)")
    figures_cmd.set_defaults(run=_run_figures)
    return parser


# -- the commands (quantize and palette: colorlab.cli.inputs) -------------------


def _dask_client(address: str):
    Client = need("distributed", "dask", "--scheduler").Client
    try:
        return Client(address, timeout="10s")
    except Exception as err:  # OSError, TimeoutError, ValueError for a malformed address
        reason = " ".join(str(err).split())[:200] or type(err).__name__
        raise InvalidParameterError(
            f"cannot reach the Dask scheduler at {address!r} ({reason}); check the address, or start one with 'dask scheduler'"
        ) from None


def _run_batch(args) -> int:
    from ..collection.batch import batch, find_images, output_format

    if args.workers is not None and args.scheduler is not None:
        raise InvalidParameterError("give --workers or --scheduler, not both: with a scheduler its workers do the work")
    choose_fit(args)  # the same method and space as quantize and palette would use for this k
    output_format(args.output)  # before any work or any connection
    check_output_path(args.output)
    options = {} if args.max_pixels is None else {"max_pixels": args.max_pixels}
    client = None
    if args.scheduler is not None:
        find_images(args.inputs, recursive=args.recursive)  # a wrong input is reported before connecting
        client = _dask_client(args.scheduler)
    try:
        table = batch(args.inputs, args.k, method=args.method, seed=args.seed, space=args.space,
                      recursive=args.recursive, out=args.output, resume=args.resume, workers=args.workers,
                      client=client, progress=not args.quiet, **options)
    except KeyboardInterrupt:
        sys.stderr.write(f"interrupted: the finished rows are saved in {args.output}; "
                         "run the same command again to do the rest\n")
        raise
    finally:
        if client is not None:
            client.close()
    mine = table[table["path"].isin(table.attrs["inputs"])]
    failed = mine[mine["error"].notna()]
    if len(failed):
        first = failed.iloc[0]
        sys.stderr.write(_error_line(ColorlabError(
            f"{len(failed)} of {len(mine)} images failed; their messages are in the error column of {args.output} "
            f"(the first: {first['path']}: {first['error']})")))
        return EXIT_SOME_FAILED
    if not args.quiet:
        sys.stderr.write(f"colorlab batch: {len(mine)} images, none failed; the table is in {args.output}\n")
    return 0


def _run_figures(args) -> int:
    need("matplotlib", "plot", "colorlab figures")
    from ..plot.blog import blog_figures  # imports matplotlib: only for this command

    for path in blog_figures(args.out, seed=args.seed, method=args.method):
        print(path, flush=True)
    return 0


def _error_line(err: ColorlabError) -> str:
    message = str(err)
    if isinstance(err, ImageTooLargeError):
        # the library's advice names its keyword; on the command line the option is the way
        message = re.sub(r"pass max_pixels=(\d+) \(or None\) to load_image", r"run again with --max-pixels \1", message)
    return "error: " + " ".join(message.split()) + "\n"  # always one line


def _print_warning(message, category, filename, lineno, file=None, line=None):
    # colorlab's own warnings are for the user: one plain line, no source location
    if issubclass(category, ColorlabWarning):
        sys.stderr.write(f"warning: {message}\n")
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def main(argv=None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``) and return the exit status.

    Bad input gives status 2 and one ``error:`` line on stderr (usage errors
    too: the status is returned, not raised as ``SystemExit``, so callers in
    Python get it the same way); ``--help`` and ``--version`` return 0; Ctrl-C
    gives 130. Other exceptions are bugs and propagate with their traceback.
    """
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as done:  # argparse: a usage error (status 2), --help or --version (0)
            return 0 if done.code is None else done.code if isinstance(done.code, int) else EXIT_BAD_INPUT
        with warnings.catch_warnings():
            warnings.showwarning = _print_warning
            return args.run(args)
    except ColorlabError as err:
        sys.stderr.write(_error_line(err))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (e.g. `colorlab palette x | head -1`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # Python would flush stdout again at exit and fail on the closed pipe
        return 0
