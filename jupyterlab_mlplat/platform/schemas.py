"""Wire types of the public API: one pydantic model per body.

The OpenAPI document's schemas are generated from these models and ``client.py`` parses responses
with them, so the server, the document and the client cannot drift apart silently.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jupyterlab_mlplat.core.health import HealthReport
from jupyterlab_mlplat.core.identity import Identity, Role


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorBody(_Wire):
    message: str = Field(description="What went wrong, written for the person who can fix it.")
    reason: str = Field(description="Stable machine-readable reason, e.g. `not_found`.")
    request_id: str | None = Field(
        default=None, description="Quote it to an administrator to find the log lines."
    )


class Me(_Wire):
    name: str = Field(examples=["alice"])
    groups: list[str] = Field(examples=[["data-scientists"]])
    roles: list[Role] = Field(examples=[["data_scientist"]])
    mode: Literal["hub", "standalone"]

    @classmethod
    def of(cls, identity: Identity) -> Me:
        return cls(
            name=identity.name,
            groups=sorted(identity.groups),
            roles=list(identity.roles),
            mode="standalone" if identity.mode == "standalone" else "hub",
        )


class CheckBody(_Wire):
    status: Literal["ok", "failing"]
    message: str | None = None


class Health(_Wire):
    status: Literal["ok", "failing"]
    version: str
    checks: dict[str, CheckBody]

    @classmethod
    def of(cls, report: HealthReport) -> Health:
        return cls(
            status="ok" if report.ok else "failing",
            version=report.version,
            checks={
                name: CheckBody(
                    status="ok" if check.status == "ok" else "failing", message=check.message
                )
                for name, check in report.checks.items()
            },
        )
