"""Defect 1: the failed-login counter is atomic. Ten wrong passwords sent at the same moment
(separate clients, so separate database connections) lock the account on both databases, on
the token endpoint and on both password-change routes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.conftest import PASSWORD, csrf_token_from

WRONG = "definitely not the password"
NEW_PASSWORD = "a brand new long passphrase"
ATTEMPTS = 10


def _in_parallel(attempt: Callable[[int], Any]) -> list[Any]:
    """Run `attempt(i)` in ATTEMPTS threads released together by a barrier."""
    barrier = threading.Barrier(ATTEMPTS)
    results: list[Any] = [None] * ATTEMPTS
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = attempt(index)
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def _token_status(app: Flask, password: str) -> int:
    return app.test_client().post("/api/v1/auth/token",
                                  json={"username": "nlo.nzl", "password": password}).status_code


def test_parallel_wrong_passwords_lock_the_account(app, accounts):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")

    statuses = _in_parallel(lambda _: _token_status(app, WRONG))

    assert statuses == [401] * ATTEMPTS
    assert _token_status(app, PASSWORD) == 401  # locked: even the right password is refused


def test_parallel_wrong_current_passwords_on_the_api_lock_the_account(app, accounts):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    api = [accounts.api("nlo.nzl") for _ in range(ATTEMPTS)]

    statuses = _in_parallel(lambda i: api[i].post(
        "/api/v1/auth/password",
        json={"current_password": WRONG, "new_password": NEW_PASSWORD}).status_code)

    assert all(status in (401, 422) for status in statuses), statuses
    assert _token_status(app, PASSWORD) == 401
    assert _token_status(app, NEW_PASSWORD) == 401  # nothing was changed


def test_parallel_wrong_current_passwords_on_the_page_lock_the_account(app, accounts):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    clients = []
    for _ in range(ATTEMPTS):
        client = app.test_client()
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        assert client.post("/login", data={"username": "nlo.nzl", "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        page = client.get("/account/password").get_data(as_text=True)
        clients.append((client, csrf_token_from(page)))

    statuses = _in_parallel(lambda i: clients[i][0].post("/account/password", data={
        "current_password": WRONG, "new_password": NEW_PASSWORD,
        "csrf_token": clients[i][1]}).status_code)

    assert all(status == 422 for status in statuses), statuses
    assert _token_status(app, PASSWORD) == 401
