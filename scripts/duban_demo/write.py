"""Writing records (atomically, never over a file a person wrote) and pruning stale demo files."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from duban.records.kinds import Registry
from duban.records.load import load_file

from duban_demo.common import GENERATED_KINDS, dump, registry_for, registry_kind


class NotSyntheticError(FileExistsError):
    """Raised by :func:`write_records` instead of overwriting a file a person wrote."""

    def __init__(self, path: Path):
        self.path = Path(path)
        super().__init__(f"拒绝覆盖非演示数据文件：{self.path}（该文件没有 synthetic: true）")


def is_synthetic_file(path: Path) -> bool:
    """True if the file is a record with ``synthetic: true``; a file that does
    not load (or has problems) is treated as a person's and is not synthetic."""
    loaded = load_file(path)
    return loaded.data is not None and loaded.data.get("synthetic") is True


def write_records(root: Path, records: dict[str, dict], registry: Registry | None = None) -> int:
    """Write each record to ``root/records/<path>`` as UTF-8 YAML; return the count.

    Every file starts with :data:`duban_demo.common.HEADER`.  Folders are created as needed and
    each file is written atomically (a temporary file in the same folder, then
    ``os.replace``).  Before anything is written, every existing target is
    checked: if one is not itself synthetic (no ``synthetic: true``), nothing
    is written and :class:`NotSyntheticError` names the file.
    """
    base = Path(root) / "records"
    registry = registry or registry_for(root)
    targets = []
    for rel, record in records.items():
        parts = Path(rel).parts
        if Path(rel).is_absolute() or ".." in parts or not rel.endswith(".yaml"):
            raise ValueError(f"记录路径不合法：{rel}")
        kind = registry.by_folder(PurePosixPath(rel))
        if kind is None:
            raise ValueError(f"记录路径不在任何记录类别的文件夹中：{rel}")
        path = base / rel
        if path.exists() and not is_synthetic_file(path):
            raise NotSyntheticError(path)
        targets.append((path, dump(record, kind, registry)))
    made: set[Path] = set()
    pid = os.getpid()
    for path, text in targets:
        folder = path.parent
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        tmp = folder / f".{path.name}.{pid}.tmp"
        try:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return len(targets)


def prune(registry: Registry, root: Path, keep: dict[str, dict]) -> int:
    """Delete synthetic files that the new set no longer holds, anywhere under the
    top folders of the kinds the generator writes (updates/ and cases/ as shipped)."""
    base = Path(root) / "records"
    removed = 0
    tops = dict.fromkeys(registry_kind(registry, k).folder_parts[0] for k in GENERATED_KINDS)
    for sub in tops:
        for path in sorted((base / sub).rglob("*.yaml")) if (base / sub).is_dir() else []:
            rel = path.relative_to(base).as_posix()
            if rel not in keep and is_synthetic_file(path):
                path.unlink()
                removed += 1
    return removed
