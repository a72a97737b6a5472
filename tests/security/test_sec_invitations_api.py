"""Defect 15 over the API: the administrator invites, the user sets the password from a
single-use link mailed to them (72 hours), and the administrator never sees or sets one."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.identity.models import User
from core.identity.services import LOGIN_REFUSED_MESSAGE
from tests.conftest import PASSWORD
from tests.security import sec_invite_support as support
from tests.security.sec_invite_support import (
    ACTIVATE,
    INVALID_LINK,
    NEW_PASSWORD,
    USERS,
    invite,
    link_token,
    mails_to,
)

# Fixtures shared with the other invitation tests.
expect_error = support.expect_error
probe = support.probe
settings = support.settings


def _activate(client: Any, token: str, password: str = NEW_PASSWORD) -> Any:
    return client.post(ACTIVATE, json={"token": token, "password": password})


def _login(client: Any, username: str, password: str = NEW_PASSWORD) -> Any:
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_a_password_field_is_refused_and_nothing_is_created(admin_api, probe, expect_error):
    response = invite(admin_api, password="the admin's own choice 1")

    error = expect_error(response, 422, "validation_failed", fields=("password",))
    assert "the admin's own choice 1" not in response.get_data(as_text=True)
    assert error
    assert not probe.has_user("new.nlo")
    assert [e for e in probe.audit("user.created") if e.actor_username == "root.admin"] == []


def test_an_email_is_required(admin_api, probe, expect_error):
    expect_error(invite(admin_api, email=None), 422, "validation_failed", fields=("email",))
    assert not probe.has_user("new.nlo")


def test_an_invited_user_cannot_log_in_until_activated(admin_api, client, probe, smtp_server):
    response = invite(admin_api)

    assert response.status_code == 201, response.json
    assert response.json["status"] == "invited"
    expires = datetime.fromisoformat(response.json["invitation_expires_at"])
    created = datetime.fromisoformat(response.json["created_at"])
    assert timedelta(hours=71, minutes=59) < expires - created <= timedelta(hours=72, seconds=5)
    # Whatever is tried, the refusal is that of a wrong password.
    wrong = _login(client, "root.admin", "not the admin password")
    for attempt in ("", "x" * 20, NEW_PASSWORD, PASSWORD):
        refused = _login(client, "new.nlo", attempt or "x")
        assert refused.status_code == 401
        assert refused.json["error"]["message"] == wrong.json["error"]["message"] \
            == LOGIN_REFUSED_MESSAGE
    hashed = probe.user("new.nlo").password_hash
    assert hashed.startswith("$argon2id$")  # verified at full cost like any password


def test_the_mailed_link_works_once(admin_api, client, probe, smtp_server, expect_error):
    uid = invite(admin_api).json["id"]
    [mail] = mails_to(smtp_server, "new.nlo@tha.example")
    assert "http://jpa.test/activate/" in mail
    assert "72 hours" in mail
    token = link_token(smtp_server, "new.nlo@tha.example")

    assert _activate(client, token).status_code == 204

    assert _login(client, "new.nlo").status_code == 200
    assert _login(client, "new.nlo", NEW_PASSWORD.strip()).status_code == 401  # as typed
    assert admin_api.get(f"{USERS}/{uid}").json["status"] == "active"
    assert admin_api.get(f"{USERS}/{uid}").json["invitation_expires_at"] is None
    again = _activate(client, token, "another passphrase entirely")
    error = expect_error(again, 404, "not_found")
    assert INVALID_LINK in error["message"].lower()
    assert _login(client, "new.nlo").status_code == 200  # the second use changed nothing
    [activated] = probe.audit("user.activated")
    assert activated.object_id == str(uid)
    assert activated.actor_username == "new.nlo"


def test_unknown_links_get_the_same_answer(client, expect_error, admin_api):
    for token in ("nope", "A" * 43, "x" * 500):
        error = expect_error(_activate(client, token), 404, "not_found")
        assert INVALID_LINK in error["message"].lower()


def test_a_bad_password_is_a_422_and_leaves_the_link_usable(admin_api, client, smtp_server,
                                                            expect_error):
    invite(admin_api)
    token = link_token(smtp_server, "new.nlo@tha.example")

    for bad, words in (("too short", "12"), ("I am new.nlo, hello there", "username"),
                       ("p" * 129, "128")):
        error = expect_error(_activate(client, token, bad), 422, "validation_failed",
                             fields=("password",))
        assert words in error["fields"]["password"]
    assert _login(client, "new.nlo", "too short").status_code == 401
    assert _activate(client, token).status_code == 204


def test_the_link_expires_after_72_hours(app, admin_api, smtp_server):
    from core.errors import NotFound
    from core.identity import invitations

    invite(admin_api, username="late.nlo")
    invite(admin_api, username="timely.nlo")
    late = link_token(smtp_server, "late.nlo@tha.example")
    timely = link_token(smtp_server, "timely.nlo@tha.example")
    database, policy = app.extensions["jpa.db"], app.extensions["jpa.identity"]
    now = datetime.now(UTC)

    refused = False
    try:
        with database.transaction() as session:
            invitations.activate(session, policy=policy, token=late, password=NEW_PASSWORD,
                                 now=now + timedelta(hours=72, minutes=1))
    except NotFound:
        refused = True
    assert refused
    with database.transaction() as session:
        user = invitations.activate(session, policy=policy, token=timely,
                                    password=NEW_PASSWORD, now=now + timedelta(hours=71))
        assert user.username == "timely.nlo"


def test_a_resent_invitation_kills_the_old_link(admin_api, client, probe, smtp_server,
                                                expect_error):
    uid = invite(admin_api).json["id"]
    old = link_token(smtp_server, "new.nlo@tha.example")

    resent = admin_api.post(f"{USERS}/{uid}/invitation")

    assert resent.status_code == 200, resent.json
    assert resent.json["status"] == "invited"
    new = link_token(smtp_server, "new.nlo@tha.example")
    assert new != old
    assert len(mails_to(smtp_server, "new.nlo@tha.example")) == 2
    expect_error(_activate(client, old), 404, "not_found")
    assert _activate(client, new).status_code == 204
    assert [e.object_id for e in probe.audit("user.invited")] == [str(uid), str(uid)]
    # An active account gets no new link: that would be a password reset in the admin's hands.
    expect_error(admin_api.post(f"{USERS}/{uid}/invitation"), 409, "invalid_transition")
    assert len(mails_to(smtp_server, "new.nlo@tha.example")) == 2


def test_the_admin_never_obtains_the_credentials(app, admin_api, client, probe, smtp_server,
                                                 expect_error):
    response = invite(admin_api)
    uid = response.json["id"]
    resent = admin_api.post(f"{USERS}/{uid}/invitation")
    token = link_token(smtp_server, "new.nlo@tha.example")
    seen = [response, resent, admin_api.get(USERS), admin_api.get(f"{USERS}/{uid}"),
            admin_api.get("/api/v1/notifications"), admin_api.get("/api/v1/openapi.json")]
    for answer in seen:
        assert token not in answer.get_data(as_text=True)
    for row in probe.audit():
        assert token not in row.details
    # Only the SHA-256 of the token is stored.
    from core.identity.invitations import Invitation

    with app.extensions["jpa.db"].transaction(write=False) as session:
        hashes = list(session.scalars(select(Invitation.token_hash)))
        assert hashlib.sha256(token.encode()).hexdigest() in hashes
        assert token not in hashes
    # No route sets a password for someone else.
    for change in (admin_api.patch(f"{USERS}/{uid}", json={"password": "admin picks 12345"}),
                   admin_api.patch(f"{USERS}/{uid}", json={"password_hash": "$argon2id$x"})):
        expect_error(change, 422, "validation_failed")
    openapi = admin_api.get("/api/v1/openapi.json").json
    user_schemas = [name for name in openapi["components"]["schemas"] if "User" in name]
    for name in user_schemas:
        assert "password" not in openapi["components"]["schemas"][name].get("properties", {})
    assert _login(client, "new.nlo", "admin picks 12345").status_code == 401


def test_the_cli_path_with_a_password_still_works(accounts, client):
    accounts.create("script.user", "analyst", password=PASSWORD)
    assert _login(client, "script.user", PASSWORD).status_code == 200


def test_the_activation_endpoint_is_public_and_strict(client, expect_error):
    for body in ({"token": "x"}, {"password": NEW_PASSWORD}, {"token": "x", "password": "y",
                                                              "username": "root.admin"}):
        expect_error(client.post(ACTIVATE, json=body), 422, "validation_failed")


def test_other_roles_may_not_invite_or_resend(accounts, probe, expect_error, admin_api):
    uid = invite(admin_api).json["id"]
    accounts.create("nlo.tha", "liaison_officer", "THA")
    api = accounts.api("nlo.tha")
    expect_error(invite(api, username="sneaky.nlo"), 403, "forbidden")
    expect_error(api.post(f"{USERS}/{uid}/invitation"), 403, "forbidden")
    expect_error(api.patch(f"{USERS}/{uid}", json={"state": "MYS"}), 403, "forbidden")
    assert not probe.has_user("sneaky.nlo")
    assert probe.user("new.nlo").state == "THA"


def test_the_account_row_says_invited_until_activation(app, admin_api, smtp_server):
    invite(admin_api)
    with app.extensions["jpa.db"].transaction(write=False) as session:
        user = session.scalars(select(User).where(User.username == "new.nlo")).one()
        assert user.invited is True


def test_two_simultaneous_activations_of_one_link_set_one_password(app, admin_api,
                                                                  smtp_server):
    import threading

    invite(admin_api)
    token = link_token(smtp_server, "new.nlo@tha.example")
    passwords = ["first racer's passphrase", "second racer's passphrase"]
    barrier = threading.Barrier(2)
    answers: list[int] = [0, 0]

    def race(index: int) -> None:
        client = app.test_client()  # its own request, so its own database connection
        barrier.wait()
        answers[index] = _activate(client, token, passwords[index]).status_code

    threads = [threading.Thread(target=race, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [204, 404]
    winner = passwords[answers.index(204)]
    loser = passwords[answers.index(404)]
    client = app.test_client()
    assert _login(client, "new.nlo", winner).status_code == 200
    assert _login(client, "new.nlo", loser).status_code == 401


def test_a_sent_link_is_blanked_from_the_outbox(admin_api, probe, smtp_server):
    uid = invite(admin_api).json["id"]
    token = link_token(smtp_server, "new.nlo@tha.example")
    # Whoever reads the outbox table after the mail went (a backup, an operator) finds no
    # usable link; the user received it whole.
    [mail] = [m for m in probe.outbox() if m.recipient == "new.nlo@tha.example"]
    assert mail.sent_at is not None
    assert token not in mail.body
    assert "/activate/" in mail.body  # the message still says what it was
    assert admin_api.get(f"{USERS}/{uid}").json["status"] == "invited"
