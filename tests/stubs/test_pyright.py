"""pyright (strict) accepts the generated modules and a plan, and finds a typo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import Generated


def _errors(diagnostics: list[dict[str, Any]], file: str) -> list[str]:
    return [
        f"{d['range']['start']['line'] + 1}: {d['message']} ({d.get('rule')})"
        for d in diagnostics
        if Path(d["file"]).name == file and d["severity"] == "error"
    ]


def test_generated_modules_pass_pyright_strict(
    generated: Generated, pyright_diagnostics: list[dict[str, Any]]
) -> None:
    assert _errors(pyright_diagnostics, "demo_devices.py") == []
    assert _errors(pyright_diagnostics, "lab_devices.py") == []


def test_a_plan_using_the_demo_module_passes_pyright_strict(
    pyright_diagnostics: list[dict[str, Any]],
) -> None:
    assert _errors(pyright_diagnostics, "sample_plan.py") == []


def test_a_typo_in_a_signal_name_is_a_pyright_error(
    pyright_diagnostics: list[dict[str, Any]],
) -> None:
    errors = [
        d
        for d in pyright_diagnostics
        if Path(d["file"]).name == "typo_plan.py" and d["severity"] == "error"
    ]
    (attribute,) = [d for d in errors if d.get("rule") == "reportAttributeAccessIssue"]
    assert "readbak" in attribute["message"]
    assert "SimMotor" in attribute["message"]
    others = {d.get("rule") for d in errors if d is not attribute}
    assert others <= {"reportUnknownVariableType"}  # the unknown value, used later


def test_a_typo_in_a_device_name_is_a_pyright_error(
    pyright_diagnostics: list[dict[str, Any]],
) -> None:
    errors = [
        d
        for d in pyright_diagnostics
        if Path(d["file"]).name == "device_typo_plan.py" and d["severity"] == "error"
    ]
    (attribute,) = [d for d in errors if d.get("rule") == "reportAttributeAccessIssue"]
    assert '"xx"' in attribute["message"]
    assert "DemoBeamline" in attribute["message"]


def test_setting_a_trigger_is_a_pyright_error(
    pyright_diagnostics: list[dict[str, Any]],
) -> None:
    errors = [
        d
        for d in pyright_diagnostics
        if Path(d["file"]).name == "trigger_set_plan.py" and d["severity"] == "error"
    ]
    (attribute,) = [d for d in errors if d.get("rule") == "reportAttributeAccessIssue"]
    assert '"set"' in attribute["message"]
    assert "SignalX" in attribute["message"]
