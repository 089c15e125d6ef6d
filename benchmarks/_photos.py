"""Photos the benchmarks share: the Kodak set when it is there, and the 12-megapixel upscales.

``big_photo(noisy)`` is the 12-megapixel photo of bench_quantize.py's ``--big`` (``big12mp`` and
``big12mp-noisy``) and bench_cli.py's 12 MP case: the bundled "astronaut" upscaled to 4096 x 3072
(bicubic), optionally plus Gaussian noise of sigma 2 (seed 0, rounded and clipped), like a camera's
sensor noise. The same pixels every time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

import colorlab

#: The Kodak photos (768 x 512), next to the repository when the shared data sets are there.
KODAK = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "kodak"

#: Size of the upscaled photo (width, height): 12,582,912 pixels.
BIG_SIZE = (4096, 3072)


def big_photo(noisy: bool) -> np.ndarray:
    """The bundled "astronaut" upscaled to 12 megapixels, with camera-like noise if ``noisy``.

    Parameters
    ----------
    noisy : bool
        Add Gaussian noise of sigma 2 (seed 0) to every channel, rounded and clipped to 0..255.

    Returns
    -------
    numpy.ndarray
        (3072, 4096, 3) uint8 RGB.
    """
    small = colorlab.load_image("astronaut")
    image = np.asarray(Image.fromarray(small).resize(BIG_SIZE, Image.Resampling.BICUBIC))
    if noisy:
        noise = np.random.default_rng(0).normal(0.0, 2.0, image.shape)
        image = np.clip(np.rint(image + noise), 0, 255).astype(np.uint8)
    return image
