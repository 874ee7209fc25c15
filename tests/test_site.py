"""The built site: as-of date, Chinese search, no external assets, escaping, determinism, page sizes.

The shipped repository is built once per session (``sitebuild.shipped_site``,
shared with test_browser.py). Search is checked against ``ClientSearch``, a
Python model of Material's search worker, on the real ``search_index.json``.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from duban.outputs.site.search_index import (
    refine_index,
    refine_text,
    single_characters,
    split_compound,
)
from sitebuild import (
    AS_OF,
    AS_OF_TEXT,
    LINK,
    ROOT,
    TEMPLATE,
    ClientSearch,
    hostile_site,
    material_segment,
    shipped_site,
    unrefined_index,
)

pytestmark = pytest.mark.slow  # builds the whole shipped site: skip locally with -m "not slow"

PLAN = "plan/quantai-2023-46/"


@pytest.fixture(scope="module")
def built():
    b = shipped_site()
    assert b.outcome.report.ok, "\n".join(p.message for p in b.outcome.report.problems)
    return b


@pytest.fixture(scope="module")
def index(built):
    return built.search_index()


@pytest.fixture(scope="module")
def before(index):
    """The index as Material's search plugin wrote it, before duban's search hook (with the units' names taught to
    the segmenter, as the build does)."""
    from duban.outputs.site.build import taught_search
    from duban.records.model import open_repository

    with taught_search(open_repository(ROOT)):
        return unrefined_index(index)


def test_build_succeeds(built):
    assert built.outcome.as_of == AS_OF
    assert built.outcome.pages > 100 and built.outcome.weeks
    for page in ("", PLAN, "tasks/", "units/", "reports/weekly/", "status/overdue/"):
        assert (built.site / page / "index.html").is_file(), page
    assert (built.site / "search" / "search_index.json").is_file()


def test_as_of_date_is_on_home_task_and_unit_pages(built):
    unit = sorted(p.name for p in (built.site / "units").iterdir() if p.is_dir())[0]
    for url in ("", "tasks/T-2-6-05/", f"units/{unit}/", PLAN, "tasks/"):
        html = built.page(url)
        assert f'<p class="duban-asof">数据截至 <strong>{AS_OF_TEXT}</strong>' in html, url


# ---------------------------------------------------------------- search

def plain(doc: dict) -> str:
    return re.sub(r"<[^>]*>", "", (doc["title"] + " " + doc["text"]).replace("\u200b", ""))


def sections_containing(index: dict, word: str) -> set[str]:
    return {d["location"] for d in index["docs"] if word in plain(d)}


@pytest.mark.parametrize("query, expected", [
    ("枫桥经验", {PLAN}),
    ("应评尽评", {PLAN}),
    ("燃气", {PLAN, "tasks/T-2-6-05/"}),
    ("军人", {PLAN}),  # only inside 退役军人: found thanks to the search hook
])
def test_chinese_search_finds_the_page(index, query, expected):
    search = ClientSearch(index)
    assert expected & search.pages(query), (query, search.terms(query))
    # every section of those pages holding the query's text is found, matching every term of the query
    hits = search.search(query)
    terms = set(search.terms(query))
    containing = {loc for loc in sections_containing(index, query) if loc.split("#")[0] in expected}
    assert containing, query
    missed = {loc for loc in containing if hits.get(loc) != terms}
    assert not missed, (query, search.terms(query), sorted(missed)[:5])


def test_plan_clause_is_the_hit_for_a_clause_phrase(index):
    search = ClientSearch(index)
    terms = set(search.terms("枫桥经验"))
    clauses = {loc for loc, matched in search.search("枫桥经验").items()
               if loc.startswith(PLAN + "#clause-") and matched == terms}
    assert clauses and clauses == {loc for loc in sections_containing(index, "枫桥经验") if loc.startswith(PLAN)}


def test_mid_compound_word_needs_the_hook(index, before):
    """军人 occurs only inside 退役军人: Material's own index cannot find it, the hook's can."""
    plan_tokens = {t for d in before["docs"] if d["location"].startswith(PLAN)
                   for t in ClientSearch(before).tokens(d["text"])}
    assert "退役军人" in plan_tokens and "军人" not in plan_tokens
    assert PLAN not in ClientSearch(before).pages("军人")
    assert PLAN in ClientSearch(index).pages("军人")
    assert split_compound("退役军人") == ("退役", "军人")


def test_hook_on_a_sample():
    """共享 inside 数据共享: a prefix search misses it until the hook splits the word."""
    text = material_segment("推进数据共享平台建设，退役军人服务。")
    assert "\u200b数据共享\u200b" in text
    config = {"separator": r"[\s\u200b\u3000\-、。，．？！；]+", "lang": ["zh"], "pipeline": ["stemmer"],
              "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}}}
    before = {"config": config, "docs": [{"location": "a/", "title": "甲", "text": text}]}
    after = copy.deepcopy(before)
    assert refine_index(after) > 0
    assert "\u200b数据\u200b共享\u200b" in after["docs"][0]["text"]
    assert after["docs"][0]["text"].replace("\u200b", "") == text.replace("\u200b", "")  # shows the same
    for word in ("共享", "军人"):
        assert ClientSearch(before).pages(word) == set(), word
        assert ClientSearch(after).pages(word) == {"a/"}, word
    assert refine_text("办公室") == "办公室"  # nothing gained by 办公 + 室: left whole


def test_search_index_is_material_plus_the_hook(built, index, before):
    """The built index is exactly Material's with long words split; the hook is deterministic. (The build teaches
    the segmenter the units' names, so the hook is rerun the same way.)"""
    from duban.outputs.site.build import taught_search
    from duban.outputs.site.search_index import split_compound
    from duban.records.model import open_repository

    with taught_search(open_repository(ROOT)):
        split_compound.cache_clear()
        again = copy.deepcopy(before)
        refine_index(again)
        third = copy.deepcopy(before)
        refine_index(third)
    split_compound.cache_clear()
    assert again == index
    dump = lambda d: json.dumps(d, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    assert dump(third) == dump(again)
    assert (built.site / "search" / "search_index.json").read_text(encoding="utf-8") == dump(index)
    # no new one-character words: the browser would cut queries starting with them down to that character
    separator = re.compile(index["config"]["separator"])
    assert single_characters(index, separator) == single_characters(before, separator)


def test_search_index_size(built, index, before):
    size = (built.site / "search" / "search_index.json").stat().st_size
    material = len(json.dumps(before, separators=(",", ":")).encode())  # as Material writes it
    assert size < material  # UTF-8 instead of \\uXXXX escapes more than pays for the added separators
    assert size < 3_000_000, size
    assert len(index["docs"]) < 5000


# ---------------------------------------------------------------- no external assets

EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)  # http://, https://, //host, ftp://...
ASSET_ATTRS = {
    "link": ("href",), "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"),
    "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",), "embed": ("src",), "object": ("data",),
    "image": ("href", "xlink:href"), "use": ("href", "xlink:href"), "feimage": ("href", "xlink:href"),
    "track": ("src",), "input": ("src",),
}
CSS_REFS = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+(?:url\(\s*)?['"]?([^'");\s]+)""", re.I)
CDN_HOSTS = re.compile(r"fonts\.googleapis\.com|fonts\.gstatic\.com|cdn\.jsdelivr\.net|unpkg\.com", re.I)
# Material's bundle names unpkg.com in two loaders that never run on this site: a ResizeObserver
# polyfill for browsers without it, and Mermaid for pages with diagrams (checked below: none).
BUNDLE_CDN_OK = {"https://unpkg.com/resize-observer-polyfill", "https://unpkg.com/mermaid@11/dist/mermaid.min.js"}


class AssetRefs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self.css: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        names = ASSET_ATTRS.get(tag, ())
        for name, value in attrs:
            if value is None:
                continue
            if name in names:
                self.refs += [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
            if name == "style":
                self.css.append(value)
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.css.append(data)


def css_refs(text: str) -> list[str]:
    return [a or b for a, b in CSS_REFS.findall(text)]


def test_no_external_assets(built):
    bad = []
    for path in sorted(built.site.rglob("*")):
        if not path.is_file() or path.suffix not in {".html", ".css", ".js", ".svg", ".json", ".webmanifest"}:
            continue
        rel = path.relative_to(built.site).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        refs: list[str] = []
        if path.suffix in {".html", ".svg"}:
            parser = AssetRefs()
            parser.feed(text)
            refs += parser.refs + [r for css in parser.css for r in css_refs(css)]
        elif path.suffix == ".css":
            refs += css_refs(text)
        elif path.suffix == ".js":
            refs += css_refs(text)
            refs += re.findall(r"""(?:importScripts|import)\s*\(\s*[`'"]([^`'"]+)""", text)
            refs += re.findall(r"""\b(?:src|href)\s*=\s*[`'"]([^`'"]+)""", text)
        else:  # a web manifest's icons, screenshots and start URL
            refs += re.findall(r'"(?:src|start_url|scope)"\s*:\s*"([^"]+)"', text)
        bad += [f"{rel}: {r}" for r in refs if EXTERNAL.match(r)]
    assert not bad, bad[:20]


def test_no_font_or_cdn_hosts_anywhere(built):
    found = []
    for path in sorted(built.site.rglob("*")):
        if not path.is_file() or path.suffix in {".docx", ".xlsx", ".png", ".gz"}:
            continue
        rel = path.relative_to(built.site).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        if re.fullmatch(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js(\.map)?", rel):
            # Material's own bundle (and its source map, whose comments name unpkg.com): only the known loaders
            urls = set(re.findall(r"(?:https?:)?//(?:%s)[^\s\"'`)\\]*" % CDN_HOSTS.pattern, text, re.I))
            found += [f"{rel}: {u}" for u in sorted(urls - BUNDLE_CDN_OK)]
            continue
        found += [f"{rel}: {text[max(0, m.start() - 40):m.end() + 40]!r}" for m in CDN_HOSTS.finditer(text)]
    assert not found, found[:10]
    for path in built.site.rglob("*.html"):  # so Material's Mermaid loader never runs
        assert 'class="mermaid"' not in path.read_text(encoding="utf-8"), path


def test_no_html_page_over_1_5_mb(built):
    sizes = {p.relative_to(built.site).as_posix(): p.stat().st_size for p in built.site.rglob("*.html")}
    assert len(sizes) > 100
    big = {k: v for k, v in sizes.items() if v > 1_500_000}
    assert not big, big


# ---------------------------------------------------------------- escaping

class Dangerous(HTMLParser):
    """Collects anything in a page that would run script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value \
                    and re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(("javascript:", "vbscript:", "data:text/html")):
                self.found.append(f"<{tag} {name}={value!r}>")
        self.script = tag == "script"

    def handle_endtag(self, tag):
        self.script = False

    def handle_data(self, data):
        if self.script and "alert(1)" in data:
            self.found.append(f"<script>{data[:60]!r}")


@pytest.fixture(scope="module")
def hostile():
    return hostile_site()


def test_record_values_render_as_text(hostile):
    task = (hostile / "tasks" / "T-2-1-01" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in task
    assert "&lt;img src=x onerror=alert(1)&gt;" in task
    assert TEMPLATE in task and "site_name" not in task  # shown, not evaluated
    unit = (hostile / "units" / "bb" / "index.html").read_text(encoding="utf-8")
    assert LINK in unit
    register = "".join(p.read_text(encoding="utf-8") for p in (hostile / "registers").rglob("*.html"))
    assert "&lt;img src=x onerror=alert(1)&gt;" in register


def test_no_injected_markup_anywhere(hostile):
    pages = sorted(hostile.rglob("*.html"))
    assert len(pages) > 10
    found = []
    for path in pages:
        html = path.read_text(encoding="utf-8")
        rel = path.relative_to(hostile).as_posix()
        for needle in ("<script>alert", "<img src=x", "onerror=alert(1)>"):
            at = html.find(needle)
            if at != -1:
                found.append(f"{rel}: {html[max(0, at - 60):at + 40]!r}")
        parser = Dangerous()
        parser.feed(html)
        found += [f"{rel}: {f}" for f in parser.found]
    assert not found, found[:20]
    index = (hostile / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "<script>" not in index and "<img" not in index  # results are shown as HTML: stays escaped


# ---------------------------------------------------------------- determinism

def test_generation_is_deterministic(tmp_path):
    """Two independent generations of the same records (fresh caches, different worker counts) match byte for byte."""
    from duban.outputs.site.build import generate
    from duban.records.model import build as build_model
    from duban.records.validate import check_repository

    root = tmp_path / "repo"  # a frozen copy: the working tree may change while the tests run
    for name in ("records", "schemas", "docs"):
        shutil.copytree(ROOT / name, root / name)
    result = check_repository(root)
    assert result.ok
    repo = build_model(result)
    trees = []
    for n, workers in ((1, 2), (2, 1)):
        out = tmp_path / f"gen{n}" / "docs"
        generate(root, repo, AS_OF, out, workers=workers, cache_root=tmp_path / f"gen{n}" / "cache")
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    first, second = trees
    assert first.keys() == second.keys()
    kinds = {Path(k).suffix for k in first}
    assert {".md", ".docx", ".xlsx", ".svg"} <= kinds
    differ = [k for k in first if first[k] != second[k]]
    assert not differ, differ[:20]


# ---------------------------------------------------------------- open data


def test_open_data_package_describes_every_file(built):
    data = built.site / "data"
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    kinds = {r["name"] for r in package["resources"]}
    assert {"plan", "unit", "task", "update", "dispute", "hazard", "risk-assessment", "meeting"} <= kinds
    for resource in package["resources"]:
        csv_text = (data / resource["path"]).read_text(encoding="utf-8-sig")
        header = csv_text.splitlines()[0].split(",")
        assert header == [f["name"] for f in resource["schema"]["fields"]], resource["name"]
        assert len(csv_text.splitlines()) - 1 >= resource["count"]  # quoted newlines may add lines
        assert resource["count"] > 0 or resource["name"] in ("holiday", "report-note")  # none shipped
        records = json.loads((data / resource["path"].replace(".csv", ".json")).read_text(encoding="utf-8"))
        assert len(records) == resource["count"]
        schema = json.loads((data / resource["sources"][0]["path"]).read_text(encoding="utf-8"))
        assert schema["title"] == resource["title"]


def test_open_data_is_as_of_the_site_date(built):
    """Nothing dated after the as-of date leaks into the published data."""
    data = built.site / "data"
    updates = json.loads((data / "update.json").read_text(encoding="utf-8"))
    assert updates and max(u["date"] for u in updates) <= AS_OF.isoformat()
    tasks = json.loads((data / "task.json").read_text(encoding="utf-8"))
    assert all(t["closure"]["date"] <= AS_OF.isoformat() for t in tasks if "closure" in t)
    assert any("closure" not in t and t["timing"]["mode"] == "限时" for t in tasks)
    disputes = json.loads((data / "dispute.json").read_text(encoding="utf-8"))
    assert all(e["date"] <= AS_OF.isoformat() for d in disputes for e in d["status_history"])
