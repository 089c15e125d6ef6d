"""Palette files: write and read every format :meth:`colorlab.Palette.save` knows.

========  ==================  ==============================================  ===============================
format    suffixes            what it is                                      shares kept by ``load``?
========  ==================  ==============================================  ===============================
``hex``   ``.hex``, ``.txt``  one ``#rrggbb`` a line                          no: every count is 1
``json``  ``.json``           colorlab's own: colors, counts, method, params  yes, and method/space/params
``gpl``   ``.gpl``            GIMP/Inkscape/Krita palette; the count follows  yes (counts); a GPL of
                              each color's name (``#rrggbb 41.2% 1234 px``)   another program: counts 1
``css``   ``.css``            CSS custom properties in ``:root``; the count   yes (counts); without the
                              in a comment after each color                   comments: counts 1
``ase``   ``.ase``            Adobe Swatch Exchange (binary, big-endian,      no: every count is 1
                              float32 RGB); Photoshop, Illustrator, Affinity
``pal``   ``.pal``            JASC-PAL (Paint Shop Pro, Aseprite,             no: every count is 1
                              GraphicsGale): ``r g b`` lines
``png``   ``.png``            a swatch picture: one bar per color, as wide    yes: the palette's JSON
                              as its share, labelled                          rides in a PNG text chunk
``svg``   ``.svg``            the same swatch picture as SVG                  yes: ``data-count`` on each bar
========  ==================  ==============================================  ===============================

A format that cannot hold shares gives every color a count of 1 on ``load`` (equal shares), and the
colors in the order of the file. Colors always come back exactly (ASE stores ``c / 255`` as float32,
read back as ``round(v * 255)``, which is exact for all 256 values).

numpy and Pillow only (the swatch PNG is drawn with Pillow); no matplotlib.

Examples
--------
>>> import tempfile, pathlib
>>> from colorlab import Palette
>>> palette = Palette([[200, 30, 30], [20, 20, 20]], counts=[3, 1], method="kmeans")
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> [Palette.load(palette.save(folder / f"p.{fmt}")).to_hex() for fmt in ("css", "ase", "pal")]
[['#c81e1e', '#141414'], ['#c81e1e', '#141414'], ['#c81e1e', '#141414']]
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
from pathlib import Path
import json

import numpy as np

from ..util.checks import SHOWN, shown
from ..util.files import write_atomically
from ..errors import ImageFileError, InvalidParameterError

# The writers take a colorlab.Palette (anything with its colors, counts, shares, method, space and
# to_hex/to_json); the readers return plain records, dicts of Palette's fields, which Palette.load builds.
__all__ = ["PALETTE_FORMATS", "TEXT_FORMATS", "format_of", "to_text", "to_bytes", "save", "load", "parse", "json_record"]

#: Formats and the file suffixes that select them.
PALETTE_FORMATS = {
    "hex": (".hex", ".txt"),
    "json": (".json",),
    "gpl": (".gpl",),
    "css": (".css",),
    "ase": (".ase",),
    "pal": (".pal",),
    "png": (".png",),
    "svg": (".svg",),
}
#: Formats that are text (they can go to stdout); the others are binary files.
TEXT_FORMATS = ("hex", "json", "gpl", "css", "pal", "svg")
#: The PNG text chunk that carries the palette's JSON in a swatch picture.
PNG_KEY = "colorlab-palette"
#: The largest palette file :func:`load` reads (bytes). A 256-color palette in any format, with
#: names, comments and parameters, takes well under 100 KB; the limit keeps a wrong file (a photo,
#: a disk image, a link to ``/dev/zero``) from filling the memory.
MAX_PALETTE_BYTES = 4_000_000


def _hex(text: str) -> tuple[int, int, int]:
    """One ``#rrggbb`` color of a palette file, read by the one color parser (imported here, when a palette file
    is read: the command line's start-up has no use for it)."""
    from ..color.parse import parse_hex

    return parse_hex(text)


def _suffix_list() -> str:
    suffixes = [s for sfx in PALETTE_FORMATS.values() for s in sfx]
    return ", ".join(suffixes[:-1]) + " or " + suffixes[-1]


def format_of(path, format: str | None = None) -> str:
    """The palette format of ``path``: ``format`` if given (checked), else the one its suffix names.

    Examples
    --------
    >>> format_of("colors.ASE")
    'ase'
    >>> format_of("colors.xyz")
    Traceback (most recent call last):
    ...
    colorlab.errors.InvalidParameterError: cannot tell the palette format of 'colors.xyz' from its suffix; use .hex, .txt, .json, .gpl, .css, .ase, .pal, .png or .svg
    """
    if format is not None:
        if format not in PALETTE_FORMATS:
            raise InvalidParameterError(f"unknown palette format {format!r}; choose one of {', '.join(PALETTE_FORMATS)}")
        return format
    suffix = Path(path).suffix.lower()
    for name, suffixes in PALETTE_FORMATS.items():
        if suffix in suffixes:
            return name
    raise InvalidParameterError(f"cannot tell the palette format of {str(path)!r} from its suffix; use {_suffix_list()}")


# --------------------------------------------------------------------------- writing


def _label(palette) -> str:
    return f"colorlab {palette.method} {len(palette)} colors"


def to_gpl(palette, name: str | None = None) -> str:
    lines = ["GIMP Palette", f"Name: {name or _label(palette)}", f"Columns: {min(len(palette), 8)}", "#"]
    for (r, g, b), hexcode, share, count in zip(palette, palette.to_hex(), palette.shares, palette.counts):
        lines.append(f"{r:3d} {g:3d} {b:3d}\t{hexcode} {100 * share:.1f}% {int(count)} px")
    return "\n".join(lines) + "\n"


def to_css(palette) -> str:
    lines = [f"/* {_label(palette)} (space {palette.space}), most used first: share and pixel count */", ":root {"]
    for index, (hexcode, share, count) in enumerate(zip(palette.to_hex(), palette.shares, palette.counts), 1):
        lines.append(f"  --color-{index}: {hexcode}; /* {100 * share:.1f}% {int(count)} px */")
    return "\n".join(lines + ["}"]) + "\n"


def to_pal(palette) -> str:
    # JASC-PAL: "JASC-PAL", version "0100", the number of colors, one "r g b" a line; CRLF as Paint Shop Pro writes it
    lines = ["JASC-PAL", "0100", str(len(palette))] + [f"{r} {g} {b}" for r, g, b in palette]
    return "\r\n".join(lines) + "\r\n"


def to_ase(palette) -> bytes:
    """Adobe Swatch Exchange 1.0: 'ASEF', version 1.0, one global RGB color block per color (no group)."""
    blocks = []
    for (r, g, b), hexcode, share in zip(palette, palette.to_hex(), palette.shares):
        name = f"{hexcode} {100 * share:.1f}%".encode("utf-16-be") + b"\0\0"
        body = struct.pack(">H", len(name) // 2) + name + b"RGB " + struct.pack(">fffH", r / 255, g / 255, b / 255, 0)
        blocks.append(struct.pack(">HI", 0x0001, len(body)) + body)
    return b"ASEF" + struct.pack(">HHI", 1, 0, len(blocks)) + b"".join(blocks)


def to_svg(palette) -> str:
    width, height, label_height = 600, 80, 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + label_height}" '
             f'viewBox="0 0 {width} {height + label_height}" font-family="sans-serif" font-size="11">',
             f"<title>{_label(palette)}</title>"]
    edges = _bar_edges(palette, width)
    for (left, right), hexcode, share, count in zip(edges, palette.to_hex(), palette.shares, palette.counts):
        parts.append(f'<rect x="{left}" y="0" width="{right - left}" height="{height}" fill="{hexcode}" '
                     f'data-count="{int(count)}"><title>{hexcode} {100 * share:.1f}%</title></rect>')
        if right - left >= 44:
            parts.append(f'<text x="{(left + right) / 2:g}" y="{height + 16}" text-anchor="middle">'
                         f"{hexcode} {100 * share:.0f}%</text>")
    return "\n".join(parts + ["</svg>"]) + "\n"


def _bar_edges(palette, width: int) -> list[tuple[int, int]]:
    """Left and right pixel edges of each color's bar: as wide as its share, at least 4 pixels."""
    shares = palette.shares if palette.counts.sum() else np.full(len(palette), 1 / len(palette))
    widths = np.maximum(shares * width, 4.0)
    edges = np.round(np.concatenate([[0], np.cumsum(widths)]) * width / widths.sum()).astype(int)
    return [(int(a), int(max(b, a + 1))) for a, b in zip(edges[:-1], edges[1:])]


def to_png(palette) -> bytes:
    from PIL import Image, ImageDraw, PngImagePlugin

    width, height, label_height = 600, 80, 24
    picture = Image.new("RGB", (width, height + label_height), "white")
    draw = ImageDraw.Draw(picture)
    for (left, right), color, hexcode, share in zip(_bar_edges(palette, width), palette, palette.to_hex(), palette.shares):
        draw.rectangle([left, 0, right - 1, height - 1], fill=color)
        if right - left >= 44:
            draw.text(((left + right) / 2, height + 12), f"{hexcode} {100 * share:.0f}%", fill="black", anchor="mm")
    info = PngImagePlugin.PngInfo()
    info.add_text(PNG_KEY, palette.to_json(indent=None))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def to_text(palette, format: str) -> str:
    """The palette as text in a text ``format`` (see :data:`TEXT_FORMATS`)."""
    if format == "hex":
        return "\n".join(palette.to_hex()) + "\n"
    if format == "json":
        return palette.to_json() + "\n"
    writers = {"gpl": to_gpl, "css": to_css, "pal": to_pal, "svg": to_svg}
    if format in writers:
        return writers[format](palette)
    if format in PALETTE_FORMATS:
        raise InvalidParameterError(f"a {format} palette is a binary file, not text; write it to a file with save (-o FILE.{format})")
    raise InvalidParameterError(f"unknown palette format {format!r}; choose one of {', '.join(PALETTE_FORMATS)}")


def to_bytes(palette, format: str) -> bytes:
    """The bytes of a palette file in any ``format``."""
    if format == "ase":
        return to_ase(palette)
    if format == "png":
        return to_png(palette)
    return to_text(palette, format).encode("utf-8")


def save(palette, path, format: str | None = None) -> Path:
    """Write ``palette`` to ``path`` atomically, in ``format`` or the one its suffix names."""
    format = format_of(path, format)
    if format in TEXT_FORMATS:
        text = to_text(palette, format)
        return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))
    data = to_bytes(palette, format)
    return write_atomically(path, lambda tmp: tmp.write_bytes(data))


# --------------------------------------------------------------------------- reading


def load(path, format: str | None = None, make=None):
    """Read a palette file written by :func:`save` (or by another program, in the same formats).

    Returns ``make(record)`` (:meth:`colorlab.Palette.load` passes the class), or the record itself: a dict
    of ``colors``, ``counts``, ``method``, ``space`` and ``params``.

    Raises
    ------
    ImageFileError
        If the file is missing, a folder or unreadable.
    InvalidParameterError
        If the suffix names no format, or the file is empty or corrupt (the message says which).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidParameterError(f"path must be a palette file name such as 'colors.gpl', got {type(path).__name__}")
    path = Path(path)
    format = format_of(path, format)
    label = repr(str(path))
    return parse(_read_regular_file(path, label), format, label, make)


def _read_regular_file(path: Path, label: str) -> bytes:
    """The bytes of the regular file ``path``, at most :data:`MAX_PALETTE_BYTES` of them.

    A device, a pipe or a socket is refused before it is opened: reading a FIFO waits for a writer
    for ever and ``/dev/zero`` never ends.
    """
    try:
        mode, size = (lambda st: (st.st_mode, st.st_size))(path.stat())
    except FileNotFoundError:
        raise ImageFileError(f"cannot read the palette {label}: there is no such file; check the name and folder") from None
    except (OSError, ValueError) as err:
        raise ImageFileError(f"cannot read the palette {label}: {getattr(err, 'strerror', None) or err}; check the path") from None
    if stat.S_ISDIR(mode):
        raise ImageFileError(f"cannot read the palette {label}: it is a folder; give a palette file inside it")
    if not stat.S_ISREG(mode):
        raise ImageFileError(f"cannot read the palette {label}: it is a device, a pipe or a socket, not a file; "
                             "give a palette file such as 'colors.gpl'")
    too_big = ImageFileError(f"cannot read the palette {label}: it is larger than {MAX_PALETTE_BYTES:,} bytes, "
                             "far more than any palette file; check that it is a palette")
    if size > MAX_PALETTE_BYTES:
        raise too_big
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_PALETTE_BYTES + 1)  # a file that grew since stat still stops here
    except OSError as err:
        raise ImageFileError(f"cannot read the palette {label}: {err.strerror or err}; check the file") from None
    if len(data) > MAX_PALETTE_BYTES:
        raise too_big
    return data


def parse(data: bytes, format: str, label: str = "the palette data", make=None):
    """The record of the bytes of a palette file in ``format`` (see :func:`load`), or ``make(record)``."""
    make = make or (lambda record: record)
    if not data.strip():
        raise InvalidParameterError(f"the palette file {label} is empty; write one with colorlab palette IN -k K -o FILE")
    readers = {"ase": _read_ase, "png": _read_png}
    try:
        if format in readers:
            return make(readers[format](data))
        text = data.decode("utf-8-sig")
        readers = {"json": json_record, "hex": _read_hex, "gpl": _read_gpl, "css": _read_css, "pal": _read_pal,
                   "svg": _read_svg}
        return make(readers[format](text))
    except _Corrupt as err:
        raise InvalidParameterError(f"the palette file {label} is not a valid {format} palette ({err}); write it again") from None
    except UnicodeDecodeError:
        raise InvalidParameterError(f"the palette file {label} is not a text {format} palette (it is binary); check the suffix") from None
    except InvalidParameterError as err:
        raise InvalidParameterError(f"the palette file {label} is not a valid {format} palette ({err}); write it again") from None


class _Corrupt(Exception):
    """What is wrong inside a palette file (turned into an InvalidParameterError naming the file)."""


def _record(colors, counts=None, method="file", space="rgb", params=None) -> dict:
    if not colors:
        raise _Corrupt("it holds no colors")
    counts = [1] * len(colors) if counts is None or any(c is None for c in counts) else counts
    try:
        colors, counts = np.array(colors, dtype=np.int64), np.array(counts, dtype=np.int64)
    except (OverflowError, ValueError, TypeError):
        raise _Corrupt("a color or a count is not a whole number of a usable size") from None
    return {"colors": colors, "counts": counts, "method": method, "space": space, "params": params or {}}


def json_record(text: str) -> dict:
    """The record of colorlab's palette JSON (:meth:`colorlab.Palette.to_json`)."""
    try:
        data = json.loads(text)
        entries = data["colors"]
        colors, counts = [entry["rgb"] for entry in entries], [entry["count"] for entry in entries]
        method, space, params = data.get("method", "manual"), data.get("space", "rgb"), data.get("params", {})
    except RecursionError:  # json's parser recurses once per level of [ or {
        raise InvalidParameterError("not a colorlab palette JSON (it is nested too deeply); write one with Palette.to_json()") from None
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        reason = " ".join(str(err).split())
        reason = reason if len(reason) <= 2 * SHOWN else reason[:2 * SHOWN] + "..."
        raise InvalidParameterError(f"not a colorlab palette JSON ({reason}); write one with Palette.to_json()") from None
    try:
        return _record(colors, counts, method, space, params)
    except _Corrupt as err:
        raise InvalidParameterError(f"not a colorlab palette JSON ({err}); write one with Palette.to_json()") from None


def _read_hex(text: str) -> dict:
    colors = [_hex(line.split()[0]) for line in text.splitlines() if line.strip() and not line.lstrip().startswith(";")]
    return _record(colors)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _px_count(text: str):
    """The N of the first ``N px`` in a comment (as the regex ``(\\d+) px\\b`` finds it), or None.

    By hand, in one pass: that regex retries its ``\\d+`` from every digit of a long run of digits,
    which takes quadratic time (a 100,000-digit line: half a minute).
    """
    start = text.find(" px")
    while start >= 0:
        end = start + 3
        if end == len(text) or not _is_word(text[end]):
            first = start
            while first > 0 and text[first - 1].isdigit():
                first -= 1
            if first < start:
                digits = text[first:start]
                return int(digits) if len(digits) <= 18 else None  # no count of pixels is longer
        start = text.find(" px", start + 1)
    return None


def _read_gpl(text: str) -> dict:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "GIMP Palette":
        raise _Corrupt("the first line is not 'GIMP Palette'")
    colors, counts = [], []
    for line in lines[1:]:
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.split(":", 1)[0].rstrip() in ("Name", "Columns"):
            continue
        fields = stripped.split(None, 3)
        try:
            rgb = [int(v) for v in fields[:3]]
        except ValueError:
            raise _Corrupt(f"the line {shown(stripped)} does not start with three numbers R G B") from None
        if len(rgb) != 3 or not all(0 <= v <= 255 for v in rgb):
            raise _Corrupt(f"the line {shown(stripped)} does not start with three numbers 0..255")
        colors.append(rgb)
        counts.append(_px_count(fields[3]) if len(fields) > 3 else None)
    return _record(colors, counts)


_CSS_RGB = re.compile(r"rgb\(\s*(\d{1,3})[\s,]+(\d{1,3})[\s,]+(\d{1,3})\s*\)")
#: The longest value of a custom property read as a color (``rgb( 255 , 255 , 255 )`` and a margin).
_CSS_COLOR_CHARS = 64


def _css_property_value(declaration: str) -> str | None:
    """The value of the first ``--name: value`` in the text of one declaration (up to its ``;``), or None.

    Found from each colon backwards over the name, so every character is looked at a bounded number
    of times; a regex ``--[\\w-]+\\s*:`` restarts at every dash and is quadratic on long runs of them.
    """
    previous = 0
    colon = declaration.find(":")
    while colon >= 0:
        end = colon
        while end > previous and declaration[end - 1].isspace():
            end -= 1
        first = end
        while first > previous and (_is_word(declaration[first - 1]) or declaration[first - 1] == "-"):
            first -= 1
        dashes = declaration.find("--", first, end)
        if dashes >= 0 and dashes + 2 < end:
            return declaration[colon + 1:]
        previous = colon + 1
        colon = declaration.find(":", previous)
    return None


def _read_css(text: str) -> dict:
    colors, counts = [], []
    position, next_close, next_newline = 0, -1, -1
    while True:
        semicolon = text.find(";", position)
        if semicolon < 0:
            break
        value = _css_property_value(text[position:semicolon])
        position = semicolon + 1
        comment = None
        after = position
        while after < len(text) and text[after] in " \t":
            after += 1
        if text.startswith("/*", after):
            # the next "*/" and newline are found once and reused while they lie ahead: linear in all
            if next_close < after + 2:
                next_close = text.find("*/", after + 2)
                next_close = len(text) + 1 if next_close < 0 else next_close
            if next_newline < after:
                next_newline = text.find("\n", after)
                next_newline = len(text) + 1 if next_newline < 0 else next_newline
            if next_close < next_newline and next_close <= len(text):
                comment = text[after + 2:next_close]
                position = next_close + 2
        if value is None:
            continue
        value = value.strip()
        if not value or len(value) > _CSS_COLOR_CHARS:
            if value.startswith(("#", "rgb(")):
                raise _Corrupt(f"{shown(value)} is not a color")
            continue  # another custom property (a long font list, a data URL): not a color
        match = _CSS_RGB.fullmatch(value)
        if match:
            rgb = [int(v) for v in match.groups()]
            if max(rgb) > 255:
                raise _Corrupt(f"{shown(value)} has a value above 255")
        elif value.startswith("#"):
            rgb = _hex(value)
        else:
            continue  # another custom property (a length, a font): not a color
        colors.append(rgb)
        counts.append(_px_count(comment) if comment else None)
    return _record(colors, counts)


def _read_pal(text: str) -> dict:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 3 or lines[0] != "JASC-PAL":
        raise _Corrupt("it does not start with the lines 'JASC-PAL', '0100' and the number of colors")
    try:
        count = int(lines[2])
        colors = [[int(v) for v in line.split()[:3]] for line in lines[3:3 + count]]
    except ValueError:
        raise _Corrupt("a line that should hold a number or 'r g b' does not") from None
    if len(colors) != count:
        raise _Corrupt(f"it announces {count} colors but holds {len(colors)}")
    if any(len(c) != 3 or not all(0 <= v <= 255 for v in c) for c in colors):
        raise _Corrupt("a color line is not three numbers 0..255")
    return _record(colors)


def _read_ase(data: bytes) -> dict:
    if data[:4] != b"ASEF" or len(data) < 12:
        raise _Corrupt("it does not start with the 'ASEF' signature")
    (n_blocks,) = struct.unpack_from(">I", data, 8)
    offset, colors = 12, []
    try:
        for _ in range(n_blocks):
            kind, length = struct.unpack_from(">HI", data, offset)
            offset += 6
            if offset + length > len(data):
                raise _Corrupt("a block runs past the end of the file (truncated?)")
            if kind == 0x0001:
                colors.append(_ase_color(data[offset:offset + length]))
            offset += length  # group start (0xc001) and end (0xc002) blocks hold no color
    except struct.error:
        raise _Corrupt("the file ends in the middle of a block (truncated?)") from None
    return _record(colors)


def _ase_color(block: bytes) -> list[int]:
    (name_units,) = struct.unpack_from(">H", block, 0)
    offset = 2 + 2 * name_units
    model = block[offset:offset + 4]
    offset += 4
    if model == b"RGB ":
        values = struct.unpack_from(">fff", block, offset)
    elif model == b"Gray":
        values = struct.unpack_from(">f", block, offset) * 3
    else:
        raise _Corrupt(f"a color is in the {model.decode('latin-1').strip()} model; colorlab reads RGB and Gray swatches, "
                       "convert the swatches to RGB first")
    if not all(np.isfinite(v) and -0.001 <= v <= 1.001 for v in values):
        raise _Corrupt("a color has a value outside 0..1")
    return [int(round(min(max(v, 0.0), 1.0) * 255)) for v in values]


def _read_png(data: bytes) -> dict:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as picture:
            text = picture.info.get(PNG_KEY) if picture.format == "PNG" else None
    except Exception:  # noqa: BLE001 - any decoder failure means a broken file
        raise _Corrupt("it is not a PNG file") from None
    if text is None:
        raise _Corrupt(f"this PNG holds no colorlab palette (no {PNG_KEY!r} text chunk): only swatch pictures written "
                       "by colorlab can be read back; to take the colors of a picture, use colorlab palette IN -k K")
    return json_record(text)


def _attribute(tag: str, name: str) -> str | None:
    """The value of ``name="..."`` in one tag, or None (one pass: each search starts after the last)."""
    start = tag.find(f'{name}="')
    while start >= 0:
        if start == 0 or not (_is_word(tag[start - 1]) or tag[start - 1] == "-"):
            close = tag.find('"', start + len(name) + 2)
            return None if close < 0 else tag[start + len(name) + 2:close]
        start = tag.find(f'{name}="', start + 1)
    return None


def _read_svg(text: str) -> dict:
    colors, counts = [], []
    # each tag ends at a ">": split there, so no search runs past it (a regex <rect[^>]*> restarts at
    # every "<rect" of a file without ">" and rescans the rest: quadratic)
    for piece in text.split(">")[:-1]:
        start = piece.find("<rect")
        if start < 0 or (start + 5 < len(piece) and _is_word(piece[start + 5])):
            continue
        tag = piece[start:]
        fill = _attribute(tag, "fill")
        if fill is None:
            continue
        colors.append(_hex(fill))
        count = _attribute(tag, "data-count")
        counts.append(int(count) if count and count.isdigit() and len(count) <= 18 else None)
    return _record(colors, counts)
