"""Instruments for ``web_load.py``: why a request stalls — the server's own work, a CPU it waited for, or
the host. Linux only (it reads ``/proc``); nothing here runs inside ``mfgindex serve`` unless the load
benchmark starts the server through :func:`serve` below.

Two recorders write fixed-width rows of float64 to a file, timed by ``time.perf_counter`` (on Linux the
system-wide ``CLOCK_MONOTONIC``, so the server's, the sampler's and the load generator's times compare):

- :func:`serve` runs the app as ``mfgindex serve`` does (``create_app()`` and ``web.server.run``: same
  protocol, limits, garbage-collector freeze), wrapped by :class:`LoopProbe`, an ASGI wrapper that starts one
  task on the server's event loop. The task sleeps :data:`PERIOD` and records at each wake-up
  (:data:`PROBE_FIELDS`): the time, the event-loop thread's CPU time (and its part in the kernel), the
  time that thread spent waiting for a CPU while runnable (``/proc/self/task/TID/schedstat``), the process
  CPU time, the thread's page faults (minor, major) and context switches (voluntary, involuntary), and the
  RSS. A wake-up later than
  the period is a stall of the event loop, and the deltas across it say what the server did meanwhile:
  ran (its CPU time grew by the gap), waited for a CPU (run-queue wait: other processes of this machine
  had it), or neither (blocked, or the virtual CPU was not running at all: host steal).
- :func:`sample` (a separate process, so that the load generator's event loop is not disturbed) records
  the machine every :data:`SAMPLE_PERIOD` (:data:`SYSTEM_FIELDS`): steal, busy and idle time of all CPUs
  (``/proc/stat``, in seconds at the kernel's 10 ms tick), the time some runnable task waited for a CPU
  (``/proc/pressure/cpu`` "some", µs), and the number of runnable tasks.

Cost: the probe wakes 100 times a second, the sampler 100 times (in its own process). On this virtual
machine a timer wake-up costs ≈ 0.2 ms of CPU (idle, the probed server used 0.85 s per 20 s at 200 wake-ups
a second against 0.04 s without the probe): the probe costs ≈ 2 % of a core.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import threading
import time
from array import array
from pathlib import Path
from typing import Any

PERIOD = 0.01  # the probe's sleep (s)
SAMPLE_PERIOD = 0.01  # the system sampler's period (s)
FLUSH = 0.5  # the probe writes its rows every FLUSH seconds
PROBE_FIELDS = ("t", "cpu", "sys", "proc_cpu", "run", "wait", "minflt", "majflt", "nvcsw", "nivcsw", "rss")
SYSTEM_FIELDS = ("t", "steal", "busy", "idle", "psi_some", "running")
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class LoopProbe:
    """ASGI wrapper: the first call (uvicorn's lifespan start-up) starts the probe task on the server's loop;
    every call is passed to ``app`` unchanged."""

    def __init__(self, app: Any, out: Path) -> None:
        self.app = app
        self.out = out
        self.task: asyncio.Task[None] | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self.run())
        await self.app(scope, receive, send)

    async def run(self) -> None:
        tid = threading.get_native_id()
        sched = os.open(f"/proc/self/task/{tid}/schedstat", os.O_RDONLY)
        statm = os.open("/proc/self/statm", os.O_RDONLY)
        rows = array("d")
        flushed = time.perf_counter()
        with self.out.open("ab", buffering=0) as out:
            while True:
                await asyncio.sleep(PERIOD)
                t = time.perf_counter()
                run_ns, wait_ns, _ = os.pread(sched, 128, 0).split()
                ru = resource.getrusage(resource.RUSAGE_THREAD)
                rss = int(os.pread(statm, 128, 0).split()[1]) * PAGE
                rows.extend(
                    (
                        t,
                        time.thread_time(),
                        ru.ru_stime,
                        time.process_time(),
                        int(run_ns) / 1e9,
                        int(wait_ns) / 1e9,
                        ru.ru_minflt,
                        ru.ru_majflt,
                        ru.ru_nvcsw,
                        ru.ru_nivcsw,
                        rss,
                    )
                )
                if t - flushed > FLUSH:
                    out.write(rows.tobytes())
                    del rows[:]
                    flushed = t


def serve(port: int, out: Path) -> None:
    """The app of ``mfgindex serve`` (embedded data, 1 worker) on 127.0.0.1:``port``, with the probe."""
    from mfgindex.web import server
    from mfgindex.web.app import create_app

    app = create_app()
    server.run(LoopProbe(app, out), host="127.0.0.1", port=port, log_level="warning")


def system_row() -> tuple[float, ...]:
    with open("/proc/stat", "rb") as f:
        cpu = f.readline().split()[1:]
        running = 0.0
        for line in f:
            if line.startswith(b"procs_running"):
                running = float(line.split()[1])
                break
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) / TICK for x in cpu[:8])
    with open("/proc/pressure/cpu", "rb") as f:
        some = float(f.readline().rsplit(b"total=", 1)[1]) / 1e6
    busy = user + nice + system + irq + softirq
    return (time.perf_counter(), steal, busy, idle + iowait, some, running)


def steal_seconds() -> float:
    """Seconds of host steal so far, all CPUs (0 where /proc/stat has none): read before and after a
    measurement, the difference is the time the host gave this machine's CPUs to other guests."""
    try:
        return system_row()[1]
    except OSError:
        return 0.0


def sample(out: Path, seconds: float) -> None:
    """Record :func:`system_row` every :data:`SAMPLE_PERIOD` for ``seconds`` (or until killed)."""
    stop = time.perf_counter() + seconds
    rows = array("d")
    with out.open("ab", buffering=0) as f:
        nxt = time.perf_counter()
        while nxt < stop:
            rows.extend(system_row())
            if len(rows) >= 50 * len(SYSTEM_FIELDS):
                f.write(rows.tobytes())
                del rows[:]
            nxt += SAMPLE_PERIOD
            time.sleep(max(0.0, nxt - time.perf_counter()))
        f.write(rows.tobytes())


def read_rows(path: Path, width: int) -> list[tuple[float, ...]]:
    """The rows a recorder wrote (a torn last row, written while read, is dropped)."""
    data = array("d")
    raw = path.read_bytes() if path.exists() else b""
    data.frombytes(raw[: len(raw) // (8 * width) * 8 * width])
    return [tuple(data[i : i + width]) for i in range(0, len(data), width)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--out", type=Path, required=True)
    m = sub.add_parser("sample")
    m.add_argument("--out", type=Path, required=True)
    m.add_argument("--seconds", type=float, default=3600)
    args = ap.parse_args()
    if args.cmd == "serve":
        serve(args.port, args.out)
    else:
        sample(args.out, args.seconds)


if __name__ == "__main__":
    main()
