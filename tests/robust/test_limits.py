"""Bounds on ``--n`` (``mfgindex.robust.limits``) and the all-or-nothing ``replications.parquet``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import UserError
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result
from mfgindex.robust import assumptions as A
from mfgindex.robust import engine as E
from mfgindex.robust import limits
from mfgindex.robust import sensitivity as S
from mfgindex.robust import uncertainty as U


@pytest.mark.parametrize(
    ("command", "n", "evaluations"),
    [
        ("uncertainty", "100000000000", "100,000,000,000"),
        ("sensitivity", "1000000000000", "6,000,000,000,000"),
    ],
)
def test_huge_n_is_refused_before_any_work(tmp_path: Path, command: str, n: str, evaluations: str) -> None:
    out = tmp_path / "o"
    res = CliRunner().invoke(app, [command, "--n", n, "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert f"too many model evaluations: {evaluations}" in res.output
    assert "more than the limit of 10,000,000" in res.output and limits.ENV_EVALUATIONS in res.output
    assert not out.exists()


def test_limit_is_inclusive_and_set_by_the_environment(
    asem_coin: tuple[Dataset, Framework], asem_coin_result: Result, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds, fw = asem_coin
    factors = A.default_assumptions(fw)  # 4 assumptions: N·(4 + 2) runs in a Sobol analysis
    monkeypatch.setenv(limits.ENV_EVALUATIONS, "60")
    assert U.run(asem_coin_result, ds, factors, 60, 0).n == 60
    with pytest.raises(UserError, match="too many model evaluations: 61"):
        U.run(asem_coin_result, ds, factors, 61, 0)
    assert S.run(asem_coin_result, ds, factors, 10, 0, per_unit=False).runs == 60
    with pytest.raises(UserError, match=r"11 × \(4 assumptions \+ 2\) = 66 evaluations"):
        S.run(asem_coin_result, ds, factors, 11, 0)
    monkeypatch.setenv(limits.ENV_EVALUATIONS, "lots")
    with pytest.raises(UserError, match=r"MFGINDEX_MAX_EVALUATIONS.*not a number"):
        U.run(asem_coin_result, ds, factors, 10, 0)


def test_sensitivity_memory_budget(
    asem_coin: tuple[Dataset, Framework], asem_coin_result: Result, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds, fw = asem_coin
    factors = A.default_assumptions(fw)
    monkeypatch.setenv(limits.ENV_MEMORY, "0.000001")  # ≈ 1 KiB
    with pytest.raises(UserError, match=f"too much memory.*{limits.ENV_MEMORY}"):
        S.run(asem_coin_result, ds, factors, 8, 0)


def test_interrupted_run_leaves_no_partial_parquet(
    asem_coin: tuple[Dataset, Framework], asem_coin_result: Result, tmp_path: Path
) -> None:
    _, fw = asem_coin
    ctx = E.build_context(asem_coin_result, A.default_assumptions(fw))
    parquet = tmp_path / "replications.parquet"
    parquet.write_bytes(b"an earlier, complete run")

    def interrupted() -> Iterator[U.Chunk]:
        yield U.run_chunk(ctx, U.tasks(20, 0, 10)[0])
        raise KeyboardInterrupt  # Ctrl-C after the first chunk was written

    with pytest.raises(KeyboardInterrupt):
        U.collect(ctx, interrupted(), 20, parquet)
    assert parquet.read_bytes() == b"an earlier, complete run"  # never half-written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["replications.parquet"]  # no temporary left
