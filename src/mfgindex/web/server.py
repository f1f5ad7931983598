"""Running the app under uvicorn with the limits uvicorn lacks: a header-read timeout and a body-idle
timeout (a client that opens a connection and sends its request slowly, or not at all, is cut off), and
connection limits whose 503 answer carries the security headers like every other response.

uvicorn (0.29 – 0.54) waits forever for the rest of a half-sent request: its only timer is the keep-alive
one, armed after a response. :class:`TimedH11Protocol` is uvicorn's own HTTP/1.1 protocol with two timers:
the request line and headers must arrive within :data:`HEADER_TIMEOUT` seconds of the connection (or of the
first byte of a next request on a kept-alive connection), and a request body may not pause longer than
:data:`BODY_IDLE_TIMEOUT` seconds. ``tests/web/test_server.py`` checks both on a live server.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from mfgindex.web.app import SECURITY_HEADERS
from mfgindex.web.messages import BUSY

HEADER_TIMEOUT = 10.0  # seconds for the request line and headers
BODY_IDLE_TIMEOUT = 30.0  # longest pause inside a request body
LIMIT_CONCURRENCY = 256  # connections + tasks before uvicorn answers 503
BACKLOG = 512
KEEP_ALIVE = 5  # seconds an idle kept-alive connection stays open (uvicorn's default)


class TimedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a header-read timeout and a body-idle timeout."""

    header_timeout = HEADER_TIMEOUT
    body_idle_timeout = BODY_IDLE_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # uvicorn's own 503 (flow_control.service_unavailable) is plain text without the security headers;
        # the limit is kept here instead, with the same counts, and answered by :func:`_busy`
        self.concurrency = self.limit_concurrency
        self.limit_concurrency = None
        self.app = self._limited(self.app)

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

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._read_timer: asyncio.TimerHandle | None = None
        self._waiting_headers = False
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
        timer = getattr(self, "_read_timer", None)
        if timer is not None:
            timer.cancel()
        self._read_timer = None
        self._waiting_headers = False

    def _arm(self) -> None:
        state = self.conn.their_state
        pending = bool(self.conn.trailing_data[0])
        if state is h11.IDLE and (pending or self.cycle is None):
            if not self._waiting_headers:  # counted from the first byte (or the connection), never reset
                self._cancel()
                self._waiting_headers = True
                self._read_timer = self.loop.call_later(self.header_timeout, self._expire)
        elif state is h11.SEND_BODY:
            self._cancel()  # restarted on every chunk: only a pause is limited
            self._read_timer = self.loop.call_later(self.body_idle_timeout, self._expire)
        else:
            self._cancel()

    def _expire(self) -> None:
        self._read_timer = None
        if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            return  # the request arrived in full meanwhile
        self.logger.info("closing a connection that did not send its request in time")
        if not self.transport.is_closing():
            self.transport.close()


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


def run(app: Any, **options: Any) -> None:
    """``uvicorn.run`` with :class:`TimedH11Protocol` and the connection limits."""
    import uvicorn

    options.setdefault("http", TimedH11Protocol)
    options.setdefault("limit_concurrency", LIMIT_CONCURRENCY)
    options.setdefault("backlog", BACKLOG)
    options.setdefault("timeout_keep_alive", KEEP_ALIVE)
    options.setdefault("h11_max_incomplete_event_size", 16 * 1024)  # request line + headers
    uvicorn.run(app, **options)
