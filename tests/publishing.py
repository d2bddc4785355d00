"""Publish a model through a running workbench the way people do, for the catalog's tests;
register a model's versions through the MLflow gateway as a person, for the deployments'.

The author trains and registers a model in a kernel of their own server (so the model is
logged and registered through the MLflow gateway as the person, with their own libraries),
then starts a publication with a card and submits it through the platform API; a reviewer
approves it, which publishes it into the catalog (``catalog.<name>``, alias ``champion``).
Nothing is written behind the platform's back: what the catalog then shows came through
the same routes the sidebar calls."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.workbench import Hub, run_in_kernel

#: what a test's logged model names as its requirements, so that MLflow does not infer them:
#: inferring loads the model again in a subprocess, 2-6 s a model here and more on a loaded CI
#: machine, and no test reads them (a model's own flavour may add its library, e.g. sklearn)
NAMED_REQUIREMENTS = ["cloudpickle"]


def register_versions(
    hub: Hub, user: str, name: str, versions: int = 1, *, token: str | None = None
) -> None:
    """``versions`` versions of a small classifier in ``user``'s registered model ``name``,
    logged and registered through the MLflow gateway as ``user`` (with ``token``, or one the
    hub makes after a login), in either flavour of the hub."""
    import warnings

    import mlflow

    with warnings.catch_warnings():  # mlflow's flavours warn about their own type hints
        warnings.simplefilter("ignore")
        import mlflow.sklearn
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    if token is None:
        token = hub.token(hub.login(user), user, ["access:services!service=mlflow"])
    x, y = load_iris(return_X_y=True, as_frame=True)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MLFLOW_TRACKING_TOKEN", token)
        mlflow.set_tracking_uri(f"{hub.url}/services/mlflow")
        try:
            mlflow.set_experiment(f"{user}/{name}")
            for c in range(versions):
                with mlflow.start_run():
                    model = LogisticRegression(C=1.0 + c, max_iter=300).fit(x, y)
                    mlflow.sklearn.log_model(
                        model,
                        name="model",
                        registered_model_name=name,
                        input_example=x.head(2),
                        pip_requirements=["scikit-learn"],  # see NAMED_REQUIREMENTS
                    )
        finally:
            mlflow.set_tracking_uri("")


PLATFORM_SCOPES = ["access:services!service=mlplat", "read:users:groups!user"]
REVIEW_SCOPE = "custom:mlplat:review"
SERVER_SCOPES = ["access:servers!user={user}", "servers!user={user}", "read:users!user={user}"]

#: trains a tiny classifier and registers it in the person's own registered model; prints the
#: registered version as ``VERSION=<n>``
TRAIN = """
import mlflow
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True, as_frame=True)
clf = LogisticRegression(max_iter=300).fit(X, y)
mlflow.set_experiment({experiment!r})
with mlflow.start_run():
    mlflow.log_metric("accuracy", float(clf.score(X, y)))
    info = mlflow.sklearn.log_model(
        clf, name="model", registered_model_name={model!r}, input_example=X.head(2)
    )
print("VERSION=" + str(info.registered_model_version))
"""


def server_token(hub: Hub, user: str) -> str:
    """Start ``user``'s server (if it is not running) and a token that may use it."""
    scopes = [s.format(user=user) for s in SERVER_SCOPES]
    token = hub.token(hub.login(user), user, scopes)
    headers = {"Authorization": f"token {token}"}
    started = requests.post(
        f"{hub.url}/hub/api/users/{user}/server", json={}, headers=headers, timeout=30
    )
    assert started.status_code in (201, 202, 400), started.text  # 400: already running
    for _ in range(480):
        model = requests.get(f"{hub.url}/hub/api/users/{user}", headers=headers, timeout=10)
        if model.json().get("servers", {}).get("", {}).get("ready"):
            return token
        time.sleep(0.5)
    raise AssertionError(f"{user}'s server did not start:\n{hub.log.read_text()[-3000:]}")


class Kernel:
    """One kernel of a person's server, run as JupyterLab runs a notebook's cells."""

    def __init__(self, hub: Hub, user: str, token: str) -> None:
        self.base = f"{hub.url}/user/{user}/api/kernels"
        self.headers = {"Authorization": f"token {token}"}
        self.user = user
        answer = requests.post(
            self.base, json={"name": "python3"}, headers=self.headers, timeout=120
        )
        assert answer.status_code == 201, answer.text
        self.id = answer.json()["id"]

    def run(self, code: str) -> str:
        """The cell's stdout; an error in the cell fails the test with its traceback."""
        url = self.base.replace("http", "ws", 1) + f"/{self.id}/channels"
        # in a thread of its own: a browser test's thread already runs Playwright's event loop
        with ThreadPoolExecutor(1) as thread:
            return thread.submit(
                asyncio.run, run_in_kernel(url, self.headers, code, user=self.user)
            ).result()

    def close(self) -> None:
        requests.delete(f"{self.base}/{self.id}", headers=self.headers, timeout=30)


def register_in_kernel(kernel: Kernel, model: str, experiment: str) -> str:
    """Train and register a version of ``model`` as the kernel's person; the version."""
    out = kernel.run(TRAIN.format(model=model, experiment=experiment))
    return next(line[8:] for line in out.splitlines() if line.startswith("VERSION="))


class Platform:
    """The platform API as one person calls it, with a hub token of theirs."""

    def __init__(self, hub: Hub, user: str, *, reviewer: bool = False) -> None:
        scopes = [*PLATFORM_SCOPES, *([REVIEW_SCOPE] if reviewer else [])]
        self.url = f"{hub.url}/services/mlplat/api/v1"
        self.headers = {"Authorization": f"token {hub.token(hub.login(user), user, scopes)}"}

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        answer = requests.request(
            method, f"{self.url}/{path}", json=body, headers=self.headers, timeout=120
        )
        assert answer.status_code == expect, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json()


def publish(
    hub: Hub,
    *,
    author: str,
    reviewer: str,
    model: str,
    version: str,
    card: dict[str, Any],
) -> dict[str, Any]:
    """Draft, submit and approve a publication of ``model`` version ``version`` with ``card``;
    the publication as the platform answers once it is published."""
    mine = Platform(hub, author)
    theirs = Platform(hub, reviewer, reviewer=True)
    draft = mine.call(
        "POST", "publications", {"model_name": model, "version": version, "card": card}, 201
    )
    submitted = mine.call(
        "POST", f"publications/{draft['id']}/submit", {"revision": draft["revision"]}
    )
    decided = theirs.call(
        "POST",
        f"publications/{draft['id']}/decisions",
        {"revision": submitted["revision"], "action": "approve", "comment": "Looks right."},
    )
    assert decided["state"] == "published", json.dumps(decided, indent=1)
    return decided  # type: ignore[no-any-return]
