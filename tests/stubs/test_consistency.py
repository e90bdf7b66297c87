"""The generated classes say what the builder builds, attribute by attribute.

The module is run twice: as a type checker sees it (``TYPE_CHECKING`` true,
so its classes exist) and as it runs (``load(mock=True)`` builds devices).
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Any, get_args, get_origin

import numpy as np
import pytest

from ophyd_blueprint import (
    Device,
    DeviceVector,
    Signal,
    SignalR,
    SignalRW,
    SignalW,
    Table,
)
from ophyd_blueprint.transports.tango import DevStateEnum

from .conftest import Generated


class _TypeChecking(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id == "TYPE_CHECKING":
            return ast.copy_location(ast.Constant(True), node)
        return node


def as_type_checkers_see_it(path: Path) -> dict[str, Any]:
    tree = _TypeChecking().visit(ast.parse(path.read_text(encoding="utf-8")))
    namespace: dict[str, Any] = {"__file__": str(path), "__name__": path.stem}
    exec(compile(ast.fix_missing_locations(tree), str(path), "exec"), namespace)
    return namespace


def as_it_runs(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{path.stem}_runtime", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def own_annotations(cls: type, namespace: dict[str, Any]) -> dict[str, Any]:
    """The annotations ``cls`` declares itself (not its bases), evaluated."""
    return inspect.get_annotations(cls, globals=namespace, eval_str=True)


def assert_same_datatype(declared: Any, built: Any, namespace: dict[str, Any]) -> None:
    if built is Any:  # live-typed: the stub says what the source tells, or Any
        assert declared in (Any, str, int, DevStateEnum)
    elif built is np.ndarray:
        assert get_origin(declared) is np.ndarray
        assert get_args(get_args(declared)[1]) == (Any,)
    elif get_origin(built) is Sequence:
        assert get_origin(declared) is Sequence
        assert_same_datatype(get_args(declared)[0], get_args(built)[0], namespace)
    elif isinstance(built, type) and issubclass(built, Enum):
        assert declared.__name__ == built.__name__
        assert declared.__bases__ == built.__bases__
        assert [(m.name, m.value) for m in declared] == [
            (m.name, m.value) for m in built
        ]
    elif isinstance(built, type) and issubclass(built, Table):
        assert declared.__name__ == built.__name__
        columns = {n: f.annotation for n, f in built.model_fields.items()}
        assert columns == own_annotations(declared, namespace)
    else:
        assert declared == built


def assert_device_matches(stub: type, device: Device, namespace: dict[str, Any]):
    hints = own_annotations(stub, namespace)
    declared = list(hints)
    methods = [n for n, v in stub.__dict__.items() if inspect.isfunction(v)]
    children = dict(device.children())
    assert sorted([*declared, *(m for m in methods if m in children)]) == sorted(
        children
    ), f"{stub.__name__}: the stub and the built device differ in children"
    for method in methods:
        assert method in type(device).exposed
        assert callable(getattr(device, method))
    for name in declared:
        hint, built = hints[name], getattr(device, name)
        origin = get_origin(hint) or hint
        if isinstance(origin, type) and issubclass(origin, Signal):
            assert type(built) is origin, f"{stub.__name__}.{name}"
            declared_type = (get_args(hint) or (None,))[0]
            assert_same_datatype(declared_type, built.datatype, namespace)
        elif origin is DeviceVector:
            assert isinstance(built, DeviceVector)
            for child in built.values():
                assert_device_matches(get_args(hint)[0], child, namespace)
        else:
            assert_device_matches(hint, built, namespace)


@pytest.mark.parametrize(
    ("module", "beamline"),
    [("demo_devices", "DemoBeamline"), ("lab_devices", "Lab2Beamline")],
)
def test_every_stub_attribute_is_the_built_signal_and_none_is_missing(
    generated: Generated, module: str, beamline: str
) -> None:
    path = generated.module(module)
    namespace = as_type_checkers_see_it(path)
    bl = as_it_runs(path).load(mock=True)
    loader = namespace[beamline]
    hints = own_annotations(loader, namespace)
    assert list(hints) == list(bl.devices)
    for name, device in bl.devices.items():
        assert_device_matches(hints[name], device, namespace)


def test_enum_and_table_names_at_run_time_are_the_builders_classes(
    generated: Generated,
) -> None:
    module = as_it_runs(generated.module("lab_devices"))
    every = module.load(mock=True).every
    assert module.EveryTypeShutter is every.shutter.datatype
    assert module.EveryTypeSequence is every.sequence.datatype
    assert module.AxisState is every.axis.state.datatype
    assert module.EveryTypeShutter.CLOSED_NOW == "closed now"


def test_device_classes_exist_for_type_checkers_only(generated: Generated) -> None:
    module = as_it_runs(generated.module("demo_devices"))
    assert not hasattr(module, "SimMotor")
    assert not hasattr(module, "DemoBeamline")


def test_signals_without_dtype_are_typed_as_their_source_says(
    generated: Generated,
) -> None:
    namespace = as_type_checkers_see_it(generated.module("lab_devices"))
    hints = own_annotations(namespace["EveryType"], namespace)
    assert (hints["live"], hints["about"], hints["scan"]) == (
        SignalRW[Any],
        SignalR[str],
        SignalRW[str],
    )
    assert (hints["digits"], hints["state"]) == (SignalW[int], SignalR[DevStateEnum])
