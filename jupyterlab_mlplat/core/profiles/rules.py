"""Workspace profiles: what a user may start, validated once at the boundary into typed objects.

A profile is written for Kubernetes (KubeSpawner) and honoured as far as a local process can in
the embedded workbench; the same objects drive both.

New input (an admin's edit, the shipped YAML) is validated with ``INPUT`` as the context, which
adds the bounds of every field: sane maxima for quantities and counts, no control or
bidirectional characters in text, no environment variable that would change how the server's
programs load. A profile read back from the store is validated without them, so a profile saved
by an older release stays readable (and editable) after an upgrade; what a server gets from it is
filtered again in ``resources.py``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from jupyterlab_mlplat.core.kernel.errors import (
    FieldProblem,
    InvalidInput,
    Param,
    declare_field_reasons,
)
from jupyterlab_mlplat.core.kernel.fields import pydantic_problem
from jupyterlab_mlplat.core.kernel.naming import DNS_LABEL_MAX, RESERVED, dns_label, text_problem

_CPU = re.compile(r"^([0-9]+(\.[0-9]+)?|[0-9]+m)$")
_MEMORY = re.compile(r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$")
#: an image reference (the documents state it, the validator matches it in full)
IMAGE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/:@-]*$"
_IMAGE = re.compile(IMAGE_PATTERN)
GPU_RESOURCE_PATTERN = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
_EXTENDED_RESOURCE = re.compile(GPU_RESOURCE_PATTERN)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
LABEL_KEY_PATTERN = (
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_KEY = re.compile(LABEL_KEY_PATTERN)
LABEL_VALUE_PATTERN = r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$"
_LABEL_VALUE = re.compile(LABEL_VALUE_PATTERN)
TOLERATION_OPERATORS = ("Equal", "Exists")
TOLERATION_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")

#: the validation context of new input, which adds the bounds below
INPUT: dict[str, Any] = {"mlplat_input": True}

# ---- bounds of new input: far above any machine or team this product serves, far below what
# overflows a database column, a Kubernetes quantity or a spawn page
MAX_CPU_CORES = 1024
#: 64 TiB, the memory of the largest machines sold
MAX_MEMORY = 64 * 2**40
#: the longest quantity text read as a number ("1024", "500m", "64Ti" are short): longer is not
#: converted at all
MAX_QUANTITY_TEXT = 64
#: GPUs of one server: the most one node holds is 16
MAX_GPUS = 64
MAX_ORDER = 1_000_000
#: servers or GPUs in a quota
MAX_QUOTA = 100_000
MAX_TOLERATIONS = 50
MAX_NODE_LABELS = 50
MAX_ENVIRONMENT = 100
#: characters of one environment value (a URL, a path list, a short JSON)
MAX_ENV_VALUE = 4096
MAX_ENV_NAME = 128
MAX_GROUPS = 200
MAX_GROUP_NAME = 255
MAX_DESCRIPTION = 2000
#: Docker's own limit on a reference, with room for a digest
MAX_IMAGE = 512
#: an extended resource name: a DNS subdomain, "/", a name of 63
MAX_RESOURCE_NAME = 253 + 1 + 63

#: environment variable names new input may use: capitals, digits, '_' (the convention, and
#: all Kubernetes and every shell take), plus the lower-case proxy variables curl and wget read
_ENV_NAME_INPUT = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_LOWER_CASE_ENV = frozenset({"http_proxy", "https_proxy", "no_proxy", "all_proxy", "ftp_proxy"})
#: variables a profile may not set, because each changes what code a server's programs load or
#: run (the dynamic loader, the interpreters, the shells, git, which sees the person's GitLab
#: token) or who and where the server is (what the spawner sets: the hub's, the platform's and
#: MLflow's variables, the account's home and search path). An admin chooses the image; these
#: would let one edit reach into every program of every server, the spawner's helpers included.
RESERVED_ENV = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "ENV",
        "BASH_ENV",
        "SHELLOPTS",
        "BASHOPTS",
        "PS4",
        "PROMPT_COMMAND",
        "IFS",
        "GCONV_PATH",
        "LOCPATH",
        "HOSTALIASES",
        "RESOLV_HOST_CONF",
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONSTARTUP",
        "PYTHONUSERBASE",
        "PYTHONPYCACHEPREFIX",
        "PYTHONBREAKPOINT",
        "PYTHONEXECUTABLE",
        "PYTHONPLATLIBDIR",
        "PYTHONINSPECT",
        "NODE_OPTIONS",
        "NODE_PATH",
        "PERL5OPT",
        "PERL5LIB",
        "PERLLIB",
        "RUBYOPT",
        "RUBYLIB",
        "JAVA_TOOL_OPTIONS",
        "_JAVA_OPTIONS",
        "JDK_JAVA_OPTIONS",
        "R_PROFILE",
        "R_PROFILE_USER",
        "R_ENVIRON",
        "R_ENVIRON_USER",
    }
)
#: the same, by prefix: the loader's LD_*, bash's exported functions, git's GIT_*, and what the
#: spawner sets (JUPYTER*, JUPYTERHUB_*, MLPLAT_*, MLflow's tracking identity)
RESERVED_ENV_PREFIXES = (
    "LD_",
    "BASH_FUNC_",
    "GIT_",
    "JUPYTER",
    "MLPLAT_",
    "MLFLOW_TRACKING_",
)


#: what the documents say of the bounds (the validators below decide)
_AT_MOST_QUOTA: dict[str, Any] = {"maximum": MAX_QUOTA}


# ---- the rules of new input as JSON-schema patterns, for the documents: each states exactly
# what a validator below checks (tests/profiles/test_patterns.py holds them to it), so a client
# (or a fuzzer) that follows the document is never refused for a rule it could not read
def _below_integer(bound: int) -> str:
    """A pattern of the digit strings (leading zeros allowed) whose value is below ``bound``."""
    digits = str(bound)
    shorter = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same = [
        digits[:at] + f"[{1 if at == 0 else 0}-{int(d) - 1}]" + f"[0-9]{{{len(digits) - at - 1}}}"
        for at, d in enumerate(digits)
        if int(d) - 1 >= (1 if at == 0 else 0)
    ]
    return "(?:0+|0*(?:" + "|".join(shorter + same) + "))" if shorter + same else "(?:0+)"


def _below_decimal(bound: Decimal) -> str:
    """A pattern of the decimals ``123`` or ``123.45`` whose value is below ``bound`` (> 0)."""
    whole = int(bound)
    fraction = format(bound - whole, "f").partition(".")[2].rstrip("0")
    options = [_below_integer(whole) + r"(?:\.[0-9]+)?"] if whole > 0 else []
    if fraction:
        smaller = [
            fraction[:at] + f"[0-{int(d) - 1}][0-9]*" for at, d in enumerate(fraction) if int(d) > 0
        ] + [fraction[:at] for at in range(1, len(fraction))]
        options.append(f"0*{whole}" + r"(?:\.(?:" + "|".join(smaller) + "))?")
    return "(?:" + "|".join(options) + ")"


def _at_most_decimal(bound: int) -> str:
    return "(?:" + _below_decimal(Decimal(bound)) + f"|0*{bound}" + r"(?:\.0+)?)"


#: a CPU quantity of at most MAX_CPU_CORES, in cores or millicores
CPU_PATTERN = (
    "^(?:"
    + _at_most_decimal(MAX_CPU_CORES)
    + "|(?:"
    + _below_integer(MAX_CPU_CORES * 1000)
    + f"|0*{MAX_CPU_CORES * 1000})m)$"
)
#: a memory quantity of at most MAX_MEMORY bytes (as ``memory_bytes`` counts: whole bytes)
MEMORY_PATTERN = (
    "^(?:"
    + "|".join(
        _below_decimal(Decimal(MAX_MEMORY + 1) / unit) + suffix
        for suffix, unit in (
            ("", 1),
            ("K", 10**3),
            ("M", 10**6),
            ("G", 10**9),
            ("T", 10**12),
            ("Ki", 2**10),
            ("Mi", 2**20),
            ("Gi", 2**30),
            ("Ti", 2**40),
        )
    )
    + ")$"
)
#: characters text people read may not hold (``naming.text_problem``): C0 and C1 controls and
#: DEL (tab and line ends allowed in text of several lines), and the bidirectional controls
_CONTROLS = r"\x00-\x1f\x7f-\x9f"
_CONTROLS_LINES = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
PLAIN_TEXT_PATTERN = f"^[^{_CONTROLS}{_BIDI}]*$"
DESCRIPTION_PATTERN = f"^[^{_CONTROLS_LINES}{_BIDI}]*$"
ENV_VALUE_PATTERN = f"^[^{_CONTROLS_LINES}]*$"
#: a variable name new input may use: ``_ENV_NAME_INPUT`` or a lower-case proxy variable, and
#: none of ``RESERVED_ENV`` / ``RESERVED_ENV_PREFIXES`` (the validator checks the same lists)
ENV_NAME_PATTERN = (
    "^(?!(?:"
    + "|".join(sorted(RESERVED_ENV))
    + ")$)(?!(?:"
    + "|".join(RESERVED_ENV_PREFIXES)
    + "))(?:[A-Z_][A-Z0-9_]*|"
    + "|".join(sorted(_LOWER_CASE_ENV))
    + ")$"
)
#: a slug: a DNS-1123 label that is not a reserved name (``naming.dns_label``)
SLUG_PATTERN = "^(?!(?:" + "|".join(sorted(RESERVED)) + ")$)[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$"


def _quantity(pattern: str) -> dict[str, Any]:
    return {"maxLength": MAX_QUANTITY_TEXT, "pattern": pattern}


def reserved_environment(name: str) -> bool:
    """Whether a profile may not set the variable ``name`` (see ``RESERVED_ENV``)."""
    upper = name.upper()
    return upper in RESERVED_ENV or upper.startswith(RESERVED_ENV_PREFIXES)


def _checked(info: ValidationInfo) -> bool:
    """Whether the bounds of new input apply (``INPUT`` is the context)."""
    return bool(info.context and info.context.get("mlplat_input"))


def _json_integer(value: Any, info: ValidationInfo) -> Any:
    """A number as JSON has it, as the document says: not a text ("2") and not true/false
    (which Python counts as 1 and 0); a whole float such as 2.0 is JSON's integer 2."""
    if _checked(info) and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise PydanticCustomError("int_type", "a whole number like 0, 1 or 2")
    return value


def _too_large(limit: int) -> PydanticCustomError:
    return PydanticCustomError("field_too_large", "at most {le}", {"le": limit})


def _too_many(limit: int) -> PydanticCustomError:
    return PydanticCustomError(
        "field_too_many", "at most {max_length} entries", {"max_length": limit}
    )


def _plain_text(value: str, *, lines: bool = False) -> None:
    """Refuse text with control or bidirectional characters (see ``naming.text_problem``)."""
    rule = text_problem(value, lines=lines)
    if rule == "bidi":
        raise PydanticCustomError(
            "text_bidi", "bidirectional control characters would make this read differently"
        )
    if rule is not None:
        raise PydanticCustomError(
            "text_control", "control characters (such as NUL) are not allowed here"
        )


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
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )

    key: str = Field(
        min_length=1,
        json_schema_extra={"maxLength": MAX_RESOURCE_NAME, "pattern": LABEL_KEY_PATTERN},
    )
    operator: str = Field(default="Equal", json_schema_extra={"enum": [*TOLERATION_OPERATORS]})
    value: str | None = Field(
        default=None,
        description="None (or empty) with the operator Exists.",
        json_schema_extra={"maxLength": 63, "pattern": LABEL_VALUE_PATTERN},
    )
    effect: str | None = Field(
        default=None, json_schema_extra={"enum": [*TOLERATION_EFFECTS, None]}
    )

    @field_validator("key", mode="before")
    @classmethod
    def _key(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise PydanticCustomError(
                "toleration_key_missing", "a toleration needs the key of the taint it tolerates"
            )
        return value

    @field_validator("key")
    @classmethod
    def _key_syntax(cls, value: str, info: ValidationInfo) -> str:
        if _checked(info) and not _LABEL_KEY.fullmatch(value):
            raise PydanticCustomError(
                "toleration_key",
                "'{value}' is not a taint key (like nvidia.com/gpu: a name of at most 63 "
                "letters, digits, '-', '_' or '.', after an optional DNS prefix and '/')",
                {"value": value[:100]},
            )
        return value

    @field_validator("value")
    @classmethod
    def _value_syntax(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not _checked(info) or value is None:
            return value
        if not _LABEL_VALUE.fullmatch(value):
            raise PydanticCustomError(
                "toleration_value",
                "'{value}' is not a taint value (at most 63 letters, digits, '-', '_' or '.')",
                {"value": value[:100]},
            )
        if value and info.data.get("operator") == "Exists":
            raise PydanticCustomError(
                "toleration_exists_value",
                "with the operator Exists a toleration has no value (Kubernetes refuses one)",
            )
        return value

    @field_validator("operator")
    @classmethod
    def _operator(cls, value: str) -> str:
        if value not in TOLERATION_OPERATORS:
            raise PydanticCustomError(
                "toleration_operator",
                "operator is one of {choices}",
                {"choices": ", ".join(TOLERATION_OPERATORS)},
            )
        return value

    @field_validator("effect")
    @classmethod
    def _effect(cls, value: str | None) -> str | None:
        if value is not None and value not in TOLERATION_EFFECTS:
            raise PydanticCustomError(
                "toleration_effect",
                "effect is one of {choices} or empty",
                {"choices": ", ".join(TOLERATION_EFFECTS)},
            )
        return value


class Quota(BaseModel):
    """Limits checked when a server of this profile starts; ``None`` means no limit.

    Counts cover every running server of the person (or of the members of a group), whatever its
    profile, so "1 GPU per user" holds across profiles. Group limits apply to each of the
    starter's groups the profile is open to (all their groups when it is open to everyone).
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )

    servers_per_user: int | None = Field(default=None, ge=1, json_schema_extra=_AT_MOST_QUOTA)
    gpus_per_user: int | None = Field(default=None, ge=0, json_schema_extra=_AT_MOST_QUOTA)
    servers_per_group: int | None = Field(default=None, ge=1, json_schema_extra=_AT_MOST_QUOTA)
    gpus_per_group: int | None = Field(default=None, ge=0, json_schema_extra=_AT_MOST_QUOTA)

    @field_validator("*", mode="before")
    @classmethod
    def _whole(cls, value: Any, info: ValidationInfo) -> Any:
        return None if value is None else _json_integer(value, info)

    @field_validator("*")
    @classmethod
    def _bounded(cls, value: int | None, info: ValidationInfo) -> int | None:
        if _checked(info) and value is not None and value > MAX_QUOTA:
            raise _too_large(MAX_QUOTA)
        return value


class Profile(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )

    slug: str = Field(
        description="A DNS label (lower-case letters, digits, '-'), not a reserved name.",
        json_schema_extra={"minLength": 1, "maxLength": DNS_LABEL_MAX, "pattern": SLUG_PATTERN},
    )
    display_name: str = Field(
        min_length=1, max_length=100, json_schema_extra={"pattern": PLAIN_TEXT_PATTERN}
    )
    description: str = Field(
        default="",
        json_schema_extra={"maxLength": MAX_DESCRIPTION, "pattern": DESCRIPTION_PATTERN},
    )
    default: bool = False
    image: str = Field(
        json_schema_extra={"minLength": 1, "maxLength": MAX_IMAGE, "pattern": IMAGE_PATTERN}
    )
    cpu_guarantee: str = Field(
        default="0.5",
        description="Cores (2, 0.5) or millicores (500m), at most 1024 cores; at most the limit.",
        json_schema_extra=_quantity(CPU_PATTERN),
    )
    cpu_limit: str = Field(default="1", json_schema_extra=_quantity(CPU_PATTERN))
    mem_guarantee: str = Field(
        default="1Gi",
        description="Bytes with an optional unit (512Mi, 4Gi, 1G), at most 64Ti; at most the "
        "limit.",
        json_schema_extra=_quantity(MEMORY_PATTERN),
    )
    mem_limit: str = Field(default="2Gi", json_schema_extra=_quantity(MEMORY_PATTERN))
    gpu: int = Field(default=0, ge=0, json_schema_extra={"maximum": MAX_GPUS})
    gpu_resource: str = Field(
        default="nvidia.com/gpu",
        json_schema_extra={"maxLength": MAX_RESOURCE_NAME, "pattern": GPU_RESOURCE_PATTERN},
    )
    node_selector: dict[str, str] = Field(
        default_factory=dict,
        json_schema_extra={
            "maxProperties": MAX_NODE_LABELS,
            "propertyNames": {"pattern": LABEL_KEY_PATTERN},
            "additionalProperties": {"type": "string", "pattern": LABEL_VALUE_PATTERN},
        },
    )
    tolerations: list[Toleration] = Field(
        default_factory=list, json_schema_extra={"maxItems": MAX_TOLERATIONS}
    )
    environment: dict[str, str] = Field(
        default_factory=dict,
        description="Capitals, digits and '_' (and the lower-case proxy variables); the "
        "loader's, the interpreters', the shells' and git's variables and those the platform "
        "sets (PATH, HOME, LD_*, PYTHONPATH, JUPYTER*, MLPLAT_*, ...) are refused.",
        json_schema_extra={
            "maxProperties": MAX_ENVIRONMENT,
            "propertyNames": {"pattern": ENV_NAME_PATTERN, "maxLength": MAX_ENV_NAME},
            "additionalProperties": {
                "type": "string",
                "maxLength": MAX_ENV_VALUE,
                "pattern": ENV_VALUE_PATTERN,
            },
        },
    )
    allowed_groups: list[str] = Field(
        default_factory=list,
        json_schema_extra={
            "maxItems": MAX_GROUPS,
            "items": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_GROUP_NAME,
                "pattern": PLAIN_TEXT_PATTERN,
            },
        },
    )
    quota: Quota = Field(default_factory=Quota)
    #: position on the spawn page, smallest first (ties keep the slug order)
    order: int = Field(default=0, json_schema_extra={"minimum": -MAX_ORDER, "maximum": MAX_ORDER})

    @field_validator("gpu", mode="before")
    @classmethod
    def _whole_gpus(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, float) and not value.is_integer():
            raise PydanticCustomError(
                "gpu_not_whole", "a GPU is not divisible: use a whole number like 0, 1 or 2"
            )
        if isinstance(value, bool) or (_checked(info) and not isinstance(value, int | float)):
            raise PydanticCustomError("gpu_not_whole", "GPU count is a whole number like 0, 1 or 2")
        return value

    @field_validator("order", mode="before")
    @classmethod
    def _whole_order(cls, value: Any, info: ValidationInfo) -> Any:
        return _json_integer(value, info)

    @field_validator("default", mode="before")
    @classmethod
    def _json_boolean(cls, value: Any, info: ValidationInfo) -> Any:
        """true or false as JSON has them: not 1, "yes" or "on", as the document says."""
        if _checked(info) and not isinstance(value, bool):
            raise PydanticCustomError("bool_type", "true or false")
        return value

    @field_validator("gpu")
    @classmethod
    def _gpu_bounded(cls, value: int, info: ValidationInfo) -> int:
        if _checked(info) and value > MAX_GPUS:
            raise _too_large(MAX_GPUS)
        return value

    @field_validator("order")
    @classmethod
    def _order_bounded(cls, value: int, info: ValidationInfo) -> int:
        if _checked(info) and value > MAX_ORDER:
            raise _too_large(MAX_ORDER)
        if _checked(info) and value < -MAX_ORDER:
            raise PydanticCustomError("field_too_small", "at least {ge}", {"ge": -MAX_ORDER})
        return value

    @field_validator("display_name")
    @classmethod
    def _display_name(cls, value: str, info: ValidationInfo) -> str:
        if _checked(info):
            _plain_text(value)
        return value

    @field_validator("description")
    @classmethod
    def _description(cls, value: str, info: ValidationInfo) -> str:
        if _checked(info):
            if len(value) > MAX_DESCRIPTION:
                raise PydanticCustomError(
                    "field_too_long",
                    "at most {max_length} characters",
                    {"max_length": MAX_DESCRIPTION},
                )
            _plain_text(value, lines=True)
        return value

    @field_validator("allowed_groups")
    @classmethod
    def _groups(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if not _checked(info):
            return value
        if len(value) > MAX_GROUPS:
            raise _too_many(MAX_GROUPS)
        for group in value:
            if not group or len(group) > MAX_GROUP_NAME:
                raise PydanticCustomError(
                    "field_too_long",
                    "a group name has 1 to {max_length} characters",
                    {"max_length": MAX_GROUP_NAME},
                )
            _plain_text(group)
        return value

    @field_validator("tolerations")
    @classmethod
    def _tolerations(cls, value: list[Toleration], info: ValidationInfo) -> list[Toleration]:
        if _checked(info) and len(value) > MAX_TOLERATIONS:
            raise _too_many(MAX_TOLERATIONS)
        return value

    @field_validator("tolerations", mode="before")
    @classmethod
    def _tolerations_counted_first(cls, value: Any, info: ValidationInfo) -> Any:
        """Counted before each is validated: ten thousand tolerations are refused at once."""
        if _checked(info) and isinstance(value, list) and len(value) > MAX_TOLERATIONS:
            raise _too_many(MAX_TOLERATIONS)
        return value

    @field_validator("gpu_resource")
    @classmethod
    def _gpu_resource(cls, value: str) -> str:
        if len(value) > MAX_RESOURCE_NAME or not _EXTENDED_RESOURCE.fullmatch(value):
            raise PydanticCustomError(
                "gpu_resource_name",
                "'{value}' is not an extended resource name like nvidia.com/gpu or amd.com/gpu",
                {"value": value[:100]},
            )
        return value

    @field_validator("environment", mode="before")
    @classmethod
    def _environment_counted_first(cls, value: Any, info: ValidationInfo) -> Any:
        if _checked(info) and isinstance(value, dict) and len(value) > MAX_ENVIRONMENT:
            raise _too_many(MAX_ENVIRONMENT)
        return value

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        checked = _checked(info)
        for name, text in value.items():
            shown = name[:100]
            if checked and (
                len(name) > MAX_ENV_NAME
                or not (_ENV_NAME_INPUT.fullmatch(name) or name in _LOWER_CASE_ENV)
            ):
                raise PydanticCustomError(
                    "env_name",
                    "'{value}' is not an environment variable name (capital letters, digits "
                    "and '_', not starting with a digit)",
                    {"value": shown},
                )
            if not _ENV_NAME.fullmatch(name):
                raise PydanticCustomError(
                    "env_name",
                    "'{value}' is not an environment variable name (capital letters, digits "
                    "and '_', not starting with a digit)",
                    {"value": shown},
                )
            if checked and reserved_environment(name):
                raise PydanticCustomError(
                    "env_reserved",
                    "{value} is set by the platform or changes how programs load; a profile "
                    "may not set it",
                    {"value": shown},
                )
            if checked and len(text) > MAX_ENV_VALUE:
                raise PydanticCustomError(
                    "env_value_too_long",
                    "the value of {value} is longer than {limit} characters",
                    {"value": shown, "limit": MAX_ENV_VALUE},
                )
            if checked and text_problem(text, lines=True, bidi=True) is not None:
                raise PydanticCustomError(
                    "env_value_control",
                    "the value of {value} holds control characters (such as NUL)",
                    {"value": shown},
                )
        return value

    @field_validator("node_selector")
    @classmethod
    def _node_selector(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        if _checked(info) and len(value) > MAX_NODE_LABELS:
            raise _too_many(MAX_NODE_LABELS)
        for key, label in value.items():
            if not _LABEL_KEY.fullmatch(key) or not _LABEL_VALUE.fullmatch(label):
                raise PydanticCustomError(
                    "node_label",
                    "{value} is not a node label (keys like mlplat/accelerator, values "
                    "of at most 63 letters, digits, '-', '_' or '.')",
                    {"value": f"{key}={label}"[:200]},
                )
        return value

    @model_validator(mode="after")
    def _guarantee_within_limit(self) -> Profile:
        for reason, rule in PAIR_RULES.items():
            if rule.broken(getattr(self, rule.first), getattr(self, rule.second)):
                raise PydanticCustomError(reason, rule.message)
        return self

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        try:
            return dns_label(value, field="slug")
        except InvalidInput as err:  # as pydantic's error, so the other fields are checked too
            raise PydanticCustomError("slug_invalid", err.message, {"value": value}) from None

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        if len(value) > MAX_IMAGE or not _IMAGE.fullmatch(value):
            raise PydanticCustomError(
                "image_reference",
                "an image reference has no spaces, e.g. quay.io/jupyter/scipy:2026",
            )
        return value

    @field_validator("cpu_guarantee", "cpu_limit", mode="before")
    @classmethod
    def _cpu(cls, value: Any, info: ValidationInfo) -> str:
        if _checked(info) and not isinstance(value, str):  # as documented: text, like "500m"
            raise PydanticCustomError(
                "cpu_quantity",
                "'{value}' is not a CPU quantity like 2, 0.5 or 500m",
                {"value": str(value)[:100]},
            )
        text = str(value)
        if (_checked(info) and len(text) > MAX_QUANTITY_TEXT) or not _CPU.fullmatch(text):
            raise PydanticCustomError(
                "cpu_quantity",
                "'{value}' is not a CPU quantity like 2, 0.5 or 500m",
                {"value": text[:100]},
            )
        if _checked(info) and cpu_cores(text) > MAX_CPU_CORES:
            raise PydanticCustomError(
                "cpu_too_large",
                "'{value}' is more than {limit} CPU cores",
                {"value": text, "limit": MAX_CPU_CORES},
            )
        return text

    @field_validator("mem_guarantee", "mem_limit")
    @classmethod
    def _memory(cls, value: str, info: ValidationInfo) -> str:
        if (_checked(info) and len(value) > MAX_QUANTITY_TEXT) or not _MEMORY.fullmatch(value):
            raise PydanticCustomError(
                "memory_quantity",
                "'{value}' is not a memory quantity like 4Gi or 512Mi",
                {"value": value[:100]},
            )
        if _checked(info) and memory_bytes(value) > MAX_MEMORY:
            raise PydanticCustomError(
                "memory_too_large",
                "'{value}' is more than {limit} of memory",
                {"value": value, "limit": "64Ti"},
            )
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


#: the checks of this module that are ours, by the reason code they raise
PROFILE_FIELD_REASONS = (
    "toleration_key_missing",
    "toleration_operator",
    "toleration_effect",
    "gpu_not_whole",
    "gpu_resource_name",
    "env_name",
    "node_label",
    "cpu_guarantee_above_limit",
    "memory_guarantee_above_limit",
    "slug_invalid",
    "image_reference",
    "cpu_quantity",
    "memory_quantity",
    "unknown_groups",
    "slug_fixed",
    "field_too_large",
    "field_too_many",
    "field_too_long",
    "field_too_small",
    "text_control",
    "text_bidi",
    "toleration_key",
    "toleration_value",
    "toleration_exists_value",
    "env_reserved",
    "env_value_too_long",
    "env_value_control",
    "cpu_too_large",
    "memory_too_large",
)
declare_field_reasons(*PROFILE_FIELD_REASONS)


class InvalidProfile(InvalidInput):
    """A profile with one message per wrong field, so a form can show each next to its input;
    each also as a reason code with params, so the form can show it translated."""

    reason = "profile_invalid"

    def __init__(
        self,
        fields: dict[str, str],
        problems: dict[str, FieldProblem] | None = None,
        *,
        index: int | None = None,
    ) -> None:
        first_field, first_message = next(iter(fields.items()))
        prefix = f"profile #{index + 1}, " if index is not None else ""
        summary = f"{prefix}field {first_field}: {first_message}"
        # a rule relating two fields is told at both, yet is one thing to fix
        count = len({id(p) for p in problems.values()}) if problems else len(fields)
        if count > 1:
            summary += f" (and {count - 1} more)"
        super().__init__(
            summary,
            first_field,
            fields=fields,
            field_reasons=problems,
            params={"field": first_field, "count": count},
        )


def _scalar(value: Any) -> Param:
    return value if isinstance(value, str | int | float) else str(value)


@dataclass(frozen=True)
class PairRule:
    """A rule relating two fields, each valid on its own: broken when ``broken(first,
    second)``."""

    first: str
    second: str
    broken: Callable[[str, str], bool]
    message: str


#: the rules that relate two fields, by reason
PAIR_RULES: dict[str, PairRule] = {
    "cpu_guarantee_above_limit": PairRule(
        "cpu_guarantee",
        "cpu_limit",
        lambda guarantee, limit: cpu_cores(guarantee) > cpu_cores(limit),
        "the CPU guarantee is above the CPU limit",
    ),
    "memory_guarantee_above_limit": PairRule(
        "mem_guarantee",
        "mem_limit",
        lambda guarantee, limit: memory_bytes(guarantee) > memory_bytes(limit),
        "the memory guarantee is above the memory limit",
    ),
}

#: the rules that relate two fields (raised for the whole profile), by the fields they are about:
#: the problem is told at each (``params.fields`` lists them all), so a form shows it beside both,
#: whichever of the two the editor changed
CROSS_FIELD_REASONS: dict[str, tuple[str, ...]] = {
    reason: (rule.first, rule.second) for reason, rule in PAIR_RULES.items()
}


def _broken_pairs(
    data: Mapping[str, Any], fields: dict[str, str], problems: dict[str, FieldProblem]
) -> None:
    """Add the rules relating two fields that both passed their own checks, when another field
    failed. pydantic checks those rules only once every field is valid, so a form that also had
    a wrong name would hear of a guarantee above its limit only after the name was put right;
    an editor typing wants to hear of both at once."""
    for reason, rule in PAIR_RULES.items():
        pair = (rule.first, rule.second)
        if any(path in fields for path in pair):
            continue
        values = [data.get(name, Profile.model_fields[name].default) for name in pair]
        if not all(isinstance(value, str) for value in values) or not rule.broken(*values):
            continue
        problem = FieldProblem(reason, {"fields": ",".join(pair)})
        for path in pair:
            fields[path] = rule.message
            problems[path] = problem


def field_errors(err: ValidationError) -> tuple[dict[str, str], dict[str, FieldProblem]]:
    """pydantic's errors as ``{"tolerations.0.key": "message"}`` and as reason codes with
    params; the first error per field wins. Our own checks keep their message; pydantic's
    generic ones get ours (``core/kernel/fields.py``), never pydantic's wording."""
    fields: dict[str, str] = {}
    problems: dict[str, FieldProblem] = {}
    for item in err.errors():
        kind = item["type"]
        where = ".".join(str(p) for p in item["loc"])
        paths = (where,) if where else CROSS_FIELD_REASONS.get(kind, ("profile",))
        if kind in PROFILE_FIELD_REASONS:
            message = str(item["msg"]).removeprefix("Value error, ")
            params = {k: _scalar(v) for k, v in (item.get("ctx") or {}).items() if k != "error"}
            if len(paths) > 1:  # one problem of several fields: each names them all
                params["fields"] = ",".join(paths)
            problem = FieldProblem(kind, params)
        else:
            message, problem = pydantic_problem(kind, item.get("ctx"))
            if kind == "extra_forbidden":
                message = "this field is not part of a profile"
        for path in paths:
            if path not in fields:
                fields[path] = message
                problems[path] = problem
    return fields, problems


def validate_profile(data: Mapping[str, Any]) -> Profile:
    """One profile from untrusted JSON, or ``InvalidProfile`` naming every wrong field."""
    try:
        return Profile.model_validate(data, context=INPUT)
    except ValidationError as err:
        fields, problems = field_errors(err)
        if "profile" not in fields:  # a body that is no profile at all has no pairs to compare
            _broken_pairs(data, fields, problems)
        raise InvalidProfile(fields, problems) from None


def _first_error(err: ValidationError, index: int) -> InvalidInput:
    return InvalidProfile(*field_errors(err), index=index)


def parse_profiles(document: Mapping[str, Any]) -> list[Profile]:
    """Validate a profiles document (``{"profiles": [...]}``) into profiles, default first."""
    raw = document.get("profiles")
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("the profiles document needs a non-empty 'profiles' list", "profiles")
    profiles: list[Profile] = []
    for index, item in enumerate(raw):
        try:
            profiles.append(Profile.model_validate(item, context=INPUT))
        except ValidationError as err:
            raise _first_error(err, index) from None
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
