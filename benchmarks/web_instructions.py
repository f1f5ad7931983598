"""CPU work of one what-if request through the whole server stack, counted in instructions by callgrind.

The app of ``mfgindex serve`` (embedded data) is driven in process through the server's own HTTP protocol
(``web.server.run``'s: uvicorn's httptools protocol with the timeouts and limits, uvicorn's config with its
proxy-headers middleware, the app's middleware, the what-if fast path): each request is fed to the
protocol's ``data_received`` as bytes, as the socket would, and the event loop (uvloop, as ``serve`` uses)
runs until the answer is written to a transport that counts the bytes (``web_driver.py``). Sockets and the
kernel are left out: this is the Python and C work of the server process per request, deterministic where
timings on a shared machine are not. (Until 2 December 2026 the count included work of the load generator:
the transport copied each answer three times, which callgrind counts at one instruction per byte, and the
requests were made while counting: the server of that day counted 2.39 M per columns request and 3.76 M per
rows request then, 2.20 M and 3.38 M now.)

Each request carries fresh random weights (no cache hit). Like ``bench_instructions.py``, the workload runs
twice under ``valgrind --tool=callgrind`` with a small and a large number of requests after the same set-up
and warm-up; the difference of the two totals over the difference of the counts is one request.

    .venv/bin/python benchmarks/web_instructions.py                # columns and rows form
    .venv/bin/python benchmarks/web_instructions.py --form columns --check   # no valgrind, 5 requests

Takes about a minute per form (callgrind counts only from the end of the warm-up: ``--instr-atstart=no``,
then ``callgrind_control -i on``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SCRIPT = r"""
import random, sys
sys.path.insert(0, sys.argv[4])
from web_driver import Driver, random_weights, whatif_request
from mfgindex.web import server
from mfgindex.web.app import create_app

FORM = sys.argv[1]
N = int(sys.argv[2])
rng = random.Random(0)

def request():
    body = {"weights": random_weights(rng)}
    if FORM == "columns":
        body["format"] = "columns"
    return whatif_request(body)

app = create_app()
server.settle()
driver = Driver(app)

def work(requests):
    statuses = driver.run(requests)  # one run of the loop, as in the server
    assert set(statuses) == {200}, statuses

work([request() for _ in range(3)])  # warm-up (first requests build caches)
requests = [request() for _ in range(N)]  # made before counting: the load generator's work
if sys.argv[3] != "-":  # under callgrind: the parent switches instrumentation on, then creates the file
    import os, time
    print("READY", flush=True)
    while not os.path.exists(sys.argv[3]):
        time.sleep(0.01)
work(requests)
print("OK", N)
"""
HERE = Path(__file__).resolve().parent
FORMS = ("columns", "rows")
SMALL, LARGE = 20, 120


def total(form: str, n: int, out: Path) -> int:
    """Instructions from the end of the warm-up to the exit, for ``n`` requests (callgrind, instrumentation
    switched on by ``callgrind_control`` once the app is built: start-up under callgrind would take minutes;
    OpenBLAS on one thread)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    script = out / "drive.py"
    script.write_text(SCRIPT)
    log = out / f"cg.{form}.{n}.out"
    go = out / f"go.{form}.{n}"
    cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={log}"]
    proc = subprocess.Popen(
        [*cmd, sys.executable, str(script), form, str(n), str(go), str(HERE)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "READY":
        raise RuntimeError("the driver did not start")
    subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, stdout=subprocess.DEVNULL)
    go.touch()
    answer = proc.stdout.read()
    if proc.wait() != 0 or not answer.startswith("OK"):
        raise RuntimeError(f"the driver failed: {answer!r}")
    text = log.read_text(errors="replace")
    found = re.search(r"^summary:\s+(\d+)", text, re.M) or re.search(r"^totals:\s+(\d+)", text, re.M)
    if found is None:
        raise RuntimeError(f"no totals in {log}")
    return int(found.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--form", choices=FORMS, action="append", help="answer form (default: both)")
    ap.add_argument("--check", action="store_true", help="run the driver once without valgrind")
    args = ap.parse_args()
    forms = args.form or list(FORMS)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if args.check:
            for form in forms:
                (out / "drive.py").write_text(SCRIPT)
                subprocess.run([sys.executable, str(out / "drive.py"), form, "5", "-", str(HERE)], check=True)
            return
        if shutil.which("valgrind") is None:
            sys.exit("valgrind not found (apt install valgrind)")
        print("| form | instructions per request |")
        print("|---|---:|")
        for form in forms:
            small, large = total(form, SMALL, out), total(form, LARGE, out)
            print(f"| {form} | {(large - small) / (LARGE - SMALL) / 1e6:.2f} M |", flush=True)


if __name__ == "__main__":
    main()
