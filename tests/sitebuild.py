"""Shared by test_site.py and test_browser.py: one build of the shipped site, and a model of its search.

``shipped_site()`` builds the shipped repository as of ``AS_OF`` once per test
session (about half a minute) into a temporary directory and returns it;
whichever test module asks first pays for it.

``ClientSearch`` re-implements, in Python, what Material's search worker does
with ``search/search_index.json`` (Material 9.x, ``src/templates/assets/
javascripts/integrations/search/``): tokenize every field by the configured
separator between HTML tags, lower-case; segment a Chinese query against the
index's vocabulary (``query/segment``); turn every term into a trailing-wildcard
(prefix) term; a document matches when any term is a prefix of one of its
tokens (Lunr's default presence is "optional").
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2024, 3, 31)
AS_OF_TEXT = "2024年3月31日"


@dataclass
class Built:
    outcome: object  # duban.site.BuildOutcome
    site: Path       # the built HTML site
    docs: Path       # the generated Markdown (MkDocs' docs_dir)
    seconds: float

    def page(self, url: str) -> str:
        """The HTML of a site URL such as ``tasks/T-2-6-05/`` or ``""`` (home)."""
        return (self.site / url / "index.html").read_text(encoding="utf-8")

    def search_index(self) -> dict:
        return json.loads((self.site / "search" / "search_index.json").read_text(encoding="utf-8"))


_BUILT: Built | None = None


def shipped_site() -> Built:
    """The shipped repository built as of ``AS_OF`` (built on first use, then reused)."""
    global _BUILT
    if _BUILT is None:
        import time

        from duban.outputs.site.build import build_site

        tmp = Path(tempfile.mkdtemp(prefix="duban-site-"))
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        started = time.monotonic()
        outcome = build_site(ROOT, AS_OF, site_dir=tmp / "site", build_dir=tmp / "build")
        _BUILT = Built(outcome, tmp / "site", tmp / "build" / "docs", time.monotonic() - started)
    return _BUILT


# ---------------------------------------------------------------- a site built from hostile records

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = "[点我](javascript:alert(1))"
TEMPLATE = "{{ config }}"
BREAKOUT = "</title><script>alert(1)</script>"  # ends <title> early if a page title is output unescaped

_HOSTILE: Path | None = None


def hostile_site() -> Path:
    """The base test records with markup, a javascript: link and a template in their values, built (cached)."""
    global _HOSTILE
    if _HOSTILE is None:
        import yaml
        from conftest import make_site_repo
        from duban.outputs.site.build import build_site

        tmp = Path(tempfile.mkdtemp(prefix="duban-hostile-"))
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        root = make_site_repo(tmp / "repo")

        def edit(rel, **changes):
            path = root / "records" / rel
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            data.update(changes)
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

        edit("tasks/T-2-1-01.yaml", title=SCRIPT, deadline_text=IMG, measures=TEMPLATE)
        edit("tasks/T-2-2-01.yaml", title=BREAKOUT, measures=f"{IMG} {LINK} {SCRIPT}")
        edit("units/bb.yaml", name=LINK)
        edit("cases/disputes/MD-aa-2024-0001.yaml", place=IMG, summary=IMG)
        outcome = build_site(root, AS_OF, site_dir=tmp / "site", build_dir=tmp / "build")
        assert outcome.report.ok, "\n".join(p.message for p in outcome.report.problems)
        _HOSTILE = tmp / "site"
    return _HOSTILE


# ---------------------------------------------------------------- client-side search model

HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
TAG = re.compile(r"<[^>]*>")


class ClientSearch:
    """Which documents Material's search worker returns for a query (not their order)."""

    def __init__(self, index: dict):
        self.config = index["config"]
        self.separator = re.compile(self.config["separator"])
        self.docs = {d["location"]: d for d in index["docs"]}
        self.postings: dict[str, set[str]] = defaultdict(set)  # token -> locations
        for doc in index["docs"]:
            for field in self.config["fields"]:  # every configured field is indexed
                value = doc.get(field)
                for text in value if isinstance(value, list) else [value] if value is not None else []:
                    for token in self.tokens(text):
                        self.postings[token].add(doc["location"])
        self.vocabulary = sorted(self.postings)

    def tokens(self, text: str) -> list[str]:
        """internal/tokenize + extract: split the text between tags by the separator, lower-case."""
        out = []
        for block in TAG.split(text):
            out += [t.lower() for t in self.separator.split(block) if t]
        return out

    def segment(self, query: str) -> list[str]:
        """query/segment: Material's segmentation of a run of Han characters against the index."""
        n = len(query)
        cuts = [0] * n
        for i in range(n):
            for j in range(i + 1, n):  # sic: a segment never reaches the query's last character
                if query[i:j] in self.postings:
                    cuts[i] = j - i
        segments: list[str] = []
        stack = [0]
        while stack:
            p = stack.pop()
            for q in range(1, cuts[p]):
                if cuts[p + q] > cuts[p] - q:
                    segments.append(query[p:p + q])
                    stack.append(p + q)
            q = p + cuts[p]
            if q < n and cuts[q] and q < n - 1:
                stack.append(q)
            segments.append(query[p:q])
        if "" in segments:  # Material's hotfix: fall back to the whole query
            return [query]
        return list(dict.fromkeys(segments))

    def terms(self, query: str) -> list[str]:
        """The prefix terms the worker hands to Lunr (search/_ + query/transform)."""
        query = HAN_RUN.sub(lambda m: "* ".join(self.segment(m.group(0))), query)
        terms = []
        for part in query.split():
            for term in self.separator.split(part.lower()):
                term = term.strip("*")
                if term and term not in terms:
                    terms.append(term)
        return terms

    def search(self, query: str) -> dict[str, set[str]]:
        """``{location: terms it matched}`` for every matching section."""
        hits: dict[str, set[str]] = defaultdict(set)
        for term in self.terms(query):
            for token in self.vocabulary:
                if token.startswith(term):
                    for location in self.postings[token]:
                        hits[location].add(term)
        return dict(hits)

    def pages(self, query: str, all_terms: bool = True) -> set[str]:
        """Page URLs (anchor dropped) with a section matching every term (or any, if not ``all_terms``)."""
        terms = self.terms(query)
        return {loc.split("#")[0] for loc, matched in self.search(query).items()
                if not all_terms or len(matched) == len(terms)}


def material_segment(text: str) -> str:
    """What Material's search plugin does to a title or text: jieba words joined by U+200B."""
    from material.plugins.search.plugin import SearchIndex

    return SearchIndex()._segment_chinese(text)


def unrefined_index(index: dict) -> dict:
    """The index as Material wrote it before duban's search hook: undo the hook, redo Material's segmentation.

    Material's input never contains U+200B, so removing every U+200B and
    segmenting again gives back exactly what the search plugin produced.
    """
    out = json.loads(json.dumps(index))
    for doc in out["docs"]:
        for field in ("title", "text"):
            if isinstance(doc.get(field), str):
                doc[field] = material_segment(doc[field].replace("\u200b", ""))
    return out
