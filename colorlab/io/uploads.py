"""Photos that arrive as uploaded files, for both explorers (``colorlab.explorer`` and ``colorlab.lessons.widgets``).

No screen: Pillow through :func:`colorlab.load_image`.
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import ImageTooLargeError
from .images import load_image

__all__ = ["decode_upload", "file_stem"]


def decode_upload(name: str, content: bytes, max_pixels) -> np.ndarray:
    """Decode an uploaded file's bytes as an (H, W, 3) uint8 image; errors name the upload.

    An image over ``max_pixels`` gets advice for the explorer (``explorer(..., max_pixels=N)``)
    rather than :func:`colorlab.load_image`'s keyword.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGB", (4, 2)).save(buffer, format="PNG")
    >>> decode_upload("tiny.png", buffer.getvalue(), None).shape
    (2, 4, 3)
    """
    try:
        return load_image(content, name=f"the uploaded file {name!r}", max_pixels=max_pixels)
    except ImageTooLargeError as err:
        advice = re.sub(r"pass max_pixels=(\d+) \(or None\) to load_image",
                        r"open the explorer with explorer(..., max_pixels=\1)", str(err))
        raise ImageTooLargeError(advice) from None


def file_stem(name: str) -> str:
    """A photo's name in the explorer's list as a safe start of a file name.

    Examples
    --------
    >>> file_stem("my photo.png (1a2b3c)")
    'my-photo'
    """
    base = name.split(" (")[0].rsplit(".", 1)[0]
    return re.sub(r"[^A-Za-z0-9_-]+", "-", base).strip("-") or "image"
