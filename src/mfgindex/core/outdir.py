"""The one all-or-nothing writer of output folders.

Every command that writes a folder does it through :func:`output_folder`: the files are written into a
hidden sibling folder ``.mfgindex-new.<name>.<pid>.<random>``, a manifest (:data:`MANIFEST`) listing every
file with its size and SHA-256 is added, and the folder is moved into place in one rename (an earlier
folder is renamed aside first, then deleted). A crash at any point leaves the earlier folder or the new
one complete; the next start repairs what a crash left (:func:`recover`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mfgindex.core.errors import Problem, UserError
from mfgindex.core.files import PREFIX, check_out_dir, set_public_mode, writing

NEW = f"{PREFIX}new."
OLD = f"{PREFIX}old."
MANIFEST = "mfgindex-manifest.json"
MANIFEST_KIND = "mfgindex-output"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest, or None when it has none (or an unreadable one)."""
    try:
        doc = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(doc, dict)
        or doc.get("kind") != MANIFEST_KIND
        or not isinstance(doc.get("files"), list)
    ):
        return None
    return doc


def _complete(folder: Path) -> bool:
    """True when ``folder`` holds a manifest and every file it lists with the listed size."""
    doc = read_manifest(folder)
    if doc is None:
        return False
    for entry in doc["files"]:
        p = folder / str(entry.get("path", ""))
        if not p.is_file() or p.stat().st_size != entry.get("size"):
            return False
    return True


def _write_manifest(folder: Path, command: str, carried: Mapping[str, str]) -> None:
    entries = []
    for rel in _files(folder):
        if rel == MANIFEST:
            continue
        p = folder / rel
        with p.open("rb+") as fh:  # on disk before the folder is renamed into place
            os.fsync(fh.fileno())
        entries.append(
            {"path": rel, "size": p.stat().st_size, "sha256": _sha256(p), "by": carried.get(rel, command)}
        )
    doc = {"kind": MANIFEST_KIND, "version": 1, "files": entries}
    path = folder / MANIFEST
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    import psutil  # type: ignore[import-untyped]

    return bool(psutil.pid_exists(pid))


def _leftover(name: str) -> tuple[str, str, int] | None:
    """(kind, target name, pid) of a leftover folder name; None when it is not one of ours."""
    for kind, prefix in (("new", NEW), ("old", OLD)):
        if name.startswith(prefix):
            parts = name[len(prefix) :].rsplit(".", 2)
            if len(parts) == 3 and parts[1].isdigit():
                return kind, parts[0], int(parts[1])
    return None


def recover(parent: Path) -> list[str]:
    """Repair what an interrupted write left in ``parent``; returns what was done (for logs and tests).

    A new folder that is complete (its manifest lists every file) whose target is missing is moved into
    place; an earlier folder renamed aside whose target is missing is moved back; every other leftover
    ``.mfgindex-*`` entry of a process that no longer runs is deleted.
    """
    done: list[str] = []
    try:
        entries = sorted(p for p in parent.iterdir() if p.name.startswith(PREFIX))
    except OSError:
        return done
    parsed = [(p, _leftover(p.name)) for p in entries]
    # new folders first (roll forward), then the old ones (roll back only when nothing newer arrived)
    parsed.sort(key=lambda item: (item[1] is None, item[1][0] != "new" if item[1] else True))
    for path, info in parsed:
        if info is not None and _alive(info[2]):
            continue
        try:
            if info is not None:
                kind, name, _ = info
                target = parent / name
                if not target.exists() and (kind == "old" or _complete(path)):
                    os.rename(path, target)
                    done.append(f"restored {name} from {path.name}")
                    continue
            elif path.name.startswith(f"{PREFIX}file."):
                pid = path.name.rsplit(".", 2)
                if len(pid) == 3 and pid[1].isdigit() and _alive(int(pid[1])):
                    continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            done.append(f"removed {path.name}")
        except OSError:
            continue  # someone else's, or gone already: never fail a command over a leftover
    return done


def _unknown_files(out: Path) -> list[str]:
    """Files in ``out`` that no manifest lists (an earlier mfgindex output lists all of its files)."""
    if not out.is_dir():
        return []
    present = _files(out)
    doc = read_manifest(out)
    listed = {str(e.get("path")) for e in doc["files"]} | {MANIFEST} if doc else set()
    return [f for f in present if f not in listed]


def check_replaceable(out: Path, force: bool = False) -> None:
    """Refuse an output folder holding files no mfgindex manifest lists, unless ``force``."""
    if force:
        return
    unknown = _unknown_files(out)
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise UserError(
            Problem(
                f"the output folder holds files mfgindex did not write ({shown}); they would be mixed with "
                "the new outputs",
                file=str(out),
                expected="an empty folder, a folder written by mfgindex, or --force",
            )
        )


def _carry(out: Path, staging: Path, command: str) -> dict[str, str]:
    """Hard-link (or copy) the files of ``out`` that another command wrote into ``staging``."""
    doc = read_manifest(out)
    carried: dict[str, str] = {}
    if doc is None:
        return carried
    for entry in doc["files"]:
        rel, by = str(entry.get("path", "")), str(entry.get("by", ""))
        src = out / rel
        if by == command or not src.is_file() or ".." in Path(rel).parts:
            continue
        dst = staging / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
        carried[rel] = by
    return carried


def _commit(staging: Path, out: Path, force: bool) -> None:
    parent = staging.parent
    if out.exists() and force and _unknown_files(out):
        # files mfgindex did not write stay where they are: the new files replace theirs one by one
        for rel in _files(staging):
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, out / rel)
        return
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f"{OLD}{out.name}.{os.getpid()}.", dir=parent))
        old.rmdir()  # a unique name for the earlier folder, renamed aside
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, out)


@contextmanager
def output_folder(
    out: Path | str, command: str, *, force: bool = False, keep_others: bool = False
) -> Iterator[Path]:
    """Write an output folder all-or-nothing: yields an empty staging folder to write into; when the block
    ends without error the manifest is added and the folder moved into place as ``out``.

    ``command`` names the writer in the manifest; ``keep_others`` keeps the files other commands wrote
    into ``out`` (``report --out`` into a run folder keeps the run files). Disk full, read-only and
    permission errors become one ``UserError`` and leave nothing behind.
    """
    out = Path(out)
    staging: Path | None = None
    try:
        with writing(out):
            check_out_dir(out)
            parent = out.absolute().parent
            parent.mkdir(parents=True, exist_ok=True)
            recover(parent)
            check_replaceable(out, force)
            staging = Path(tempfile.mkdtemp(prefix=f"{NEW}{out.name}.{os.getpid()}.", dir=parent))
            set_public_mode(staging, 0o777)
            carried = _carry(out, staging, command) if keep_others and out.is_dir() else {}
        with writing(out):
            yield staging
            _write_manifest(staging, command, carried)
            _commit(staging, out.absolute(), force)
    finally:
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def output_paths(out: Path, staging: Path, paths: Sequence[Path]) -> list[Path]:
    """``paths`` inside ``staging`` as they are named once the folder is in place as ``out``."""
    return [out / Path(p).relative_to(staging) for p in paths]
