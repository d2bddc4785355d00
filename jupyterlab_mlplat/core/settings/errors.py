"""What can go wrong changing a live setting, each with its own reason for the console."""

from __future__ import annotations

from jupyterlab_mlplat.core.kernel.errors import Conflict, InvalidInput, NotFound


class SettingNotFound(NotFound):
    """``params.key``: no live setting has this key."""

    reason = "setting_not_found"


class SettingOutOfRange(InvalidInput):
    """``params.field`` (the setting's key) is outside ``params.minimum``..``params.maximum``,
    or not a number of its kind (``params.kind``: integer or number)."""

    reason = "setting_out_of_range"


class SettingChanged(Conflict):
    """Somebody changed the setting since the caller's page read it: ``params.by``,
    ``params.revision`` (now) and ``params.yours``. Nothing was changed."""

    reason = "setting_changed"
