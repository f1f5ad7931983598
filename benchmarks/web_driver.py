"""The served app driven in process, as ``mfgindex serve`` runs it, without sockets: requests are fed to the
server's HTTP protocol (``web.server.run``'s: uvicorn's httptools protocol with the timeouts and limits,
uvicorn's config with its proxy-headers middleware, the app's middleware) as bytes, as the socket would
feed them, on uvloop; the answer is written to a transport that counts (or keeps) the bytes.

Used by ``web_instructions.py`` (instructions per request under callgrind) and ``web_answers.py`` (every
answer of a fixed set of requests, to compare two versions of the server byte for byte).

The transport copies nothing unless asked to keep the answers: a per-request copy of a 90 KB body is
callgrind-counted at one instruction per byte (glibc copies large blocks with ``rep movsb``), work of the
load generator, not of the server.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Sequence
from typing import Any

DIMS = ["scale", "quality", "innovation", "green", "digital", "enterprise", "agglomeration"]


def whatif_request(
    body: dict[str, Any] | bytes,
    *,
    gzip: bool = False,
    content_type: bytes | None = b"application/json",
    method: bytes = b"POST",
    path: bytes = b"/api/whatif",
) -> bytes:
    """The bytes of one keep-alive HTTP/1.1 request (a dict body is JSON-encoded)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    head = method + b" " + path + b" HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: keep-alive\r\n"
    if gzip:
        head += b"Accept-Encoding: gzip\r\n"
    if content_type is not None:
        head += b"Content-Type: " + content_type + b"\r\n"
    return head + b"Content-Length: " + str(len(data)).encode() + b"\r\n\r\n" + data


def random_weights(rng: random.Random) -> dict[str, float]:
    """Fresh dimension weights, as the load test draws them (no cache hit)."""
    return {d: round(rng.uniform(0.01, 1), 3) for d in DIMS}


class Transport(asyncio.Transport):
    """Counts the bytes of the answer (keeps them when ``keep``); marks the request done when the body
    announced by ``content-length`` has arrived."""

    def __init__(self, keep: bool = False) -> None:
        super().__init__()
        self.keep = keep
        self.chunks: list[bytes] = []
        self.done: asyncio.Future[int] | None = None
        self.status = 0
        self.need: int | None = None
        self.got = 0

    def expect(self, done: asyncio.Future[int]) -> None:
        self.chunks = []
        self.need = None
        self.got = 0
        self.done = done

    def write(self, data: Any) -> None:
        if self.keep:
            self.chunks.append(bytes(data))
        if self.need is None:  # uvicorn writes the head first, in one piece
            head, _, body = bytes(data).partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            self.status = int(lines[0].split()[1])
            fields = dict(x.partition(b":")[::2] for x in lines[1:])
            self.need = int(fields.get(b"content-length", b"0"))
            self.got = len(body)
        else:
            self.got += len(data)
        if self.got >= self.need and self.done is not None and not self.done.done():
            self.done.set_result(self.status)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 40000)}.get(name, default)

    def is_closing(self) -> bool:
        return False

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def close(self) -> None:
        pass


class Driver:
    """One kept-alive connection to ``app`` served as ``mfgindex serve`` serves it."""

    def __init__(self, app: Any, keep: bool = False) -> None:
        import uvloop
        from uvicorn.config import Config
        from uvicorn.server import ServerState

        from mfgindex.web import server

        self.loop = uvloop.new_event_loop()
        asyncio.set_event_loop(self.loop)
        config = Config(
            app=app,
            http=server.HTTPTOOLS,
            log_level="warning",
            limit_concurrency=server.LIMIT_CONCURRENCY,
            backlog=server.BACKLOG,
            timeout_keep_alive=server.KEEP_ALIVE,
            h11_max_incomplete_event_size=server.MAX_HEAD,
        )
        config.load()
        protocol = server.HTTPTOOLS
        assert protocol is not None, "httptools is not installed"
        self.protocol = protocol(config=config, server_state=ServerState(), app_state={}, _loop=self.loop)  # type: ignore[call-arg]
        self.transport = Transport(keep)
        self.protocol.connection_made(self.transport)

    async def _one(self, data: bytes) -> int:
        done: asyncio.Future[int] = self.loop.create_future()
        self.transport.expect(done)
        self.protocol.data_received(data)  # type: ignore[attr-defined]
        return await done

    async def _all(self, requests: Sequence[bytes]) -> list[Any]:
        out: list[Any] = []
        for r in requests:
            status = await self._one(r)
            out.append(b"".join(self.transport.chunks) if self.transport.keep else status)
        return out

    def run(self, requests: Sequence[bytes]) -> list[Any]:
        """The statuses of the answers (the whole answers when keeping them), one run of the loop."""
        return self.loop.run_until_complete(self._all(requests))
