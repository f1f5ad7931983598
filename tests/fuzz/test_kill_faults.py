"""Fault test: ``mfgindex run --report`` killed with SIGKILL at seeded points.

Before the all-or-nothing writer, 7 of 12 kills left run files with a partial report. Here the command runs
in a child process and is killed at seeded moments spread over its measured duration; then what the next start
does (``recover`` of the parent folder) runs, and the output folder must be complete — every file its manifest
lists, with the listed SHA-256 — and nothing ``.mfgindex-*`` may remain. Before the first kill the folder
holds an earlier complete run, so kills during the final swap are covered too.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from mfgindex.core import files, outdir
from tests.web.test_upload import FRAMEWORK, GOOD, workbook

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]
KILLS = int(os.environ.get("MFGINDEX_FUZZ_KILLS", "3"))
SEED = 20261201


def _complete(folder: Path) -> bool:
    doc = outdir.read_manifest(folder)
    if doc is None:
        return False
    listed = {e["path"] for e in doc["files"]}
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {outdir.MANIFEST}
    return listed == present and all(
        hashlib.sha256((folder / e["path"]).read_bytes()).hexdigest() == e["sha256"] for e in doc["files"]
    )


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_9_during_run_report_leaves_a_complete_folder(tmp_path: Path) -> None:
    (tmp_path / "fw.yaml").write_text(yaml.safe_dump(FRAMEWORK, allow_unicode=True), encoding="utf-8")
    (tmp_path / "d.xlsx").write_bytes(workbook(GOOD))
    cmd = [sys.executable, "-m", "mfgindex.cli.main", "run", "-q", "-f", "fw.yaml", "-d", "d.xlsx"]
    cmd += ["--report", "--out", "runs/o"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    t0 = time.monotonic()
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    duration = time.monotonic() - t0
    assert done.returncode == 0, done.stderr[-2000:]
    out = tmp_path / "runs" / "o"
    assert _complete(out) and (out / "report.html").is_file() and (out / "run.json").is_file()
    rng = random.Random(SEED)
    outcomes = []
    for _ in range(KILLS):
        at = rng.uniform(0.1, 1.0) * duration
        child = subprocess.Popen(
            cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(at)
        child.send_signal(signal.SIGKILL)
        child.wait(60)
        outdir.recover(out.parent)  # what the next start does
        assert _complete(out), f"killed at {at:.1f} s of {duration:.1f} s: {sorted(os.listdir(out.parent))}"
        assert not [p for p in out.parent.iterdir() if p.name.startswith(files.PREFIX)]
        outcomes.append(round(at, 1))
    assert len(outcomes) == KILLS
