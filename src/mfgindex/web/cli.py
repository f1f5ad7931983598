"""``mfgindex serve``: the dashboard and JSON API under uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the main CLI."""

    @app.command()
    def serve(
        run: Annotated[
            Path | None,
            typer.Option(
                "--run",
                help="Run directory (mfgindex run --out DIR): re-evaluated "
                "from its run.json; its uncertainty.csv gives rank intervals.",
            ),
        ] = None,
        host: Annotated[
            str, typer.Option(help="Interface to listen on (127.0.0.1 = this machine only).")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
        log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    ) -> None:
        """Serve the dashboard and JSON API (default: the embedded data evaluated at start-up)."""
        import uvicorn

        from mfgindex.cli import err, guarded
        from mfgindex.web.app import create_app

        def build() -> object:
            with err.status("评价计算中 (evaluating)…"):
                return create_app(run_dir=run)

        web_app = guarded(build)
        err.print(f"mfgindex dashboard → http://{host}:{port}/  (API: /openapi.json)")
        uvicorn.run(web_app, host=host, port=port, log_level=log_level)  # type: ignore[arg-type]
