"""Transports: one `SignalBackend` per control system, registered by URI scheme.

Each transport registers itself through the ``ophyd_blueprint.transports``
entry-point group (see pyproject.toml) and is imported on first use. The
network ones are packages of one shape: ``ca/``, ``pva/`` and ``tango/`` each
have `backend` (the `SignalBackend` and the transport), `convert` (native
types <-> Python) and `client` (the typed face of the client library); what
they share (the disconnected reading, limits, URI splitting) is in `core`.
``soft`` and ``mock`` are one module each.
"""
