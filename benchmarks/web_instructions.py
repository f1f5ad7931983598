"""CPU work of one what-if request through the whole server stack, counted in instructions by callgrind.

The app of ``mfgindex serve`` (embedded data) is driven in process through the server's own HTTP protocol
(``web.server.run``'s: uvicorn's httptools protocol with the timeouts and limits, uvicorn's config with its
proxy-headers middleware, the app's middleware, the what-if fast path): each request is fed to the
protocol's ``data_received`` as bytes, as the socket would, and the event loop (uvloop, as ``serve`` uses)
runs until the answer is written to a transport that keeps the bytes. Sockets and the kernel are left out:
this is the Python and C work of the server process per request, deterministic where timings on a shared
machine are not.

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
import asyncio, json, random, sys
import uvloop
from uvicorn.config import Config
from uvicorn.server import ServerState
from mfgindex.web import server
from mfgindex.web.app import create_app

FORM = sys.argv[1]
N = int(sys.argv[2])
DIMS = ["scale", "quality", "innovation", "green", "digital", "enterprise", "agglomeration"]
rng = random.Random(0)

def request():
    body = {"weights": {d: round(rng.uniform(0.01, 1), 3) for d in DIMS}}
    if FORM == "columns":
        body["format"] = "columns"
    data = json.dumps(body).encode()
    head = (b"POST /api/whatif HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: keep-alive\r\n"
            b"Content-Type: application/json\r\nContent-Length: " + str(len(data)).encode())
    return head + b"\r\n\r\n" + data

class Transport(asyncio.Transport):
    def __init__(self):
        super().__init__()
        self.out = bytearray()
        self.done = None
    def write(self, data):
        self.out += data
        head, sep, body = bytes(self.out).partition(b"\r\n\r\n")
        if sep:
            length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))
            if len(body) >= length and self.done is not None and not self.done.done():
                self.done.set_result(int(head.split()[1]))
    def get_extra_info(self, name, default=None):
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 40000)}.get(name, default)
    def is_closing(self):
        return False
    def pause_reading(self): pass
    def resume_reading(self): pass
    def close(self): pass

import re
app = create_app()
server.settle()
loop = uvloop.new_event_loop()
asyncio.set_event_loop(loop)
config = Config(app=app, http=server.HTTPTOOLS, log_level="warning",
                limit_concurrency=server.LIMIT_CONCURRENCY, backlog=server.BACKLOG,
                timeout_keep_alive=server.KEEP_ALIVE,
                h11_max_incomplete_event_size=server.MAX_HEAD)
config.load()
protocol = server.HTTPTOOLS(config=config, server_state=ServerState(), app_state={}, _loop=loop)
transport = Transport()
protocol.connection_made(transport)

async def one(data):
    transport.out.clear()
    transport.done = loop.create_future()
    protocol.data_received(data)
    return await transport.done

async def run(requests):
    return [await one(r) for r in requests]

def work(n):
    requests = [request() for _ in range(n)]
    statuses = loop.run_until_complete(run(requests))  # one run of the loop, as in the server
    assert set(statuses) == {200}, statuses
    return len(transport.out)

size = work(3)  # warm-up (first requests build caches)
if len(sys.argv) > 3:  # under callgrind: the parent switches instrumentation on, then creates the file
    import os, time
    print("READY", flush=True)
    while not os.path.exists(sys.argv[3]):
        time.sleep(0.01)
work(N)
print("OK", N, size)
"""
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
        [*cmd, sys.executable, str(script), form, str(n), str(go)],
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
                subprocess.run([sys.executable, str(out / "drive.py"), form, "5"], check=True)
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
