"""Loading and saving images as ``(H, W, 3)`` uint8 RGB arrays.

PLACEHOLDER: minimal version; the full loader (EXIF, alpha, 16-bit, limits,
clear errors) replaces it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from ._files import write_atomically
from .errors import ImageFileError, InvalidImageError

__all__ = ["load_image", "save_image", "as_image", "as_pixels"]


def load_image(source, *, background=(255, 255, 255), max_pixels=None) -> np.ndarray:
    from .samples import resolve

    path = resolve(source)
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        return np.asarray(im.convert("RGB"))


def save_image(path, image) -> Path:
    import imageio.v3 as iio

    image = as_image(image)
    return write_atomically(path, lambda tmp: iio.imwrite(tmp, image, extension=Path(path).suffix.lower()))


def as_image(image, name: str = "image") -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise InvalidImageError(f"{name} must be an (H, W, 3) uint8 array, got shape {image.shape} dtype {image.dtype}")
    return image


def as_pixels(image, name: str = "image") -> np.ndarray:
    image = np.asarray(image)
    if image.ndim == 2 and image.shape[1] == 3 and image.dtype == np.uint8:
        return image
    return as_image(image, name).reshape(-1, 3)


def to_rgb8(array, *, background=(255, 255, 255)) -> np.ndarray:
    raise NotImplementedError
