"""The pictures the explorer takes and makes outside the browser: an upload kept smaller, the files Export
writes (the quantized PNG, the palette files, the view as a figure) and the still picture a saved notebook
keeps.

The widget (:mod:`colorlab.explorer.app`) hands these what it shows: a photo and a
:class:`~colorlab.explorer.session.Result` of :mod:`colorlab.explorer.session`. The figures are
matplotlib's (:mod:`colorlab.plot`), imported when one is drawn.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np

from ..io.saving import png_bytes
from .session import Photo, Result
from .settings import EXPORT_FORMATS

__all__ = ["reduced", "export_files", "zipped", "figures_line", "view_figure", "view_png", "snapshot_png"]

#: The still picture's caption: what a saved notebook shows where no kernel drives the widget.
SNAPSHOT_CAPTION = ("A still picture of the explorer. With a running kernel, its controls (photo, k, method, seed, "
                    "space, dither) change it live.")


def reduced(image: np.ndarray, max_pixels: int | None) -> np.ndarray:
    """``image`` scaled down (Lanczos, aspect kept) to at most ``max_pixels``, or as it is.

    Examples
    --------
    >>> reduced(np.zeros((400, 600, 3), np.uint8), 60_000).shape
    (200, 300, 3)
    """
    height, width = image.shape[:2]
    if max_pixels is None or height * width <= max_pixels:
        return image
    from PIL import Image

    scale = (max_pixels / (height * width)) ** 0.5
    size = (max(1, int(width * scale)), max(1, int(height * scale)))
    return np.asarray(Image.fromarray(image).resize(size, Image.Resampling.LANCZOS))


def export_files(stem: str, photo: Photo, result: Result, quantized: np.ndarray, elev=None, azim=None) -> dict:
    """What Export writes: the indexed PNG of ``quantized``, the palette in each of
    :data:`~colorlab.explorer.settings.EXPORT_FORMATS` and the view (:func:`view_png`).

    Parameters
    ----------
    stem : str
        The files' names without their suffixes.
    photo : Photo
        The photo shown.
    result : Result
        What is shown for it.
    quantized : ndarray of uint8, shape (H, W, 3)
        The full-resolution quantized photo.
    elev, azim : float, optional
        The 3D view's angles in radians, as the browser has them.

    Returns
    -------
    dict
        {file name: bytes}, the PNG first.

    Raises
    ------
    ColorlabError
        When a file cannot be made (a palette too large for an indexed PNG, say).
    """
    return {
        f"{stem}.png": png_bytes(quantized, result.palette),
        **{f"{stem}.{fmt}": result.palette.to_text(fmt).encode() for fmt in EXPORT_FORMATS},
        f"{stem}-view.png": view_png(photo, result, elev, azim),
    }


def zipped(files: dict) -> bytes:
    """``files`` ({name: bytes}) as one ``.zip`` archive: browsers ask before a page downloads several files.

    Examples
    --------
    >>> len(zipped({"a.hex": b"#000000\\n"})) > 0
    True
    """
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in files.items():
            bundle.writestr(name, data)
    return archive.getvalue()


def figures_line(stats) -> str:
    """A result's MSE, PSNR and SSIM in one line, with the digits the browser's stats line gives them
    ("–": SSIM not measured). The number of colors is in the result's title beside it.

    Examples
    --------
    >>> figures_line({"mse": 41.234, "psnr": 31.98, "ssim": 0.91234, "colors_before": 12034, "colors_after": 6})
    'MSE 41.2 · PSNR 31.98 dB · SSIM 0.9123'
    >>> figures_line({"mse": 0.0, "psnr": float("inf"), "colors_before": 2, "colors_after": 2})
    'MSE 0.0 · PSNR ∞ dB · SSIM –'
    """
    psnr, ssim = stats["psnr"], stats.get("ssim", float("nan"))
    psnr_text = "∞" if np.isinf(psnr) else f"{psnr:.2f}"
    ssim_text = f"{ssim:.4f}" if np.isfinite(ssim) else "–"
    return f"MSE {stats['mse']:.1f} · PSNR {psnr_text} dB · SSIM {ssim_text}"


def view_figure(photo: Photo, result: Result, elev=None, azim=None, *, caption: str | None = None):
    """The explorer's view as a matplotlib Figure: the original and the quantized photo, titled with what the
    result is and its figures (:func:`figures_line`; its SSIM as ``result.stats`` has it), the palette with every
    swatch labelled, and the pixels with the palette in the RGB cube, turned to ``elev`` and ``azim`` (radians,
    as the browser's 3D view has them) when both are given."""
    import matplotlib

    from .. import plot

    with matplotlib.rc_context({"figure.dpi": 100}):
        from matplotlib.figure import Figure

        figure = Figure(figsize=(12, 5.5), layout="constrained")
        grid = figure.add_gridspec(2, 3, height_ratios=[4, 1])
        axes = (figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1]))
        plot.compare(photo.display, result.palette.colors[result.display_labels], ax=axes,
                     titles=("original", f"{result.title}\n{figures_line(result.stats)}"))
        plot.swatches(result.palette, ax=figure.add_subplot(grid[1, :2]))
        cube = figure.add_subplot(grid[:, 2], projection="3d")
        plot.rgb_scatter(photo.scatter, result.palette, ax=cube, max_points=5000)
        if elev is not None and azim is not None:
            cube.view_init(elev=float(np.degrees(elev)), azim=float(np.degrees(-azim)) - 90)
        cube.set_box_aspect((1, 1, 1), zoom=0.8)  # room for the axis names inside the figure
        if caption:
            figure.suptitle(caption, fontsize=11)
    return figure


def view_png(photo: Photo, result: Result, elev=None, azim=None, *, caption: str | None = None) -> bytes:
    """:func:`view_figure` as PNG bytes (at the figure's own 100 dpi)."""
    buffer = io.BytesIO()
    view_figure(photo, result, elev, azim, caption=caption).savefig(buffer, format="png")
    return buffer.getvalue()


def snapshot_png(explorer) -> bytes:
    """A labelled still picture of what ``explorer`` shows, for static pages (no kernel to drive the widget):
    :func:`view_png` with a caption that says so. Its SSIM is the one ``explorer.stats`` has (the widget
    measures it before it draws the still)."""
    result = explorer.result
    return view_png(explorer.session.photo(result.key.photo), result, caption=SNAPSHOT_CAPTION)
