"""Health of the platform as a sum of named checks, so an operator sees which part failed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jupyterlab_mlplat.core.kernel.errors import Unavailable


@dataclass(frozen=True)
class Check:
    status: str  # "ok" | "failing"
    message: str | None = None


@dataclass(frozen=True)
class HealthReport:
    version: str
    checks: dict[str, Check] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(check.status == "ok" for check in self.checks.values())

    @property
    def status(self) -> str:
        return "ok" if self.ok else "failing"


class HealthService:
    def __init__(self, probes: dict[str, Callable[[], None]], *, version: str) -> None:
        """``probes``: name → a call that raises ``Unavailable`` when that part is down."""
        self._probes = dict(probes)
        self._version = version

    def report(self) -> HealthReport:
        checks: dict[str, Check] = {}
        for name, probe in self._probes.items():
            try:
                probe()
                checks[name] = Check("ok")
            except Unavailable as err:
                checks[name] = Check("failing", err.message)
        return HealthReport(version=self._version, checks=checks)
