"""Small real media files, made in code: a PNG image and a WAV sound.

The server answers results with URLs of files it serves itself, so a client can download,
decode and check them offline. Building them here (rather than shipping binaries) keeps their
dimensions known to the server, which checks documented file rules (pixels, size) against them.
The MP4 writer lives in :mod:`generator.serve.mp4`.
"""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib
from dataclasses import dataclass

__all__ = ["MediaFile", "png_bytes", "wav_bytes"]


@dataclass(frozen=True)
class MediaFile:
    """One file the server serves, with the metadata that documented rules measure."""

    data: bytes
    content_type: str
    width: int | None = None
    height: int | None = None

    @property
    def size_bytes(self) -> int:
        return len(self.data)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def png_bytes(width: int, height: int, *, tint: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """An 8-bit RGB PNG: a diagonal gradient over ``tint`` (compresses to a few KiB)."""
    if width <= 0 or height <= 0:
        raise ValueError("a PNG needs a positive width and height")
    # A pixel's colour depends on x + y only: one table entry per diagonal.
    span = max(1, width + height - 2)
    diagonal = [
        bytes(((tint[0] + s) % 256, (tint[1] + s // 2) % 256, tint[2]))
        for s in (d * 255 // span for d in range(width + height - 1))
    ]
    # Each scanline starts with filter type 0 ("None").
    rows = b"".join(b"\x00" + b"".join(diagonal[y : y + width]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows, 9))
        + _png_chunk(b"IEND", b"")
    )


def wav_bytes(seconds: float = 0.25, *, rate: int = 8000, frequency: float = 440.0) -> bytes:
    """A mono 16-bit PCM WAV holding a sine tone."""
    frames = int(seconds * rate)
    samples = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * frequency * i / rate)))
        for i in range(frames)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples)
    return buffer.getvalue()
