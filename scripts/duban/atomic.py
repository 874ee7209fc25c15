"""Atomic file writes: write a temporary file beside the target, then rename.

A reader (or a crash) never sees a half-written file, and a failed write
leaves the previous file as it was.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

# the date stored in generated zip containers (docx, xlsx), so rebuilding gives identical bytes
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def write_bytes(path: Path | str, data: bytes, durable: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically: readers see the old file or the new one, never a part.
    ``durable=False`` skips the flush to disk (for caches: a file lost in a crash is only rebuilt)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text(path: Path | str, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def normalize_zip(data: bytes) -> bytes:
    """The same zip with every entry's timestamp fixed, entry order kept."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def write_many(files: dict[Path, bytes]) -> list[Path]:
    """Several files, as nearly all or nothing as a file system allows: every temporary file is written
    and synced first, then each is renamed into place; a failure before the renames leaves every target
    as it was."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    return [path for _, path in staged]
