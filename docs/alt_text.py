"""Alt text for every picture a notebook shows, from the notebook's own cells.

A code cell that shows pictures lists one description per picture in its metadata, ``"alt": [...]``,
in the order the pictures appear; the list survives re-execution. :func:`apply` copies each
description into its picture's output (``metadata["image/png"]["alt"]``, which nbconvert's HTML uses) and
the cell's first one into MyST-NB's image options (``metadata["mystnb"]["image"]["alt"]``, which the
documentation site uses). ``tests/test_notebooks.py`` fails on a committed picture without alt text.

Run as a script on notebooks after executing them::

    python docs/alt_text.py notebooks/*.ipynb
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

IMAGE = "image/png"


def images(cell) -> list:
    """The outputs of a code cell that hold a PNG picture, in order."""
    return [o for o in cell.get("outputs", []) if IMAGE in o.get("data", {})]


def apply(nb) -> list[str]:
    """Copy every code cell's ``alt`` list onto its pictures; return one problem per cell whose count differs."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        pictures, texts = images(cell), list(cell.metadata.get("alt", []))
        if len(pictures) != len(texts):
            problems.append(f"code cell at position {index} shows {len(pictures)} pictures but its metadata has "
                            f"{len(texts)} alt texts")
            continue
        for output, text in zip(pictures, texts):
            output.setdefault("metadata", {}).setdefault(IMAGE, {})["alt"] = text
        if texts:
            cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = texts[0]
    return problems


def main(paths: list[str]) -> int:
    status = 0
    for path in map(Path, paths):
        nb = nbformat.read(path, as_version=4)
        problems = apply(nb)
        nbformat.write(nb, path)
        for problem in problems:
            print(f"{path.name}: {problem}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
