"""Every answer of a fixed set of what-if requests, to compare two versions of the server byte for byte.

The app of ``mfgindex serve`` (embedded data) is driven in process through the server's own HTTP protocol
(``web_driver.py``). The requests (seeded, the same on every run) cover both answer forms with fresh
random weights, indicator weights, other years, ``stages: false``, ``top``, ``fields``, every
normalisation, ranges and aggregations, repeated requests (the cache), gzip, and the error answers
(invalid weights, unknown ids and fields, bad JSON, another content type, a body over the limit, the wrong
method). Each answer is kept whole — status line, headers (without ``date``) and body.

    .venv/bin/python benchmarks/web_answers.py --save /tmp/old.json.gz     # on the old version
    .venv/bin/python benchmarks/web_answers.py --compare /tmp/old.json.gz  # on the new one

``--compare`` prints the number of requests and of identical answers, and the first differences.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

from web_driver import DIMS, Driver, random_weights, whatif_request

INDICATORS = ["va_secondary", "patent_grants", "co2_intensity", "dfi_index", "listed_mfg_firms"]
NORMALISE = ["minmax", "zscore", "rank", "prank", "efficacy", "ratio", "frontier"]
AGGREGATE = ["arithmetic", "geometric", "harmonic", "topsis"]
YEARS = [2015, 2017, 2019, 2021, 2022, 2023]


def requests(seed: int = 0) -> list[bytes]:
    """The fixed set of requests (see the module docstring)."""
    rng = random.Random(seed)
    out: list[bytes] = []
    forms: list[dict[str, Any]] = [{}, {"format": "columns"}]
    for i in range(300):  # fresh dimension weights, both forms, sometimes a zero or a subset
        w = random_weights(rng)
        if i % 10 == 3:
            w[rng.choice(DIMS)] = 0
        if i % 10 == 7:
            w = {d: w[d] for d in rng.sample(DIMS, 3)}
        out.append(whatif_request({"weights": w, **forms[i % 2]}))
    for i in range(40):  # indicator weights (a dimension's own children change), some with dimensions
        w = {k: round(rng.uniform(0, 2), 3) for k in rng.sample(INDICATORS, 2)}
        if i % 2:
            w.update(random_weights(rng))
        out.append(whatif_request({"weights": w, **forms[i % 2]}))
    for i in range(20):
        out.append(whatif_request({"weights": random_weights(rng), "stages": False, **forms[i % 2]}))
        out.append(whatif_request({"weights": random_weights(rng), "year": YEARS[i % 6], **forms[i % 2]}))
    for top in (1, 5, 50, 331, 1000):
        for form in forms:
            out.append(whatif_request({"weights": random_weights(rng), "top": top, **form}))
    fields = [
        ["rank"],
        ["index", "rank_change"],
        ["nominal_rank", "scale", "innovation", "rank"],
        ["rank", "rank", "green"],
        ["quality", "digital", "agglomeration", "enterprise"],
    ]
    for f in fields:
        out.append(whatif_request({"weights": random_weights(rng), "format": "columns", "fields": f}))
        body = {"weights": random_weights(rng), "format": "columns", "fields": f, "top": 20}
        out.append(whatif_request(body))
        out.append(whatif_request({"weights": {"innovation_centres": 3}, "format": "columns", "fields": f}))
    for norm in NORMALISE:
        for form in forms:
            out.append(whatif_request({"weights": random_weights(rng), "normalise": norm, **form}))
    for agg in AGGREGATE:
        for form in forms:
            out.append(whatif_request({"weights": random_weights(rng), "aggregate": agg, **form}))
            w = random_weights(rng)
            out.append(
                whatif_request(
                    {"weights": w, "aggregate": agg, "normalise": "minmax", "range": [1, 100], **form}
                )
            )
    out.append(whatif_request({"weights": {}, "range": [0, 1e6], "format": "columns"}))
    for form in forms:  # nothing recomputed: the nominal ranking
        out.append(whatif_request({**form}))
        out.append(whatif_request({"weights": {"scale": 1, "quality": 1}, "top": 7, **form}))
        out.append(whatif_request({"weights": {"green_parks": 1, "green_factories": 1}, **form}))
    out.append(whatif_request({"weights": {"scale": 1}, "normalise": "zscore", "aggregate": "geometric"}))
    repeat = out[:10]  # the same requests again: answered from the cache
    out.extend(repeat)
    for i in range(20):  # gzip: compressed by the middleware
        out.append(whatif_request({"weights": random_weights(rng), **forms[i % 2]}, gzip=True))
    out.extend(whatif_request(r, gzip=True) for r in ({"weights": {"scale": "x"}}, b"{"))
    errors: list[dict[str, Any] | bytes] = [
        {"weights": {d: 0 for d in DIMS}},
        {"weights": {"nope": 1}},
        {"weights": {"scale": -1}},
        {"weights": {"scale": "1"}},
        {"weights": {"scale": True}},
        {"weights": {"scale": 1e7}},
        {"weights": {"index": 1}},
        {"weights": {"scale": 1}, "year": 1999},
        {"weights": {"scale": 1}, "fields": ["rank"]},
        {"weights": {"scale": 1}, "format": "columns", "fields": ["nope"]},
        {"weights": {"scale": 1}, "format": "table"},
        {"weights": {"scale": 1}, "extra": 1},
        {"weights": {"scale": 1}, "range": [0, 0.5]},
        {"weights": {"scale": 1}, "top": 0},
        {"weights": {"scale": 1}, "normalise": "nope"},
        {"weights": {f"k{i}": 1 for i in range(300)}},
        {"weights": {"scale": 1}, "format": "columns", "fields": [f"f{i}" for i in range(65)]},
        b"{",
        b"",
        b"[]",
        b'{"weights": {"scale": NaN}}',
        b'{"weights": {"scale": 1e999}}',
        b'{"weights": {"scale": 1}} ',
        json.dumps({"weights": {"scale": 1}, "pad": "x" * 17000}).encode(),
    ]
    for e in errors:
        out.append(whatif_request(e))
    out.append(whatif_request({"weights": {"scale": 1}}, content_type=b"text/plain"))
    out.append(whatif_request({"weights": {"scale": 1}}, content_type=b"application/json; charset=utf-8"))
    out.append(whatif_request({"weights": {"scale": 1}}, content_type=None))
    out.append(whatif_request(b"", method=b"GET", content_type=None))
    out.append(whatif_request({"weights": {"scale": 1}}, path=b"/api/whatif/"))
    return out


DATE = re.compile(rb"\r\ndate: [^\r]*", re.I)


def answers(reqs: list[bytes]) -> list[str]:
    """Each answer whole (latin-1 text), without the ``date`` header."""
    from mfgindex.web import server
    from mfgindex.web.app import create_app

    app = create_app()
    server.settle()
    driver = Driver(app, keep=True)
    out = []
    for r in reqs:  # one at a time: an answer that closes the connection needs a new one
        (got,) = driver.run([r])
        out.append(DATE.sub(b"", got).decode("latin-1"))
        if b"\r\nconnection: close" in got.lower():
            driver = Driver(app, keep=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the answers to this file (.json.gz)")
    group.add_argument("--compare", type=Path, help="compare the answers with those of this file")
    args = ap.parse_args()
    reqs = requests()
    got = answers(reqs)
    statuses: dict[str, int] = {}
    for a in got:
        status = a.split(" ", 2)[1]
        statuses[status] = statuses.get(status, 0) + 1
    print(f"{len(reqs)} requests, statuses {dict(sorted(statuses.items()))}")
    if args.save:
        with gzip.open(args.save, "wt", encoding="utf-8") as f:
            json.dump({"requests": [r.decode("latin-1") for r in reqs], "answers": got}, f)
        print(f"saved to {args.save}")
        return
    with gzip.open(args.compare, "rt", encoding="utf-8") as f:
        old = json.load(f)
    if old["requests"] != [r.decode("latin-1") for r in reqs]:
        sys.exit("the saved requests differ from this version's set")
    same = sum(a == b for a, b in zip(old["answers"], got, strict=True))
    print(f"{same} of {len(got)} answers identical")
    shown = 0
    for i, (a, b) in enumerate(zip(old["answers"], got, strict=True)):
        if a != b and shown < 5:
            shown += 1
            k = next(j for j in range(min(len(a), len(b)) + 1) if j == min(len(a), len(b)) or a[j] != b[j])
            print(f"request {i}: {reqs[i][:160]!r}")
            print(f"  old …{a[max(0, k - 80) : k + 80]!r}\n  new …{b[max(0, k - 80) : k + 80]!r}")
    if same != len(got):
        sys.exit(1)


if __name__ == "__main__":
    main()
