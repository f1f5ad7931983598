"""Rebuild ``experts.xlsx`` of this example: the ``mfgindex template experts`` workbook, filled in.

Equivalent to ``mfgindex template experts --items scale,innovation,green,digital -o experts.xlsx``
followed by typing the judgements below into the ``ahp_round1`` sheet (column ``value`` = importance of
``row`` over ``column`` on Saaty's 1-9 scale; fractions such as ``1/5`` are typed as text).

Where the numbers come from
---------------------------
* Expert E01 copies the worked example of Papathanasiou & Ploskas (2018), *Multiple Criteria Decision
  Aid*, Springer, ch. 1 (AHP): the 4 × 4 matrix [[1, 1, 5, 3], [1, 1, 5, 3], [1/5, 1/5, 1, 1/3],
  [1/3, 1/3, 3, 1]], read here as 规模速度, 创新发展, 绿色发展, 数字转型. Its published weights are
  0.3899, 0.3899, 0.0679, 0.1524 (λmax = 4.0435, CR = 0.016).
* Expert E02 is illustrative (made up for this example, not from a survey): it rates 创新发展 above
  规模速度 and 数字转型 above 绿色发展, so the group judgement (element-wise geometric mean) differs from
  E01's.

Run: ``python examples/ahp/make_experts.py`` (writes next to this file).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from mfgindex.core.weights.survey import write_template

ITEMS = ("scale", "innovation", "green", "digital")
JUDGEMENTS = {
    # (row, column): value, upper triangle in template order
    "E01": {
        ("scale", "innovation"): 1,
        ("scale", "green"): 5,
        ("scale", "digital"): 3,
        ("innovation", "green"): 5,
        ("innovation", "digital"): 3,
        ("green", "digital"): "1/3",
    },
    "E02": {
        ("scale", "innovation"): "1/2",
        ("scale", "green"): 3,
        ("scale", "digital"): 2,
        ("innovation", "green"): 5,
        ("innovation", "digital"): 3,
        ("green", "digital"): "1/2",
    },
}


def build(path: Path) -> None:
    write_template(path, items=ITEMS, experts=2)
    wb = load_workbook(path)
    ws = wb["ahp_round1"]
    ws.delete_rows(2, ws.max_row)  # the template's placeholder lines (E01, node index, empty values)
    for expert, pairs in JUDGEMENTS.items():
        for (row, column), value in pairs.items():
            ws.append([expert, "index", row, column, value])
    wb.save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("experts.xlsx"))
