"""Run schemathesis against a running API: every phase (examples, coverage, fuzzing, stateful)
and every check, with a fixed seed so a run can be repeated exactly.

The document is the committed one (``src/api/openapi/``) that the sidebar's types are generated
from and that ``tests/api`` proves equal to the routes: that is the contract clients rely on.
"""

from __future__ import annotations

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


@dataclass
class Report:
    cases: int = 0
    seconds: float = 0.0
    #: one line per distinct failure: operation, check, what it said, and a curl to reproduce it
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.cases} cases in {self.seconds:.1f} s"]
        lines += [f"FAILURE {failure}" for failure in self.failures]
        lines += [f"ERROR {error}" for error in self.errors]
        return "\n".join(lines)


def run(document: str, base_url: str, token: str, *, max_examples: int) -> Report:
    """Every operation of ``document`` called at ``base_url`` with ``token``; blocking (run it in
    a thread when the servers share the caller's event loop)."""
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": base_url,
            "headers": {"Authorization": f"token {token}"},
            "generation": {"max-examples": max_examples},
            "checks": {"enabled": True},
        }
    )
    schema = schemathesis.openapi.from_path(DOCUMENTS / document, config=config)
    report, seen = Report(), set()
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            report.cases += len(recorder.cases)
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
