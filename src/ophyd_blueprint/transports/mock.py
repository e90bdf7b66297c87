"""``mock://name``: a mock value for tests, driven by `ophyd_blueprint.core.mock`."""

from __future__ import annotations

from typing import Any

from ophyd_blueprint.core.backend import SignalBackend
from ophyd_blueprint.core.mock import MockSignalBackend


class MockTransport:
    """Each ``mock://`` signal records its puts and reads what a test sets."""

    def make_backend(
        self, datatype: type[Any] | None, read_uri: str, write_uri: str
    ) -> SignalBackend[Any]:
        return MockSignalBackend(datatype, uri=read_uri)
