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
                help="运行目录 (run folder)：mfgindex run --out 写出的目录，按其 run.json 重新评价；"
                "其中的 uncertainty.csv 提供排名区间。",
            ),
        ] = None,
        host: Annotated[
            str, typer.Option(help="监听地址 (host)：127.0.0.1 表示仅本机可访问。")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="端口 (TCP port)。", min=1, max=65535)] = 8000,
        log_level: Annotated[str, typer.Option(help="日志级别 (uvicorn log level)。")] = "info",
        workers: Annotated[
            int,
            typer.Option(
                help="工作进程数 (workers)：每个进程启动时评价一次数据（单独约 8 秒）并各占约 240 MB；"
                "双核机器上取 2 可提高情景模拟的吞吐量。",
                min=1,
                max=64,
            ),
        ] = 1,
        token: Annotated[
            str | None,
            typer.Option(
                envvar="MFGINDEX_UPLOAD_TOKEN",
                help="上传令牌 (upload token)：开启 POST /api/evaluate（评价上传的工作簿），请求需带 "
                "'Authorization: Bearer TOKEN'；不给出时服务只读。",
            ),
        ] = None,
        policy_workspace: Annotated[
            Path | None,
            typer.Option(
                "--workspace",
                "-w",
                help="政策库工作区 (policy workspace)：其政策库（mfgindex policy import 导入）"
                "用于城市的政策时间线；默认使用随软件提供的中国信通院2023年报告样例。",
            ),
        ] = None,
    ) -> None:
        """看板服务 (dashboard)：网页看板与 JSON API。

        默认在启动时评价内置数据。
        """
        import os

        from mfgindex.cli.console import err, guarded
        from mfgindex.web import server
        from mfgindex.web.app import ENV_POLICY, ENV_RUN, ENV_TOKEN, create_app

        if token is not None and len(token) < 16:
            err.print("--token must be at least 16 characters")
            raise typer.Exit(2)
        url = f"mfgindex dashboard → http://{host}:{port}/  (API: /openapi.json)"
        if workers > 1:  # each worker process builds its own app (factory reads the environment)
            if run is not None:
                os.environ[ENV_RUN] = str(run.resolve())
            if token:
                os.environ[ENV_TOKEN] = token
            if policy_workspace is not None:
                os.environ[ENV_POLICY] = str(policy_workspace.resolve())
            err.print(f"{url}; {workers} workers, each evaluating at start-up")
            server.run(
                "mfgindex.web.server:from_env",
                factory=True,
                host=host,
                port=port,
                log_level=log_level,
                workers=workers,
            )
            return

        def build() -> object:
            with err.status("评价计算中 (evaluating)…"):
                return create_app(run_dir=run, upload_token=token, policy_workspace=policy_workspace)

        web_app = guarded(build)
        err.print(url + ("; upload endpoint on (token required)" if token else ""))
        server.run(web_app, host=host, port=port, log_level=log_level)
