"""EPICS base records of the test axes: a real IOC refuses the wrong order.

Each axis's drive accelerates at most 10 mm/s^2: writing the velocity sets the
acceleration time's lower drive limit (``ACCL.DRVL = VELO / 10``), so the IOC
clips an acceleration time written before a lower velocity.
"""

from __future__ import annotations

AXIS = """\
record(ao, "$(P){axis}VAL") {{
    field(PREC, "3")
}}
record(calc, "$(P){axis}RBV") {{
    field(INPA, "$(P){axis}VAL CP")
    field(CALC, "A")
}}
record(ao, "$(P){axis}VELO") {{
    field(VAL, "5")
    field(PINI, "YES")
    field(FLNK, "$(P){axis}ACCLMIN")
}}
record(calcout, "$(P){axis}ACCLMIN") {{
    field(INPA, "$(P){axis}VELO")
    field(CALC, "A/10")
    field(OUT, "$(P){axis}ACCL.DRVL")
}}
record(ao, "$(P){axis}ACCL") {{
    field(VAL, "0.5")
    field(DRVH, "100")
}}
record(ao, "$(P){axis}HLM") {{
    field(VAL, "10")
}}
record(ao, "$(P){axis}LLM") {{
    field(VAL, "-10")
}}
record(bo, "$(P){axis}MODE") {{
    field(ZNAM, "Coarse")
    field(ONAM, "Fine")
}}
record(waveform, "$(P){axis}PROFILE") {{
    field(FTVL, "DOUBLE")
    field(NELM, "8")
}}
record(stringout, "$(P){axis}NOTE") {{
    field(VAL, "as installed")
}}
"""


def axis_records(*axes: str) -> str:
    """The records of each axis, e.g. ``axis_records("A1:", "A2:")``."""
    return "".join(AXIS.format(axis=axis) for axis in axes)
