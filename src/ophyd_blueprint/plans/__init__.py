"""Plan stubs: connect devices (ours or any async device), and save and restore
the settings of devices built from blueprints."""

from .connect import ensure_connected
from .settings import apply_settings, save_settings
from .settings_diff import SettingsDiff
from .settings_read import SettingsReadError
from .settings_restore import RestoreReport, SettingsNotRestoredError
from .settings_select import SettingsOrderError

__all__ = [
    "RestoreReport",
    "SettingsDiff",
    "SettingsNotRestoredError",
    "SettingsOrderError",
    "SettingsReadError",
    "apply_settings",
    "ensure_connected",
    "save_settings",
]
