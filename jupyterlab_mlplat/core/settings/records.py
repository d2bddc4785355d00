"""Live settings: what each one is, its bounds, and its value now.

A setting is a platform trait a live change makes sense for (how many approvals publish a
version, when drift is drift). The trait stays the default, so a fresh platform behaves as its
configuration says; an admin's stored value overrides it until they reset it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

Number = int | float


class Kind(StrEnum):
    INTEGER = "integer"
    NUMBER = "number"


@dataclass(frozen=True)
class SettingSpec:
    """One live setting: its key (the trait's name), its kind, its bounds (both inclusive)
    and the feature that reads it (the console groups settings by it)."""

    key: str
    kind: Kind
    minimum: Number
    maximum: Number
    feature: str


#: every live setting. The bounds are what the features can work with: at least one approval
#: (never the author), a p-value a test can reach, a share of features above none.
SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("approvals_required", Kind.INTEGER, 1, 10, "reviews"),
    SettingSpec("drift_p_value", Kind.NUMBER, 0.0001, 0.5, "drift"),
    SettingSpec("drift_share", Kind.NUMBER, 0.01, 1.0, "drift"),
    # a minute is idle under this share of the requested CPU (0: only a workload that used
    # nothing); a GPU held idle this many minutes in a row tells the workspace's owner
    SettingSpec("idle_cpu_fraction", Kind.NUMBER, 0.0, 1.0, "analytics"),
    SettingSpec("idle_gpu_notify_minutes", Kind.INTEGER, 5, 10080, "analytics"),
)
SPEC_OF = {spec.key: spec for spec in SPECS}


@dataclass(frozen=True)
class StoredSetting:
    """The row of a setting an admin changed; ``value`` None after a reset (the row stays,
    so its revision keeps counting and a stale page is still refused)."""

    key: str
    value: Number | None
    revision: int
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class Setting:
    """A setting as the console shows it: the value in force, and where it comes from."""

    spec: SettingSpec
    default: Number
    value: Number
    overridden: bool
    revision: int
    updated_at: datetime | None
    updated_by: str | None

    @property
    def key(self) -> str:
        return self.spec.key


@dataclass(frozen=True)
class HubPolicy:
    """What the hub decides and the console shows read-only, with where to change it."""

    #: seconds an idle server runs before the hub's idle culler stops it; 0 when no culler
    server_idle_timeout: int = 0
