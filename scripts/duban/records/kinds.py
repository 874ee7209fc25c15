"""The registry of record kinds, read from ``schemas/kinds.yaml``.

Each kind names its schema, its folder under ``records/``, the file path
template, its references and date rules, and, for case kinds, how its clock
works. The built-in kinds are ordinary entries in that file; a new case kind
is a new schema plus a new entry, with no change here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

from duban.records.declarations import (
    KINDS_FILE,
    SETTINGS_FILE,
    DeclarationError,
    load_declaration,
    load_schema_file,
)
from duban.records.problems import Problem

_FIELD = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


KindsError = DeclarationError  # the declarations in schemas/ are broken (problems located in them)


@dataclass(frozen=True)
class Reference:
    path: tuple[str, ...]
    kind: str
    plan: str | None = None  # for kind "clause": the field naming the plan


@dataclass(frozen=True)
class CaseSpec:
    unit: str
    start: str
    limit: dict | None
    closed: dict | None
    columns: tuple[str, ...]
    done: str | None = None  # the date field by which the unit has done its part (verification still due)


@dataclass
class Kind:
    name: str
    label: str
    schema_file: str
    folder: str
    file: str
    counter: bool = False
    references: list[Reference] = field(default_factory=list)
    date_order: list[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    sorted_dates: list[tuple[str, ...]] = field(default_factory=list)
    case: CaseSpec | None = None
    events: list[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)  # (date path, fields)
    paths: list[tuple[tuple[str, ...], str]] = field(default_factory=list)  # (field naming a file, folder it stays in)
    schema: dict = field(default_factory=dict, repr=False)

    @cached_property
    def id_field(self) -> str | None:
        """The field holding the record's id, when the file name is just ``{id}``."""
        return "id" if self.file == "{id}" else None

    @cached_property
    def unit_fields(self) -> frozenset[str]:
        """Top-level fields that name a unit (from ``references``): shown as links to the unit."""
        return frozenset(r.path[0] for r in self.references if r.kind == "unit" and len(r.path) == 1)

    @cached_property
    def folder_parts(self) -> tuple[str, ...]:
        return tuple(self.folder.split("/"))

    @cached_property
    def file_fields(self) -> tuple[str, ...]:
        return tuple(_FIELD.findall(self.file))

    @cached_property
    def _stem_parts(self) -> tuple[str, ...]:
        """The template split at its fields: text, field, text, field, ..., text."""
        return tuple(_FIELD.split(self.file))

    def expected_stem(self, data: dict) -> str | None:
        """The path (below the folder, without .yaml) this record must have, or None
        when a field the template needs is missing or not a string."""
        parts = self._stem_parts
        if len(parts) == 3 and not parts[0] and not parts[2]:  # "{id}": the common case
            value = data.get(parts[1])
            return value if isinstance(value, str) and value else None
        out = []
        for i, part in enumerate(parts):
            if i % 2:
                value = data.get(part)
                if not isinstance(value, str) or not value:
                    return None
                part = value
            out.append(part)
        return "".join(out)

    def record_id(self, data: dict, rel: PurePosixPath) -> str:
        """The record's identity: its id field, or its path below the folder."""
        if self.id_field and isinstance(data.get("id"), str):
            return data["id"]
        return str(rel.with_suffix(""))

    def title(self, field_name: str) -> str:
        prop = self.schema.get("properties", {}).get(field_name, {})
        return prop.get("title", field_name)


def _path(text: str) -> tuple[str, ...]:
    return tuple(text.split("/"))


@dataclass
class Registry:
    root: Path  # the schemas folder
    kinds: dict[str, Kind]
    schemas: dict[str, dict]  # $id -> schema, every schema in the folder
    settings: dict = field(default_factory=dict)  # schemas/settings.yaml, checked (the engine reads it)

    def by_folder(self, rel: PurePosixPath) -> Kind | None:
        """The kind whose folder holds the path ``rel`` (relative to records/)."""
        best: Kind | None = None
        parts = rel.parts
        for kind in self.kinds.values():
            folder = kind.folder_parts
            if parts[: len(folder)] == folder and len(parts) > len(folder):
                if best is None or len(folder) > len(best.folder_parts):
                    best = kind
        return best

    def case_kinds(self) -> list[Kind]:
        return [k for k in self.kinds.values() if k.case is not None]


def load_registry(schemas_dir: Path | str) -> Registry:
    """Read and check ``kinds.yaml``, ``settings.yaml`` and every ``*.schema.json`` in ``schemas_dir``.

    Raises :class:`KindsError` with located problems when a declaration is broken.
    """
    root = Path(schemas_dir)
    loaded, problems = load_declaration(root, KINDS_FILE, "kinds")
    settings, settings_problems = load_declaration(root, SETTINGS_FILE, "settings", required=False)
    problems += settings_problems
    schemas: dict[str, dict] = {}
    by_file: dict[str, dict] = {}
    for path in sorted(root.glob("*.schema.json")):
        schema, problem = load_schema_file(path, root)
        if problem:
            problems.append(problem)
            continue
        by_file[path.name] = schema
        schemas[schema.get("$id", path.name)] = schema
    if problems:
        raise KindsError(problems)
    kinds: dict[str, Kind] = {}
    for name, entry in loaded.data["kinds"].items():
        case = entry.get("case")
        kinds[name] = Kind(
            name=name,
            label=entry["label"],
            schema_file=entry["schema"],
            folder=entry["folder"],
            file=entry.get("file", "{id}"),
            counter=bool(entry.get("counter", False)),
            references=[Reference(_path(r["path"]), r["kind"], r.get("plan")) for r in entry.get("references", [])],
            date_order=[(_path(a), _path(b)) for a, b in entry.get("date_order", [])],
            sorted_dates=[_path(p) for p in entry.get("sorted", [])],
            events=[(_path(e["date"]), tuple(e.get("with", ()))) for e in entry.get("events", [])],
            paths=[(_path(e["path"]), e["under"]) for e in entry.get("paths", [])],
            case=CaseSpec(
                unit=case.get("unit", "unit"),
                start=case["start"],
                limit=case.get("limit"),
                closed=case.get("closed"),
                columns=tuple(case.get("columns", ())),
                done=(case.get("done") or {}).get("date"),
            )
            if case
            else None,
            schema=by_file.get(entry["schema"], {}),
        )
    problems = _kind_problems(kinds, by_file, loaded) + _settings_problems(settings)
    if problems:
        raise KindsError(problems)
    return Registry(root, kinds, schemas, settings.data or {})


def _kind_problems(kinds: dict[str, Kind], by_file: dict[str, dict], loaded) -> list[Problem]:
    """What the meta-schema cannot see: files that exist, kinds that exist, fields the schema has."""
    out = []
    for name, kind in kinds.items():
        at = ("kinds", name)
        if kind.schema_file not in by_file:
            out.append(loaded.problem(at + ("schema",), f"类别“{name}”的模式文件 {kind.schema_file} 不存在", "declaration"))
            continue
        fields = set(kind.schema.get("properties", {}))
        for i, ref in enumerate(kind.references):
            if ref.kind != "clause" and ref.kind not in kinds:
                out.append(loaded.problem(at + ("references", i, "kind"), f"类别“{name}”引用了未定义的类别“{ref.kind}”", "declaration"))
        for name_ in kind.file_fields:
            if name_ not in fields:
                out.append(loaded.problem(at + ("file",), f"文件名模板用到的字段“{name_}”不在 {kind.schema_file} 中", "declaration"))
        if kind.case:
            spec = kind.case
            named = [("start", spec.start), ("unit", spec.unit)]
            named += [(("limit", k), v) for k, v in (spec.limit or {}).items() if k in ("field", "time_limit")]
            named += [(("closed", k), v) for k, v in (spec.closed or {}).items() if k in ("date", "history")]
            named += [(("done", "date"), spec.done)] if spec.done else []
            named += [(("columns", i), c) for i, c in enumerate(spec.columns)]
            for where, field_ in named:
                if field_ not in fields:
                    path = at + ("case",) + (where if isinstance(where, tuple) else (where,))
                    out.append(loaded.problem(path, f"字段“{field_}”不在 {kind.schema_file} 中", "declaration"))
    return out


def _settings_problems(settings) -> list[Problem]:
    data = settings.data or {}
    levels = set(data.get("levels") or {})
    states = data.get("states") or {}
    out = []
    for state, entry in states.items():
        if entry.get("level") not in levels:
            out.append(settings.problem(("states", state, "level"), f"等级“{entry.get('level')}”不在 levels 中", "declaration"))
    declared = data.get("unit_kinds")
    for g, group in enumerate((data.get("ranking") or {}).get("groups") or []):
        for k, kind in enumerate(group.get("kinds") or []):
            if declared and kind not in declared:
                out.append(settings.problem(("ranking", "groups", g, "kinds", k), f"单位类别“{kind}”不在 unit_kinds 中", "declaration"))
    for i, rule in enumerate(data.get("escalate") or []):
        if rule.get("level") not in levels:
            out.append(settings.problem(("escalate", i, "level"), f"等级“{rule.get('level')}”不在 levels 中", "declaration"))
        if rule.get("state") not in states:
            out.append(settings.problem(("escalate", i, "state"), f"状态“{rule.get('state')}”不在 states 中", "declaration"))
    return out
