"""A plan's document as a plan: what comes before its title (the 印发 notice), the title, the preamble, the
clauses with ids following the document's own numbering, and what follows (附件, signature) — plus what
the document says of itself: 文号, 发文机关, 成文日期, 公开属性.

- A clause's level comes from its numbering (一、 > （一） > 1. > （1）), never from how the paragraph is
  formatted, so clauses (六)–(十) set as a smaller heading than (一)–(五) are still siblings. Ids join the
  numbers: 二（三） → ``2.3``, 二（三）1. → ``2.3.1``; a document that starts at （一） numbers ``1``, ``2``.
- A heading that is the first sentence of its paragraph (“**（一）加强组织领导。**各乡镇……”) is the clause's
  title, the rest is its text. Without bold text to tell, a first sentence of up to 40 characters is taken as
  the title; a longer numbered paragraph keeps its whole text and its title is the start of it, shortened.
- The title is the last title-like paragraph (…方案, …意见) before the first clause; the 成文日期 is the last
  paragraph that is only a date (the signature's), and the issuers are the offices' names right above it.
- Problems (a clause number used twice, no clause at all) are located as ``文件:第 N 行: 字段: 说明``;
  a number out of sequence is only a warning, since the document's own numbering is kept.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from duban.edit.plan_source import (
    DISCLOSURE,
    TAIL_MARK,
    Para,
    doc_number,
    is_org,
    is_signature_part,
    numbering,
    parse_cn_date,
    read_source,
    title_like,
)

TITLE_MAX = 40  # a first sentence up to this long is a run-in heading
SENTENCE_END = re.compile("[。！？：]")
RANK_NAMES = {1: "一、", 2: "（一）", 3: "1.", 4: "（1）"}


@dataclass
class Clause:
    id: str
    label: str
    title: str
    text: str  # its own paragraphs, one a line; empty for a heading whose content is its sub-clauses
    depth: int  # 1 for 一、 (or whatever numbering the document starts with)
    where: str

    def record(self) -> dict:
        data = {"id": self.id, "label": self.label, "title": self.title}
        if self.text:
            data["text"] = self.text
        return data


@dataclass
class PlanText:
    source: str  # the file's name, for messages
    title: str | None = None
    doc_number: str | None = None
    issuers: list[str] = field(default_factory=list)
    issue_date: dt.date | None = None
    public: str | None = None
    front: list[str] = field(default_factory=list)  # before the title: the 印发 notice, the 文号
    preamble: list[str] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)  # after the last clause: 附件, signature
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def at(self, where: str, what: str, message: str) -> str:
        return f"{self.source}:{where}: {what}: {message}"


def _short(text: str) -> str:
    """The start of a long sentence as a title: up to a comma before 40 characters, else 40 characters."""
    head = text[:TITLE_MAX]
    cut = max(head.rfind("，"), head.rfind("、"))
    return (head[:cut] if cut >= 8 else head).rstrip("，、；") + "……"


def _split(p: Para, rest: str) -> tuple[str, str]:
    """(title, text) of a numbered paragraph."""
    bold = numbering(p.bold) if p.bold else None
    if bold and bold.rest and p.text.startswith(p.bold):
        if len(p.bold) >= len(p.text):
            return bold.rest.rstrip("。：；"), ""
        return bold.rest.rstrip("。：；"), p.text[len(p.bold):].lstrip("。：；， ")
    m = SENTENCE_END.search(rest)
    if m is None:
        return (rest, "") if len(rest) <= TITLE_MAX else (_short(rest), rest)
    if m.start() <= TITLE_MAX:
        return rest[: m.start()], rest[m.end():].strip()
    return _short(rest), rest


def _tail_start(paras: list[Para], first: int) -> int:
    """Where the paragraphs after the clauses begin: an attachment line, or the signature block."""
    for i in range(first, len(paras)):
        text = paras[i].text
        if numbering(text):
            continue
        if TAIL_MARK.search(text):
            return i
        if is_signature_part(text) and all(is_signature_part(p.text) or TAIL_MARK.search(p.text) for p in paras[i:]):
            return i
    return len(paras)


def structure(paras: list[Para], source: str) -> PlanText:
    doc = PlanText(source)
    first = next((i for i, p in enumerate(paras) if numbering(p.text)), None)
    if first is None:
        doc.problems.append(doc.at("全文", "条款", "没有找到条款：文中没有以 一、（一）1.（1） 这样的序号开头的段落"))
        first = len(paras)
    titles = [i for i in range(first) if title_like(paras[i].text) or (paras[i].marked == 1 and not doc_number(paras[i].text))]
    start = 0
    if titles:
        t = titles[-1]
        title = paras[t].text
        before = paras[t - 1].text if t else ""
        if t and not title.startswith("关于") and before.startswith("关于") and not re.search("[，。；：]", before):
            t, title = t - 1, before + title  # a title set on two lines
        doc.title = title.strip("《》")
        doc.front = [p.text for p in paras[:t]]
        start = (titles[-1]) + 1
    doc.preamble = [p.text for p in paras[start:first]]
    end = _tail_start(paras, first)
    doc.tail = [p.text for p in paras[end:]]
    _clauses(doc, paras[first:end])
    _about(doc, paras[:start], paras[end:])
    return doc


def _clauses(doc: PlanText, paras: list[Para]) -> None:
    stack: list[tuple[int, Clause]] = []  # (rank, clause) from the top level down
    seen: dict[str, Clause] = {}
    last_number: dict[tuple[str | None, int], int] = {}
    texts: dict[str, list[str]] = {}
    for p in paras:
        n = numbering(p.text)
        if n is None:
            if p.marked:
                doc.warnings.append(doc.at(p.where, "条款", f"“{p.text[:20]}”是标题但没有序号，作为上一条款的正文导入"))
            if stack:
                texts[stack[-1][1].id].append(p.text)
            else:
                doc.preamble.append(p.text)
            continue
        while stack and stack[-1][0] >= n.rank:
            stack.pop()
        parent = stack[-1][1] if stack else None
        clause_id = f"{parent.id}.{n.number}" if parent else str(n.number)
        title, text = _split(p, n.rest)
        if not title:
            doc.problems.append(doc.at(p.where, "条款标题", f"序号“{n.label}”之后没有标题"))
            continue
        key = (parent.id if parent else None, n.rank)
        expected = last_number.get(key, 0) + 1
        if n.number != expected and clause_id not in seen:
            doc.warnings.append(doc.at(p.where, "条款编号", f"序号“{n.label}”之前应有第 {expected} 项"
                                       f"（{'上一项是第 ' + str(expected - 1) + ' 项' if expected > 1 else '这是本级第一项'}）；"
                                       "编号按原文序号，请核对是否漏了标题"))
        last_number[key] = n.number
        if clause_id in seen:
            doc.problems.append(doc.at(p.where, "条款编号", f"“{clause_id}”（{n.label}{title}）重复：{seen[clause_id].where}"
                                       f"已有“{seen[clause_id].label}{seen[clause_id].title}”；请核对原文的序号"))
            continue
        clause = Clause(clause_id, n.label, title, "", len(stack) + 1, p.where)
        seen[clause_id] = clause
        texts[clause_id] = [text] if text else []
        doc.clauses.append(clause)
        stack.append((n.rank, clause))
    for clause in doc.clauses:
        clause.text = "\n".join(texts[clause.id])


def _about(doc: PlanText, front: list[Para], tail: list[Para]) -> None:
    """文号, 成文日期, 发文机关 and 公开属性 from the paragraphs around the plan (not from its clauses)."""
    around = front + tail
    numbers = [doc_number(p.text) for p in around if doc_number(p.text)]
    whole = [p for p in around if doc_number(p.text) == p.text]
    doc.doc_number = doc_number(whole[0].text) if whole else (numbers[0] if numbers else None)
    dated = [i for i, p in enumerate(tail) if parse_cn_date(p.text)]
    block, index = (tail, dated[-1]) if dated else (front, None)
    if index is None:
        dated = [i for i, p in enumerate(front) if parse_cn_date(p.text)]
        index = dated[-1] if dated else None
    if index is not None:
        doc.issue_date = parse_cn_date(block[index].text)
        names = []
        for p in reversed(block[:index]):
            if DISCLOSURE.match(p.text):
                continue
            if not is_org(p.text):
                break
            names.insert(0, p.text)
        doc.issuers = names
    for p in around:
        m = DISCLOSURE.match(p.text)
        if m and len(m.group(1)) <= 20:
            doc.public = m.group(1)


def read_plan(path: Path) -> PlanText:
    """The plan in a ``.docx``, ``.txt`` or ``.md`` file (raises ``SourceError`` when it cannot be read)."""
    paras, notes = read_source(path)
    doc = structure(paras, path.name)
    doc.warnings[:0] = notes
    return doc
