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
        workers: Annotated[
            int,
            typer.Option(
                help="Worker processes. Each evaluates the data at start-up (about 8 s alone) and holds its "
                "own copy (about 240 MB); 2 on a 2-core machine raises what-if throughput.",
                min=1,
                max=64,
            ),
        ] = 1,
        token: Annotated[
            str | None,
            typer.Option(
                envvar="MFGINDEX_UPLOAD_TOKEN",
                help="Switch on POST /api/evaluate (evaluate an uploaded workbook), which then requires "
                "'Authorization: Bearer TOKEN'. Off (read-only service) when not given.",
            ),
        ] = None,
    ) -> None:
        """Serve the dashboard and JSON API (default: the embedded data evaluated at start-up)."""
        import os

        import uvicorn

        from mfgindex.cli.main import err, guarded
        from mfgindex.web.app import ENV_RUN, ENV_TOKEN, create_app

        if token is not None and len(token) < 16:
            err.print("--token must be at least 16 characters")
            raise typer.Exit(2)
        url = f"mfgindex dashboard → http://{host}:{port}/  (API: /openapi.json)"
        if workers > 1:  # each worker process builds its own app (factory reads the environment)
            if run is not None:
                os.environ[ENV_RUN] = str(run.resolve())
            if token:
                os.environ[ENV_TOKEN] = token
            err.print(f"{url}; {workers} workers, each evaluating at start-up")
            uvicorn.run(
                "mfgindex.web.app:from_env",
                factory=True,
                host=host,
                port=port,
                log_level=log_level,
                workers=workers,
            )
            return

        def build() -> object:
            with err.status("评价计算中 (evaluating)…"):
                return create_app(run_dir=run, upload_token=token)

        web_app = guarded(build)
        err.print(url + ("; upload endpoint on (token required)" if token else ""))
        uvicorn.run(web_app, host=host, port=port, log_level=log_level)  # type: ignore[arg-type]
