"""Introspecting a 1000-signal PVI tree, beside raw p4p doing the same fetches.

Run with the venv's python: ``.venv/bin/python bench/introspect_compare.py``.
It starts its own IOC (a generated db: a root PVI linking 5 devices of 200
signals each), then times, median of 15 warm runs of each taken in turn:

- ``introspect()``: the PVI structures only, turned into blueprints whose
  signals take their PVs' types at connect (live-typed);
- ``introspect(type_live=True)``: that, and every signal's PV for its dtype
  (what ``blueprint introspect -o`` does, and what discovery did before);
- raw p4p, structures only: the root, then the 5 device structures at once;
- raw p4p, structures as dicts: that, and ``todict()`` of each;
- raw p4p, structures as pairs: that, and ``tolist()`` of each (what
  ``introspect()`` reads), the least a reader of their entries pays in Python;
- raw p4p, with signals: the structures, then the 1000 signal PVs at once;
- ophyd-async's discovery, ``PviTree.build_device_tree``: the structures
  into its tree of signal details (no per-signal fetch either; its signals
  are typed when each connects, as ours are).

It prints two Markdown tables: each of ours beside raw p4p doing its
fetches, and ours beside ophyd-async's discovery of the same tree.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from ophyd_async.epics.core import PviTree
from p4p.client.thread import Context

from ophyd_blueprint.introspect import introspect
from ophyd_blueprint.testing.ioc import EpicsIoc

DEVICES = 5
SIGNALS_PER_DEVICE = 200
ROUNDS = 15


def generated_db() -> str:
    """Records and Q:group tags for the tree."""
    lines: list[str] = []
    for d in range(1, DEVICES + 1):
        link = f'"value.dev{d}.d": {{+type: "const", +const: "$(P)DEV{d}:PVI"}}'
        trigger = ', +trigger: "*"' if d == 1 else ""
        link = link[:-1] + trigger + "}"
        members = [f'"$(P)PVI": {{{link}}}']
        for s in range(SIGNALS_PER_DEVICE):
            entry = (
                f'"value.sig{s}.rw": {{+type: "plain", +channel: "NAME"'
                + (', +trigger: "*"' if s == 0 else "")
                + "}"
            )
            lines.append(
                f'record(ao, "$(P)DEV{d}:SIG{s}") {{ info(Q:group, '
                f'{{"$(P)DEV{d}:PVI": {{{entry}}}'
                + (f", {members[0]}" if s == 0 else "")
                + "}) }"
            )
    return "\n".join(lines) + "\n"


def raw_fetch(
    ctxt: Any,
    root: str,
    with_signals: bool,
    as_dicts: bool = False,
    as_pairs: bool = False,
) -> float:
    start = time.perf_counter()
    tree = ctxt.get(root, timeout=10)
    devices = [tree["value"][name]["d"] for name in tree["value"]]
    structures = ctxt.get(devices, timeout=10)
    if as_dicts:
        for structure in structures:
            structure.todict()
    if as_pairs:
        for structure in structures:
            structure.tolist()
    if with_signals:
        pvs = [
            entry["rw"]
            for structure in structures
            for entry in structure["value"].todict().values()
        ]
        ctxt.get(pvs, timeout=10)
    return time.perf_counter() - start


async def ours(root: str, typed: bool) -> float:
    start = time.perf_counter()
    found = await introspect(root, timeout=10, type_live=typed)
    elapsed = time.perf_counter() - start
    signals = sum(len(b.signals) for b in found.blueprints.values())
    assert signals == SIGNALS_PER_DEVICE, signals  # 5 items share one blueprint
    return elapsed


async def theirs(root: str) -> float:
    start = time.perf_counter()
    tree = await PviTree.build_device_tree(pvi_pv=root, timeout=10)
    elapsed = time.perf_counter() - start
    signals = sum(len(device.signals) for device in tree.sub_devices.values())
    assert signals == DEVICES * SIGNALS_PER_DEVICE, signals
    return elapsed


def medians(runs: dict[str, Any]) -> dict[str, float]:
    """The median time of each run, the runs taken in turn round after round
    (so that a slower minute of the machine weighs on all of them alike)."""
    for run in runs.values():
        run()  # warm: channels are made once per context
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(ROUNDS):
        for name, run in runs.items():
            times[name].append(run())
    return {name: statistics.median(found) for name, found in times.items()}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "pvi_1000.db"
        db.write_text(generated_db())
        with EpicsIoc(db_files=[db], log_dir=Path(tmp)) as ioc:
            root = ioc.pv("PVI")
            ctxt = Context("pva", nt=False)
            loop = asyncio.new_event_loop()
            try:
                t = medians(
                    {
                        "live": lambda: loop.run_until_complete(ours(root, False)),
                        "typed": lambda: loop.run_until_complete(ours(root, True)),
                        "ophyd_async": lambda: loop.run_until_complete(theirs(root)),
                        "structures": lambda: raw_fetch(ctxt, root, False),
                        "dicts": lambda: raw_fetch(ctxt, root, False, as_dicts=True),
                        "pairs": lambda: raw_fetch(ctxt, root, False, as_pairs=True),
                        "with_signals": lambda: raw_fetch(ctxt, root, True),
                    }
                )
            finally:
                loop.close()
                ctxt.close()
    live, typed, ophyd_async = t["live"], t["typed"], t["ophyd_async"]
    structures, dicts, pairs = t["structures"], t["dicts"], t["pairs"]
    with_signals = t["with_signals"]
    signals = DEVICES * SIGNALS_PER_DEVICE
    what = f"introspect {signals} signals in {DEVICES} devices"
    print("| benchmark | ophyd-blueprint | raw p4p (same fetches) | ratio |")
    print("|---|---|---|---|")
    for name, mine, raw, fetches in (
        ("live-typed", live, structures, "PVI structures only"),
        ("live-typed", live, dicts, "PVI structures as dicts"),
        ("live-typed", live, pairs, "PVI structures as pairs"),
        ("type_live=True", typed, with_signals, "structures and signal PVs"),
    ):
        print(
            f"| {what}, {name} | {mine * 1e3:.1f} ms "
            f"| {raw * 1e3:.1f} ms ({fetches}) | {mine / raw:.2f}x |"
        )
    print()
    print(
        f"Raw p4p reading its own structures as pairs takes {pairs / structures:.2f}x "
        "the time of fetching them alone: the least any reader of the entries "
        "through p4p starts from."
    )
    print()
    print("| benchmark | ophyd-blueprint | ophyd-async | ratio |")
    print("|---|---|---|---|")
    print(
        f"| discover {signals} signals in {DEVICES} devices (PVI structures only) "
        f"| {live * 1e3:.1f} ms (`introspect()`: blueprints) "
        f"| {ophyd_async * 1e3:.1f} ms (`PviTree.build_device_tree`) "
        f"| {live / ophyd_async:.2f}x |"
    )


if __name__ == "__main__":
    main()
