"""What each file's own checks found, remembered by content between runs (``.duban-cache/validate/``).

A file's own checks (YAML, schema, file name, personal data) depend only on its path, its bytes,
the declarations in ``schemas/`` and duban's code. So the outcome is stored under the file's path
with a digest of its bytes, in a *generation* named by a hash of everything else it depends on:
duban's version, the source of ``duban.records`` and every file in ``schemas/`` (kinds.yaml,
settings.yaml, the schemas). A run under another generation starts empty; an entry whose digest
differs from the file's is checked again. To skip reading a file whose bytes cannot have changed, an
entry also keeps the file's status (change time, modification time, size, inode, device) when the file
had been unchanged for two seconds when it was read: the change time moves on every write and no tool
can set it back, so the same status proves the same bytes; any other status means reading and hashing. What depends on the day or on other files (future dates,
references, duplicates: ``cross``) is never stored here and runs every time.

Entries are spread over shards by path, so one changed file rewrites one shard. A shard is plain
data (dicts, lists, strings, numbers) read by an unpickler that refuses every global, so a planted
file cannot run code; a shard that does not read back as the expected shape is ignored and rebuilt.
Writes are atomic; a cache that cannot be written only makes the next run slower. Entries are put
when a run is over (``put`` only notes them), and ``save(background=True)`` writes them in a forked
child while the run goes on to the checks across files and ends (writing 100,000 entries takes about
0.6 s): the command need not wait for it. A writer holds an exclusive lock on ``validate/.lock`` (taken
before the fork, so no reader comes between), and ``FileCache`` reads under a shared one: the next run
waits for a write still going on, and two writers never interleave.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import threading
import zlib
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no fork either, every write is in the process itself
    fcntl = None

from duban import __version__
from duban.atomic import write_bytes
from duban.records.kinds import Registry
from duban.records.problems import Problem

FOLDER = ".duban-cache"  # git-ignored, inside the repository
FORMAT = 2
SHARDS = 64
_RECORDS_CODE = Path(__file__).resolve().parents[1]  # duban/records: everything a file's own checks run


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def generation(registry: Registry) -> str:
    """The hash of everything but the file itself that its own checks depend on."""
    h = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    for base in (_RECORDS_CODE, Path(registry.root)):
        for path in sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(path.relative_to(base).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:24]


class _PlainData(pickle.Unpickler):
    def find_class(self, module, name):  # only plain data: no class, no function, no code
        raise pickle.UnpicklingError(f"{module}.{name}")


_SAVING: dict[str, int] = {}  # cache folder -> the child process writing it


def settle(folder: Path | None = None, wait: bool = True) -> None:
    """Reap the children that wrote the cache of ``folder`` (every cache when None), waiting for those still
    writing unless ``wait`` is false. (Other processes wait through the lock, not here.)"""
    for key in [k for k in _SAVING if folder is None or k == str(folder)]:
        try:
            done, _ = os.waitpid(_SAVING[key], 0 if wait else os.WNOHANG)
        except ChildProcessError:  # pragma: no cover - already reaped
            done = _SAVING[key]
        if done:
            del _SAVING[key]


def _lock(base: Path, exclusive: bool) -> int | None:
    """A descriptor holding the lock of the cache under ``base`` (None: no lock to take). A reader finding
    no lock file reads without one: nothing has been written yet, or a writer has not started."""
    if fcntl is None:
        return None
    path = base / "validate" / ".lock"
    try:
        if exclusive:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, (os.O_RDWR | os.O_CREAT) if exclusive else os.O_RDONLY, 0o644)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
    except OSError:  # pragma: no cover - a file system without locks: go on without
        pass
    return fd


def _unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # closing the last descriptor of the open file releases its lock


def _shard(file: str) -> int:
    return zlib.crc32(file.encode()) % SHARDS


# one entry: (digest, kind, data, valid, problems as tuples, more, signature of the file's status or None)
Entry = tuple


_STATUS = [int] * 5


def _entry_ok(value) -> bool:
    return (type(value) is tuple and len(value) == 7 and type(value[0]) is str
            and (value[1] is None or type(value[1]) is str) and (value[2] is None or type(value[2]) is dict)
            and type(value[3]) is bool and type(value[4]) is list and type(value[5]) is int
            and (value[6] is None or (type(value[6]) is tuple and list(map(type, value[6])) == _STATUS))
            and (not value[4] or all(type(p) is tuple and len(p) == 6 for p in value[4])))


class FileCache:
    """The stored outcomes of one generation; ``get`` and ``put`` by file and digest, ``save`` at the end."""

    def __init__(self, folder: Path | None, registry: Registry):
        self.folder = folder / "validate" / generation(registry) if folder else None
        self.base = folder
        self.shards: list[dict[str, Entry]] = [{} for _ in range(SHARDS)]
        self.dirty: set[int] = set()
        self.seen: set[str] = set()
        self.loaded = [False] * SHARDS
        self.pending: list[tuple] = []  # outcomes put, entered into the shards by save()
        if self.folder is not None:
            settle(self.folder, wait=False)
            fd = _lock(folder, exclusive=False)  # a write still going on ends first
            try:
                for i in range(SHARDS):
                    self.shards[i], self.loaded[i] = self._read(i)
            finally:
                _unlock(fd)

    def _path(self, i: int) -> Path:
        return self.folder / f"{i:02d}.pickle"

    def _read(self, i: int) -> tuple[dict[str, Entry], bool]:
        try:
            raw = self._path(i).read_bytes()
        except OSError:
            return {}, False
        try:
            value = _PlainData(io.BytesIO(raw)).load()
        except Exception:  # noqa: BLE001 - any damage: ignore the shard, it is rebuilt
            return {}, False
        if not (isinstance(value, dict) and all(isinstance(k, str) and _entry_ok(v) for k, v in value.items())):
            return {}, False
        return value, True

    def entry(self, file: str) -> Entry | None:
        """What is stored for the file, or None."""
        return self.shards[_shard(file)].get(file)

    def get(self, file: str, digest: str, signature: tuple | None = None, entry: Entry | None = None):
        """The stored outcome ``(kind, data, valid, problems, more)`` when the file still has this digest
        (``signature``: the file's status now, remembered for the next run; ``entry``: the file's, when
        the caller already has it)."""
        self.seen.add(file)
        if entry is None:
            entry = self.shards[_shard(file)].get(file)
        if entry is None or entry[0] != digest:
            return None
        if entry[6] != signature:
            i = _shard(file)
            self.shards[i][file] = entry[:6] + (signature,)
            self.dirty.add(i)
        _, kind, data, valid, problems, more, _ = entry
        return kind, data, valid, [Problem(*p) for p in problems] if problems else [], more

    def put(self, file: str, digest: str, kind: str | None, data: dict | None, valid: bool,
            problems: list[Problem], more: int, signature: tuple | None = None) -> None:
        """Remember an outcome (entered when the cache is saved: ``data`` and ``problems`` must not change)."""
        self.pending.append((file, digest, kind, data, valid, problems, more, signature))

    def _enter_pending(self) -> None:
        shards, seen, dirty = self.shards, self.seen, self.dirty
        for file, digest, kind, data, valid, problems, more, signature in self.pending:
            seen.add(file)
            i = _shard(file)
            shards[i][file] = (digest, kind, data, valid,
                               [(p.file, p.line, p.column, p.field, p.message, p.code) for p in problems], more,
                               signature)
            dirty.add(i)
        self.pending = []

    def forget(self, file: str) -> None:
        self.seen.add(file)
        i = _shard(file)
        if self.shards[i].pop(file, None) is not None:
            self.dirty.add(i)

    def save(self, background: bool = False) -> None:
        """Write the shards that changed (files gone since the last run are dropped); older generations go.

        ``background``: in a forked child when many entries changed (and the process runs no other
        thread, which a fork would not copy); the run goes on at once and may end before the child does.
        The child holds the lock, taken here before the fork, until it has written."""
        if self.folder is None:
            return
        settle(wait=False)
        many = len(self.pending) > 1000 or len(self.dirty) > 8
        fd = _lock(self.base, exclusive=True)
        if background and many and hasattr(os, "fork") and threading.active_count() == 1:
            pid = os.fork()
            if pid:
                _SAVING[str(self.folder)] = pid
                _unlock(fd)  # the child's copy keeps the lock
                return
            try:  # the child: let go of the parent's output (whoever reads it need not wait), write, leave
                null = os.open(os.devnull, os.O_RDWR)
                for std in (0, 1, 2):
                    os.dup2(null, std)
                self._write()
            finally:
                os._exit(0)  # no exit handlers, no buffers of the parent flushed
        try:
            self._write()
        finally:
            _unlock(fd)

    def _write(self) -> None:
        self._enter_pending()
        for i, shard in enumerate(self.shards):
            gone = [f for f in shard if f not in self.seen]
            for f in gone:
                del shard[f]
            if gone or i in self.dirty or not self.loaded[i]:
                try:
                    write_bytes(self._path(i), pickle.dumps(shard, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
                except OSError:
                    return
        self.dirty.clear()
        try:
            for old in (self.base / "validate").iterdir():
                if old != self.folder:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass


def default_folder(root: Path) -> Path:
    return Path(os.path.abspath(root)) / FOLDER
