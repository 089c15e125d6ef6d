"""Photos the benchmarks share: the Kodak set when it is there, the 12-megapixel upscales, and camera-like JPEGs.

``big_photo(noisy)`` is the 12-megapixel photo of bench_quantize.py's ``--big`` (``big12mp`` and
``big12mp-noisy``) and bench_cli.py's 12 MP case: the bundled "astronaut" upscaled to 4096 x 3072
(bicubic), optionally plus Gaussian noise of sigma 2 (seed 0, rounded and clipped), like a camera's
sensor noise. The same pixels every time.

``camera_jpeg(name)`` is bench_quantize.py's ``camera-jpegs``: each Unsplash photo with a sensor's noise, saved
by other JPEG encoders and settings (:data:`CAMERA_VARIANTS`), decoded by colorlab. Made at benchmark time, in
memory or a temporary folder; nothing is written beside the checkout.
"""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
import tempfile
import zlib
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


#: The Unsplash camera photos at 1920 x 1280 (JPEGs, 2.5 MP), next to the repository when the shared data sets are there.
UNSPLASH = KODAK.parent / "unsplash" / "1920x1280"

#: The camera-like JPEGs :func:`camera_jpeg` makes of each Unsplash photo (bench_quantize.py's ``camera-jpegs``):
#: variant -> (encoder, its settings, noise at mid-gray). The encoders: Pillow's libjpeg-turbo with the IJG tables
#: scaled by quality, and with Pillow's presets (Photoshop's "Save for Web" tables); OpenCV's own libjpeg build with
#: a lower chroma quality, as some phones; cjpeg (libjpeg-turbo's or mozjpeg's) and ImageMagick when installed.
#: Subsampling 4:4:4 (high-end cameras), 4:2:2 (many cameras), 4:2:0 (phones, the web).
CAMERA_VARIANTS = {
    "pil-q95-444-n2": ("pillow", {"quality": 95, "subsampling": "4:4:4"}, 2.0),
    "pil-q90-422-n3": ("pillow", {"quality": 90, "subsampling": "4:2:2"}, 3.0),
    "pil-q90-420-n2": ("pillow", {"quality": 90, "subsampling": "4:2:0"}, 2.0),
    "pil-q75-420": ("pillow", {"quality": 75, "subsampling": "4:2:0"}, 0.0),
    "ps-maximum-n2": ("pillow", {"quality": "maximum"}, 2.0),  # 4:4:4
    "ps-web_medium-n1": ("pillow", {"quality": "web_medium"}, 1.0),  # 4:2:0
    "cv-q95-c80-420-n2": ("opencv", {"quality": 95, "chroma_quality": 80, "subsampling": "4:2:0"}, 2.0),
    "cjpeg-q90-444-n2": ("cjpeg", {"quality": 90, "subsampling": "4:4:4"}, 2.0),
    "magick-q92-420-n2": ("magick", {"quality": 92, "subsampling": "4:2:0"}, 2.0),
}

_CJPEG_SAMPLE = {"4:4:4": "1x1", "4:2:2": "2x1", "4:2:0": "2x2"}


def sensor_noise(image: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    """``image`` plus a camera sensor's noise: Gaussian, independent per pixel and channel, with a variance that
    grows with the brightness (shot noise over a read-noise floor): ``sigma`` levels at mid-gray, half of it in
    black, 1.3x in white; rounded and clipped to uint8. The same pixels for the same ``seed``."""
    if sigma <= 0:
        return image
    level = image.astype(np.float64)
    deviation = sigma * np.sqrt(0.25 + 0.75 * level / 128.0)
    noisy = level + deviation * np.random.default_rng(seed).standard_normal(image.shape)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


def _magick() -> str | None:
    # ImageMagick 7 is `magick`; Debian's ImageMagick 6 also installs `convert-im6.q16`. A bare `convert` is not
    # taken: it may be GraphicsMagick's, whose options differ.
    return shutil.which("magick") or shutil.which("convert-im6.q16")


def jpeg_encoders() -> list[str]:
    """The encoders of :data:`CAMERA_VARIANTS` that can run here."""
    found = ["pillow"]
    if importlib.util.find_spec("cv2") is not None:
        found.append("opencv")
    if shutil.which("cjpeg"):
        found.append("cjpeg")
    if _magick():
        found.append("magick")
    return found


def encode_jpeg(image: np.ndarray, encoder: str, settings: dict) -> bytes:
    """The JPEG file ``encoder`` writes of the (H, W, 3) uint8 ``image`` with ``settings`` (quality, subsampling,
    chroma_quality), built in a temporary folder for the command-line encoders."""
    if encoder == "pillow":
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="JPEG", **settings)
        return buffer.getvalue()
    if encoder == "opencv":
        import cv2

        sampling = {"4:4:4": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444, "4:2:2": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422,
                    "4:2:0": cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420}[settings["subsampling"]]
        done, data = cv2.imencode(".jpg", np.ascontiguousarray(image[..., ::-1]), [
            cv2.IMWRITE_JPEG_QUALITY, settings["quality"], cv2.IMWRITE_JPEG_CHROMA_QUALITY, settings["chroma_quality"],
            cv2.IMWRITE_JPEG_SAMPLING_FACTOR, sampling])
        if not done:
            raise RuntimeError("OpenCV could not encode the JPEG")
        return data.tobytes()
    with tempfile.TemporaryDirectory(prefix="colorlab-bench-jpeg-") as folder:
        source, target = Path(folder) / "in.ppm", Path(folder) / "out.jpg"
        Image.fromarray(image).save(source, format="PPM")
        if encoder == "cjpeg":
            command = ["cjpeg", "-quality", str(settings["quality"]), "-sample", _CJPEG_SAMPLE[settings["subsampling"]],
                       "-outfile", str(target), str(source)]
        else:
            command = [_magick(), str(source), "-quality", str(settings["quality"]), "-sampling-factor",
                       settings["subsampling"], str(target)]
        subprocess.run(command, check=True, capture_output=True, timeout=300)
        return target.read_bytes()


def camera_jpeg_names() -> list[str]:
    """``cam-PHOTO-VARIANT`` for every Unsplash photo and every variant whose encoder can run here (none when
    the Unsplash folder is missing)."""
    if not UNSPLASH.is_dir():
        return []
    encoders = jpeg_encoders()
    variants = [v for v, (encoder, _, _) in CAMERA_VARIANTS.items() if encoder in encoders]
    return [f"cam-{path.stem}-{variant}" for path in sorted(UNSPLASH.glob("*.jpg")) for variant in variants]


def camera_jpeg(name: str) -> np.ndarray | None:
    """The photo a camera-like JPEG ``cam-PHOTO-VARIANT`` decodes to (colorlab's reader), made now from the
    Unsplash photo with sensor noise seeded by the name; None when the photo is not there.

    Examples
    --------
    >>> camera_jpeg("cam-Boothbay-pil-q90-422-n3").shape  # doctest: +SKIP
    (1280, 1920, 3)
    """
    rest = name.removeprefix("cam-")
    variant = next((v for v in CAMERA_VARIANTS if rest.endswith("-" + v)), None)
    if variant is None:
        raise ValueError(f"{name!r} names no camera JPEG: end it with one of {', '.join(CAMERA_VARIANTS)}")
    path = UNSPLASH / f"{rest[: -len(variant) - 1]}.jpg"
    if not path.exists():
        return None
    encoder, settings, sigma = CAMERA_VARIANTS[variant]
    noisy = sensor_noise(colorlab.load_image(path), sigma, seed=zlib.crc32(name.encode()))
    return colorlab.load_image(encode_jpeg(noisy, encoder, settings), name=name)
