"""The test OIDC provider behaves as a production provider would towards a confidential client.

The hub tests trust this provider to refuse what a real one refuses (a wrong password, a code
redeemed without its PKCE verifier) and to hand out the claims the hub's group mapping reads, so
those promises are checked here first, by hand, one HTTP request at a time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from tests.standins.oidc.provider import OIDCClient, OIDCProvider, OIDCUser, find_login_form

#: never contacted: the tests read the code from the redirect instead of following it
REDIRECT_URI = "http://127.0.0.1:9/callback"
CLIENT = OIDCClient("hub", "hub-secret", [REDIRECT_URI])
ALICE = OIDCUser("alice", "alice-pw", ["data-scientists", "admins"], email="alice@example.org")


@pytest.fixture(scope="module")
def provider() -> Iterator[OIDCProvider]:
    with OIDCProvider(users=[ALICE], clients=[CLIENT]) as running:
        yield running


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize(
    provider: OIDCProvider, username: str, password: str, **params: str
) -> requests.Response:
    """Authorization request → sign-in form → credentials, then the provider's redirects up to
    (not including) the client's redirect URI. Returns the response that redirects there, or the
    page the provider stopped at."""
    query = {
        "client_id": CLIENT.client_id,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "openid profile email groups",
        "state": secrets.token_urlsafe(8),
        **params,
    }
    with requests.Session() as session:
        page = session.get(provider.authorize_url, params=query, timeout=10)
        assert page.status_code == 200, page.text
        form = find_login_form(page.text)
        assert form is not None, page.text
        assert (form.username_field, form.password_field) == ("username", "password")
        response = session.post(
            urljoin(page.url, form.action),
            data={**form.fields, "username": username, "password": password},
            allow_redirects=False,
            timeout=10,
        )
        while response.is_redirect and not response.headers["Location"].startswith(REDIRECT_URI):
            location = urljoin(response.url, response.headers["Location"])
            response = session.get(location, allow_redirects=False, timeout=10)
        return response


def code_from(response: requests.Response) -> str:
    assert response.is_redirect, response.text
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert "error" not in query, query
    return query["code"][0]


def redeem(provider: OIDCProvider, code: str, **params: str) -> requests.Response:
    return requests.post(
        provider.token_url,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT.client_id,
            "client_secret": CLIENT.client_secret,
            **params,
        },
        timeout=10,
    )


def jwt_claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_discovery_names_the_endpoints_the_hub_is_configured_with(provider: OIDCProvider) -> None:
    discovery = requests.get(provider.discovery_url, timeout=10).json()

    assert discovery["issuer"] == provider.issuer
    assert discovery["authorization_endpoint"] == provider.authorize_url
    assert discovery["token_endpoint"] == provider.token_url
    assert discovery["userinfo_endpoint"] == provider.userdata_url
    assert {"openid", "profile", "email", "groups"} <= set(discovery["scopes_supported"])
    assert {"groups", "preferred_username", "email"} <= set(discovery["claims_supported"])
    assert "client_secret_post" in discovery["token_endpoint_auth_methods_supported"]
    assert discovery["code_challenge_methods_supported"] == ["S256"]


def test_authorization_code_flow_with_pkce_yields_the_groups(provider: OIDCProvider) -> None:
    verifier, challenge = pkce_pair()
    redirect = authorize(
        provider,
        ALICE.username,
        ALICE.password,
        code_challenge=challenge,
        code_challenge_method="S256",
        nonce="n-0S6_WzA2Mj",
    )
    code = code_from(redirect)

    tokens = redeem(provider, code, code_verifier=verifier)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["token_type"] == "Bearer"
    userinfo = requests.get(
        provider.userdata_url,
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=10,
    )
    assert userinfo.status_code == 200, userinfo.text
    claims = userinfo.json()
    assert claims["sub"] == "alice"
    assert claims["preferred_username"] == "alice"
    assert claims["email"] == "alice@example.org"
    assert claims["groups"] == ["data-scientists", "admins"]

    id_token = jwt_claims(body["id_token"])
    assert id_token["iss"] == provider.issuer
    assert id_token["aud"] == CLIENT.client_id
    assert id_token["nonce"] == "n-0S6_WzA2Mj"
    assert id_token["groups"] == ["data-scientists", "admins"]

    # a code is good for one redemption only
    assert redeem(provider, code, code_verifier=verifier).json()["error"] == "invalid_grant"


def test_wrong_password_shows_the_form_again_and_issues_no_code(provider: OIDCProvider) -> None:
    response = authorize(provider, ALICE.username, "not-her-password")

    assert response.status_code == 401
    assert "Wrong username or password" in response.text
    assert "Location" not in response.headers
    assert find_login_form(response.text) is not None
    assert authorize(provider, "mallory", ALICE.password).status_code == 401


@pytest.mark.parametrize("verifier", [None, "a-verifier-that-is-long-enough-but-not-the-right-one"])
def test_a_pkce_code_needs_its_verifier(provider: OIDCProvider, verifier: str | None) -> None:
    _, challenge = pkce_pair()
    code = code_from(
        authorize(
            provider,
            ALICE.username,
            ALICE.password,
            code_challenge=challenge,
            code_challenge_method="S256",
        )
    )

    refused = redeem(provider, code, **({"code_verifier": verifier} if verifier else {}))

    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_the_client_secret_is_checked(provider: OIDCProvider) -> None:
    code = code_from(authorize(provider, ALICE.username, ALICE.password))

    refused = redeem(provider, code, client_secret="wrong")

    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
