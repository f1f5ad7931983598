"""Re-derive the city columns of the shipped green-manufacturing lists with the list matcher.

Writes ``city_adcode_guess, city_guess, city_match_basis, city_match_evidence`` of the three files in
``src/mfgindex/data/enterprise_lists/`` (the source columns are untouched) and prints the assignment rate per
region before and after. ``tests/workspace/test_list_rates.py`` checks that the shipped columns are what the
matcher gives, so run this after every change to the matcher or its place-name data::

    python scripts/assign_enterprise_lists.py

``--sample OUT.csv`` instead draws the precision sample (seed 20261201, 100 green-factory assignments
that need inference) with the evidence of each and empty ``verdict, note`` columns to fill in after
checking each row (``docs/lists/precision_sample.csv`` is that draw, checked).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from mfgindex.core import dataset, geo
from mfgindex.workspace import matcher, places

FILES = {
    "green_factories": "green_factories_batches1-6_2017-2021.csv",
    "green_parks": "green_industrial_parks_batches1-6_2017-2021.csv",
    "green_supply": "green_supply_chain_enterprises_batches1-6_2017-2021.csv",
}
DERIVED = ["city_adcode_guess", "city_guess", "city_match_basis", "city_match_evidence"]


def derive(df: pd.DataFrame) -> pd.DataFrame:
    """The derived columns for a list with ``name`` and ``region_raw``."""
    names = geo.units()["name"]
    got = [matcher.assign(n, r) for n, r in zip(df["name"], df["region_raw"], strict=True)]
    return pd.DataFrame(
        {
            "city_adcode_guess": [a.code or "" for a in got],
            "city_guess": [str(names[a.code]) if a.code else "" for a in got],
            "city_match_basis": [a.basis for a in got],
            "city_match_evidence": [a.describe() or a.reason for a in got],
        },
        index=df.index,
    )


def main() -> None:
    for name, file in FILES.items():
        path = geo.data_path("enterprise_lists", file)
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        before = dataset.assignment_rates(df["region_raw"], df["city_adcode_guess"] != "")
        new = derive(df)
        source = [c for c in df.columns if c not in DERIVED]
        out = pd.concat([df[source], new], axis=1)
        out.to_csv(path, index=False, lineterminator="\n")
        after = dataset.assignment_rates(out["region_raw"], out["city_adcode_guess"] != "")
        both = before.merge(after, on="region", suffixes=("_before", "_after"))
        n, b, a = (
            int(both["entries_after"].sum()),
            int(both["assigned_before"].sum()),
            int(both["assigned_after"].sum()),
        )
        print(f"{name}: {b}/{n} ({b / n:.1%}) → {a}/{n} ({a / n:.1%})")
        for r in both.itertuples():
            print(
                f"  {r.region}\t{r.entries_after}\t{r.assigned_before} ({r.rate_before:.0%})"
                f"\t→ {r.assigned_after} ({r.rate_after:.0%})"
            )


def sample(out: Path, n: int = 100, seed: int = 20261201) -> None:
    """The precision sample: ``n`` inferred green-factory assignments with their evidence."""
    df = pd.read_csv(
        geo.data_path("enterprise_lists", FILES["green_factories"]), dtype=str, keep_default_na=False
    )
    exact = ("municipality", "province_column_is_city")  # the region column: exact by construction
    inferred = df[(df["city_adcode_guess"] != "") & ~df["city_match_basis"].isin(exact)]
    drawn = inferred.sample(n, random_state=seed).sort_index()
    units = geo.units()
    counties = pd.read_csv(
        geo.data_path("admin_divisions", "county_level_units.csv"), dtype=str, keep_default_na=False
    ).set_index("adcode")
    listed = pd.read_csv(
        geo.data_path("enterprise_lists", "listed_companies_cn_2022-03.csv"), dtype=str, keep_default_na=False
    ).set_index("stockid")
    towns = places.town_units().set_index("adcode")

    def place(kind: str, code: str) -> str:
        if kind in ("listed_company", "listed_company_family"):
            return f"{listed.at[code, 'sname']}：{listed.at[code, 'city']}"
        if kind == "town":
            county = str(towns.at[code, "county_adcode"])
            prefecture = str(counties.at[county, "prefecture_adcode"])
            return f"{units.at[prefecture, 'name']}{counties.at[county, 'name']}{towns.at[code, 'name']}"
        if code in units.index:
            return str(units.at[code, "name"])
        return f"{units.at[counties.at[code, 'prefecture_adcode'], 'name']}{counties.at[code, 'name']}"

    rows = []
    for i, r in drawn.iterrows():
        got = matcher.assign(r["name"], r["region_raw"])
        ev = got.evidence
        rows.append(
            {
                "row": int(str(i)) + 2,
                "batch": r["batch"],
                "region": r["region_raw"],
                "name": r["name"],
                "adcode": r["city_adcode_guess"],
                "city": r["city_guess"],
                "basis": r["city_match_basis"],
                "evidence_kind": ";".join(e.kind for e in ev),
                "evidence_text": ";".join(e.text for e in ev),
                "evidence_code": ";".join(e.code for e in ev),
                "evidence_place": ";".join(place(e.kind, c) for e in ev for c in e.code.split("|")),
                "verdict": "",
                "note": "",
            }
        )
    pd.DataFrame(rows).to_csv(out, index=False, lineterminator="\n")
    print(f"{len(rows)} rows → {out}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--sample":
        sample(Path(sys.argv[2]))
    else:
        main()
