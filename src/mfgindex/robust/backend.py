"""Where chunks of replications run: in this process (``local``) or on a Dask cluster (``dask``).

Both backends return the chunk results in chunk order, and a chunk's result depends only on the chunk
(its own random stream), so the outputs are identical whichever backend runs them.

Pointing at a real cluster: start a scheduler (``dask scheduler``) and workers on the machines
(``dask worker tcp://SCHEDULER:8786 --nworkers 4 --nthreads 1``), with the same ``mfgindex`` version installed
in each worker's environment, then pass ``--backend dask --scheduler tcp://SCHEDULER:8786``. Without an
address a ``LocalCluster`` of two single-threaded worker processes is started and closed afterwards.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, TypeVar

from mfgindex.core.errors import Problem, UserError

Backend = Literal["local", "dask"]
C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")


def map_ordered(
    fn: Callable[[C, T], R],
    context: C,
    tasks: Sequence[T],
    backend: Backend = "local",
    scheduler: str | None = None,
    window: int = 8,
) -> Iterator[R]:
    """Yield ``fn(context, task)`` for each task, in order. On Dask the context is scattered once to every
    worker and at most ``window`` chunks are in flight, so the driver's memory stays bounded."""
    if backend == "local":
        for t in tasks:
            yield fn(context, t)
        return
    if backend != "dask":
        raise UserError(Problem(f"unknown backend {backend!r}", column="--backend", expected="local or dask"))
    yield from _dask(fn, context, tasks, scheduler, window)


def _dask(
    fn: Callable[[C, T], R], context: C, tasks: Sequence[T], scheduler: str | None, window: int
) -> Iterator[R]:
    from distributed import Client, LocalCluster

    cluster: Any = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")  # type: ignore[no-untyped-call]
        else:
            cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            )  # fmt: skip
            client = Client(cluster)  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise UserError(Problem(f"cannot reach the Dask scheduler: {exc}", column="--scheduler",
                                value=scheduler or "")) from None  # fmt: skip
    try:
        ctx = client.scatter(context, broadcast=True)  # type: ignore[no-untyped-call]
        pending: deque[Any] = deque()
        it = iter(enumerate(tasks))
        for i, t in it:
            pending.append(client.submit(fn, ctx, t, key=f"mfgindex-chunk-{i}-{id(tasks)}", pure=False))
            if len(pending) >= window:
                break
        while pending:
            result = pending.popleft().result()
            nxt = next(it, None)
            if nxt is not None:
                i, t = nxt
                pending.append(client.submit(fn, ctx, t, key=f"mfgindex-chunk-{i}-{id(tasks)}", pure=False))
            yield result
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()
