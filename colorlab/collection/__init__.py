"""Many photos: :func:`colorlab.batch` over folders on processes or a Dask cluster (:mod:`.batch`), and
the analysis of a collection's palettes (:mod:`.analysis`).

May import: :mod:`colorlab.selection` and everything below it (pandas, tqdm and Dask in :mod:`.batch`, on
use). Never matplotlib or ipywidgets.
"""

from .analysis import (
    barcode_image,
    closest_pairs,
    collection_palette,
    distance_matrix,
    example_photos,
    find_color,
    group_photos,
    hex_to_rgb,
    kodak_folder,
    palette_distance,
    palette_points,
    photo_names,
    thumbnails,
    worked,
)

__all__ = [
    "example_photos", "kodak_folder", "photo_names", "worked", "hex_to_rgb", "palette_points", "palette_distance",
    "distance_matrix", "closest_pairs", "group_photos", "find_color", "collection_palette", "thumbnails", "barcode_image",
]
