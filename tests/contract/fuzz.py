"""Run schemathesis against a running API: every phase (examples, coverage, fuzzing, stateful)
and every check, with a fixed seed so a run can be repeated exactly.

The document is the committed one (``src/api/openapi/``) that the sidebar's types are generated
from and that ``tests/api`` proves equal to the routes: that is the contract clients rely on.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.engine import events, from_schema

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ROOT / "src" / "api" / "openapi"

#: the same cases on every run: a failure seen once is seen again on the next run
SEED = 20261203

#: The operations that take a profile's fields. The document states every rule of one field
#: (patterns, lengths, bounds, enums); what it cannot state are the rules relating two fields,
#: so data valid by the document may still break one of these and be refused with a 400:
#: - ``cpu_guarantee_above_limit``: cpu_guarantee ≤ cpu_limit (two quantities, compared)
#: - ``memory_guarantee_above_limit``: mem_guarantee ≤ mem_limit (likewise)
#: - ``toleration_exists_value``: a toleration with the operator Exists has no value
#: - ``slug_fixed`` (PUT only): a slug in the body equals the path's (a schema cannot refer to
#:   a path parameter; the body may omit it)
#: For these operations only, positive_data_acceptance takes a 400, and the check below holds
#: such a 400 to naming nothing but those rules: any other reason fails the run.
PROFILE_BODIES = ("postProfiles", "putProfile", "postProfilePreview")
CROSS_FIELD_REASONS = {
    operation_id: frozenset(
        {"cpu_guarantee_above_limit", "memory_guarantee_above_limit", "toleration_exists_value"}
        | ({"slug_fixed"} if operation_id == "putProfile" else set())
    )
    for operation_id in PROFILE_BODIES
}
#: API keys: what no document can state of a new key. Its expiry must lie ahead of the moment
#: it is made (a document knows no "now"), a person holds a limited number of active keys (the
#: fuzzer makes many), a deployment name may be reserved (``default``) or somebody else's, and
#: a platform may allow a lower rate limit or a shorter rotation overlap than the document's;
#: and a key must be allowed something, deployments or the catalog (a rule of two fields).
KEY_BODIES = {
    "postApiKeys": frozenset(
        {
            "key_without_scope",
            "key_expiry_invalid",
            "key_limit_reached",
            "name_invalid",
            "key_deployment_not_yours",
            "key_rate_limit_invalid",
        }
    ),
    "postRotate": frozenset({"key_overlap_too_long"}),
}
#: A traffic chart's range: what no document can state of two instants and a step (since before
#: until, since within the retention counted back from now, at most MAX_POINTS steps).
RANGE_QUERIES = {"getTrafficSeries": frozenset({"traffic_range_invalid"})}
#: Instructions: a slug may be a reserved word (``new``, ``api``), which no pattern states; an
#: article's content has rules relating fields or other articles (a title in at least one
#: language, an audience of groups that names one, the next article exists, a position no other
#: article holds, known groups and profiles, product actions of a closed list inside Markdown,
#: all texts together within the platform's limit), a search text no control characters, a
#: task must be one of the article's, and an uploaded image or notebook must be one.
_SLUG = frozenset({"name_invalid"})
_CONTENT = _SLUG | {
    "article_invalid",
    "article_too_long",
    "unknown_product_action",
    "next_article_unknown",
    "position_taken",
    "audience_unknown",
    "text_invalid",
}
INSTRUCTIONS = {
    "getArticles": frozenset({"text_invalid"}),
    "postArticles": _CONTENT,
    "putArticle": _CONTENT,
    "putArticleProgress": _SLUG | {"task_unknown"},
    "postArticleImages": _SLUG | {"image_invalid"},
    "putArticleNotebook": _SLUG | {"notebook_invalid"},
    **{
        operation_id: _SLUG
        for operation_id in (
            "getArticle",
            "deleteArticle",
            "getArticleSource",
            "postArticlePublish",
            "postArticleUnpublish",
            "getArticleRevisions",
            "getArticleRevision",
            "getArticleImage",
            "getArticleNotebook",
            "deleteArticleNotebook",
            "postArticleNotebookOpen",
        )
    },
}
#: The admin console: two instants the document states one by one (from after until is a 400
#: naming from), and a setting's value, a number by the document whose bounds are the key's.
for _operation_id, _reasons in (
    ("getAudit", {"audit_range_invalid"}),
    ("getAuditExport", {"audit_range_invalid"}),
    ("putSetting", {"setting_out_of_range"}),
):
    RANGE_QUERIES[_operation_id] = frozenset(_reasons)
#: Analytics: two days the document states one by one (to before from, or more than a year
#: between them, is a 400 naming the field).
for _operation_id in ("getAnalyticsUsage", "getAnalyticsIdle", "getAnalyticsTeams"):
    RANGE_QUERIES[_operation_id] = frozenset({"period_invalid"})
#: schemathesis' default for positive_data_acceptance, and a 400 for the operations above
_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


@schemathesis.check
def refused_only_for_a_cross_field_rule(ctx: Any, response: Any, case: Any) -> bool | None:
    """A profile valid by the document is refused only for a rule relating two fields, and
    the answer names each such rule at a field."""
    operation_id = case.operation.definition.raw.get("operationId")
    meta = case.meta
    if operation_id not in (*PROFILE_BODIES, *KEY_BODIES, *RANGE_QUERIES, *INSTRUCTIONS):
        return None
    if meta is None:
        return None
    if response.status_code != 400 or not meta.generation.mode.is_positive:
        return None
    body = response.json()
    if operation_id in RANGE_QUERIES:
        if body.get("reason") not in RANGE_QUERIES[operation_id]:
            raise AssertionError(f"a range valid by the document was refused: {body}")
        return None
    if operation_id in INSTRUCTIONS:
        if body.get("reason") not in INSTRUCTIONS[operation_id]:
            raise AssertionError(f"an article's request valid by the document was refused: {body}")
        return None
    if operation_id in KEY_BODIES:
        if body.get("reason") not in KEY_BODIES[operation_id]:
            raise AssertionError(f"a key valid by the document was refused: {body}")
        return None
    reasons = {problem["reason"] for problem in (body.get("field_reasons") or {}).values()}
    allowed = CROSS_FIELD_REASONS[operation_id]
    if not reasons or not reasons <= allowed:
        raise AssertionError(
            "a profile valid by the document was refused for a rule of one field: "
            f"{sorted(reasons - allowed) or body}"
        )
    return None


@dataclass
class Report:
    cases: int = 0
    seconds: float = 0.0
    #: one line per distinct failure: operation, check, what it said, and a curl to reproduce it
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: phase → (cases, seconds): where a run's time went, to size ``max_examples`` by
    phases: dict[str, list[float]] = field(default_factory=dict)

    def __str__(self) -> str:
        spent = ", ".join(f"{p} {int(n)} in {t:.1f} s" for p, (n, t) in self.phases.items())
        lines = [f"{self.cases} cases in {self.seconds:.1f} s ({spent})"]
        lines += [f"FAILURE {failure}" for failure in self.failures]
        lines += [f"ERROR {error}" for error in self.errors]
        return "\n".join(lines)


#: every phase: the document's examples, the coverage of each schema's edges (boundaries,
#: missing and wrong-typed fields), random fuzzing, and stateful sequences following links
EVERY_PHASE = ("examples", "coverage", "fuzzing", "stateful")


def forwarded_operations(document: str, to: str, prefix: str = "/api/v1") -> frozenset[str]:
    """The operation ids of ``document`` that ``to`` also has (its path under ``prefix``) with
    the same parameters and body: the sidebar's forwards of the platform's operations, whose
    inputs both servers read with the same code (``jupyterlab_mlplat.api``)."""

    def operations(name: str, strip: str = "") -> dict[tuple[str, str], dict[str, Any]]:
        spec = json.loads((DOCUMENTS / name).read_text())
        return {
            (method, path.removeprefix(strip)): operation
            for path, item in spec["paths"].items()
            for method, operation in item.items()
            if method in ("get", "post", "put", "patch", "delete")
        }

    ours, theirs = operations(document), operations(to, prefix)
    inputs = ("parameters", "requestBody")
    return frozenset(
        operation["operationId"]
        for key, operation in ours.items()
        if key in theirs and all(operation.get(i) == theirs[key].get(i) for i in inputs)
    )


def run(
    document: str,
    base_url: str,
    token: str,
    *,
    max_examples: int,
    phases: tuple[str, ...] = EVERY_PHASE,
    edges_elsewhere: frozenset[str] = frozenset(),
) -> Report:
    """Every operation of ``document`` called at ``base_url`` with ``token``; blocking (run it in
    a thread when the servers share the caller's event loop). The operations in
    ``edges_elsewhere`` skip the coverage phase: another run walks the same inputs' edges."""
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "phases": {phase: {"enabled": phase in phases} for phase in EVERY_PHASE},
            # generation's speed depends on the machine's load, not on the document: a loaded CI
            # machine once made a rich body's generation "too slow" for hypothesis
            "suppress-health-check": ["too_slow"],
            "base-url": base_url,
            # a request that never answers ends as a failure naming it, instead of holding the
            # fuzzer's thread (and so the session, whose loop shuts down by joining it) forever
            "request-timeout": 60,
            "headers": {"Authorization": f"token {token}"},
            "generation": {"max-examples": max_examples},
            "checks": {"enabled": True},
            "operations": [
                {
                    "include-operation-id": operation_id,
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": [*_ACCEPTED, "400"]}
                    },
                }
                for operation_id in (*PROFILE_BODIES, *KEY_BODIES, *RANGE_QUERIES, *INSTRUCTIONS)
            ]
            + (
                [
                    {
                        "include-operation-id": sorted(edges_elsewhere),
                        "phases": {"coverage": {"enabled": False}},
                    }
                ]
                if edges_elsewhere
                else []
            ),
        }
    )
    schema = schemathesis.openapi.from_path(DOCUMENTS / document, config=config)
    report, seen = Report(), set()
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            report.cases += len(recorder.cases)
            phase = report.phases.setdefault(
                str(getattr(event.phase, "value", event.phase)), [0, 0]
            )
            phase[0] += len(recorder.cases)
            phase[1] += event.elapsed_time
            for case_id, nodes in recorder.checks.items():
                for node in nodes:
                    info = node.failure_info
                    if info is None:
                        continue
                    key = (recorder.label, node.name, info.failure.title)
                    if key not in seen:
                        seen.add(key)
                        report.failures.append(
                            f"{recorder.label} [{node.name}] {info.failure.title}: "
                            f"{info.failure.message.strip()[:600]}\n    {info.code_sample}"
                            f"\n    → {_answer(recorder, case_id)}"
                        )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            said = getattr(event, "value", None) or getattr(event, "exception", event)
            report.errors.append(f"{getattr(event, 'label', '')}: {said!r}"[:600])
    report.seconds = time.monotonic() - started
    return report


def _answer(recorder: Any, case_id: str) -> str:
    interaction = recorder.interactions.get(case_id)
    response = interaction.response if interaction is not None else None
    if response is None:
        return "no answer"
    return f"{response.status_code} {response.content[:300].decode('utf-8', 'replace')}"
