"""Transports: one `SignalBackend` per control system, registered by URI scheme.

Each module registers itself through the ``ophyd_blueprint.transports``
entry-point group (see pyproject.toml) and is imported on first use.
"""
