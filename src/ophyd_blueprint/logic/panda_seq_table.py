"""``trigger.PandaSeqTable``: a PandA sequencer running a static table.

The table is given at prepare (a `SeqTableInfo`, or a `SeqTable` run once at
1 us ticks), or in ``with:`` as a YAML file of rows (`table`, a path; rows as
`seq_table` takes them), run `repeats` times at `tick` seconds; a fly scan's
spec then just starts it. Every row is checked against its column's limits
before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from ruamel.yaml import YAML

from .panda.seq_planner import SeqSegment
from .panda.seq_table import SeqTable, SeqTableError, SeqTableInfo, seq_table
from .panda_seq_block import SeqBlockSource
from .trajectory_scanspec import Spec

__all__ = ["PandaSeqTable", "load_seq_table"]


def load_seq_table(path: Path) -> SeqTable:
    """The checked table in the YAML file at `path`: a list of rows."""
    yaml: Any = YAML(typ="safe")  # ruamel's load is untyped
    try:
        loaded: object = yaml.load(path.read_text())
    except (OSError, ValueError) as error:
        raise SeqTableError(f"{path}: {error}") from None
    if not isinstance(loaded, list):
        raise SeqTableError(f"{path}: a sequencer table file is a list of rows")
    rows = cast(list[object], loaded)
    if not all(isinstance(row, dict) for row in rows):
        raise SeqTableError(f"{path}: each row is a mapping of column to value")
    try:
        return seq_table(cast(list[dict[str, Any]], rows))
    except SeqTableError as error:
        raise SeqTableError(
            f"{path}: {error.reason}", row=error.row, column=error.column
        ) from None


class PandaSeqTable(SeqBlockSource):
    """Runs a static sequencer table.

    ``with:`` `table` (a YAML file of rows; a relative path is taken from
    the beamline file's folder), `repeats` (default 1), `tick`
    (seconds, default 1e-6), `timeout` (seconds the table may run beyond its
    rows' own time, default 10).
    """

    params = {"table": Path, "repeats": int, "tick": float, "timeout": float}

    def accepts(self, value: object) -> int:
        if isinstance(value, SeqTableInfo | SeqTable):
            return 3
        return 1 if isinstance(value, Spec) and self.config.get("table") else 0

    def _configured(self) -> SeqTableInfo:
        return SeqTableInfo(
            load_seq_table(Path(str(self.config["table"]))),
            int(self.config.get("repeats", 1)),
            float(self.config.get("tick", 1e-6)),
        )

    async def prepare_source(self, value: Any) -> None:
        if isinstance(value, SeqTableInfo):
            info = value
        elif isinstance(value, SeqTable):
            info = SeqTableInfo(value)
        else:
            info = self._configured()
        table = info.table
        ticks = int(
            sum(
                int(r) * (int(t1) + int(t2))
                for r, t1, t2 in zip(
                    table.repeats, table.time1, table.time2, strict=True
                )
            )
        )
        # rows repeated forever (0) run until stopped: no end to expect
        seconds = ticks * info.tick * max(info.repeats, 1)
        ends = info.repeats != 0 and all(int(r) != 0 for r in table.repeats)
        segment = SeqSegment(table, info.repeats, 0, 0)
        await self.load(iter([segment]), info.tick, seconds, ends=ends)
