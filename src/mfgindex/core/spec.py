"""``RunSpec``: everything an evaluation is made of, typed and serialisable — the input of ``evaluate``.

A run is fully described by its spec: the framework (a preset name, a file, or the framework itself), the
data files (none = the embedded default data) and how they combine with the embedded data, the year(s),
method overrides, the seed, the reviewed findings and the corrections. ``run.json`` holds the spec's dump
(key ``spec``) with the hashes of the framework and of every input filled in, so re-running a run folder
is ``evaluate(RunSpec.load(folder))`` and a changed input is detected by its hash.

Adding a field
--------------
1. Add a typed field with a default here (the default keeps older ``run.json`` files loadable): plain JSON
   types, tuples instead of lists; say in a comment what it means.
2. Use it where the run is prepared (``services.runner.prepare``) or in the stage that needs it — never
   read it from a second place such as a CLI option or a web request.
3. Set it from the faces: ``cli/options.py`` ``make_options`` for command-line flags, the web app's
   request model, ``workspace.runs`` (which stores the spec of each workspace run).
4. Add a round-trip case to ``tests/test_spec.py``.
"""

import hashlib
import json
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mfgindex.core import framework as fw_mod
from mfgindex.core import memo
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Framework
from mfgindex.core.methods import Methods

if TYPE_CHECKING:
    from mfgindex.core.dataset import Dataset

DEFAULT_FRAMEWORK = "caict2023"
DEFAULT_YEAR = 2022  # the seed report's year, used with the embedded data when no year is given
SPEC_VERSION = 1


def framework_sha256(framework: Framework) -> str:
    """SHA-256 of the framework's canonical JSON (sorted keys): equal frameworks have equal hashes.

    Computed once per framework object (frameworks are frozen)."""

    def digest() -> str:
        text = json.dumps(
            framework.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    return memo.per_object(framework, "sha256", digest)


def _plain(value: Any) -> Any:
    """JSON's form of a method value: enums → their value, tuples → lists, mapping keys → text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


class RunSpec(BaseModel):
    """The specification of one evaluation (frozen; change it with ``spec.model_copy(update=…)``).

    Examples
    --------
    >>> spec = RunSpec(year=2022, methods={"normalise": "zscore"})
    >>> RunSpec.model_validate_json(spec.model_dump_json()) == spec
    True
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = SPEC_VERSION
    # a preset name ("caict2023"), a YAML/iMeta file, or the framework itself (as recorded in run.json)
    framework: str | Framework = DEFAULT_FRAMEWORK
    # SHA-256 of the resolved framework (method overrides applied); filled when evaluated
    framework_sha256: str | None = None
    # users' data files or folders, read by mfgindex.core.ingest; empty = the embedded default data
    data: tuple[str, ...] = ()
    # input file → SHA-256 of its bytes; filled when evaluated, compared when a recorded spec is re-run
    data_sha256: dict[str, str] = Field(default_factory=dict)
    # with the default preset, the users' data lie over the embedded data cell by cell (an overlay);
    # False: the given data alone
    default_data: bool = True
    column_map: str | None = None  # file column → variable id (YAML or CSV), for the users' data
    year: int | None = None  # None = the embedded data's 2022, else the latest year the data supply
    previous_year: int | None = None  # None = year − 1 when the data have it
    top: int | None = None  # size of the published top list (framework.top_n)
    # overrides of the framework's method choices (field names of core.methods.Methods), JSON values
    methods: dict[str, Any] = Field(default_factory=dict)
    seed: int = 0  # recorded; the deterministic pipeline draws no random numbers, robustness runs do
    accept: tuple[str, ...] = ()  # files of reviewed plausibility findings (each entry with a reason)
    corrections: tuple[str, ...] = ()  # files whose values replace the data's (each with a reason)
    allow_thin: bool = False  # evaluate a year even when a dimension has < 50 % of its cells
    # a data workspace (`mfgindex init`) whose data are evaluated instead of files, as of ``snapshot`` (the
    # workspace's last import id the run read; None = its current data). Dumped only when set.
    workspace: str | None = None
    snapshot: int | None = None

    @field_validator("methods")
    @classmethod
    def _known_methods(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(Methods.model_fields))
        if unknown:
            raise ValueError(f"unknown method fields {unknown}; known: {sorted(Methods.model_fields)}")
        # JSON's form, so that equal choices give equal specs and a dump loads back equal; the values are
        # checked where the framework takes them (framework.with_methods: a located user error)
        return {k: _plain(v) for k, v in sorted(value.items()) if v is not None}

    # -- what the spec means ----------------------------------------------------------------------------
    def overlays(self) -> bool:
        """``data`` goes over the embedded data: the default preset, unless ``default_data`` is off."""
        return bool(self.data) and self.default_data and self.framework_label == DEFAULT_FRAMEWORK

    @property
    def framework_label(self) -> str:
        """The framework's reference as text (its id when the framework is given inline)."""
        return self.framework if isinstance(self.framework, str) else self.framework.id

    def resolve_framework(self) -> Framework:
        """The framework evaluated: the preset or file loaded (or the one given), with the spec's method
        overrides and top-list size applied. Raises UserError on an unknown preset, a bad override or
        ``top`` < 1."""
        framework = fw_mod.load(self.framework) if isinstance(self.framework, str) else self.framework
        if self.methods:
            framework = fw_mod.with_methods(framework, **self.methods)
        if self.top is not None:
            if self.top < 1:
                raise UserError(
                    Problem("--top must be at least 1", column="--top", value=str(self.top), expected="N ≥ 1")
                )
            framework = framework.model_copy(update={"top_n": self.top})
        return framework

    def resolve_year(self, ds: "Dataset") -> int:
        """The year evaluated on ``ds``: the spec's year; over the embedded data the latest year the user's
        files supplied; else the embedded data's 2022 (no data given) or the data's latest year."""
        if self.year is not None:
            return self.year
        if self.overlays():
            supplied = ds.reading.get("supplied") or {}
            given = [int(y) for in_file in supplied.values() for years in in_file.values() for y in years]
            if given:
                return max(given)
        years = ds.years()
        return DEFAULT_YEAR if DEFAULT_YEAR in years and not self.data else years[-1]

    def record(self) -> dict[str, Any]:
        """The user's choices in short form (the ``config`` block of run.json and of the reports)."""
        extra: dict[str, Any] = {}
        if self.accept:
            extra["accepted_findings"] = list(self.accept)
        if self.corrections:
            extra["corrections"] = list(self.corrections)
        if self.allow_thin:
            extra["allow_thin"] = True
        if self.column_map:
            extra["column_map"] = self.column_map
        if self.data:
            extra["data_mode"] = "over the embedded data" if self.overlays() else "the given data alone"
        return {
            "framework": self.framework_label,
            "data": list(self.data) or "embedded default",
            **extra,
            "year": self.year,
            "previous_year": self.previous_year,
            "top": self.top,
            "seed": self.seed,
            "method_overrides": dict(self.methods),
        }

    def with_paths(self, change: Callable[[str], str]) -> "RunSpec":
        """The spec with every file path (data, column map, findings, corrections, hash keys) changed."""
        data = {d: change(d) for d in self.data}
        return self.model_copy(
            update={
                "data": tuple(data.values()),
                "data_sha256": {data.get(k, k): v for k, v in self.data_sha256.items()},
                "column_map": None if self.column_map is None else change(self.column_map),
                "accept": tuple(change(a) for a in self.accept),
                "corrections": tuple(change(c) for c in self.corrections),
            }
        )

    # -- reading and writing ----------------------------------------------------------------------------
    def resolved(self, framework: Framework, year: int, inputs: Mapping[str, str]) -> "RunSpec":
        """The spec as evaluated: the year and the SHA-256 of the framework and of every input filled in."""
        return self.model_copy(
            update={
                "year": year,
                "framework_sha256": framework_sha256(framework),
                "data_sha256": dict(sorted(dict(inputs).items())),
            }
        )

    def dump(self) -> dict[str, Any]:
        """Plain JSON data (what run.json holds under ``spec``); the workspace fields only when set."""
        unset = {"workspace", "snapshot"} if self.workspace is None and self.snapshot is None else set()
        out: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude=unset)
        return out

    @classmethod
    def from_dict(cls, data: Any, file: str = "<spec>") -> "RunSpec":
        """A spec from plain data; every problem is a user error naming ``file``."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise UserError(
                [
                    Problem(f"run spec: {e['msg']}", file=file, column=".".join(map(str, e["loc"])))
                    for e in exc.errors()
                ]
            ) from None

    @classmethod
    def load(cls, path: str | Path) -> "RunSpec":
        """A spec from a JSON file: a spec itself, a ``run.json`` (its ``spec``), or a run folder.

        Relative data paths in a ``run.json`` are recorded against its folder and resolved against it.
        """
        path = Path(path)
        if path.is_dir():
            path = path / "run.json"
        elif not path.exists():
            raise UserError(
                Problem(
                    "run folder not found",
                    file=str(path),
                    expected="a folder written by `mfgindex run --out DIR`, or its run.json",
                )
            )
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UserError(
                Problem(
                    "not a run folder: run.json is missing",
                    file=str(path.parent),
                    expected="a folder written by `mfgindex run --out DIR`",
                )
            ) from None
        except (OSError, ValueError) as exc:
            raise UserError(Problem(f"cannot read {path.name}: {exc}", file=str(path))) from None
        if isinstance(record, dict) and "tool" in record:
            return cls.from_run_record(record, path.parent, str(path))
        return cls.from_dict(record, str(path))

    @classmethod
    def from_run_record(cls, record: dict[str, Any], folder: Path, file: str = "run.json") -> "RunSpec":
        """The spec of a run.json (data paths resolved against ``folder``); a run.json written before specs
        were recorded is read from its framework and config."""
        from mfgindex.core.files import resolve_input

        if isinstance(record.get("spec"), dict):
            spec = cls.from_dict(record["spec"], file)
            if isinstance(record.get("framework"), dict):  # the framework as run, not today's preset
                recorded = fw_mod.from_dict(record["framework"], file=file)
                spec = spec.model_copy(update={"framework": recorded})
        else:
            if not isinstance(record.get("framework"), dict):
                raise UserError(Problem("run.json has no framework", file=file))
            config = record.get("config") or {}
            data = config.get("data")
            year = record.get("year")
            cmap = config.get("column_map")
            spec = cls.from_dict(
                {
                    "data": [str(d) for d in data] if isinstance(data, list) else [],
                    "default_data": config.get("data_mode") == "over the embedded data",
                    "column_map": cmap if isinstance(cmap, str) else None,
                    "accept": [str(a) for a in config.get("accepted_findings") or []],
                    "corrections": [str(c) for c in config.get("corrections") or []],
                    "allow_thin": bool(config.get("allow_thin")),
                    "data_sha256": dict(record.get("inputs") or {}),
                    "year": year if isinstance(year, int) else None,
                    "previous_year": record.get("previous_year"),
                    "seed": int(record.get("seed") or 0),
                },
                file,
            ).model_copy(update={"framework": fw_mod.from_dict(record["framework"], file=file)})
        return spec.with_paths(lambda p: str(resolve_input(p, folder)))
