"""Validation: schema, file placement, references, dates, personal data.

Everything here returns problems as values; nothing prints or exits.

``check_repository(root)`` is the entry point. It loads every record under
``records/`` (in parallel when there are many), checks each file on its own
(schema, file name, personal data), then checks what spans records (unique
ids, references, dates in order). Records that pass their own checks are
returned with the report, so the model can be built from the same pass.
"""

from __future__ import annotations

import difflib
import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry as RefRegistry, Resource

from duban.records import privacy
from duban.records.kinds import Kind, Registry, load_registry
from duban.records.load import Loaded, load_file
from duban.records.problems import Problem, Report, field_name

RECORDS = "records"
SCHEMAS = "schemas"
PARALLEL_THRESHOLD = 2000  # below this many files, one process is faster


@dataclass
class Record:
    """A record that passed its own checks: where it lives and its data."""

    kind: str
    id: str
    file: str  # path relative to the repository root, POSIX style
    data: dict


@dataclass
class Result:
    report: Report
    records: dict[str, dict[str, Record]] = field(default_factory=dict)  # kind -> id -> record

    @property
    def ok(self) -> bool:
        return self.report.ok


# ---------------------------------------------------------------- schema messages

_TYPE_NAMES = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "boolean": " true 或 false",
    "array": "列表",
    "object": "由若干字段组成的内容",
    "null": "空值",
}


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


class Fields:
    """Walks a kind's schema to find a field's Chinese title and description."""

    def __init__(self, schema: dict, schemas: dict[str, dict]):
        self.schema = schema
        self._schemas = schemas

    def _resolve(self, schema: dict) -> dict:
        ref = schema.get("$ref")
        if not ref:
            return schema
        base, _, pointer = ref.partition("#")
        target = next((s for uri, s in self._schemas.items() if uri == base or uri.endswith("/" + base)), None)
        if target is None:
            return schema
        for part in pointer.strip("/").split("/") if pointer else []:
            target = target.get(part, {})
        merged = dict(target)
        merged.update({k: v for k, v in schema.items() if k != "$ref"})
        return merged

    def subschema(self, path: Iterable) -> dict:
        schema = self.schema
        for part in path:
            schema = self._resolve(schema)
            if isinstance(part, int):
                schema = schema.get("items", {})
            else:
                schema = schema.get("properties", {}).get(part, {})
        return self._resolve(schema)

    def title(self, path) -> str:
        return self.subschema(path).get("title", "") or field_name(path)


class SchemaChecker:
    """Validates one kind's records against its schema and words errors in Chinese.

    The clean path asks jsonschema-rs (compiled, ~100x faster) whether a record is
    valid; only an invalid record goes through the Python ``jsonschema`` validator,
    whose detailed errors become the Chinese messages.
    """

    def __init__(self, kind: Kind, registry: Registry):
        resources = [(uri, Resource.from_contents(s)) for uri, s in registry.schemas.items()]
        refs = RefRegistry().with_resources(resources)
        self.kind = kind
        self.fields = Fields(kind.schema, registry.schemas)
        self.validator = Draft202012Validator(kind.schema, registry=refs, format_checker=FormatChecker())
        self.fast = jsonschema_rs.validator_for(
            kind.schema, registry=jsonschema_rs.Registry(list(registry.schemas.items())), validate_formats=True)

    def _named(self, name: str, path) -> str:
        title = self.fields.title(path)
        return f"“{name}”（{title}）" if title != name else f"“{name}”"

    def problems(self, loaded: Loaded) -> list[Problem]:
        if self.fast.is_valid(loaded.data):
            return []
        out: list[Problem] = []
        for error in self.validator.iter_errors(loaded.data):
            out.extend(self._translate(error, loaded))
        return out

    def _translate(self, error, loaded: Loaded) -> list[Problem]:
        v = error.validator
        path = tuple(error.absolute_path)
        inst = error.instance
        value = error.validator_value
        code = f"schema-{v}"
        if v == "required":
            return [
                loaded.problem(path + (name,), f"缺少必填字段{self._named(name, path + (name,))}", code)
                for name in value
                if isinstance(inst, dict) and name not in inst
            ]
        if v == "additionalProperties":
            known = list(error.schema.get("properties", {}))
            out = []
            for extra in inst:
                if extra in known:
                    continue
                close = difflib.get_close_matches(extra, known, n=1)
                hint = f"，是不是“{close[0]}”？" if close else "；请检查拼写"
                out.append(loaded.problem(path + (extra,), f"未知字段“{extra}”：这类记录没有这个字段{hint}", code, key=True))
            return out
        if v == "dependentRequired":
            out = []
            for trigger, needed in value.items():
                if isinstance(inst, dict) and trigger in inst:
                    for name in needed:
                        if name not in inst:
                            msg = f"填写了{self._named(trigger, path + (trigger,))}时，还须填写{self._named(name, path + (name,))}"
                            out.append(loaded.problem(path + (trigger,), msg, code))
            return out
        if v == "not" and isinstance(inst, dict):
            forbidden = [r for sub in value.get("anyOf", []) for r in sub.get("required", []) if r in inst]
            mode = inst.get("mode")
            lead = f"时限形式为“{mode}”时" if mode else "此处"
            return [
                loaded.problem(path + (name,), f"{lead}不应填写{self._named(name, path + (name,))}", code, key=True)
                for name in forbidden
            ]
        sub = self.fields.subschema(path)
        if v == "enum":
            choices = "、".join(str(c) for c in value)
            msg = f"“{inst}”不是可选的值；可选：{choices}"
        elif v == "const":
            msg = f"应为“{value}”"
        elif v == "type":
            wanted = value if isinstance(value, list) else [value]
            msg = f"应为{'或'.join(_TYPE_NAMES.get(w, w) for w in wanted)}，现在是{_TYPE_NAMES[_type_of(inst)]}“{inst}”"
            if "string" in wanted and _type_of(inst) in ("integer", "boolean"):
                msg += "；请给这个值加引号"
            elif wanted == ["boolean"] and isinstance(inst, str):
                msg += "；是写 true，否写 false"
        elif v == "pattern":
            desc = sub.get("description", "")
            msg = f"“{inst}”格式不正确" + (f"：{desc}" if desc else "")
        elif v == "format":
            msg = f"“{inst}”不是有效的日期（应为 YYYY-MM-DD，且日期存在）" if value == "date" else f"“{inst}”格式不正确"
        elif v == "minLength":
            msg = "不能为空"
        elif v == "maxLength":
            msg = f"太长：最多 {value} 个字，现在 {len(inst)} 个字"
        elif v == "minItems":
            msg = f"至少要填写 {value} 项" if value > 1 else "至少要填写一项"
        elif v == "maxItems":
            msg = f"最多填写 {value} 项"
        elif v == "uniqueItems":
            msg = "列表中有重复的项"
        elif v == "minimum":
            msg = f"应不小于 {value}，现在是 {inst}"
        elif v == "maximum":
            msg = f"应不大于 {value}，现在是 {inst}"
        else:
            msg = f"不符合要求（{error.message}）"
        return [loaded.problem(path, msg, code)]


# ---------------------------------------------------------------- one file


@dataclass
class Checked:
    file: str
    kind: str | None
    data: dict | None  # None when the file could not be parsed
    valid: bool  # passed its own checks (schema, placement, personal data)
    problems: list[Problem]


class FileChecker:
    """Per-file checks; one instance per process."""

    def __init__(self, root: Path, registry: Registry):
        self.root = root
        self.registry = registry
        self.schema = {name: SchemaChecker(kind, registry) for name, kind in registry.kinds.items()}
        self._root = os.path.realpath(root) + os.sep
        self._records = self._root + RECORDS + os.sep

    def check(self, path: Path) -> Checked:
        full = os.path.abspath(path)
        if not full.startswith(self._root):
            full = os.path.realpath(path)
        file = full[len(self._root):].replace(os.sep, "/") if full.startswith(self._root) else str(path)
        rel = PurePosixPath(full[len(self._records):].replace(os.sep, "/")) if full.startswith(self._records) else None
        if rel is None:
            return Checked(file, None, None, False, [Problem(file, 1, 1, "-", "记录文件必须放在 records/ 文件夹下", "placement")])
        if path.suffix != ".yaml":
            msg = "扩展名应为 .yaml" if path.suffix == ".yml" else "records/ 下只能放 .yaml 记录文件"
            return Checked(file, None, None, False, [Problem(file, 1, 1, "-", msg, "placement")])
        kind = self.registry.by_folder(rel)
        loaded = load_file(path, file)
        problems = list(loaded.problems)
        if kind is None:
            folders = "、".join(f"records/{k.folder}/" for k in self.registry.kinds.values())
            problems.append(Problem(file, 1, 1, "-", f"不在任何记录类别的文件夹中；应放在 {folders} 之一", "placement"))
            return Checked(file, None, loaded.data, False, problems)
        if loaded.data is None:
            return Checked(file, kind.name, None, False, problems)
        bad_dates = {(p.line, p.column) for p in problems if p.code == "date"}
        problems.extend(
            p for p in self.schema[kind.name].problems(loaded)
            if not (p.code == "schema-format" and (p.line, p.column) in bad_dates)
        )
        problems.extend(self._placement(kind, rel, loaded))
        for finding in privacy.scan(loaded.data):
            problems.append(loaded.problem(finding.path, finding.message, f"privacy-{finding.kind}"))
        loaded.release()
        return Checked(file, kind.name, loaded.data, not problems, problems)

    def _placement(self, kind: Kind, rel: PurePosixPath, loaded: Loaded) -> list[Problem]:
        expected = kind.expected_stem(loaded.data)
        if expected is None:
            return []  # the schema already reports the missing field
        inside = PurePosixPath(*rel.parts[len(kind.folder_parts):]).with_suffix("")
        actual = str(inside)
        if "/" in kind.file:
            ok = actual == expected or (kind.counter and _strip_counter(actual) == expected)
            want = f"records/{kind.folder}/{expected}.yaml"
        else:  # records may be grouped in subfolders; the file name must match
            ok = inside.name == expected
            want = f"{expected}.yaml"
        if ok:
            return []
        field_ = kind.file_fields[0]
        if kind.id_field:
            msg = f"文件名与编号不一致：编号为“{expected}”的记录，文件名应为 {want}"
        else:
            names = "、".join(kind.file_fields)
            msg = f"文件位置与内容不一致：按 {names} 的取值，文件应为 {want}"
        return [loaded.problem((field_,), msg, "file-name")]


def _strip_counter(stem: str) -> str:
    head, sep, tail = stem.rpartition("-")
    return head if sep and tail.isdigit() and len(tail) <= 2 else stem


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _under_records(path: Path, root: Path) -> PurePosixPath | None:
    try:
        rel = path.resolve().relative_to((root / RECORDS).resolve())
    except ValueError:
        return None
    return PurePosixPath(rel.as_posix())


_WORKER: FileChecker | None = None


def _worker_init(root: str) -> None:
    global _WORKER
    _WORKER = FileChecker(Path(root), load_registry(Path(root) / SCHEMAS))


def _worker_check(paths: list[str]) -> list[Checked]:
    assert _WORKER is not None
    return [_WORKER.check(Path(p)) for p in paths]


# ---------------------------------------------------------------- across records


def _walk(data: Any, path: tuple[str, ...], prefix: tuple = ()) -> Iterable[tuple[tuple, Any]]:
    """Values at a path such as ``extensions/*/approved`` with their concrete paths."""
    if not path:
        yield prefix, data
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _walk(item, rest, prefix + (i,))
    elif isinstance(data, dict) and head in data and data[head] is not None:
        yield from _walk(data[head], rest, prefix + (head,))


class CrossChecker:
    def __init__(self, root: Path, registry: Registry, checked: list[Checked]):
        self.root = root
        self.registry = registry
        self.checked = checked
        self.problems: list[Problem] = []
        self.ids: dict[str, dict[str, Checked]] = defaultdict(dict)  # every parsed record
        self.valid: dict[str, dict[str, Record]] = defaultdict(dict)
        self._nodes: dict[str, Loaded] = {}

    def where(self, file: str, path, key: bool = False) -> tuple[int, int]:
        loaded = self._nodes.get(file)
        if loaded is None:
            loaded = self._nodes[file] = load_file(self.root / file, file)
        return loaded.where(path, key=key)

    def add(self, file: str, path, message: str, code: str, key: bool = False) -> None:
        line, col = self.where(file, path, key)
        self.problems.append(Problem(file, line, col, field_name(path), message, code))

    def run(self) -> None:
        kinds = self.registry.kinds
        for c in self.checked:
            if c.kind is None or not isinstance(c.data, dict):
                continue
            kind = kinds[c.kind]
            rel = PurePosixPath(c.file).relative_to(RECORDS)
            rid = kind.record_id(c.data, rel)
            if not isinstance(rid, str):
                continue
            first = self.ids[c.kind].get(rid)
            if first is not None:
                self.add(c.file, ("id",), f"编号“{rid}”重复：与 {first.file} 相同；编号必须唯一", "duplicate-id")
                continue
            self.ids[c.kind][rid] = c
            if c.valid:
                self.valid[c.kind][rid] = Record(c.kind, rid, c.file, c.data)
        # records with schema problems are checked too (defensively), so that
        # one run reports everything; only valid ones reach the model
        for kind_name, checked in self.ids.items():
            kind = kinds[kind_name]
            for rid, c in checked.items():
                record = Record(kind_name, rid, c.file, c.data)
                self._references(kind, record)
                self._dates(kind, record)
                if kind_name == "task":
                    self._task(record)
                elif kind_name == "update":
                    self._update(record)

    def _exists(self, kind: str, rid: str) -> bool:
        return rid in self.ids.get(kind, {})

    def _references(self, kind: Kind, record: Record) -> None:
        for ref in kind.references:
            for path, value in _walk(record.data, ref.path):
                if not isinstance(value, str):
                    continue
                if ref.kind == "clause":
                    plan_id = record.data.get(ref.plan or "plan")
                    plan = self.ids.get("plan", {}).get(plan_id)
                    if plan is None or not isinstance(plan.data, dict):
                        continue  # the plan reference itself is reported
                    raw = plan.data.get("clauses")
                    clauses = {c.get("id") for c in (raw if isinstance(raw, list) else []) if isinstance(c, dict)}
                    if value not in clauses:
                        self.add(record.file, path, f"方案“{plan_id}”中没有编号为“{value}”的条款", "reference")
                    continue
                if not self._exists(ref.kind, value):
                    target = self.registry.kinds[ref.kind]
                    close = difflib.get_close_matches(value, list(self.ids.get(ref.kind, {})), n=1)
                    hint = f"，是不是“{close[0]}”？" if close else f"；请先在 records/{target.folder}/ 中建立该{target.label}"
                    self.add(record.file, path, f"{target.label}“{value}”不存在{hint}", "reference")

    def _dates(self, kind: Kind, record: Record) -> None:
        schema = Fields(kind.schema, self.registry.schemas)
        for earlier, later in kind.date_order:
            # pair items of the same list element when both paths walk the same list
            star = earlier.index("*") if "*" in earlier else None
            if star is not None and later[: star + 1] == earlier[: star + 1]:
                for item_path, item in _walk(record.data, earlier[:star] + ("*",)):
                    self._order(record, schema, list(_walk(item, earlier[star + 1 :], item_path)),
                                list(_walk(item, later[star + 1 :], item_path)))
            else:
                self._order(record, schema, list(_walk(record.data, earlier)), list(_walk(record.data, later)))
        for path in kind.sorted_dates:
            values = [(p, v) for p, v in _walk(record.data, path) if isinstance(v, str)]
            for (p1, v1), (p2, v2) in zip(values, values[1:]):
                if v2 < v1:
                    self.add(record.file, p2, f"日期 {v2} 早于上一条的 {v1}；记录应按时间顺序排列", "date-order")

    def _order(self, record: Record, schema: Fields, earlier, later) -> None:
        for p1, v1 in earlier:
            for p2, v2 in later:
                if isinstance(v1, str) and isinstance(v2, str) and v2 < v1:
                    msg = f"{schema.title(p2)} {v2} 早于{schema.title(p1)} {v1}"
                    self.add(record.file, p2, msg, "date-order")

    def _task(self, task: Record) -> None:
        data = task.data
        timing = data.get("timing") if isinstance(data.get("timing"), dict) else {}
        due = timing.get("due") if isinstance(timing.get("due"), str) else None
        extensions = data.get("extensions") if isinstance(data.get("extensions"), list) else []
        for i, ext in enumerate(extensions):
            if not isinstance(ext, dict):
                continue
            if timing.get("mode") != "限时":
                self.add(task.file, ("extensions",), "只有“限时”任务可以延期", "extension", key=True)
                break
            requested, new_due = ext.get("requested"), ext.get("new_due")
            if due and isinstance(requested, str) and requested >= due:
                self.add(task.file, ("extensions", i, "requested"),
                         f"延期申请日期 {requested} 不早于当时的完成时限 {due}；延期须在到期前申请", "extension")
            if due and isinstance(new_due, str) and new_due <= due:
                self.add(task.file, ("extensions", i, "new_due"),
                         f"延期后时限 {new_due} 不晚于原时限 {due}", "extension")
            if isinstance(new_due, str):
                due = new_due
        parent = data.get("parent")
        if isinstance(parent, str):
            if parent == task.id:
                self.add(task.file, ("parent",), "上级任务不能是任务自己", "parent")
            else:
                up = self.ids.get("task", {}).get(parent)
                if up is not None and isinstance(up.data, dict):
                    if up.data.get("plan") != data.get("plan"):
                        self.add(task.file, ("parent",), f"上级任务“{parent}”属于另一方案", "parent")
                    seen = {task.id}
                    while up is not None and isinstance(up.data, dict) and up.data.get("parent"):
                        nxt = up.data["parent"]
                        if nxt in seen:
                            self.add(task.file, ("parent",), f"上级任务形成循环：{task.id} → … → {nxt}", "parent")
                            break
                        seen.add(nxt)
                        up = self.ids.get("task", {}).get(nxt)
        evidence = timing.get("evidence")
        if isinstance(evidence, dict) and isinstance(evidence.get("kind"), str):
            target = self.registry.kinds.get(evidence["kind"])
            if target is None:
                self.add(task.file, ("timing", "evidence", "kind"), f"记录类别“{evidence['kind']}”不存在", "reference")
            else:
                known = target.schema.get("properties", {})
                match = evidence.get("match") if isinstance(evidence.get("match"), dict) else {}
                for name in match:
                    if name not in known:
                        self.add(task.file, ("timing", "evidence", "match", name),
                                 f"{target.label}记录没有字段“{name}”", "reference", key=True)

    def _update(self, update: Record) -> None:
        task = self.ids.get("task", {}).get(update.data.get("task"))
        if task is None or not isinstance(task.data, dict):
            return
        units = {u for key in ("lead_units", "partner_units") if isinstance(task.data.get(key), list)
                 for u in task.data[key] if isinstance(u, str)}
        unit = update.data.get("unit")
        if unit not in units:
            self.add(update.file, ("unit",), f"单位“{unit}”不是任务 {task.data.get('id')} 的牵头或配合单位", "update-unit")


# ---------------------------------------------------------------- entry point


def record_files(root: Path) -> list[Path]:
    base = root / RECORDS
    if not base.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        found.extend(os.path.join(dirpath, f) for f in filenames if f.endswith((".yaml", ".yml")))
    return [Path(p) for p in sorted(found)]


def _expand(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file() and q.suffix in (".yaml", ".yml")))
        else:
            out.append(p)
    return out


def check_repository(root: Path | str, paths: Iterable[Path | str] | None = None, workers: int | None = None) -> Result:
    """Check the repository at ``root``.

    With ``paths``, only problems in those files (or folders) are reported; the
    rest of the repository is still read so that references resolve.
    """
    root = Path(root)
    registry = load_registry(root / SCHEMAS)
    files = record_files(root)
    selected: set[str] | None = None
    if paths is not None:
        chosen = _expand(Path(p) for p in paths)
        selected = {_display(p, root) for p in chosen}
        known = {f.resolve() for f in files}
        files = files + [p for p in chosen if p.resolve() not in known]
    checked = _check_files(root, registry, files, workers)
    cross = CrossChecker(root, registry, checked)
    cross.run()
    problems = [p for c in checked for p in c.problems] + cross.problems
    count = len(files)
    if selected is not None:
        problems = [p for p in problems if p.file in selected]
        count = len(selected)
    report = Report(files=count, problems=sorted(set(problems)))
    return Result(report, {k: dict(v) for k, v in cross.valid.items()})


def _check_files(root: Path, registry: Registry, files: list[Path], workers: int | None) -> list[Checked]:
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if len(files) >= PARALLEL_THRESHOLD else 1
    if workers <= 1:
        checker = FileChecker(root, registry)
        return [checker.check(p) for p in files]
    size = max(50, len(files) // (workers * 8))
    chunks = [[str(p) for p in files[i : i + size]] for i in range(0, len(files), size)]
    out: list[Checked] = []
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init, initargs=(str(root),)) as pool:
        for part in pool.map(_worker_check, chunks):
            out.extend(part)
    return out
