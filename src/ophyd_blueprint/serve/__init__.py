"""`blueprint serve`: a beamline in a bluesky-queueserver RE Manager, with the
Redis it needs, its documents optionally to Tiled.

The worker's namespace holds the beamline's devices by name and the plans of
`bluesky.plans` and `ophyd_blueprint.plans`; the queueserver's permission and
plan-and-device files are written from it.
"""

from .manager import ManagerError, ReManager
from .namespace import PLAN_MODULES, NameClashError, beamline_namespace, plans
from .ports import PortTakenError
from .redis_server import RedisError, RedisServer
from .run import ServeOptions, serve
from .worker import worker_namespace

__all__ = [
    "PLAN_MODULES",
    "ManagerError",
    "NameClashError",
    "PortTakenError",
    "ReManager",
    "RedisError",
    "RedisServer",
    "ServeOptions",
    "beamline_namespace",
    "plans",
    "serve",
    "worker_namespace",
]
