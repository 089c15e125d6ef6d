"""The blog post's figures, regenerated from the bundled photos as PNG files.

The 2012 post quantized an outdoor photo with sky to 6 colors, showed the
original above the quantized image and plotted the 6 centroids in RGB space,
then did the same for a second photo with 4 colors. :func:`blog_figures`
redraws those four figures from ``rocket`` (k=6) and ``coffee`` (k=4).

Figures are built with :class:`matplotlib.figure.Figure` (not pyplot), so
making them leaves no open figures behind, and each file is written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..util.files import write_atomically
from ..errors import ImageFileError
from ..io.images import load_image
from ..redraw.quantize import reduce_colors

__all__ = ["BLOG_PHOTOS", "blog_figures"]

#: (bundled photo, k) pairs the blog's figures are made from: an outdoor photo with sky at 6 colors,
#: then a second photo at 4 colors.
BLOG_PHOTOS = (("rocket", 6), ("coffee", 4))

_DPI = 100


def _make_output_dir(out_dir: os.PathLike | str) -> Path:
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ImageFileError(f"cannot write figures to {str(out_dir)!r}: it is a file, not a folder; choose a folder") from None
    except OSError as err:
        raise ImageFileError(
            f"cannot create the folder {str(out_dir)!r}: {err.strerror or err}; choose another folder"
        ) from None
    return out_dir


def _save_figure(figure, path: Path) -> Path:
    return write_atomically(path, lambda tmp: figure.savefig(tmp, format="png", dpi=_DPI))


def _compare_figure(image, quantized, k: int):
    from matplotlib.figure import Figure

    from .figures import compare

    height, width = image.shape[:2]
    figure = Figure(figsize=(6.4, 2 * 6.4 * height / width + 0.8), layout="constrained")
    axes = figure.subplots(2, 1)
    compare(image, quantized, ax=axes, titles=("original", f"quantized, k = {k} colors"))
    return figure


def _rgb_figure(image, palette, name: str, seed):
    from matplotlib.figure import Figure

    from .figures import rgb_scatter

    figure = Figure(figsize=(6.4, 6.4), layout="constrained")
    ax = figure.add_subplot(projection="3d")
    rgb_scatter(image, palette, ax=ax, seed=seed)
    ax.set_title(f"{name}: pixels and the {len(palette)} palette colors in RGB space")
    return figure


def blog_figures(out_dir: os.PathLike | str, *, seed=0, method: str = "kmeans") -> list[Path]:
    """Write the blog's four figures as PNG files into ``out_dir`` and return their paths.

    For each of :data:`BLOG_PHOTOS` (``rocket`` at k=6, ``coffee`` at k=4) it
    fits a palette, quantizes the photo and writes ``<photo>_k<k>_compare.png``
    (original above quantized) and ``<photo>_k<k>_rgb.png`` (pixels and palette
    colors in 3D RGB space).

    Parameters
    ----------
    out_dir : path-like
        Folder for the PNG files; created (with its parents) when missing.
        Existing files of the same names are replaced atomically.
    seed : int, default 0
        Seed of the clustering and of the pixel sample in the 3D plots.
    method : str, default "kmeans"
        Clustering method passed to :func:`colorlab.fit_palette`.
        ``method="scipy"`` reproduces the blog's exact call
        (``scipy.cluster.vq.kmeans`` then ``vq``) but is much slower.

    Returns
    -------
    list of pathlib.Path
        The four files written, in the order compare, rgb for each photo.

    Raises
    ------
    ImageFileError
        If ``out_dir`` is a file or cannot be created, or a file cannot be written.

    Examples
    --------
    >>> BLOG_PHOTOS
    (('rocket', 6), ('coffee', 4))
    >>> import tempfile
    >>> paths = blog_figures(tempfile.mkdtemp())  # doctest: +SKIP
    >>> [p.name for p in paths]  # doctest: +SKIP
    ['rocket_k6_compare.png', 'rocket_k6_rgb.png', 'coffee_k4_compare.png', 'coffee_k4_rgb.png']
    """
    out_dir = _make_output_dir(out_dir)
    written = []
    for name, k in BLOG_PHOTOS:
        image = load_image(name)
        quantized, palette = reduce_colors(image, k, method=method, seed=seed)
        written.append(_save_figure(_compare_figure(image, quantized, k), out_dir / f"{name}_k{k}_compare.png"))
        written.append(_save_figure(_rgb_figure(image, palette, name, seed), out_dir / f"{name}_k{k}_rgb.png"))
    return written
