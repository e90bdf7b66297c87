"""Devices: named trees of signals and sub-devices, connected in one go."""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import NoAnswerError, NotConnectedError

__all__ = ["DEFAULT_TIMEOUT", "Device", "DeviceVector", "private_attribute_error"]

DEFAULT_TIMEOUT = 10.0
"""Seconds a connect or put may take when the caller does not say."""

_GRACE = 1.02
"""Connect waits this factor of its timeout, so a backend's own timeout error
(which names the cause) arrives before the generic one, and well inside the
+10 % a connect may overrun its timeout."""


class Device:
    """A node of a device tree.

    Attributes that are Devices (signals included) become children; their
    names follow the parent's: ``stage-x-readback``. Set children before
    calling ``super().__init__(name)`` or call `set_name` after adding them.
    """

    # no __dict__ here: signals (slotted) stay small; Device subclasses that
    # declare no __slots__ get one as usual
    __slots__ = ("__weakref__", "_children", "_name", "parent")

    _children: dict[str, Device]

    def __init__(self, name: str = "") -> None:
        self.parent: Device | None = None
        self.set_name(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Device) and name[0] != "_" and name != "parent":
            self.add_child(name, value)
            if not hasattr(self, "__dict__"):
                return  # a plain Device(): its children live in _children only
        object.__setattr__(self, name, value)

    if not TYPE_CHECKING:  # keep attribute typos visible to pyright

        def __getattr__(self, name: str) -> Device:
            if name[0] == "_":  # unset slots; never children
                raise private_attribute_error(self, name)
            children = self._children_or_none()
            if children and name in children:
                return children[name]
            raise AttributeError(
                f"{type(self).__name__} {getattr(self, '_name', '')!r} "
                f"has no attribute {name!r}"
            )

    def add_child(self, name: str, child: Device) -> None:
        """Make `child` a child called `name` (without setting an attribute)."""
        children = self._children_or_none()
        if children is None:
            children = {}
            object.__setattr__(self, "_children", children)
        children[name] = child
        object.__setattr__(child, "parent", self)

    def _children_or_none(self) -> dict[str, Device] | None:
        try:
            return self._children
        except AttributeError:  # the slot is filled on the first child
            return None

    @property
    def name(self) -> str:
        """The full name, e.g. ``stage-x`` for child ``x`` of ``stage``."""
        return self._name

    def set_name(self, name: str) -> None:
        """Name this device and, below it, every child ``name-child``."""
        object.__setattr__(self, "_name", name)
        for child_name, child in self.children():
            child.set_name(f"{name}-{child_name}" if name else "")

    def children(self) -> Iterator[tuple[str, Device]]:
        """``(name, child)`` of each direct child, in the order they were set."""
        children = self._children_or_none()
        if children:
            yield from children.items()

    def child(self, name: str) -> Device:
        """The direct child called `name` (also when a method shadows it)."""
        children = self._children_or_none() or {}
        try:
            return children[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(children), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise AttributeError(
                f"{self.name or type(self).__name__} has no child {name!r}{hint}; "
                f"children: {', '.join(children) or 'none'}"
            ) from None

    def _connectables(
        self, path: tuple[str, ...]
    ) -> Iterator[tuple[tuple[str, ...], Device]]:
        """Every node below (and including) this one that connects itself."""
        if type(self)._connect_self is not Device._connect_self:
            yield path, self
        for child_name, child in self.children():
            yield from child._connectables((*path, child_name))

    async def _connect_self(self, mock: bool, timeout: float) -> None:
        """Connect this node alone; signals and discovered devices override it."""

    async def connect(
        self,
        mock: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        force_reconnect: bool = False,
    ) -> None:
        """Connect every signal below, all at once, within one `timeout`.

        With `mock=True` nothing is contacted: each signal gets a mock backend
        (`ophyd_blueprint.core.mock`). Failures are gathered into one
        `NotConnectedError` tree naming every failed source. The arguments are
        ophyd-async's, so its ``ensure_connected`` connects our devices too;
        every connect checks each signal again, as ophyd-async does only with
        `force_reconnect`, so that flag changes nothing here.
        """
        nodes = list(self._connectables(()))
        if not nodes:
            return
        tasks = [
            asyncio.ensure_future(node._connect_self(mock, timeout))
            for _, node in nodes
        ]
        _done, pending = await asyncio.wait(tasks, timeout=timeout * _GRACE)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        errors: dict[tuple[str, ...], Exception] = {}
        for (path, node), task in zip(nodes, tasks, strict=True):
            if task in pending:
                errors[path] = NoAnswerError(_describe_node(node), timeout)
            elif (error := task.exception()) is not None:
                if not isinstance(error, Exception):
                    raise error
                errors[path] = _ours(error, node, timeout)
        if errors:
            tree = _error_tree(errors, self.name or type(self).__name__)
            raise NotConnectedError(
                tree.errors, _summary(self, tree.silent(), len(errors), len(nodes))
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


_OPHYD_ASYNC_INTERNALS = {"_connector": "signal", "_mock": "device"}
"""Private attributes ophyd-async's helpers (``set_mock_value``, ``get_mock``)
read from its own devices; ours have none, so asking for one says what to use."""


def private_attribute_error(device: Device, name: str) -> AttributeError:
    """The error for an unset private attribute `name` of `device`.

    ophyd-async's mock helpers read ``_connector`` or ``_mock``: for those the
    message names ours instead, so ``set_mock_value`` from the wrong package
    explains itself.
    """
    what = _OPHYD_ASYNC_INTERNALS.get(name)
    if what is None:
        return AttributeError(name)
    return AttributeError(
        f"{device.name or type(device).__name__} is an ophyd-blueprint {what}, "
        f"not an ophyd-async one (it has no {name}): use ophyd_blueprint's mock "
        "helpers of the same names instead (from ophyd_blueprint import "
        "set_mock_value, get_mock_put_calls, callback_on_mock_put, ...), after "
        "connect(mock=True)"
    )


def _summary(device: Device, silent: int, failed: int, total: int) -> str:
    name = device.name or type(device).__name__
    line = f"{name}: {failed} of {total} signals did not connect"
    if silent == failed:
        return f"{line}: none answered (server down, or wrong names?)"
    return f"{line} ({silent} did not answer)" if silent else line


def _describe_node(node: Device) -> str:
    source = getattr(node, "source", None)
    return str(source) if source else node.name or type(node).__name__


def _ours(error: Exception, node: Device, timeout: float) -> NotConnectedError:
    """`error` as one of ours, so it carries its facts (source, kind).

    A foreign exception (from a library, a logic, a user's backend) becomes a
    leaf about the node's source, chained to it; a `TimeoutError` is silence.
    """
    if isinstance(error, NotConnectedError):
        return error
    source = _describe_node(node)
    text = f"{type(error).__name__}: {error}".removesuffix(": ")
    leaf = (
        NoAnswerError(source, timeout, text)
        if isinstance(error, TimeoutError)
        else NotConnectedError(text, source=source)
    )
    leaf.__cause__ = error
    return leaf


def _error_tree(
    errors: Mapping[tuple[str, ...], Exception], root_name: str
) -> NotConnectedError:
    if () in errors:  # the node itself failed (a signal, a discovered device)
        error = errors[()]
        if isinstance(error, NotConnectedError) and not isinstance(error.errors, str):
            return error
        return NotConnectedError({root_name: error})  # the leaf keeps its type
    grouped: dict[str, dict[tuple[str, ...], Exception]] = {}
    for path, error in errors.items():
        grouped.setdefault(path[0], {})[path[1:]] = error
    tree: dict[str, Exception] = {}
    for name, sub in grouped.items():
        if list(sub) == [()]:
            tree[name] = sub[()]
        else:
            tree[name] = _error_tree(sub, name)
    return NotConnectedError(tree)


DeviceT = TypeVar("DeviceT", bound=Device)


class DeviceVector(Device, Mapping[int, DeviceT]):
    """Numbered children of one kind: ``channels[3]`` is named ``det-channels-3``."""

    def __init__(self, children: Mapping[int, DeviceT], name: str = "") -> None:
        self._items: dict[int, DeviceT] = dict(children)
        for index, child in self._items.items():
            self.add_child(str(index), child)
        super().__init__(name)

    def __getitem__(self, index: int) -> DeviceT:
        return self._items[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:  # a device is an identity, not a value
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __repr__(self) -> str:
        return f"DeviceVector({self.name!r}, {sorted(self._items)})"
