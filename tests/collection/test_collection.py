"""colorlab.collection (distances, groups, color search, one palette for all) and its pictures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import colorlab
from colorlab.collection import analysis as collection
from colorlab.plot import collection as collection_plot


@pytest.fixture(scope="module")
def table():
    # three real photos plus a failed row, which every function leaves out
    good = colorlab.batch(["rocket", "coffee", "chelsea", "astronaut"], 6, workers=1, progress=False)
    failed = good.iloc[:1].assign(path="broken.png", colors=[[]], shares=[[]], error="cannot read it")
    return pd.concat([good, failed], ignore_index=True)


def test_emd_agrees_with_scipy_wasserstein(rng):
    stats = pytest.importorskip("scipy.stats")
    if not hasattr(stats, "wasserstein_distance_nd"):
        pytest.skip("scipy < 1.13 has no wasserstein_distance_nd")
    for _ in range(5):
        a = rng.integers(0, 256, (rng.integers(1, 7), 3)).astype(np.uint8)
        b = rng.integers(0, 256, (rng.integers(1, 7), 3)).astype(np.uint8)
        wa, wb = rng.random(len(a)) + 0.01, rng.random(len(b)) + 0.01
        ours = collection.palette_distance(a, wa, b, wb)
        theirs = stats.wasserstein_distance_nd(colorlab.color.spaces.to_space(a, "oklab"),
                                               colorlab.color.spaces.to_space(b, "oklab"), wa, wb)
        assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-9)


def test_distance_matrix_is_a_metric(table):
    d = collection.distance_matrix(table)
    assert d.shape == (4, 4) and np.array_equal(d, d.T) and (np.diag(d) == 0).all() and (d[~np.eye(4, dtype=bool)] > 0).all()
    for i in range(4):
        for j in range(4):
            assert (d[i, j] <= d[i] + d[:, j] + 1e-9).all()  # triangle inequality through every k
    pairs = collection.closest_pairs(table, d, top=6)
    assert pairs["distance"].is_monotonic_increasing and pairs["distance"].iloc[0] == d[np.triu_indices(4, 1)].min()


def test_group_photos_gives_a_scipy_tree(table):
    from scipy.cluster.hierarchy import fcluster, is_valid_linkage

    tree = collection.group_photos(table)
    assert is_valid_linkage(tree) and len(set(fcluster(tree, 2, criterion="maxclust"))) == 2


def test_find_color_ranks_by_share(table):
    rocket = collection.worked(table).query("path.str.endswith('rocket.jpg')").iloc[0]
    found = collection.find_color(table, rocket["colors"][0], within=0.5)
    assert found["path"].iloc[0].endswith("rocket.jpg") and found["distance"].iloc[0] < 1e-9
    assert found["share"].iloc[0] >= rocket["shares"][0]
    assert collection.find_color(table, (0, 255, 0), within=1).empty  # pure green is in none of them
    with pytest.raises(colorlab.InvalidParameterError, match="'green' is not a color; give it as #rrggbb"):
        collection.find_color(table, "green")


def test_collection_palette_is_the_weighted_union(table):
    palette = collection.collection_palette(table, 5)
    assert len(palette) == 5 and palette.counts.sum() == 4 * 10_000
    # one photo alone: its union is its own palette, so asking for as many colors gives them back
    one = table.iloc[[0]]
    assert sorted(collection.collection_palette(one, 6, space="rgb").to_hex()) == sorted(one["colors"].iloc[0])


def test_pictures(table):
    thumbs = collection.thumbnails(collection.worked(table)["path"], height=20)
    assert all(t.shape[0] == 20 and t.dtype == np.uint8 for t in thumbs)
    image = collection.barcode_image(table, thumbs, strip_width=50)
    assert image.shape == (4 * 24 - 4, max(t.shape[1] for t in thumbs) + 4 + 50, 3)
    strip = collection.strip(["#ff0000", "#0000ff"], [0.75, 0.25], width=8, height=2)
    assert strip[0].tolist() == [[255, 0, 0]] * 6 + [[0, 0, 255]] * 2
    collection_plot.barcode(table, thumbs)
    collection_plot.palettes_3d(table)
    collection_plot.dendrogram(table, collection.group_photos(table), thumbs)
    collection_plot.search_results(table, collection.find_color(table, "#203050"), thumbs, "#203050")


def test_example_photos_and_names(table):
    photos = collection.example_photos()
    assert len(photos) == (24 if collection.kodak_folder() else len(colorlab.samples()))
    assert collection.photo_names(table)[:2] == ["astronaut.png", "chelsea.png"]
    assert collection.hex_to_rgb(["#010203"]).tolist() == [[1, 2, 3]]


def test_computation_does_not_import_matplotlib():
    import subprocess
    import sys

    code = "import sys, colorlab.collection, colorlab.collection.batch; print('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
