"""The model card: what a reviewer judges and the catalog shows, one field per question.

Structured after Hugging Face's model card and Google's Model Card Toolkit, so a card written
here reads like the ones people know and ``model_card.md`` (written next to a published
version's artifacts) opens on the Hugging Face Hub or any Markdown viewer as they expect.

Every field is size-limited and checked as text a person wrote: a card is shown to every
reviewer and, once published, to everyone, so it must not hide what it says (control or
bidirectional characters) nor grow without bound. The limits are in the OpenAPI documents
(``maxLength``, ``pattern``) and enforced here, with a field reason per problem, so a form shows
each beside its input. The card is Markdown as its author wrote it; it is rendered only
through JupyterLab's sanitizer, never trusted as HTML.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from jupyterlab_mlplat.core.kernel.errors import (
    FieldProblem,
    InvalidInput,
    NameInvalid,
    Param,
    declare_field_reasons,
)
from jupyterlab_mlplat.core.kernel.fields import pydantic_problem
from jupyterlab_mlplat.core.kernel.naming import (
    DNS_LABEL_MAX,
    RESERVED,
    catalog_name,
    text_problem,
)

# ---- limits: a long card is a few pages; these stop a card from becoming a data dump
#: overview and intended use: the card's main text
MAX_DESCRIPTION = 10_000
#: each of the other sections (out-of-scope use, data, limitations, risks)
MAX_SECTION = 5_000
#: one line: a contact, an owner, a license, a task, a framework
MAX_LINE = 200
MAX_TAG = 50
MAX_TAGS = 30
MAX_OWNERS = 20
MAX_METRICS = 50
#: MLflow's own limit on a metric key
MAX_METRIC_KEY = 250
MAX_METRIC_NOTE = 500

#: characters text people read may not hold (``naming.text_problem``): C0 and C1 controls and
#: DEL (tab and line ends allowed in a section), and the bidirectional controls
_CONTROLS = r"\x00-\x1f\x7f-\x9f"
_CONTROLS_LINES = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
LINE_PATTERN = f"^[^{_CONTROLS}{_BIDI}]*$"
SECTION_PATTERN = f"^[^{_CONTROLS_LINES}{_BIDI}]*$"
#: a catalog name: empty while the card is a draft, else a DNS-1123 label not reserved
CATALOG_NAME_PATTERN = (
    "^(?:(?!(?:" + "|".join(sorted(RESERVED)) + ")$)[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)?$"
)

LANGUAGES = ("en", "ru")

#: the field reasons a card's form may show, beyond the generic ones of ``core/kernel/fields.py``
CARD_FIELD_REASONS = ("catalog_name_invalid", "metric_value_not_finite")
declare_field_reasons(*CARD_FIELD_REASONS)
#: the reasons our validators raise, whose message and params are ours already
_OWN_REASONS = frozenset(
    {*CARD_FIELD_REASONS, "field_too_long", "field_too_many", "text_control", "text_bidi"}
)


def _too_long(limit: int) -> PydanticCustomError:
    return PydanticCustomError(
        "field_too_long", "too long: at most {max_length} characters", {"max_length": limit}
    )


def _too_many(limit: int) -> PydanticCustomError:
    return PydanticCustomError(
        "field_too_many", "too many entries: at most {max_length}", {"max_length": limit}
    )


def _checked_text(value: str, limit: int, *, lines: bool) -> str:
    if len(value) > limit:
        raise _too_long(limit)
    rule = text_problem(value, lines=lines)
    if rule == "bidi":
        raise PydanticCustomError(
            "text_bidi", "bidirectional control characters would make this read differently"
        )
    if rule is not None:
        raise PydanticCustomError(
            "text_control", "control characters (such as NUL) are not allowed here"
        )
    return value


def _line(limit: int) -> dict[str, Any]:
    return {"maxLength": limit, "pattern": LINE_PATTERN}


def _section(limit: int) -> dict[str, Any]:
    return {"maxLength": limit, "pattern": SECTION_PATTERN}


class CardMetric(BaseModel):
    """One metric the author picked from the run, with its value there and a note of theirs."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )

    key: str = Field(min_length=1, json_schema_extra=_line(MAX_METRIC_KEY))
    value: float | None = Field(
        default=None, description="The run's value (filled in from the run when empty)."
    )
    note: str = Field(default="", json_schema_extra=_line(MAX_METRIC_NOTE))

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        return _checked_text(value, MAX_METRIC_KEY, lines=False)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        return _checked_text(value, MAX_METRIC_NOTE, lines=False)

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise PydanticCustomError("metric_value_not_finite", "enter a finite number")
        return value


class ModelCard(BaseModel):
    """A model card as its author writes it; every field may be empty while it is a draft
    (``missing_for_submit`` says what a submission needs)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )

    catalog_name: str = Field(
        default="",
        description="The model's name in the catalog (catalog.<name> in MLflow, and its "
        "deployments' names): a DNS label — lower-case letters, digits, '-'.",
        json_schema_extra={"maxLength": DNS_LABEL_MAX, "pattern": CATALOG_NAME_PATTERN},
    )
    description: str = Field(
        default="",
        description="Overview and intended use (Markdown).",
        json_schema_extra=_section(MAX_DESCRIPTION),
    )
    out_of_scope: str = Field(
        default="", description="Out-of-scope use.", json_schema_extra=_section(MAX_SECTION)
    )
    training_data: str = Field(default="", json_schema_extra=_section(MAX_SECTION))
    evaluation_data: str = Field(default="", json_schema_extra=_section(MAX_SECTION))
    metrics: list[CardMetric] = Field(
        default_factory=list, json_schema_extra={"maxItems": MAX_METRICS}
    )
    limitations: str = Field(
        default="",
        description="Limitations and known failure modes.",
        json_schema_extra=_section(MAX_SECTION),
    )
    risks: str = Field(
        default="",
        description="Risks and ethical considerations.",
        json_schema_extra=_section(MAX_SECTION),
    )
    owners: list[str] = Field(
        default_factory=list,
        json_schema_extra={
            "maxItems": MAX_OWNERS,
            "items": {"type": "string", **_line(MAX_LINE)},
        },
    )
    contact: str = Field(default="", json_schema_extra=_line(MAX_LINE))
    license: str = Field(
        default="", description="An SPDX identifier or a short name.", json_schema_extra=_line(100)
    )
    task: str = Field(
        default="",
        description="Detected from the MLflow flavour; the author may correct it.",
        json_schema_extra=_line(MAX_LINE),
    )
    framework: str = Field(default="", json_schema_extra=_line(MAX_LINE))
    tags: list[str] = Field(
        default_factory=list,
        json_schema_extra={"maxItems": MAX_TAGS, "items": {"type": "string", **_line(MAX_TAG)}},
    )
    language: Literal["en", "ru"] = Field(
        default="en", description="The language the card is written in."
    )

    @field_validator("catalog_name")
    @classmethod
    def _catalog_name(cls, value: str) -> str:
        if len(value) > DNS_LABEL_MAX:
            raise _too_long(DNS_LABEL_MAX)
        if value:
            try:
                catalog_name(value)
            except NameInvalid as err:
                raise PydanticCustomError(
                    "catalog_name_invalid",
                    "a catalog name uses only lower-case letters, digits and '-', starts and "
                    "ends with a letter or digit, and is not a reserved word",
                    {"rule": str(err.params.get("rule", ""))},
                ) from None
        return value

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        return _checked_text(value, MAX_DESCRIPTION, lines=True)

    @field_validator("out_of_scope", "training_data", "evaluation_data", "limitations", "risks")
    @classmethod
    def _sections(cls, value: str) -> str:
        return _checked_text(value, MAX_SECTION, lines=True)

    @field_validator("contact", "task", "framework")
    @classmethod
    def _lines(cls, value: str) -> str:
        return _checked_text(value, MAX_LINE, lines=False)

    @field_validator("license")
    @classmethod
    def _license(cls, value: str) -> str:
        return _checked_text(value, 100, lines=False)

    @field_validator("metrics", "owners", "tags", mode="before")
    @classmethod
    def _counted_first(cls, value: Any, info: Any) -> Any:
        """Counted before each is validated: ten thousand tags are refused at once."""
        limit = {"metrics": MAX_METRICS, "owners": MAX_OWNERS, "tags": MAX_TAGS}[info.field_name]
        if isinstance(value, list) and len(value) > limit:
            raise _too_many(limit)
        return value

    @field_validator("owners")
    @classmethod
    def _owners(cls, value: list[str]) -> list[str]:
        return [_checked_text(owner, MAX_LINE, lines=False) for owner in value]

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return [_checked_text(tag, MAX_TAG, lines=False) for tag in value]

    def missing_for_submit(self) -> list[str]:
        """The fields a card must fill before it is sent for review: a catalog name to publish
        under and a description of what the model is for."""
        return [name for name in ("catalog_name", "description") if not getattr(self, name)]

    def search_text(self) -> str:
        """The card's words a catalog search looks through, one block of text."""
        parts = [
            self.catalog_name,
            self.description,
            self.out_of_scope,
            self.training_data,
            self.evaluation_data,
            self.limitations,
            self.risks,
            self.task,
            self.framework,
            " ".join(self.tags),
            " ".join(m.key for m in self.metrics),
        ]
        return "\n".join(p for p in parts if p)

    def to_markdown(self, *, title: str | None = None) -> str:
        """``model_card.md``: Hugging Face's layout — YAML front matter (license, language,
        tags, task, framework), then the sections under their usual headings, in the card's
        language. Text stays the author's Markdown; only table cells are escaped."""
        heads = _HEADINGS[self.language]
        meta: dict[str, Any] = {}
        if self.license:
            meta["license"] = self.license
        meta["language"] = [self.language]
        if self.tags:
            meta["tags"] = list(self.tags)
        if self.task:
            meta["task"] = self.task
        if self.framework:
            meta["framework"] = self.framework
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).strip()
        out = ["---", front, "---", "", f"# {_one_line(title or self.catalog_name or 'model')}"]

        def section(level: int, head: str, body: str) -> None:
            out.extend(["", "#" * level + " " + head, "", body.strip() or heads["none"]])

        # the description is the overview and the intended use, as one text of the author's
        section(2, heads["details"], self.description)
        details = [
            (heads["task"], self.task),
            (heads["framework"], self.framework),
            (heads["license"], self.license),
            (heads["owners"], ", ".join(self.owners)),
        ]
        listed = [f"- **{k}:** {_plain(v)}" for k, v in details if v]
        if listed:
            out.extend(["", *listed])
        out.extend(["", f"## {heads['uses']}"])
        section(3, heads["out_of_scope"], self.out_of_scope)
        out.extend(["", f"## {heads['bias']}"])
        section(3, heads["limitations"], self.limitations)
        section(3, heads["risks"], self.risks)
        out.extend(["", f"## {heads['training']}"])
        section(3, heads["training_data"], self.training_data)
        out.extend(["", f"## {heads['evaluation']}"])
        section(3, heads["evaluation_data"], self.evaluation_data)
        if self.metrics:
            out.extend(["", f"### {heads['metrics']}", ""])
            out.append(f"| {heads['metric']} | {heads['value']} | {heads['note']} |")
            out.append("|---|---|---|")
            for m in self.metrics:
                value = "" if m.value is None else f"{m.value:.6g}"
                out.append(f"| {_cell(m.key)} | {value} | {_cell(m.note)} |")
        section(2, heads["contact"], _plain(self.contact))
        return "\n".join(out) + "\n"


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _plain(value: str) -> str:
    """A fact of the card (task, license, owners) as plain text in Markdown, the marks that
    make HTML, links, emphasis or code escaped: reviewers and the catalog show these fields as
    text, so the published file must not make ``<b>`` bold or ``[x](…)`` a link out of them.
    Others (``MIT-2.0``, an address) stay as typed, for people who read the file raw."""
    return re.sub(r"([\\`*_\[\]<>&|!~])", r"\\\1", _one_line(value))


def _cell(value: str) -> str:
    """Text in a Markdown table cell: one line, and a '|' that does not end the cell."""
    return _one_line(value).replace("\\", "\\\\").replace("|", "\\|")


_HEADINGS: dict[str, dict[str, str]] = {
    "en": {
        "details": "Model details",
        "task": "Task",
        "framework": "Framework",
        "license": "License",
        "owners": "Owners",
        "uses": "Uses",
        "out_of_scope": "Out-of-scope use",
        "bias": "Bias, risks, and limitations",
        "limitations": "Limitations",
        "risks": "Risks and ethical considerations",
        "training": "Training details",
        "training_data": "Training data",
        "evaluation": "Evaluation",
        "evaluation_data": "Evaluation data",
        "metrics": "Metrics",
        "metric": "Metric",
        "value": "Value",
        "note": "Note",
        "contact": "Model card contact",
        "none": "Not stated.",
    },
    "ru": {
        "details": "О модели",  # noqa: RUF001
        "task": "Задача",
        "framework": "Фреймворк",
        "license": "Лицензия",
        "owners": "Владельцы",
        "uses": "Применение",
        "out_of_scope": "Неподходящее применение",
        "bias": "Предвзятость, риски и ограничения",
        "limitations": "Ограничения",
        "risks": "Риски и этические соображения",
        "training": "Обучение",
        "training_data": "Данные для обучения",
        "evaluation": "Оценка",
        "evaluation_data": "Данные для оценки",
        "metrics": "Метрики",
        "metric": "Метрика",
        "value": "Значение",
        "note": "Примечание",
        "contact": "Контакты",
        "none": "Не указано.",  # noqa: RUF001
    },
}


#: each field as the card editor labels it, for the English sentences of errors (the sidebar
#: translates the reason codes; a caller of the API reads these)
FIELD_LABELS: dict[str, str] = {
    "catalog_name": "Name in the catalog",
    "language": "Language of the card",
    "description": "Overview and intended use",
    "out_of_scope": "Out-of-scope use",
    "training_data": "Training data",
    "evaluation_data": "Evaluation data",
    "metrics": "Metrics",
    "limitations": "Limitations and known failure modes",
    "risks": "Risks and ethical considerations",
    "owners": "Owners",
    "contact": "Contact",
    "license": "License",
    "task": "Task",
    "framework": "Framework",
    "tags": "Tags",
}


def field_label(field: str) -> str:
    """“Name in the catalog” for ``catalog_name``; a field within a list names its row
    (“Metrics, row 2” for ``metrics.1.value``)."""
    head, _, rest = field.partition(".")
    label = FIELD_LABELS.get(head, head)
    row = rest.split(".", 1)[0]
    return f"{label}, row {int(row) + 1}" if row.isdigit() else label


def field_labels(fields: list[str]) -> str:
    """“A” and “B”, quoted, for a sentence."""
    quoted = [f"“{field_label(f)}”" for f in fields]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


class InvalidCard(InvalidInput):
    """A card with one message per wrong field (``fields``) and its reason code with params
    (``field_reasons``), so a form shows each beside its input, translated."""

    reason = "card_invalid"

    def __init__(self, fields: dict[str, str], problems: dict[str, FieldProblem]) -> None:
        first_field, first_message = next(iter(fields.items()))
        summary = f"{field_label(first_field)}: {first_message}"
        if len(fields) > 1:
            others = len(fields) - 1
            summary += f" (and {others} more field{'s' if others > 1 else ''} to correct)"
        super().__init__(
            summary,
            first_field,
            fields=fields,
            field_reasons=problems,
            params={"field": first_field, "count": len(fields)},
        )


def _scalar(value: Any) -> Param:
    return value if isinstance(value, str | int | float) else str(value)


def card_field_errors(err: ValidationError) -> tuple[dict[str, str], dict[str, FieldProblem]]:
    """pydantic's errors of a card as ``{"metrics.0.key": "message"}`` and as reason codes with
    params; the first error per field wins, pydantic's own wording never does."""
    fields: dict[str, str] = {}
    problems: dict[str, FieldProblem] = {}
    for item in err.errors():
        kind = item["type"]
        where = ".".join(str(p) for p in item["loc"]) or "card"
        if where in fields:
            continue
        if kind in _OWN_REASONS:
            params = {k: _scalar(v) for k, v in (item.get("ctx") or {}).items() if k != "error"}
            fields[where] = str(item["msg"])
            problems[where] = FieldProblem(kind, params)
        else:
            fields[where], problems[where] = pydantic_problem(kind, item.get("ctx"))
    return fields, problems


def validate_card(data: Mapping[str, Any]) -> ModelCard:
    """A card from untrusted JSON, or ``InvalidCard`` naming every wrong field."""
    try:
        return ModelCard.model_validate(data)
    except ValidationError as err:
        raise InvalidCard(*card_field_errors(err)) from None
