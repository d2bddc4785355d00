"""Workspace profiles: what a user may start, validated once at the boundary into typed objects.

A profile is written for Kubernetes (KubeSpawner) and honoured as far as a local process can in
the embedded workbench; the same objects drive both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import InvalidInput
from .naming import dns_label

_CPU = re.compile(r"^(\d+(\.\d+)?|\d+m)$")
_MEMORY = re.compile(r"^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$")
_IMAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$")


def cpu_cores(quantity: str) -> Decimal:
    """Kubernetes CPU quantity ("500m", "2", "1.5") in cores."""
    if quantity.endswith("m"):
        return Decimal(quantity[:-1]) / 1000
    return Decimal(quantity)


_MEMORY_UNITS = {
    "": 1,
    "K": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}


def memory_bytes(quantity: str) -> int:
    match = re.match(r"^(\d+(?:\.\d+)?)([A-Za-z]*)$", quantity)
    if not match or match.group(2) not in _MEMORY_UNITS:
        raise InvalidInput(f"{quantity!r} is not a memory quantity like 4Gi or 512Mi", "memory")
    return int(Decimal(match.group(1)) * _MEMORY_UNITS[match.group(2)])


class Toleration(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1)
    operator: str = "Equal"
    value: str | None = None
    effect: str | None = None


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str
    display_name: str = Field(min_length=1, max_length=100)
    description: str = ""
    default: bool = False
    image: str
    cpu_guarantee: str = "0.5"
    cpu_limit: str = "1"
    mem_guarantee: str = "1Gi"
    mem_limit: str = "2Gi"
    gpu: int = Field(default=0, ge=0)
    gpu_resource: str = "nvidia.com/gpu"
    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: list[Toleration] = Field(default_factory=list)
    environment: dict[str, str] = Field(default_factory=dict)
    allowed_groups: list[str] = Field(default_factory=list)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        return dns_label(value, field="slug")

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        if not _IMAGE.match(value):
            raise ValueError("an image reference has no spaces, e.g. quay.io/jupyter/scipy:2026")
        return value

    @field_validator("cpu_guarantee", "cpu_limit", mode="before")
    @classmethod
    def _cpu(cls, value: Any) -> str:
        text = str(value)
        if not _CPU.match(text):
            raise ValueError(f"{text!r} is not a CPU quantity like 2, 0.5 or 500m")
        return text

    @field_validator("mem_guarantee", "mem_limit")
    @classmethod
    def _memory(cls, value: str) -> str:
        if not _MEMORY.match(value):
            raise ValueError(f"{value!r} is not a memory quantity like 4Gi or 512Mi")
        return value

    def allows(self, groups: Sequence[str]) -> bool:
        """A profile without allowed groups is open to everyone who may log in."""
        return not self.allowed_groups or bool(set(self.allowed_groups) & set(groups))

    @property
    def summary(self) -> str:
        parts = [f"{self.cpu_limit} CPU", f"{self.mem_limit} memory"]
        if self.gpu:
            parts.append(f"{self.gpu} GPU")
        return ", ".join(parts)


def _first_error(err: ValidationError, index: int) -> InvalidInput:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    return InvalidInput(f"profile #{index + 1}, field {where}: {message}", where)


def parse_profiles(document: Mapping[str, Any]) -> list[Profile]:
    """Validate a profiles document (``{"profiles": [...]}``) into profiles, default first."""
    raw = document.get("profiles")
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("the profiles document needs a non-empty 'profiles' list", "profiles")
    profiles: list[Profile] = []
    for index, item in enumerate(raw):
        try:
            profiles.append(Profile.model_validate(item))
        except ValidationError as err:
            raise _first_error(err, index) from None
        except InvalidInput as err:
            raise InvalidInput(f"profile #{index + 1}: {err.message}", err.field) from None
    slugs = [p.slug for p in profiles]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise InvalidInput(f"profile slugs must be unique; repeated: {duplicates}", "slug")
    if sum(p.default for p in profiles) > 1:
        raise InvalidInput("at most one profile may be the default", "default")
    return profiles


def default_profile(profiles: Sequence[Profile]) -> Profile:
    return next((p for p in profiles if p.default), profiles[0])
