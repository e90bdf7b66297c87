"""docs/epics.md's first example runs against the real IOC, as written."""

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ophyd_blueprint.testing.ioc import EpicsIoc

DOC = Path(__file__).parents[2] / "docs" / "epics.md"


RECORDS = """
record(ao, "$(P)TEMP") {}
record(longout, "$(P)GAIN") { field(OUT, "$(P)GAIN_RBV PP") }
record(longin, "$(P)GAIN_RBV") {}
record(calc, "$(P)RESET") { field(CALC, "VAL+1") }
"""


@pytest.fixture(scope="module")
def docs_ioc() -> Iterator[EpicsIoc]:
    """An IOC of the doc's own records (the shared test records stay untouched)."""
    with EpicsIoc(db_files=(), records=RECORDS) as ioc:
        yield ioc


async def test_the_signals_how_to_runs_on_a_real_ioc(docs_ioc: EpicsIoc):
    block = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)[0]
    records = {
        name: docs_ioc.pv(name.removeprefix("BL01:"))
        for name in ("BL01:TEMP", "BL01:GAIN_RBV", "BL01:GAIN", "BL01:RESET.PROC")
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
    assert names["gain"].source == f"pva://{docs_ioc.pv('GAIN_RBV')}"
