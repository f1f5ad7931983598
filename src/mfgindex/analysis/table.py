"""The ranking table that every analysis reads, and the reader for published rankings.

A *ranking table* is a DataFrame indexed by adcode (``code``, str) with at least the columns
``name, province, region, rank``; optionally ``province_rank`` (int), ``prev_rank`` (float, NaN when
unknown), ``change`` (``up``/``down``/``same``/``new``), ``is_capital`` and score columns ``<id>`` /
``<id>_rank`` as in a run's ``scores.csv`` (docs/ARCHITECTURE.md). :func:`read_published_ranking` builds one
from a published list such as the CAICT 2023 top 50 (表3); :func:`from_scores` from a run's scores.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from mfgindex.core import geo
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.ingest import read_cells

CHANGES: tuple[str, ...] = ("up", "down", "same", "new")

# Column aliases accepted in a published ranking (English ids as in the shipped CSV, Chinese as in 表3).
_ALIASES: dict[str, tuple[str, ...]] = {
    "province": ("province", "省份", "省"),
    "city": ("city", "地市", "城市", "name"),
    "national_rank": ("national_rank", "全国排名", "rank", "排名"),
    "province_rank": ("province_rank", "地区排名", "省内排名"),
    "rank_change": ("rank_change", "排名变化", "change"),
    "prev_rank": ("prev_rank", "上年排名"),
}
_REQUIRED = ("province", "city", "national_rank")
_CHANGE_WORDS: dict[str, str] = {
    "up": "up",
    "↑": "up",
    "上升": "up",
    "down": "down",
    "↓": "down",
    "下降": "down",
    "same": "same",
    "—": "same",
    "-": "same",
    "–": "same",
    "持平": "same",
    "new": "new",
    "新增": "new",
    "新上榜": "new",
}
_PROVINCE_RANK = re.compile(r"^\s*(\D*?)\s*(\d+)\s*$")


def _find_columns(columns: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    stripped = {c.strip().lower(): c for c in columns}
    for key, aliases in _ALIASES.items():
        for alias in aliases:
            if alias.lower() in stripped:
                found[key] = stripped[alias.lower()]
                break
    return found


def read_published_ranking(path: str | Path) -> pd.DataFrame:
    """Read a published ranking (CSV or XLSX) into a ranking table.

    Parameters
    ----------
    path
        A file with columns ``province, city, national_rank`` and optionally ``province_rank`` (苏1),
        ``rank_change`` (up/down/same/new, or ↑ ↓ — 新增) and ``prev_rank``. Chinese headers as in
        the report's 表3 (省份, 地市, 全国排名, 地区排名, 排名变化) are accepted too.

    Returns
    -------
    pandas.DataFrame
        Ranking table indexed by adcode, sorted by rank.

    Raises
    ------
    UserError
        With file, row (line number in the file, header = 1) and column of every problem: a missing
        column, an unknown or ambiguous city, a city outside the given province, a rank that is not a
        positive integer, a duplicated city, an unknown change word or a province rank whose
        abbreviation contradicts the province.
    """
    p = Path(path)
    fname = str(path)
    if not p.is_file():
        raise UserError(Problem("文件不存在", file=fname))
    try:
        raw = read_cells(p)[0]
    except (ValueError, OSError) as exc:
        raise UserError(Problem(f"无法读取文件: {exc}", file=fname)) from exc
    cols = _find_columns([str(c) for c in raw.columns])
    missing = [c for c in _REQUIRED if c not in cols]
    if missing:
        raise UserError(
            [
                Problem(
                    "缺少必需列",
                    file=fname,
                    column=m,
                    expected=" / ".join(_ALIASES[m]),
                )
                for m in missing
            ]
        )
    units = geo.units()
    problems: list[Problem] = []
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    line = 0

    def bad(message: str, key: str, value: str, expected: str = "") -> None:
        """A problem in this row's ``key`` column (the row is left out)."""
        problems.append(
            Problem(message, file=fname, row=line, column=cols[key], value=value, expected=expected)
        )

    for i, rec in enumerate(raw.to_dict("records")):
        line = i + 2
        province_text = str(rec[cols["province"]]).strip()
        city_text = str(rec[cols["city"]]).strip()
        if not city_text and not province_text:
            continue  # blank line
        province = geo.normalise_province(province_text)
        if province is None:
            bad("无法识别的省份", "province", province_text)
            continue
        match = geo.resolve(city_text, province)
        if match.code is None:
            bad(match.reason, "city", city_text)
            continue
        code = match.code
        if code in seen:
            bad(f"城市重复（已见于第 {seen[code]} 行）", "city", city_text)
            continue
        seen[code] = line
        rank_text = str(rec[cols["national_rank"]]).strip()
        try:
            rank = int(float(rank_text))
            if rank < 1 or float(rank_text) != rank:
                raise ValueError(rank_text)
        except ValueError:
            bad("排名不是正整数", "national_rank", rank_text, "1, 2, 3 …")
            continue
        row: dict[str, object] = {
            "code": code,
            "name": units.at[code, "name"],
            "province": units.at[code, "province"],
            "region": units.at[code, "region"],
            "rank": rank,
        }
        if "province_rank" in cols:
            text = str(rec[cols["province_rank"]]).strip()
            m = _PROVINCE_RANK.match(text) if text else None
            if text and m is None:
                bad("无法识别的地区排名", "province_rank", text, "苏1")
                continue
            if m is not None:
                abbr = m.group(1).strip()
                prov_short = str(units.at[code, "province"])
                prov_abbr = str(units.at[code, "province_abbr"])
                if abbr and abbr not in (prov_abbr, prov_short):
                    bad(
                        f"地区排名的简称与省份不符（{prov_short} 的简称是 {prov_abbr}）",
                        "province_rank",
                        text,
                    )
                    continue
                row["province_rank"] = int(m.group(2))
        if "rank_change" in cols:
            text = str(rec[cols["rank_change"]]).strip()
            if text:
                word = _CHANGE_WORDS.get(text.lower())
                if word is None:
                    bad("无法识别的排名变化", "rank_change", text, "up/down/same/new 或 ↑ ↓ — 新增")
                    continue
                row["change"] = word
        if "prev_rank" in cols:
            text = str(rec[cols["prev_rank"]]).strip()
            if text:
                try:
                    row["prev_rank"] = float(int(float(text)))
                except ValueError:
                    bad("上年排名不是整数", "prev_rank", text)
                    continue
        rows.append(row)
    if problems:
        raise UserError(problems)
    if not rows:
        raise UserError(Problem("榜单为空", file=fname))
    table = pd.DataFrame(rows).set_index("code")
    table["is_capital"] = units.loc[table.index, "is_capital"].to_numpy()
    if "prev_rank" in table.columns and "change" not in table.columns:
        table["change"] = change_from_ranks(table["rank"], table["prev_rank"])
    return finalise(table)


def change_from_ranks(rank: pd.Series, prev_rank: pd.Series) -> pd.Series:
    """``up``/``down``/``same``/``new`` from current and previous ranks (NaN previous → ``new``)."""
    out = pd.Series("new", index=rank.index, dtype=object)
    known = prev_rank.notna()
    out[known & (prev_rank > rank)] = "up"
    out[known & (prev_rank < rank)] = "down"
    out[known & (prev_rank == rank)] = "same"
    return out


def finalise(table: pd.DataFrame) -> pd.DataFrame:
    """Sort by rank (then code), name the index ``code`` and add derived columns if missing.

    Adds ``is_capital`` from the shipped divisions and ``province_rank`` (competition ranking of
    ``rank`` within each province over the rows given) when absent.
    """
    t = table.copy()
    t.index = t.index.astype(str)
    t.index.name = "code"
    if "is_capital" not in t.columns:
        caps = geo.units()["is_capital"]
        t["is_capital"] = [bool(caps.get(c, False)) for c in t.index]
    if "province_rank" not in t.columns:
        t["province_rank"] = t.groupby("province")["rank"].rank(method="min").astype(int)
    t["rank"] = t["rank"].astype(int)
    return t.sort_values(["rank"], kind="stable")


def from_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Ranking table from a run's ``scores.csv`` frame (docs/ARCHITECTURE.md).

    ``rank_change`` (int, + = up) is kept; ``province_rank`` given as 苏1 is reduced to its number.
    """
    t = scores.copy()
    if "code" in t.columns:
        t = t.set_index("code")
    # units without an index score (too little data) are unranked: not part of the ranking
    t = t[pd.to_numeric(t["rank"], errors="coerce").notna()]
    if "province_rank" in t.columns and not pd.api.types.is_numeric_dtype(t["province_rank"]):
        t["province_rank"] = (
            t["province_rank"].astype(str).str.extract(r"(\d+)")[0].astype(float).astype("Int64")
        )
    if "prev_rank" in t.columns:
        t["prev_rank"] = pd.to_numeric(t["prev_rank"], errors="coerce")
    return finalise(t)


def top(table: pd.DataFrame, n: int) -> pd.DataFrame:
    """Rows with ``rank <= n`` (ties at the boundary included, as with competition ranking)."""
    return table[table["rank"] <= n]
