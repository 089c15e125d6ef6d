"""The colors of a collection of photos: distances between palettes, groups, color search, one palette for all.

These work on the table :func:`colorlab.batch` returns (its ``path``, ``colors`` and ``shares``
columns; rows with an ``error`` are left out). A *weighted palette* is a few colors with the share
of the pixels each one stands for. Computation only: the pictures are in
:mod:`colorlab.plot.collection`.

- :func:`palette_distance`: the earth mover's distance (EMD) between two weighted palettes in
  OKLab: the least "color mass times distance" to move to turn one palette into the other.
- :func:`distance_matrix` and :func:`group_photos`: the EMD between every pair of photos, and
  the hierarchical clustering (``scipy.cluster.hierarchy``) that groups photos with alike palettes.
- :func:`find_color`: the photos whose palettes hold a given color most.
- :func:`collection_palette`: one k-color palette for the whole collection, fitted to the
  weighted union of all palettes (every photo counts the same).

Examples
--------
>>> import colorlab
>>> table = colorlab.batch(["rocket", "coffee", "chelsea"], 4, workers=1, progress=False)
>>> distances = distance_matrix(table)
>>> distances.shape, bool((distances == distances.T).all()), float(distances[0, 0])
((3, 3), True, 0.0)
"""

from __future__ import annotations

from ..util.extras import need

import os
from pathlib import Path

import numpy as np

from ..color.parse import parse_color, parse_hex
from ..color.spaces import to_space
from ..errors import InvalidParameterError
from ..palette.core import Palette

__all__ = [
    "example_photos", "kodak_folder", "photo_names", "worked", "hex_to_rgb", "palette_points", "palette_distance",
    "distance_matrix", "closest_pairs", "group_photos", "find_color", "collection_palette", "thumbnails", "barcode_image",
]

#: Where the Kodak suite lives beside a checkout of colorlab (not in a user's clone).
KODAK_RELATIVE = Path("..") / "shared" / "datasets" / "kodak"


# -- which photos -----------------------------------------------------------------------------------

def kodak_folder() -> Path | None:
    """The folder of the 24 Kodak photos, ``../shared/datasets/kodak`` beside the checkout, or None.

    Looked for relative to the colorlab checkout (the folder holding ``colorlab/``) and to the
    working folder and its parent (a notebook runs in ``notebooks/``).
    """
    checkout = Path(__file__).resolve().parents[2]
    for base in (checkout, Path.cwd(), Path.cwd().parent):
        folder = (base / KODAK_RELATIVE).resolve()
        if folder.is_dir() and any(folder.glob("kodim*.png")):
            return folder
    return None


def example_photos() -> list[Path]:
    """The photos notebook 06 explores: the 24 Kodak photos when present, else the bundled ones.

    Examples
    --------
    >>> len(example_photos()) in (6, 24)
    True
    """
    folder = kodak_folder()
    if folder is not None:
        return sorted(folder.glob("kodim*.png"))
    from ..io.samples import sample_path, samples

    return [sample_path(name) for name in samples()]


def photo_names(table) -> list[str]:
    """The file name of each row's photo (``kodim01.png`` for ``.../kodak/kodim01.png``)."""
    return [Path(str(path)).name for path in table["path"]]


def worked(table):
    """The rows of a batch table that have a palette (no ``error``), re-indexed from 0."""
    return table[table["error"].isna()].reset_index(drop=True)


# -- colors ------------------------------------------------------------------------------------------

def hex_to_rgb(codes) -> np.ndarray:
    """``'#rrggbb'`` codes as an (n, 3) uint8 array (read by :func:`colorlab.color.parse.parse_hex`).

    Examples
    --------
    >>> hex_to_rgb(["#ff8000", "#000000"]).tolist()
    [[255, 128, 0], [0, 0, 0]]
    """
    return np.array([parse_hex(code) for code in codes], dtype=np.uint8).reshape(-1, 3)


def palette_points(table, *, space: str = "oklab"):
    """Every palette color of every photo, one row each: for 3D pictures and searches.

    Returns
    -------
    pandas.DataFrame
        Columns ``photo`` (row number in ``worked(table)``), ``path``, ``rank`` (0 = most used),
        ``hex``, ``share``, ``r``, ``g``, ``b`` (0..255) and ``x``, ``y``, ``z``: the color's
        coordinates in ``space``.
    """
    pd = need("pandas", "batch", "a table of palettes")

    rows = worked(table)
    records = []
    for photo, row in rows.iterrows():
        for rank, (code, share) in enumerate(zip(row["colors"], row["shares"])):
            records.append((photo, row["path"], rank, code, float(share)))
    points = pd.DataFrame(records, columns=["photo", "path", "rank", "hex", "share"])
    rgb = hex_to_rgb(points["hex"]) if len(points) else np.zeros((0, 3), np.uint8)
    coords = to_space(rgb, space) if len(points) else np.zeros((0, 3))
    for i, name in enumerate("rgb"):
        points[name] = rgb[:, i].astype(int)
    for i, name in enumerate("xyz"):
        points[name] = coords[:, i]
    return points


# -- distances between palettes ---------------------------------------------------------------------

def _weights(shares) -> np.ndarray:
    weights = np.asarray(shares, dtype=np.float64)
    if weights.ndim != 1 or weights.size == 0 or (weights < 0).any() or weights.sum() <= 0:
        raise InvalidParameterError("shares must be one non-negative number per color, not all zero")
    return weights / weights.sum()


def palette_distance(colors_a, shares_a, colors_b, shares_b, *, space: str = "oklab") -> float:
    """The earth mover's distance between two weighted palettes, in ``space`` units.

    Each palette is a pile of "color mass" (its shares, normalised to 1) at its colors. The
    distance is the least total mass times distance needed to move one pile onto the other,
    found as a transport problem with ``scipy.optimize.linprog`` (HiGHS). It is 0 for the same
    palette, symmetric, obeys the triangle inequality, and compares palettes of different sizes.
    colorlab's OKLab is scaled by 100 (L from 0 to 100, see :func:`colorlab.color.spaces.to_space`):
    a distance of about 2 is a just visible difference, black to white is 100.

    Parameters
    ----------
    colors_a, colors_b : sequence of '#rrggbb' or (n, 3) uint8 array
    shares_a, shares_b : sequence of float
        One share per color (normalised here).
    space : {"oklab", "lab", "rgb"}

    Examples
    --------
    >>> round(palette_distance(["#000000"], [1], ["#000000", "#ffffff"], [0.5, 0.5]), 6)  # half the mass moves 100
    50.0
    """
    from scipy.optimize import linprog

    points = []
    for colors in (colors_a, colors_b):
        rgb = hex_to_rgb(colors) if len(colors) and isinstance(colors[0], str) else np.asarray(colors, np.uint8)
        points.append(to_space(rgb.reshape(-1, 3), space))
    a, b = _weights(shares_a), _weights(shares_b)
    if len(a) != len(points[0]) or len(b) != len(points[1]):
        raise InvalidParameterError("give one share per color")
    cost = np.linalg.norm(points[0][:, None, :] - points[1][None, :, :], axis=-1)
    n, m = cost.shape
    # flows f[i, j] >= 0 with rows summing to a and columns to b (the last column sum follows from the rest)
    rows = np.kron(np.eye(n), np.ones((1, m)))
    cols = np.kron(np.ones((1, n)), np.eye(m))[:-1]
    result = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([a, b[:-1]]),
                     bounds=(0, None), method="highs")
    if result.status != 0:  # pragma: no cover - a transport problem always has a solution
        raise RuntimeError(f"linprog could not solve the transport problem: {result.message}")
    return max(0.0, float(result.fun))


def distance_matrix(table, *, space: str = "oklab") -> np.ndarray:
    """The :func:`palette_distance` between every two photos of ``worked(table)``, an (n, n) array."""
    rows = worked(table)
    n = len(rows)
    distances = np.zeros((n, n))
    colors, shares = rows["colors"].tolist(), rows["shares"].tolist()
    for i in range(n):
        for j in range(i + 1, n):
            distances[i, j] = distances[j, i] = palette_distance(colors[i], shares[i], colors[j], shares[j],
                                                                 space=space)
    return distances


def group_photos(table, *, space: str = "oklab", method: str = "average", distances=None):
    """Hierarchical clustering of the photos by how alike their palettes are.

    Parameters
    ----------
    table : DataFrame from :func:`colorlab.batch`
    space : color space of the distances
    method : str, default "average"
        The linkage (``scipy.cluster.hierarchy.linkage``): "average" (UPGMA) suits any distance;
        "ward" assumes Euclidean distances, which the EMD is not.
    distances : (n, n) array, optional
        From :func:`distance_matrix` (computed when not given).

    Returns
    -------
    ndarray
        The linkage matrix, for ``scipy.cluster.hierarchy.dendrogram`` or ``fcluster``.

    Examples
    --------
    >>> import colorlab
    >>> table = colorlab.batch(["rocket", "coffee", "chelsea"], 3, workers=1, progress=False)
    >>> group_photos(table).shape
    (2, 4)
    """
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    if distances is None:
        distances = distance_matrix(table, space=space)
    if len(distances) < 2:
        raise InvalidParameterError("grouping needs at least 2 photos with a palette")
    return linkage(squareform(distances, checks=False), method=method)


def closest_pairs(table, distances, *, top: int = 3):
    """The ``top`` pairs of photos with the most alike palettes (smallest distance first), by file name.

    Examples
    --------
    >>> import colorlab
    >>> table = colorlab.batch(["rocket", "coffee", "chelsea"], 4, workers=1, progress=False)
    >>> pairs = closest_pairs(table, distance_matrix(table), top=1)
    >>> list(pairs.columns)
    ['first', 'second', 'distance']
    """
    pd = need("pandas", "batch", "a table of palettes")

    rows = worked(table)
    i, j = np.triu_indices(len(rows), k=1)
    order = np.argsort(distances[i, j], kind="stable")[:top]
    names = np.array(photo_names(rows), dtype=object)
    return pd.DataFrame({"first": names[i[order]], "second": names[j[order]], "distance": distances[i, j][order]})


# -- search by color ----------------------------------------------------------------------------------

def find_color(table, color, *, within: float = 10.0, space: str = "oklab"):
    """The photos whose palettes hold ``color`` most: the share of each photo near that color.

    A photo's score is the total share of its palette colors within ``within`` of ``color``
    (OKLab distance, scaled by 100: 10 is a clearly related shade, 2 a barely visible difference). Photos
    with no such color are left out; ties go to the photo whose nearest color is closer.

    Returns
    -------
    pandas.DataFrame
        Columns ``path``, ``share`` (0..1), ``nearest`` (the photo's closest palette color) and
        ``distance`` (to it), best first; the index is the photo's row in ``worked(table)``.

    Examples
    --------
    >>> import colorlab
    >>> table = colorlab.batch(["rocket", "coffee"], 6, workers=1, progress=False)
    >>> found = find_color(table, "#203050")  # a dark night blue
    >>> [p.split("/")[-1] for p in found["path"]]
    ['rocket.jpg']
    """
    pd = need("pandas", "batch", "a table of palettes")

    target = to_space(np.array([parse_color(color)], np.uint8), space)[0]
    points = palette_points(table, space=space)
    points["distance"] = np.linalg.norm(points[["x", "y", "z"]].to_numpy() - target, axis=1)
    near = points[points["distance"] <= within]
    if near.empty:
        return pd.DataFrame({"path": [], "share": [], "nearest": [], "distance": []})
    share = near.groupby("photo")["share"].sum()
    closest = points.loc[points.groupby("photo")["distance"].idxmin()].set_index("photo")
    found = pd.DataFrame({"path": closest.loc[share.index, "path"], "share": share,
                          "nearest": closest.loc[share.index, "hex"], "distance": closest.loc[share.index, "distance"]})
    return found.sort_values(["share", "distance"], ascending=[False, True], kind="stable").rename_axis(None)


# -- one palette for all --------------------------------------------------------------------------------

def collection_palette(table, k: int, *, space: str = "oklab", seed: int = 0, resolution: int = 10_000) -> Palette:
    """One k-color palette for the whole collection, from the weighted union of its palettes.

    Every photo counts the same: its palette colors are weighted by their shares, taken as
    ``round(share * resolution)`` copies of the color, and :func:`colorlab.fit_palette` clusters
    the union (in ``space``). The counts of the result are in units of ``1 / resolution`` photo,
    so its ``shares`` are the part of the collection each color stands for.

    Examples
    --------
    >>> import colorlab
    >>> table = colorlab.batch(["rocket", "coffee", "chelsea"], 6, workers=1, progress=False)
    >>> palette = collection_palette(table, 4)
    >>> len(palette), int(palette.counts.sum()) == 3 * 10_000
    (4, True)
    """
    from ..cluster.fit import fit_palette

    points = palette_points(table, space="rgb")
    if points.empty:
        raise InvalidParameterError("the table has no photo with a palette; check its error column")
    copies = np.rint(points["share"].to_numpy() * resolution).astype(np.int64)
    pixels = np.repeat(points[["r", "g", "b"]].to_numpy(np.uint8), copies, axis=0)
    return fit_palette(pixels, k, space=space, seed=seed)


# -- thumbnails and strips -------------------------------------------------------------------------------

def thumbnails(paths, *, height: int = 64) -> list[np.ndarray]:
    """Small copies of the photos (``height`` pixels high, aspect kept), (h, w, 3) uint8 arrays."""
    from PIL import Image

    from ..io.images import load_image

    small = []
    for path in paths:
        image = Image.fromarray(load_image(os.fspath(path)))
        width = max(1, round(image.width * height / image.height))
        small.append(np.asarray(image.resize((width, height), Image.Resampling.LANCZOS)))
    return small


def strip(colors, shares, *, width: int, height: int) -> np.ndarray:
    """A palette as a bar ``width`` pixels long: each color as wide as its share (most used first)."""
    rgb = hex_to_rgb(colors) if len(colors) else np.full((1, 3), 255, np.uint8)
    edges = np.rint(np.concatenate([[0], np.cumsum(_weights(shares if len(colors) else [1]))]) * width).astype(int)
    bar = np.empty((height, width, 3), np.uint8)
    for color, start, stop in zip(rgb, edges[:-1], edges[1:]):
        bar[:, start:stop] = color
    return bar


def barcode_image(table, thumbs, *, strip_width: int = 256, gap: int = 4) -> np.ndarray:
    """Thumbnail beside palette strip, one photo per band, stacked: the collection's palette "barcode".

    ``thumbs`` are :func:`thumbnails` of ``worked(table)["path"]`` (all the same height).
    """
    rows = worked(table)
    if len(thumbs) != len(rows):
        raise InvalidParameterError(f"give one thumbnail per photo with a palette ({len(rows)}), got {len(thumbs)}")
    height = thumbs[0].shape[0]
    thumb_width = max(t.shape[1] for t in thumbs)
    canvas = np.full((len(rows) * (height + gap) - gap, thumb_width + gap + strip_width, 3), 255, np.uint8)
    for i, (thumb, colors, shares) in enumerate(zip(thumbs, rows["colors"], rows["shares"])):
        top = i * (height + gap)
        canvas[top:top + height, :thumb.shape[1]] = thumb
        canvas[top:top + height, thumb_width + gap:] = strip(colors, shares, width=strip_width, height=height)
    return canvas
