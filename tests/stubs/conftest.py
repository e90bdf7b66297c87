"""Generated modules, made once per session, and one pyright run over them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ophyd_blueprint.stubs import generate_stubs

ROOT = Path(__file__).parents[2]
HERE = Path(__file__).parent
LAB = HERE / "data" / "lab.yaml"
DEMO = ROOT / "beamlines" / "demo.yaml"
TYPO = "bl.x.readbak.get_value()"
DEVICE_TYPO = "bl.xx.readback.get_value()"
TRIGGER = "bps.trigger(motor.halt, wait=True)"
TRIGGER_SET = "motor.halt.set(1)"


@dataclass(frozen=True)
class Generated:
    """A directory holding the generated modules and the sample plans."""

    path: Path

    def module(self, name: str) -> Path:
        return self.path / f"{name}.py"


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    out = tmp_path_factory.mktemp("stubs")
    for name, source in (("demo_devices", DEMO), ("lab_devices", LAB)):
        path = out / f"{name}.py"
        path.write_text(generate_stubs([source], path), encoding="utf-8")
    plan = (HERE / "sample_plan.py").read_text(encoding="utf-8")
    (out / "sample_plan.py").write_text(plan, encoding="utf-8")
    typo = plan.replace("bl.x.readback.get_value()", TYPO)
    assert typo != plan
    (out / "typo_plan.py").write_text(typo, encoding="utf-8")
    device_typo = plan.replace("bl.x.readback.get_value()", DEVICE_TYPO)
    assert device_typo != plan
    (out / "device_typo_plan.py").write_text(device_typo, encoding="utf-8")
    trigger_set = plan.replace(TRIGGER, TRIGGER_SET)
    assert trigger_set != plan
    (out / "trigger_set_plan.py").write_text(trigger_set, encoding="utf-8")
    return Generated(out)


@pytest.fixture(scope="session")
def pyright_diagnostics(generated: Generated) -> list[dict[str, Any]]:
    """Every pyright (strict) diagnostic over the generated directory."""
    config = {
        "typeCheckingMode": "strict",
        "pythonVersion": "3.11",
        "pythonPlatform": "Linux",
    }
    (generated.path / "pyrightconfig.json").write_text(json.dumps(config))
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent))
    assert pyright is not None, "pyright is a dev dependency"
    result = subprocess.run(
        [pyright, "--outputjson", "--pythonpath", sys.executable, str(generated.path)],
        capture_output=True,
        text=True,
        cwd=generated.path,
        check=False,
    )
    report: dict[str, Any] = json.loads(result.stdout)
    diagnostics: list[dict[str, Any]] = report["generalDiagnostics"]
    return diagnostics
