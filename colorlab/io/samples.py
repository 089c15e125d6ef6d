"""The photos bundled in ``data/``, by name, with their credits.

Every bundled photo is in the public domain or dedicated to it under CC0; the
table :data:`SAMPLES` records where each one comes from (they are the photos
that ship with scikit-image, whose docstrings state the terms). The data folder
is ``colorlab/data`` in an installed package (wheels and sdists map the
checkout's top-level ``data/`` there), ``<checkout>/data`` when colorlab runs
from its checkout (an editable install); the environment variable
``COLORLAB_DATA`` points elsewhere.

This module only knows file names; :func:`colorlab.load_image` reads them.

Examples
--------
>>> from colorlab.io.samples import samples, sample_path
>>> "rocket" in samples()
True
>>> sample_path("rocket").name
'rocket.jpg'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ImageFileError

__all__ = ["SAMPLES", "Sample", "samples", "sample_path", "credits", "data_dir", "resolve"]


@dataclass(frozen=True)
class Sample:
    """One bundled photo: its file in ``data/`` and where it comes from."""

    file: str
    title: str
    size: tuple[int, int]  # (width, height) in pixels
    author: str
    source: str
    license: str


SAMPLES: dict[str, Sample] = {
    "astronaut": Sample(
        "astronaut.png", "Eileen Collins, NASA astronaut (portrait)", (512, 512),
        "NASA", "https://flic.kr/p/r9qvLn",
        "public domain (no known copyright restrictions, NASA Great Images)",
    ),
    "chelsea": Sample(
        "chelsea.png", "Chelsea the cat", (451, 300),
        "Stefan van der Walt", "https://github.com/scikit-image/scikit-image/tree/main/skimage/data",
        "CC0 by the photographer",
    ),
    "coffee": Sample(
        "coffee.png", "A cup of coffee on a wooden table (courtesy of Pikolo Espresso Bar)", (600, 400),
        "Rachel Michetti", "https://github.com/scikit-image/scikit-image/tree/main/skimage/data",
        "CC0 by the photographer",
    ),
    "hubble_deep_field": Sample(
        "hubble_deep_field.jpg", "Hubble eXtreme Deep Field: thousands of galaxies", (1000, 872),
        "NASA", "http://hubblesite.org/newscenter/archive/releases/2012/37/image/a/",
        "public domain (NASA media guidelines)",
    ),
    "retina": Sample(
        "retina.jpg", "Fundus photograph of a normal left eye (human retina)", (1411, 1411),
        "Mikael Häggström",
        "https://commons.wikimedia.org/wiki/File:Fundus_photograph_of_normal_left_eye.jpg",
        "CC0 1.0 Universal Public Domain Dedication",
    ),
    "rocket": Sample(
        "rocket.jpg", "Falcon 9 carrying DSCOVR on its launch pad at Cape Canaveral under a dusk sky", (640, 427),
        "SpaceX", "https://www.flickr.com/photos/spacexphotos/16511594820/",
        "public domain (released by SpaceX)",
    ),
}


def data_dir() -> Path:
    """Return the folder holding the bundled photos.

    ``$COLORLAB_DATA`` if set; else ``colorlab/data`` inside an installed
    package (a wheel, ``pip install .``, an install from the git URL); else the
    checkout's ``data`` folder beside the package (an editable install).

    Examples
    --------
    >>> data_dir().is_dir()
    True
    """
    override = os.environ.get("COLORLAB_DATA")
    if override:
        return Path(override)
    package = Path(__file__).resolve().parent.parent  # colorlab/, above colorlab/io/
    installed = package / "data"
    return installed if installed.is_dir() else package.parent / "data"


def samples() -> list[str]:
    """Return the names of the bundled photos that are present, sorted.

    Examples
    --------
    >>> samples()
    ['astronaut', 'chelsea', 'coffee', 'hubble_deep_field', 'retina', 'rocket']
    """
    folder = data_dir()
    return sorted(name for name, sample in SAMPLES.items() if (folder / sample.file).is_file())


def sample_path(name: str) -> Path:
    """Return the path of the bundled photo called ``name``.

    Raises
    ------
    ImageFileError
        If ``name`` is not a bundled photo, or its file is missing from the data folder.

    Examples
    --------
    >>> sample_path("coffee").suffix
    '.png'
    """
    if name not in SAMPLES:
        raise ImageFileError(f"{name!r} is neither a file nor a bundled photo; {_choices()}")
    path = data_dir() / SAMPLES[name].file
    if not path.is_file():
        raise ImageFileError(
            f"the bundled photo {name!r} is missing from {str(data_dir())!r}; "
            f"reinstall colorlab (its wheel and sdist carry the photos) or set COLORLAB_DATA "
            f"to a folder that holds {SAMPLES[name].file}"
        )
    return path


def credits(name: str) -> str:
    """Return one line crediting the bundled photo ``name``: title, author, license and source.

    Examples
    --------
    >>> print(credits("chelsea"))
    Chelsea the cat, by Stefan van der Walt, CC0 by the photographer; source: https://github.com/scikit-image/scikit-image/tree/main/skimage/data
    """
    if name not in SAMPLES:
        raise ImageFileError(f"there is no bundled photo named {name!r}; {_choices()}")
    s = SAMPLES[name]
    return f"{s.title}, by {s.author}, {s.license}; source: {s.source}"


def resolve(source) -> Path:
    """Turn a path or a bundled photo name into a path.

    A ``str`` that names no existing file, has no folder part and no suffix is
    looked up among the bundled photos; everything else is taken as a path
    (which may not exist: the reader reports that).

    Examples
    --------
    >>> resolve("rocket") == sample_path("rocket")
    True
    >>> str(resolve("holiday.jpg"))
    'holiday.jpg'
    """
    path = Path(source)
    if not isinstance(source, str) or path.exists() or path.suffix or len(path.parts) != 1 or "/" in source:
        return path
    return sample_path(source)


def _choices() -> str:
    names = samples()
    listed = ", ".join(names) if names else f"none found in {str(data_dir())!r}"
    return f"give a path to an image file, or one of the bundled photos: {listed}"
