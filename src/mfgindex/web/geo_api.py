"""``GET /api/geo/{kind}``: the shipped boundaries (GeoJSON) that the map draws, each compressed once and kept
(not per request); ``province_borders`` is derived from the provinces' polygons."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from mfgindex.core import geo
from mfgindex.web.service import ERRORS, Service

GEO_FILES = ("prefectures", "provinces", "nine_dash", "province_borders")


@cache
def geo_bytes(kind: str) -> bytes:
    """A boundary file as served; ``province_borders`` is derived (see :func:`province_borders`)."""
    if kind == "province_borders":
        return json.dumps(province_borders(), separators=(",", ":")).encode()
    return Path(geo.geojson_path(kind)).read_bytes()


@cache
def geo_gzip(kind: str) -> bytes:
    return gzip.compress(geo_bytes(kind), compresslevel=9, mtime=0)


def province_borders(digits: int = 2) -> dict[str, Any]:
    """Province outlines as lines only (what the map draws over the prefectures), coordinates rounded to
    ``digits`` decimals (0.01° ≈ 1 km, below a pixel at the dashboard's zoom) with repeated points dropped:
    a quarter of the polygons file's compressed size, and nothing to hover or click."""
    data = json.loads(Path(geo.geojson_path("provinces")).read_text(encoding="utf-8"))
    features = []
    for f in data["features"]:
        g = f["geometry"]
        polygons = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        lines = []
        for ring in (ring for poly in polygons for ring in poly):
            line: list[list[float]] = []
            for x, y in ring:
                point = [round(x, digits), round(y, digits)]
                if not line or point != line[-1]:
                    line.append(point)
            if len(line) > 2:
                lines.append(line)
        features.append(
            {
                "type": "Feature",
                "properties": {"adcode": f["properties"]["adcode"], "name": f["properties"]["name"]},
                "geometry": {"type": "MultiLineString", "coordinates": lines},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def router(service: Service) -> APIRouter:
    api = APIRouter(prefix="/api", responses=ERRORS)
    st = service.state

    @api.get(
        "/geo/{kind}",
        summary="Shipped boundaries (GeoJSON): prefectures, provinces, nine_dash, province_borders (lines)",
        response_class=Response,
    )
    async def geojson(kind: str, request: Request) -> Response:
        if kind not in GEO_FILES or st.dataset.kind != "cities":
            raise HTTPException(
                404, f"没有边界文件 {kind[:20]!r} (no boundary file; expected one of {', '.join(GEO_FILES)})"
            )
        headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):  # compressed once, not per request
            headers["Content-Encoding"] = "gzip"
            return Response(geo_gzip(kind), media_type="application/geo+json", headers=headers)
        return Response(geo_bytes(kind), media_type="application/geo+json", headers=headers)

    return api
