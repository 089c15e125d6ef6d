"""colorlab.batch and `colorlab batch`: the palettes of a folder of images, as a table.

Real images, real processes, real signals: the command line runs as a subprocess, Ctrl-C is a
SIGINT to its process group (as a terminal sends it), "killed halfway" is a SIGKILL. A run is
stopped in the middle without timing anything: the test waits until the run has written its
third row, freezes it (SIGSTOP), checks it is not done, then signals.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import colorlab
from colorlab import metrics
from colorlab.collection.batch import COLUMNS, find_images, read_results

K = 4
REPO = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------------------- helpers

def _crops(folder: Path, count: int, size=(40, 56)) -> list[Path]:
    """``count`` small, different real photos (crops of the bundled ones) as PNG files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = [colorlab.load_image(name) for name in ("rocket", "coffee", "chelsea", "astronaut")]
    paths = []
    for i in range(count):
        image = sources[i % len(sources)]
        y, x = 37 * (i // len(sources)) + 20, 53 * (i // len(sources)) + 30
        path = folder / f"photo_{i:02d}.png"
        Image.fromarray(image[y:y + size[0], x:x + size[1]]).save(path)
        paths.append(path)
    return paths


def run_cli(*args, cwd=None, runner=(), **popen):
    """``colorlab ARGS`` in a fresh process (stderr is a pipe, so progress comes as lines)."""
    command = [*runner, sys.executable, "-m", "colorlab", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120, **popen)


def _start_cli(*args, cwd=None):
    command = [sys.executable, "-m", "colorlab", *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
                            start_new_session=True)  # its own process group, like a terminal job


def without_seconds(table: pd.DataFrame) -> pd.DataFrame:
    """The table without the one column that depends on the machine's speed."""
    return table.drop(columns="seconds").reset_index(drop=True)


def _journal(out: Path) -> Path:
    return out.with_name(f".{out.name}.colorlab-batch.jsonl")


def _wait_for_rows(journal: Path, count: int, process) -> None:
    """Block until the run has appended ``count`` rows (it then sits on the FIFO: no race)."""
    import time

    while True:
        if journal.exists() and journal.read_text().count("\n") >= count:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)  # polling for a file, not timing anything


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    _crops(folder, 6)
    return folder


@pytest.fixture(scope="module")
def one_run(photos, tmp_path_factory) -> pd.DataFrame:
    """The reference table: the folder in one uninterrupted run, in this process."""
    return colorlab.batch(photos, K, workers=1, progress=False)


# ------------------------------------------------------------------------------------- the rows

def test_rows_match_fit_palette(photos, one_run):
    assert list(one_run.columns) == list(COLUMNS)
    assert one_run["path"].tolist() == sorted(str(p) for p in photos.glob("*.png"))
    for row in one_run.itertuples():
        image = colorlab.load_image(row.path)
        palette = colorlab.fit_palette(image, K, seed=0)
        quantized = colorlab.quantize(image, palette)
        assert row.colors == palette.to_hex()
        assert row.shares == palette.shares.tolist()
        assert (row.width, row.height) == (image.shape[1], image.shape[0])
        assert row.distinct_colors == metrics.count_colors(image)
        assert row.mse == metrics.mse(image, quantized)
        assert row.psnr == metrics.psnr_from_mse(row.mse)
        assert (row.k, row.method, row.space, row.seed) == (K, "kmeans", "rgb", 0)
        assert pd.isna(row.error) and pd.isna(row.warning) and row.seconds > 0


def test_options_reach_every_image(photos):
    table = colorlab.batch(sorted(photos.glob("*.png"))[:2], 3, method="median-cut", space="oklab", seed=7,
                           workers=1, progress=False)
    for row in table.itertuples():
        palette = colorlab.fit_palette(colorlab.load_image(row.path), 3, method="median-cut", space="oklab", seed=7)
        assert row.colors == palette.to_hex() and (row.method, row.space, row.seed) == ("median-cut", "oklab", 7)


def test_two_local_workers_give_the_same_table(photos, one_run):
    table = colorlab.batch(photos, K, workers=2, progress=False)
    pd.testing.assert_frame_equal(without_seconds(table), without_seconds(one_run))


def test_bundled_names_and_order(tmp_path):
    table = colorlab.batch(["rocket", "coffee"], 2, workers=1, progress=False)
    assert [Path(p).name for p in table["path"]] == ["coffee.png", "rocket.jpg"]


# ------------------------------------------------------------------------ a folder with bad files

ROOT = os.geteuid() == 0


def _bad_folder(root: Path) -> Path:
    folder = root / "shoot"
    _crops(folder, 2)
    good = (folder / "photo_00.png").read_bytes()
    (folder / "corrupt.png").write_bytes(good[:200])  # cut off inside the image data
    (folder / "notes.png").write_text("not a picture\n")  # a text file named .png
    Image.new("RGB", (1, 1), (12, 34, 56)).save(folder / "dot.png")  # a 1-pixel image
    if not ROOT:  # root reads it anyway: then test_file_without_read_permission runs it as 'nobody'
        (folder / "secret.png").write_bytes(good)
        (folder / "secret.png").chmod(0o000)
    (folder / "readme.txt").write_text("not an image suffix: no row\n")
    (folder / "later").mkdir()
    _crops(folder / "later", 1)  # a subfolder: only with --recursive
    return folder


def test_bad_files_get_their_rows_and_exit_status_1(tmp_path):
    folder = _bad_folder(tmp_path)
    out = tmp_path / "out" / "table.csv"
    out.parent.mkdir()
    images, failing = (5, 2) if ROOT else (6, 3)
    result = run_cli("batch", "shoot", "-k", K, "-o", out, "--workers", 2, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert f"{failing} of {images} images failed" in last and str(out) in last, last

    table = read_results(out)
    names = [Path(p).name for p in table["path"]]
    expected = ["corrupt.png", "dot.png", "notes.png", "photo_00.png", "photo_01.png"] + ([] if ROOT else ["secret.png"])
    assert names == expected  # every file once, sorted; no row for readme.txt nor the subfolder
    assert table["path"].tolist() == [str(Path("shoot") / n) for n in expected]
    errors = dict(zip(names, table["error"]))
    assert "truncated or corrupt" in errors["corrupt.png"]
    assert "not an image" in errors["notes.png"]
    if not ROOT:
        assert "no permission" in errors["secret.png"]
    assert all(pd.isna(errors[n]) for n in ("dot.png", "photo_00.png", "photo_01.png"))
    for row in table[table["error"].notna()].itertuples():
        assert row.colors == [] and row.shares == [] and pd.isna(row.width) and pd.isna(row.mse)
        assert "\n" not in row.error and repr(row.path) in row.error
    dot = table[table["path"].str.endswith("dot.png")].iloc[0]
    assert (dot.width, dot.height, dot.colors, dot.shares, dot.mse, dot.psnr) == (1, 1, ["#0c2238"], [1.0], 0.0, np.inf)
    assert "fewer than k" in dot.warning

    # --recursive adds the subfolder's image; the failed rows are tried again, the good ones kept
    result = run_cli("batch", "shoot", "-k", K, "-o", out, "--recursive", "--workers", 1, cwd=tmp_path)
    assert result.returncode == 1 and f"{failing} of {images + 1} images failed" in result.stderr.splitlines()[-1]
    again = read_results(out)
    assert again["path"].tolist() == sorted(table["path"].tolist() + [str(Path("shoot/later/photo_00.png"))])
    good = table["error"].isna().to_numpy()
    kept = again.set_index("path").loc[table["path"][good]]
    assert kept["seconds"].tolist() == table["seconds"][good].tolist()


def _unprivileged():
    """A command prefix that runs as 'nobody' when this is root (chmod stops nothing for root)."""
    if not ROOT:
        return []
    setpriv = shutil.which("setpriv")
    return None if setpriv is None else [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"]


def test_file_without_read_permission_gets_its_row():
    runner = _unprivileged()
    if runner is None:
        pytest.skip("running as root without setpriv: cannot take read permission away")
    folder = Path(tempfile.mkdtemp(prefix="colorlab-batch-"))  # in /tmp, which 'nobody' can reach
    try:
        folder.chmod(0o777)
        (folder / "fine.txt").write_text("")
        secret = folder / "secret.png"
        Image.new("RGB", (2, 2)).save(secret)
        secret.chmod(0o000)
        (folder / "notes.png").write_text("text\n")
        (folder / "notes.png").chmod(0o644)
        out = folder / "table.jsonl"
        env = dict(os.environ)
        # one process: as 'nobody' this machine's interpreter may not be able to start helper processes
        result = run_cli("batch", folder, "-k", 2, "-o", out, "--workers", 1, runner=runner, cwd="/", env=env)
        if result.returncode == 126 or ("Permission denied" in result.stderr and "colorlab" not in result.stderr):
            pytest.skip(f"the user 'nobody' cannot run this interpreter: {result.stderr.strip()[-200:]}")
        assert result.returncode == 1 and "2 of 2 images failed" in result.stderr.splitlines()[-1], result.stderr
        table = read_results(out)
        assert [Path(p).name for p in table["path"]] == ["notes.png", "secret.png"]
        assert "no permission" in table["error"][1] and str(secret) in table["error"][1]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------------------- resume and stop

def test_second_run_writes_no_new_row(photos, one_run, tmp_path):
    out = tmp_path / "table.jsonl"
    first = run_cli("batch", photos, "-k", K, "-o", out, "--workers", 1)
    assert first.returncode == 0, first.stderr
    assert "100%" in first.stderr and "none failed" in first.stderr.splitlines()[-1]
    before = out.read_bytes()
    second = run_cli("batch", photos, "-k", K, "-o", out, "--workers", 2)
    assert second.returncode == 0, second.stderr
    assert "6 images already done, 0 to do" in second.stderr
    assert out.read_bytes() == before  # the same rows, the same seconds: nothing was recomputed
    assert not _journal(out).exists()
    pd.testing.assert_frame_equal(without_seconds(read_results(out)), without_seconds(one_run))

    # --no-resume recomputes: the same palettes, new timings
    third = run_cli("batch", photos, "-k", K, "-o", out, "--no-resume", "--quiet")
    assert third.returncode == 0 and third.stderr == ""
    pd.testing.assert_frame_equal(without_seconds(read_results(out)), without_seconds(one_run))


@pytest.fixture(scope="module")
def long_folder(tmp_path_factory):
    """Enough images that a run seen after its third row is far from done when the signal arrives."""
    folder = tmp_path_factory.mktemp("long")
    _crops(folder, 24, size=(64, 96))
    return folder


@pytest.fixture(scope="module")
def long_run(long_folder):
    return colorlab.batch(long_folder, K, workers=2, progress=False)


def _stop_after_3_rows(process, out: Path, signum: int) -> None:
    _wait_for_rows(_journal(out), 3, process)
    os.killpg(process.pid, signal.SIGSTOP)  # freeze the run where it is, then look
    rows = _journal(out).read_text().count("\n")
    os.killpg(process.pid, signum)
    os.killpg(process.pid, signal.SIGCONT)
    assert rows < 24, "the run finished before it could be stopped; use more images"


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_leaves_a_valid_partial_table_and_rerun_completes_it(long_folder, long_run, tmp_path, workers):
    out = tmp_path / "table.parquet"
    process = _start_cli("batch", long_folder, "-k", K, "-o", out, "--workers", workers)
    _stop_after_3_rows(process, out, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr.splitlines()[-1]
    partial = read_results(out)
    assert 3 <= len(partial) < 24
    assert partial["path"].tolist() == sorted(partial["path"]) and partial["error"].isna().all()
    assert not _journal(out).exists()

    result = run_cli("batch", long_folder, "-k", K, "-o", out, "--workers", workers)
    assert result.returncode == 0, result.stderr
    assert f"{len(partial)} images already done, {24 - len(partial)} to do" in result.stderr
    table = read_results(out)
    pd.testing.assert_frame_equal(without_seconds(table), without_seconds(long_run))
    assert table.set_index("path").loc[partial["path"], "seconds"].tolist() == partial["seconds"].tolist()


def test_killed_run_is_resumed_from_its_journal(long_folder, long_run, tmp_path):
    out = tmp_path / "table.csv"
    process = _start_cli("batch", long_folder, "-k", K, "-o", out, "--workers", 1)
    _stop_after_3_rows(process, out, signal.SIGKILL)  # no chance to save anything
    process.communicate(timeout=60)
    assert not out.exists() and _journal(out).exists()
    done = [json.loads(line) for line in _journal(out).read_text().splitlines() if line.endswith("}")]
    assert len(done) >= 3

    result = run_cli("batch", long_folder, "-k", K, "-o", out, "--workers", 1)
    assert result.returncode == 0, result.stderr
    assert f"{len(done)} images already done, {24 - len(done)} to do" in result.stderr
    table = read_results(out)
    pd.testing.assert_frame_equal(without_seconds(table), without_seconds(long_run))
    assert table.set_index("path").loc[[r["path"] for r in done], "seconds"].tolist() == [r["seconds"] for r in done]
    assert not _journal(out).exists()


# ------------------------------------------------------------------------------------ the formats

@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_formats_round_trip_through_pandas(suffix, tmp_path):
    folder = tmp_path / "in"
    _crops(folder, 2)
    (folder / "broken.png").write_text("no")
    Image.new("RGB", (1, 1)).save(folder / "dot.png")  # psnr = inf
    out = tmp_path / f"table{suffix}"
    table = colorlab.batch(folder, K, out=out, workers=1, progress=False)
    assert table["error"].notna().sum() == 1 and np.isinf(table["psnr"]).sum() == 1
    pd.testing.assert_frame_equal(read_results(out), table)

    # and with pandas' own readers, as documented: lists in JSON lines and Parquet, space-separated in CSV
    raw = {".csv": pd.read_csv, ".jsonl": lambda p: pd.read_json(p, lines=True, precise_float=True), ".parquet": pd.read_parquet}[suffix](out)
    assert raw.columns.tolist() == list(COLUMNS) and raw["path"].tolist() == table["path"].tolist()
    if suffix == ".csv":
        colors = raw["colors"].fillna("").str.split().tolist()
        shares = [[float(v) for v in s.split()] for s in raw["shares"].fillna("")]
    else:
        colors = [list(c) for c in raw["colors"]]
        shares = [[float(v) for v in s] for s in raw["shares"]]
    assert colors == table["colors"].tolist() and shares == table["shares"].tolist()
    for name in ("width", "mse", "psnr", "seconds"):
        np.testing.assert_array_equal(raw[name].astype(float), table[name].astype(float))
    assert raw["error"].isna().tolist() == table["error"].isna().tolist()


# ----------------------------------------------------------------------------------- usage errors

@pytest.mark.parametrize("args, phrase", [
    (["-o", "{tmp}/t.xlsx"], "end the name with .csv, .jsonl or .parquet"),
    (["-o", "{tmp}/missing/t.csv"], "does not exist"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:9", "-o", "{tmp}/t.csv"], "not both"),
    (["--workers", "0", "-o", "{tmp}/t.csv"], "at least 1"),
    (["-k", "0", "-o", "{tmp}/t.csv"], "k must be"),
])
def test_usage_errors_are_one_line_and_exit_2(args, phrase, photos, tmp_path):
    args = [a.format(tmp=tmp_path) for a in args]
    if "-k" not in args:
        args = ["-k", K, *args]
    result = run_cli("batch", photos, *args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ") and phrase in result.stderr


def test_missing_input_and_empty_folder_and_other_k(photos, tmp_path):
    with pytest.raises(colorlab.InvalidParameterError, match="does not exist"):
        colorlab.batch([photos, tmp_path / "nope"], K, progress=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(colorlab.InvalidParameterError, match="found no image files.*--recursive"):
        colorlab.batch(tmp_path / "empty", K, progress=False)
    out = tmp_path / "t.csv"
    colorlab.batch(sorted(photos.glob("*.png"))[:1], K, out=out, workers=1, progress=False)
    with pytest.raises(colorlab.InvalidParameterError, match="made with k=4.*--no-resume"):
        colorlab.batch(photos, 5, out=out, progress=False)
    assert not _journal(out).exists()
    with pytest.raises(colorlab.InvalidParameterError, match="not both"):
        colorlab.batch(photos, K, workers=2, client=object(), progress=False)


def test_find_images_skips_hidden_and_non_image_files(tmp_path):
    _crops(tmp_path / "a", 2)
    (tmp_path / "a" / ".hidden.png").write_bytes(b"")
    (tmp_path / "a" / "LOUD.JPG").write_bytes(b"")
    (tmp_path / "a" / "data.csv").write_text("x")
    _crops(tmp_path / "a" / ".thumbs", 1)
    _crops(tmp_path / "a" / "b", 1)
    names = [Path(p).relative_to(tmp_path).as_posix() for p in find_images(tmp_path / "a")]
    assert names == ["a/LOUD.JPG", "a/photo_00.png", "a/photo_01.png"]
    deep = [Path(p).relative_to(tmp_path).as_posix() for p in find_images([tmp_path / "a"], recursive=True)]
    assert deep == ["a/LOUD.JPG", "a/b/photo_00.png", "a/photo_00.png", "a/photo_01.png"]
    assert find_images([tmp_path / "a" / "data.csv"]) == [str(tmp_path / "a" / "data.csv")]  # named: taken


def test_version_flag_prints_the_package_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout == f"colorlab {colorlab.__version__}\n"
    from importlib.metadata import version

    assert colorlab.__version__ == version("colorlab")


def test_progress_lines_when_not_a_terminal(photos, capsys):
    colorlab.batch(photos, K, workers=1, progress="lines")
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"colorlab batch: {i}/6 images ({i * 100 // 6}%), 0 failed" for i in range(1, 7)]
    colorlab.batch(photos, K, workers=1, progress=False)
    assert capsys.readouterr().err == ""
    with pytest.raises(colorlab.InvalidParameterError, match="progress must be"):
        colorlab.batch(photos, K, progress="loud")


def test_max_pixels_applies_per_image(tmp_path):
    _crops(tmp_path, 2)  # 40 x 56 = 2,240 pixels each
    Image.new("RGB", (100, 60), (200, 10, 10)).save(tmp_path / "wide.png")  # 6,000 pixels
    table = colorlab.batch(tmp_path, K, max_pixels=5_000, workers=1, progress=False)
    errors = dict(zip([Path(p).name for p in table["path"]], table["error"]))
    assert pd.isna(errors["photo_00.png"]) and pd.isna(errors["photo_01.png"])
    assert "more than the limit of 5,000" in errors["wide.png"] and "--max-pixels 6000" in errors["wide.png"]


@pytest.mark.parametrize("k, given, method, space", [(8, [], "kmeans", "rgb"), (256, [], "wu-kmeans", "oklab"),
                                                     (256, ["--space", "rgb"], "kmeans", "rgb")])
def test_cli_batch_fits_as_palette_does_for_its_k(tmp_path, k, given, method, space):
    photo = tmp_path / "coffee.png"
    Image.fromarray(colorlab.load_image("coffee")).save(photo)
    out = tmp_path / "table.csv"
    result = run_cli("batch", photo, "-k", k, *given, "-o", out, "--workers", 1, "--quiet")
    assert result.returncode == 0, result.stderr
    row = read_results(out).iloc[0]
    assert (row.method, row.space) == (method, space)
    assert row.colors == run_cli("palette", photo, "-k", k, *given).stdout.split()
