"""Re-derive the city columns of the shipped green-manufacturing lists with the list matcher.

Writes ``city_adcode_guess, city_guess, city_match_basis, city_match_evidence`` of the three files in
``src/mfgindex/data/enterprise_lists/`` (the source columns are untouched) and prints the assignment rate per
region before and after. ``tests/workspace/test_list_rates.py`` checks that the shipped columns are what the
matcher gives, so run this after every change to the matcher or its place-name data::

    python scripts/assign_enterprise_lists.py
"""

from __future__ import annotations

import pandas as pd

from mfgindex.core import dataset, geo
from mfgindex.workspace import matcher

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


if __name__ == "__main__":
    main()
