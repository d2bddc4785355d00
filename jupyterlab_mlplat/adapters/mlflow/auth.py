"""MLflow's ``authorization_function`` for the workbench: trust the identity the gateway asserts.

MLflow's auth app (``mlflow server --app-name basic-auth``) enforces who may read and change which
experiment and run; we keep that engine and replace only how it learns the caller. The gateway
(``jupyterlab_mlplat.gateways.mlflow``) authenticates the JupyterHub user and forwards the
request with the user's name and a secret shared only between the gateway and the MLflow server,
so nobody types an MLflow password and no password reaches a browser or a user's files.

This module is imported by the MLflow server process (``authorization_function`` in the auth
config), never by the platform.
"""

from __future__ import annotations

import hmac
import os
import secrets

from flask import Response, g, has_request_context, make_response, request
from werkzeug.datastructures import Authorization

from jupyterlab_mlplat.api.mlflow import SECRET_ENV, SECRET_HEADER, USER_HEADER
from jupyterlab_mlplat.core.experiments.records import TAG_PRIVATE
from jupyterlab_mlplat.core.experiments.rules import hidden_from, one_user_name


def _refuse() -> Response:
    response = make_response(
        {
            "error_code": "PERMISSION_DENIED",
            "message": "Reach MLflow through the workbench (/services/mlflow/) while signed in.",
        },
        401,
    )
    return response


#: where one request keeps the caller it was found to be (Flask's per-request ``g``)
_CALLER = "mlplat_gateway_caller"


def authenticate_from_gateway() -> Authorization | Response:
    """The caller the gateway vouched for, found once per request.

    MLflow's auth app asks its ``authorization_function`` again for every check it makes (six
    times for a run search: the request, the admin test, each filter of the answer), and each
    time this function looked the user up in the auth database: a third of the CPU MLflow spent
    on a search (bench/sidebar_load.py). The answer cannot change within a request, so it is
    kept on the request's own context, never beyond it."""
    found = g.get(_CALLER) if has_request_context() else None
    if found is not None:
        return found  # type: ignore[no-any-return]
    answer = _authenticate()
    if isinstance(answer, Authorization) and has_request_context():
        setattr(g, _CALLER, answer)
    return answer


def _authenticate() -> Authorization | Response:
    expected = os.environ.get(SECRET_ENV, "")
    presented = request.headers.get(SECRET_HEADER, "")
    username = request.headers.get(USER_HEADER, "")
    if not expected or not username or not hmac.compare_digest(presented, expected):
        return _refuse()
    if not one_user_name(username):
        # two values joined by the server (a header sent twice, or spelled with '_'): whoever
        # sent the second one is not who the gateway vouched for
        return _refuse()
    from mlflow.exceptions import MlflowException
    from mlflow.server.auth import auth_config, store  # the auth app's own configuration

    if username == auth_config.admin_username:
        # MLflow's admin skips every permission check; no hub account may ever become it
        return _refuse()

    if not store.has_user(username):
        # Provisioned on first sight; the random password is never used (nor kept) because
        # this function, not a password, authenticates every request.
        try:
            store.create_user(username, secrets.token_urlsafe(32))
        except MlflowException:
            if not store.has_user(username):  # not a concurrent first request: a real failure
                raise
        else:
            _deny_private_experiments(username)
    return Authorization("basic", {"username": username, "password": ""})


def _deny_private_experiments(username: str) -> None:
    """A newcomer must not read what owners made private before they arrived."""
    from mlflow.entities import ViewType
    from mlflow.server.auth import store
    from mlflow.server.handlers import _get_tracking_store

    tracking = _get_tracking_store()
    token = None
    while True:
        page = tracking.search_experiments(  # type: ignore[no-untyped-call]
            view_type=ViewType.ALL,
            max_results=1000,
            # wide on purpose (any spelling); the core's rule decides below
            filter_string=f"tags.`{TAG_PRIVATE}` ILIKE '%true%'",
            page_token=token,
        )
        for experiment in page:
            if hidden_from(username, experiment.tags):
                store.grant_user_resource_permission(
                    username, "experiment", experiment.experiment_id, "DENY"
                )
        token = page.token
        if not token:
            return
