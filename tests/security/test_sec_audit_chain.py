"""Defect 4: the audit chain is keyed (HMAC with a key outside the database) and its head is
anchored outside the database, so that a rewritten chain and a deleted tail are both found.

Each test tampers as someone holding the database file would: triggers dropped, rows changed,
hashes recomputed with whatever they can compute (plain SHA-256, or a guessed key)."""

from __future__ import annotations

import pytest

from core import audit, audit_anchor
from tests.security import sec_audit_support as support
from tests.security.sec_audit_support import append as _append
from tests.security.sec_audit_support import delete_from, hmac_with, plain_sha256, rewrite, rows

# The fixtures of the support module, made visible to pytest here.
database = support.database
intruder = support.intruder


def _verify(app, *, anchored: bool = True) -> audit.ChainReport:
    database = app.extensions["jpa.db"]
    anchors = (audit_anchor.read_anchors(app.extensions["jpa.settings"].audit_anchor_path)
               if anchored else None)
    with database.transaction(write=False) as session:
        return audit.verify_chain(session, anchors=anchors)


def _anchor(app) -> audit.Anchor | None:
    database = app.extensions["jpa.db"]
    with database.transaction(write=False) as session:
        return audit_anchor.anchor_head(session, app.extensions["jpa.settings"].audit_anchor_path)


def test_rows_are_keyed_so_plain_sha256_cannot_reproduce_them(app, database):
    _append(database, 3)
    for row in rows(database):
        assert row["hash"] != plain_sha256(row)
    assert _verify(app, anchored=False).problem is None


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_an_altered_row_is_named_wherever_it_is(app, database, intruder, where):
    _append(database, 5)
    seq = {"first": 1, "middle": 3, "last": 5}[where]
    rewrite(database, seq, action="forged", rehash=None)
    report = _verify(app, anchored=False)
    assert report.first_bad_seq == seq
    assert report.problem == f"row {seq} was altered"


@pytest.mark.parametrize("where", ["first", "middle", "last"])
@pytest.mark.parametrize("rehash", ["plain sha-256", "wrong key"])
def test_a_chain_rewritten_without_the_key_is_found(app, database, intruder, where, rehash):
    """The intruder alters a row and recomputes it and every later row: without the audit key
    no recomputed hash verifies, so the altered row itself is named."""
    _append(database, 5)
    seq = {"first": 1, "middle": 3, "last": 5}[where]
    function = plain_sha256 if rehash == "plain sha-256" else hmac_with(b"w" * 48)
    rewrite(database, seq, action="forged", rehash=function)
    report = _verify(app, anchored=False)
    assert report.first_bad_seq == seq
    # A first row rewritten with plain SHA-256 makes the whole chain look pre-upgrade: it is
    # refused as not written with the key, since no keyed row or checkpoint follows it.
    expected = "was not written with the audit key" if (where, rehash) == (
        "first", "plain sha-256") else "was altered"
    assert report.problem.startswith(f"row {seq} {expected}")


def test_a_chain_rewritten_with_the_key_verifies_but_the_anchor_finds_it(app, database,
                                                                          intruder):
    """Even with the key stolen too, an anchored row cannot change unseen."""
    _append(database, 4)
    assert _anchor(app) is not None
    key = app.extensions["jpa.settings"].audit_key.encode()
    rewrite(database, 2, action="forged", rehash=hmac_with(key))
    report = _verify(app)
    assert report.first_bad_seq == 4
    assert report.problem == "row 4 does not match its anchor (line 1 of the anchor file)"


def test_a_deleted_tail_is_found_once_anchored(app, database, intruder):
    _append(database, 5)
    anchor = _anchor(app)
    assert anchor is not None and anchor.seq == 5
    delete_from(database, 4)
    report = _verify(app)
    assert report.first_bad_seq == 4
    assert report.problem == ("rows 4 to 5 are missing: the anchor file's newest checkpoint "
                              "is row 5, the table ends at row 3")


def test_a_deleted_last_row_is_found_once_anchored(app, database, intruder):
    _append(database, 3)
    _anchor(app)
    delete_from(database, 3)
    report = _verify(app)
    assert report.first_bad_seq == 3
    assert "rows 3 to 3 are missing" in report.problem


def test_the_window_is_the_rows_after_the_newest_anchor(app, database, intruder):
    """Rows written after the newest checkpoint are protected by the key only: deleting them
    is not visible until a checkpoint covers them; the report says how far anchoring reaches."""
    _append(database, 3)
    _anchor(app)
    _append(database, 2, prefix="later")
    report = _verify(app)
    assert report.problem is None
    assert (report.rows, report.anchored_seq) == (5, 3)
    delete_from(database, 5)
    assert _verify(app).problem is None


def test_anchoring_again_without_new_rows_writes_nothing(app, database):
    _append(database, 2)
    path = app.extensions["jpa.settings"].audit_anchor_path
    assert _anchor(app) is not None
    before = path.read_bytes()
    assert _anchor(app) is None
    assert path.read_bytes() == before
    _append(database, 1)
    assert _anchor(app).seq == 3
    assert len(path.read_text().splitlines()) == 2


def test_anchor_refuses_to_bless_a_tampered_chain(app, database, intruder):
    _append(database, 3)
    _anchor(app)
    _append(database, 2, prefix="later")
    rewrite(database, 4, action="forged", rehash=plain_sha256)
    path = app.extensions["jpa.settings"].audit_anchor_path
    before = path.read_bytes()
    with pytest.raises(audit.AuditChainBroken, match="row 4 was altered"):
        _anchor(app)
    assert path.read_bytes() == before


def test_anchor_refuses_a_truncated_chain(app, database, intruder):
    _append(database, 3)
    _anchor(app)
    delete_from(database, 2)
    with pytest.raises(audit.AuditChainBroken, match="rows 2 to 3 are missing"):
        _anchor(app)


def test_an_empty_trail_is_not_anchored(app):
    assert _anchor(app) is None
    assert not app.extensions["jpa.settings"].audit_anchor_path.exists()
