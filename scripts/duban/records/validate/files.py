"""Checks of one record file on its own: placement, YAML, schema, file name, personal data.

``FileChecker.check(path)`` never raises for bad content; the result says whether
the record passed its own checks. Worker processes each hold one checker.
"""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from duban.records import privacy
from duban.records.kinds import Kind, Registry
from duban.records.load import Loaded, load_bytes, os_refusal, read_opened
from duban.records.problems import MAX_PER_FILE, Problem
from duban.records.syntax import not_regular
from duban.records.text import has_forbidden, shown
from duban.records.validate.cache import file_digest
from duban.records.validate.discover import RECORDS
from duban.records.validate.messages import Fields
from duban.records.validate.schema import SchemaChecker
from duban.records.validate.within import date_problems, walk

SPECIFIC = {"char", "date", "path"}
SETTLED_NS = 2_000_000_000  # a file unchanged for this long is known unchanged while its status is


def outside(root: Path, under: str, value: str) -> str | None:
    """Why ``value`` (a path from a record) does not name a file inside ``root/under``, or None when it does.

    The path is resolved with symbolic links followed, so a link inside the folder that points
    out of it is caught as well as ``..`` and absolute paths."""
    folder = os.path.realpath(os.path.join(root, under))
    rule = f"只能填写 {under}/ 下的相对路径，如 plan/example.md（不能以 / 开头，不能含 .. 或 \\）"
    if not value or "\\" in value or "\x00" in value or os.path.isabs(value) or PurePosixPath(value).is_absolute():
        return f"路径“{shown(value)}”不在 {under}/ 之内：{rule}"
    target = os.path.realpath(os.path.join(folder, value))
    if not (target == folder or target.startswith(folder + os.sep)):
        via = "（经过符号链接）" if ".." not in PurePosixPath(value).parts else ""
        return f"路径“{shown(value)}”指向 {under}/ 之外{via}：{rule}"
    return None


def _not_a_record(path: str, st: os.stat_result | None) -> tuple[str, str] | None:
    """Why an entry under records/ is not read as a record: not a regular file, or not named ``*.yaml``
    (``st`` None: no status was taken, the reading refuses what is not a regular file)."""
    why = not_regular(st.st_mode) if st is not None else None
    if why:
        return why, "not-regular"
    return _misnamed(path)


def _misnamed(path: str) -> tuple[str, str] | None:
    """Why a file under records/ is not read as a record by its name: not ``*.yaml``, or invisible characters."""
    name = os.path.basename(path)
    if name.endswith(".yaml") and name[0] != "." and name.isascii() and name.isprintable():
        return None  # printable ASCII has no forbidden character: the common case, without the search
    if has_forbidden(name):
        return f"文件名“{shown(name)}”含有不可见或控制字符；请重命名", "placement"
    suffix = os.path.splitext(name)[1]
    if suffix == ".yaml":
        return None
    if suffix == ".yml":
        return "扩展名应为 .yaml", "placement"
    if suffix.lower() in (".yaml", ".yml"):
        return f"扩展名应为小写的 .yaml（现在是 {suffix}）；本文件不会被当作记录读取", "placement"
    return "records/ 下只能放 .yaml 记录文件；本文件不是记录，不会被读取，请移走或改名", "placement"


@dataclass
class Checked:
    file: str
    kind: str | None
    data: dict | None  # None when the file could not be parsed
    valid: bool  # passed its own checks (schema, placement, personal data)
    problems: list[Problem]
    more: int = 0  # problems found beyond the MAX_PER_FILE listed
    digest: str | None = None  # of the bytes read (None when the file could not be read): the cache's key
    hit: bool = False  # the bytes had the digest the caller knew: nothing was checked, the stored outcome stands
    signature: tuple | None = None  # the file's status when it is old enough to prove its bytes unchanged later

    def as_tuple(self) -> tuple:
        """The fields in their order, for ``Checked(*t)`` in another process (cheaper to pickle than the object)."""
        return tuple(self.__dict__.values())


def signature(st: os.stat_result) -> tuple:
    """What changes whenever a file's bytes do: the change time (which no tool can set back), size, inode."""
    return (st.st_ctime_ns, st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev)


class FileChecker:
    """Per-file checks; one instance per process."""

    def __init__(self, root: Path, registry: Registry):
        self.root = root
        self.registry = registry
        self.schema = {name: SchemaChecker(kind, registry) for name, kind in registry.kinds.items()}
        self._root = os.path.realpath(root) + os.sep
        self._records = self._root + RECORDS + os.sep
        self._cwd = os.getcwd()
        self._kinds: dict[str, Kind | None] = {}  # folder under records/ -> its kind
        self._folders: dict[str, str] = {}  # folder as given -> its name inside the repository + "/" ("": outside)
        self._titles: dict[str, Fields] = {}  # kind -> its schema's titles
        self._settled = time.time_ns() - SETTLED_NS  # files last changed before this are trusted by their status

    def name(self, path: Path | str) -> tuple[str, bool]:
        """The file as problems name it (relative to the repository, POSIX style), and whether it is inside."""
        path = os.fspath(path)
        folder, _, base = path.rpartition(os.sep)
        if folder and base not in ("", ".", ".."):  # the folder's name is worked out once for all its files
            prefix = self._folders.get(folder)
            if prefix is None:
                full = os.path.normpath(os.path.join(self._cwd, folder)) + os.sep
                prefix = self._folders[folder] = full[len(self._root):].replace(os.sep, "/") \
                    if full.startswith(self._root) else ""
            if prefix:
                return prefix + base, True
        full = os.path.normpath(os.path.join(self._cwd, path))
        if not full.startswith(self._root):
            full = os.path.realpath(path)
        if full.startswith(self._root):
            return full[len(self._root):].replace(os.sep, "/"), True
        return path, False

    def _kind(self, rel: str) -> Kind | None:
        folder = rel.rpartition("/")[0]
        if folder not in self._kinds:
            self._kinds[folder] = self.registry.by_folder(PurePosixPath(rel))
        return self._kinds[folder]

    def unchanged(self, path: str, signature_: tuple) -> bool:
        """Whether the file at ``path`` still has the status the cache remembers: then its bytes, and every
        outcome of its own checks, are those of the last run, and nothing need be read."""
        try:
            st = os.lstat(path)
        except OSError:
            return False
        # the cache keeps only files under records/ that were read as records (right type and name); the same
        # name and status (same inode, a change time no write leaves as it was) mean the same file, still one
        return signature(st) == signature_

    def check(self, path: Path | str, known: tuple | None = None, listed: bool = False) -> Checked:
        """The file's own checks. ``known`` is what the cache holds, (digest, signature): when the file's bytes
        still have that digest, only a hit is returned (a file whose status is unchanged is not passed here:
        ``unchanged`` answers for it without reading). ``listed``: the directory listing says the entry is a
        regular file, so it is opened without an ``lstat`` first (``read_opened``)."""
        path = os.fspath(path)
        file, inside = self.name(path)
        prefix = RECORDS + "/"
        rel = file[len(prefix):] if inside and file.startswith(prefix) else None
        if rel is None:
            return Checked(file, None, None, False, [Problem(file, 1, 1, "-", "记录文件必须放在 records/ 文件夹下", "placement")])
        st, failed = None, None
        if not listed:
            try:
                st = os.lstat(path)
            except OSError as exc:
                failed = os_refusal(exc)
        refused = _not_a_record(path, st)
        if refused:
            return Checked(file, None, None, False, [Problem(file, 1, 1, "-", refused[0], refused[1])])
        kind = self._kind(rel)
        if failed is None:
            raw, why, code, st = read_opened(path, st=st)
        else:
            raw, (why, code) = None, failed
        if raw is None:
            message = why if code != "io" else f"无法读取文件：{why}"
            return self._check_loaded(file, rel, kind, Loaded(file, None, [Problem(file, 1, 1, "-", message, code)]))
        digest = file_digest(raw)
        # a change within the last seconds could share its change time with a later one: not trusted next time
        sig = signature(st) if st is not None and st.st_ctime_ns < self._settled else None
        if known and known[0] == digest:
            return Checked(file, None, None, False, [], digest=digest, hit=True, signature=sig)
        checked = self._check_loaded(file, rel, kind, load_bytes(raw, file))
        checked.digest, checked.signature = digest, sig
        return checked

    def _check_loaded(self, file: str, rel: str, kind: Kind | None, loaded: Loaded) -> Checked:
        problems = list(loaded.problems)
        if kind is None:
            folders = "、".join(f"records/{k.folder}/" for k in self.registry.kinds.values())
            problems.append(Problem(file, 1, 1, "-", f"不在任何记录类别的文件夹中；应放在 {folders} 之一", "placement"))
            return Checked(file, None, loaded.data, False, problems)
        if loaded.data is None:
            return Checked(file, kind.name, None, False, problems, loaded.more)
        problems.extend(self._paths(kind, loaded))
        # a specific problem (a character, a date, a path) says more than the schema's pattern at the same place
        specific = {(p.line, p.column) for p in problems if p.code in SPECIFIC}
        schema, more = self.schema[kind.name].problems(loaded, MAX_PER_FILE)
        problems.extend(p for p in schema
                        if not ((p.line, p.column) in specific and p.code in ("schema-format", "schema-pattern")))
        problems.extend(self._placement(kind, rel, loaded))
        if loaded.digits:  # the fast reading looked at every string already when it says no
            for finding in privacy.scan(loaded.data):
                problems.append(loaded.problem(finding.path, finding.message, f"privacy-{finding.kind}"))
        valid = not problems and not (more + loaded.more)  # dates out of order are reported, the record still counts
        if (kind.date_order or kind.sorted_dates) and isinstance(loaded.data, dict):
            problems.extend(loaded.problem(path, message, "date-order")
                            for path, message in date_problems(kind, loaded.data, self._fields(kind)))
        loaded.release()
        more += loaded.more
        return Checked(file, kind.name, loaded.data, valid, problems, more)

    def _fields(self, kind: Kind) -> Fields:
        if kind.name not in self._titles:
            self._titles[kind.name] = Fields(kind.schema, self.registry.schemas)
        return self._titles[kind.name]

    def _paths(self, kind: Kind, loaded: Loaded) -> list[Problem]:
        """Fields naming a file (``paths`` in kinds.yaml) must stay inside their folder, links resolved."""
        out = []
        for field_path, under in kind.paths:
            for at, value in walk(loaded.data, field_path):
                if isinstance(value, str):
                    why = outside(self.root, under, value)
                    if why:
                        out.append(loaded.problem(at, why, "path"))
        return out

    def _placement(self, kind: Kind, rel: str, loaded: Loaded) -> list[Problem]:
        expected = kind.expected_stem(loaded.data)
        if expected is None:
            return []  # the schema already reports the missing field
        actual = "/".join(rel.split("/")[len(kind.folder_parts):])[: -len(".yaml")]
        if "/" in kind.file:
            ok = actual == expected or (kind.counter and _strip_counter(actual) == expected)
            want = f"records/{kind.folder}/{expected}.yaml"
        else:  # records may be grouped in subfolders; the file name must match
            ok = actual.rpartition("/")[2] == expected
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


_WORKER: FileChecker | None = None


def worker_init(root: str, registry: Registry) -> None:
    global _WORKER
    gc.disable()  # parsing makes no cycles worth collecting, and the collector's passes cost a third of the time
    _WORKER = FileChecker(Path(root), registry)


def worker_check(paths: list[tuple[str, tuple | None, bool]]) -> list[tuple]:
    """Each (path, (digest, signature) known from the cache or None, listed as a regular file) checked; hits
    come back without data.

    Outcomes travel as plain tuples (``Checked.as_tuple``): a quarter to a third cheaper to pickle and unpickle."""
    assert _WORKER is not None
    return [_WORKER.check(p, known, listed).as_tuple() for p, known, listed in paths]
