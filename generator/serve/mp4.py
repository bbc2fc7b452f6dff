"""A tiny but real MP4: H.264 (Baseline) in an ISO base media file, written in code.

No encoder is needed: every macroblock is coded as ``I_PCM`` (raw samples), which the H.264
standard allows in any intra slice. Each frame is one IDR picture of a solid colour, so a
decoder shows ``frames`` coloured frames at ``fps``. The container has the usual minimal box
tree (ftyp, moov/mvhd/trak/tkhd/mdia/mdhd/hdlr/minf/vmhd/dinf/stbl with an ``avc1`` sample
entry and its ``avcC`` configuration, stts/stsc/stsz/stco) followed by mdat.
"""

from __future__ import annotations

import struct

__all__ = ["h264_parameter_sets", "mp4_bytes"]

_PROFILE_BASELINE = 66
_CONSTRAINTS = 0xC0  # constraint_set0 and constraint_set1: decodable by Baseline decoders
_LEVEL = 30  # level 3.0: up to 1620 macroblocks per frame
_TIMESCALE = 1000
_MB = 16


class _BitWriter:
    def __init__(self) -> None:
        self._bits: list[int] = []

    def u(self, width: int, value: int) -> None:
        self._bits.extend((value >> shift) & 1 for shift in range(width - 1, -1, -1))

    def ue(self, value: int) -> None:
        """Exp-Golomb code of an unsigned value."""
        code = value + 1
        self.u(code.bit_length() - 1, 0)
        self.u(code.bit_length(), code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align_zero(self) -> None:
        while len(self._bits) % 8:
            self._bits.append(0)

    def raw(self, data: bytes) -> None:
        if len(self._bits) % 8:
            raise ValueError("raw bytes must start on a byte boundary")
        for byte in data:
            self.u(8, byte)

    def trailing(self) -> bytes:
        """``rbsp_trailing_bits``: a stop bit, then zeros up to the byte boundary."""
        self._bits.append(1)
        self.align_zero()
        out = bytearray()
        for index in range(0, len(self._bits), 8):
            byte = 0
            for bit in self._bits[index : index + 8]:
                byte = byte << 1 | bit
            out.append(byte)
        return bytes(out)


def _nal(header: int, rbsp: bytes) -> bytes:
    """A NAL unit: header byte plus the payload with emulation prevention bytes inserted."""
    out = bytearray([header])
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def h264_parameter_sets(width: int, height: int) -> tuple[bytes, bytes]:
    """The sequence and picture parameter set NAL units for a ``width`` x ``height`` stream."""
    sps = _BitWriter()
    sps.u(8, _PROFILE_BASELINE)
    sps.u(8, _CONSTRAINTS)
    sps.u(8, _LEVEL)
    sps.ue(0)  # seq_parameter_set_id
    sps.ue(0)  # log2_max_frame_num_minus4
    sps.ue(2)  # pic_order_cnt_type 2: output order = decoding order
    sps.ue(0)  # max_num_ref_frames: intra only
    sps.u(1, 0)  # gaps_in_frame_num_value_allowed_flag
    sps.ue(width // _MB - 1)  # pic_width_in_mbs_minus1
    sps.ue(height // _MB - 1)  # pic_height_in_map_units_minus1
    sps.u(1, 1)  # frame_mbs_only_flag
    sps.u(1, 1)  # direct_8x8_inference_flag
    sps.u(1, 0)  # frame_cropping_flag
    sps.u(1, 0)  # vui_parameters_present_flag

    pps = _BitWriter()
    pps.ue(0)  # pic_parameter_set_id
    pps.ue(0)  # seq_parameter_set_id
    pps.u(1, 0)  # entropy_coding_mode_flag: CAVLC
    pps.u(1, 0)  # bottom_field_pic_order_in_frame_present_flag
    pps.ue(0)  # num_slice_groups_minus1
    pps.ue(0)  # num_ref_idx_l0_default_active_minus1
    pps.ue(0)  # num_ref_idx_l1_default_active_minus1
    pps.u(1, 0)  # weighted_pred_flag
    pps.u(2, 0)  # weighted_bipred_idc
    pps.se(0)  # pic_init_qp_minus26
    pps.se(0)  # pic_init_qs_minus26
    pps.se(0)  # chroma_qp_index_offset
    pps.u(1, 0)  # deblocking_filter_control_present_flag
    pps.u(1, 0)  # constrained_intra_pred_flag
    pps.u(1, 0)  # redundant_pic_cnt_present_flag
    return _nal(0x67, sps.trailing()), _nal(0x68, pps.trailing())


def _idr_slice(width: int, height: int, idr_pic_id: int, yuv: tuple[int, int, int]) -> bytes:
    """One IDR picture whose macroblocks are all I_PCM samples of the colour ``yuv``."""
    slice_ = _BitWriter()
    slice_.ue(0)  # first_mb_in_slice
    slice_.ue(7)  # slice_type: I (all slices of the picture are I)
    slice_.ue(0)  # pic_parameter_set_id
    slice_.u(4, 0)  # frame_num (log2_max_frame_num = 4)
    slice_.ue(idr_pic_id)
    slice_.u(1, 0)  # dec_ref_pic_marking: no_output_of_prior_pics_flag
    slice_.u(1, 0)  # dec_ref_pic_marking: long_term_reference_flag
    slice_.se(0)  # slice_qp_delta
    luma, cb, cr = yuv
    macroblock = bytes([luma]) * 256 + bytes([cb]) * 64 + bytes([cr]) * 64
    for _ in range((width // _MB) * (height // _MB)):
        slice_.ue(25)  # mb_type I_PCM
        slice_.align_zero()  # pcm_alignment_zero_bit
        slice_.raw(macroblock)
    return _nal(0x65, slice_.trailing())


def _box(kind: bytes, *parts: bytes) -> bytes:
    payload = b"".join(parts)
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", version << 24 | flags), *parts)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _moov(
    width: int, height: int, sizes: list[int], frame_ms: int, sps: bytes, pps: bytes, offset: int
) -> bytes:
    duration = frame_ms * len(sizes)
    mvhd = _full_box(
        b"mvhd",
        0,
        0,
        struct.pack(">IIII", 0, 0, _TIMESCALE, duration),
        struct.pack(">IH", 0x10000, 0x100),  # rate 1.0, volume 1.0
        bytes(10),
        _MATRIX,
        bytes(24),
        struct.pack(">I", 2),  # next_track_ID
    )
    tkhd = _full_box(
        b"tkhd",
        0,
        3,  # enabled, in movie
        struct.pack(">IIII", 0, 0, 1, 0),
        struct.pack(">I", duration),
        bytes(8),
        struct.pack(">hhhH", 0, 0, 0, 0),  # layer, alternate_group, volume, reserved
        _MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )
    mdhd = _full_box(
        b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, _TIMESCALE, duration, 0x55C4, 0)
    )  # 0x55C4 = "und"
    hdlr = _full_box(b"hdlr", 0, 0, struct.pack(">I4s12x", 0, b"vide"), b"VideoHandler\x00")
    avcc = _box(
        b"avcC",
        bytes([1, _PROFILE_BASELINE, _CONSTRAINTS, _LEVEL, 0xFF, 0xE1]),  # 4-byte NAL lengths
        struct.pack(">H", len(sps)),
        sps,
        bytes([1]),
        struct.pack(">H", len(pps)),
        pps,
    )
    avc1 = _box(
        b"avc1",
        bytes(6),
        struct.pack(">H", 1),  # data_reference_index
        bytes(16),
        struct.pack(">HH", width, height),
        struct.pack(">II", 0x480000, 0x480000),  # 72 dpi
        bytes(4),
        struct.pack(">H", 1),  # frame_count
        bytes(32),  # compressorname
        struct.pack(">Hh", 0x18, -1),
        avcc,
    )
    stbl = _box(
        b"stbl",
        _full_box(b"stsd", 0, 0, struct.pack(">I", 1), avc1),
        _full_box(b"stts", 0, 0, struct.pack(">III", 1, len(sizes), frame_ms)),
        _full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, len(sizes), 1)),
        _full_box(b"stsz", 0, 0, struct.pack(f">II{len(sizes)}I", 0, len(sizes), *sizes)),
        _full_box(b"stco", 0, 0, struct.pack(">II", 1, offset)),
    )
    dinf = _box(b"dinf", _full_box(b"dref", 0, 0, struct.pack(">I", 1), _full_box(b"url ", 0, 1)))
    minf = _box(b"minf", _full_box(b"vmhd", 0, 1, bytes(8)), dinf, stbl)
    trak = _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf))
    return _box(b"moov", mvhd, trak)


#: Frame colours in Y'CbCr (red, green, blue, white), cycled through.
_COLOURS = ((81, 90, 240), (145, 54, 34), (41, 240, 110), (235, 128, 128))


def mp4_bytes(width: int = 64, height: int = 64, *, frames: int = 4, fps: int = 4) -> bytes:
    """An MP4 of ``frames`` solid-colour frames; sides must be multiples of 16."""
    if width <= 0 or height <= 0 or width % _MB or height % _MB:
        raise ValueError("MP4 sides must be positive multiples of 16")
    if frames <= 0 or fps <= 0:
        raise ValueError("an MP4 needs at least one frame and a positive frame rate")
    sps, pps = h264_parameter_sets(width, height)
    samples = [
        # Consecutive IDR pictures must differ in idr_pic_id.
        (lambda nal: struct.pack(">I", len(nal)) + nal)(
            _idr_slice(width, height, index % 2, _COLOURS[index % len(_COLOURS)])
        )
        for index in range(frames)
    ]
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isomiso2avc1mp41")
    sizes = [len(sample) for sample in samples]
    frame_ms = _TIMESCALE // fps
    moov_size = len(_moov(width, height, sizes, frame_ms, sps, pps, 0))
    offset = len(ftyp) + moov_size + 8  # mdat's payload starts after its 8-byte header
    moov = _moov(width, height, sizes, frame_ms, sps, pps, offset)
    return ftyp + moov + _box(b"mdat", *samples)
