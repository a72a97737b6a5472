"""Defect 15: every account created for a state, and every change of role or state, is told to
that state's other NLOs and to the co-chairs (in-app and by e-mail) and audited; a change of
role or state ends the account's sessions and tokens."""

from __future__ import annotations

import json

from tests.conftest import PASSWORD
from tests.security import sec_invite_support as support
from tests.security.sec_invite_support import (
    PEOPLE,
    USERS,
    invite,
    link_token,
    mails_to,
)

# Fixtures shared with the other invitation tests.
expect_error = support.expect_error
people = support.people
probe = support.probe
settings = support.settings

CO_CHAIRS = {"chair.nzl", "chair.lka"}  # chair.old is disabled


def _told(probe, smtp_server, names: set[str]) -> None:
    """Each of `names` got one in-app notice and one e-mail naming the account; nobody else."""
    assert probe.inbox_owners() == names
    for name in names:
        [notice] = probe.inbox(name)
        assert "new.nlo" in notice.subject + notice.body
        [mail] = mails_to(smtp_server, PEOPLE[name]["email"])
        assert "new.nlo" in mail
    for name in set(PEOPLE) - names:
        assert mails_to(smtp_server, PEOPLE[name]["email"]) == [], name


def test_an_account_created_for_a_state_is_told_to_its_nlos_and_the_co_chairs(
        accounts, people, probe, smtp_server):
    admin = accounts.api("root.admin", PASSWORD)

    assert invite(admin, full_name="Niran New").status_code == 201

    _told(probe, smtp_server, {"nlo.tha", "nlo2.tha"} | CO_CHAIRS)
    [notice] = probe.inbox("nlo.tha")
    text = notice.subject + "\n" + notice.body
    for words in ("new.nlo", "National liaison officer", "THA", "root.admin"):
        assert words in text, text
    token = link_token(smtp_server, "new.nlo@tha.example")
    for name in {"nlo.tha", "nlo2.tha"} | CO_CHAIRS:
        for body in mails_to(smtp_server, PEOPLE[name]["email"]):
            assert token not in body and "/activate/" not in body
    [created] = [e for e in probe.audit("user.created") if e.actor_username == "root.admin"]
    assert json.loads(created.details)["state"] == "THA"
    assert json.loads(created.details)["role"] == "liaison_officer"


def test_a_stateless_account_is_audited_but_told_to_no_state(accounts, people, probe,
                                                             smtp_server):
    admin = accounts.api("root.admin", PASSWORD)

    assert invite(admin, username="new.analyst", role="analyst", state=None).status_code == 201

    assert probe.inbox_owners() == set()
    assert any(e.actor_username == "root.admin" for e in probe.audit("user.created"))


def test_a_change_of_state_tells_both_states_and_ends_the_sessions(accounts, people, probe,
                                                                   smtp_server, expect_error):
    admin = accounts.api("root.admin", PASSWORD)
    moved = accounts.api("nlo2.tha", PASSWORD)
    assert moved.get("/api/v1/auth/me").status_code == 200

    response = admin.patch(f"{USERS}/{people['nlo2.tha']}", json={"state": "MYS"})

    assert response.status_code == 200, response.json
    assert (response.json["state"], response.json["role"]) == ("MYS", "liaison_officer")
    assert probe.user("nlo2.tha").state == "MYS"
    expect_error(moved.get("/api/v1/auth/me"), 401)
    assert probe.inbox_owners() == {"nlo.tha", "nlo.mys"} | CO_CHAIRS
    [notice] = probe.inbox("nlo.mys")
    for words in ("nlo2.tha", "THA", "MYS", "root.admin"):
        assert words in notice.subject + notice.body
    for name in {"nlo.tha", "nlo.mys"} | CO_CHAIRS:
        assert len(mails_to(smtp_server, PEOPLE[name]["email"])) == 1, name
    [changed] = probe.audit("user.changed")
    assert changed.object_id == str(people["nlo2.tha"])
    assert json.loads(changed.details)["state"] == {"from": "THA", "to": "MYS"}
    assert changed.actor_username == "root.admin"


def test_a_change_of_role_is_told_and_ends_the_sessions(accounts, people, probe, smtp_server,
                                                        expect_error):
    admin = accounts.api("root.admin", PASSWORD)
    promoted = accounts.api("nlo.tha", PASSWORD)

    response = admin.patch(f"{USERS}/{people['nlo.tha']}", json={"role": "co_chair"})

    assert response.status_code == 200, response.json
    assert response.json["role"] == "co_chair"
    expect_error(promoted.get("/api/v1/auth/me"), 401)
    # Told to THA's other NLO and to the co-chairs, not to the account itself.
    assert probe.inbox_owners() == {"nlo2.tha"} | CO_CHAIRS
    [changed] = probe.audit("user.changed")
    assert json.loads(changed.details)["role"] == {"from": "liaison_officer", "to": "co_chair"}


def test_contact_changes_keep_the_sessions_and_tell_no_one(accounts, people, probe,
                                                           smtp_server):
    admin = accounts.api("root.admin", PASSWORD)
    user = accounts.api("nlo.mys", PASSWORD)

    response = admin.patch(f"{USERS}/{people['nlo.mys']}",
                           json={"full_name": "Aminah R.", "phone": "+60 3 1111 2222",
                                 "time_zone": "Asia/Jakarta"})

    assert response.status_code == 200, response.json
    assert response.json["full_name"] == "Aminah R."
    assert user.get("/api/v1/auth/me").status_code == 200
    assert probe.inbox_owners() == set()
    assert probe.audit("user.changed") == []
    [updated] = probe.audit("user.updated")
    assert set(json.loads(updated.details)["fields"]) == {"full_name", "phone", "time_zone"}


def test_bad_changes_are_422_naming_the_field_and_change_nothing(accounts, people, probe,
                                                                 expect_error):
    admin = accounts.api("root.admin", PASSWORD)
    uid = people["nlo.mys"]
    for body, field in (({"state": "QQQ"}, "state"), ({"role": "superuser"}, "role"),
                        ({"role": "co_chair", "state": None}, "state"),
                        ({"time_zone": "Mars/Base"}, "time_zone"),
                        ({"email": "no-at-sign"}, "email"), ({"disabled": False}, "disabled"),
                        ({"username": "renamed"}, "username")):
        expect_error(admin.patch(f"{USERS}/{uid}", json=body), 422, "validation_failed",
                     fields=(field,))
    user = probe.user("nlo.mys")
    assert (user.state, user.role, user.username) == ("MYS", "liaison_officer", "nlo.mys")
    assert probe.audit("user.changed") == [] and probe.audit("user.updated") == []
    assert probe.inbox_owners() == set()
    expect_error(admin.patch(f"{USERS}/4242", json={"state": "MYS"}), 404, "not_found")


def test_the_admin_cannot_change_their_own_role(accounts, people, probe, expect_error):
    admin = accounts.api("root.admin", PASSWORD)
    expect_error(admin.patch(f"{USERS}/{people['root.admin']}", json={"role": "analyst"}),
                 409, "invalid_transition")
    assert probe.user("root.admin").role == "admin"


def test_a_cli_account_for_a_state_is_told_too(app, people, probe, smtp_server):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "cli.nlo", "--role", "liaison_officer",
                                 "--state", "MYS", "--password-stdin"],
                           input="a script's long passphrase\n")
    assert result.exit_code == 0, result.output
    assert probe.inbox_owners() == {"nlo.mys"} | CO_CHAIRS
    [notice] = probe.inbox("nlo.mys")
    assert "cli.nlo" in notice.body and "command line" in notice.body


def test_the_cli_invites_when_given_an_email(app, people, probe, smtp_server):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "cli.invited", "--role", "analyst",
                                 "--email", "cli.invited@jpa.example"])
    assert result.exit_code == 0, result.output
    assert "invitation" in result.output
    assert probe.user("cli.invited").invited is True
    assert link_token(smtp_server, "cli.invited@jpa.example")
