"""The wire shapes of live settings: each with its bounds, default and value in force, the
hub's policy shown read-only, and a change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from jupyterlab_mlplat.core.settings.records import HubPolicy, Kind, Setting

from .base import WholeNumber, Wire

KEY_PATH = {"key": "The setting, e.g. approvals_required."}


class SettingBody(Wire):
    key: str = Field(description="approvals_required, drift_p_value or drift_share.")
    feature: str = Field(description="The feature that reads it: reviews or drift.")
    kind: Kind
    minimum: float
    maximum: float
    default: float = Field(description="The platform's configured value (its trait).")
    value: float = Field(description="The value in force now.")
    overridden: bool = Field(description="Whether an admin's value replaces the default.")
    revision: int = Field(description="Name it when changing the setting (0: never changed).")
    updated_at: datetime | None
    updated_by: str | None

    @classmethod
    def of(cls, found: Setting) -> SettingBody:
        spec = found.spec
        return cls(
            key=spec.key,
            feature=spec.feature,
            kind=spec.kind,
            minimum=spec.minimum,
            maximum=spec.maximum,
            default=found.default,
            value=found.value,
            overridden=found.overridden,
            revision=found.revision,
            updated_at=found.updated_at,
            updated_by=found.updated_by,
        )


class HubPolicyBody(Wire):
    server_idle_timeout: int = Field(
        description="Seconds before the hub's idle culler stops an idle server; 0: no culler. "
        "Set in the hub's configuration (MLPLAT_IDLE_TIMEOUT on a cluster), not here."
    )


class SettingsList(Wire):
    settings: list[SettingBody]
    hub: HubPolicyBody

    @classmethod
    def of(cls, found: Sequence[Setting], hub: HubPolicy) -> SettingsList:
        return cls(
            settings=[SettingBody.of(s) for s in found],
            hub=HubPolicyBody(server_idle_timeout=hub.server_idle_timeout),
        )


def _json_number(value: Any) -> Any:
    if isinstance(value, bool | str):  # pydantic's lax float takes both; JSON Schema does not
        raise PydanticCustomError("float_type", "Input should be a valid number")
    return value


class SettingChange(Wire):
    value: Annotated[
        float | None,
        Field(description="The new value within the setting's bounds; null: the default."),
        BeforeValidator(_json_number),
    ]
    revision: WholeNumber = Field(ge=0, description="The revision the admin's page showed.")
