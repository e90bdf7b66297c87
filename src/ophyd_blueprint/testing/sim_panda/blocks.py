"""What the simulated PandA is made of: its blocks and their fields, as data.

The names, types and enums follow the PandABlocks FPGA 3.x block definitions
that a real PandA's server reports, so that clients (pandablocks-ioc, the
pandablocks library) build the same records and tables as on hardware. Only
the blocks and fields the simulation uses or a client insists on are here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BLOCKS",
    "CAPTURE_BITS",
    "CAPTURE_EXT",
    "CAPTURE_POS",
    "CLOCK_HZ",
    "TIME_UNITS",
    "BlockSpec",
    "FieldSpec",
    "TableColumn",
]

CLOCK_HZ = 125_000_000
"""The FPGA clock: every time in the PandA is a whole number of its ticks."""

TIME_UNITS: dict[str, float] = {"min": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6}
"""The UNITS of a time field and how many seconds each is."""

CAPTURE_POS = (
    "No",
    "Value",
    "Diff",
    "Sum",
    "Mean",
    "Min",
    "Max",
    "Min Max",
    "Min Max Mean",
)
CAPTURE_EXT = ("No", "Value")
CAPTURE_BITS = ("No", "Value")

_EDGES = ("Rising", "Falling", "Either")


@dataclass(frozen=True)
class TableColumn:
    """One column of a table field: its bits in a row, its name and subtype."""

    high: int
    low: int
    name: str
    subtype: str  # uint, int or enum
    labels: tuple[str, ...] = ()
    desc: str = ""


@dataclass(frozen=True)
class FieldSpec:
    """One field of a block, as ``B.*?`` and the attribute queries report it."""

    name: str
    type: str
    subtype: str | None = None
    desc: str = ""
    labels: tuple[str, ...] = ()
    """Enum labels (``*ENUMS.B.F?``); for pos_out/ext_out the CAPTURE labels."""
    max: int = 0xFFFFFFFF
    """MAX of a uint field."""
    default: str = "0"
    columns: tuple[TableColumn, ...] = ()
    max_length: int = 0

    @property
    def is_time(self) -> bool:
        return self.type == "time" or self.subtype == "time"

    @property
    def type_line(self) -> str:
        return self.type if self.subtype is None else f"{self.type} {self.subtype}"


@dataclass(frozen=True)
class BlockSpec:
    name: str
    count: int
    desc: str
    fields: tuple[FieldSpec, ...]

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def instances(self) -> list[str]:
        """``PCAP`` for a single block, ``SEQ1``, ``SEQ2``... for several."""
        if self.count == 1:
            return [self.name]
        return [f"{self.name}{n}" for n in range(1, self.count + 1)]


def _bit_mux(name: str, desc: str) -> FieldSpec:
    return FieldSpec(name, "bit_mux", desc=desc, default="ZERO")


def _pos_mux(name: str, desc: str) -> FieldSpec:
    return FieldSpec(name, "pos_mux", desc=desc, default="ZERO")


def _bit_out(name: str, desc: str) -> FieldSpec:
    return FieldSpec(name, "bit_out", desc=desc)


def _enum(
    name: str, labels: tuple[str, ...], desc: str, kind: str = "param"
) -> FieldSpec:
    return FieldSpec(name, kind, "enum", desc, labels, default=labels[0])


def _time(name: str, desc: str, kind: str = "param") -> FieldSpec:
    if kind == "time":
        return FieldSpec(name, "time", desc=desc, labels=tuple(TIME_UNITS))
    return FieldSpec(name, kind, "time", desc, tuple(TIME_UNITS))


def _seq_columns() -> tuple[TableColumn, ...]:
    triggers = (
        "Immediate",
        "BITA=0",
        "BITA=1",
        "BITB=0",
        "BITB=1",
        "BITC=0",
        "BITC=1",
        "POSA>=POSITION",
        "POSA<=POSITION",
        "POSB>=POSITION",
        "POSB<=POSITION",
        "POSC>=POSITION",
        "POSC<=POSITION",
    )
    columns = [
        TableColumn(15, 0, "REPEATS", "uint", desc="Number of times the line repeats"),
        TableColumn(19, 16, "TRIGGER", "enum", triggers, "The trigger condition"),
        TableColumn(63, 32, "POSITION", "int", desc="The position to compare with"),
        TableColumn(95, 64, "TIME1", "uint", desc="Phase 1 time in prescaled ticks"),
    ]
    columns += [
        TableColumn(20 + i, 20 + i, f"OUT{o}1", "uint", desc=f"Phase 1 OUT{o}")
        for i, o in enumerate("ABCDEF")
    ]
    columns.append(
        TableColumn(127, 96, "TIME2", "uint", desc="Phase 2 time in prescaled ticks")
    )
    columns += [
        TableColumn(26 + i, 26 + i, f"OUT{o}2", "uint", desc=f"Phase 2 OUT{o}")
        for i, o in enumerate("ABCDEF")
    ]
    return tuple(columns)


SEQ_COLUMNS = _seq_columns()

_SEQ = BlockSpec(
    "SEQ",
    2,
    "Sequencer",
    (
        FieldSpec(
            "TABLE",
            "table",
            desc="Sequencer table of lines",
            columns=SEQ_COLUMNS,
            max_length=4096,
        ),
        _time("PRESCALE", "Prescaler for the sequencer table times"),
        FieldSpec("REPEATS", "param", "uint", "Number of times the table repeats"),
        _bit_mux("ENABLE", "Stop on falling edge, reset and enable on rising"),
        _bit_mux("BITA", "BITA for optional trigger condition"),
        _bit_mux("BITB", "BITB for optional trigger condition"),
        _bit_mux("BITC", "BITC for optional trigger condition"),
        _pos_mux("POSA", "POSA for optional trigger condition"),
        _pos_mux("POSB", "POSB for optional trigger condition"),
        _pos_mux("POSC", "POSC for optional trigger condition"),
        _bit_out("ACTIVE", "Sequencer active flag"),
        *(_bit_out(f"OUT{o}", f"Output {o} for phase outputs") for o in "ABCDEF"),
        FieldSpec("TABLE_REPEAT", "read", "uint", "Current table repeat"),
        FieldSpec("TABLE_LINE", "read", "uint", "Current line in the table"),
        FieldSpec("LINE_REPEAT", "read", "uint", "Current iteration of the line"),
        _enum(
            "STATE",
            ("WAIT_ENABLE", "LOAD_TABLE", "WAIT_TRIGGER", "PHASE1", "PHASE2"),
            "Internal statemachine state",
            "read",
        ),
    ),
)

_PCOMP = BlockSpec(
    "PCOMP",
    2,
    "Position compare",
    (
        FieldSpec("PRE_START", "param", "int", "Pre-start distance, opposite DIR"),
        FieldSpec("START", "param", "int", "Position of the first pulse"),
        FieldSpec("WIDTH", "param", "int", "Width of a pulse in counts"),
        FieldSpec("STEP", "param", "int", "Distance between pulse starts"),
        FieldSpec("PULSES", "param", "uint", "Number of pulses, 0 for forever"),
        _enum("RELATIVE", ("Absolute", "Relative"), "Relative to the enable point"),
        _enum("DIR", ("Positive", "Negative", "Either"), "Direction of motion"),
        _bit_mux("ENABLE", "Stop on falling edge, reset and enable on rising"),
        _pos_mux("INP", "Position data from the position bus"),
        _bit_out("ACTIVE", "Active output"),
        _bit_out("OUT", "Output pulses"),
        _enum(
            "HEALTH",
            ("OK", "Error: Position jumped by more than STEP"),
            "Error status",
            "read",
        ),
        FieldSpec("PRODUCED", "read", "uint", "Number of pulses produced"),
        _enum(
            "STATE",
            ("WAIT_ENABLE", "WAIT_PRE_START", "WAIT_RISING", "WAIT_FALLING"),
            "Internal statemachine state",
            "read",
        ),
    ),
)

_INENC = BlockSpec(
    "INENC",
    4,
    "Input encoder",
    (
        _enum("PROTOCOL", ("Quadrature", "SSI", "BISS", "enDat"), "Type of encoder"),
        FieldSpec("BITS", "param", "uint", "Number of bits", max=32, default="32"),
        FieldSpec("SETP", "write", "int", "Set point"),
        FieldSpec("RST_ON_Z", "param", "bit", "Zero the counter on a Z pulse"),
        _bit_out("CONN", "Encoder connected"),
        FieldSpec("VAL", "pos_out", desc="Current position", labels=CAPTURE_POS),
    ),
)

_PULSE = BlockSpec(
    "PULSE",
    2,
    "One-shot pulse delay and stretch",
    (
        _bit_mux("ENABLE", "Reset on falling edge, enable on rising"),
        _bit_mux("TRIG", "Input pulse train"),
        _time("DELAY", "Output pulse delay (0 for no delay)", "time"),
        _time("WIDTH", "Output pulse width (0 for input width)", "time"),
        FieldSpec("PULSES", "param", "uint", "Pulses per trigger", default="1"),
        _time("STEP", "Time between pulse starts", "time"),
        _enum("TRIG_EDGE", _EDGES, "Which edge of TRIG starts the pulses"),
        _bit_out("OUT", "Output pulse train"),
        FieldSpec("QUEUED", "read", "uint", "Pulses queued", max=1023),
        FieldSpec("DROPPED", "read", "uint", "Pulses dropped"),
    ),
)

_TTLOUT = BlockSpec("TTLOUT", 2, "TTL output", (_bit_mux("VAL", "TTL output"),))

_CLOCK = BlockSpec(
    "CLOCK",
    1,
    "Configurable clock",
    (
        _bit_mux("ENABLE", "Reset on falling edge, enable on rising"),
        _time("PERIOD", "Period of the clock output"),
        _time("WIDTH", "Width of the clock output (0 for half the period)"),
        _bit_out("OUT", "Clock output"),
    ),
)

_COUNTER = BlockSpec(
    "COUNTER",
    1,
    "Up/down counter",
    (
        _bit_mux("ENABLE", "Halt on falling edge, reset and enable on rising"),
        _bit_mux("TRIG", "Rising edge to count"),
        _enum("DIR", ("Up", "Down"), "Counting direction"),
        FieldSpec("START", "param", "int", "Counter start value"),
        FieldSpec("STEP", "param", "int", "Step per trigger", default="1"),
        _enum("TRIG_EDGE", _EDGES, "Which edge of TRIG counts"),
        _bit_out("CARRY", "Internal counter overflow"),
        FieldSpec("OUT", "pos_out", desc="Current value", labels=CAPTURE_POS),
    ),
)

_BITS = BlockSpec(
    "BITS",
    1,
    "Soft inputs and constant bits",
    (
        *(FieldSpec(b, "param", "bit", f"Value of output {b}") for b in "ABCD"),
        *(_bit_out(f"OUT{b}", f"Value of soft input {b}") for b in "ABCD"),
    ),
)

_PCAP = BlockSpec(
    "PCAP",
    1,
    "Position capture control",
    (
        _bit_mux("ENABLE", "After arm, capture while high, disarm on falling edge"),
        _bit_mux("GATE", "After enable, only process gated values when high"),
        _bit_mux("TRIG", "On the selected edge, capture the current values"),
        _enum("TRIG_EDGE", _EDGES, "Which edge of TRIG captures"),
        FieldSpec("SHIFT_SUM", "param", "uint", "Shift sums right", max=8),
        _enum(
            "HEALTH",
            ("OK", "Capture events too close together", "Samples overflow"),
            "Capture health",
            "read",
        ),
        _bit_out("ACTIVE", "Data capture in progress"),
        FieldSpec("TS_START", "ext_out", "timestamp", "Gate start", CAPTURE_EXT),
        FieldSpec("TS_END", "ext_out", "timestamp", "Gate end", CAPTURE_EXT),
        FieldSpec("TS_TRIG", "ext_out", "timestamp", "Capture time", CAPTURE_EXT),
        FieldSpec(
            "GATE_DURATION", "ext_out", "samples", "Time the gate was high", CAPTURE_EXT
        ),
        *(
            FieldSpec(f"BITS{i}", "ext_out", "bits", f"Bit bus {i}", CAPTURE_BITS)
            for i in range(4)
        ),
    ),
)

BLOCKS: tuple[BlockSpec, ...] = (
    _TTLOUT,
    _INENC,
    _PULSE,
    _SEQ,
    _PCOMP,
    _CLOCK,
    _COUNTER,
    _BITS,
    _PCAP,
)
