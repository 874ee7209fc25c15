"""Pages converted from Markdown to HTML kept between builds (``build/cache/rendered/``).

MkDocs converts every page's Markdown again on every build, and Python-Markdown is most of a build after one
record changed (a site of 100,000 cases: 15 of 33 seconds, for 700 pages of which a handful changed). What MkDocs'
``Page.render`` produces (the HTML, the table of contents, the title found in the text, the anchors the page holds
and the links it makes to other pages' anchors) depends only on:

* the page's Markdown, as the other plugins left it, and where the page is (its source path and URL);
* every file of the site with its URL (relative links are resolved and checked against them);
* the Markdown settings of mkdocs.yml (extensions and their options, ``use_directory_urls``, ``validation``)
  and the versions of MkDocs, Python-Markdown, PyMdown Extensions and Material.

A page's entry is stored under a hash of all of these, so it is used only when the conversion would give the same
result. That holds only for extensions that read nothing but the page (``PURE``): an extension that includes other
files (``pymdownx.snippets``) or is given as an object turns the cache off for the build. A page whose conversion logged anything (a broken link, an unknown anchor) is never stored: it is converted
again next time and says so again. Entries are JSON (no code is read back); an entry that does not read back as
expected is ignored. Entries no longer used are dropped at the end of a build.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from importlib import metadata
from pathlib import Path
from typing import Any

from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.toc import get_toc

from duban import atomic

_PACKAGES = ("mkdocs", "markdown", "pymdown-extensions", "mkdocs-material")
# extensions whose output depends on the page's Markdown and their options alone (no other file, no clock)
PURE = frozenset({
    "abbr", "admonition", "attr_list", "codehilite", "def_list", "fenced_code", "footnotes", "legacy_attrs",
    "legacy_em", "md_in_html", "meta", "nl2br", "sane_lists", "smarty", "tables", "toc", "wikilinks",
    "pymdownx.arithmatex", "pymdownx.betterem", "pymdownx.caret", "pymdownx.critic", "pymdownx.details",
    "pymdownx.emoji", "pymdownx.escapeall", "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.keys",
    "pymdownx.magiclink", "pymdownx.mark", "pymdownx.progressbar", "pymdownx.saneheaders", "pymdownx.smartsymbols",
    "pymdownx.striphtml", "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.tasklist", "pymdownx.tilde",
})


def cacheable(config) -> bool:
    """Whether every Markdown extension of the site is one whose output the cache can key (``PURE``)."""
    names = [e.removeprefix("markdown.extensions.") if isinstance(e, str) else None
             for e in config["markdown_extensions"]]
    return all(name in PURE for name in names)


def _stable(value: Any) -> Any:
    """A repr of configuration that is the same in every process (functions by name, not by address)."""
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_stable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, functools.partial):  # as pymdownx.slugs makes
        return f"partial({_stable(value.func)}, {_stable(value.args)}, {_stable(value.keywords)})"
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}"
    return f"{type(value).__module__}.{type(value).__qualname__}"


def settings_fingerprint(config) -> str:
    """What a page's conversion depends on in mkdocs.yml and in the installed packages."""
    versions = []
    for name in _PACKAGES:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    settings = {
        "versions": versions,
        "extensions": _stable(list(config["markdown_extensions"])),
        "options": _stable(config["mdx_configs"] or {}),
        "directory_urls": bool(config["use_directory_urls"]),
        "validation": _stable(dict(config["validation"])) if config.get("validation") else None,
    }
    return hashlib.sha256(json.dumps(settings, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _toc_tokens(items) -> list[dict]:
    return [{"level": a.level, "id": a.id, "name": a.title, "children": _toc_tokens(a.children)} for a in items]


class _Logged(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record):
        self.count += 1


class RenderCache(BasePlugin):
    """A MkDocs plugin (added by ``duban build``, not named in mkdocs.yml) that takes a page's conversion from the
    cache when its key is unchanged and stores the conversions it had to make."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0
        self._base = ""
        self.enabled = False

    def on_files(self, files, config):
        self.enabled = cacheable(config)
        h = hashlib.sha256(settings_fingerprint(config).encode())
        for f in sorted(files, key=lambda f: f.src_uri):
            h.update(f"{f.src_uri}\0{f.dest_uri}\0{f.url}\0".encode())
        self._base = h.hexdigest()
        return files

    @event_priority(-100)  # after every other plugin has had the Markdown
    def on_page_markdown(self, markdown, page, config, files):
        if not self.enabled:
            return markdown
        key = hashlib.sha256(
            f"{self._base}\0{page.file.src_uri}\0{page.file.url}\0".encode() + markdown.encode("utf-8")).hexdigest()
        name = f"{key[:40]}.json"
        self.used.add(name)
        entry = self._read(name, files)
        render = type(page).render
        if entry is not None:
            def restored(config_, files_, page=page, entry=entry):
                page.content, page.toc, page._title_from_render, page.present_anchor_ids, links = entry
                if links is not None:
                    page.links_to_anchors = links
            page.render = restored
            self.hits += 1
        else:
            def converted(config_, files_, page=page, name=name):
                logged = _Logged()
                logger = logging.getLogger("mkdocs")
                logger.addHandler(logged)
                try:
                    render(page, config_, files_)
                finally:
                    logger.removeHandler(logged)
                if not logged.count:
                    self._store(name, page)
            page.render = converted
            self.misses += 1
        return markdown

    def _read(self, name: str, files) -> tuple | None:
        """The stored conversion as the page's fields (content, toc, title, anchors, links to anchors), or None
        when there is none or it does not read back as one."""
        try:
            entry = json.loads((self.folder / name).read_text(encoding="utf-8"))
            content, toc, title, anchors, links = (entry["content"], entry["toc"], entry["title"], entry["anchors"],
                                                   entry["links"])
            if not (isinstance(content, str) and (title is None or isinstance(title, str))
                    and all(isinstance(a, str) for a in anchors)):
                return None
            if links is not None:
                links = {files.get_file_from_path(src): dict(found) for src, found in links.items()}
                links.pop(None, None)
            return content, get_toc(toc), title, set(anchors), links
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # no entry, or a damaged one: converted again and stored anew

    def _store(self, name: str, page) -> None:
        links = page.links_to_anchors
        entry = {
            "content": page.content,
            "toc": _toc_tokens(page.toc),
            "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links": None if links is None else {f.src_uri: dict(a) for f, a in links.items()},
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic.write_text(self.folder / name, json.dumps(entry, ensure_ascii=False))
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower

    def prune(self) -> None:
        """Drop the entries this build did not use."""
        if not self.folder.is_dir():
            return
        for old in self.folder.iterdir():
            if old.name not in self.used:
                old.unlink(missing_ok=True)
