"""``duban plan import FILE``: a plan's document becomes its plan record (clauses with ids following the
document's numbering, each with its text), its page with a generated anchor per clause, and a draft
任务分解表 for ``duban excel import``.

What the document says of itself (文号, 标题, 发文机关, 成文日期) is used unless a flag says otherwise; what it
does not say is asked on a terminal, and without one the import stops naming the flag that supplies it —
nothing is guessed and nothing waits for input. A plan already on record (the same ``--id``, or the same
文号 or title) is compared with the document first (``plan_revision``): clauses added, removed and changed
are reported; a renumbering (2.3 → 2.4) is proposed by text similarity and applied to the tasks' ``clause``
only with ``--apply-mapping`` (task ids never change). A task whose clause is gone stops the import.
The plan record, the rewritten tasks and the page are checked with the rest of the repository and written
together or not at all (``workspace.apply``); the office's own ``!!! note`` boxes on the page are kept.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from duban.edit.plan_breakdown import write_draft
from duban.edit.plan_page import office_notes, page_text
from duban.edit.plan_revision import Revision, compare
from duban.edit.plan_text import PlanText, read_plan
from duban.edit.prompts import BadAnswer, MissingAnswer, Prompter, parse_date
from duban.edit.workspace import Planned, Workspace, apply
from duban.records.plan_pages import DOCS, read_page
from duban.records.problems import Problem
from duban.records.validate import RECORDS
from duban.zh import natural_key

PLAN_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class Options:
    """What the flags gave; None where the document (or the office on a terminal) is to say."""

    plan_id: str | None = None
    doc_number: str | None = None
    title: str | None = None
    issue_date: str | None = None
    issuers: list[str] = field(default_factory=list)
    out_breakdown: Path | None = None
    apply_mapping: bool = False
    yes: bool = False


@dataclass
class Outcome:
    plan: dict | None = None  # the plan record as it is (to be) written
    plan_file: str = ""
    existed: bool = False
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the document's, and refusals
    record_problems: list[Problem] = field(default_factory=list)  # what the validator says of the change
    revision: Revision | None = None
    retarget: list[tuple[str, str, str]] = field(default_factory=list)  # task, old clause, new clause
    needs_mapping: bool = False  # a renumbering proposed and not confirmed with --apply-mapping
    declined: bool = False
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    breakdown: Path | None = None
    breakdown_rows: int = 0
    checked: int = 0  # files checked with the repository

    @property
    def ok(self) -> bool:
        return not (self.problems or self.record_problems or self.needs_mapping or self.declined)


def _answer(p: Prompter, label: str, flag: str, given: str | None, found: str | None, why: str) -> str:
    if given is not None:
        if not given.strip():
            raise BadAnswer(flag, f"{label}不能为空")
        return given.strip()
    if found:
        return found
    if not p.interactive:
        raise MissingAnswer(flag, label, why)
    return p.text(label, flag)


def _existing(ws: Workspace, doc_number: str, title: str) -> tuple[str | None, str]:
    """The plan on record this document revises (the only one with its 文号, else the only one with its
    title), or None and why the office must name it."""
    plans = sorted(ws.repo.plans.values(), key=lambda p: p.id)
    for what, same in (("文号", [p for p in plans if p.doc_number == doc_number]), ("标题", [p for p in plans if p.title == title])):
        if len(same) == 1:
            return same[0].id, ""
        if len(same) > 1:
            return None, f"记录中有 {len(same)} 个{what}相同的方案（{'、'.join(p.id for p in same)}），须指明导入哪一个"
    return None, "记录中没有文号或标题相同的方案，新方案须给出编号（小写字母、数字和连字符，如 quantai-2023-46，用作记录的文件名）"


def _label_chain(clauses: list[dict], clause_id: str) -> str:
    """二（三） for clause 2.3 (as ``compose.clause_label`` writes a task's header)."""
    labels = {c["id"]: c["label"] for c in clauses}
    parts = clause_id.split(".")
    chain = [labels.get(".".join(parts[: i + 1]), "") for i in range(len(parts))]
    if len(chain) > 1:
        chain[0] = chain[0].rstrip("、")
    return "".join(chain) or clause_id


def _draft_rows(clauses: list[dict], covered: set[str]) -> list[dict]:
    """Clauses with no task yet that a task can carry out: those with a text, and headings with nothing below."""
    ids = [c["id"] for c in clauses]
    leaf = {i for i in ids if not any(j.startswith(i + ".") for j in ids)}
    return [c for c in clauses if c["id"] not in covered and (c.get("text") or c["id"] in leaf)]


def _record(ws: Workspace, p: Prompter, doc: PlanText, o: Options, out: Outcome) -> dict:
    source = doc.source
    doc_number = _answer(p, "文号", "--doc-number", o.doc_number, doc.doc_number,
                         f"{source} 中找不到文号（如 泉台委办〔2023〕46号）")
    title = _answer(p, "标题", "--title", o.title, doc.title,
                    f"{source} 中找不到方案标题（第一个条款之前以“方案”“意见”等结尾的一行）").strip("《》")
    plan_id, why = (o.plan_id, "") if o.plan_id else _existing(ws, doc_number, title)
    if plan_id is None:
        plan_id = _answer(p, "方案编号", "--id", None, None, why)
    if not PLAN_ID.fullmatch(plan_id) or len(plan_id) > 60:
        raise BadAnswer("--id", f"方案编号“{plan_id}”只能由小写字母、数字和连字符组成（如 quantai-2023-46）")
    if o.issue_date is not None:
        try:
            issue_date = parse_date(o.issue_date)
        except ValueError as exc:
            raise BadAnswer("--issue-date", str(exc)) from None
    elif doc.issue_date is not None:
        issue_date = doc.issue_date
    elif not p.interactive:
        raise MissingAnswer("--issue-date", "印发日期", f"{source} 中找不到成文日期（文末落款的日期）")
    else:
        issue_date = p.date("印发日期", "--issue-date")
    issuers = [i.strip() for i in o.issuers if i.strip()] or doc.issuers
    if not issuers:
        if not p.interactive:
            raise MissingAnswer("--issuer", "发文机关", f"{source} 中找不到发文机关（落款日期上方的机关名称）；"
                                "可重复 --issuer 给出多个")
        issuers = [i for i in re.split(r"[、，,；;\s]+", p.text("发文机关（多个用“、”分隔）", "--issuer")) if i]
    current = ws.data("plan", plan_id)
    out.existed = current is not None
    folder = ws.kind("plan").folder
    out.plan_file = ws.record("plan", plan_id).file if current else f"{RECORDS}/{folder}/{plan_id}.yaml"
    data = current or {"id": plan_id, "status": "有效"}
    data.update(id=plan_id, doc_number=doc_number, title=title, issuers=issuers, issue_date=issue_date.isoformat())
    if doc.public and "public" not in data and len(doc.public) <= 20:
        data["public"] = doc.public
    data.setdefault("page", f"plan/{plan_id}.md")
    data["clauses"] = [c.record() for c in doc.clauses]
    return data


OFFICE_FIELDS = ("tracking",)  # what the office writes on a clause, not read from the document


def _keep_office_fields(old: list[dict], new: list[dict], mapping: dict[str, str]) -> None:
    """Carry the office's own clause fields over to the re-imported clauses (renumbered ones by the mapping)."""
    by_id = {c["id"]: c for c in new}
    for clause in old:
        target = by_id.get(mapping.get(clause["id"], clause["id"]))
        if target is not None:
            target.update({k: clause[k] for k in OFFICE_FIELDS if k in clause})


def import_plan(ws: Workspace, path: Path, o: Options, p: Prompter, today: dt.date) -> Outcome:
    """Read the document, compare it with the plan on record, then write (or say why not)."""
    doc = read_plan(Path(path))
    out = Outcome(warnings=list(doc.warnings))
    if doc.problems:
        out.problems = doc.problems
        return out
    data = _record(ws, p, doc, o, out)
    out.plan = data
    old = ws.data("plan", data["id"])
    tasks = sorted((t for t in ws.repo.tasks.values() if t.plan == data["id"]), key=lambda t: natural_key(t.id))
    covered = {t.clause for t in tasks}
    planned: list[Planned] = []
    if old is not None:
        out.revision = revision = compare(old["clauses"], data["clauses"])
        mapping = revision.mapping
        new_ids = {c["id"] for c in data["clauses"]}
        gone = {c["id"]: c for c in revision.removed}
        for t in tasks:
            if t.clause in mapping:
                out.retarget.append((t.id, t.clause, mapping[t.clause]))
            elif t.clause not in new_ids:
                c = gone.get(t.clause, {})
                out.problems.append(f"{t.file}: 所属条款: 任务 {t.id} 的条款“{t.clause}”（{c.get('label', '')}{c.get('title', '')}）"
                                    "在新文件中已没有；请先把该任务改到其他条款或删除，再导入")
        if out.problems:
            return out
        if mapping and not o.apply_mapping:
            out.needs_mapping = True
            return out
        covered = {mapping.get(c, c) for c in covered}
        for task_id, before, after in out.retarget:
            record = ws.record("task", task_id)
            task = ws.data("task", task_id)
            task["clause"] = after
            retitle = (f"任务分解表 {_label_chain(old['clauses'], before)}：{task['title']}",
                       f"任务分解表 {_label_chain(data['clauses'], after)}：{task['title']}")
            planned.append(Planned("task", ws.path(record.file), task, retitle=retitle))
        _keep_office_fields(old["clauses"], data["clauses"], mapping)
    header = f"工作方案记录：{data['doc_number']}《{data['title']}》及其条款目录"
    planned.insert(0, Planned("plan", ws.path(out.plan_file), data, header))
    page_file = f"{DOCS}/{data['page']}"
    existing_page = read_page(ws.path(page_file))
    page = page_text(doc, data["title"], office_notes(existing_page) if existing_page else [])
    if p.interactive and not o.yes:
        dry = apply(ws, planned, write=False, pages={page_file: page})
        out.record_problems, out.checked = dry.problems, len(dry.texts)
        if dry.problems:
            return out
        if dry.texts and not p.confirm("\n".join(describe(out)) + "\n写入 " + "、".join(sorted(dry.texts)) + "？",
                                       "--yes", o.yes):
            out.declined = True
            return out
    applied = apply(ws, planned, pages={page_file: page})
    out.record_problems, out.checked = applied.problems, len(applied.texts)
    if not applied.ok:
        return out
    out.written, out.unchanged = applied.written, applied.unchanged
    rows = _draft_rows(data["clauses"], covered)
    target = o.out_breakdown or ws.root / "out" / f"{data['id']}-任务分解表.xlsx"
    out.breakdown = write_draft(ws, Path(target), data, rows, today)
    out.breakdown_rows = len(rows)
    return out


def _clause(c: dict) -> str:
    return f"{c['id']} {c['label']}{c['title']}"


def describe(out: Outcome) -> list[str]:
    """What the import found and would change, in Chinese, for the office to read."""
    data = out.plan
    if data is None:
        return []
    lines = [f"方案 {data['id']}（{out.plan_file}，{'更新' if out.existed else '新建'}）：{data['doc_number']}"
             f"《{data['title']}》，{'、'.join(data['issuers'])}，{data['issue_date']}，共 {len(data['clauses'])} 个条款"]
    revision = out.revision
    if revision is None:
        return lines
    if revision.same:
        lines.append("条款与记录相同。")
    for c in revision.added:
        lines.append(f"  新增条款 {_clause(c)}")
    for c in revision.removed:
        lines.append(f"  删除条款 {_clause(c)}")
    for pair in revision.changed:
        lines.append(f"  修改条款 {_clause(pair.new)}：{'、'.join(pair.changed)}")
    moved = [pair for pair in revision.pairs if pair.renumbered]
    if moved:
        lines.append("条款编号变动（按文字相似度提出的对应关系，请核对）：")
        for pair in moved:
            lines.append(f"  {pair.old['id']} → {pair.new['id']}：{pair.old['label']}{pair.old['title']} → "
                         f"{pair.new['label']}{pair.new['title']}（相似度 {round(pair.score * 100)}%）")
    if out.retarget:
        lines.append("所属条款随之改写的任务（任务编号不变）：")
        lines += [f"  {task}：{before} → {after}" for task, before, after in out.retarget]
    elif moved:
        lines.append("没有任务引用编号变动的条款。")
    return lines
