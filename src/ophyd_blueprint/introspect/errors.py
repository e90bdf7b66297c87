"""The one error introspection raises: what was asked, and what was expected."""

from __future__ import annotations

__all__ = ["IntrospectionError"]


class IntrospectionError(Exception):
    """A source that cannot be introspected; the message names it and says why."""
