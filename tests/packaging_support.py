"""What pyproject.toml says colorlab needs, with the extras that name other extras (``colorlab[batch]``) spelled out."""

from __future__ import annotations

import re


def requirements(project: dict, *extras: str) -> list[str]:
    """The requirements of ``pip install colorlab[extras]``: the dependencies and each extra's, recursively,
    without the ``colorlab[...]`` entries themselves."""
    seen, out = set(), list(project["dependencies"])

    def add(extra: str) -> None:
        if extra in seen:
            return
        seen.add(extra)
        for requirement in project["optional-dependencies"][extra]:
            match = re.fullmatch(r"colorlab\[([\w,\s-]+)\]", requirement.strip())
            if match:
                for name in match.group(1).split(","):
                    add(name.strip())
            elif requirement not in out:
                out.append(requirement)

    for extra in extras:
        add(extra)
    return out
