"""The control port's protocol, without sockets: a line in, the answer lines out.

ASCII lines; ``X?`` gets (``OK =value``, or ``!line``... ``.`` for several),
``X=value`` puts (``OK``), ``B1.TABLE<`` (``<<`` to append, ``<B`` for
base64) takes the lines up to a blank one, and a refusal is ``ERR message``.
Each connection has its own `ControlSession`, which remembers what it has
seen of ``*CHANGES``.
"""

from __future__ import annotations

import base64
import re
import struct
from typing import Protocol

from .blocks import TIME_UNITS, FieldSpec, TableColumn
from .engine import Engine
from .store import GROUPS, FieldRef, PandaError, Store

__all__ = ["IDN", "ControlSession", "PandaControl"]

IDN = "PandA SW: 3.0-0-gsimulated FPGA: 3.0.0C4 00000000 00000000 rootfs: simulated"
"""``*IDN?``: a PandA of server/FPGA 3.0 (API 3.0: tables have no MODE)."""

_TABLE_WRITE = re.compile(r"^([^?=<]+)<(<?)(\|?)(B?)$")
_MAX_DELAY = 31


class PandaControl(Protocol):
    """What a session acts on: the values and the running simulation."""

    store: Store
    engine: Engine


def _ok(value: object) -> list[str]:
    return [f"OK ={value}"]


def _many(lines: list[str]) -> list[str]:
    return [f"!{line}" for line in lines] + ["."]


class ControlSession:
    """One control connection."""

    def __init__(self, panda: PandaControl) -> None:
        self.panda = panda
        self.seen: dict[str, int] = dict.fromkeys(GROUPS, 0)
        self._table: tuple[FieldRef, bool, bool] | None = None
        self._table_lines: list[str] = []

    @property
    def collecting(self) -> bool:
        """Whether a table's lines are coming in (not commands)."""
        return self._table is not None

    @property
    def store(self) -> Store:
        return self.panda.store

    def line(self, text: str) -> list[str]:
        """The answer to one line (nothing while a table's lines come in)."""
        if self._table is not None:
            if text:
                self._table_lines.append(text)
                return []
            return self._answer(self._end_table)
        match = _TABLE_WRITE.match(text)
        if match:
            return self._answer(lambda: self._begin_table(match))
        if text.endswith("?"):
            return self._answer(lambda: self._get(text[:-1]))
        name, equals, value = text.partition("=")
        if equals:
            return self._answer(lambda: self._put(name, value))
        return [f"ERR Unknown command {text!r}"]

    def _answer(self, action: _Action) -> list[str]:
        try:
            return action()
        except PandaError as error:
            return [f"ERR {error}"]

    # -- gets ---------------------------------------------------------------

    def _get(self, name: str) -> list[str]:
        if name == "*IDN":
            return _ok(IDN)
        if name == "*BLOCKS":
            return _many([f"{b.name} {b.count}" for b in self.store.blocks.values()])
        if name.startswith("*DESC."):
            return _ok(self._desc(name.removeprefix("*DESC.")))
        if name.startswith("*ENUMS."):
            return _many(self._enums(name.removeprefix("*ENUMS.")))
        if name == "*CHANGES" or name.startswith("*CHANGES."):
            return _many(self._changes(name))
        if name == "*METADATA.*":
            return _many([])
        block_name, _, rest = name.partition(".")
        if rest == "*":
            block, _ = self.store.instance(block_name)
            return _many(
                [f"{f.name} {i} {f.type_line}" for i, f in enumerate(block.fields)]
            )
        ref = self.store.field(".".join(name.split(".")[:2]))
        attribute = name.split(".", 2)[2] if name.count(".") >= 2 else None
        if attribute is None:
            return self._value(ref)
        return self._attribute(ref, attribute)

    def _desc(self, name: str) -> str:
        parts = name.split(".")
        if len(parts) == 1:
            return self.store.instance(parts[0])[0].desc
        ref = self.store.field(f"{parts[0]}.{parts[1].removesuffix('[]')}")
        if len(parts) == 2:
            return ref.field.desc
        return _column(ref.field, parts[2]).desc

    def _enums(self, name: str) -> list[str]:
        parts = name.split(".")
        ref = self.store.field(f"{parts[0]}.{parts[1].removesuffix('[]')}")
        spec = ref.field
        engine = self.panda.engine
        if len(parts) == 3:
            if parts[1].endswith("[]"):
                return list(_column(spec, parts[2]).labels)
            if parts[2] == "UNITS" and spec.is_time:
                return list(TIME_UNITS)
            if parts[2] == "CAPTURE" and spec.type in ("pos_out", "ext_out"):
                return list(spec.labels)
            raise PandaError(f"No enums for {name!r}")
        if spec.type == "bit_mux":
            return ["ZERO", "ONE", *engine.bit_names]
        if spec.type == "pos_mux":
            return ["ZERO", *engine.pos_names]
        if spec.subtype == "enum":
            return list(spec.labels)
        raise PandaError(f"Field {name!r} is not an enum")

    def _changes(self, name: str) -> list[str]:
        group = name.removeprefix("*CHANGES").removeprefix(".")
        groups = (group,) if group else GROUPS
        if group and group not in GROUPS:
            raise PandaError(f"No such changes group {group!r}")
        lines = list(self.store.changes({g: self.seen[g] for g in groups}))
        for g in groups:
            self.seen[g] = self.store.sequence
        return lines

    def _value(self, ref: FieldRef) -> list[str]:
        spec = ref.field
        if spec.type == "table":
            return _many([str(w) for w in self.store.tables[ref.key]])
        if spec.type in ("write", "ext_out"):
            raise PandaError(f"Field {ref.key} has no value to read")
        return _ok(self.store.values[ref.key])

    def _attribute(self, ref: FieldRef, attribute: str) -> list[str]:
        spec, key, store = ref.field, ref.key, self.store
        if spec.type == "table":
            return self._table_attribute(ref, attribute)
        if spec.is_time and attribute in ("UNITS", "RAW", "MIN"):
            if attribute == "UNITS":
                return _ok(store.values[f"{key}.UNITS"])
            return _ok(store.ticks(key) if attribute == "RAW" else "8e-09")
        if spec.subtype == "uint" and attribute == "MAX":
            return _ok(spec.max)
        if spec.type == "bit_mux" and attribute in ("DELAY", "MAX_DELAY"):
            if attribute == "DELAY":
                return _ok(store.values[f"{key}.DELAY"])
            return _ok(_MAX_DELAY)
        if spec.type == "bit_out" and attribute in ("CAPTURE_WORD", "OFFSET"):
            index = self.panda.engine.bit_names.index(key)
            if attribute == "OFFSET":
                return _ok(index % 32)
            return _ok(f"PCAP.BITS{index // 32}")
        if spec.type == "pos_out" and attribute == "SCALED":
            scaled = int(store.values[key]) * float(store.values[f"{key}.SCALE"])
            return _ok(scaled + float(store.values[f"{key}.OFFSET"]))
        if spec.type in ("pos_out", "ext_out") and f"{key}.{attribute}" in store.values:
            return _ok(store.values[f"{key}.{attribute}"])
        if spec.subtype == "bits" and attribute == "BITS":
            word = int(spec.name.removeprefix("BITS"))
            names = self.panda.engine.bit_names[32 * word : 32 * word + 32]
            return _many(names + [""] * (32 - len(names)))
        raise PandaError(f"No attribute {attribute!r} on {key}")

    def _table_attribute(self, ref: FieldRef, attribute: str) -> list[str]:
        spec, words = ref.field, self.store.tables[ref.key]
        if attribute == "MAX_LENGTH":
            return _ok(spec.max_length)
        if attribute == "FIELDS":
            return _many(
                [f"{c.high}:{c.low} {c.name} {c.subtype}" for c in spec.columns]
            )
        if attribute == "LENGTH":
            return _ok(len(words) // _row_words(spec))
        if attribute == "B":
            packed = struct.pack(f"<{len(words)}I", *words)
            return _many([base64.b64encode(packed).decode()] if packed else [])
        raise PandaError(f"No attribute {attribute!r} on {ref.key}")

    # -- puts ---------------------------------------------------------------

    def _put(self, name: str, value: str) -> list[str]:
        engine = self.panda.engine
        if name == "*PCAP.ARM":
            engine.pcap.arm()
        elif name == "*PCAP.DISARM":
            engine.pcap.disarm()
        elif name == "*CHANGES" or name.startswith("*CHANGES."):
            self._changes(name)
        else:
            parts = name.split(".")
            ref = self.store.field(".".join(parts[:2]))
            if len(parts) == 2:
                self._put_value(ref, value)
            elif len(parts) == 3:
                self._put_attribute(ref, parts[2], value)
            else:
                raise PandaError(f"Cannot write {name!r}")
        return ["OK"]

    def _put_value(self, ref: FieldRef, value: str) -> None:
        spec, store, engine = ref.field, self.store, self.panda.engine
        if spec.type not in ("param", "write", "time", "bit_mux", "pos_mux"):
            raise PandaError(f"Field {ref.key} is not writeable")
        if spec.is_time:
            store.set_seconds(ref.key, _float(value) * store.time_factor(ref.key))
        elif spec.type == "bit_mux":
            store.set(ref.key, _choice(value, ["ZERO", "ONE", *engine.bit_names]))
        elif spec.type == "pos_mux":
            store.set(ref.key, _choice(value, ["ZERO", *engine.pos_names]))
        elif spec.subtype == "enum":
            store.set(ref.key, _choice(value, list(spec.labels)))
        elif spec.type == "param":
            store.set(ref.key, str(_integer(spec, value)))
        else:
            _integer(spec, value)

    def _put_attribute(self, ref: FieldRef, attribute: str, value: str) -> None:
        spec, key, store = ref.field, f"{ref.key}.{attribute}", self.store
        if spec.is_time and attribute == "UNITS":
            store.set(key, _choice(value, list(TIME_UNITS)))
            store.set_seconds(ref.key, store.seconds[ref.key])
        elif attribute == "CAPTURE" and spec.type in ("pos_out", "ext_out"):
            store.set(key, _choice(value, list(spec.labels)))
        elif spec.type == "pos_out" and attribute in ("SCALE", "OFFSET"):
            store.set(key, format(_float(value), ".12g"))
        elif spec.type == "pos_out" and attribute == "UNITS":
            store.set(key, value)
        elif spec.type == "bit_mux" and attribute == "DELAY":
            delay = int(_float(value))
            if not 0 <= delay <= _MAX_DELAY:
                raise PandaError(f"Delay {value} out of range 0..{_MAX_DELAY}")
            store.set(key, str(delay))
        else:
            raise PandaError(f"Cannot write attribute {attribute!r} of {ref.key}")

    # -- tables -------------------------------------------------------------

    def _begin_table(self, match: re.Match[str]) -> list[str]:
        ref = self.store.field(match[1])
        if ref.field.type != "table":
            raise PandaError(f"Field {ref.key} is not a table")
        self._table = (ref, bool(match[2]), bool(match[4]))
        self._table_lines = []
        return []

    def _end_table(self) -> list[str]:
        assert self._table is not None
        (ref, append, base64_lines), self._table = self._table, None
        lines, self._table_lines = self._table_lines, []
        if base64_lines:
            packed = base64.b64decode("".join(lines))
            words = list(struct.unpack(f"<{len(packed) // 4}I", packed))
        else:
            try:
                words = [int(line, 0) & 0xFFFFFFFF for line in lines]
            except ValueError:
                raise PandaError("Table values must be integers") from None
        spec = ref.field
        row_words = _row_words(spec)
        if len(words) % row_words:
            raise PandaError(
                f"Table data is not a whole number of {row_words}-word rows"
            )
        new = (self.store.tables[ref.key] if append else []) + words
        if len(new) // row_words > spec.max_length:
            raise PandaError("Table too long")
        self.store.tables[ref.key] = new
        self.store.touch(ref.key)
        return ["OK"]


class _Action(Protocol):
    def __call__(self) -> list[str]: ...


def _row_words(spec: FieldSpec) -> int:
    return max(c.high for c in spec.columns) // 32 + 1


def _column(spec: FieldSpec, name: str) -> TableColumn:
    column = next((c for c in spec.columns if c.name == name), None)
    if column is None:
        raise PandaError(f"No table column {name!r}")
    return column


def _choice(value: str, choices: list[str]) -> str:
    if value not in choices:
        raise PandaError(f"Invalid value {value!r}")
    return value


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise PandaError(f"Number expected, not {value!r}") from None


def _integer(spec: FieldSpec, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise PandaError(f"Integer expected, not {value!r}") from None
    if spec.subtype == "bit" and number not in (0, 1):
        raise PandaError(f"Bit value must be 0 or 1, not {value!r}")
    if spec.subtype == "uint" and not 0 <= number <= spec.max:
        raise PandaError(f"Value {value} out of range 0..{spec.max}")
    if spec.subtype == "int" and not -(2**31) <= number < 2**31:
        raise PandaError(f"Value {value} out of int32 range")
    return number
