"""A person's server reads the platform's answers with the error classes it has imported, and
it imports only the features it calls itself. Every reason the platform may answer with must
still come out as its own class (the sidebar translates it, and some offer an action with it:
reload a profile changed meanwhile), and every field reason must be kept."""

from __future__ import annotations

import json
import subprocess
import sys

from jupyterlab_mlplat.api.errors import STATUS_FOR_ERROR, all_reasons, status_for
from jupyterlab_mlplat.core.kernel import errors as kernel

#: run in a fresh interpreter that has imported what a person's server imports at start
_READ_IN_A_PERSONS_SERVER = """
import json, sys
import jupyterlab_mlplat_server.app  # noqa: F401  what the user server loads
from jupyterlab_mlplat.api.errors import FieldReason, error_for
from jupyterlab_mlplat.client.transport import _problems

asked = json.loads(sys.stdin.read())
wrong = [
    [reason, type(error).__name__, error.reason]
    for reason, status in asked["reasons"]
    if (error := error_for(status, "m", reason)).reason != reason
]
kept = _problems({r: FieldReason(reason=r) for r in asked["field_reasons"]}) or {}
print(json.dumps({"wrong": wrong, "dropped": sorted(set(asked["field_reasons"]) - set(kept))}))
"""


def test_every_reason_reaches_a_persons_server_as_itself() -> None:
    reasons = []
    for reason in all_reasons():
        declared = kernel.error_class(reason)
        if declared is None or declared in STATUS_FOR_ERROR:  # the generic ones: nothing to lose
            continue
        reasons.append([reason, status_for(declared.__new__(declared))])
    assert len(reasons) > 50  # every feature's, not only the generic ones
    asked = {"reasons": reasons, "field_reasons": kernel.field_reasons()}

    answer = subprocess.run(
        [sys.executable, "-c", _READ_IN_A_PERSONS_SERVER],
        input=json.dumps(asked),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(answer.stdout)
    assert found["wrong"] == []
    assert found["dropped"] == []
