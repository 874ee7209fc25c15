"""Register tables kept between builds: a volume's HTML table is written again only when what it shows changed.

A volume's table (``Context.case_html_table``) shows, for each case, its record as of the build's date, its state
(label, level, reason, days overdue, the working-day data of its limit), its file's changes in Git, and the units'
names; how it looks is decided by duban's code, ``schemas/`` (kinds, settings) and mkdocs.yml's
``use_directory_urls``. The cache key of a volume hashes all of these (the code and schemas as the caller's
``base``, a record by the digest of its file, or by its data as of the day when later events were left out), so a
table is taken from the cache only when it would be written the same. Tables no longer current are dropped.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from duban import atomic


class TableCache:
    def __init__(self, folder: Path | None, base: str):
        self.folder = folder
        self.base = base
        self.used: set[str] = set()

    def table(self, name: str, parts: Callable[[], list[bytes]], render: Callable[[], str]) -> str:
        """The table called ``name`` (a volume's page path): from the cache when its key's parts are unchanged."""
        if self.folder is None or not self.base:
            return render()
        h = hashlib.blake2b(self.base.encode() + b"\0" + name.encode() + b"\0", digest_size=16)
        for part in parts():
            h.update(part)
            h.update(b"\0")
        file = f"{name.replace('/', '--')}-{h.hexdigest()}.html"
        self.used.add(file)
        path = self.folder / file
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pass
        text = render()
        try:
            atomic.write_text(path, text)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower
        return text

    def prune(self) -> None:
        """Drop the tables this build did not use."""
        if self.folder is None or not self.folder.is_dir():
            return
        for old in self.folder.iterdir():
            if old.name not in self.used:
                old.unlink(missing_ok=True)
