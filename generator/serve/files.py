"""The files the server serves itself: sample inputs, uploads from tests, and job results."""

from __future__ import annotations

import base64
import binascii
import functools
import threading
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import unquote_to_bytes, urlsplit

from generator.runtime._validation import header_info, split_data_uri
from generator.serve.media import MediaFile, png_bytes, wav_bytes
from generator.serve.mp4 import mp4_bytes

__all__ = ["SAMPLES", "FileStore", "inline_file", "result_file"]

_EXTENSIONS = {"image": "png", "video": "mp4", "audio": "wav"}


class _ResultMedia:
    """Result files are all alike; build each kind once per process."""

    @cached_property
    def image(self) -> MediaFile:
        return MediaFile(png_bytes(64, 64, tint=(200, 60, 90)), "image/png", 64, 64)

    @cached_property
    def video(self) -> MediaFile:
        return MediaFile(mp4_bytes(64, 64, frames=4, fps=4), "video/mp4", 64, 64)

    @cached_property
    def audio(self) -> MediaFile:
        return MediaFile(wav_bytes(0.5), "audio/wav")


_RESULT_MEDIA = _ResultMedia()


def result_file(kind: str) -> tuple[str, MediaFile]:
    """The file name and content of a result of medium ``kind`` (image, video or audio)."""
    return f"output.{_EXTENSIONS[kind]}", getattr(_RESULT_MEDIA, kind)


@functools.cache
def _samples() -> dict[str, MediaFile]:
    # Sizes chosen to pass the bundled models' documented rules (e.g. images wider and
    # taller than 320 px), plus one small image that breaks them, for demos of refusals.
    return {
        "image.png": MediaFile(png_bytes(512, 512), "image/png", 512, 512),
        "image-small.png": MediaFile(png_bytes(64, 64), "image/png", 64, 64),
        "video.mp4": _RESULT_MEDIA.video,
        "audio.wav": _RESULT_MEDIA.audio,
    }


SAMPLES = "/samples/"


@dataclass
class FileStore:
    """Path -> file; answers URL lookups for the hosts the server is reachable as."""

    _files: dict[str, MediaFile] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for name, media in _samples().items():
            self._files[SAMPLES + name] = media

    def put(self, path: str, media: MediaFile) -> None:
        with self._lock:
            self._files[path] = media

    def get(self, path: str) -> MediaFile | None:
        with self._lock:
            return self._files.get(path)

    def sample_paths(self) -> list[str]:
        with self._lock:
            return sorted(path for path in self._files if path.startswith(SAMPLES))

    def lookup_url(self, url: str, own_netlocs: frozenset[str]) -> MediaFile | None:
        if url[:5].lower() == "data:":
            return inline_file(url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc not in own_netlocs:
            return None
        return self.get(parts.path)


def inline_file(url: str) -> MediaFile | None:
    """The file a ``data:`` URI holds (RunComfy's ComfyUI nodes send their references so),
    with an image's width and height read as the client's check_files reads them; None when
    it does not decode."""
    parsed = split_data_uri(url)
    if parsed is None:
        return None
    media_type, encoded, content = parsed
    try:
        data = base64.b64decode(content, validate=True) if encoded else unquote_to_bytes(content)
    except (binascii.Error, ValueError):
        return None
    info = header_info(len(data), data, image=media_type.lower().startswith("image/"))
    return MediaFile(data, media_type or "text/plain", info.width, info.height)
