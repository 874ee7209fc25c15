"""A plan page's clause anchors: the one convention (``{#clause-2-3}`` at the end of the clause's heading),
where anchors stand on a page, and how they differ from the plan record's clauses.

The site lists each clause's tasks under the heading that carries the clause's anchor and links tasks to
``plan/….md#clause-2-3``; an anchor that is missing, extra, repeated or not at the end of a heading loses
those boxes and links without a word, so the validator refuses such a page (``records/validate/cross.py``).
``duban plan import`` generates the anchors; nobody needs to write them by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

DOCS = "docs"  # a plan's ``page`` is a path below this folder
PREFIX = "clause-"
# the form the site reads (outputs/site/pages/plans.py): a heading ending with the anchor
HEADING = re.compile(r"^#{1,6}\s.*\{#(clause-[0-9-]+)\}\s*$")
# anything that names an anchor starting with clause-: attribute lists and HTML ids
MENTION = re.compile(r"\{[^}\n]*?#(clause-[^\s}]*)[^}\n]*\}|\bid=[\"'](clause-[^\"']*)[\"']")


def clause_anchor(clause_id: str) -> str:
    """``2.3`` -> ``clause-2-3``."""
    return PREFIX + clause_id.replace(".", "-")


@dataclass(frozen=True)
class Anchor:
    name: str  # clause-2-3
    line: int
    column: int
    on_heading: bool  # at the end of a heading line, where the site looks for it


def anchors(text: str) -> list[Anchor]:
    """Every clause anchor named on a page, in order."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        heading = HEADING.match(line)
        for m in MENTION.finditer(line):
            name = m.group(1) or m.group(2)
            last = heading is not None and heading.group(1) == name and m.end() == len(line.rstrip())
            out.append(Anchor(name, number, m.start() + 1, last))
    return out


@dataclass(frozen=True)
class PageProblem:
    line: int
    column: int
    field: str
    message: str


@dataclass
class PageCheck:
    file: str  # the page, relative to the repository root
    located: list[PageProblem] = field(default_factory=list)  # on the page, with their lines
    missing: list[str] = field(default_factory=list)  # clauses without an anchor: located at the plan's ``page``


def compare(file: str, text: str, clauses: list) -> PageCheck:
    """The page's anchors against the clauses (``{"id", "label", "title"}`` entries) of its plan record."""
    check = PageCheck(file)
    wanted = {}
    for c in clauses:
        if isinstance(c, dict) and isinstance(c.get("id"), str):
            wanted.setdefault(clause_anchor(c["id"]), c)
    seen: dict[str, Anchor] = {}
    for a in anchors(text):
        shown = f"{{#{a.name}}}"
        if not re.fullmatch(r"clause-[0-9]+(-[0-9]+)*", a.name):
            check.located.append(PageProblem(a.line, a.column, shown, f"“{a.name}”不是条款锚点的格式；"
                                             "条款 2.3 的锚点写作 {#clause-2-3}"))
        elif a.name not in wanted:
            clause_id = a.name[len(PREFIX):].replace("-", ".")
            check.located.append(PageProblem(a.line, a.column, shown, f"锚点 {shown} 没有对应的条款：方案记录中没有编号为"
                                             f"“{clause_id}”的条款；请删除它，或用 duban plan import 重新生成页面"))
        elif a.name in seen:
            check.located.append(PageProblem(a.line, a.column, shown, f"锚点 {shown} 重复：第 {seen[a.name].line} 行已有；"
                                             "每个条款只能有一个锚点"))
        elif not a.on_heading:
            seen[a.name] = a
            c = wanted[a.name]
            check.located.append(PageProblem(a.line, a.column, shown, f"锚点 {shown} 不在标题行的末尾，站点找不到它；"
                                             f"应写在条款标题“{c.get('label', '')}{c.get('title', '')}”的最后"))
        else:
            seen[a.name] = a
    for name, c in wanted.items():
        if name not in seen:
            check.missing.append(f"正文页面 {file} 缺少条款“{c['id']}”（{c.get('label', '')}{c.get('title', '')}）的锚点 "
                                 f"{{#{name}}}：应写在该条款标题的最后；可用 duban plan import 重新生成页面")
    return check


def read_page(path: Path) -> str | None:
    """A page's text (UTF-8), or None when there is no readable page there."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def check_page(root: Path, page: str, clauses: list) -> PageCheck | None:
    """The check of a plan's page (``page`` below ``docs/``), or None when there is no such page to check
    (the site then shows the plan's title only)."""
    file = f"{DOCS}/{page}"
    docs = (root / DOCS).resolve()
    path = (root / DOCS / page).resolve()
    if docs not in path.parents or not path.is_file():
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return PageCheck(file, [PageProblem(1, 1, "-", "页面不是 UTF-8 编码，读不出条款锚点；请另存为 UTF-8")])
    except OSError as exc:
        return PageCheck(file, [PageProblem(1, 1, "-", f"无法读取页面：{exc.strerror or exc}")])
    return compare(file, text, clauses)
