"""The one way every editing path changes records: plan files, check them with the rest of the
repository, then write them all or none.

``open_workspace(root)`` validates the repository once and keeps both the validation result (each
record's file and plain data) and the model built from it. ``apply(ws, planned)`` turns planned records
into canonical text (a new file: header and canonical form; an existing file: the new data with the
file's comments kept), lays them over a staged copy of the repository (hard links, in ``.duban/``),
validates that copy, and writes the files only when the change brings no new problem. The Excel import,
the CLI editors and (later) the intake of issue forms all end here, so the same record gets the same bytes.
A page the records refer to (a plan's page under ``docs/``, written by ``duban plan import``) can be planned
with them: it is staged with the records (the validator reads a plan's page) and written in the same step.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from duban import atomic
from duban.records.kinds import Kind, Registry
from duban.records.model import Repository, build
from duban.records.plan_pages import DOCS, read_page
from duban.records.problems import Problem
from duban.records.validate import RECORDS, Record, Result, check_repository
from duban.records.validate.cache import FOLDER as CACHE_FOLDER
from duban.records.write import record_text, reformat_file

STATE_DIR = ".duban"  # git-ignored: the editor's remembered unit, staging copies


class EditError(Exception):
    """A change an office would refuse, or one that cannot be made; the message says why, in Chinese.
    ``field`` names the answer it is about (``unit``, ``date``, ``evidence`` …) when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidDeclarations(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("schemas/ 中的声明有问题")
        self.problems = problems


@dataclass
class Workspace:
    root: Path
    result: Result
    repo: Repository

    @property
    def registry(self) -> Registry:
        return self.result.registry

    def kind(self, name: str) -> Kind:
        return self.registry.kinds[name]

    def record(self, kind: str, rid: str) -> Record | None:
        return self.result.records.get(kind, {}).get(rid)

    def data(self, kind: str, rid: str) -> dict | None:
        """A copy of a valid record's plain data (dates as ISO text), to change and plan."""
        record = self.record(kind, rid)
        return copy.deepcopy(record.data) if record else None

    def records(self, kind: str) -> dict[str, Record]:
        return self.result.records.get(kind, {})

    def path(self, file: str) -> Path:
        return self.root / file

    def folder(self, kind: str) -> Path:
        """Where a kind's records live (``records/<folder>``)."""
        return self.root / RECORDS / self.kind(kind).folder

    def display(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.root)).as_posix()


def open_workspace(root: Path | str) -> Workspace:
    root = Path(root).resolve()
    result = check_repository(root)
    if result.registry is None:
        raise InvalidDeclarations(result.report.problems)
    return Workspace(root, result, build(result))


@dataclass
class Planned:
    """One record to write: its kind, where, its data, the header of a new file, where the change
    came from (an Excel row, for locating problems) and, for an existing file, a header comment it outdates."""

    kind: str
    path: Path
    data: dict
    header: str = ""
    origin: object = None
    retitle: tuple[str, str] | None = None  # an existing file's header comment (old, new) that the change outdates


@dataclass
class Applied:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # file -> its new text
    origins: dict[str, object] = field(default_factory=dict)  # file -> Planned.origin

    @property
    def ok(self) -> bool:
        return not self.problems


def _inside(ws: Workspace, planned: Planned) -> str:
    folder = (ws.root / RECORDS / ws.kind(planned.kind).folder).resolve()
    path = planned.path.resolve() if planned.path.is_absolute() else (ws.root / planned.path).resolve()
    if folder not in path.parents or path.suffix != ".yaml":
        raise EditError(f"记录位置不合法：{planned.path}")
    return ws.display(path)


def render(ws: Workspace, planned: list[Planned]) -> tuple[dict[str, str], list[str]]:
    """The new text of each planned file (file -> text) and the files whose data does not change."""
    texts: dict[str, str] = {}
    same: list[str] = []
    for p in planned:
        file = _inside(ws, p)
        if file in texts:
            raise EditError(f"同一次修改中 {file} 出现了两次")
        kind = ws.kind(p.kind)
        path = ws.path(file)
        if path.exists():
            current = next((r for r in ws.records(p.kind).values() if r.file == file), None)
            if current is not None and current.data == p.data:
                same.append(file)
                continue
            result = reformat_file(path, file, kind, ws.registry, data=p.data)
            if result.text is None:
                raise EditError(f"{file} 现有内容有问题，不能修改：" + "；".join(
                    f"第 {q.line} 行 {q.message}" for q in result.problems))
            text = result.text
            if p.retitle and text.startswith(f"# {p.retitle[0]}\n"):
                text = f"# {p.retitle[1]}\n" + text[len(p.retitle[0]) + 3:]
            texts[file] = text
        else:
            texts[file] = record_text(kind, ws.registry, p.data, p.header)
    return texts, same


def _page_file(ws: Workspace, path: Path | str) -> str:
    """A page planned beside the records: a Markdown file under docs/."""
    docs = (ws.root / DOCS).resolve()
    path = Path(path)
    path = path.resolve() if path.is_absolute() else (ws.root / path).resolve()
    if docs not in path.parents or path.suffix != ".md":
        raise EditError(f"页面位置不合法：{path}（应为 {DOCS}/ 下的 .md 文件）")
    return ws.display(path)


def _stage(ws: Workspace, texts: dict[str, str]) -> Path:
    """A copy of records/ and of the pages under docs/ (hard links where possible) with the new texts laid
    over it."""
    base = ws.root / STATE_DIR
    try:
        base.mkdir(exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix="stage-", dir=base))
    except OSError:
        stage = Path(tempfile.mkdtemp(prefix="duban-stage-"))
    for folder, pages_only in ((RECORDS, False), (DOCS, True)):
        source = ws.root / folder
        for dirpath, _dirs, files in os.walk(source):
            names = [n for n in files if n.endswith(".md")] if pages_only else files
            if pages_only and not names:
                continue
            target = stage / folder / Path(dirpath).relative_to(source)
            target.mkdir(parents=True, exist_ok=True)
            for name in names:
                _link(Path(dirpath) / name, target / name)
    for file, text in texts.items():
        path = stage / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # never write through a hard link into the real file
        path.write_text(text, encoding="utf-8")
    return stage


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _key(p: Problem) -> tuple:
    return (p.file, p.field, p.message)


def check(ws: Workspace, texts: dict[str, str]) -> list[Problem]:
    """The problems the new texts bring to the repository (problems it already had are not theirs)."""
    if not texts:
        return []
    stage = _stage(ws, texts)
    try:
        # the staged copy shares the repository's validation cache: unchanged files (hard links) are hits
        after = check_repository(stage, registry=ws.registry, cache=ws.root / CACHE_FOLDER)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    before = {_key(p) for p in ws.result.report.problems}
    return sorted(p for p in after.report.problems if _key(p) not in before)


def apply(ws: Workspace, planned: list[Planned], write: bool = True, pages: dict[str, str] | None = None) -> Applied:
    """Check the planned records with the rest of the repository and write them, all or none. ``pages``
    (file under docs/ -> text) are checked and written with them."""
    texts, same = render(ws, planned)
    for file, text in (pages or {}).items():
        file = _page_file(ws, file)
        if read_page(ws.path(file)) == text:
            same.append(file)
        else:
            texts[file] = text
    origins = {_inside(ws, p): p.origin for p in planned}
    out = Applied(unchanged=same, texts=texts, origins=origins)
    out.problems = check(ws, texts)
    if out.problems or not write:
        return out
    atomic.write_many({ws.path(file): text.encode("utf-8") for file, text in texts.items()})
    out.written = sorted(texts)
    return out
