"""``python -m ophyd_blueprint.testing.sim_panda``: serve until interrupted."""

from __future__ import annotations

import threading

from .server import SimPandA


def main() -> None:
    with SimPandA() as panda:
        print(f"simulated PandA serving on {panda.host}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
