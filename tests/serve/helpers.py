"""Queueserver client steps the serve tests share, each bounded in time."""

from __future__ import annotations

from typing import Any

from bluesky_queueserver_api import BFunc

OPEN_TIMEOUT = 120  # a worker imports bluesky and connects the beamline
RUN_TIMEOUT = 120


def close(api: Any) -> None:
    """Close the worker's environment if it is open."""
    if api.status()["worker_environment_exists"]:
        api.environment_close()
        api.wait_for_condition(
            lambda s: not s["worker_environment_exists"], timeout=OPEN_TIMEOUT
        )


def ensure_open(api: Any) -> None:
    """Open the worker's environment if it is not open."""
    if not api.status()["worker_environment_exists"]:
        api.environment_open()
        api.wait_for_idle(timeout=OPEN_TIMEOUT)
    assert api.status()["worker_environment_state"] == "idle"


def reopen(api: Any) -> None:
    """Close the worker's environment if open, then open it: a fresh load."""
    close(api)
    ensure_open(api)


def connection_report(api: Any) -> dict[str, Any]:
    """The worker's ``connection_report()``, run through function_execute."""
    task = api.function_execute(BFunc("connection_report"), run_in_background=True)
    api.wait_for_completed_task(task["task_uid"], timeout=30)
    result = api.task_result(task["task_uid"])["result"]
    assert result["success"], result["traceback"]
    return result["return_value"]


def run_queue(api: Any) -> list[dict[str, Any]]:
    """Start the queue, wait until it has run; the items run, oldest first."""
    before = len(api.history_get()["items"])
    api.queue_start()
    api.wait_for_idle(timeout=RUN_TIMEOUT)
    return api.history_get()["items"][before:]
