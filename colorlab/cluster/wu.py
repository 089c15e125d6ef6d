"""Wu's color quantizer (1991) as the seed of a short k-means: the ``"wu-kmeans"`` method of ``fit_palette``.

Wu's method cuts the RGB cube into k boxes. The image's distinct colors are counted on a coarse grid
(:data:`BITS` per channel), and cumulative moment tables of that grid (pixel count, coordinate sums,
sum of squared norms) give the count, mean and variance of any box in a constant number of lookups.
Starting from one box around every color, the box whose best cut removes the most variance is split
across the axis and at the plane that leave the least variance in its two halves, until there are k boxes. The
boxes are cut along the grid's RGB planes, but every variance is measured in the coordinates the fit
works in (OKLab for the perceptual path), so the seeds already minimize the error that will be judged.

The weighted means of the boxes start a few weighted Lloyd iterations with Hamerly's bounds
(``colorlab._engine.kmeans.weighted_lloyd``), first on the means of a 6-bit grid's cells, then on the
distinct colors, which move them toward a local minimum of the same error (not to convergence). Wu's boxes are deterministic: the method ignores the seed.

The moment table and the cuts run compiled (``_kernels.wu_moments`` and ``_kernels.wu_cuts`` in
``colorlab/_engine/engine.c``): in numpy, the 2k best-cut searches cost 40-50 ms at k = 256 in Python
overhead, most of a 0.4-megapixel fit, and the table five passes over the colors; in C, about 1 ms each.
``tests/kernels_reference.py`` holds both in numpy, and the tests check they agree bit for bit.

Private module of :mod:`colorlab.cluster`.

Examples
--------
>>> import numpy as np
>>> colors = np.array([[0, 0, 0], [8, 8, 8], [200, 0, 0], [208, 0, 0]], np.uint8)
>>> box, means, weights = wu_boxes(colors, colors.astype(float), np.array([1.0, 1, 1, 1]), 2)
>>> box.tolist(), means.tolist(), weights.tolist()
([0, 0, 1, 1], [[4.0, 4.0, 4.0], [204.0, 0.0, 0.0]], [2.0, 2.0])
"""

from __future__ import annotations

import numpy as np

from .._engine import kernels as _kernels
from .._engine import kmeans as _kmeans
from .._engine import threads as _threads

__all__ = ["BITS", "FINE_BITS", "LLOYD_ITER", "FINE_ITER", "LLOYD_TOL", "wu_boxes", "wu_kmeans_centers",
           "wu_kmeans_fit"]

#: Bits per channel of the grid Wu's boxes are cut on (32 x 32 x 32 cells, as in Wu's paper).
BITS = 5
#: The finer grid used when the coarse one has fewer than MIN_CELLS_PER_BOX x k occupied cells.
FINE_BITS = 6
MIN_CELLS_PER_BOX = 2
#: Weighted Lloyd iterations from Wu's boxes, on the means of the cells of a CELL_BITS grid when there are more than
#: CELL_FROM distinct colors (else on the colors) ...
LLOYD_ITER = 16
CELL_FROM = 32_768
CELL_BITS = 6
#: ... then at most FINE_ITER on the distinct colors themselves: the 6-bit cells are coarse for 256 centers on
#: smooth photos (unsplash Futuristic: SSIMULACRA2 76.5 after 16 on the cells alone, 78.0 with 4 more on
#: the colors, 78.6 with 16 on the colors only). Over the 135 photos of Kodak, CQ100 and Unsplash, 8 rather
#: than 4 gain 0.1 point in the median (at or above pngquant --nofs on 124 photos instead of 121) for about
#: 3% more CPU: LLOYD_TOL ends most runs before the cap (benchmarks/results/256.md).
FINE_ITER = 8
#: Lloyd stops earlier once an iteration lowers the objective by less than this share of it.
LLOYD_TOL = 1e-4


def _cuts(colors, coords, weights, k: int, bits: int | None = None, want_cells: bool = True):
    """Wu's boxes (``_kernels.wu_cuts``) of the colors, their moments, each color's flat cell (None without
    ``want_cells``) and the grid's bits."""
    colors = np.ascontiguousarray(colors, dtype=np.uint8)
    coords = np.ascontiguousarray(coords, dtype=np.float64)
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    if bits is None:
        # occupied cells counted in C, without an array per color (np.unique sorts every color: 686,000
        # colors of a 2.5-megapixel photo, about 40 ms; a bincount of cell numbers holds 32 MB of them at 10 MP)
        occupied = _kernels.count_cells(colors, BITS)
        bits = BITS if occupied >= MIN_CELLS_PER_BOX * k else FINE_BITS
    table, flat = _kernels.wu_moments(colors, coords, weights, bits, want_cells)
    boxes, moments = _kernels.wu_cuts(table, k)
    return boxes, moments, flat, bits


def wu_boxes(colors, coords, weights, k: int, bits: int | None = None):
    """Cut the colors into at most k boxes by Wu's method.

    Parameters
    ----------
    colors : ndarray of uint8, shape (n, 3)
        Distinct sRGB colors (they place each color in its grid cell).
    coords : ndarray of float, shape (n, 3)
        The colors' coordinates in the space whose variance the cuts minimize.
    weights : ndarray of float, shape (n,)
        Pixel counts.
    k : int
        Boxes wanted; fewer come back when fewer cells of the grid are occupied.
    bits : int, optional
        Bits per channel of the grid: :data:`BITS`, or :data:`FINE_BITS` when the coarse grid has
        fewer than ``MIN_CELLS_PER_BOX * k`` occupied cells.

    Returns
    -------
    box : ndarray of intp, shape (n,)
        The box of each color (every color lies in exactly one box).
    means : ndarray of float64, shape (m, 3)
        Weighted mean coordinates of each box, m <= k.
    box_weights : ndarray of float64, shape (m,)
        Pixel count of each box.
    """
    boxes, moments, flat, bits = _cuts(colors, coords, weights, k, bits)
    # the box of each cell, painted into the grid, then read at each color's cell
    side = (1 << bits) + 1
    owner = np.empty((side, side, side), np.intp)
    for number, (r0, r1, g0, g1, b0, b1) in enumerate(boxes):
        owner[r0 + 1:r1 + 1, g0 + 1:g1 + 1, b0 + 1:b1 + 1] = number
    box_of = owner.reshape(-1)[flat]
    return box_of, moments[:, 1:4] / moments[:, :1], moments[:, 0]


def wu_kmeans_centers(colors, coords, weights, k: int, *, n_iter: int | None = None, fine_iter: int | None = None,
                      tol: float = LLOYD_TOL):
    """Wu's boxes, then weighted Lloyd iterations: (m, 3) float64 centers, m <= k.

    ``colors`` (n, 3) uint8 are distinct, ``coords`` their coordinates in the fit's space and ``weights``
    their pixel counts. At most ``n_iter`` iterations run on the colors or, when there are more than
    :data:`CELL_FROM`, on the means of a :data:`CELL_BITS` grid's cells; then at most ``fine_iter`` on
    the colors. They default to :data:`LLOYD_ITER` and :data:`FINE_ITER`. Fewer than k centers come
    back only when the grid has fewer than k occupied cells (the palette step then fills the palette up
    with the worst-served colors). :func:`wu_kmeans_fit` also returns the colors' labels and bounds.
    """
    return wu_kmeans_fit(colors, coords, weights, k, n_iter=n_iter, fine_iter=fine_iter, tol=tol)[0]


def wu_kmeans_fit(colors, coords, weights, k: int, *, n_iter: int | None = None, fine_iter: int | None = None,
                  tol: float = LLOYD_TOL, near=None):
    """:func:`wu_kmeans_centers` with what the palette step can reuse: (centers, labels, upper, lower).

    ``labels`` is each color's nearest center (ties to the lowest index), ``upper`` and ``lower`` valid
    Hamerly bounds of its distances to that center and to every other one. ``near``: a
    ``_kernels.near_state(k)`` to keep the centers' neighbour lists in, left in step with the centers (for
    ``_kmeans.nearest_from_bounds``).

    The iterations on the colors start from the cells' labels and bounds (``_kmeans.bounds_via_cells``)
    rather than from all k distances of every color, and each stage stops once an update lowers the
    objective by less than ``tol`` times the objective at the stage's start: the same iterations as
    ``_kmeans.weighted_lloyd`` from the same centers, with fewer distances.
    """
    n_iter = LLOYD_ITER if n_iter is None else n_iter
    fine_iter = FINE_ITER if fine_iter is None else fine_iter
    coords = np.ascontiguousarray(coords, dtype=np.float64)
    weights = np.ascontiguousarray(weights, dtype=np.float64)

    def cuts():
        return _cuts(colors, coords, weights, k, want_cells=False)[1]

    if len(coords) > CELL_FROM:
        # the cells do not depend on Wu's cuts, so another thread makes them meanwhile (2 ms for 290,000 colors)
        moments, (cell, points, point_weights) = _threads.map_threads(
            lambda job: job(), [cuts, lambda: _kmeans._cells(colors, coords, weights, CELL_BITS)])
    else:
        moments = cuts()
    centers = moments[:, 1:4] / moments[:, :1]
    if near is None:
        near = _kernels.near_state(k)  # the centers' neighbour lists, handed from each stage to the next
    if len(coords) > CELL_FROM:
        bounds = _kmeans.assign(points, centers, want_second=True)
        if n_iter > 0:
            threshold = tol * _kernels.weighted_squares(point_weights, bounds[1])
            _kmeans.hamerly_lloyd(points, point_weights, centers, *bounds, n_iter, threshold, state=near)
        labels, upper, lower = _kmeans.bounds_via_cells(coords, cell, points, centers, *bounds, state=near)
        del cell, points, point_weights, bounds
    else:
        labels, upper, lower = _kmeans.assign(coords, centers, want_second=True)
        fine_iter = n_iter
    if fine_iter > 0:
        threshold = tol * _kernels.objective(coords, weights, centers, labels)
        _kmeans.hamerly_lloyd(coords, weights, centers, labels, upper, lower, fine_iter, threshold, state=near)
    return centers, labels, upper, lower
