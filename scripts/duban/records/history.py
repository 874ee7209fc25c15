"""A record file's change history (留痕) from git: who changed it, when, in which pull request, and which fields.

Read in one pass whatever the number of records: one ``git log`` over ``records/`` along the
main line (a merged pull request is one entry, its diff against the main line before it), one
``git log --no-walk`` for the authors of the merged branches, and one ``git cat-file --batch``
for the old and new contents of modified files. A folder that is not a git checkout (or a
machine without git) has no history: :attr:`History.available` is false and pages say nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from duban.records.load import load_bytes

OFFICE_TZ = ZoneInfo("Asia/Shanghai")
_MERGED = re.compile(r"(?:[Pp]ull request|合并请求) #(\d+)")  # GitHub's, Gitea's and Forgejo's merge commits
_SQUASHED = re.compile(r"\(#(\d+)\)\s*$")  # a squash merge's title ends with the pull request's number
_RS, _US = "\x1e", "\x1f"


@dataclass(frozen=True)
class Change:
    """One commit's change to one record file."""

    commit: str
    day: dt.date  # the author's date in Asia/Shanghai
    author: str
    message: str  # the pull request's title for a merge, else the commit's subject
    status: str  # A added, M modified, D deleted, R renamed
    fields: tuple[str, ...] = ()  # top-level fields whose value changed (M and R)
    pull: int | None = None  # the pull request's number, when the message names one


@dataclass
class History:
    available: bool
    by_file: dict[str, list[Change]] = field(default_factory=dict)  # newest first

    def of(self, file: str) -> list[Change]:
        return self.by_file.get(file, [])


NONE = History(False)


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True, check=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def _fields(old: bytes | None, new: bytes | None) -> tuple[str, ...]:
    def load(blob):  # through the loader, with its limits; an old version that was invalid compares as unknown
        data = load_bytes(blob, "history", keep_node=False).data if blob else None
        return data if isinstance(data, dict) else None

    a, b = load(old), load(new)
    if a is None or b is None:
        return ()
    return tuple(k for k in (*a, *(k for k in b if k not in a)) if a.get(k) != b.get(k))


def _blobs(root: Path, shas: list[str]) -> dict[str, bytes]:
    if not shas:
        return {}
    out = _git(root, "cat-file", "--batch", stdin="".join(s + "\n" for s in shas).encode())
    blobs, at = {}, 0
    while out and at < len(out):
        end = out.index(b"\n", at)
        head = out[at:end].split()
        at = end + 1
        if len(head) < 3:  # "<sha> missing"
            continue
        size = int(head[2])
        blobs[head[0].decode()] = out[at:at + size]
        at += size + 1
    return blobs


def read_history(root: Path, until: dt.date | None = None, folder: str = "records") -> History:
    """Every change to the files under ``folder`` along the main line, up to the end of ``until`` (office time)."""
    if _git(root, "rev-parse", "--verify", "-q", "HEAD") is None:
        return NONE
    log = _git(root, "log", "--first-parent", "--diff-merges=first-parent", "--raw", "--no-abbrev", "-M",
               "--relative", f"--format={_RS}%H{_US}%aI{_US}%an{_US}%P{_US}%s{_US}%b{_US}", "--", folder)
    if log is None:
        return NONE
    entries = []
    for chunk in log.decode("utf-8", "replace").split(_RS)[1:]:
        sha, when, author, parents, subject, body, raw = chunk.split(_US, 6)
        day = dt.datetime.fromisoformat(when).astimezone(OFFICE_TZ).date()
        if until and day > until:
            continue
        parents = parents.split()
        pull = _MERGED.search(subject) or _SQUASHED.search(subject)
        message = subject
        if len(parents) > 1 and body.strip():  # a merged pull request: its title is the merge commit's body
            message = body.strip().splitlines()[0]
        files = []
        for line in raw.strip().splitlines():
            if not line.startswith(":"):
                continue
            meta, *paths = line.split("\t")
            _, _, old, new, status = meta.split()
            files.append((status[0], old, new, paths[-1]))
        entries.append((sha, day, author, parents, message, int(pull.group(1)) if pull else None, files))
    merged = [e[3][1] for e in entries if len(e[3]) > 1]
    authors = {}
    if merged:  # the person who made the pull request, not the one who merged it
        out = _git(root, "log", "--no-walk=unsorted", f"--format=%H{_US}%an", *merged) or b""
        authors = dict(line.split(_US, 1) for line in out.decode("utf-8", "replace").splitlines() if _US in line)
    zero = "0" * 40
    blobs = _blobs(root, sorted({s for e in entries for st, old, new, _ in e[6] if st in "MR" for s in (old, new)
                                 if s != zero}))
    history = History(True)
    for sha, day, author, parents, message, pull, files in entries:
        if len(parents) > 1:
            author = authors.get(parents[1], author)
        for status, old, new, path in files:
            fields = _fields(blobs.get(old), blobs.get(new)) if status in "MR" else ()
            history.by_file.setdefault(path, []).append(Change(sha, day, author, message, status, fields, pull))
    return history


def changed_files(root: Path, base: str, folder: str = "records") -> list[tuple[str, str]] | None:
    """What the working tree adds (A), modifies (M), deletes (D) or renames (R) under ``folder`` since ``base``;
    None when ``base`` is not a commit of this repository."""
    out = _git(root, "diff", "--name-status", "--no-renames", "--relative", base, "--", folder)
    if out is None:
        return None
    rows = []
    for line in out.decode("utf-8", "replace").splitlines():
        status, _, path = line.partition("\t")
        rows.append((status[:1], path))
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "--", folder) or b""
    rows += [("A", p) for p in untracked.decode("utf-8", "replace").splitlines()]
    return sorted(rows, key=lambda r: r[1])


def tree_at(root: Path, ref: str, dest: Path, folders: tuple[str, ...] = ("records", "schemas")) -> bool:
    """The ``folders`` as they were at ``ref``, extracted into ``dest`` (regular files only); False when ``ref``
    is unknown or git is missing."""
    import io
    import tarfile

    data = _git(root, "archive", "--format=tar", ref, "--", *folders)
    if data is None:
        return False
    # an archive git wrote, extracted with the "data" filter (no links out, no devices, no absolute paths); the
    # records in it are read later through the loader like any others
    with tarfile.TarFile(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(dest, filter="data")
    return True
