"""PVI device files (PVI's own YAML format) -> blueprints."""

from pathlib import Path

import pytest

from ophyd_blueprint.introspect import IntrospectionError, introspect
from ophyd_blueprint.testing.ioc import EpicsIoc

DATA = Path(__file__).parent / "data"

SAMPLE = str(DATA / "sample_stage.pvi.device.yaml")


async def test_groups_are_flattened_and_names_become_snake_case() -> None:
    found = await introspect(SAMPLE)
    root = found.root
    assert root.name == "SampleStage"
    assert list(root.signals) == [
        "gain",
        "mode",
        "set_point",
        "status",
        "trace",
        "start",
        "out1",
    ]
    assert root.signals["set_point"].read_source == "{{P}}SETP_RBV"
    assert root.signals["start"].trigger_value == 1
    assert root.params["P"].default is None


async def test_widgets_give_dtypes_and_device_refs_become_pvi_children() -> None:
    root = (await introspect(SAMPLE)).root
    dtypes = {n: s.dtype for n, s in root.signals.items()}
    assert dtypes["status"] == "str"
    assert dtypes["trace"] == "float64[]"
    assert dtypes["gain"] == "float"
    assert root.children["calc"].pvi == "pva://{{P}}CALC1:PVI"


async def test_older_pv_keys_and_two_macros_are_read() -> None:
    found = await introspect(str(DATA / "shutter.pvi.device.yaml"))
    signals = found.root.signals
    assert set(found.root.params) == {"P", "R"}
    assert signals["open_close"].source == "{{P}}{{R}}CONTROL"
    assert signals["open_close"].read_source == "{{P}}{{R}}STATUS_RBV"
    assert signals["open_close"].dtype == "bool"
    assert (signals["reset"].access, signals["reset"].dtype) == ("w", "int")


async def test_macros_and_live_types_replace_the_guesses(pvi_ioc: EpicsIoc) -> None:
    found = await introspect(
        SAMPLE, macros={"P": pvi_ioc.prefix}, type_live=True, timeout=5
    )
    signals = found.root.signals
    assert signals["mode"].dtype == "enum"
    assert signals["mode"].choices == ["Off", "Slow", "Fast"]
    assert found.root.params["prefix"].default == pvi_ioc.prefix


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("label: X\n", r"bad\.pvi\.device\.yaml:1:1: not a PVI device file"),
        (
            "label: X\nchildren:\n  - type: Knob\n    name: A\n",
            r":3:\d+: children\.0\.type: unknown component type 'Knob'",
        ),
        (
            "label: X\nchildren:\n  - type: SignalR\n    name: A\n",
            r"children\.0\.pv: expected a non-empty string",
        ),
        ("label: [unclosed\n", r"bad\.pvi\.device\.yaml:\d+:\d+"),
    ],
)
async def test_a_malformed_file_names_the_file_line_and_expectation(
    tmp_path: Path, text: str, message: str
) -> None:
    bad = tmp_path / "bad.pvi.device.yaml"
    bad.write_text(text)
    with pytest.raises(IntrospectionError, match=message):
        await introspect(str(bad))
