"""The anchor file: signed checkpoints of the audit chain's head, kept outside the database
(mode 600, one JSON line each, also sent to the `jpa.audit.anchor` log); forged or altered
checkpoints are reported, and rows hashed before the audit key existed still verify."""

from __future__ import annotations

import json
import logging
import stat

from core import audit, audit_anchor
from core.audit import AuditEvent
from core.db import insert_rows, utcnow
from tests.security import sec_audit_support as support
from tests.security.sec_audit_support import anchor_lines, plain_sha256, rewrite
from tests.security.sec_audit_support import append as _append

# The fixtures of the support module, made visible to pytest here.
database = support.database
intruder = support.intruder


def _path(app):
    return app.extensions["jpa.settings"].audit_anchor_path


def _verify(app) -> audit.ChainReport:
    with app.extensions["jpa.db"].transaction(write=False) as session:
        return audit.verify_chain(session, anchors=audit_anchor.read_anchors(_path(app)))


def _anchor(app) -> audit.Anchor | None:
    with app.extensions["jpa.db"].transaction(write=False) as session:
        return audit_anchor.anchor_head(session, _path(app))


def test_a_checkpoint_is_a_signed_line_in_a_private_file_and_in_the_log(app, database, caplog):
    _append(database, 2)
    with caplog.at_level(logging.INFO, logger="jpa.audit.anchor"):
        _anchor(app)
    path = _path(app)
    assert path == app.extensions["jpa.settings"].instance_path / "audit-anchors.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    [line] = anchor_lines(path)
    assert set(line) == {"seq", "hash", "at", "sig"}
    with app.extensions["jpa.db"].transaction(write=False) as session:
        head = session.get(AuditEvent, 2)
    assert (line["seq"], line["hash"]) == (2, head.hash)
    assert len(line["sig"]) == 64
    records = [r for r in caplog.records if r.name == "jpa.audit.anchor"]
    assert len(records) == 1
    assert json.loads(records[0].getMessage()) == line


def test_a_forged_checkpoint_is_reported(app, database):
    _append(database, 3)
    _anchor(app)
    line = anchor_lines(_path(app))[0]
    forged = {**line, "seq": 7, "sig": "0" * 64}
    with _path(app).open("a") as handle:
        handle.write(json.dumps(forged) + "\n")
    report = _verify(app)
    assert report.problem == "anchor line 2 (row 7) has a bad signature"
    assert report.first_bad_seq == 7


def test_a_checkpoint_edited_to_hide_a_deletion_is_reported(app, database):
    """Lowering the newest checkpoint's seq to match a truncated table breaks its signature."""
    _append(database, 3)
    _anchor(app)
    path = _path(app)
    line = anchor_lines(path)[0]
    path.write_text(json.dumps({**line, "seq": 2}) + "\n")
    assert _verify(app).problem == "anchor line 1 (row 2) has a bad signature"


def test_an_unreadable_checkpoint_line_is_reported(app, database):
    _append(database, 1)
    _anchor(app)
    with _path(app).open("a") as handle:
        handle.write("{not json\n")
    assert _verify(app).problem == "anchor line 2 is not a checkpoint"


def test_a_missing_anchor_file_reads_as_none(app, database):
    _append(database, 1)
    assert audit_anchor.read_anchors(_path(app)) is None


def _legacy_rows(database, count: int) -> None:
    """Rows as the service wrote them before the upgrade: plain SHA-256, no key."""
    previous = audit.GENESIS_HASH
    made = []
    for seq in range(1, count + 1):
        row = {"seq": seq, "at": utcnow(), "actor_id": None, "actor_username": "old",
               "actor_state": None, "action": f"legacy.{seq}", "object_type": None,
               "object_id": None, "outcome": "success", "request_id": None, "details": "{}",
               "prev_hash": previous}
        row["hash"] = previous = plain_sha256(row)
        made.append(row)
    with database.engine.begin() as connection:
        insert_rows(connection, AuditEvent.__table__, made)


def test_rows_from_before_the_key_still_verify_and_are_counted(app, database):
    _legacy_rows(database, 3)
    _append(database, 2)
    report = _verify(app)
    assert report.problem is None
    assert (report.rows, report.legacy_rows) == (5, 3)


def test_a_trail_of_plain_sha256_rows_only_is_trusted_once_anchored(app, database):
    """Just after the upgrade nothing keyed follows the old rows: verify refuses them (anyone
    could have rewritten them) until the first checkpoint or the first new row."""
    _legacy_rows(database, 3)
    report = _verify(app)
    assert report.first_bad_seq == 1
    assert report.problem == ("row 1 was not written with the audit key (rows 1 to 3 carry "
                              "plain SHA-256 and no keyed row or checkpoint follows them)")
    assert _anchor(app).seq == 3
    report = _verify(app)
    assert report.problem is None
    assert (report.legacy_rows, report.anchored_seq) == (3, 3)


def test_a_plain_sha256_row_after_a_keyed_row_is_altered(app, database, intruder):
    """The legacy form is accepted only before the first keyed row: rewriting a keyed tail
    as legacy rows does not pass."""
    _legacy_rows(database, 2)
    _append(database, 3)
    rewrite(database, 4, action="forged", rehash=plain_sha256)
    assert _verify(app).problem == "row 4 was altered"


def test_legacy_rows_after_an_anchor_are_altered(app, database, intruder):
    """A checkpoint is written with the key: every row after it must be keyed, even if the
    checkpoint itself is on a legacy row (an upgraded deployment anchored before writing)."""
    _legacy_rows(database, 2)
    _anchor(app)
    _append(database, 2)
    rewrite(database, 3, action="forged", rehash=plain_sha256)
    assert _verify(app).problem == "row 3 was altered"


def test_a_chain_rewritten_entirely_as_legacy_is_found_by_the_anchor(app, database, intruder):
    _append(database, 3)
    _anchor(app)
    rewrite(database, 1, action="forged", rehash=plain_sha256)
    report = _verify(app)
    assert report.first_bad_seq == 3
    assert report.problem == "row 3 does not match its anchor (line 1 of the anchor file)"
