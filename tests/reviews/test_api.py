"""The reviews routes of the platform API behind the embedded hub, with each person's real hub
token: who is refused what, and how a refusal reads."""

from __future__ import annotations

import uuid
import warnings

import mlflow
import pytest

with warnings.catch_warnings():  # mlflow.pyfunc warns about its own type hints on import
    warnings.simplefilter("ignore")
    import mlflow.pyfunc

from tests.publishing import NAMED_REQUIREMENTS, Platform
from tests.workbench import Hub

pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")]


class Doubler(mlflow.pyfunc.PythonModel):  # type: ignore[misc]
    def predict(self, context: object, model_input: list[float]) -> list[float]:
        return [2 * x for x in model_input]


@pytest.fixture(scope="module")
def in_review(embedded_hub: Hub) -> dict[str, object]:
    """A publication of a version alice registered, submitted for review."""
    token = embedded_hub.token(
        embedded_hub.login("alice"), "alice", ["access:services!service=mlflow"]
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MLFLOW_TRACKING_TOKEN", token)
        mlflow.set_tracking_uri(f"{embedded_hub.url}/services/mlflow")
        name = f"api-{uuid.uuid4().hex[:6]}"
        mlflow.set_experiment(f"alice/{name}")
        with mlflow.start_run():
            info = mlflow.pyfunc.log_model(
                name="model", python_model=Doubler(), pip_requirements=NAMED_REQUIREMENTS
            )
        mlflow.register_model(f"models:/{info.model_id}", name)
        mlflow.set_tracking_uri("")
    alice = Platform(embedded_hub, "alice")
    card = {"catalog_name": name, "description": "Doubles numbers."}
    draft = alice.call(
        "POST", "publications", {"model_name": name, "version": "1", "card": card}, 201
    )
    path = f"publications/{draft['id']}/submit"
    return alice.call("POST", path, {"revision": draft["revision"]})  # type: ignore[no-any-return]


def test_ivan_without_the_review_scope_is_refused(
    embedded_hub: Hub, in_review: dict[str, object]
) -> None:
    ivan = Platform(embedded_hub, "ivan")
    pid, revision = in_review["id"], in_review["revision"]
    refused = ivan.call(
        "POST",
        f"publications/{pid}/decisions",
        {"revision": revision, "action": "approve", "comment": ""},
        403,
    )
    assert (refused["reason"], refused["params"]) == ("role_required", {"role": "reviewer"})
    assert ivan.call("GET", "publications/queue", expect=403)["reason"] == "role_required"
    assert ivan.call("GET", f"publications/{pid}", expect=404)["reason"] == "publication_not_found"


def test_the_author_cannot_decide_and_an_unknown_transition_names_the_allowed(
    embedded_hub: Hub, in_review: dict[str, object]
) -> None:
    alice = Platform(embedded_hub, "alice")  # her own work: the review role is checked first
    pid, revision = in_review["id"], in_review["revision"]
    own = alice.call(
        "POST",
        f"publications/{pid}/decisions",
        {"revision": revision, "action": "approve", "comment": "mine"},
        403,
    )
    assert own["reason"] == "role_required"
    wrong = alice.call("POST", f"publications/{pid}/publish", {"revision": revision}, 409)
    assert wrong["reason"] == "transition_not_allowed"
    assert wrong["params"]["allowed"] == "withdraw, approve, request_changes, reject"
    assert alice.call("GET", "publications/x1", expect=400)["reason"] == "publication_id_invalid"


def test_rita_sees_the_submission_in_her_queue_and_notifications(
    embedded_hub: Hub, in_review: dict[str, object]
) -> None:
    rita = Platform(embedded_hub, "rita", reviewer=True)
    queue = rita.call("GET", "publications/queue")
    assert in_review["id"] in [p["id"] for p in queue["publications"]]
    assert queue["count"] == len(queue["publications"])
    notes = rita.call("GET", "notifications?after=0")["notifications"]
    assert any(n["publication_id"] == in_review["id"] and n["kind"] == "submitted" for n in notes)
    page = rita.call("GET", f"publications/{in_review['id']}")
    assert set(page["allowed"]) == {"approve", "request_changes", "reject"}
