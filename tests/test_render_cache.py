"""Pages converted from Markdown kept between builds (``outputs/site/rendercache.py``): a page is taken from the
cache only when its conversion would be the same, so a build with the cache writes exactly the site a build
without it writes, and every message about a page is still given."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from duban.outputs.site.rendercache import RenderCache
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

ROOT = Path(__file__).resolve().parent.parent

PAGES = {
    "index.md": "# 首页\n\n见[第二页](second.md#anchor-b)和[第三页](third.md)。\n\n## 小节 {#section}\n\n正文。\n",
    "second.md": "# 第二页\n\n## 乙 {#anchor-b}\n\n| 单位 | 件数 |\n| --- | --- |\n| 洛阳镇 | 3 |\n\n"
                 "!!! info \"说明\"\n\n    提示内容。\n",
    "third.md": "第三页没有一级标题。\n\n## 丙\n\n返回[首页](index.md#section)。\n",
}


def project(tmp_path: Path, pages: dict[str, str] = PAGES) -> Path:
    """A small MkDocs project with duban's Markdown settings (mkdocs.yml of the repository, its nav left out)."""
    root = tmp_path / "project"
    docs = root / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for old in docs.iterdir():
        old.unlink()
    for name, text in pages.items():
        (docs / name).write_text(text, encoding="utf-8")
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.split("\nnav:")[0].replace("docs_dir: build/docs", "docs_dir: docs")
    text = text.replace("extra_css:\n  - assets/duban.css\nextra_javascript:\n  - assets/duban.js\n", "")
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    return root


def site(root: Path, out: Path, cache: Path | None) -> tuple[dict[str, bytes], RenderCache | None]:
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(out), strict=True)
    plugin = None
    if cache is not None:
        plugin = RenderCache(cache)
        config.plugins["duban-render-cache"] = plugin
    os.environ["SOURCE_DATE_EPOCH"] = "1763596800"
    build(config)
    if plugin is not None:
        plugin.prune()
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}, plugin


def test_a_build_from_the_cache_writes_the_site_a_build_without_it_writes(tmp_path):
    root = project(tmp_path)
    plain, _ = site(root, tmp_path / "plain", None)
    first, plugin = site(root, tmp_path / "first", tmp_path / "cache")
    assert (plugin.hits, plugin.misses) == (0, 3)
    again, plugin = site(root, tmp_path / "again", tmp_path / "cache")
    assert (plugin.hits, plugin.misses) == (3, 0)
    assert first == plain and again == plain
    html = again["second/index.html"].decode()
    assert "<table>" in html and 'id="anchor-b"' in html and "admonition info" in html
    assert "第二页" in {d["title"] for d in json.loads(again["search/search_index.json"])["docs"]}


def test_only_a_changed_page_is_converted_again(tmp_path):
    root = project(tmp_path)
    site(root, tmp_path / "first", tmp_path / "cache")
    changed = dict(PAGES, **{"second.md": PAGES["second.md"].replace("| 洛阳镇 | 3 |", "| 洛阳镇 | 4 |")})
    root = project(tmp_path, changed)
    after, plugin = site(root, tmp_path / "after", tmp_path / "cache")
    assert (plugin.hits, plugin.misses) == (2, 1)
    fresh, _ = site(root, tmp_path / "fresh", None)
    assert after == fresh and "<td>4</td>" in after["second/index.html"].decode()
    assert len(list((tmp_path / "cache").iterdir())) == 3  # the entry of the old second page is dropped


def test_removing_a_linked_page_is_still_reported_for_an_unchanged_page(tmp_path):
    root = project(tmp_path)
    site(root, tmp_path / "first", tmp_path / "cache")
    root = project(tmp_path, {k: v for k, v in PAGES.items() if k != "third.md"})
    messages = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        with pytest.raises(Abort):
            site(root, tmp_path / "after", tmp_path / "cache")
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    assert any("third.md" in m and "index.md" in m for m in messages), messages


def test_a_page_whose_conversion_logged_something_is_converted_every_time(tmp_path):
    pages = dict(PAGES, **{"third.md": PAGES["third.md"] + "\n另见[指南目录](guide/)。\n"})  # an unrecognized link
    root = project(tmp_path, pages)
    logger = logging.getLogger("mkdocs")
    level = logger.level
    messages = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: messages.append(record.getMessage())
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        _, plugin = site(root, tmp_path / "first", tmp_path / "cache")
        first = [m for m in messages if "guide/" in m]
        messages.clear()
        _, plugin = site(root, tmp_path / "again", tmp_path / "cache")
        again = [m for m in messages if "guide/" in m]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert first and again == first
    assert (plugin.hits, plugin.misses) == (2, 1)


def test_an_extension_that_reads_other_files_turns_the_cache_off(tmp_path):
    pages = dict(PAGES, **{"part.txt": "被引用的段落。\n", "second.md": PAGES["second.md"] + '\n--8<-- "part.txt"\n'})
    root = project(tmp_path, pages)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - pymdownx.details\n", f"  - pymdownx.details\n  - pymdownx.snippets:\n      base_path: ['{root / 'docs'}']\n"),
        encoding="utf-8")
    first, plugin = site(root, tmp_path / "first", tmp_path / "cache")
    assert "被引用的段落" in first["second/index.html"].decode()
    assert (plugin.hits, plugin.misses) == (0, 0)  # nothing taken, nothing stored
    (root / "docs" / "part.txt").write_text("改过的段落。\n", encoding="utf-8")  # the page's Markdown is unchanged
    again, _ = site(root, tmp_path / "again", tmp_path / "cache")
    assert "改过的段落" in again["second/index.html"].decode()


def test_a_damaged_entry_is_ignored_and_written_again(tmp_path):
    root = project(tmp_path)
    plain, _ = site(root, tmp_path / "plain", None)
    site(root, tmp_path / "first", tmp_path / "cache")
    entries = sorted((tmp_path / "cache").iterdir())
    entries[0].write_text("{not json", encoding="utf-8")
    entries[1].write_text('{"content": 3}', encoding="utf-8")
    again, plugin = site(root, tmp_path / "again", tmp_path / "cache")
    assert again == plain and (plugin.hits, plugin.misses) == (1, 2)
    _, plugin = site(root, tmp_path / "third", tmp_path / "cache")
    assert (plugin.hits, plugin.misses) == (3, 0)


@pytest.mark.slow
def test_a_second_duban_build_from_its_caches_writes_the_same_site(tmp_path):
    from duban.outputs.site.build import build_site
    from sitebuild import AS_OF, shipped_site

    built = shipped_site()
    build_dir = built.docs.parent
    assert len(list((build_dir / "cache" / "rendered").iterdir())) > 100  # every page's conversion kept
    again = build_site(ROOT, AS_OF, site_dir=tmp_path / "again", build_dir=build_dir)
    assert again.report.ok

    def tree(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    first, second = tree(built.site), tree(tmp_path / "again")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
