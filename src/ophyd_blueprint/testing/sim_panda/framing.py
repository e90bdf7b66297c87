"""The data port's wire format: XML header, ``BIN`` frames, ``END`` line.

A client sends its options (``XML FRAMED RAW`` or ``XML FRAMED SCALED``) and
gets ``OK``; then, for each capture it was connected at the arm of, an XML
header and a blank line, frames of ``BIN `` + uint32 length (the 8 header
bytes included) + little-endian samples, and ``END <samples> <reason>``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

import numpy as np

__all__ = ["Column", "DataFormat", "encode_frame", "header", "parse_options"]

_NUMPY = {"int32": "<i4", "int64": "<i8", "uint32": "<u4", "double": "<f8"}


@dataclass(frozen=True)
class Column:
    """One captured column: ``INENC1.VAL`` ``Mean``, its raw type and scaling."""

    name: str
    capture: str
    raw_type: str
    scale: float | None = None
    offset: float = 0.0
    units: str = ""

    @property
    def scalable(self) -> bool:
        return self.scale is not None

    def wire_type(self, scaled: bool) -> str:
        return "double" if scaled and self.scalable else self.raw_type


@dataclass(frozen=True)
class DataFormat:
    """What one data client asked for."""

    scaled: bool


def parse_options(line: str) -> DataFormat:
    """The client's option line -> its format; ValueError for what is not served."""
    words = set(line.split())
    unknown = words - {"XML", "FRAMED", "RAW", "SCALED", "UNFRAMED"}
    if unknown or "FRAMED" not in words or "XML" not in words:
        raise ValueError(f"this simulation serves XML FRAMED RAW|SCALED, not {line!r}")
    return DataFormat(scaled="RAW" not in words)


def _number(value: float) -> str:
    return format(value, ".12g")


def header(columns: Sequence[Column], data_format: DataFormat, arm_time: str) -> bytes:
    """The XML header and the blank line after it."""
    scaled = data_format.scaled
    sample_bytes = sum(np.dtype(_NUMPY[c.wire_type(scaled)]).itemsize for c in columns)
    process = "Scaled" if scaled else "Raw"
    lines = [
        "<header>",
        f'<data arm_time="{arm_time}" missed="0" process="{process}" '
        f'format="Framed" sample_bytes="{sample_bytes}" />',
        "<fields>",
    ]
    for column in columns:
        text = (
            f'<field name="{column.name}" type="{column.wire_type(scaled)}" '
            f'capture="{column.capture}"'
        )
        if column.scale is not None:
            text += (
                f' scale="{_number(column.scale)}" offset="{_number(column.offset)}"'
                f" units={quoteattr(column.units)}"
            )
        lines.append(text + " />")
    lines += ["</fields>", "</header>", "", ""]
    return "\n".join(lines).encode()


def encode_frame(
    columns: Sequence[Column],
    rows: Sequence[Sequence[float]],
    data_format: DataFormat,
    gate_column: int | None,
) -> bytes:
    """``BIN`` + length + the samples; raw `rows` scaled if the client asked.

    In raw mode a Mean column holds the sum, and `gate_column` the gate
    duration in ticks that divides it (as the server sends them).
    """
    scaled = data_format.scaled
    dtype = np.dtype(
        [(f"f{i}", _NUMPY[c.wire_type(scaled)]) for i, c in enumerate(columns)]
    )
    data = np.zeros(len(rows), dtype=dtype)
    raw = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(columns))
    for i, column in enumerate(columns):
        values = raw[:, i]
        if scaled and column.scalable:
            assert column.scale is not None
            if column.capture == "Mean" and gate_column is not None:
                gate = np.maximum(raw[:, gate_column], 1)
                values = values / gate
            values = values * column.scale + column.offset
        data[f"f{i}"] = values
    body = data.tobytes()
    return b"BIN " + struct.pack("<I", len(body) + 8) + body
