"""The roles logic classes declare, as the blueprint language checks them.

`RoleSpec` lives in `ophyd_blueprint.roles`, below every layer, so that logic
(runtime) and this package (pure data) share it without importing each other;
validation takes the roles as input.
"""

from ophyd_blueprint.roles import LogicInfo, LogicRoles, RoleSpec

__all__ = ["LogicInfo", "LogicRoles", "RoleSpec"]
