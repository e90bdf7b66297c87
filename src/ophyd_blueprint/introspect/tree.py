"""What introspection finds, before it becomes blueprints: a tree of devices.

Every source (live PVI, a ``.pvi.device.yaml`` file, a Tango device) is read
into `FoundDevice` nodes; `to_blueprints` alone turns them into models. Names
are already snake_case here; signal vectors are already flattened to
``name_N`` signals (a blueprint has vectors of devices only).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from ophyd_blueprint.blueprint.vocabulary import Access, ColumnDtype, Dtype
from ophyd_blueprint.core import StandardReadable

__all__ = ["FoundDevice", "FoundSignal", "snake_case"]


@dataclass(frozen=True)
class FoundSignal:
    """One signal: its sources as the server gave them, and what it carries."""

    access: Access
    source: str
    """The write source (``r``: the read source); may lack a scheme."""
    read_source: str | None = None
    """A separate readback, for ``rw`` signals with two PVs."""
    dtype: Dtype | None = None
    choices: tuple[str, ...] | None = None
    units: str | None = None
    columns: Mapping[str, ColumnDtype] | None = None
    trigger_value: str | int | float | bool | None = None
    doc: str | None = None

    @classmethod
    def link(cls, access: Access, source: str) -> FoundSignal:
        """``FoundSignal(access, source)``, made at a fifth of the cost.

        A frozen dataclass's ``__init__`` sets each of its nine fields through
        ``object.__setattr__``; a PVI tree has a plain link per signal, by the
        thousand. The other fields keep their defaults, which are class
        attributes, so the two fields given are all the instance holds.
        """
        signal = object.__new__(cls)
        fields = signal.__dict__
        fields["access"] = access
        fields["source"] = source
        return signal


@dataclass(frozen=True)
class FoundDevice:
    """One device: where it was found, its signals and sub-devices."""

    where: str
    """The URI or file it was read from."""
    signals: Mapping[str, FoundSignal] = field(default_factory=dict[str, FoundSignal])
    children: Mapping[str, FoundDevice] = field(
        default_factory=lambda: dict[str, FoundDevice]()
    )
    vectors: Mapping[str, Mapping[int, FoundDevice]] = field(
        default_factory=lambda: dict[str, Mapping[int, FoundDevice]]()
    )
    """Numbered sub-devices by name (``__N`` entries, ``name__N`` or lists)."""
    linked: Mapping[str, str] = field(default_factory=dict[str, str])
    """Sub-devices only referred to (a PVI file's DeviceRef): name -> PVI URI."""
    params: tuple[str, ...] = ()
    """Names the sources use as ``{{name}}`` (a PVI file's macros)."""
    doc: str | None = None


_TAKEN = frozenset(dir(StandardReadable)) | {"logic", "blueprint", "exposed"}
"""Attributes a built device already has: a signal must not shadow them."""
_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@lru_cache(maxsize=8192)
def snake_case(name: str) -> str:
    """``AcquireTime`` -> ``acquire_time``: a name a device attribute can have.

    Other characters become ``_``; a leading digit gets ``n`` in front; a
    keyword or a name a device already has (``name``, ``read``) gets ``_``
    after. Memoized: a PVI tree repeats its names in every device alike.
    """
    words = _WORD_BREAK.sub("_", name.strip())
    cleaned = re.sub(r"\W+", "_", words).lower().strip("_")
    cleaned = re.sub(r"__+", "_", cleaned) or "unnamed"
    if cleaned[0].isdigit():
        cleaned = f"n{cleaned}"
    if keyword.iskeyword(cleaned) or cleaned in _TAKEN:
        cleaned += "_"
    return cleaned
