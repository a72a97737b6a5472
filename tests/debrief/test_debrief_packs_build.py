"""A pack from request to download: queued by the API (202), built by the worker with
progress the page can see while it moves, stored as an immutable version whose manifest
names each entry's size and SHA-256; a second request is version 2 and leaves version 1 as
it was. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import zipfile
from datetime import datetime
from io import BytesIO
from typing import Any

from flask import Flask

from debrief.models import Pack
from debrief.pack_builder import build_next
from debrief.pack_zip import ZIP_TIME, is_safe_name
from tests.debrief.debrief_packs_support import (
    API,
    entries,
    make_desk,
    manifest_of,
    sha256,
)


def test_request_build_download(app: Flask, accounts: Any) -> None:
    desk = make_desk(app, accounts)
    response = desk.request("chair.nzl")
    assert response.status_code == 202
    queued = response.get_json()
    assert queued["version"] == 1 and queued["status"] == "building"
    assert queued["progress"] == 0
    assert desk.pack(queued["id"])["stage"] == "queued"

    seen: list[tuple[int, int, str]] = []  # (written, as another session reads it, stage)

    def observe(percent: int, stage: str) -> None:
        # Read back in a session of its own: the progress is committed, not merely flushed.
        seen.append((percent, desk.row(queued["id"]).progress, stage))

    assert build_next(app, observe=observe) == 1
    percents = [written for written, _read, _stage in seen]
    assert percents == sorted(percents) and percents[-1] == 100
    assert len(set(percents)) >= 3, seen  # it moved through stages
    assert all(written == read for written, read, stage in seen if stage != "ready")

    pack = desk.pack(queued["id"])
    assert pack["status"] == "ready" and pack["progress"] == 100
    assert pack["handling"] == "H2" and pack["generated_at"]
    content = desk.download(queued["id"])
    assert pack["zip_bytes"] == len(content)
    files = entries(content)
    names = list(files)
    assert names[0] == "report.html" and names[-1] == "manifest.json"
    assert all(is_safe_name(name) for name in names[:-1])
    manifest = manifest_of(content)
    assert manifest["period"]["id"] == desk.pid and manifest["version"] == 1
    assert manifest["handling"] == "H2"
    assert datetime.fromisoformat(manifest["generated_at"]) == \
        datetime.fromisoformat(pack["generated_at"])
    assert [f["name"] for f in manifest["files"]] == names[:-1]
    for listed in manifest["files"]:
        assert listed["bytes"] == len(files[listed["name"]])
        assert listed["sha256"] == sha256(files[listed["name"]])
    assert pack["files"] == manifest["files"]
    with zipfile.ZipFile(BytesIO(content)) as archive:
        assert {info.date_time for info in archive.infolist()} == {ZIP_TIME}

    assert [e.object_id for e in desk.audit("debrief.pack.requested")] == [str(queued["id"])]
    assert [e.outcome for e in desk.audit("debrief.pack.built")] == ["success"]
    assert len(desk.audit("debrief.pack.downloaded")) == 1
    inbox = desk.api("chair.nzl").get(f"{API}/notifications").get_json()
    told = [n for n in inbox["notifications"] if "Debrief pack version 1" in n["subject"]]
    assert len(told) == 1 and told[0]["link"] == f"/debrief/packs/{queued['id']}"
    other = desk.api("analyst").get(f"{API}/notifications").get_json()["notifications"]
    assert not [n for n in other if "Debrief pack" in n["subject"]]  # only the requester


def test_second_request_is_version_two_and_version_one_stays(app: Flask,
                                                              accounts: Any) -> None:
    desk = make_desk(app, accounts)
    first = desk.queued("chair.nzl")
    build_next(app)
    before = desk.row(first)
    one = desk.download(first)

    second = desk.queued("analyst")
    assert desk.pack(second, "analyst")["version"] == 2
    assert build_next(app) == 1
    assert build_next(app) == 0  # nothing left

    after = desk.row(first)
    assert (after.content, after.files, after.generated_at, after.status) == \
        (before.content, before.files, before.generated_at, "ready")
    assert desk.download(first) == one
    two = desk.download(second)
    # The data files are byte-identical when the data did not change (no time inside).
    data_one = {n: b for n, b in entries(one).items() if n.startswith("data/")}
    data_two = {n: b for n, b in entries(two).items() if n.startswith("data/")}
    assert data_one and data_one == data_two
    listed = desk.api("analyst").get(f"{API}/periods/{desk.pid}/debrief/packs").get_json()
    assert [p["version"] for p in listed["packs"]] == [2, 1]


def test_cli_builds_what_is_queued(app: Flask, accounts: Any, runner: Any) -> None:
    desk = make_desk(app, accounts)
    ids = [desk.queued("chair.nzl"), desk.queued("chair.nzl")]
    result = runner.invoke(args=["debrief", "build-pending"])
    assert result.exit_code == 0, result.output
    assert "built 2 debrief packs" in result.output
    assert [desk.row(i).status for i in ids] == ["ready", "ready"]
    assert runner.invoke(args=["debrief", "build-pending"]).output.startswith("built 0 ")


def test_pack_rows_hold_the_zip_whole(app: Flask, accounts: Any) -> None:
    desk = make_desk(app, accounts)
    pack_id = desk.queued()
    build_next(app)
    row: Pack = desk.row(pack_id)
    assert row.content == desk.download(pack_id)
    assert row.finished_at is not None and row.claimed_at is not None and row.error is None
