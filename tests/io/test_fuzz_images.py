"""Fuzzing load_image: random and mutated image bytes give a correct image or a ColorlabError, nothing else.

The number of inputs is bounded (FUZZ_EXAMPLES, default 300; set COLORLAB_FUZZ_EXAMPLES
to run more) so that the test takes a few seconds. Each input is loaded twice, from a file
and from memory (bytes), and both routes must agree. The count actually tried is

- written in pytest's terminal summary, in every run that includes this test, with or
  without ``-s``, ``-q`` or ``-rA``, as a line ``colorlab fuzz: N inputs tried ...``
  (a small plugin object registered at run time: tests/conftest.py is not needed);
- recorded as the test property ``fuzz_inputs`` (``--junitxml``).
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


class _FuzzSummary:
    """A pytest plugin object: adds the fuzz counts to the terminal summary at the end of the run."""

    NAME = "colorlab-fuzz-summary"

    def __init__(self):
        self.lines: list[str] = []

    def pytest_terminal_summary(self, terminalreporter):
        if self.lines:
            terminalreporter.write_sep("-", "colorlab fuzzing")
            for line in self.lines:
                terminalreporter.write_line(line)

    @classmethod
    def of(cls, config) -> "_FuzzSummary":
        plugin = config.pluginmanager.get_plugin(cls.NAME)
        if plugin is None:
            plugin = cls()
            config.pluginmanager.register(plugin, cls.NAME)
        return plugin


def _outcome(source, **options):
    """("image", array) or ("error", error class name, message) for one load_image call."""
    try:
        return ("image", colorlab.load_image(source, max_pixels=4_000_000, **options))
    except colorlab.ColorlabError as err:
        return ("error", type(err).__name__, str(err))


def test_load_image_survives_random_and_mutated_bytes(record_property, request):
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
                from_file = _outcome(path)
                from_memory = _outcome(data, name=f"the upload {path.name!r}")
            if from_file[0] == "error":
                assert str(path) in from_file[2]
                # the same refusal from memory, naming the upload instead of the path
                assert from_memory[:2] == from_file[:2], (from_file, from_memory)
                assert from_memory[2] == from_file[2].replace(repr(str(path)), f"the upload {path.name!r}")
                tried["errors"] += 1
                return
            image = from_file[1]
            assert isinstance(image, np.ndarray) and image.dtype == np.uint8
            assert image.ndim == 3 and image.shape[2] == 3 and image.size > 0
            assert from_memory[0] == "image" and np.array_equal(from_memory[1], image)
            tried["images"] += 1

        load_fuzzed()

    record_property("fuzz_inputs", tried["inputs"])
    line = (f"colorlab fuzz: {tried['inputs']} inputs tried (each from a file and from memory): "
            f"{tried['images']} decoded as images, {tried['errors']} refused with a ColorlabError")
    _FuzzSummary.of(request.config).lines.append(line)
    print("\n" + line)
    assert tried["inputs"] >= min(FUZZ_EXAMPLES, 100)
    assert tried["images"] > 0 and tried["errors"] > 0  # both kinds of outcome were exercised
