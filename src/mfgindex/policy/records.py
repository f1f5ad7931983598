"""Policy and case records: the table layout, its validation and the shipped sample.

A record is one government work report excerpt (``gov_work_report``), one policy document
(``policy_document``) or one case study (``case_study``, a 专栏) of a city in a year. Files are CSV (UTF-8,
with or without BOM) or XLSX (first sheet), one record per row, with these columns (English or Chinese
headers):

==============  =================  ==========================================================================
column          also accepted      rule
==============  =================  ==========================================================================
city            城市               required: a prefecture-level city name or 6-digit adcode
province        省份               optional: disambiguates a city name
year            年份 / 年度        required: integer 1949–2100
kind            类型               required: gov_work_report / policy_document / case_study
                                   (or 政府工作报告 / 政策文件 / 案例 / 专栏)
department      发文部门           required for policy documents
title           标题 / 文件名称    required for policy documents and case studies
text            内容 / 相关表述    required for work report excerpts and case studies
tags            标签               optional: separated by ; ； 、 , ， or |
source          来源               required: where the record comes from (publication, page, table)
source_url      链接               optional: an http(s) URL
id              编号               optional: stable record id (default: city, year, kind, department, title)
seq             序号               optional: order within a published table
==============  =================  ==========================================================================

Every problem is reported with its file, row (spreadsheet numbering: header = row 1) and column; a file with
any problem is rejected as a whole.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mfgindex.core import geo
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.ingest import read_cells

KINDS: dict[str, str] = {
    "gov_work_report": "政府工作报告",
    "policy_document": "政策文件",
    "case_study": "案例",
}
KIND_ALIASES: dict[str, str] = {
    "gov_work_report": "gov_work_report",
    "政府工作报告": "gov_work_report",
    "工作报告": "gov_work_report",
    "policy_document": "policy_document",
    "policy": "policy_document",
    "政策文件": "policy_document",
    "政策性文件": "policy_document",
    "政策": "policy_document",
    "case_study": "case_study",
    "case": "case_study",
    "案例": "case_study",
    "专栏": "case_study",
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "record_id"),
    "city": ("city", "城市", "地市", "adcode", "code"),
    "province": ("province", "省份", "省"),
    "year": ("year", "年份", "年度"),
    "kind": ("kind", "类型", "类别"),
    "department": ("department", "发文部门", "部门", "issuer"),
    "title": ("title", "标题", "文件名称", "名称"),
    "text": ("text", "内容", "相关表述", "摘录", "excerpt"),
    "tags": ("tags", "标签", "tag"),
    "source": ("source", "来源", "出处"),
    "source_url": ("source_url", "链接", "url", "link"),
    "seq": ("seq", "序号"),
}
REQUIRED = ("city", "year", "kind", "source")
RECORD_COLUMNS = (
    "key",
    "unit",
    "city_name",
    "province",
    "year",
    "kind",
    "department",
    "title",
    "text",
    "tags",
    "source",
    "source_url",
    "seq",
    "search_text",
    "location",
)
TAG_SPLIT = re.compile(r"[;；、,，|]+")
URL = re.compile(r"^https?://[^\s]+$")
SAMPLE = ("policy", "caict2023_policy_records.csv")


def normalise_text(text: str) -> str:
    """Search form of a text: NFKC (full-width → half-width), case-folded, without spaces or punctuation.

    The same function is applied to stored texts and to query words, so that ``"苏州 制造"``, ``"“苏州制造”"``
    and ``"苏州制造"`` match alike.
    """
    t = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in t if not (ch.isspace() or unicodedata.category(ch)[0] in "PSZ"))


def split_tags(text: str) -> list[str]:
    """``"数字化转型; 绿色制造、专精特新"`` → unique tags in order."""
    out: list[str] = []
    for part in TAG_SPLIT.split(unicodedata.normalize("NFKC", text)):
        tag = part.strip()
        if tag and tag not in out:
            out.append(tag)
    return out


def _header_map(columns: list[str], file: str, sheet: str) -> dict[str, str]:
    lower = {str(c).strip().lower(): str(c) for c in columns}
    found: dict[str, str] = {}
    for field, names in COLUMNS.items():
        for n in names:
            if n.lower() in lower:
                found[field] = lower[n.lower()]
                break
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        raise UserError(
            [
                Problem(
                    f"missing column {m}",
                    file=file,
                    sheet=sheet,
                    row=1,
                    expected=" or ".join(COLUMNS[m]),
                )
                for m in missing
            ]
        )
    return found


def read_table(path: Path) -> tuple[pd.DataFrame, str]:
    """All cells as stripped strings; the sheet read (XLSX: the first sheet)."""
    file = str(path)
    if not path.exists():
        raise UserError(Problem("file not found", file=file))
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UserError(Problem("unsupported file type", file=file, expected=".csv or .xlsx"))
    try:
        df, sheet, _ = read_cells(Path(path))
    except UserError:
        raise
    except Exception as exc:  # a corrupt or unreadable file is the user's input problem
        raise UserError(Problem(f"cannot read file: {exc}", file=file)) from None
    return df.map(lambda v: str(v).strip()), str(sheet)


def record_key(unit: str, year: int, kind: str, department: str, title: str, given: str = "") -> str:
    """A record's identity: the file's id when given, else a hash of city, year, kind, department, title."""
    if given:
        return given
    text = "\t".join([unit, str(year), kind, department, title])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class _Row:
    values: dict[str, str]
    row: int


def validate(df: pd.DataFrame, file: str, sheet: str = "") -> pd.DataFrame:
    """Validate a policy table; return records (:data:`RECORD_COLUMNS`) or raise with every problem."""
    cols = _header_map(list(df.columns), file, sheet)
    problems: list[Problem] = []
    out: list[dict[str, object]] = []
    units = geo.units()

    def bad(msg: str, row: int, field: str, value: str = "", expected: str = "") -> None:
        problems.append(
            Problem(
                msg,
                file=file,
                sheet=sheet,
                row=row,
                column=cols.get(field, field),
                value=value,
                expected=expected,
            )
        )

    if df.empty:
        raise UserError(Problem("no records", file=file, sheet=sheet))
    for i, rec in enumerate(df.to_dict("records")):
        row = i + 2
        v = {f: str(rec.get(c, "")).strip() for f, c in cols.items()}
        if not any(v.values()):
            continue  # blank line
        n_before = len(problems)
        match = geo.resolve(v["city"], v.get("province") or None) if v["city"] else None
        if match is None:
            bad("missing city", row, "city", expected="a city name or adcode")
        elif match.code is None:
            bad(match.reason, row, "city", v["city"], "a prefecture-level city name or adcode")
        year = 0
        if not re.fullmatch(r"\d{4}(\.0)?", v["year"]):
            bad("not a year", row, "year", v["year"], "a four-digit year")
        else:
            year = int(float(v["year"]))
            if not 1949 <= year <= 2100:
                bad("year out of range", row, "year", v["year"], "1949–2100")
        kind = KIND_ALIASES.get(v["kind"].strip().lower(), "")
        if not kind:
            bad("unknown kind", row, "kind", v["kind"], " / ".join(KINDS))
        dept, title, text = v.get("department", ""), v.get("title", ""), v.get("text", "")
        if kind == "policy_document" and not dept:
            bad("a policy document needs its issuing department", row, "department")
        if kind in ("policy_document", "case_study") and not title:
            bad(f"a {kind} needs a title", row, "title")
        if kind in ("gov_work_report", "case_study") and not text:
            bad(f"a {kind} needs its text or excerpt", row, "text")
        if not v["source"]:
            bad("missing source (where the record comes from)", row, "source")
        url = v.get("source_url", "")
        if url and not URL.match(url):
            bad("not an http(s) URL", row, "source_url", url, "https://…")
        seq_text = v.get("seq", "")
        seq: int | None = None
        if seq_text:
            if re.fullmatch(r"\d+(\.0)?", seq_text):
                seq = int(float(seq_text))
            else:
                bad("not a whole number", row, "seq", seq_text, "1, 2, 3 …")
        if len(problems) > n_before or match is None or match.code is None:
            continue
        code = match.code
        title = title.strip()
        tags = split_tags(v.get("tags", ""))
        name = str(units.at[code, "name"])
        out.append(
            {
                "key": record_key(code, year, kind, dept, title, v.get("id", "")),
                "unit": code,
                "city_name": name,
                "province": str(units.at[code, "province"]),
                "year": year,
                "kind": kind,
                "department": dept,
                "title": title,
                "text": text,
                "tags": tags,
                "source": v["source"],
                "source_url": url,
                "seq": seq,
                "search_text": normalise_text(" ".join([name, dept, title, text, *tags])),
                "location": Problem("", file=file, sheet=sheet, row=row).location(),
            }
        )
    if not problems:
        frame = pd.DataFrame(out, columns=list(RECORD_COLUMNS))
        dup = frame["key"].duplicated(keep=False)
        for key, loc in zip(frame.loc[dup, "key"], frame.loc[dup, "location"], strict=True):
            problems.append(
                Problem(f"duplicate record (id or city, year, kind, department, title): {key}", file=loc)
            )
    if problems:
        raise UserError(problems)
    if not out:
        raise UserError(Problem("no records", file=file, sheet=sheet))
    return frame


def read_records(path: Path) -> pd.DataFrame:
    """Read and validate a policy/case file (CSV or XLSX)."""
    df, sheet = read_table(path)
    return validate(df, str(path), sheet)


def sample_path() -> Path:
    """The shipped sample: the seed report's 表1, 表2 and 专栏1–2 (see data/policy/README.md)."""
    return geo.data_path(*SAMPLE)


def sample() -> pd.DataFrame:
    """The shipped sample as validated records."""
    return read_records(sample_path())
