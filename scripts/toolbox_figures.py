"""Regenerate the README's research-toolbox figures (docs/figures/toolbox/*.png) from the default data.

Each method runs as ``mfgindex toolbox METHOD`` does with its default options (embedded data, caict2023,
2022; panels 2018-2022); the first figure of each is saved, small (dpi 80).

    .venv/bin/python scripts/toolbox_figures.py
"""

from __future__ import annotations

import inspect
from pathlib import Path

from mfgindex.core import geo
from mfgindex.toolbox.methods import METHODS
from mfgindex.toolbox.source import evaluate

OUT = Path(__file__).resolve().parents[1] / "docs" / "figures" / "toolbox"
OVERRIDES = {"ranking": geo.data_path("caict2023", "top50_2023.csv"), "bootstrap": 200}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, body in METHODS.items():
        ctx = evaluate()
        params = list(inspect.signature(body).parameters.values())[1:]
        kw = {
            p.name: OVERRIDES.get(p.name, p.default)
            for p in params
            if p.name in OVERRIDES or p.default is not inspect.Parameter.empty
        }
        out = body(ctx, **kw)
        stem, fig = next(iter(out.figures.items()))
        path = OUT / f"{name}.png"
        fig.savefig(path, dpi=80, metadata={"Software": None})
        print(f"{path.relative_to(OUT.parents[2])}  ({stem}, {path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
