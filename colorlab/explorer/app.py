"""The explorer widget: :mod:`colorlab.explorer.session` computes, the front end in ``js/`` paints in the browser.

:class:`Explorer` is an anywidget. Its controls (photo, k, method, seed, space, dither) are synced
traits; every result goes to the browser as the palette plus one byte per displayed pixel, and the
browser keeps what it was sent, so a k it has seen is painted again without asking the kernel.

How a k step stays fast (measured by ``benchmarks/bench_browser.py`` from painted frames):

* No debounce. A change from the browser is handed to a worker thread, which always computes
  the newest setting; settings that were overtaken while it worked are dropped.
* While the person looks, a second thread computes the neighbouring k (k + 1, k - 1, k + 2, ...) and
  sends them, so the next step is usually already in the browser. A setting the person asks for
  never waits behind one computed ahead: at k = 256 one fit of a 2 MP photo takes about a second, so
  the newest setting starts at once, beside a look-ahead already running, and no new look-ahead
  starts until it is shown.
* The 3D view turns in the browser; the kernel never hears of it.
* SSIM (:func:`colorlab.metrics.ssim` of the photo and the full-resolution quantized photo) costs about
  100 ms at 2 megapixels, as much as a whole k step may take, so a result from the browser is sent and
  painted without it. The look-ahead thread then measures the shown setting's SSIM (a newer setting
  never waits for it: it starts beside), computes the neighbours, and measures theirs. Each value is
  kept with its result (:meth:`Session.ssim <colorlab.explorer.session.Session.ssim>`) and sent as a
  small ``stats`` message for that key; the browser shows "SSIM …" until the shown result has it, and
  a result sent after its SSIM was measured carries it. A failure is said in the status line and
  shows "SSIM –"; everything else stays usable.

What the browser must agree on with Python is sent from here as traits, not written again in
``js/``: how a setting's cache key is spelled (``key_format``), the k range (``k_min``,
``k_max``), the upload limits and the texts that name them (``max_upload_mb``, ``upload_part_mb``,
``messages``, ``upload_title``), what Export writes (``export_title``) and how much the browser keeps
(``browser_cache_mb``); the values are :mod:`colorlab.explorer.settings`'. The pictures made in Python
(Export's files, the still picture of a saved notebook) are :mod:`colorlab.explorer.pictures`'.

A value set from Python (a notebook cell, a test) is computed at once, in the caller's thread, SSIM
included, so the next line sees ``palette``, ``stats`` (with ``"ssim"``) and ``quantized``.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from pathlib import Path
from typing import Any

from ..util.extras import need

need("anywidget", "notebooks", "the explorer")
need("ipywidgets", "notebooks", "the explorer")

import anywidget  # noqa: E402
import numpy as np
import traitlets

from ..util.files import check_inside, write_atomically
from ..cluster.fit import METHODS, SEEDED_METHODS, SLOW_METHODS, SPACES
from ..redraw.dither import DITHERS
from ..errors import ColorlabError, InvalidImageError, InvalidParameterError
from ..palette.core import Palette
from ..io.uploads import decode_upload, file_stem
from .pictures import export_files, reduced, snapshot_png, zipped
from .session import K_MAX, K_MIN, KEY_SEPARATOR, LIST_SEPARATOR, Key, Result, Session, check_key
from .worker import Worker
from .settings import (BROWSER_CACHE_MB, CLASSROOM, EXPORT_TITLE, MAX_UPLOAD_MB, MESSAGES, PERSONAL, UPLOAD_PART_MB,
                       defaults, limit_memory, upload_title)

# the settings and pictures stay importable from here, where notebooks and scripts import them
__all__ = ["Explorer", "explorer", "front_end", "result_message", "defaults", "CLASSROOM", "PERSONAL", "MESSAGES",
           "reduced", "snapshot_png", "limit_memory", "upload_title"]

#: The files of the browser front end (in ``js/``), in the order :func:`front_end` joins them.
FRONT_END_PARTS = ("state", "cube", "controls", "painters", "events")

_HERE = Path(__file__).parent


def front_end() -> str:
    """The browser front end as one ES module: the files of ``js/`` joined in :data:`FRONT_END_PARTS` order.

    They share one scope, as one file would; the last holds the module's only export. Each starts on a
    line that names it, so a browser's error points to the file.

    Examples
    --------
    >>> front_end().count("export default")
    1
    """
    return "\n".join(f"// ---- js/{part}.js\n" + (_HERE / "js" / f"{part}.js").read_text(encoding="utf-8")
                     for part in FRONT_END_PARTS)


def explorer(image: Any = "rocket", k: int = 6, *, method: str = "kmeans", seed: int = 0, **options) -> "Explorer":
    """Build the live explorer for a bundled photo (or an (H, W, 3) uint8 array).

    Parameters
    ----------
    image : str or (H, W, 3) uint8 array, default "rocket"
        A name from :func:`colorlab.samples` or an image array (shown as "your image").
    k : int, default 6
        Initial number of colors, 1 to 256.
    method : str, default "kmeans"
        Initial clustering method, one of :data:`colorlab.METHODS`.
    seed : int, default 0
        Initial random seed of the clustering.
    **options
        Passed to :class:`Explorer`: ``space``, ``dither``, ``export_folder``, ``export_to``,
        ``max_pixels``, ``prefetch``, ``max_upload_mb``, ``max_uploads``, ``cache_mb``, ``allow_outside``.

    Returns
    -------
    Explorer
        Displays itself when it is the last expression of a notebook cell.

    Examples
    --------
    >>> ex = explorer("coffee", k=4)
    >>> ex.k = 3
    >>> len(ex.palette), ex.stats["colors_after"] <= 3
    (3, True)
    """
    return Explorer(image, k, method=method, seed=seed, **options)


class Explorer(anywidget.AnyWidget):
    """The live explorer; see :func:`explorer`.

    Controls (synced with the browser): ``photo``, ``k``, ``method``, ``seed``, ``space``,
    ``dither``, ``locked`` (palette colors that must stay, as "#rrggbb": a click on a swatch locks or
    unlocks it; k-means keeps them and fits the other k - m colors around them). State: ``result`` (what is shown: a :class:`colorlab.explorer.session.Result`),
    ``palette``, ``stats`` (``mse``, ``psnr``, ``ssim``, ``colors_before``, ``colors_after``, exact for
    the full image; see :attr:`stats` for when ``ssim`` is there), ``image`` (the full photo),
    ``quantized`` (the full quantized photo, drawn on first access), ``message`` and ``error`` (the last
    status line).

    Parameters
    ----------
    image, k, method, seed
        As in :func:`explorer`.
    space : {"rgb", "lab", "oklab"}, default "rgb"
    dither : {"none", "floyd-steinberg", "bayer"}, default "none"
    export_folder : str, default "colorlab-export"
        Where Export writes, relative to the folder the notebook runs in. A folder outside it
        (an absolute path, ``..``) is refused unless ``allow_outside=True``.
    export_to : {"folder", "browser"}, optional
        ``"browser"``: Export sends the files to the person's browser as downloads and writes
        nothing on the server (for a page served to a class).
    max_pixels : int or None, optional
        Largest photo (bundled or uploaded) the explorer opens.
    prefetch : int, optional
        How many neighbouring k are computed ahead after each change (0: none).
    max_upload_mb : int, optional
        Largest upload, in megabytes.
    max_uploads : int or None, optional
        Uploads kept at once; a newer one replaces the oldest (its photo and results are freed).
    cache_mb : float, optional
        Megabytes of results the kernel keeps (:class:`colorlab.explorer.session.Session`'s ``cache_mb``).
    allow_outside : bool, default False
        Let ``export_folder`` point outside the notebook's folder.

    The options left out take :func:`defaults`: :data:`PERSONAL`'s (export into a folder, 4 k computed
    ahead, 40 MB uploads, 100 megapixels, 256 MB of results), or :data:`CLASSROOM`'s when the environment variable
    ``COLORLAB_CLASSROOM`` is set, as ``bash dev.sh classroom`` does for a Voila page served to a class.
    """

    _esm = front_end()
    _css = _HERE / "explorer.css"

    photo = traitlets.Unicode("").tag(sync=True)
    photos = traitlets.List(traitlets.Unicode()).tag(sync=True)
    k = traitlets.Int(6).tag(sync=True)
    k_min = traitlets.Int(K_MIN).tag(sync=True)
    k_max = traitlets.Int(K_MAX).tag(sync=True)
    method = traitlets.Unicode("kmeans").tag(sync=True)
    methods = traitlets.List().tag(sync=True)
    seed = traitlets.Int(0).tag(sync=True)
    seeded = traitlets.List(list(SEEDED_METHODS)).tag(sync=True)
    space = traitlets.Unicode("rgb").tag(sync=True)
    spaces = traitlets.List(list(SPACES)).tag(sync=True)
    dither = traitlets.Unicode("none").tag(sync=True)
    locked = traitlets.List(traitlets.Unicode()).tag(sync=True)
    dithers = traitlets.List(list(DITHERS)).tag(sync=True)
    export_to = traitlets.Unicode("folder").tag(sync=True)
    max_upload_mb = traitlets.Int(MAX_UPLOAD_MB).tag(sync=True)
    upload_part_mb = traitlets.Int(UPLOAD_PART_MB).tag(sync=True)
    upload_title = traitlets.Unicode("").tag(sync=True)
    export_title = traitlets.Unicode(EXPORT_TITLE).tag(sync=True)
    browser_cache_mb = traitlets.Int(BROWSER_CACHE_MB).tag(sync=True)
    # a result's cache key in the browser: these traits' values, joined as Key.text() joins them
    key_format = traitlets.Dict({"fields": list(Key._fields), "separator": KEY_SEPARATOR,
                                 "list_separator": LIST_SEPARATOR}).tag(sync=True)
    messages = traitlets.Dict(MESSAGES).tag(sync=True)

    def __init__(self, image: Any = "rocket", k: int = 6, *, method: str = "kmeans", seed: int = 0,
                 space: str = "rgb", dither: str = "none", export_folder: str = "colorlab-export",
                 allow_outside: bool = False, **options):
        settings = defaults()
        unknown = set(options) - set(settings)
        if unknown:
            raise InvalidParameterError(f"explorer() has no option {sorted(unknown)[0]!r}; the options are "
                                        f"{', '.join(sorted(settings))}")
        settings.update(options)
        export_to, max_pixels, prefetch = settings["export_to"], settings["max_pixels"], settings["prefetch"]
        max_upload_mb, self.max_uploads = settings["max_upload_mb"], settings["max_uploads"]
        if export_to not in ("folder", "browser"):
            raise InvalidParameterError(f"export_to must be 'folder' or 'browser', got {export_to!r}")
        if settings["memory_mb"] is not None:
            limit_memory(settings["memory_mb"])
        self.keep_pixels = settings["keep_pixels"]
        self.session = Session(max_pixels=max_pixels, cache_mb=settings["cache_mb"])
        self.export_folder = export_folder
        self.allow_outside = allow_outside
        self._base = Path.cwd()
        self.prefetch = int(prefetch)
        self.message, self.error = "", False
        self.result: Result | None = None
        self._worker: Worker | None = None
        self._from_browser = False
        self._sent_photos: set[str] = set()
        self._sent_results: set[Key] = set()
        self._uploads: list[str] = []
        self._parts: dict[str, list[bytes]] = {}
        self._send_lock = threading.Lock()
        if isinstance(image, str):
            first = image
            self.session.photo(first)  # a bad name fails here, with the library's message
        else:
            first = self.session.add_image("your image", image)
        labels = [f"{m} (slow on big photos)" if m in SLOW_METHODS else m for m in METHODS]
        check_key(Key(first, k, method, seed, space, dither))
        super().__init__(
            photo=first, photos=self.session.names(), k=k, method=method, methods=[list(p) for p in zip(labels, METHODS)],
            seed=seed, space=space, dither=dither, export_to=export_to, max_upload_mb=max_upload_mb,
            upload_title=upload_title(max_upload_mb, max_pixels),
        )
        self._show(self._key())
        self.observe(self._on_setting, names=["photo", "k", "method", "seed", "space", "dither", "locked"])
        self.on_msg(self._on_message)

    # -- state ---------------------------------------------------------------------------------
    def _key(self) -> Key:
        return Key(self.photo, self.k, self.method, self.seed, self.space, self.dither, tuple(self.locked))

    @property
    def palette(self) -> Palette | None:
        """The palette shown."""
        return None if self.result is None else self.result.palette

    @property
    def stats(self) -> dict:
        """The figures of what is shown, all of the full-resolution image: ``mse``, ``psnr``, ``ssim``,
        ``colors_before`` and ``colors_after``.

        ``ssim`` (:func:`colorlab.metrics.ssim`) is there at once for a value set from Python; for a
        setting moved in the browser it is measured after the result is shown, so it is missing for a
        moment. It is NaN where it cannot be measured (a photo under 11 x 11 pixels; a failure, which
        the status line names).

        Examples
        --------
        >>> ex = explorer("coffee", k=4)
        >>> ex.k = 5
        >>> 0 < ex.stats["ssim"] < 1
        True
        """
        return {} if self.result is None else dict(self.result.stats)

    @property
    def image(self) -> np.ndarray:
        """The full-resolution photo shown."""
        return self.session.photo(self.result.key.photo if self.result else self.photo).image

    @property
    def quantized(self) -> np.ndarray:
        """The full-resolution quantized photo shown (drawn on first access)."""
        return self.session.quantized(self.result)

    # -- changes -------------------------------------------------------------------------------
    def set_state(self, sync_data) -> None:
        """Apply control values sent by the browser (ipywidgets calls this for each such message)."""
        self._from_browser = True
        try:
            super().set_state(sync_data)
        finally:
            self._from_browser = False

    def _on_setting(self, change) -> None:
        key = self._key()
        if self._worker is not None and self._from_browser:
            self._worker.want(key)  # the kernel goes back to reading messages at once
        else:
            self._show(key)  # code set the value: its next line sees the result

    def _show(self, key: Key, *, measure: bool = True) -> Result | None:
        """Compute (or take from the cache) and show the result for ``key``; say what went wrong if it fails.

        ``measure``: measure its SSIM first, in this thread (a value set from Python); the worker passes False
        and leaves SSIM to the look-ahead thread, after the result is painted.
        """
        try:
            result = self.session.result(key)
        except ColorlabError as err:
            self._say(str(err), error=True, key=key)
            return None
        except MemoryError:
            self._say(f"{key.photo} at k = {key.k} needs more memory than this page may use; pick a smaller photo, "
                      "or no dithering", error=True, key=key)
            return None
        except Exception as err:  # the explorer stays usable whatever happened
            self._say(f"something went wrong ({type(err).__name__}: {err}); try another setting", error=True, key=key)
            return None
        if key == self._key():
            self.result = result
        if self.error:
            self._say("")
        if measure:
            self._measure(result)
        self._send_result(result)
        return result

    def _measure(self, result: Result) -> None:
        """Measure the SSIM of ``result`` unless it has one, send it to a browser that has the result, and say
        plainly when it could not be measured (the result stays shown, with its other figures)."""
        if "ssim" in result.stats:
            return
        failure = None
        try:
            self.session.ssim(result)
        except InvalidImageError as err:  # a photo smaller than SSIM's window: nothing went wrong
            failure = (f"no SSIM for {result.key.photo}: {err}", False)
        except MemoryError:
            failure = (f"SSIM of {result.key.photo} was not measured: it needs more memory than this page may use; "
                       "the other figures are exact", True)
        except Exception as err:  # noqa: BLE001 - the explorer stays usable whatever happened
            failure = (f"SSIM was not measured ({type(err).__name__}: {err}); the other figures are exact", True)
        self._send_stats(result)
        if failure is not None and result.key == self._key():
            self._say(failure[0], error=failure[1], key=result.key)

    def _neighbours(self, key: Key) -> list[Key]:
        """The settings worth computing ahead: the nearest k on both sides, the next k up first."""
        keys = []
        for step in range(1, self.prefetch + 1):
            for k in (key.k + step, key.k - step):
                if 1 <= k <= self.k_max and len(keys) < self.prefetch:
                    keys.append(key._replace(k=k))
        return keys

    def _ahead_jobs(self, key: Key) -> list[tuple[str, Key]]:
        """What the look-ahead thread does once ``key`` is shown, in order: measure its SSIM, compute the
        neighbours the browser lacks, measure their SSIM (so a step to them shows it at once)."""
        near = self._neighbours(key)
        fits = [k for k in near if self.session.cached(k) is None or k not in self._sent_results]
        return [("ssim", key), *(("fit", k) for k in fits), *(("ssim", k) for k in near)]

    # -- messages to and from the browser ------------------------------------------------------
    def _on_message(self, _widget, content, buffers) -> None:
        kind = content.get("type")
        if kind == "ready":  # a view (new or reloaded) needs the photo and what was computed for it
            with self._send_lock:
                self._sent_photos.clear()
                self._sent_results.clear()
            if self.result is not None:
                self._send_result(self.result)
            self._say(self.message, error=self.error)
            if self._worker is None:
                self._worker = Worker(self)
                self._worker.start()
            self._worker.ahead(self._ahead_jobs(self._key()))
        elif kind == "upload" and buffers:
            self._upload_part(content, bytes(buffers[0]))
        elif kind == "export":
            self.export(elev=content.get("elev"), azim=content.get("azim"))

    def _send_result(self, result: Result, *, ahead: bool = False) -> None:
        photo = self.session.photo(result.key.photo)
        with self._send_lock:
            if photo.name not in self._sent_photos:
                self._sent_photos.add(photo.name)
                height, width = photo.image.shape[:2]
                dh, dw = photo.display_colors.shape
                self.send({"type": "photo", "name": photo.name, "width": width, "height": height, "dw": dw, "dh": dh},
                          [photo.display.tobytes(), photo.scatter.tobytes()])
            if result.key in self._sent_results:
                return
            self._sent_results.add(result.key)
            self.send(result_message(result, ahead=ahead),
                      [np.ascontiguousarray(result.display_labels).tobytes(), result.scatter_labels.tobytes()])

    def _send_stats(self, result: Result) -> None:
        """Send the figures of a result the browser has (after its SSIM was measured); it shows them if that
        result is the one on screen."""
        with self._send_lock:
            if result.key in self._sent_results:
                self.send({"type": "stats", "key": result.key.text(), "stats": _json_stats(result.stats)})

    def _say(self, text: str, *, error: bool = False, key: Key | None = None) -> None:
        self.message, self.error = text, error
        self.send({"type": "status", "text": text, "error": error, "key": None if key is None else key.text()})

    # -- upload and export ---------------------------------------------------------------------
    def _upload_part(self, content: dict, data: bytes) -> None:
        """Collect an upload sent in parts (the browser splits files into 4 MB messages); add it when complete."""
        name, part, parts = str(content.get("name", "upload")), int(content.get("part", 0)), int(content.get("parts", 1))
        received = self._parts.setdefault(name, [])
        if part != len(received):  # a part lost or out of order: start again with this file
            self._parts.pop(name, None)
            self._say(f"{name} was not used: its upload was interrupted; upload it again", error=True)
            return
        received.append(data)
        size = sum(map(len, received))
        if size > self.max_upload_mb * 1024 * 1024:
            self._parts.pop(name, None)
            self._say_too_large(name, size)
            return
        if len(received) == parts:
            self.add_upload(name, b"".join(self._parts.pop(name)))

    def add_upload(self, name: str, content: bytes) -> str | None:
        """Add an uploaded photo (its file's bytes) and show it; returns its name in the list, or None."""
        if len(content) > self.max_upload_mb * 1024 * 1024:
            self._say_too_large(name, len(content))
            return None
        try:
            image = decode_upload(name, content, self.session.max_pixels)
        except ColorlabError as err:
            self._say(f"{name} was not used: {err}", error=True)
            return None
        except MemoryError:
            self._say(f"{name} was not used: it needs more memory than this page may use; upload a smaller photo",
                      error=True)
            return None
        except Exception as err:  # any decoder failure: keep the previous photo and say why
            self._say(f"{name} was not used: it could not be read as an image ({type(err).__name__}: {err}); "
                      "upload a PNG or JPEG photo", error=True)
            return None
        entry = f"{name} ({hashlib.sha1(content).hexdigest()[:6]})"
        kept = reduced(image, self.keep_pixels)
        self.session.add_image(entry, kept)
        if entry in self._uploads:
            self._uploads.remove(entry)
        self._uploads.append(entry)
        dropped = []
        while self.max_uploads is not None and len(self._uploads) > self.max_uploads:
            dropped.append(self._uploads.pop(0))
            self.session.forget(dropped[-1])
        self.photos = self.session.names()
        self.photo = entry  # shows it, like any other control
        notes = []
        if kept is not image:
            notes.append(f"{name} is used at {kept.shape[1]}x{kept.shape[0]} ({image.shape[1] * image.shape[0] / 1e6:.0f} "
                         f"megapixels reduced to {self.keep_pixels / 1e6:g} on this class server)")
        if dropped:
            notes.append(f"this page keeps {self.max_uploads} uploads: {', '.join(dropped)} was removed to make room")
        if notes:
            self._say("; ".join(notes))
        return entry

    def _say_too_large(self, name: str, size: int) -> None:
        self._say(MESSAGES["too_large"].format(name=name, mb=f"{size / 2**20:.1f}", limit=self.max_upload_mb),
                  error=True)

    def export(self, *, elev: float | None = None, azim: float | None = None) -> list[Path] | list[str]:
        """Export what is shown: the quantized PNG, the palette (.hex, .json, .gpl) and the view as a PNG figure.

        With ``export_to="folder"`` the files are written into ``export_folder`` and their paths
        returned; with ``"browser"`` they are sent to the browser as one ``.zip`` download, whose name is
        returned, and nothing is written on the server.
        ``elev`` and ``azim`` (radians, as the browser's 3D view has them) set the figure's 3D view.
        """
        if self.result is None:
            self._say("nothing to export yet: wait for the first result", error=True)
            return []
        result, key = self.result, self.result.key
        self._measure(result)  # the figure names it
        stem = f"{file_stem(key.photo)}-k{len(result.palette)}-{key.method}" + (
            f"-seed{key.seed}" if key.method in SEEDED_METHODS else "")
        try:
            files = export_files(stem, self.session.photo(key.photo), result, self.quantized, elev, azim)
        except ColorlabError as err:
            self._say(str(err), error=True)
            return []
        if self.export_to == "browser":
            self.send({"type": "download", "files": [f"{stem}.zip"]}, [zipped(files)])
            self._say(f"sent {stem}.zip ({', '.join(files)}) to your browser's downloads")
            return [f"{stem}.zip"]
        folder = self._export_folder()
        if folder is None:
            return []
        written = []
        try:
            for name, data in files.items():
                written.append(_write_bytes(folder / name, data))
        except ColorlabError as err:
            self._say(str(err), error=True)
            return written
        self._say(f"wrote {', '.join(p.name for p in written)} to {folder}")
        return written

    def _export_folder(self) -> Path | None:
        try:
            folder = check_inside(str(self.export_folder).strip() or ".", self._base, self.allow_outside)
        except InvalidParameterError as err:
            self._say(str(err), error=True)
            return None
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            self._say(f"cannot create the folder {str(folder)!r} ({err.strerror or err}); choose another export_folder",
                      error=True)
            return None
        return folder

    # -- display -------------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if self.result is not None:  # a still picture for where the widget cannot run (a static page)
            self._measure(self.result)
            data["image/png"] = base64.b64encode(snapshot_png(self)).decode("ascii")
        return bundle

    def close(self) -> None:
        """Stop the worker and close the widget."""
        if getattr(self, "_worker", None) is not None:  # also when __init__ failed before it was set
            self._worker.stop()
            self._worker = None
        super().close()


def result_message(result: Result, *, ahead: bool = False) -> dict:
    """The JSON part of a result as the browser receives it (its two byte arrays travel as buffers)."""
    key = result.key
    return {
        "type": "result",
        "key": key.text(),
        "photo": key.photo,
        "k": key.k,
        "palette": result.palette.colors.tolist(),
        "counts": result.palette.counts.tolist(),
        "stats": _json_stats(result.stats),
        "title": f"{result.title}; drag the picture to move the split",
        "seconds": result.seconds,
        "ahead": ahead,
    }


def _json_stats(stats) -> dict:
    """A result's figures as JSON has them: NaN and infinity (a PSNR of identical images) become null."""
    # a copy first: the look-ahead thread may add "ssim" meanwhile
    return {name: (None if not np.isfinite(value) else float(value)) for name, value in stats.copy().items()}


def _write_bytes(path: Path, data: bytes) -> Path:
    return write_atomically(path, lambda tmp: tmp.write_bytes(data))
