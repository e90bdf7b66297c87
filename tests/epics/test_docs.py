"""docs/epics.md's first example runs against the real IOC, as written."""

import re
import textwrap
from pathlib import Path
from typing import Any

from ophyd_blueprint.testing.ioc import EpicsIoc

DOC = Path(__file__).parents[2] / "docs" / "epics.md"


async def test_the_signals_how_to_runs_on_a_real_ioc(epics_ioc: EpicsIoc):
    block = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)[0]
    records = {
        "BL01:TEMP": epics_ioc.pv("AO"),
        "BL01:GAIN_RBV": epics_ioc.pv("LONGIN"),
        "BL01:GAIN": epics_ioc.pv("LONGOUT"),
        "BL01:RESET.PROC": epics_ioc.pv("TRIG") + ".PROC",
    }
    for name, pv in records.items():
        assert name in block
        block = block.replace(name, pv)
    namespace: dict[str, Any] = {}
    body = textwrap.indent(block, "    ")
    exec(
        compile(f"async def example():\n{body}\n    return locals()", DOC, "exec"),
        namespace,
    )
    names = await namespace["example"]()
    assert names["value"] == 1.0  # what the doc says it reads back
    assert names["gain"].source == f"pva://{epics_ioc.pv('LONGIN')}"
