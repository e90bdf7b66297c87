"""``soft://name``: a value held in this process."""

from __future__ import annotations

from typing import Any

from ophyd_blueprint.core.backend import SignalBackend
from ophyd_blueprint.core.soft import SoftSignalBackend


class SoftTransport:
    """Each ``soft://`` signal holds its own value; the name is its source."""

    def make_backend(
        self, datatype: type[Any] | None, read_uri: str, write_uri: str
    ) -> SignalBackend[Any]:
        return SoftSignalBackend(datatype, uri=read_uri)
