"""`jpa audit verify` and `jpa audit anchor`, the scheduler's anchoring job, and the audit key
in the instance folder: what an operator runs and sees."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime

import pytest

from core.scheduler import registry, run_pending
from core.settings import SettingsError, load_settings
from tests.security import sec_audit_support as support
from tests.security.sec_audit_support import anchor_lines, delete_from, plain_sha256, rewrite
from tests.security.sec_audit_support import append as _append

# The fixtures of the support module, made visible to pytest here.
database = support.database
intruder = support.intruder

ANCHOR_JOB = "core.audit_anchor"


def _path(app):
    return app.extensions["jpa.settings"].audit_anchor_path


def test_verify_after_anchor_says_intact_and_how_far_it_is_anchored(app, database, runner):
    _append(database, 3)
    anchored = runner.invoke(args=["audit", "anchor"])
    assert anchored.exit_code == 0, anchored.output
    assert f"anchored row 3 in {_path(app)}" in anchored.stdout
    _append(database, 1)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "audit chain intact: 4 rows" in result.stdout
    assert "anchored up to row 3 (1 checkpoint)" in result.stdout
    assert "1 newer row is covered by the key only" in result.stdout


def test_anchor_twice_says_the_head_is_already_anchored(app, database, runner):
    _append(database, 2)
    assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    again = runner.invoke(args=["audit", "anchor"])
    assert again.exit_code == 0
    assert "row 2 is anchored already" in again.stdout
    assert len(anchor_lines(_path(app))) == 1


def test_verify_exits_1_naming_a_deleted_tail(app, database, runner, intruder):
    _append(database, 4)
    assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    delete_from(database, 3)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "audit chain BROKEN: rows 3 to 4 are missing" in result.stderr


def test_verify_exits_1_naming_a_rewritten_row(app, database, runner, intruder):
    _append(database, 4)
    assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    rewrite(database, 4, action="forged", rehash=plain_sha256)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "audit chain BROKEN: row 4 was altered" in result.stderr


def test_verify_exits_1_when_the_anchor_file_is_missing(app, database, runner):
    """Without checkpoints a deleted tail cannot be ruled out: verify says so and fails,
    after checking every row's keyed hash."""
    _append(database, 2)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert (f"audit chain UNANCHORED: 2 rows verify with the key, but there is no anchor "
            f"file at {_path(app)}") in result.stderr


def test_verify_of_an_empty_trail_needs_no_anchor_file(runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "audit chain intact: 0 rows" in result.stdout


def test_anchor_exits_1_and_writes_nothing_on_a_tampered_chain(app, database, runner,
                                                                intruder):
    _append(database, 3)
    rewrite(database, 2, action="forged", rehash=None)
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 1
    assert "not anchored: row 2 was altered" in result.stderr
    assert not _path(app).exists()


def test_the_scheduler_anchors_each_pass_when_the_head_moved(app, database):
    assert ANCHOR_JOB in [job.job_id for job in registry(app)]
    moment = datetime(2031, 1, 1, 12, tzinfo=UTC)
    assert [r for r in run_pending(app, moment) if r.job_id == ANCHOR_JOB] == []
    _append(database, 2)
    [result] = [r for r in run_pending(app, moment) if r.job_id == ANCHOR_JOB]
    assert result.outcome == "ok", result.detail
    assert [line["seq"] for line in anchor_lines(_path(app))] == [2]
    assert [r for r in run_pending(app, moment) if r.job_id == ANCHOR_JOB] == []
    _append(database, 1)
    run_pending(app, moment)
    assert [line["seq"] for line in anchor_lines(_path(app))] == [2, 3]


def test_the_scheduler_refuses_to_anchor_a_truncated_chain(app, database, intruder):
    _append(database, 3)
    moment = datetime(2031, 1, 1, 12, tzinfo=UTC)
    run_pending(app, moment)
    delete_from(database, 3)
    _append(database, 1, prefix="after")  # the table grows back to row 3, with another row
    [result] = [r for r in run_pending(app, moment) if r.job_id == ANCHOR_JOB]
    assert result.outcome == "failed"
    assert "row 3 does not match its anchor" in result.detail
    assert [line["seq"] for line in anchor_lines(_path(app))] == [3]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_audit_key_is_generated_once_into_the_instance_folder(tmp_path, database_url):
    folder = tmp_path / "fresh"
    first = load_settings({"JPA_DATABASE_URL": database_url, "JPA_INSTANCE_PATH": str(folder)})
    again = load_settings({"JPA_DATABASE_URL": database_url, "JPA_INSTANCE_PATH": str(folder)})
    key_file = folder / "audit_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.audit_key.encode()) >= 32
    assert first.audit_key == again.audit_key == key_file.read_text().strip()
    assert first.audit_key not in (first.secret_key, first.blinding_key)
    assert first.audit_anchor_path == folder / "audit-anchors.jsonl"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_audit_settings_from_the_environment(tmp_path, database_url):
    env = {"JPA_DATABASE_URL": database_url, "JPA_INSTANCE_PATH": str(tmp_path),
           "JPA_AUDIT_KEY": "k" * 32, "JPA_AUDIT_ANCHOR_PATH": str(tmp_path / "elsewhere.jsonl")}
    settings = load_settings(env)
    assert settings.audit_key == "k" * 32
    assert settings.audit_anchor_path == tmp_path / "elsewhere.jsonl"
    assert not (tmp_path / "audit_key").exists()
    with pytest.raises(SettingsError, match="JPA_AUDIT_KEY must be at least 32 bytes"):
        load_settings({**env, "JPA_AUDIT_KEY": "k" * 31})


def test_a_checkpoint_line_is_json_with_a_hex_signature(app, database, runner):
    _append(database, 1)
    runner.invoke(args=["audit", "anchor"])
    [line] = _path(app).read_text().splitlines()
    parsed = json.loads(line)
    assert parsed["seq"] == 1
    assert int(parsed["sig"], 16) >= 0
    assert datetime.fromisoformat(parsed["at"]).tzinfo is not None


def test_verify_against_the_log_copy_of_the_checkpoints(app, database, runner, intruder,
                                                        tmp_path):
    """The intruder deletes the tail and the anchor file's newest lines; the copy the log host
    kept (log lines, prefix and all) still shows the deletion."""
    _append(database, 2)
    first = runner.invoke(args=["audit", "anchor"])
    _append(database, 2, prefix="later")
    second = runner.invoke(args=["audit", "anchor"])
    log_copy = tmp_path / "log-host.txt"
    log_copy.write_text("".join(
        f"2026-11-30 11:0{n}:00,000 INFO jpa.audit.anchor: {result.stdout.splitlines()[-1]}\n"
        for n, result in enumerate((first, second))))
    path = _path(app)
    path.write_text(path.read_text().splitlines()[0] + "\n")
    delete_from(database, 3)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # the file alone is fooled
    result = runner.invoke(args=["audit", "verify", "--anchors", str(log_copy)])
    assert result.exit_code == 1
    assert "audit chain BROKEN: rows 3 to 4 are missing" in result.stderr


def test_anchor_prints_the_checkpoint_it_wrote(app, database, runner):
    _append(database, 1)
    result = runner.invoke(args=["audit", "anchor"])
    assert json.loads(result.stdout.splitlines()[-1]) == anchor_lines(_path(app))[0]


def test_an_unwritable_anchor_path_is_an_error_not_a_traceback(app, database, runner, tmp_path):
    _append(database, 1)
    missing = tmp_path / "no-such-folder" / "anchors.jsonl"
    app.extensions["jpa.settings"] = app.extensions["jpa.settings"].with_overrides(
        audit_anchor_path=missing)
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 1
    assert f"cannot write the anchor file {missing}" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    unreadable = runner.invoke(args=["audit", "verify", "--anchors", str(tmp_path)])
    assert unreadable.exit_code == 1
    assert f"cannot read the anchor file {tmp_path}" in unreadable.stderr
