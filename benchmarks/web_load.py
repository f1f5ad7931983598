"""Load test of the web API: N concurrent keep-alive clients on loopback, requests/s and latency percentiles.

Starts ``mfgindex serve`` in a subprocess (or uses ``--url``), waits until it answers, then for each scenario
runs ``--clients`` concurrent clients for ``--seconds``. The client is a minimal asyncio HTTP/1.1 client
(raw sockets, keep-alive), so that on a 2-core machine the load generator costs less CPU than the server.
What-if requests draw fresh random weights each time (no caching can help).

    .venv/bin/python benchmarks/web_load.py                       # 50 clients, 10 s per scenario
    .venv/bin/python benchmarks/web_load.py --clients 50 --seconds 20 --url http://127.0.0.1:8000
    .venv/bin/python benchmarks/web_load.py --rate 300 --scenarios whatif   # open loop, 300 requests/s
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import gc
import itertools
import json
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import psutil
import web_probe

LINUX = sys.platform.startswith("linux")  # the probe and the machine samples read /proc
DIMS = ["scale", "quality", "innovation", "green", "digital", "enterprise", "agglomeration"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not come up")


def request_bytes(host: str, method: str, path: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    chunked = False
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.lower() == "content-length":
            length = int(v.strip())
        elif k.lower() == "transfer-encoding" and "chunked" in v.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(length)
    return status


def make_request(scenario: str, host: str, rng: random.Random) -> bytes:
    if scenario == "whatif":
        body = json.dumps({"weights": {d: round(rng.uniform(0.01, 1), 3) for d in DIMS}}).encode()
        return request_bytes(host, "POST", "/api/whatif", body)
    if scenario == "whatif-columns":  # the compact form the dashboard uses
        weights = {d: round(rng.uniform(0.01, 1), 3) for d in DIMS}
        body = json.dumps({"weights": weights, "format": "columns"}).encode()
        return request_bytes(host, "POST", "/api/whatif", body)
    if scenario == "rankings":
        return request_bytes(host, "GET", "/api/rankings")
    if scenario == "city":
        return request_bytes(host, "GET", "/api/cities/320500")
    if scenario == "page":
        return request_bytes(host, "GET", "/")
    raise ValueError(scenario)


async def client(
    url: str,
    scenario: str,
    stop: float,
    latencies: list[float],
    errors: list[int],
    seed: int,
    interval: float = 0,
    spans: list[tuple[float, float]] | None = None,
) -> None:
    hostport = url.split("://", 1)[1]
    host, port = hostport.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    rng = random.Random(seed)
    # paced clients start out of phase and send one request every `interval` seconds (a user dragging a
    # slider sends one per debounce period); interval 0 = back-to-back requests (closed loop, saturation)
    next_at = time.perf_counter() + rng.uniform(0, interval)
    try:
        while time.perf_counter() < stop:
            if interval:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += interval
            req = make_request(scenario, hostport, rng)
            t0 = time.perf_counter()
            writer.write(req)
            await writer.drain()
            status = await read_response(reader)
            done = time.perf_counter()
            latencies.append(done - t0)
            if spans is not None:
                spans.append((t0, done))
            if status >= 400:
                errors.append(status)
    finally:
        writer.close()


async def open_loop(
    url: str,
    scenario: str,
    rate: float,
    seconds: float,
    latencies: list[float],
    errors: list[int],
    late: list[float],
    spans: list[tuple[float, float]],
    opened: list[int],
) -> None:
    """Requests at a fixed rate whatever the responses (open loop): request i is due at start + i/rate and
    its latency counts from then, so a slow server's queueing shows (no coordinated omission). Each request
    takes an idle keep-alive connection (one the server has not closed meanwhile: its keep-alive timeout
    ends connections left idle after a burst), or opens one.

    The requests (fresh random weights each) are made before the clock starts, so that the load generator
    spends its CPU time, shared with the server on a small machine, on sending and reading only. ``late``
    gets, per request, how long after its due time the generator started sending it: a slow request whose
    lateness is as large was held up by the load generator (or the machine), not by the server.
    """
    hostport = url.split("://", 1)[1]
    host, port = hostport.split(":")
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    rng = random.Random(0)
    requests = [make_request(scenario, hostport, rng) for _ in range(int(rate * seconds))]

    def reuse() -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        while idle:
            reader, writer = idle.pop()
            if not (reader.at_eof() or writer.is_closing()):
                return reader, writer
            writer.close()
        return None

    async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        opened.append(1)
        return await asyncio.open_connection(host, int(port))

    async def one(due: float, req: bytes) -> None:
        late.append(time.perf_counter() - due)
        try:
            reader, writer = reuse() or await connect()
            writer.write(req)
            await writer.drain()
            status = await read_response(reader)
        except (ConnectionError, asyncio.IncompleteReadError):
            # an overloaded server closes connections: counted as an error (status 0), latency kept
            latencies.append(time.perf_counter() - due)
            spans.append((due, time.perf_counter()))
            errors.append(0)
            return
        done = time.perf_counter()
        latencies.append(done - due)
        spans.append((due, done))
        if status >= 400:
            errors.append(status)
        if status == 503:  # the busy answer closes the connection
            writer.close()
        else:
            idle.append((reader, writer))

    start = time.perf_counter() + 0.05
    tasks = []
    for i, req in enumerate(requests):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(due, req)))
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()


async def run_scenario(
    url: str,
    scenario: str,
    clients: int,
    seconds: float,
    interval: float = 0,
    rate: float = 0,
    pid: int | None = None,
) -> dict[str, Any]:
    # warm-up: one request per client connection path
    await asyncio.gather(*(client(url, scenario, time.perf_counter() + 0.5, [], [], i) for i in range(4)))
    latencies: list[float] = []
    errors: list[int] = []
    late: list[float] = []
    lags: list[float] = []
    spans: list[tuple[float, float]] = []
    opened: list[int] = []
    # the load generator's own pauses must not count against the server: its garbage collector (thousands of
    # live tasks and coroutines, rescanned in each full collection) is kept out of the measured window, and a
    # probe task measures how late its event loop wakes up (asked for 1 ms sleeps)
    gc.collect()
    gc.freeze()
    gc.disable()
    probe = asyncio.create_task(loop_lag(lags))
    cpu0, own0 = server_cpu(pid), time.process_time()
    start = time.perf_counter()
    stop = start + seconds
    try:
        if rate:
            await open_loop(url, scenario, rate, seconds, latencies, errors, late, spans, opened)
        else:
            await asyncio.gather(
                *(client(url, scenario, stop, latencies, errors, i, interval, spans) for i in range(clients))
            )
    finally:
        elapsed = time.perf_counter() - start
        cpu1, own1 = server_cpu(pid), time.process_time()
        probe.cancel()
        gc.enable()
        gc.unfreeze()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    slow = sorted(latencies)[int(0.99 * len(latencies)) :]
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * q[49],
        "p95_ms": 1000 * q[94],
        "p99_ms": 1000 * q[98],
        "max_ms": 1000 * max(latencies),
        "server_cpu_ms": math.nan if cpu0 is None or cpu1 is None else 1000 * (cpu1 - cpu0) / len(latencies),
        "client_cpu_ms": 1000 * (own1 - own0) / len(latencies),
        "client_cpu_s": own1 - own0,
        "statuses": ", ".join(f"{k or 'closed'}×{v}" for k, v in sorted(Counter(errors).items())),
        "late_p99_ms": 1000 * statistics.quantiles(late, n=100, method="inclusive")[98] if late else math.nan,
        "late_max_ms": 1000 * max(late, default=math.nan),
        "lag_max_ms": 1000 * max(lags, default=math.nan),
        "slowest_ms": ", ".join(f"{1000 * x:.0f}" for x in slow[-5:]),
        "spans": spans,
        "window": (start, start + elapsed),
        "connections": len(opened),
    }


# -- what the server and the machine did during the run (web_probe's recordings) --------------------------


class Series:
    """Rows of a recorder (web_probe), looked up by time: ``change(name, a, b)`` is how much a cumulative
    field grew over [a, b] (from the last row at or before ``a`` to the first at or after ``b``)."""

    def __init__(self, rows: list[tuple[float, ...]], fields: tuple[str, ...]) -> None:
        self.rows = rows
        self.times = [r[0] for r in rows]
        self.col = {f: i for i, f in enumerate(fields)}

    def __bool__(self) -> bool:
        return len(self.rows) > 1

    def change(self, name: str, a: float, b: float) -> float:
        i = max(0, bisect.bisect_right(self.times, a) - 1)
        j = min(len(self.rows) - 1, bisect.bisect_left(self.times, b))
        k = self.col[name]
        return self.rows[j][k] - self.rows[i][k]

    def within(self, a: float, b: float) -> list[tuple[float, ...]]:
        return self.rows[bisect.bisect_left(self.times, a) : bisect.bisect_right(self.times, b)]


SLOW = 0.020  # a request slower than the target (p99 ≤ 20 ms) is "slow"
STALL = 0.010  # a server event-loop wake-up later than this is a stall
GAP = 0.050  # slow requests closer than this belong to one episode


def episodes(spans: list[tuple[float, float]]) -> list[tuple[float, float, int, float]]:
    """The slow requests merged into episodes: (start, end, how many, longest latency)."""
    out: list[list[float]] = []
    for due, done in sorted(s for s in spans if s[1] - s[0] > SLOW):
        if out and due <= out[-1][1] + GAP:
            e = out[-1]
            e[1] = max(e[1], done)
            e[2] += 1
            e[3] = max(e[3], done - due)
        else:
            out.append([due, done, 1, done - due])
    return [(a, b, int(n), m) for a, b, n, m in out]


def breakdown(probe: Series, system: Series, a: float, b: float) -> str:
    """Where the server's event-loop thread was during [a, b] and what the machine did meanwhile."""
    wall = b - a
    parts = []
    if probe:
        cpu = probe.change("cpu", a, b)
        wait = probe.change("wait", a, b)
        parts.append(
            f"server on a CPU {1000 * cpu:.0f} ms (in the kernel {1000 * probe.change('sys', a, b):.0f} ms), "
            f"waiting for one {1000 * wait:.0f} ms, "
            f"neither (idle, blocked or stolen) {1000 * max(0.0, wall - cpu - wait):.0f} ms "
            f"(faults {probe.change('minflt', a, b):.0f} minor/{probe.change('majflt', a, b):.0f} major, "
            f"switches {probe.change('nvcsw', a, b):.0f} vol/{probe.change('nivcsw', a, b):.0f} invol)"
        )
    if system:
        ncpu = os.cpu_count() or 1
        busy = system.change("busy", a, b)
        parts.append(
            f"machine: steal {1000 * system.change('steal', a, b):.0f} ms, CPUs busy "
            f"{100 * busy / (ncpu * max(wall, 1e-9)):.0f} %, CPU pressure (some) "
            f"{1000 * system.change('psi_some', a, b):.0f} ms"
        )
    return "; ".join(parts)


def verdict(
    probe: Series, system: Series, eps: list[tuple[float, float, int, float]], need: float | None
) -> str:
    """Whose stall the slow requests were: how much of the episodes' time the server ran (its own work),
    waited for a CPU (other processes had it) or neither (blocked, or the host's steal); ``need``: the share
    of one CPU the offered load needs (open loop: rate × CPU per request)."""
    wall = sum(e - s for s, e, _, _ in eps)
    cpu = sum(probe.change("cpu", s, e) for s, e, _, _ in eps)
    wait = sum(probe.change("wait", s, e) for s, e, _, _ in eps)
    rest = max(0.0, wall - cpu - wait)
    total = max(wall, cpu + wait)  # the recordings bracket each episode: their sum may pass its length
    steal = sum(system.change("steal", s, e) for s, e, _, _ in eps) if system else math.nan
    if wait >= max(rest, 0.1 * total):
        cause = "a machine stall: other processes held the CPU the server needed"
    elif rest >= 0.1 * total:
        cause = "the server neither ran nor waited for a CPU: blocked, or the host took the virtual CPUs"
    else:
        cause = "the server's own work (it ran, and had more to do than it could at this rate)"
    needs = f"; the offered load needs {100 * need:.0f} % of one CPU" if need else ""
    return (
        f"in the slow episodes ({wall:.2f} s) the server ran {100 * cpu / total:.0f} % of the time, waited "
        f"for a CPU {100 * wait / total:.0f} %, neither {100 * rest / total:.0f} % (host steal "
        f"{1000 * steal:.0f} ms){needs}: {cause}"
    )


def stalls(probe: Series, a: float, b: float) -> list[tuple[float, float]]:
    """The server's event-loop stalls in [a, b]: (when it should have woken, how late it woke)."""
    rows = probe.within(a, b)
    out = []
    for prev, row in itertools.pairwise(rows):
        lag = row[0] - prev[0] - web_probe.PERIOD
        if lag > STALL:
            out.append((prev[0] + web_probe.PERIOD, lag))
    return out


def others_cpu(exclude: set[int], me: int) -> dict[int, tuple[str, float]]:
    """CPU seconds so far of every other process, with a short command line, its nice value and, where the
    kernel groups processes by session (autogroup), whether it is in the server's group."""
    out = {}
    mine = autogroup(me)
    for p in psutil.process_iter(["pid", "cmdline", "name", "cpu_times", "nice"]):
        info = p.info
        if info["pid"] in exclude or info["cpu_times"] is None:
            continue
        words = " ".join(Path(c).name for c in (info["cmdline"] or [info["name"] or "?"])[:3]).split()
        cmd = " ".join(words)[:50]  # (a `python -c` program spans lines)
        group = autogroup(info["pid"])
        where = "" if group is None or mine is None else (" same session" if group == mine else "")
        t = info["cpu_times"]
        out[info["pid"]] = (f"{cmd} (nice {info['nice']}{where})", t.user + t.system)
    return out


def autogroup(pid: int) -> str | None:
    """The process's scheduling group when the kernel groups processes by session (``autogroup-N``)."""
    try:
        text = Path(f"/proc/{pid}/autogroup").read_text()
    except OSError:
        return None
    return text.split()[0] if text.strip() else None  # (kernel threads: empty)


def autogroups_note() -> str:
    """What a reader must know when the kernel schedules by session: nice values of other sessions' processes
    do not yield to the server (each session's group gets an equal share of a busy CPU)."""
    try:
        on = Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return ""
    return (
        "sched_autogroup_enabled=1: each session's processes share the CPUs as one group, equal to the "
        "server's (with the load generator), whatever their nice value"
        if on
        else ""
    )


def report_machine(
    r: dict[str, Any],
    probe: Series,
    system: Series,
    before: dict[int, tuple[str, float]],
    after: dict[int, tuple[str, float]],
    load: tuple[float, float],
    rate: float = 0,
) -> list[str]:
    """Lines telling a server stall from a host stall, printed under the scenario's percentiles."""
    a, b = r["window"]
    lines = [f"  load average 1 min before {load[0]:.2f}, after {load[1]:.2f}"]
    if probe:
        st = stalls(probe, a, b)
        rss = [row[probe.col["rss"]] / 2**20 for row in probe.within(a, b)] or [math.nan]
        lines.append(
            f"  server event loop: {len(st)} stalls > {1000 * STALL:.0f} ms, total "
            f"{1000 * sum(x for _, x in st):.0f} ms; RSS {min(rss):.0f}-{max(rss):.0f} MB"
        )
        for t, lag in sorted(st, key=lambda x: -x[1])[:3]:
            lines.append(
                f"    stall at {t - a:6.2f} s, {1000 * lag:.0f} ms: {breakdown(probe, system, t, t + lag)}"
            )
    lines.append(f"  whole run ({b - a:.1f} s): {breakdown(probe, system, a, b)}")
    if probe and system:
        busy = system.change("busy", a, b)
        server = probe.change("proc_cpu", a, b)
        lines.append(
            f"  CPU time of the machine in the run {busy:.1f} s: the server {server:.1f} s, the load "
            f"generator {r['client_cpu_s']:.1f} s, everything else {busy - server - r['client_cpu_s']:.1f} s"
        )
    eps = episodes(r["spans"])
    if eps:
        span = sum(e - s for s, e, _, _ in eps)
        lines.append(
            f"  slow requests (> {1000 * SLOW:.0f} ms): {sum(e[2] for e in eps)} in {len(eps)} episode(s) "
            f"spanning {span:.2f} s"
        )
        for s, e, n, worst in sorted(eps, key=lambda x: -x[3])[:3]:
            lines.append(
                f"    episode at {s - a:6.2f} s, {1000 * (e - s):.0f} ms, {n} requests, worst "
                f"{1000 * worst:.0f} ms: {breakdown(probe, system, s, e)}"
            )
        if probe:
            need = (
                rate * r["server_cpu_ms"] / 1000
                if rate and r["server_cpu_ms"] == r["server_cpu_ms"]
                else None
            )
            lines.append("  verdict: " + verdict(probe, system, eps, need))
    used = Counter[str]()
    for pid, (cmd, t) in after.items():
        used[cmd] += t - before.get(pid, (cmd, 0.0))[1]
    top = [(c, t) for c, t in used.most_common(4) if t >= 0.05]
    if top:
        lines.append("  other processes' CPU in the run: " + ", ".join(f"{c} {t:.1f} s" for c, t in top))
    return lines


async def loop_lag(lags: list[float]) -> None:
    """How late the load generator's event loop wakes from 1 ms sleeps (its own stalls), until cancelled."""
    while True:
        t = time.perf_counter()
        await asyncio.sleep(0.001)
        lags.append(time.perf_counter() - t - 0.001)


def run_loop(coro: Any) -> Any:
    """``asyncio.run`` on uvloop when installed (it comes with uvicorn[standard] except on Windows): the
    load generator's own event loop then costs less of the CPU it shares with the server."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def server_cpu(pid: int | None) -> float | None:
    """CPU seconds used so far by the server process and its worker processes (None: not ours)."""
    if pid is None:
        return None
    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="existing server (default: start `mfgindex serve` on a free port)")
    ap.add_argument("--server-pid", type=int, help="with --url: the server's process id, for its CPU time")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, default=1, help="server worker processes (`serve --workers`)")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--scenarios", default="whatif,whatif-columns,rankings,city,page")
    ap.add_argument(
        "--interval",
        type=float,
        default=0,
        help="seconds between a client's requests (0 = back-to-back, saturating the server)",
    )
    ap.add_argument(
        "--rate",
        type=float,
        default=0,
        help="open loop: requests per second at fixed times, latency from each request's due time "
        "(replaces --clients/--interval)",
    )
    ap.add_argument(
        "--no-probe",
        action="store_true",
        help="start the plain `mfgindex serve` (no event-loop probe; the machine is still sampled)",
    )
    args = ap.parse_args()
    proc = None
    url = args.url
    tmp = Path(tempfile.mkdtemp(prefix="web_load_"))
    probe_file = tmp / "probe.bin"
    system_file = tmp / "system.bin"
    here = Path(__file__).resolve().parent
    if url is None:
        port = free_port()
        if args.no_probe or args.workers > 1 or not LINUX:
            exe = Path(sys.executable).with_name("mfgindex")
            cmd = [str(exe), "serve", "--port", str(port), "--log-level", "warning"]
            cmd += ["--workers", str(args.workers)]
        else:  # the app of `mfgindex serve`, with the event-loop probe (web_probe.serve)
            cmd = [sys.executable, str(here / "web_probe.py"), "serve", "--port", str(port)]
            cmd += ["--out", str(probe_file)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
    sampler = None
    if LINUX:
        sampler = subprocess.Popen(
            [sys.executable, str(here / "web_probe.py"), "sample", "--out", str(system_file)],
            stdout=subprocess.DEVNULL,
        )
    try:
        wait_ready(url)
        pace = f"one request per {args.interval:g} s each" if args.interval else "back-to-back"
        mode = (
            f"open loop at {args.rate:g} requests/s"
            if args.rate
            else f"{args.clients} concurrent keep-alive clients ({pace})"
        )
        probed = proc is not None and proc.args[1].endswith("web_probe.py")
        print(
            f"server {url}{' (with the event-loop probe)' if probed else ''}; {mode}, {args.seconds:g} s per "
            f"scenario, {args.workers} server worker(s), {os.cpu_count()} CPUs, "
            f"load average before {os.getloadavg()[0]:.1f}"
        )
        if LINUX and autogroups_note():
            print(autogroups_note())
        # CPU per request (server: ours only; load generator: this process) tells whether a change made
        # the work cheaper, whatever else the machine is doing; the latencies depend on that too
        print(
            "| scenario | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms "
            "| server CPU ms/req | client CPU ms/req |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        pid = proc.pid if proc is not None else args.server_pid
        ours = {os.getpid(), *([sampler.pid] if sampler else [])}
        if pid is not None:
            ours |= {pid, *(c.pid for c in psutil.Process(pid).children(recursive=True))}
        me = pid if pid is not None else os.getpid()  # whose session is the server's
        for scenario in args.scenarios.split(","):
            before, load0 = others_cpu(ours, me), os.getloadavg()[0]
            r = run_loop(
                run_scenario(url, scenario, args.clients, args.seconds, args.interval, args.rate, pid)
            )
            after, load1 = others_cpu(ours, me), os.getloadavg()[0]
            print(
                f"| {scenario} | {r['requests']:.0f} | {r['errors']:.0f} | {r['rps']:.0f} | "
                f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.1f} | "
                f"{r['server_cpu_ms']:.2f} | {r['client_cpu_ms']:.2f} |",
                flush=True,
            )
            if r["statuses"]:
                print(f"  errors of {scenario}: {r['statuses']}", flush=True)
            print(
                f"  {scenario}: slowest 5 {r['slowest_ms']} ms; load generator: lateness in sending p99 "
                f"{r['late_p99_ms']:.1f} ms, max {r['late_max_ms']:.1f} ms; its event loop's longest stall "
                f"{r['lag_max_ms']:.1f} ms"
                + (f"; connections opened {r['connections']}" if args.rate else ""),
                flush=True,
            )
            time.sleep(2 * web_probe.FLUSH)  # the probe's last rows of the window reach its file
            probe = Series(
                web_probe.read_rows(probe_file, len(web_probe.PROBE_FIELDS)), web_probe.PROBE_FIELDS
            )
            system = Series(
                web_probe.read_rows(system_file, len(web_probe.SYSTEM_FIELDS)), web_probe.SYSTEM_FIELDS
            )
            for line in report_machine(r, probe, system, before, after, (load0, load1), args.rate):
                print(line, flush=True)
    finally:
        for p in (proc, sampler):
            if p is not None:
                p.terminate()
                p.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
