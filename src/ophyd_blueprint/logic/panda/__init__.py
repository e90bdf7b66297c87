"""The PandA's triggering, planned: sequencer tables and position compare.

Pure planners (no I/O): a scanspec path as sequencer tables (`SeqPlanner`),
a line as position-compare settings (`pcomp_from_spec`), and the typed,
checked table model users write static tables in (`seq_table`).
"""

from .encoders import Encoder, PandaPlanError
from .pcomp import PcompDirection, PcompInfo, pcomp_from_spec
from .seq_planner import SeqPlanner, SeqSegment
from .seq_table import (
    MAX_ROWS,
    SeqTable,
    SeqTableError,
    SeqTableInfo,
    SeqTrigger,
    seq_table,
)

__all__ = [
    "MAX_ROWS",
    "Encoder",
    "PandaPlanError",
    "PcompDirection",
    "PcompInfo",
    "SeqPlanner",
    "SeqSegment",
    "SeqTable",
    "SeqTableError",
    "SeqTableInfo",
    "SeqTrigger",
    "pcomp_from_spec",
    "seq_table",
]
