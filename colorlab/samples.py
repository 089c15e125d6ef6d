"""The photos bundled in ``data/``, by name. PLACEHOLDER."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ImageFileError

DATA_DIR = Path(os.environ.get("COLORLAB_DATA", Path(__file__).resolve().parent.parent / "data"))
_EXTS = (".png", ".jpg", ".jpeg")


def samples() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.iterdir() if p.suffix.lower() in _EXTS)


def sample_path(name: str) -> Path:
    for ext in _EXTS:
        if (DATA_DIR / f"{name}{ext}").exists():
            return DATA_DIR / f"{name}{ext}"
    raise ImageFileError(f"no bundled photo named {name!r}; choose one of {', '.join(samples())}")


def resolve(source) -> Path:
    path = Path(source)
    if path.exists() or os.sep in str(source) or path.suffix:
        return path
    return sample_path(str(source))
