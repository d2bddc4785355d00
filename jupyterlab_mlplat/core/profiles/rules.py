"""Workspace profiles: what a user may start, validated once at the boundary into typed objects.

A profile is written for Kubernetes (KubeSpawner) and honoured as far as a local process can in
the embedded workbench; the same objects drive both.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from jupyterlab_mlplat.core.kernel.errors import InvalidInput
from jupyterlab_mlplat.core.kernel.naming import dns_label

_CPU = re.compile(r"^(\d+(\.\d+)?|\d+m)$")
_MEMORY = re.compile(r"^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$")
_IMAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$")
_EXTENDED_RESOURCE = re.compile(
    r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
_TOLERATION_OPERATORS = ("Equal", "Exists")
_TOLERATION_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


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

    @field_validator("key", mode="before")
    @classmethod
    def _key(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError("a toleration needs the key of the taint it tolerates")
        return value

    @field_validator("operator")
    @classmethod
    def _operator(cls, value: str) -> str:
        if value not in _TOLERATION_OPERATORS:
            raise ValueError(f"operator is one of {', '.join(_TOLERATION_OPERATORS)}")
        return value

    @field_validator("effect")
    @classmethod
    def _effect(cls, value: str | None) -> str | None:
        if value is not None and value not in _TOLERATION_EFFECTS:
            raise ValueError(f"effect is one of {', '.join(_TOLERATION_EFFECTS)} or empty")
        return value


class Quota(BaseModel):
    """Limits checked when a server of this profile starts; ``None`` means no limit.

    Counts cover every running server of the person (or of the members of a group), whatever its
    profile, so "1 GPU per user" holds across profiles. Group limits apply to each of the
    starter's groups the profile is open to (all their groups when it is open to everyone).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    servers_per_user: int | None = Field(default=None, ge=1)
    gpus_per_user: int | None = Field(default=None, ge=0)
    servers_per_group: int | None = Field(default=None, ge=1)
    gpus_per_group: int | None = Field(default=None, ge=0)


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
    quota: Quota = Field(default_factory=Quota)
    #: position on the spawn page, smallest first (ties keep the slug order)
    order: int = 0

    @field_validator("gpu", mode="before")
    @classmethod
    def _whole_gpus(cls, value: Any) -> Any:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError("a GPU is not divisible: use a whole number like 0, 1 or 2")
        if isinstance(value, bool):
            raise ValueError("GPU count is a whole number like 0, 1 or 2")
        return value

    @field_validator("gpu_resource")
    @classmethod
    def _gpu_resource(cls, value: str) -> str:
        if not _EXTENDED_RESOURCE.match(value):
            raise ValueError(
                f"{value!r} is not an extended resource name like nvidia.com/gpu or amd.com/gpu"
            )
        return value

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _ENV_NAME.match(name):
                raise ValueError(
                    f"{name!r} is not an environment variable name (letters, digits, '_')"
                )
        return value

    @field_validator("node_selector")
    @classmethod
    def _node_selector(cls, value: dict[str, str]) -> dict[str, str]:
        for key, label in value.items():
            if not _LABEL_KEY.match(key) or not _LABEL_VALUE.match(label):
                raise ValueError(
                    f"{key}={label} is not a node label (keys like mlplat/accelerator, values "
                    "of at most 63 letters, digits, '-', '_' or '.')"
                )
        return value

    @model_validator(mode="after")
    def _guarantee_within_limit(self) -> Profile:
        if cpu_cores(self.cpu_guarantee) > cpu_cores(self.cpu_limit):
            raise PydanticCustomError(
                "guarantee_above_limit", "the CPU guarantee is above the CPU limit"
            )
        if memory_bytes(self.mem_guarantee) > memory_bytes(self.mem_limit):
            raise PydanticCustomError(
                "guarantee_above_limit", "the memory guarantee is above the memory limit"
            )
        return self

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        try:
            return dns_label(value, field="slug")
        except InvalidInput as err:  # as pydantic's error, so the other fields are checked too
            raise ValueError(err.message) from None

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


class InvalidProfile(InvalidInput):
    """A profile with one message per wrong field, so a form can show each next to its input."""

    def __init__(self, fields: dict[str, str], *, prefix: str = "") -> None:
        first_field, first_message = next(iter(fields.items()))
        summary = f"{prefix}field {first_field}: {first_message}"
        if len(fields) > 1:
            summary += f" (and {len(fields) - 1} more)"
        super().__init__(summary, first_field, fields=fields)


def field_errors(err: ValidationError) -> dict[str, str]:
    """pydantic's errors as ``{"tolerations.0.key": "message"}``; the first per field wins."""
    fields: dict[str, str] = {}
    for item in err.errors():
        where = ".".join(str(p) for p in item["loc"]) or "profile"
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "this field is required"
        elif item["type"] == "extra_forbidden":
            message = "this field is not part of a profile"
        fields.setdefault(where, message)
    return fields


def validate_profile(data: Mapping[str, Any]) -> Profile:
    """One profile from untrusted JSON, or ``InvalidProfile`` naming every wrong field."""
    try:
        return Profile.model_validate(data)
    except ValidationError as err:
        raise InvalidProfile(field_errors(err)) from None
    except InvalidInput as err:  # dns_label raises ours with the field name
        raise InvalidProfile({err.field or "profile": err.message}) from None


def _first_error(err: ValidationError, index: int) -> InvalidInput:
    return InvalidProfile(field_errors(err), prefix=f"profile #{index + 1}, ")


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
    return sorted(profiles, key=lambda p: (p.order, p.slug))


def default_profile(profiles: Sequence[Profile]) -> Profile:
    return next((p for p in profiles if p.default), profiles[0])


def load_profiles_file(path: str | os.PathLike[str]) -> list[Profile]:
    """The shipped profiles (hub_config/profiles.yaml): the seed, and the hub's fallback."""
    with open(path, encoding="utf-8") as fh:
        return parse_profiles(yaml.safe_load(fh) or {})
