"""The served files are real: parse them back with independent readers."""

from __future__ import annotations

import base64
import io
import struct
import wave
import zlib

import pytest

from generator.serve.files import inline_file
from generator.serve.media import png_bytes, wav_bytes
from generator.serve.mp4 import h264_parameter_sets, mp4_bytes


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack_from(">I", data, offset)
        kind = data[offset + 4 : offset + 8]
        payload = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack_from(">I", data, offset + 8 + length)
        assert crc == zlib.crc32(kind + payload) & 0xFFFFFFFF, kind
        chunks.append((kind, payload))
        offset += 12 + length
    return chunks


@pytest.mark.parametrize(("width", "height"), [(512, 512), (64, 48), (1, 1)])
def test_png_has_the_asked_size_and_valid_chunks(width: int, height: int) -> None:
    chunks = _png_chunks(png_bytes(width, height))
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    w, h, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (w, h, depth, colour) == (width, height, 8, 2)
    pixels = zlib.decompress(chunks[1][1])
    assert len(pixels) == height * (1 + 3 * width)
    # Every scanline uses filter 0.
    assert all(pixels[row * (1 + 3 * width)] == 0 for row in range(height))


def test_png_refuses_an_empty_image() -> None:
    with pytest.raises(ValueError, match="positive"):
        png_bytes(0, 10)


def test_wav_reads_back_with_the_wave_module() -> None:
    with wave.open(io.BytesIO(wav_bytes(0.5, rate=8000))) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 2, 8000)
        assert reader.getnframes() == 4000
        samples = reader.readframes(4000)
    assert max(samples) > 0  # a tone, not silence


def _boxes(data: bytes, offset: int = 0, end: int | None = None) -> dict[bytes, tuple[int, int]]:
    """Top-level boxes in data[offset:end]: kind -> (payload start, payload end)."""
    end = len(data) if end is None else end
    found: dict[bytes, tuple[int, int]] = {}
    while offset < end:
        size, kind = struct.unpack_from(">I4s", data, offset)
        assert size >= 8 and offset + size <= end, kind
        found[kind] = (offset + 8, offset + size)
        offset += size
    assert offset == end
    return found


def _path(data: bytes, *kinds: bytes) -> tuple[int, int]:
    start, end = 0, len(data)
    for kind in kinds:
        start, end = _boxes(data, start, end)[kind]
    return start, end


class _BitReader:
    def __init__(self, data: bytes) -> None:
        self.bits = "".join(f"{byte:08b}" for byte in data)
        self.pos = 0

    def u(self, width: int) -> int:
        value = int(self.bits[self.pos : self.pos + width], 2)
        self.pos += width
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bits[self.pos] == "0":
            zeros += 1
            self.pos += 1
        return self.u(zeros + 1) - 1


def test_sps_says_the_picture_size() -> None:
    sps, pps = h264_parameter_sets(96, 32)
    assert sps[0] == 0x67 and pps[0] == 0x68  # NAL types 7 and 8, nal_ref_idc 3
    reader = _BitReader(sps[1:])
    assert reader.u(8) == 66  # Baseline
    reader.u(16)  # constraints, level
    assert [reader.ue() for _ in range(4)] == [0, 0, 2, 0]
    reader.u(1)
    assert (reader.ue() + 1, reader.ue() + 1) == (96 // 16, 32 // 16)


def test_mp4_box_tree_sample_table_and_nal_units_agree() -> None:
    data = mp4_bytes(64, 32, frames=3, fps=3)
    top = _boxes(data)
    assert list(top) == [b"ftyp", b"moov", b"mdat"]
    assert data[top[b"ftyp"][0] : top[b"ftyp"][0] + 4] == b"isom"
    trak = (b"moov", b"trak")
    stbl = (*trak, b"mdia", b"minf", b"stbl")
    _, tkhd_end = _path(data, *trak, b"tkhd")
    width, height = struct.unpack_from(">II", data, tkhd_end - 8)
    assert (width >> 16, height >> 16) == (64, 32)
    stsd_start, stsd_end = _path(data, *stbl, b"stsd")
    entry = stsd_start + 8  # version/flags + entry_count
    assert data[entry + 4 : entry + 8] == b"avc1"
    avcc = data.index(b"avcC", entry) + 4
    sps_length = struct.unpack_from(">H", data, avcc + 6)[0]
    sps, pps = h264_parameter_sets(64, 32)
    assert data[avcc + 8 : avcc + 8 + sps_length] == sps
    assert pps in data[avcc + 8 + sps_length : stsd_end]
    stsz_start, _ = _path(data, *stbl, b"stsz")
    _, _, count = struct.unpack_from(">III", data, stsz_start)
    sizes = struct.unpack_from(f">{count}I", data, stsz_start + 12)
    stco_start, _ = _path(data, *stbl, b"stco")
    (offset,) = struct.unpack_from(">I", data, stco_start + 8)
    mdat_start, mdat_end = top[b"mdat"]
    assert count == 3 and offset == mdat_start and sum(sizes) == mdat_end - mdat_start
    stts_start, _ = _path(data, *stbl, b"stts")
    assert struct.unpack_from(">III", data, stts_start + 4) == (1, 3, 333)
    for size in sizes:
        (nal_length,) = struct.unpack_from(">I", data, offset)
        assert nal_length == size - 4
        nal = data[offset + 4 : offset + size]
        assert nal[0] == 0x65  # an IDR slice
        payload = nal[1:]
        # Emulation prevention: no start-code-like run survives in the NAL payload.
        assert all(
            payload[i : i + 3] not in (b"\0\0\0", b"\0\0\1", b"\0\0\2") for i in range(len(payload))
        )
        offset += size


def test_mp4_refuses_sides_that_are_not_whole_macroblocks() -> None:
    with pytest.raises(ValueError, match="multiples of 16"):
        mp4_bytes(50, 32)


def test_a_data_uri_is_read_as_the_file_it_holds() -> None:
    png = png_bytes(30, 20)
    image = inline_file("data:image/png;base64," + base64.b64encode(png).decode())
    assert image is not None and (image.data, image.width, image.height) == (png, 30, 20)
    assert image.content_type == "image/png"
    text = inline_file("data:,a%20b")
    assert text is not None and (text.data, text.width, text.content_type) == (
        b"a b",
        None,
        "text/plain",
    )
    # Not base64 after all, or no comma: unknown, so the rules stay for nobody to fail.
    assert inline_file("data:image/png;base64,***") is None
    assert inline_file("data:image/png;base64") is None
