"""Debrief packs over the JSON API: request a build (202), read its progress, list a
period's versions, download a ready ZIP; an NLO's annex likewise (DESIGN.md "Debrief
packs")."""

from __future__ import annotations

from typing import Any

from flask import Response

from core.api import current_api_principal, json_response, make_api_blueprint
from core.db import transaction
from core.errors import NotFound
from core.schemas import ERROR_RESPONSES
from debrief import packs
from debrief.models import Pack
from debrief.packs_schemas import AnnexOut, PackList, PackOut, PackPath, PackQueued
from operations.schemas import PeriodPath

bp = make_api_blueprint("debrief_packs_api", __name__, tag="debrief packs")

ZIP_RESPONSE = {"description": "the ZIP (application/zip)"}
ERRORS_410 = {**ERROR_RESPONSES, 410: ERROR_RESPONSES[404]}


def _out(pack: Pack) -> dict[str, Any]:
    return PackOut.model_validate(packs.pack_view(pack)).model_dump(mode="json")


def zip_response(download: packs.Download) -> Response:
    """The ZIP as an attachment under its fixed name (never cached: no-store is added)."""
    response = Response(download.content, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response


@bp.post("/periods/<int:pid>/debrief/packs", responses={202: PackQueued, **ERROR_RESPONSES})
def request_pack(path: PeriodPath) -> tuple[Response, int]:
    """Queue a new version of the period's pack (co-chairs of the period, analysts); the
    scheduler builds it in the background: poll GET /debrief/packs/{id}."""
    with transaction() as session:
        pack = packs.request_pack(session, actor=current_api_principal(), period_id=path.pid)
        payload = PackQueued(id=pack.id, version=pack.version, status="building",
                             progress=pack.progress).model_dump(mode="json")
    return json_response(payload, 202)


@bp.get("/periods/<int:pid>/debrief/packs", responses={200: PackList, **ERROR_RESPONSES})
def list_packs(path: PeriodPath) -> tuple[Response, int]:
    """The period's packs, newest version first (co-chairs, analysts)."""
    with transaction(write=False) as session:
        found = packs.list_packs(session, actor=current_api_principal(), period_id=path.pid)
        payload = {"packs": [_out(p) for p in found]}
    return json_response(payload)


@bp.get("/debrief/packs/<int:pack_id>", responses={200: PackOut, **ERROR_RESPONSES})
def get_pack(path: PackPath) -> tuple[Response, int]:
    """One pack: status, progress and stage while building; files with sizes and SHA-256
    once ready."""
    with transaction(write=False) as session:
        pack = packs.visible_pack(session, actor=current_api_principal(), pack_id=path.pack_id)
        payload = _out(pack)
    return json_response(payload)


@bp.get("/debrief/packs/<int:pack_id>/download", responses={200: ZIP_RESPONSE, **ERRORS_410})
def download_pack(path: PackPath) -> Response:
    """The ready pack's ZIP (409 while building, 410 if its build failed); audited."""
    with transaction() as session:
        found = packs.download_pack(session, actor=current_api_principal(),
                                    pack_id=path.pack_id)
    return zip_response(found)


@bp.post("/periods/<int:pid>/debrief/annex", responses={202: AnnexOut, **ERROR_RESPONSES})
def request_annex(path: PeriodPath) -> tuple[Response, int]:
    """Queue a build of the caller's state's annex from the current data (NLOs of a
    participating state; co-chairs, analysts and the administrator: 403); one already
    building is returned instead. Poll GET .../debrief/annex/status."""
    with transaction() as session:
        annex = packs.request_annex(session, actor=current_api_principal(),
                                    period_id=path.pid)
        payload = AnnexOut.model_validate(packs.annex_view(annex)).model_dump(mode="json")
    return json_response(payload, 202)


@bp.get("/periods/<int:pid>/debrief/annex/status", responses={200: AnnexOut, **ERROR_RESPONSES})
def annex_status(path: PeriodPath) -> tuple[Response, int]:
    """The caller's state's newest annex: progress while building, files once ready (404
    before the first request)."""
    with transaction(write=False) as session:
        annex = packs.annex_status(session, actor=current_api_principal(), period_id=path.pid)
        if annex is None:
            raise NotFound("debrief annex")
        payload = AnnexOut.model_validate(packs.annex_view(annex)).model_dump(mode="json")
    return json_response(payload)


@bp.get("/periods/<int:pid>/debrief/annex", responses={200: ZIP_RESPONSE, **ERROR_RESPONSES})
def download_annex(path: PeriodPath) -> Response:
    """The caller's state's newest ready annex ZIP (409 while none is ready); audited."""
    with transaction() as session:
        found = packs.download_annex(session, actor=current_api_principal(),
                                     period_id=path.pid)
    return zip_response(found)
