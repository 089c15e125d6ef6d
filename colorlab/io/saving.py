"""Saving images atomically: RGB in any format Pillow writes, indexed PNG (colorlab's own writer,
:mod:`.png`) and GIF with a palette, transparency kept.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .._engine.codes import pack_rgb
from ..errors import ImageFileError, InvalidParameterError
from ..palette.core import Palette
from ..util.files import write_atomically
from . import png as _png
from .arrays import _as_array, as_image
from .png import COMPRESS  # the ``compress`` choices of save_image (and ``colorlab quantize --compress``)

__all__ = ["SAVE_FORMATS", "INDEXED_FORMATS", "ALPHA_FORMATS", "COMPRESS", "save_image", "save_indexed", "save_indexed_rgba",
           "png_bytes"]


#: File suffixes :func:`save_image` writes, and the Pillow format used for each.
SAVE_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".webp": "WEBP",
    ".ppm": "PPM",
    ".gif": "GIF",  # indexed only: save_image(..., palette=...)
}


_SAVE_OPTIONS = {"JPEG": {"quality": 95}, "WEBP": {"lossless": True}}


def save_image(path, image, *, palette=None, alpha=None, threshold: int = 128, compress: str = "default") -> Path:
    """Write an ``(H, W, 3)`` uint8 RGB image to ``path``, atomically; the suffix picks the format.

    PNG is lossless; JPEG is written at quality 95; see :data:`SAVE_FORMATS`
    for every suffix. The file appears complete or not at all: a file that
    already exists at ``path`` survives any failure.

    Parameters
    ----------
    path : str or path-like
        Where to write, e.g. ``"quantized.png"``.
    image : numpy.ndarray
        ``(H, W, 3)`` uint8 RGB.
    palette : Palette, optional
        Write an *indexed* image (``.png`` or ``.gif`` only): the file stores the
        palette's colors once and one small index per pixel (1, 2, 4 or 8 bits),
        which makes quantized PNGs several times smaller. Every pixel of ``image``
        must be one of the palette's colors (quantize it first with
        :func:`colorlab.quantize`); at most 256 colors (255 with ``alpha``).
    alpha : ndarray of uint8 or bool, shape (H, W), optional
        Transparency to keep (from :func:`load_image_alpha`; bool: True = opaque). With ``palette``
        the file gets one more palette entry, transparent (a PNG ``tRNS`` entry, a GIF
        transparent index), for the pixels whose alpha is below ``threshold``; the others are
        opaque. Without ``palette``, PNG, TIFF and WebP are written as RGBA with this alpha as it
        is; JPEG, BMP and PPM hold no transparency and are refused.
    threshold : int, default 128
        With ``palette`` and ``alpha``: pixels with alpha below it are transparent.
    compress : {"fast", "default", "small"}, default "default"
        How hard a PNG is compressed; the pixels are the same. Indexed PNGs (deflated by
        libdeflate): ``"fast"`` (level 1), ``"default"`` (level 6: files about 7% smaller than
        pngquant's in the median, at 16 and at 256 colors), ``"small"`` (level 12, then oxipng or
        zopflipng if one is installed). RGB
        PNGs: Pillow's compress level 1, 6 or 9. Other formats ignore it.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InvalidImageError
        If ``image`` is not ``(H, W, 3)`` uint8.
    ImageFileError
        If the suffix is not supported, or the file cannot be written.
    InvalidParameterError
        With ``palette``: more than 256 colors, a suffix that holds no palette,
        or pixels whose color is not in the palette; an unknown ``compress``.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "tiny.png"
    >>> image = np.zeros((2, 3, 3), np.uint8)
    >>> save_image(target, image).name
    'tiny.png'
    >>> from colorlab import load_image
    >>> bool((load_image(target) == image).all())
    True
    """
    image = as_image(image)
    path, fmt = _save_format(path)
    compress = _check_compress(compress)
    if palette is None and fmt in INDEXED_ONLY_FORMATS:
        raise InvalidParameterError(
            f"cannot write {str(path)!r}: a {path.suffix} file holds at most 256 colors; quantize the image and "
            "pass its palette (save_image(path, quantized, palette=palette)), or save as .png"
        )
    alpha = None if alpha is None else _check_alpha(alpha, image.shape[:2], path, fmt)
    if palette is not None:
        _check_indexed(palette, path, fmt)
        transparent = None if alpha is None else alpha < _check_threshold(threshold)
        table, alphas = _entries(palette, transparent, path)
        labels = _palette_labels(image, palette, None if alphas is None else transparent)
        return _write_indexed(path, fmt, labels, table, alphas, compress)
    from PIL import Image  # here: an indexed PNG, what the command line writes, needs none of Pillow

    if alpha is not None:
        rgba = np.concatenate([image, alpha[..., None]], axis=-1)
        picture = Image.fromarray(np.ascontiguousarray(rgba), "RGBA")
    else:
        picture = Image.fromarray(np.ascontiguousarray(image))
    options = dict(_SAVE_OPTIONS.get(fmt, {}), **({"compress_level": _RGB_PNG_LEVEL[compress]} if fmt == "PNG" else {}))
    return write_atomically(path, lambda tmp: picture.save(tmp, format=fmt, **options))


def save_indexed(path, labels, palette, *, alpha=None, threshold: int = 128, compress: str = "default") -> Path:
    """Write an indexed ``.png`` or ``.gif`` from each pixel's palette index, atomically (private).

    What :func:`save_image` writes for ``quantize(image, palette)`` with ``palette=``, from the
    labels :func:`colorlab.quantize` gives with ``return_labels=True``, without the RGB image
    and the search for each pixel's entry (the command line writes this way).

    Parameters
    ----------
    path : str or path-like
        A ``.png`` or ``.gif`` file name.
    labels : ndarray of uint8, shape (H, W)
        Index into ``palette.colors`` of every pixel.
    palette : Palette
        At most 256 colors (255 with transparency).
    alpha, threshold, compress
        As in :func:`save_image`.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path, fmt = _save_format(path)
    compress = _check_compress(compress)
    _check_indexed(palette, path, fmt)
    labels = np.asarray(labels)
    _check_labels(labels, len(palette))
    transparent = None if alpha is None else _check_alpha(alpha, labels.shape, path, fmt) < _check_threshold(threshold)
    table, alphas = _entries(palette, transparent, path)
    if alphas is not None:
        labels = np.where(transparent, np.uint8(len(palette)), labels)
    return _write_indexed(path, fmt, labels, table, alphas, compress)


def save_indexed_rgba(path, labels, table, *, compress: str = "default") -> Path:
    """Write an indexed ``.png`` whose palette entries have their own alpha, atomically.

    Parameters
    ----------
    path : str or path-like
        A ``.png`` file name (a GIF holds one transparent entry and no half-transparent ones).
    labels : ndarray of uint8, shape (H, W)
        The entry of every pixel.
    table : ndarray of uint8, shape (m, 4)
        R, G, B and alpha of the entries, 1 to 256 of them; the PNG's ``tRNS`` chunk lists the alpha up to the
        last see-through entry (:func:`colorlab.redraw.alpha.rgba_palette` puts those first).
    compress : {"fast", "default", "small"}, default "default"
        As in :func:`save_image`.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from colorlab.redraw.alpha import rgba_palette
    >>> image, alpha = np.full((2, 2, 3), 200, np.uint8), np.array([[0, 90], [180, 255]], np.uint8)
    >>> labels, table = rgba_palette(image, alpha, 256)
    >>> path = save_indexed_rgba(pathlib.Path(tempfile.mkdtemp()) / "soft.png", labels, table)
    >>> from PIL import Image
    >>> np.array_equal(np.asarray(Image.open(path).convert("RGBA"))[..., 3], alpha)
    True
    """
    path, fmt = _save_format(path)
    compress = _check_compress(compress)
    table = np.asarray(table)
    labels = np.asarray(labels)
    if fmt != "PNG":
        raise InvalidParameterError(f"entries with their own alpha need a .png file, not {path.suffix}")
    if table.dtype != np.uint8 or table.ndim != 2 or table.shape[1] != 4 or not 1 <= len(table) <= 256:
        raise InvalidParameterError(f"the table must be an (m, 4) uint8 RGBA array of 1 to 256 entries, got {table.shape}")
    _check_labels(labels, len(table))
    return _write_indexed(path, fmt, labels, np.ascontiguousarray(table[:, :3]), table[:, 3], compress)


def png_bytes(image, palette=None, *, compress: str = "default") -> bytes:
    """The PNG file :func:`save_image` writes for ``image`` (with ``palette``: indexed), in memory.

    :func:`colorlab.metrics.png_size` is its length.

    Examples
    --------
    >>> png_bytes(np.zeros((2, 2, 3), np.uint8))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    import io

    image = as_image(image, "image")
    compress = _check_compress(compress)
    buffer = io.BytesIO()
    if palette is None:
        from PIL import Image

        Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG", compress_level=_RGB_PNG_LEVEL[compress])
    else:
        _check_indexed(palette, Path("image.png"), "PNG")
        table = _entries(palette, None, Path("image.png"))[0]
        _png.write_indexed_png(buffer, _palette_labels(image, palette, None), table, compress=compress)
    return buffer.getvalue()


#: Formats that hold an alpha channel (RGBA) when written without a palette.
ALPHA_FORMATS = ("PNG", "TIFF", "WEBP")


_RGB_PNG_LEVEL = {"fast": 1, "default": 6, "small": 9}  # Pillow's compress_level (6 is its own default)


def _check_compress(compress) -> str:
    if not isinstance(compress, str) or compress not in COMPRESS:
        raise InvalidParameterError(f"compress must be one of {', '.join(map(repr, COMPRESS))}, got {compress!r}")
    return compress


def _save_format(path) -> tuple[Path, str]:
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidParameterError(f"path must be a file name such as 'out.png', got {type(path).__name__}")
    path = Path(path)
    fmt = SAVE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImageFileError(
            f"cannot write {str(path)!r}: colorlab does not know the suffix {path.suffix or '(none)'!r}; "
            f"end the file name with one of {', '.join(SAVE_FORMATS)}"
        )
    return path, fmt


def _check_threshold(threshold) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or not 1 <= threshold <= 255:
        raise InvalidParameterError(f"the alpha threshold must be a whole number from 1 to 255, got {threshold!r}")
    return int(threshold)


def _check_alpha(alpha, size: tuple, path: Path, fmt: str) -> np.ndarray:
    array = _as_array(alpha, "alpha")
    if array.dtype == np.bool_:
        array = np.where(array, np.uint8(255), np.uint8(0))
    if array.dtype != np.uint8 or array.shape != tuple(size):
        raise InvalidParameterError(
            f"alpha must be an (H, W) uint8 (or bool) array of the image's size {size[0]} x {size[1]}, "
            f"got {array.dtype} of shape {array.shape}"
        )
    if fmt not in ALPHA_FORMATS + INDEXED_FORMATS:
        raise InvalidParameterError(
            f"cannot keep transparency in {str(path)!r}: a {path.suffix} file holds none; "
            "write .png (or .gif, .webp, .tif), or put the image on a background color"
        )
    return array


#: Formats that can store a palette (an indexed image), and those that can store nothing else.
INDEXED_FORMATS = ("PNG", "GIF")


INDEXED_ONLY_FORMATS = ("GIF",)


def _check_indexed(palette, path: Path, fmt: str) -> None:
    if not isinstance(palette, Palette):
        raise InvalidParameterError(f"palette must be a colorlab.Palette, got {type(palette).__name__}")
    if fmt not in INDEXED_FORMATS:
        raise InvalidParameterError(
            f"cannot write {str(path)!r} with a palette: only .png and .gif files hold one; "
            "change the suffix or leave out palette="
        )
    if len(palette) > 256:
        raise InvalidParameterError(
            f"an indexed {path.suffix} holds at most 256 colors, but the palette has {len(palette)}; "
            "fit at most 256 colors, or save without palette= (full RGB)"
        )


def _palette_labels(image: np.ndarray, palette, transparent: np.ndarray | None) -> np.ndarray:
    """(H, W) uint8 palette index of every pixel; ``len(palette)`` (below 256) for the transparent ones."""
    if transparent is None or not transparent.any():
        return _palette_indices(image, palette.colors)
    # the transparent pixels' colors need not be in the palette: they all take the extra entry
    labels = np.full(image.shape[:2], len(palette), np.uint8)
    labels[~transparent] = _palette_indices(image[~transparent][None], palette.colors)[0]
    return labels


def _check_labels(labels: np.ndarray, entries: int) -> None:
    if labels.dtype != np.uint8 or labels.ndim != 2 or (labels.size and int(labels.max()) >= entries):
        raise InvalidParameterError(f"labels must be an (H, W) uint8 array of indices below {entries}")


def _entries(palette, transparent: np.ndarray | None, path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """The palette table to write and its entries' alpha: opaque, and a transparent entry more when some pixel
    is transparent (None: no pixel is)."""
    table = np.ascontiguousarray(palette.colors, np.uint8)
    if transparent is None or not transparent.any():
        return table, None
    if len(palette) + 1 > 256:
        raise InvalidParameterError(
            f"an indexed {path.suffix} with transparency holds at most 255 colors (one entry is the transparent one), "
            "but the palette has 256; fit at most 255 colors"
        )
    return np.vstack([table, np.zeros((1, 3), np.uint8)]), np.r_[np.full(len(palette), 255, np.uint8), np.uint8(0)]


def _write_indexed(path: Path, fmt: str, labels: np.ndarray, table: np.ndarray, alphas, compress: str) -> Path:
    """Write the indexed file; ``alphas``: each entry's alpha ((m,) uint8), or None when all are opaque. A GIF
    holds one transparent entry (alpha 0) and no half-transparent ones."""
    see_through = np.flatnonzero(alphas < 255) if alphas is not None else np.zeros(0, np.intp)
    if fmt == "PNG":
        transparency = bytes(alphas[:see_through[-1] + 1]) if len(see_through) else None  # tRNS: up to the last

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as stream:
                _png.write_indexed_png(stream, labels, table, transparency=transparency, compress=compress)
            if compress == "small":
                _png.optimise(tmp)

        return write_atomically(path, write)
    from PIL import Image

    picture = Image.fromarray(np.ascontiguousarray(labels))
    picture.putpalette(table.tobytes())  # makes it a "P" image
    options = {"transparency": int(see_through[0])} if len(see_through) else {}
    return write_atomically(path, lambda tmp: picture.save(tmp, format=fmt, **options))


def _palette_indices(image: np.ndarray, colors: np.ndarray) -> np.ndarray:
    """(H, W) uint8 index of each pixel's color in ``colors``; every pixel must match one exactly."""
    palette_codes = pack_rgb(colors)
    order = np.argsort(palette_codes, kind="stable")
    sorted_codes = palette_codes[order]
    codes = pack_rgb(image.reshape(-1, 3)).reshape(image.shape[:2])
    position = np.searchsorted(sorted_codes, codes).clip(max=len(sorted_codes) - 1)
    missing = sorted_codes[position] != codes
    if missing.any():
        r, g, b = image[missing][0]
        raise InvalidParameterError(
            f"the image has {int(missing.sum())} pixels whose color (e.g. #{r:02x}{g:02x}{b:02x}) is not in the "
            "palette; quantize it first with colorlab.quantize(image, palette)"
        )
    return order[position].astype(np.uint8)
