"""The registry of record kinds, read from ``schemas/kinds.yaml``.

Each kind names its schema, its folder under ``records/``, the file path
template, its references and date rules, and, for case kinds, how its clock
works. The built-in kinds are ordinary entries in that file; a new case kind
is a new schema plus a new entry, with no change here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

import yaml

KINDS_FILE = "kinds.yaml"
_FIELD = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class KindsError(Exception):
    """``schemas/kinds.yaml`` or a schema it names is broken (a developer's error)."""


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
    schema: dict = field(default_factory=dict, repr=False)

    @cached_property
    def id_field(self) -> str | None:
        """The field holding the record's id, when the file name is just ``{id}``."""
        return "id" if self.file == "{id}" else None

    @cached_property
    def folder_parts(self) -> tuple[str, ...]:
        return tuple(self.folder.split("/"))

    @cached_property
    def file_fields(self) -> tuple[str, ...]:
        return tuple(_FIELD.findall(self.file))

    def expected_stem(self, data: dict) -> str | None:
        """The path (below the folder, without .yaml) this record must have, or None
        when a field the template needs is missing or not a string."""
        values = {}
        for name in self.file_fields:
            value = data.get(name)
            if not isinstance(value, str) or not value:
                return None
            values[name] = value
        return _FIELD.sub(lambda m: values[m.group(1)], self.file)

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
    """Read ``kinds.yaml`` and every ``*.schema.json`` in ``schemas_dir``."""
    root = Path(schemas_dir)
    try:
        spec = yaml.safe_load((root / KINDS_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KindsError(f"无法读取 {root / KINDS_FILE}：{exc}") from exc
    schemas: dict[str, dict] = {}
    by_file: dict[str, dict] = {}
    for path in sorted(root.glob("*.schema.json")):
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise KindsError(f"无法读取模式文件 {path}：{exc}") from exc
        by_file[path.name] = schema
        schemas[schema.get("$id", path.name)] = schema
    kinds: dict[str, Kind] = {}
    for name, entry in (spec or {}).get("kinds", {}).items():
        try:
            schema = by_file[entry["schema"]]
        except KeyError as exc:
            raise KindsError(f"{KINDS_FILE}：类别 {name} 的模式文件 {entry.get('schema')} 不存在") from exc
        case = entry.get("case")
        kinds[name] = Kind(
            name=name,
            label=entry.get("label", name),
            schema_file=entry["schema"],
            folder=entry["folder"],
            file=entry.get("file", "{id}"),
            counter=bool(entry.get("counter", False)),
            references=[
                Reference(_path(r["path"]), r["kind"], r.get("plan")) for r in entry.get("references", [])
            ],
            date_order=[(_path(a), _path(b)) for a, b in entry.get("date_order", [])],
            sorted_dates=[_path(p) for p in entry.get("sorted", [])],
            events=[(_path(e["date"]), tuple(e.get("with", ()))) for e in entry.get("events", [])],
            case=CaseSpec(
                unit=case.get("unit", "unit"),
                start=case["start"],
                limit=case.get("limit"),
                closed=case.get("closed"),
                columns=tuple(case.get("columns", ())),
            )
            if case
            else None,
            schema=schema,
        )
    for kind in kinds.values():
        for ref in kind.references:
            if ref.kind != "clause" and ref.kind not in kinds:
                raise KindsError(f"{KINDS_FILE}：类别 {kind.name} 引用了未定义的类别 {ref.kind}")
    return Registry(root, kinds, schemas)
