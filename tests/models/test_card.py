"""The model card: every field size-limited and checked as text, and model_card.md as people
expect it (Hugging Face's layout, YAML front matter that cannot be broken out of)."""

from __future__ import annotations

import pytest
import yaml

from jupyterlab_mlplat.core.models.card import (
    FIELD_LABELS,
    MAX_DESCRIPTION,
    MAX_SECTION,
    MAX_TAGS,
    InvalidCard,
    ModelCard,
    field_label,
    field_labels,
    validate_card,
)


def _problems(data: dict[str, object]) -> dict[str, tuple[str, dict[str, object]]]:
    with pytest.raises(InvalidCard) as caught:
        validate_card(data)
    assert caught.value.field_reasons is not None
    return {k: (v.reason, v.params) for k, v in caught.value.field_reasons.items()}


def test_each_text_field_has_its_limit_as_a_field_reason() -> None:
    problems = _problems(
        {
            "description": "x" * (MAX_DESCRIPTION + 1),
            "limitations": "x" * (MAX_SECTION + 1),
            "tags": ["t"] * (MAX_TAGS + 1),
            "contact": "a" * 201,
        }
    )
    assert problems["description"] == ("field_too_long", {"max_length": MAX_DESCRIPTION})
    assert problems["limitations"] == ("field_too_long", {"max_length": MAX_SECTION})
    assert problems["tags"] == ("field_too_many", {"max_length": MAX_TAGS})
    assert problems["contact"] == ("field_too_long", {"max_length": 200})


def test_text_that_hides_what_it_says_is_refused() -> None:
    problems = _problems(
        {"risks": "safe\u202eevil", "owners": ["al\x00ice"], "license": "mit\nbsd"}
    )
    assert problems["risks"][0] == "text_bidi"
    assert problems["owners"][0] == "text_control"
    assert problems["license"][0] == "text_control"  # one line: no line breaks


def test_a_catalog_name_is_a_dns_label_or_empty_while_a_draft() -> None:
    assert validate_card({}).catalog_name == ""
    assert validate_card({"catalog_name": "churn-2"}).catalog_name == "churn-2"
    for bad in ("Churn", "churn_2", "-churn", "default", "a" * 64):
        reason = _problems({"catalog_name": bad})["catalog_name"][0]
        assert reason in ("catalog_name_invalid", "field_too_long"), bad


def test_a_metric_value_is_finite_and_unknown_fields_are_refused() -> None:
    problems = _problems({"metrics": [{"key": "auc", "value": float("inf")}], "html": "<b>"})
    assert problems["metrics.0.value"][0] == "metric_value_not_finite"
    assert problems["html"][0] == "field_unknown"


def test_submit_needs_a_catalog_name_and_a_description() -> None:
    assert ModelCard().missing_for_submit() == ["catalog_name", "description"]
    assert ModelCard(catalog_name="churn", description="d").missing_for_submit() == []


def test_model_card_md_has_front_matter_that_text_cannot_break() -> None:
    card = validate_card(
        {
            "catalog_name": "churn",
            "description": "Предсказывает отток клиентов.",
            "license": "apache-2.0",
            "tags": ["tabular", "x: y\n---"[:4], "---"],
            "task": "classification",
            "framework": "scikit-learn",
            "language": "ru",
            "metrics": [{"key": "auc", "value": 0.91234567, "note": "a | b"}],
        }
    )
    text = card.to_markdown()
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta == {
        "license": "apache-2.0",
        "language": ["ru"],
        "tags": ["tabular", "x: y", "---"],
        "task": "classification",
        "framework": "scikit-learn",
    }
    assert "# churn" in body and "## О модели" in body  # noqa: RUF001
    assert "| auc | 0.912346 | a \\| b |" in body  # a '|' does not end the cell


def test_model_card_md_writes_the_facts_as_text_as_reviewers_and_the_catalog_show_them() -> None:
    card = validate_card(
        {
            "catalog_name": "churn",
            "license": "<b>MIT</b>-2.0",
            "owners": ["[alice](javascript:alert(1))", "bob_smith"],
            "contact": "<i>ml-team</i> at city.example",
            "language": "en",
        }
    )
    body = card.to_markdown().split("---\n", 2)[2]
    assert "- **License:** \\<b\\>MIT\\</b\\>-2.0" in body
    assert "- **Owners:** \\[alice\\](javascript:alert(1)), bob\\_smith" in body
    assert "\\<i\\>ml-team\\</i\\> at city.example" in body


def test_an_error_names_fields_as_the_editor_labels_them_not_by_their_keys() -> None:
    """The sidebar shows the server's English sentence in English: a key like
    ``catalog_name`` is no word of the form a person filled in."""
    with pytest.raises(InvalidCard) as caught:
        validate_card({"catalog_name": "Churn", "metrics": [{"key": "auc", "value": 1e999}]})
    message = caught.value.message
    assert message.startswith("Name in the catalog: "), message
    assert message.endswith("(and 1 more field to correct)"), message
    assert "catalog_name" not in message
    assert field_label("metrics.1.value") == "Metrics, row 2"
    assert field_labels(["catalog_name", "description"]) == (
        "“Name in the catalog” and “Overview and intended use”"
    )
    assert set(FIELD_LABELS) == set(ModelCard.model_fields)
