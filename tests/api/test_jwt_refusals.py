"""Every way a bearer credential can be wrong is a 401 JSON envelope (and an audit row)."""

from __future__ import annotations

import base64
import time
import warnings

import jwt
import pytest

ME = "/api/v1/auth/me"
WRONG_KEY = "an-entirely-different-key-of-enough-length-0123456789"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def nlo(accounts):
    """An NLO of New Zealand (the owner of the tokens being forged)."""
    return accounts.create("nlo.nzl", "liaison_officer", "NZL")


def test_a_hand_made_token_with_every_claim_is_accepted(client, nlo, forge):
    # The baseline of the matrix below: each refusal differs from this in one way only.
    response = client.get(ME, headers=bearer(forge.token(nlo.id)))

    assert response.status_code == 200, response.json
    assert response.json["username"] == "nlo.nzl"


def _refused(response, expect_error):
    error = expect_error(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "username" not in (response.get_json() or {})
    return error


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer   "},
    {"Authorization": "Basic " + base64.b64encode(b"nlo.nzl:correct horse battery staple")
     .decode()},
    {"Authorization": "Token abc.def.ghi"},
], ids=["none", "empty", "bearer-without-token", "bearer-blank", "basic", "other-scheme"])
def test_missing_or_non_bearer_credentials_are_refused(client, nlo, expect_error, headers):
    _refused(client.get(ME, headers=headers), expect_error)


def test_a_logged_in_browser_session_does_not_open_the_api(client, nlo, web, expect_error):
    login = web.login("nlo.nzl")
    assert login.status_code == 302, login.get_data(as_text=True)[:500]
    assert client.get("/").status_code == 200  # the cookie does work on the pages

    _refused(client.get(ME), expect_error)
    _refused(client.get("/api/v1/periods"), expect_error)


# Each case: how to build the token from (forge, user id).
FORGED = {
    "garbage": lambda forge, uid: "not-a-jwt",
    "three-garbage-parts": lambda forge, uid: "abc.def.ghi",
    "alg-none": lambda forge, uid: forge.unsigned(uid),
    "wrong-key": lambda forge, uid: forge.token(uid, key=WRONG_KEY),
    "hs512-right-key": lambda forge, uid: forge.hs512(uid),
    "expired": lambda forge, uid: forge.token(uid, iat=time.time() - 3600,
                                              exp=int(time.time()) - 60),
    "no-exp": lambda forge, uid: forge.token(uid, exp=None),
    "no-iat": lambda forge, uid: forge.token(uid, iat=None),
    "no-sub": lambda forge, uid: forge.token(uid, sub=None),
    "no-aud": lambda forge, uid: forge.token(uid, aud=None),
    "no-iss": lambda forge, uid: forge.token(uid, iss=None),
    "no-jti": lambda forge, uid: forge.token(uid, jti=None),
    "wrong-aud": lambda forge, uid: forge.token(uid, aud="some-other-api"),
    "wrong-iss": lambda forge, uid: forge.token(uid, iss="https://elsewhere.example"),
    "future-iat": lambda forge, uid: forge.token(uid, iat=time.time() + 3600),
    "unknown-subject": lambda forge, uid: forge.token(uid + 1000),
    "non-numeric-subject": lambda forge, uid: forge.token(uid, sub="nlo.nzl"),
    "issued-before-the-account": lambda forge, uid: forge.token(uid, iat=time.time() - 3600),
}


@pytest.mark.parametrize("case", list(FORGED))
def test_forged_or_broken_token_is_refused_and_audited(client, nlo, forge, probe,
                                                       expect_error, case):
    token = FORGED[case](forge, nlo.id)

    _refused(client.get(ME, headers=bearer(token)), expect_error)

    refused = probe.audit("token.refused")
    assert len(refused) == 1
    assert refused[0].outcome == "refused"
    assert '"path":"/api/v1/auth/me"' in refused[0].details
    assert token not in refused[0].details  # the credential itself is never written down
    assert probe.audit("token.issued") == []


def test_token_of_a_disabled_user_is_refused(client, accounts, people, probe, expect_error):
    nlo = accounts.create("nlo.nzl", "liaison_officer", "NZL")
    api = accounts.api("nlo.nzl")
    assert api.get(ME).status_code == 200
    admin = people.admin()

    disabled = admin.post(f"/api/v1/users/{nlo.id}/disable")

    assert disabled.status_code == 200, disabled.json
    assert disabled.json["disabled"] is True
    _refused(api.get(ME), expect_error)
    assert len(probe.audit("token.refused")) == 1
    # ...and the password no longer opens a new one.
    again = client.post("/api/v1/auth/token",
                        json={"username": "nlo.nzl", "password": "correct horse battery staple"})
    expect_error(again, 401)


def test_revocation_is_by_token_id(client, nlo, forge, probe, expect_error):
    first = forge.token(nlo.id, jti="jti-to-revoke-0001")
    assert client.post("/api/v1/auth/token/revoke", headers=bearer(first)).status_code == 204
    # A different token string carrying the same id is refused too.
    twin = forge.token(nlo.id, jti="jti-to-revoke-0001", exp=int(time.time()) + 300)
    assert twin != first

    _refused(client.get(ME, headers=bearer(first)), expect_error)
    _refused(client.get(ME, headers=bearer(twin)), expect_error)

    assert len(probe.audit("token.refused")) == 2
    assert client.get(ME, headers=bearer(forge.token(nlo.id))).status_code == 200


def test_the_hs512_token_is_genuinely_signed_with_the_service_key(nlo, forge, settings):
    # So its refusal above is about the algorithm alone, not a broken signature.
    token = forge.hs512(nlo.id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
        claims = jwt.decode(token, settings.secret_key, algorithms=["HS512"],
                            audience="jpa-api", issuer=settings.token_issuer)
    assert claims["sub"] == str(nlo.id)
