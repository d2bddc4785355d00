"""A workspace profile as the platform keeps it: the profile, its revision and who saved it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .rules import Profile


@dataclass(frozen=True)
class StoredProfile:
    profile: Profile
    revision: int
    updated_at: datetime
    updated_by: str
