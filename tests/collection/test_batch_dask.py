"""`colorlab batch --scheduler` and ``colorlab.batch(client=...)`` on a real Dask cluster.

The test starts a local cluster of two worker processes on 127.0.0.1 (as ``dask scheduler`` and
two ``dask worker`` processes would be), and checks that the table is the one a plain run gives.
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from PIL import Image

import colorlab
from colorlab.collection.batch import read_results

distributed = pytest.importorskip("distributed")

K = 4


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as local:
        yield local


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("collection")
    for i, name in enumerate(["rocket", "coffee", "chelsea", "astronaut", "rocket", "coffee"]):
        image = colorlab.load_image(name)
        Image.fromarray(image[10 * i:10 * i + 48, 20 * i:20 * i + 64]).save(folder / f"img_{i}.png")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    return folder


def _no_seconds(table):
    return table.drop(columns="seconds").reset_index(drop=True)


def test_cli_on_a_dask_cluster_gives_the_local_table(cluster, folder, tmp_path):
    here = colorlab.batch(folder, K, workers=1, progress=False)
    out = tmp_path / "dask.parquet"
    result = subprocess.run(
        [sys.executable, "-m", "colorlab", "batch", folder, "-k", str(K), "-o", out, "--scheduler", cluster.scheduler_address],
        capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 1, result.stderr  # broken.png
    assert "1 of 7 images failed" in result.stderr.splitlines()[-1] and "Traceback" not in result.stderr
    pd.testing.assert_frame_equal(_no_seconds(read_results(out)), _no_seconds(here))

    # resume works the same through the cluster: nothing left to do but the failed file
    again = subprocess.run(
        [sys.executable, "-m", "colorlab", "batch", folder, "-k", str(K), "-o", out, "--scheduler", cluster.scheduler_address],
        capture_output=True, text=True, timeout=180,
    )
    assert again.returncode == 1 and "6 images already done, 1 to do" in again.stderr


def test_python_client_gives_the_local_table(cluster, folder):
    here = colorlab.batch(folder, K, workers=2, progress=False)
    with distributed.Client(cluster) as client:
        there = colorlab.batch(folder, K, client=client, progress=False)
        assert client.status == "running"  # the caller's client is left open
    pd.testing.assert_frame_equal(_no_seconds(there), _no_seconds(here))
    assert there["error"].notna().sum() == 1 and "broken.png" in there["error"].dropna().iloc[0]
