"""Where the site is written: a folder that may be replaced, and the swap that replaces it.

``duban build --site-dir`` takes a path from the command line, and a build replaces that
folder entirely. So the folder may not be the repository, a folder holding it, or inside
its sources; an existing folder is replaced only when it is empty or a site duban built
(it carries ``MARKER``); and the new site is moved in only once it is complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class SiteDirError(Exception):
    """The site folder cannot be used (a usage error: the message says why, in Chinese)."""


MARKER = ".duban-site"  # written into every site duban builds: only such a folder (or an empty one) is replaced
_SOURCES = ("records", "docs", "schemas", "scripts", "build", "tests", ".git", ".github")


def check_site_dir(root: Path, site_dir: Path) -> None:
    """Refuse a site folder that would replace the repository, its sources, or a folder duban did not build;
    make sure its parent exists and is writable."""
    from duban.records.syntax import os_error_text

    root, target = Path(root).resolve(), Path(site_dir).resolve()
    if target == root or root.is_relative_to(target):
        raise SiteDirError(f"站点目录 {site_dir} 是仓库本身或它的上级目录；生成站点会替换其中的全部内容")
    for name in _SOURCES:
        if target.is_relative_to(root / name):
            raise SiteDirError(f"站点目录 {site_dir} 在仓库的 {name}/ 之中；请另选一个目录（默认 site/）")
    if target.exists() and not target.is_dir():
        raise SiteDirError(f"站点目录 {site_dir} 已存在且不是文件夹")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists() \
            and not (target / "search" / "search_index.json").exists():
        raise SiteDirError(f"站点目录 {site_dir} 不是空文件夹，也不是 duban 生成的站点；为免误删其中的文件，请另选目录")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".probe", dir=target.parent)
        os.rmdir(probe)
    except OSError as exc:
        raise SiteDirError(f"无法在 {target.parent} 中生成站点：{os_error_text(exc)}") from exc


def swap(fresh: Path, site_dir: Path) -> None:
    """Put ``fresh`` where ``site_dir`` is, the previous site removed only once the new one is in place."""
    (fresh / MARKER).write_text("duban\n", encoding="utf-8")
    if site_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.", suffix=".old", dir=site_dir.parent))
        os.replace(site_dir, old / "site")
        os.replace(fresh, site_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(fresh, site_dir)
