"""``blueprint settings save|diff|apply``: what devices are set to, in a file.

Exit codes say how much was done: 0 all of it; 1 not all (the diff found
differences, a write failed, or ``--partial`` left a device out); 2 nothing
(a bad file, a device that did not connect, a usage error).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .command import Subparsers

if TYPE_CHECKING:
    from ophyd_blueprint.beamline import LoadedBeamline
    from ophyd_blueprint.plans.settings import CheckedSettings

__all__ = ["register"]

_PARTIAL = "nothing was written; with --partial, the other devices are"


def register(subparsers: Subparsers) -> None:
    """Add ``settings`` and its actions to the command line."""
    parser = subparsers.add_parser(
        "settings",
        help="save, compare and restore what devices are set to",
        description="Settings are the signals of access rw read as config, and "
        "those marked 'setting: true' in their blueprint (never a motor's "
        "setpoint). Exit 0: all done; 1: not all (differences, a failed write, "
        "a device left out by --partial); 2: nothing done (bad file, a device "
        "that did not connect).",
    )
    actions = parser.add_subparsers(required=True, metavar="ACTION")
    save = actions.add_parser(
        "save",
        help="save the settings of a beamline's devices to a YAML file",
        description="Connect the devices (default: all of BEAMLINE) and write "
        "their settings to FILE.",
    )
    save.add_argument("beamline", type=Path, metavar="BEAMLINE", help=_BEAMLINE)
    save.add_argument(
        "devices",
        nargs="*",
        metavar="DEVICE",
        help="the devices to save (default: every device of the beamline)",
    )
    save.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="the settings file to write (YAML)",
    )
    save.add_argument(
        "--partial", action="store_true", help="save the devices that connect"
    )
    _timeout(save)
    save.set_defaults(handler=_run_save)
    diff = actions.add_parser(
        "diff",
        help="compare saved settings with what the devices are set to now",
        description="Print a table of signal / saved / now for every setting "
        "that differs. Exit 0 equal, 1 different, 2 errors.",
    )
    diff.add_argument("file", type=Path, metavar="FILE", help=_SAVED)
    diff.add_argument("beamline", type=Path, metavar="BEAMLINE", help=_BEAMLINE)
    diff.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: what differs, as an object, for scripts",
    )
    _timeout(diff)
    diff.set_defaults(handler=_run_diff)
    apply = actions.add_parser(
        "apply",
        help="restore saved settings",
        description="Check FILE against the devices (nothing is written if "
        "anything is wrong), write every setting in the order their logic "
        "declares, read each back and report what was and was not restored.",
    )
    apply.add_argument("file", type=Path, metavar="FILE", help=_SAVED)
    apply.add_argument("beamline", type=Path, metavar="BEAMLINE", help=_BEAMLINE)
    apply.add_argument(
        "--dry-run", action="store_true", help="show what would be written, in order"
    )
    apply.add_argument(
        "--partial",
        action="store_true",
        help="restore the devices that connect when others do not",
    )
    apply.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: the report of what was restored, as an object",
    )
    _timeout(apply)
    apply.set_defaults(handler=_run_apply)


_BEAMLINE = "the beamline file whose devices are meant"
_SAVED = "a settings file written by 'blueprint settings save'"


def _timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help="seconds to connect, and for each write "
        "(default: the beamline's defaults.timeout)",
    )


def _error(message: object) -> None:
    print(f"blueprint settings: {message}", file=sys.stderr)


def _load(path: Path) -> LoadedBeamline | None:
    """The beamline, or None once its problems are printed."""
    from ophyd_blueprint.beamline import load_beamline
    from ophyd_blueprint.blueprint import BlueprintError
    from ophyd_blueprint.builder import BuildError

    try:
        return load_beamline(path)
    except (OSError, BuildError) as error:
        _error(error)
    except BlueprintError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
    return None


async def _connect(
    beamline: LoadedBeamline, names: Sequence[str], timeout: float
) -> dict[str, str]:
    """Connect the devices `names` at once; those that failed -> why."""
    results = await asyncio.gather(
        *(
            beamline.devices[n].connect(mock=n in beamline.mock, timeout=timeout)
            for n in names
        ),
        return_exceptions=True,
    )
    failed: dict[str, str] = {}
    for name, result in zip(names, results, strict=True):
        if isinstance(result, BaseException):
            if not isinstance(result, Exception):
                raise result
            failed[name] = "did not connect: " + str(result).splitlines()[0]
    return failed


def _run_save(args: argparse.Namespace) -> int:
    beamline = _load(args.beamline)
    if beamline is None:
        return 2
    names: list[str] = args.devices or list(beamline.devices)
    unknown = [n for n in names if n not in beamline.devices]
    if unknown:
        _error(
            f"{args.beamline} has no device {', '.join(map(repr, unknown))}; "
            f"it has: {', '.join(beamline.devices)}"
        )
        return 2
    return _settle(lambda: _save(args, beamline, names))


async def _save(
    args: argparse.Namespace, beamline: LoadedBeamline, names: list[str]
) -> int:
    from ophyd_blueprint.plans.settings import snapshot, write_settings_file

    timeout = _seconds(args, beamline)
    failed = await _connect(beamline, names, timeout)
    if failed and not args.partial:
        for name, why in failed.items():
            _error(f"{name} {why}")
        _error("nothing was saved; with --partial, the other devices are")
        return 2
    reachable = {n: beamline.devices[n] for n in names if n not in failed}
    origin = beamline.model.written_at
    settings, unread = await snapshot(
        reachable,
        beamline=beamline.name,
        beamline_file=None if origin is None else str(Path(origin.file).resolve()),
        partial=args.partial,
        timeout=timeout,
    )
    path = write_settings_file(settings, args.output)
    count = sum(len(values) for values in settings.devices.values())
    # counted as apply counts them: the devices that have settings
    devices = sum(1 for values in settings.devices.values() if values)
    plural = "" if devices == 1 else "s"
    none = [name for name, values in settings.devices.items() if not values]
    verb = "has" if len(none) == 1 else "have"
    without = f" ({', '.join(none)} {verb} none)" if none else ""
    print(f"saved {count} settings of {devices} device{plural} to {path}{without}")
    for name, why in {**failed, **unread}.items():
        print(f"{name} not saved: {why}")
    return 1 if failed or unread else 0


def _seconds(args: argparse.Namespace, beamline: LoadedBeamline) -> float:
    timeout: float | None = args.timeout
    return beamline.model.defaults.timeout if timeout is None else timeout


def _settle(run: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run the coroutine `run()` makes; print what stops it (exit 2)."""
    from ophyd_blueprint.blueprint import BlueprintError
    from ophyd_blueprint.plans import SettingsOrderError, SettingsReadError

    try:
        code = asyncio.run(run())
    except BlueprintError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    except SettingsReadError as error:
        for name, why in error.failures.items():
            _error(f"{name} {why}")
        _error(_PARTIAL)
        return 2
    except (SettingsOrderError, OSError, TypeError, ValueError) as error:
        _error(error)
        return 2
    return code


def _checked_run(
    args: argparse.Namespace,
    partial: bool,
    then: Callable[[CheckedSettings, float], Awaitable[int]],
) -> int:
    """Load the file and the beamline, connect and check, then `then(checked)`."""
    from ophyd_blueprint.blueprint import BlueprintError
    from ophyd_blueprint.blueprint.settings_file import load_settings

    try:
        settings = load_settings(args.file)
    except OSError as error:
        _error(error)
        return 2
    except BlueprintError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    beamline = _load(args.beamline)
    if beamline is None:
        return 2

    async def run() -> int:
        from ophyd_blueprint.plans.settings import check_settings

        timeout = _seconds(args, beamline)
        names = [n for n in settings.devices if n in beamline.devices]
        failed = await _connect(beamline, names, timeout)
        checked = await check_settings(
            settings,
            beamline.devices,
            unreachable=failed,
            partial=partial,
            timeout=timeout,
        )
        return await then(checked, timeout)

    return _settle(run)


def _run_diff(args: argparse.Namespace) -> int:
    async def show(checked: CheckedSettings, _timeout: float) -> int:
        diff = checked.diff()
        if args.format == "json":
            print(json.dumps(diff.as_dict(), indent=2))
        else:
            for line in diff.lines():
                print(line)
        return 2 if diff.skipped else 0 if diff.same else 1

    return _checked_run(args, True, show)


def _run_apply(args: argparse.Namespace) -> int:
    async def apply(checked: CheckedSettings, timeout: float) -> int:
        if args.dry_run:
            _print_plan(checked, args.format)
            return 0
        report = await checked.restore(timeout)
        if args.format == "json":
            print(json.dumps(report.as_dict(), indent=2))
        else:
            for line in report.lines():
                print(line)
        return 0 if report.ok else 1

    return _checked_run(args, args.partial, apply)


def _print_plan(checked: CheckedSettings, format: str) -> None:
    """What a restore would write, device by device, stage by stage."""
    from ophyd_blueprint.plans.settings_restore import shown
    from ophyd_blueprint.plans.settings_values import plain, same

    steps: list[dict[str, Any]] = []
    for name, values in checked.saved.items():
        if name not in checked.now:
            continue
        for stage, paths in enumerate(checked.found[name].stages, start=1):
            for path in paths:
                if path in values:
                    saved = plain(values[path])
                    now = checked.now[name][path]
                    steps.append(
                        {
                            "device": name,
                            "signal": path,
                            "stage": stage,
                            "now": now,
                            "saved": saved,
                            "changes": not same(now, saved),
                        }
                    )
    if format == "json":
        plan = {"file": checked.file, "writes": steps, "skipped": dict(checked.skipped)}
        print(json.dumps(plan, indent=2))
        return
    for step in steps:
        change = (
            f"{shown(step['now'])} -> {shown(step['saved'])}"
            if step["changes"]
            else f"{shown(step['saved'])} (as saved)"
        )
        print(f"{step['device']}: {step['stage']}. {step['signal']}: {change}")
    for name, why in checked.skipped.items():
        print(f"{name} would not be restored: {why}")
    print(f"dry run: nothing was written ({len(steps)} writes planned)")
