"""Web fixtures: the app state (evaluated once per session), a TestClient, a live uvicorn server, Chromium."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mfgindex.web.app import create_app
from mfgindex.web.state import AppState, from_options
from tests.chromium import DEBIAN, chromium_path

CHROMIUM = chromium_path() or DEBIAN  # a missing one skips (fails with CI=true): tests/conftest.py
ARTIFACTS = (
    Path(os.environ.get("MFGINDEX_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")) / "web"
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="session")
def web_state() -> AppState:
    return from_options()


@pytest.fixture(scope="session")
def client(web_state: AppState) -> Iterator[TestClient]:
    with TestClient(create_app(web_state), raise_server_exceptions=False) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(web_state: AppState) -> Iterator[str]:
    """uvicorn serving the app in a daemon thread on a free port; yields the base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(web_state), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
