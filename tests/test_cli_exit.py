"""The ``mfgindex`` program's start and end (``cli.main.main``), run as a user runs it: a separate process.

``main`` ends with ``os._exit`` instead of Python's normal exit; these tests check what a normal exit would
have done still happens: the exit status, every byte of output through a pipe, ``atexit`` callbacks, threads
still running joined, the garbage collector back on once the command is loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from mfgindex.cli.main import COMMANDS

ASEM = Path(__file__).resolve().parents[1] / "src" / "mfgindex" / "data" / "asem"


def _program(args: list[str], before: str = "") -> subprocess.CompletedProcess[str]:
    """``mfgindex ARGS`` in a new interpreter, with ``before`` run first (stdout and stderr are pipes)."""
    code = textwrap.dedent(before) + "\nimport sys\nfrom mfgindex.cli.main import main\n"
    code += f"sys.argv = ['mfgindex', *{args!r}]\nmain()\n"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # pipes block-buffered, as usual
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)


def test_output_through_a_pipe_is_complete() -> None:
    # a block-buffered pipe loses what is still in the buffer unless it is flushed before the process ends;
    # an atexit callback's print (after the command's own output) is the last thing buffered
    done = _program(["--help"], "import atexit\natexit.register(print, 'last words')")
    assert done.returncode == 0, done.stderr
    listed = [name for name in COMMANDS if f" {name} " in done.stdout or f" {name}\n" in done.stdout]
    assert listed == list(COMMANDS)
    assert done.stdout.endswith("last words\n")


def test_status_of_a_user_error_and_of_a_usage_error() -> None:
    missing = _program(["validate", "-d", "/nonexistent/data.csv"])
    assert missing.returncode == 2
    assert "nonexistent" in missing.stderr and "Traceback" not in missing.stderr
    usage = _program(["validate", "--no-such-option"])
    assert usage.returncode == 2
    assert "--no-such-option" in usage.stderr


def test_success_status_and_output(tmp_path: Path) -> None:
    done = _program(["validate", "-f", str(ASEM / "iMeta.csv"), "-d", str(ASEM / "iData.csv")])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_atexit_callbacks_run_and_the_collector_is_back_on(tmp_path: Path) -> None:
    flag = tmp_path / "atexit.txt"
    before = f"""
        import atexit, gc, pathlib
        state = lambda: f"{{gc.isenabled()}} {{gc.get_freeze_count() > 0}}"
        atexit.register(lambda: pathlib.Path({str(flag)!r}).write_text(state()))
    """
    done = _program(["validate", "-f", str(ASEM / "iMeta.csv"), "-d", str(ASEM / "iData.csv")], before)
    assert done.returncode == 0, done.stderr
    # collector on, and the start-up objects frozen out of it, by the time the command has run
    assert flag.read_text() == "True True"


def test_a_running_thread_is_joined_not_killed(tmp_path: Path) -> None:
    flag = tmp_path / "thread.txt"
    before = f"""
        import threading, time
        def late():
            time.sleep(0.5)
            open({str(flag)!r}, "w").write("finished")
        threading.Thread(target=late).start()
    """
    done = _program(["--help"], before)
    assert done.returncode == 0, done.stderr
    assert flag.read_text() == "finished"
