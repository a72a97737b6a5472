"""For the tests of press.edge: a WSGI application served for real (Werkzeug's server on a
free port, from a thread), raw HTTP exchanges read byte for byte, and a count of the requests
Flask itself dispatched (its `request_started` signal), which tells the two paths apart.

Imported as `tests.press.press_edge_support` (a unique name across tests/)."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, request, request_started
from werkzeug.serving import make_server

from press.edge import PublicDocumentGate

_DATE = re.compile(rb"\r\nDate: [^\r]*")
_REQUEST_ID = re.compile(rb"\r\nX-Request-ID: [0-9a-f]{32}(?=\r\n)")


@contextmanager
def served(wsgi_app: Any) -> Iterator[int]:
    """`wsgi_app` served on 127.0.0.1 while the block runs; yields the port."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="press-edge-http", daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def raw_exchange(port: int, path: str, headers: dict[str, str] | None = None,
                 method: str = "GET") -> bytes:
    """Send one HTTP/1.1 request as written and return the whole response as received."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}",
             *(f"{name}: {value}" for name, value in (headers or {}).items()),
             "Connection: close", "", ""]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall("\r\n".join(lines).encode("latin-1"))
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def comparable(response: bytes) -> bytes:
    """A raw response with its Date and its (fresh, random) X-Request-ID values blanked; the
    request id must be there, as 32 hex digits."""
    assert len(_REQUEST_ID.findall(response)) == 1, response
    return _REQUEST_ID.sub(b"\r\nX-Request-ID: <id>",
                           _DATE.sub(b"\r\nDate: <date>", response))


def gate_of(app: Flask) -> PublicDocumentGate:
    """The application's revalidation gate (it must be installed)."""
    gate = app.wsgi_app
    assert isinstance(gate, PublicDocumentGate)
    return gate


@contextmanager
def dispatch_count(app: Flask) -> Iterator[list[str]]:
    """Records the path of every request Flask dispatches for `app` while the block runs."""
    seen: list[str] = []

    def started(sender: Flask, **extra: Any) -> None:
        seen.append(request.full_path.rstrip("?"))

    with request_started.connected_to(started, app):
        yield seen
