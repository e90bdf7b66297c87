"""Plans: connect devices (ours or any async device), fly a scanspec path
(`fly_scan`), and save and restore the settings of devices built from
blueprints."""

from .connect import ensure_connected
from .fly import FlyScanError, fly_scan
from .settings import apply_settings, save_settings
from .settings_diff import SettingsDiff
from .settings_read import SettingsReadError
from .settings_restore import RestoreReport, SettingsNotRestoredError
from .settings_select import SettingsOrderError

__all__ = [
    "FlyScanError",
    "RestoreReport",
    "SettingsDiff",
    "SettingsNotRestoredError",
    "SettingsOrderError",
    "SettingsReadError",
    "apply_settings",
    "ensure_connected",
    "fly_scan",
    "save_settings",
]
