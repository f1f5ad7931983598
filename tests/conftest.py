"""Shared fixtures: COINr's ASEM example and the default run (computed once per session); browser tests
without Chromium (skipped, or failed when ``CI=true``) and a plain summary of every skip."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import settings

from mfgindex.core import dataset, framework, geo, ingest, pipeline
from mfgindex.core.dataset import Dataset
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result
from tests.chromium import DEBIAN, chromium_path

# Property tests check values, not speed: a per-example deadline fails them on a busy shared machine.
settings.register_profile("mfgindex", deadline=None)
settings.load_profile("mfgindex")

SHARED = Path(__file__).resolve().parents[2] / "shared"
ASEM_DIR = geo.data_path("asem")


@pytest.fixture(scope="session")
def asem() -> tuple[Dataset, Framework]:
    fw = framework.load(ASEM_DIR / "iMeta.csv")
    ds = ingest.read_or_raise([ASEM_DIR / "iData.csv"], tuple(fw.groups))
    return ds, fw


@pytest.fixture(scope="session")
def default_framework() -> Framework:
    return framework.load("caict2023")


@pytest.fixture(scope="session")
def default_result(default_framework: Framework) -> Result:
    return pipeline.evaluate(dataset.default(), default_framework, 2022)


NO_CHROMIUM = (
    f"no Chromium ({DEBIAN}, $MFGINDEX_CHROMIUM or PATH): browser tests need it "
    "(apt-get install chromium, or make setup-system as root)"
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _pdf_problem() -> str | None:
    from mfgindex.report.printing import pdf_engine_problem

    problem = pdf_engine_problem()
    return None if problem is None else "WeasyPrint cannot load pango/harfbuzz: PDF tests need them"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A browser test without Chromium, or a PDF test without WeasyPrint's system libraries: skipped,
    except in CI (``CI=true``) where it fails."""
    missing = None
    if "browser" in item.keywords and chromium_path() is None:
        missing = NO_CHROMIUM
    elif "pdf" in item.keywords:
        missing = _pdf_problem()
    if missing is not None:
        if _in_ci():
            pytest.fail(f"CI=true and {missing}", pytrace=False)
        pytest.skip(missing)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly how many tests were skipped and why (one line per reason)."""
    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        reasons[str(reason).removeprefix("Skipped: ")] += 1
    if not reasons:
        return
    total = sum(reasons.values())
    terminalreporter.write_sep("-", f"{total} test{'s' if total != 1 else ''} skipped")
    for reason, count in reasons.most_common():
        terminalreporter.write_line(f"{count} skipped: {reason}")
