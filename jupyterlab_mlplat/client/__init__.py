"""Typed async client of the platform API, one module of calls per feature over one transport.

Used by the server extension (and the hub's spawners); the wire models are the ``api`` package's,
the same the platform writes, so the two cannot drift apart silently.
"""

from __future__ import annotations

from .analytics import AnalyticsCalls
from .apikeys import ApiKeyCalls
from .audit import AuditCalls
from .catalog import CatalogCalls
from .deployments import DeploymentCalls
from .drift import DriftCalls
from .experiments import ExperimentCalls
from .gitlab import GitLabCalls
from .instructions import InstructionCalls
from .meta import MetaCalls
from .people import PeopleCalls
from .profiles import ProfileCalls
from .reviews import ReviewCalls
from .settings import SettingsCalls
from .traffic import TrafficCalls

__all__ = ["PlatformClient"]


class PlatformClient(
    MetaCalls,
    ProfileCalls,
    GitLabCalls,
    ExperimentCalls,
    ReviewCalls,
    InstructionCalls,
    CatalogCalls,
    DeploymentCalls,
    ApiKeyCalls,
    DriftCalls,
    AuditCalls,
    SettingsCalls,
    PeopleCalls,
    TrafficCalls,
    AnalyticsCalls,
):
    """Every call of the platform API, for one token."""
