"""``GET /api/cities/{code}/policies``: a city's policy timeline.

Records come from the workspace named by ``app.state.policy_workspace`` (a folder) when set, else from the
shipped sample (the CAICT 2023 report's 表1, 表2 and 专栏1–2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from mfgindex.core import geo
from mfgindex.policy import library
from mfgindex.policy.records import KINDS
from mfgindex.web.messages import unknown_city
from mfgindex.web.service import json_response


def timeline(code: str, workspace: Path | None = None, kind: str | None = None) -> dict[str, Any]:
    """A city's records, newest year first, as JSON-ready dicts."""
    q = library.Query.make(cities=[code], kinds=[kind] if kind else [])
    df = library.find(workspace, q).sort_values(["year", "kind", "seq"], ascending=[False, True, True])
    items = [
        {
            "year": int(r["year"]),
            "kind": str(r["kind"]),
            "kind_zh": KINDS[str(r["kind"])],
            "department": str(r["department"] or ""),
            "title": str(r["title"] or ""),
            "text": str(r["text"] or ""),
            "tags": [str(t) for t in r["tags"]],
            "source": str(r["source"] or ""),
            "source_url": str(r["source_url"] or ""),
        }
        for _, r in df.iterrows()
    ]
    units = geo.units()
    return {
        "code": code,
        "name": str(units.at[code, "name"]),
        "count": len(items),
        "source": "workspace" if workspace is not None else "sample",
        "items": items,
    }


def router() -> APIRouter:
    api = APIRouter(prefix="/api", tags=["policies"])

    @api.get("/cities/{code}/policies", summary="A city's policy and case timeline")
    def policies(
        request: Request,
        code: str,
        kind: Annotated[str | None, Query(description="record kind (case_study …)")] = None,
    ) -> Response:
        if code not in geo.units().index:
            raise HTTPException(404, unknown_city(code))
        if kind is not None and kind not in KINDS:
            raise HTTPException(
                422, f"未知的政策类型 {kind[:40]!r} (unknown kind)；可选 (expected)：{', '.join(KINDS)}"
            )
        ws = getattr(request.app.state, "policy_workspace", None)
        return json_response(timeline(code, Path(ws) if ws else None, kind))

    return api
