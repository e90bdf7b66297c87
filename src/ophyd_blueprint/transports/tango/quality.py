"""Tango attribute quality -> bluesky ``alarm_severity`` (and ``message``).

The mapping, chosen to match EPICS severities where the meaning matches:

========  ===============  ===========
quality   alarm_severity   message
========  ===============  ===========
VALID     0                (none)
WARNING   1 (MINOR)        "warning"
ALARM     2 (MAJOR)        "alarm"
INVALID   3 (INVALID)      "invalid"
CHANGING  0                "changing"
========  ===============  ===========

CHANGING is not an alarm (a motor on its way), so it keeps severity 0 and
says so in the message. A lost connection is `core.backend.DISCONNECTED` (-1).
"""

from __future__ import annotations

from tango import AttrQuality

__all__ = ["SEVERITY_OF_QUALITY", "VALID"]

VALID = int(AttrQuality.ATTR_VALID)
"""The common case, tested first on the read path."""

SEVERITY_OF_QUALITY: dict[int, tuple[int, str]] = {
    int(AttrQuality.ATTR_WARNING): (1, "warning"),
    int(AttrQuality.ATTR_ALARM): (2, "alarm"),
    int(AttrQuality.ATTR_INVALID): (3, "invalid"),
    int(AttrQuality.ATTR_CHANGING): (0, "changing"),
}
"""Severity and message of every quality but VALID (severity 0, no message)."""
