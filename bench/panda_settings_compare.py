"""Saving and restoring a PandA's settings, beside ophyd-async doing the same.

Run with the venv's python: ``.venv/bin/python bench/panda_settings_compare.py``.
It starts the real pandablocks-ioc in front of the simulated PandA (as the
tests do), connects the shipped ``PandA`` blueprint and ophyd-async's
``HDFPanda`` to it in one RunEngine, then times, median of `ROUNDS` runs of
each taken in turn:

- save: ours ``save_settings([panda], file)``; ophyd-async
  ``store_settings(YamlSettingsProvider, ...)``: every setting read and
  written to a YAML file;
- restore: ours ``apply_settings(file, [panda])`` (units first, then the
  rest, each setting read back until it reads as saved); ophyd-async
  ``retrieve_settings`` then ``apply_panda_settings`` (units first, then the
  rest, not read back).

It prints one Markdown table, with how many settings each side handles.
"""

from __future__ import annotations

import statistics
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ophyd_blueprint.testing.ioc import configure_client_env

configure_client_env()

from bluesky.run_engine import RunEngine  # noqa: E402
from ophyd_async.core import (  # noqa: E402
    StaticPathProvider,
    UUIDFilenameProvider,
    YamlSettingsProvider,
)
from ophyd_async.fastcs.panda import HDFPanda, apply_panda_settings  # noqa: E402
from ophyd_async.plan_stubs import ensure_connected as oa_connected  # noqa: E402
from ophyd_async.plan_stubs import retrieve_settings, store_settings  # noqa: E402

from ophyd_blueprint import load_beamline  # noqa: E402
from ophyd_blueprint.blueprint.settings_file import load_settings  # noqa: E402
from ophyd_blueprint.plans import (  # noqa: E402
    apply_settings,
    ensure_connected,
    save_settings,
)
from ophyd_blueprint.testing.panda_ioc import PandaIoc  # noqa: E402

DEVICES = Path(__file__).parents[1] / "devices"
ROUNDS = 7


def ours(RE: RunEngine, folder: Path, prefix: str) -> Any:
    path = folder / "beamline.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            beamline: bench
            blueprints: [{DEVICES}]
            defaults: {{protocol: pva, timeout: 10.0, data_dir: "{folder}"}}
            devices:
              panda: {{blueprint: PandA, with: {{prefix: "{prefix}"}}}}
            """
        )
    )
    bl = load_beamline(path)
    RE(ensure_connected(*bl))
    return bl.panda


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="panda-settings-bench-"))
    ioc = PandaIoc(log_dir=folder / "ioc")
    ioc.start()
    try:
        RE = RunEngine(context_managers=[], call_returns_result=True)
        panda = ours(RE, folder, ioc.prefix)
        theirs = HDFPanda(
            ioc.prefix, StaticPathProvider(UUIDFilenameProvider(), folder), name="oa"
        )
        RE(oa_connected(theirs))
        provider = YamlSettingsProvider(folder)
        file = folder / "panda.yaml"

        def their_restore() -> None:
            settings = RE(retrieve_settings(provider, "oa", theirs)).plan_result
            RE(apply_panda_settings(settings))

        times: dict[str, list[float]] = {k: [] for k in ("os", "or", "ts", "tr")}

        def their_save() -> None:
            RE(store_settings(provider, "oa", theirs))

        for _ in range(ROUNDS):
            times["os"].append(timed(lambda: RE(save_settings([panda], file))))
            times["ts"].append(timed(their_save))
            times["or"].append(timed(lambda: RE(apply_settings(file, [panda]))))
            times["tr"].append(timed(their_restore))
        ours_count = len(load_settings(file).devices["panda"])
        their_count = len(RE(retrieve_settings(provider, "oa", theirs)).plan_result)
    finally:
        ioc.stop()

    def ms(key: str) -> float:
        return 1000 * statistics.median(times[key])

    print(f"\n## A PandA's settings, median of {ROUNDS}\n")
    print("| step | ophyd-blueprint | ophyd-async | ratio |")
    print("|---|---|---|---|")
    print(
        f"| save to YAML | {ms('os'):.0f} ms ({ours_count} settings) | "
        f"{ms('ts'):.0f} ms ({their_count} signals) | {ms('os') / ms('ts'):.2f}x |"
    )
    print(
        f"| restore | {ms('or'):.0f} ms (units first, each read back) | "
        f"{ms('tr'):.0f} ms (units first, not read back) | "
        f"{ms('or') / ms('tr'):.2f}x |"
    )


if __name__ == "__main__":
    main()
