"""Fuzzing load_image: random and mutated image bytes give a correct image or a ColorlabError, nothing else.

The number of inputs is bounded (FUZZ_EXAMPLES, default 300; set COLORLAB_FUZZ_EXAMPLES
to run more) so that the test takes a few seconds. The count actually tried is printed
(``pytest -s``) and recorded as the test property ``fuzz_inputs`` (``--junitxml``).
"""

from __future__ import annotations

import io
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import colorlab

FUZZ_EXAMPLES = int(os.environ.get("COLORLAB_FUZZ_EXAMPLES", "300"))


def _encoded(fmt: str, image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _seeds() -> list[bytes]:
    rng = np.random.default_rng(7)
    rgb = Image.fromarray(rng.integers(0, 256, (12, 10, 3), dtype=np.uint8))
    rgba = Image.fromarray(rng.integers(0, 256, (9, 7, 4), dtype=np.uint8))
    gray16 = Image.fromarray(rng.integers(0, 65536, (8, 8), dtype=np.uint16))
    exif = Image.Exif()
    exif[0x0112] = 6
    frames = [Image.new("P", (6, 5), i) for i in range(3)]
    return [
        _encoded("PNG", rgb),
        _encoded("PNG", rgba),
        _encoded("PNG", rgb.convert("P"), transparency=0),
        _encoded("PNG", gray16),
        _encoded("JPEG", rgb, quality=90, exif=exif.tobytes()),
        _encoded("JPEG", rgb.convert("CMYK")),
        _encoded("GIF", frames[0], save_all=True, append_images=frames[1:]),
        _encoded("BMP", rgb),
        _encoded("TIFF", rgb),
        _encoded("WEBP", rgb, lossless=True),
    ]


SEEDS = _seeds()

# one mutation: (kind, position as a fraction of the length, payload)
_MUTATION = st.tuples(
    st.sampled_from(["flip", "truncate", "insert", "overwrite", "delete"]),
    st.floats(0, 1, allow_nan=False),
    st.binary(min_size=1, max_size=8),
)


def _mutate(data: bytes, mutations) -> bytes:
    data = bytearray(data)
    for kind, where, payload in mutations:
        at = min(int(where * len(data)), max(len(data) - 1, 0))
        if kind == "flip" and data:
            data[at] ^= payload[0] or 0xFF
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = payload
        elif kind == "overwrite":
            data[at : at + len(payload)] = payload
        elif kind == "delete":
            del data[at : at + len(payload)]
    return bytes(data)


FUZZ_INPUTS = st.one_of(
    st.binary(max_size=300),  # random bytes
    st.builds(lambda head, tail: head + tail, st.sampled_from([s[:16] for s in SEEDS]), st.binary(max_size=200)),  # a valid signature, then noise
    st.builds(_mutate, st.sampled_from(SEEDS), st.lists(_MUTATION, min_size=1, max_size=4)),  # mutated valid files
)


def test_load_image_survives_random_and_mutated_bytes(record_property):
    tried = {"inputs": 0, "images": 0, "errors": 0}

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.img"

        @settings(max_examples=FUZZ_EXAMPLES, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(FUZZ_INPUTS)
        def load_fuzzed(data):
            tried["inputs"] += 1
            path.write_bytes(data)
            with warnings.catch_warnings():
                warnings.simplefilter("error", ResourceWarning)
                warnings.simplefilter("ignore", colorlab.ColorlabWarning)  # odd-but-readable files may warn
                try:
                    image = colorlab.load_image(path, max_pixels=4_000_000)
                except colorlab.ColorlabError as err:
                    assert str(path) in str(err)
                    tried["errors"] += 1
                    return
            assert isinstance(image, np.ndarray) and image.dtype == np.uint8
            assert image.ndim == 3 and image.shape[2] == 3 and image.size > 0
            tried["images"] += 1

        load_fuzzed()

    record_property("fuzz_inputs", tried["inputs"])
    print(f"\nfuzz: {tried['inputs']} inputs tried: {tried['images']} decoded as images, {tried['errors']} refused with a ColorlabError")
    assert tried["inputs"] >= min(FUZZ_EXAMPLES, 100)
    assert tried["images"] > 0 and tried["errors"] > 0  # both kinds of outcome were exercised
