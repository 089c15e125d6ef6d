"""Every notebook under notebooks/ runs top to bottom in a real Jupyter kernel, and is kept thin and clean.

The lesson notebooks (01, 03, 04, 05) are committed *executed*, so that a page rendered without a kernel
(GitHub, nbconvert HTML, the documentation, a PDF) still teaches: every widget output comes with a static
picture, the prose agrees with the outputs it talks about, and every exercise has a hint and a worked
solution hidden in a ``<details>`` block whose code runs here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
#: Committed with their outputs (executed top to bottom in one kernel); the others are committed clean.
LESSONS = ("01_reproduce_the_blog.ipynb", "03_how_kmeans_works.ipynb", "04_choosing_k.ipynb",
           "05_beyond_kmeans.ipynb", "06_a_collection.ipynb", "07_dithering_from_scratch.ipynb")
LESSON_PATHS = [p for p in NOTEBOOKS if p.name in LESSONS]
#: Live tools committed with the still picture they show where no kernel runs.
STILLS = ("02_explorer.ipynb",)
WIDGET = "application/vnd.jupyter.widget-view+json"
#: The cell tag of a cell the student writes in.
EXERCISE = "exercise"


def _code_cells(nb_or_path):
    nb = nbformat.read(nb_or_path, as_version=4) if isinstance(nb_or_path, Path) else nb_or_path
    return [c for c in nb.cells if c.cell_type == "code"]


def _python(source: str) -> str:
    """A cell's source as plain Python (IPython's %magics and !commands turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _solutions(nb) -> list[str]:
    """The code of every worked solution: ```python blocks inside <details><summary>Solution</summary> blocks."""
    code = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for block in re.findall(r"<details><summary>Solution</summary>(.*?)</details>", cell.source, re.S):
                code += re.findall(r"```python\n(.*?)```", block, re.S)
    return code


def _text_outputs(cell) -> str:
    parts, previous = [], None
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            # one print may reach the notebook in several stream outputs (the kernel flushes on a timer, more
            # often on a busy machine): they join as printed, without a line between them
            if previous == output.name:
                parts[-1] += output.text
            else:
                parts.append(output.text)
            previous = output.name
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
            previous = None
    return "\n".join(parts)


def _all_output(nb) -> str:
    return "\n".join(_text_outputs(c) for c in _code_cells(nb))


def _all_prose(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


# ---------------------------------------------------------------- what the prose says about the outputs
# Each check reads the notebook's own outputs and its markdown: a claim that can be checked is checked.


def _check_01(nb) -> None:
    out, prose = _all_output(nb), _all_prose(nb)
    assert "palette = the blog's centroids, rounded: True" in out
    assert "identical to vq on the rounded colors: True" in out
    differ = re.search(r"pixels that differ from the hand-made version: ([\d,]+) of ([\d,]+) \(([\d.]+)%\)", out)
    assert differ, "notebook 01 no longer prints how many pixels differ"
    count, total, share = differ.groups()
    assert f"{count} of the {total} pixels ({share}%)" in prose, (
        f"notebook 01's prose must say how many pixels differ as the output does: {count} of {total} ({share}%)")
    assert "distinct colors: 6" in out and "saved file is identical: True" in out
    two = dict(re.findall(r"^(scipy, as the blog|colorlab's default): MSE ([\d.]+)", out, re.M))
    assert len(two) == 2 and "local minimum" in " ".join(prose.split()), "notebook 01 must measure its two palettes and name local minima"
    assert float(two["colorlab's default"]) < float(two["scipy, as the blog"]), "prose: the default has the lower MSE"


def _check_03(nb) -> None:
    out, prose = _all_output(nb), _all_prose(nb)
    assert "same labels and centers at every step: True" in out
    same = re.search(r"scikit-learn: largest center difference ([\d.e+-]+), same cluster for ([\d.]+)% of the colors", out)
    assert same and float(same.group(1)) < 1e-6 and same.group(2) == "100.0", "scikit-learn's KMeans must agree"
    moves = re.search(r"first half-steps: (.*)", out)
    assert moves and "start" in moves.group(1) and "update 1" in moves.group(1)
    assert "1 cluster got no pixel" in out and "before the repair: [255. 0. 255.] 0 pixels" in re.sub(r"\s+", " ", out)
    gallery = re.search(r"fit on 1,000 pixels: MSE ([\d.]+).*\ncolorlab on the weighted distinct colors: MSE ([\d.]+)", out)
    assert gallery and float(gallery.group(2)) < float(gallery.group(1)), "the prose says colorlab's MSE is lower"
    minima = re.search(r"'random': \[([\d, ]+)\],\s*'k-means\+\+': \[([\d, ]+)\]", out)
    assert minima, "notebook 03 no longer prints the final MSE of the random and k-means++ runs"
    finals = [int(v) for group in minima.groups() for v in group.split(",")]
    assert "(about 326, 341 and 405)" in prose
    assert all(min(abs(v - m) for m in (326, 341, 405)) <= 2 for v in finals), f"other local minima: {finals}"
    assert "higher MSE" in prose
    light = {int(mse): codes.split(", ") for mse, codes in re.findall(r"^random, seed \d+: MSE (\d+) · light colors: (.*)$", out, re.M)}
    assert len(light) >= 2 and len(light[max(light)]) == 1 and len(light[min(light)]) == 2, (
        "prose: the run with the highest MSE has a single light color, the lowest a second one")
    fails = re.findall(r"^(rings|moons|unequal blobs): k = \d, k-means agrees with the groups on (\d+)% of the points "
                       r"· MSE of k-means ([\d,]+), of the true groups ([\d,]+)$", out, re.M)
    assert [f[0] for f in fails] == ["rings", "moons", "unequal blobs"], "notebook 03 no longer shows where k-means fails"
    for shape, agree, kmeans_mse, groups_mse in fails:
        assert int(agree) < 90, f"prose: k-means does not find the {shape}' groups ({agree}% agree)"
        assert int(kmeans_mse.replace(",", "")) < int(groups_mse.replace(",", "")), (
            f"prose: on the {shape} the true groups have a higher MSE than k-means' clusters")
    assert "the true groups have a **higher MSE**" in prose


def _check_04(nb) -> None:
    out, prose = _all_output(nb), _all_prose(nb)
    best = re.search(r"smallest k for 30 dB: (\d+)", out)
    assert best and f"$k = {best.group(1)}$" in prose, "the prose must name the k the search found"


def _check_05(nb) -> None:
    out, prose = _all_output(nb), _all_prose(nb)
    colors = re.search(r"distinct colors: ([\d,]+)", out)
    assert colors and f"{colors.group(1)} colors" in prose, "the prose must give the cat's number of colors"
    assert "100,000" not in prose
    assert "best of 3 timed runs after a warm-up run" in prose
    tables = [dict((m[0], [float(v) for v in m[2:]]) for m in re.findall(
        r"^(\S+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", _text_outputs(cell), re.M))
        for cell in _code_cells(nb) if "PSNR dB" in _text_outputs(cell)]
    methods, _, rocket_spaces, cat_spaces, dithers = tables[:5]
    mse, delta_e = 0, 2  # columns after the number of colors
    assert max(methods, key=lambda m: methods[m][mse]) == "pillow-max-coverage", "prose: max-coverage is the worst"
    assert min(methods, key=lambda m: methods[m][mse]) in ("kmeans", "kmeans2"), "prose: k-means has the lowest MSE"
    assert rocket_spaces["lab"][delta_e] < rocket_spaces["rgb"][delta_e], "prose: CIELAB lowers the rocket's ΔE"
    for spaces in (rocket_spaces, cat_spaces):
        assert spaces["rgb"][mse] == min(s[mse] for s in spaces.values()), "prose: RGB has the lowest MSE"
        assert spaces["oklab"][delta_e] > spaces["rgb"][delta_e], "prose: OKLab's ΔE is a little worse than RGB's"
    assert all(dithers[d][mse] > dithers["none"][mse] for d in ("floyd-steinberg", "bayer"))
    patches = dict(re.findall(r"^(\S+)\s+pixel by pixel: .* 4x4 patch means: MSE\s+([\d.]+)$", out, re.M))
    assert all(float(patches[d]) < float(patches["none"]) for d in ("floyd-steinberg", "bayer")), (
        "prose: on patch means both ditherings win")


def _check_green_eyes(solved: str, prose: str) -> None:
    """Exercise 4 of notebook 05: what its worked solution says of the cat's eyes is what the solution prints."""
    prose = " ".join(prose.split())
    share = re.search(r"eye pixels: [\d,]+ of [\d,]+ \(([\d.]+)%\)", solved)
    assert share and f"The eyes are {share.group(1)}% of the pixels" in prose
    rows = {label: dict(zip(("green", "mse", "de", "ssim", "eye_de"), map(float, values))) for label, *values in re.findall(
        r"^(.+?): eyes still green (\d+)% · whole photo: MSE ([\d.]+), ΔE2000 ([\d.]+), SSIM ([\d.]+) · "
        r"eyes alone: ΔE2000 ([\d.]+)$", solved, re.M)}
    assert len(rows) == 10, f"exercise 4 of notebook 05 prints {len(rows)} of its 10 lines"
    k16 = [rows[f"kmeans, {space}, k = 16"] for space in ("rgb", "lab", "oklab")]
    rgb, octree = k16[0], rows["pillow-octree, k = 16"]
    assert all(row["green"] == 0 for row in k16), "prose: every 16-color k-means palette loses the green"
    assert octree["green"] > 0 and rows["pillow-max-coverage, k = 16"]["green"] > 0, "prose: octree and max-coverage keep some"
    assert rgb["mse"] < octree["mse"] and rgb["de"] < octree["de"] and rgb["ssim"] > octree["ssim"], (
        "prose: no whole-photo measure notices (all rank k-means above octree)")
    assert f"(0% of the eyes still green) above Pillow's octree ({octree['green']:.0f}%)" in prose
    locked = rows["kmeans, rgb, k = 16, 3 eye colors locked"]
    assert all(10 <= row["eye_de"] < 11.5 for row in k16) and round(locked["eye_de"]) == 6, (
        "prose: on the eyes alone ΔE2000 is 10 to 11 for k-means at 16, about 6 with the eye colors locked")
    assert "10 to 11 for every 16-color k-means palette, against about 6" in prose
    assert rows["kmeans, rgb, k = 64"]["green"] == 0 and "no green at $k = 64$" in prose
    claims = {"kmeans, rgb, k = 256": "{}% at $k = 256$", "kmeans, oklab, k = 64": "OKLab at $k = 64$ keeps {}%",
              "kmeans, rgb, k = 16, 3 eye colors locked": "keeps {}% for an MSE of",
              "wu-kmeans, oklab, k = 256": "OKLab at 256 colors keeps {}%"}
    for label, claim in claims.items():
        assert claim.format(f"{rows[label]['green']:.0f}") in prose, f"prose: {label} keeps another share of green"
    assert f"an MSE of {locked['mse']:.0f} instead of {rgb['mse']:.0f}" in prose
    oklab64, rgb64 = rows["kmeans, oklab, k = 64"], rows["kmeans, rgb, k = 64"]
    assert round(oklab64["de"], 1) <= round(rgb64["de"], 1), "prose: OKLab's whole-photo ΔE is as good as RGB's at 64"
    wu = rows["wu-kmeans, oklab, k = 256"]
    assert wu["de"] == min(r["de"] for r in rows.values()) and wu["ssim"] == max(r["ssim"] for r in rows.values()), (
        "prose: wu-kmeans in OKLab has the lowest ΔE2000 and the highest SSIM")


def _check_06(nb) -> None:
    out = _all_output(nb)
    assert "photos: 6, from the folder" in out and "failed: 0" in out, "notebook 06 explores the six bundled photos"
    prose = " ".join(_all_prose(nb).split())
    counts = {name: int(n) for name, n in re.findall(r"^\d+\s+(astronaut|chelsea)\.png\s+\d+\s+\d+\s+(\d+)", out, re.M)}
    assert f"from {counts['chelsea']:,} distinct colors (the cat) to {counts['astronaut']:,} (the astronaut)" in prose
    near = re.search(r"palette colors within 10 of the gray axis: (\d+)%", out)
    assert near and int(near.group(1)) > 50, "prose: most palette colors sit near the gray axis"


def _check_07(nb) -> None:
    out, prose = _all_output(nb), " ".join(_all_prose(nb).split())
    errors = dict((name.strip(), float(value)) for name, value in
                  re.findall(r"^(.+?)\s+mean light error per band: ([\d.]+)$", out, re.M))
    assert set(errors) == {"threshold", "random noise", "Bayer 4x4", "Floyd-Steinberg"}
    assert max(errors, key=errors.get) == "threshold", "prose: the threshold is far off"
    assert sorted(errors, key=errors.get)[:2] == ["Floyd-Steinberg", "Bayer 4x4"], (
        "prose: Bayer and error diffusion keep the light closest")
    assert "mean code: 127.5 · mean light: 0.5 = code 188" in out and "light of code 188" in prose
    assert "[[ 0  8  2 10]" in out, "the Bayer matrix is printed"
    assert re.search(r"pixel \(0, 0\) holds 0\.503 -> white, error -0\.497", out) and "holds 0.503" in prose
    assert all(f"{w}/16" in prose for w in (7, 3, 5, 1))
    gif = re.search(r"GIF, 256 colors: ([\d.]+) kB · 24-bit PNG of the original: ([\d.]+) kB", out)
    assert gif and float(gif.group(1)) < float(gif.group(2)), "the GIF's size is printed beside the PNG's"
    white = re.search(r"white pixels, dithering in light: (\d+)%", out)
    assert white is None or white.group(1) in ("21", "22", "23"), "prose: about 22% white for code 128"


CHECKS = {"01": _check_01, "03": _check_03, "04": _check_04, "05": _check_05, "06": _check_06, "07": _check_07}


def _check_static_pictures(nb, name: str) -> None:
    """Every widget output has a static PNG before it in the same cell (readable without a kernel)."""
    for index, cell in enumerate(_code_cells(nb)):
        kinds = [("widget" if WIDGET in o.get("data", {}) else "png" if "image/png" in o.get("data", {}) else "")
                 for o in cell.outputs]
        for position, kind in enumerate(kinds):
            if kind == "widget":
                assert "png" in kinds[:position], (
                    f"{name}: code cell {index} shows a widget with no static picture before it; "
                    "a page read without a kernel would show nothing")


# ---------------------------------------------------------------- tests


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"
    assert {p.name for p in LESSON_PATHS} == set(LESSONS)


def test_other_notebooks_are_committed_without_outputs():
    for path in [p for p in NOTEBOOKS if p.name not in LESSONS + STILLS]:
        dirty = [i for i, c in enumerate(_code_cells(path)) if c.outputs or c.execution_count]
        assert not dirty, f"{path.name}: code cells {dirty} hold outputs; clear them before committing"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name in STILLS], ids=lambda p: p.name)
def test_a_live_tool_is_committed_with_its_still(path):
    """Without a kernel (GitHub, the docs) the explorer's notebook shows a labelled still, not an empty cell."""
    cells = _code_cells(path)
    assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1)), f"{path.name}: execute it top to bottom"
    pictures = [o for c in cells for o in c.outputs if "image/png" in o.get("data", {})]
    assert pictures, f"{path.name}: committed without its still picture; execute it before committing"
    assert all(len(o.data["image/png"]) > 20_000 for o in pictures), f"{path.name}: the still is (nearly) empty"
    assert not [o for c in cells for o in c.outputs if o.output_type == "error"]


@pytest.mark.parametrize("path", LESSON_PATHS, ids=lambda p: p.name)
def test_lessons_are_committed_executed_top_to_bottom(path):
    cells = _code_cells(path)
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: execute it top to bottom in a fresh kernel before committing "
        "(jupyter nbconvert --to notebook --execute --inplace); execution counts are {counts}")
    errors = [o for c in cells for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: committed with an error: {errors[0].ename}: {errors[0].evalue}"


@pytest.mark.parametrize("path", LESSON_PATHS, ids=lambda p: p.name)
def test_committed_lessons_read_without_a_kernel(path):
    nb = nbformat.read(path, as_version=4)
    _check_static_pictures(nb, path.name)
    CHECKS[path.name[:2]](nb)


@pytest.mark.parametrize("path", LESSON_PATHS, ids=lambda p: p.name)
def test_every_exercise_has_a_hint_and_a_worked_solution(path):
    nb = nbformat.read(path, as_version=4)
    prose = _all_prose(nb)
    exercises = prose[prose.index("## Exercises"):]
    numbers = re.findall(r"^\*\*(\d+)\. ", exercises, re.M)
    assert numbers == [str(i) for i in range(1, len(numbers) + 1)] and len(numbers) >= 3
    for number, part in zip(numbers, re.split(r"^\*\*\d+\. ", exercises, flags=re.M)[1:]):
        assert "<details><summary>Hint</summary>" in part, f"{path.name}: exercise {number} has no hint"
        assert "<details><summary>Solution</summary>" in part, f"{path.name}: exercise {number} has no solution"
    assert len(_solutions(nb)) >= len(numbers)


@pytest.mark.parametrize("path", LESSON_PATHS, ids=lambda p: p.name)
def test_math_is_written_for_static_renderers(path):
    """$...$ renders on GitHub, in nbconvert HTML and in the docs; \\( \\) and bare LaTeX do not everywhere."""
    prose = _all_prose(nbformat.read(path, as_version=4))
    assert "\\(" not in prose and "\\[" not in prose
    assert prose.count("$") % 2 == 0, f"{path.name}: an unclosed $ in the markdown"


def _is_exercise(cell) -> bool:
    """A cell the student writes in (tagged ``exercise``): the one place a notebook may define a function."""
    return EXERCISE in cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_define_no_functions(path):
    """Notebooks stay thin: logic lives in colorlab/, a lesson cell calls it; only exercise cells define."""
    for cell in _code_cells(path):
        defs = [n for n in ast.walk(ast.parse(_python(cell.source)))
                if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
        if _is_exercise(cell):
            assert defs, f"{path.name}: an exercise cell that defines nothing; drop its {EXERCISE!r} tag"
            continue
        assert not defs, f"{path.name}: a cell defines {type(defs[0]).__name__}; move it into colorlab"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_cell_is_checked_by_the_next_cell(path):
    cells = _code_cells(path)
    for index, cell in enumerate(cells):
        if _is_exercise(cell):
            names = [n.name for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef)]
            after = cells[index + 1].source if index + 1 < len(cells) else ""
            assert any(f"check_{name}({name}" in after for name in names), (
                f"{path.name}: code cell {index} is an exercise, but the next cell does not check it")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_runs_top_to_bottom(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    solutions = _solutions(nb)
    # the worked solutions run too, after the notebook, in the same kernel (they use its variables)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in solutions]
    # run in a scratch folder so files a notebook saves never land in the checkout
    client = NotebookClient(
        nb,
        timeout=600,  # per cell; the first kernel start on a fresh venv can be slow
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: {errors[0].ename}: {errors[0].evalue}"
    stderr = [
        o.text for c in nb.cells if c.cell_type == "code" for o in c.outputs
        if o.output_type == "stream" and o.name == "stderr" and "Traceback" in o.text
    ]
    assert not stderr, f"{path.name} printed a traceback: {stderr[0][:500]}"
    if path.name in LESSONS:
        _check_static_pictures(nb, path.name)
        CHECKS[path.name[:2]](nb)
    if path.name.startswith("03"):
        # the worked solutions of the write-it-yourself cells pass the checks, and on the photo give the library's result
        solved = "\n".join(_text_outputs(c) for c in _code_cells(nb)[-len(solutions):])
        assert "assign: the library's clusters at all" in solved and "update: the library's centers at all" in solved
        run = re.search(r"yours: (\d+) steps, MSE ([\d.]+) · the library's: (\d+) steps, MSE ([\d.]+)", solved)
        assert run and run.group(1) == run.group(3) and run.group(2) == run.group(4), "your k-means must be the library's"
    if path.name.startswith("05"):
        _check_green_eyes("\n".join(_text_outputs(c) for c in _code_cells(nb)[-len(solutions):]), _all_prose(nb))


def test_the_lesson_plan_adds_up_and_links_existing_notebooks():
    readme = (NOTEBOOKS[0].parent / "README.md").read_text()
    for link in re.findall(r"\]\(([^)]+\.ipynb)\)", readme):
        assert (NOTEBOOKS[0].parent / link).exists(), f"notebooks/README.md links a missing notebook: {link}"
    assert {p.name for p in LESSON_PATHS} <= set(re.findall(r"\]\(([^)]+\.ipynb)\)", readme))
    for title, total in (("## A 45-minute lesson", 45), ("## A 90-minute lab", 90)):
        section = readme[readme.index(title):].split("\n## ", 1)[0]
        spans = re.findall(r"^\| (\d+)–(\d+) \|", section, re.M)
        assert spans and spans[0][0] == "0" and spans[-1][1] == str(total), f"{title}: the rows must run 0–{total}"
        assert all(end == start for (_, end), (start, _) in zip(spans, spans[1:])), f"{title}: a gap between rows"
    lesson = readme[readme.index("## A 45-minute lesson"):].split("\n## ", 1)[0]
    assert re.search(r"^\| \d+–\d+ \| \*\*Student activity\*\*", lesson, re.M), (
        "the 45-minute lesson must give the students a few minutes to do something themselves")
    lab = readme[readme.index("## A 90-minute lab"):].split("\n## ", 1)[0]
    alone = {link: int(minutes) for link, minutes in re.findall(r"^\| \[\d+ · [^]]+\]\(([^)]+)\) \|.*\| (\d+) min \|$", readme, re.M)}
    in_lab = {link for link in alone if re.search(rf"^\| \d+–\d+ \| {link[:2]} \|", lab, re.M)}
    assert sum(alone[link] for link in in_lab) <= 90 or "*optional*" in lab, (
        "the lab's notebooks take longer than 90 minutes alone: mark optional what does not fit")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_opens_with_learning_goals_and_ends_with_a_recap(path):
    cells = nbformat.read(path, as_version=4).cells
    opening = [c.source for c in cells[:3] if c.cell_type == "markdown"]
    assert any(s.startswith("**After this notebook you can**") and s.count("\n- ") >= 3 for s in opening), (
        f"{path.name}: say at the top what the student can do afterwards (**After this notebook you can**, 3+ items)")
    last = cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("## Recap") and last.source.count("\n- ") >= 3, (
        f"{path.name}: end with a ## Recap of 3 or more points")


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name in LESSONS + STILLS], ids=lambda p: p.name)
def test_the_docs_page_shows_stills_and_no_dead_controls(path):
    """The docs site has no kernel: a widget there would be a slider that moves nothing. Its page keeps the still
    picture and says the controls need a kernel (docs/execute_notebooks.py writes the pages' copies)."""
    import sys

    sys.path.insert(0, str(path.parent.parent / "docs"))
    import execute_notebooks

    nb = nbformat.read(path, as_version=4)
    page = execute_notebooks.without_widgets(nb)
    assert "widgets" not in page.metadata and WIDGET not in nbformat.writes(page), f"{path.name}: a widget reaches the page"
    for before, after in zip(_code_cells(nb), _code_cells(page)):
        assert len(after.outputs) == len(before.outputs)
        for old, new in zip(before.outputs, after.outputs):
            if WIDGET not in old.get("data", {}):
                assert new == old
            elif "image/png" in old.data:
                assert new.data["image/png"] == old.data["image/png"]  # the explorer's still stays
            else:
                assert new.data["text/markdown"] == execute_notebooks.KERNEL_CAPTION
    assert WIDGET in nbformat.writes(nb) or path.name not in ("02_explorer.ipynb", "03_how_kmeans_works.ipynb"), (
        "the committed notebooks keep their widgets for readers with a kernel")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_committed_picture_has_alt_text(path):
    """A reader with a screen reader, and the docs site, get a description of every figure (docs/alt_text.py)."""
    for index, cell in enumerate(_code_cells(path)):
        for output in cell.outputs:
            if "image/png" in output.get("data", {}):
                alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
                assert len(alt.split()) >= 5, (
                    f"{path.name}: code cell {index} shows a picture without alt text; list one per picture in the "
                    "cell's metadata (\"alt\": [...]) and run python docs/alt_text.py on the notebook")
