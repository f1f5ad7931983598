"""Running the app under uvicorn with the limits uvicorn lacks: a header-read timeout and a body-idle
timeout (a client that opens a connection and sends its request slowly, or not at all, is cut off), a bound
on the request line and headers, and connection limits whose 503 answer carries the security headers like
every other response.

uvicorn (0.29 – 0.54) waits forever for the rest of a half-sent request: its only timer is the keep-alive
one, armed after a response. Both of its HTTP/1.1 protocols are extended here with two timers: the request
line and headers must arrive within :data:`HEADER_TIMEOUT` seconds of the connection (or of the first byte
of a next request on a kept-alive connection), and a request body may not pause longer than
:data:`BODY_IDLE_TIMEOUT` seconds.

:class:`TimedHttpToolsProtocol` (uvicorn's protocol on httptools, a C parser with wheels for Windows, macOS
and Linux) is the default: it parses and answers a request several times faster than the pure-Python h11.
:class:`TimedH11Protocol` is the fallback when httptools is not installed (or ``run(..., http=...)``). Both
refuse a request line and headers over :data:`MAX_HEAD` bytes with a 400. ``tests/web/test_hardening.py``
checks every limit on a live server, for both protocols.
"""

from __future__ import annotations

import asyncio
import gc
import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from mfgindex.web.app import SECURITY_HEADERS
from mfgindex.web.app import from_env as from_env_app
from mfgindex.web.messages import BUSY

HEADER_TIMEOUT = 10.0  # seconds for the request line and headers
BODY_IDLE_TIMEOUT = 30.0  # longest pause inside a request body
MAX_HEAD = 16 * 1024  # bytes of request line + headers
LIMIT_CONCURRENCY = 256  # connections + tasks before the busy answer (503)
BACKLOG = 512
KEEP_ALIVE = 5  # seconds an idle kept-alive connection stays open (uvicorn's default)


class _Limits:
    """What both protocols add: the connection limit answered by :func:`_busy`, and the read timer."""

    header_timeout = HEADER_TIMEOUT
    body_idle_timeout = BODY_IDLE_TIMEOUT
    # set by uvicorn's protocol classes
    app: Any
    limit_concurrency: int | None
    connections: set[Any]
    tasks: set[Any]
    logger: Any
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport

    def _limit(self) -> None:
        # uvicorn's own 503 (flow_control.service_unavailable) is plain text without the security headers;
        # the limit is kept here instead, with the same counts, and answered by :func:`_busy`
        self.concurrency = self.limit_concurrency
        self.limit_concurrency = None
        self.app = self._limited(self.app)
        self._read_timer: asyncio.TimerHandle | None = None

    def _limited(self, app: Any) -> Any:
        async def limited(scope: Any, receive: Any, send: Any) -> None:
            limit = self.concurrency
            # uvicorn counts the tasks before the request's own task is added: ``tasks`` holds it here
            busy = limit is not None and (len(self.connections) >= limit or len(self.tasks) - 1 >= limit)
            if busy and scope.get("type") == "http":
                self.logger.warning("Exceeded concurrency limit.")
                await _busy(send)
                return
            await app(scope, receive, send)

        return limited

    def _cancel(self) -> None:
        timer = self._read_timer
        if timer is not None:
            timer.cancel()
        self._read_timer = None

    def _start(self, seconds: float) -> None:
        self._cancel()
        self._read_timer = self.loop.call_later(seconds, self._expire)

    def _expire(self) -> None:
        self._read_timer = None
        if not self._reading():
            return  # the request arrived in full meanwhile
        self.logger.info("closing a connection that did not send its request in time")
        if not self.transport.is_closing():
            self.transport.close()

    def _reading(self) -> bool:
        raise NotImplementedError


class TimedH11Protocol(_Limits, H11Protocol):
    """uvicorn's HTTP/1.1 protocol on h11 with a header-read timeout and a body-idle timeout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit()
        self._waiting_headers = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._cancel()  # idle between requests: uvicorn's keep-alive timer takes over …
        self._arm()  # … unless the client is still sending a body the app did not read

    def _cancel(self) -> None:
        super()._cancel()
        self._waiting_headers = False

    def _arm(self) -> None:
        state = self.conn.their_state
        pending = bool(self.conn.trailing_data[0])
        if state is h11.IDLE and (pending or self.cycle is None):
            if not self._waiting_headers:  # counted from the first byte (or the connection), never reset
                self._start(self.header_timeout)
                self._waiting_headers = True
        elif state is h11.SEND_BODY:
            self._start(self.body_idle_timeout)  # restarted on every chunk: only a pause is limited
        else:
            self._cancel()

    def _reading(self) -> bool:
        return self.conn.their_state in (h11.IDLE, h11.SEND_BODY)


HTTPTOOLS: type[asyncio.Protocol] | None = None
"""The httptools protocol when httptools is installed (it comes with uvicorn[standard]), else None."""

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - only where httptools is missing: h11 serves
    pass
else:

    class TimedHttpToolsProtocol(_Limits, HttpToolsProtocol):
        """uvicorn's HTTP/1.1 protocol on httptools with the same timeouts and head limit as
        :class:`TimedH11Protocol`.

        The parser's callbacks mark the phase of the request being read: ``head`` from the connection (or a
        next request's first byte) until the headers are complete, then ``body`` until the message is
        complete, then ``done`` (the app answers; between requests uvicorn's keep-alive timer runs).
        """

        max_head = MAX_HEAD

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._limit()
            self._phase = "done"
            self._head_bytes = 0  # bytes received for an unfinished head (bounds what the parser buffers)
            self._parsed = 0  # bytes of the head parsed (exact, whatever the chunks)
            self._messages = 0

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._begin_head()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            head = self._phase == "head"
            begun = self._messages
            super().data_received(data)
            if self._phase == "head":
                if head and begun == self._messages:  # the whole chunk is part of an unfinished head
                    self._head_bytes += len(data)
                    if self._head_bytes > self.max_head and not self.transport.is_closing():
                        self._too_large()
            elif self._phase == "body":
                self._start(self.body_idle_timeout)  # restarted on every chunk: only a pause is limited

        def _too_large(self) -> None:
            self._cancel()
            self.logger.warning("Invalid HTTP request received.")
            self.send_400_response("Invalid HTTP request received.")

        def _begin_head(self) -> None:
            self._phase = "head"
            self._head_bytes = 0
            self._start(self.header_timeout)  # counted from the first byte (or the connection)

        # parser callbacks
        def on_message_begin(self) -> None:
            self._messages += 1
            self._parsed = 0
            if self._phase != "head":
                self._begin_head()
            super().on_message_begin()

        def on_url(self, url: bytes) -> None:
            self._count(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count(len(name) + len(value) + 4)
            super().on_header(name, value)

        def _count(self, n: int) -> None:
            """Exact size of the head parsed so far (a chunk may carry more than one request)."""
            self._parsed += n
            if self._parsed > self.max_head:
                raise ValueError("request head too large")  # the parser's error: a 400, then closed

        def on_headers_complete(self) -> None:
            self._phase = "body"
            self._start(self.body_idle_timeout)
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._phase = "done"
            self._cancel()
            super().on_message_complete()

        def _reading(self) -> bool:
            return self._phase != "done"

    HTTPTOOLS = TimedHttpToolsProtocol


async def _busy(send: Any) -> None:
    """503 over the connection limit: JSON, the security headers, and the connection closed."""
    body = json.dumps({"detail": BUSY, "errors": []}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *SECURITY_HEADERS,
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def settle() -> None:
    """Move everything built at start-up (the evaluated data, the app) out of the garbage collector's
    reach: a full collection then walks only what requests created (about 0.1 s less per collection on the
    default data, which otherwise stalls every request in flight)."""
    gc.collect()
    gc.freeze()


def from_env() -> Any:
    """App factory for uvicorn workers (``serve --workers N``): :func:`mfgindex.web.app.from_env`, settled."""
    app = from_env_app()
    settle()
    return app


def run(app: Any, **options: Any) -> None:
    """``uvicorn.run`` with the timed protocol (httptools, else h11) and the connection limits."""
    import uvicorn

    options.setdefault("http", HTTPTOOLS or TimedH11Protocol)
    options.setdefault("limit_concurrency", LIMIT_CONCURRENCY)
    options.setdefault("backlog", BACKLOG)
    options.setdefault("timeout_keep_alive", KEEP_ALIVE)
    options.setdefault("h11_max_incomplete_event_size", MAX_HEAD)  # request line + headers
    if not isinstance(app, str):
        settle()
    uvicorn.run(app, **options)
