"""Wire models of who is calling and whether the platform is healthy."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from jupyterlab_mlplat.core.health.service import HealthReport
from jupyterlab_mlplat.core.kernel.identity import Identity, Role

from .base import Wire


class Me(Wire):
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


class CheckBody(Wire):
    status: Literal["ok", "failing"]
    message: str | None = None


class Health(Wire):
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
