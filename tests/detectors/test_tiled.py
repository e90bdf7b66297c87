"""The documents a detector emits, replayed into a real Tiled server, read back.

``tiled serve catalog --temp`` with bluesky-tiled-plugins' TiledWriter: the
arrays Tiled serves for the detector's data key are the frames in the files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bluesky.plans as bp
import numpy as np
import pytest
from bluesky.run_engine import RunEngine
from bluesky_tiled_plugins import TiledWriter
from tiled.client import from_uri

from ophyd_blueprint import TriggerInfo
from ophyd_blueprint.beamline import LoadedBeamline
from ophyd_blueprint.testing.tiled_server import TiledServer

from ..runs import Docs, run
from .test_sim_detector import fly, frames_of


@pytest.fixture(scope="module")
def tiled(data_dir: Path) -> Iterator[TiledServer]:
    with TiledServer([data_dir]) as server:
        yield server


def replayed(server: TiledServer, docs: Docs) -> Any:
    """Write every document to Tiled, in emission order; the run as Tiled has it."""
    writer = TiledWriter(from_uri(server.uri, api_key=server.api_key))
    for name, doc in docs.order:
        writer(name, doc)
    return from_uri(server.uri, api_key=server.api_key)[docs["start"][0]["uid"]]


def test_a_count_read_back_from_tiled_is_the_frames_in_the_file(
    RE: RunEngine, beamline: LoadedBeamline, tiled: TiledServer
):
    docs = run(RE, bp.count([beamline.det], 3))

    served = replayed(tiled, docs)["primary"]["det"].read()

    [frames] = frames_of(docs).values()
    assert served.shape == frames.shape == (3, 48, 64)
    assert np.array_equal(served, frames)


def test_a_fly_scan_read_back_from_tiled_is_the_frames_in_the_file(
    RE: RunEngine, beamline: LoadedBeamline, tiled: TiledServer
):
    info = TriggerInfo(number_of_events=20, livetime=0.002, deadtime=0.002)
    docs = run(RE, fly(beamline.det, info))

    served = replayed(tiled, docs)["primary"]["det"].read()

    [frames] = frames_of(docs).values()
    assert served.shape == (20, 48, 64)
    assert np.array_equal(served, frames)
