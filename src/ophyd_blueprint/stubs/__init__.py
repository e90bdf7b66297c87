"""Typed Python modules from blueprints and beamlines, for IDEs and pyright.

``blueprint stubs beamlines/demo.yaml -o beamlines/demo_devices.py`` writes a
real, importable module (not a ``.pyi``) that meets the runtime like this:

- One class per blueprint (``class SimMotor(BlueprintDevice)``) with its
  signals typed by access and dtype (``readback: SignalR[float]``), its
  children (``stats: DeviceVector[SimStatsChannel]``) and the methods its
  logic exposes, typed from the logic class (``set() ->
  WatchableAsyncStatus[float]``). These classes sit under
  ``if TYPE_CHECKING:``: the builder makes the real classes at run time, so
  the stub classes exist for type checkers only and ``isinstance`` against
  them cannot mislead.
- Enum and table classes are declared under ``if TYPE_CHECKING:`` too, and at
  run time are bound to the builder's own cached classes (``enum_class(...)``,
  ``signal_datatype(...)``), so ``ImageMode.SINGLE`` works in a plan and is
  the very member a signal returns.
- For a beamline, ``load(path=BEAMLINE, mock=False)`` returns
  ``cast("DemoBeamline", load_beamline(path, mock=mock))``: the devices are
  built by the one generic builder, and only their type comes from here.
  ``BEAMLINE`` is the beamline file relative to the module, so the module
  works from any working directory.

Stubs are made from the models, never from runtime objects. The text is
deterministic (no timestamps; paths relative to the module) and already in
ruff's format, so ``--check`` can compare it byte for byte in CI.
"""

from .freshness import stale_diff
from .generate import generate_stubs

__all__ = ["generate_stubs", "stale_diff"]
