"""``panda.IocVersion``: the PandA's IOC is one whose PVI this project reads.

pandablocks-ioc serves numbered blocks as lists (``seq: [None, {d: ...}]``,
vectors here) from 0.11 on; an older IOC has other paths, and binding to
them would fail with a list of missing paths. This logic, bound to the IOC's
version record (``SYSTEM:IOC_VERSION``), names the version instead.
"""

from __future__ import annotations

import re

from ophyd_blueprint.core import NotConnectedError

from .base import READABLE, Logic, role

__all__ = ["IocVersion"]

_NUMBERS = re.compile(r"\d+")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in _NUMBERS.findall(text)[:3])


class IocVersion(Logic):
    """Fails the connect of an IOC older than ``with: minimum`` (default 0.11)."""

    roles = (role("version", READABLE, frozenset({"str"}), doc="SYSTEM:IOC_VERSION"),)
    params = {"minimum": str}

    async def found(self) -> None:
        signal = self._r("version")
        version = str(await signal.get_value())
        minimum = str(self.config.get("minimum", "0.11"))
        if _version(version) < _version(minimum):
            raise NotConnectedError(
                f"{self.device.name}: pandablocks-ioc {version} ({signal.source}) "
                f"is older than {minimum}, the first whose PVI this blueprint "
                "reads (numbered blocks as lists); upgrade the IOC",
                source=signal.source,
            )
