"""API bodies an anonymous caller can send: deep nesting is a 400, chunked oversize a 413."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.security.sec_core_world import expect_error

TOKEN = "/api/v1/auth/token"


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [100_000, 1_000, 33])
def test_deeply_nested_json_is_a_400_naming_the_body(client, depth):
    response = client.post(TOKEN, data=_nested(depth), content_type="application/json")

    error = expect_error(response, 400, "nested_too_deeply")
    assert "nested too deeply" in error["message"]
    assert "body" in error["fields"]


def test_nesting_inside_an_object_counts_too(client):
    body = '{"username": ' + '{"a": ' * 40 + "1" + "}" * 40 + ', "password": "x"}'

    expect_error(client.post(TOKEN, data=body, content_type="application/json"), 400,
                 "nested_too_deeply")


def test_nesting_within_the_limit_reaches_the_handler(client):
    # 32 levels are allowed: the token endpoint then refuses the shape, not the depth (422).
    body = '{"username": ' + "[" * 31 + "]" * 31 + ', "password": "x"}'

    expect_error(client.post(TOKEN, data=body, content_type="application/json"), 422,
                 "validation_failed", fields=("username",))


def _chunked_post(client, body: bytes):
    # What a WSGI server that de-chunks the body itself (werkzeug's, gunicorn) hands the app.
    return client.post(TOKEN, input_stream=io.BytesIO(body),
                       headers={"Content-Type": "application/json",
                                "Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True})


def test_a_chunked_body_over_the_limit_is_a_413(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = b'{"username": "' + b"a" * (limit + 10) + b'", "password": "x"}'

    error = expect_error(_chunked_post(client, body), 413, "payload_too_large")
    assert str(limit) in error["message"]


def test_a_small_chunked_body_is_read_as_usual(client):
    response = _chunked_post(client, b'{"username": "nobody", "password": "wrong-password"}')

    expect_error(response, 401, "unauthenticated")


@pytest.fixture
def served(app: Flask) -> Iterator[int]:
    """The application on a real socket (werkzeug's server de-chunks bodies)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def test_a_chunked_body_over_the_limit_on_a_real_socket_is_a_413(app, served):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = b'{"username": "' + b"a" * (limit + 10) + b'", "password": "x"}'
    received = bytearray()
    with socket.create_connection(("127.0.0.1", served), timeout=30) as sock:
        sock.sendall(b"POST " + TOKEN.encode() + b" HTTP/1.1\r\nHost: jpa.test\r\n"
                     b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                     b"Connection: close\r\n\r\n")

        def read_all() -> None:
            try:
                while chunk := sock.recv(65536):
                    received.extend(chunk)
            except OSError:
                pass  # a reset after the answer: what was received is what counts

        reader = threading.Thread(target=read_all, daemon=True)
        reader.start()
        try:
            for start in range(0, len(body), 65536):
                piece = body[start:start + 65536]
                sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may answer and close before it has read everything
        reader.join(timeout=30)
    assert received.startswith(b"HTTP/1.1 413"), bytes(received[:200])
