"""The weekly report (周报): a pure function of the records and an ISO week.

``weekly_report(repo, "2024-W23")`` covers Monday–Sunday of that week, is
computed as of the Sunday, compares with the previous Sunday, and is dated the
following Monday. Writers (Markdown, Word, Excel) render the returned object;
none of them computes state.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from duban.engine import figures
from duban.engine.cases import CaseState
from duban.engine.figures import Tally, unit_order
from duban.engine.ranking import UnitFigures, criticised, praised, ranked
from duban.engine.snapshot import Evaluator, Snapshot
from duban.engine.state import Duty, TaskState
from duban.records.model import ReportNote, Repository
from duban.zh import cn_date, natural_key, percent

TREND_WEEKS = 12
WEEK = re.compile(r"^([0-9]{4})-W([0-9]{2})$")


class WeekError(ValueError):
    pass


def parse_week(text: str) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of an ISO week such as ``2024-W23``."""
    m = WEEK.match(text)
    if not m:
        raise WeekError(f"周次“{text}”格式不对，应为 YYYY-Www，例如 2024-W23")
    try:
        monday = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError as exc:
        raise WeekError(f"{m.group(1)} 年没有第 {int(m.group(2))} 周") from exc
    return monday, monday + dt.timedelta(days=6)


def week_of(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def last_complete_week(today: dt.date) -> str:
    """The most recent ISO week that has ended before ``today``."""
    return week_of(today - dt.timedelta(days=today.weekday() + 1))


def weeks_between(first: dt.date, last: dt.date) -> list[str]:
    """Every ISO week from the one containing ``first`` to the one containing ``last``."""
    out = []
    day = first - dt.timedelta(days=first.weekday())
    while day <= last:
        out.append(week_of(day))
        day += dt.timedelta(days=7)
    return out


def reported_weeks(repo: Repository, as_of: dt.date) -> list[str]:
    """Every ISO week from the first plan's issue to the last one complete by the end of ``as_of``."""
    first = min((p.issue_date for p in repo.plans.values()), default=as_of)
    last = last_complete_week(as_of + dt.timedelta(days=1))  # a week ending on as_of is complete
    return [w for w in weeks_between(first, parse_week(last)[0]) if parse_week(w)[1] <= as_of]


@dataclass(frozen=True)
class Change:
    date: dt.date
    what: str  # 进展 / 销号 / 延期 / 新增逾期 / 台账
    subject: str  # task id or case kind label
    names: str  # the units' names, for reading
    text: str
    units: tuple[str, ...] = ()  # unit ids, for linking


def changes(repo: Repository, snap: Snapshot, prev: Snapshot, start: dt.date, end: dt.date) -> list[Change]:
    """What happened between ``start`` and ``end`` (``snap`` is as of ``end``, ``prev`` as of ``start`` − 1):
    progress reports, approved extensions, closures, units newly overdue or newly behind on a report, work
    newly waiting for verification, and cases received or closed per unit. Each change names only the units
    it is about."""
    out: list[Change] = []
    names = repo.unit_names
    for task in repo.tasks.values():
        if task.id not in snap.tasks:
            continue
        for u in repo.updates_of(task.id):
            if start <= u.date <= end:
                out.append(Change(u.date, "进展", task.id, names([u.unit]), f"{task.title}（{u.state}）{u.text}", (u.unit,)))
        for e in task.extensions:
            if e.approved and start <= e.approved <= end:
                out.append(Change(e.approved, "延期", task.id, names([e.approved_by]),
                                  f"{task.title}：批准延期至 {e.new_due}（{e.reason}）", (e.approved_by,)))
        if task.closure and start <= task.closure.date <= end:
            out.append(Change(task.closure.date, "销号", task.id, names([task.closure.verified_by]),
                              f"{task.title}：{task.closure.note or '核实销号'}", (task.closure.verified_by,)))
    for s in snap.leaves():
        p = prev.tasks.get(s.task.id)
        for d in s.duties:
            before = p.duty(d.unit) if p else None
            if d.state == "overdue" and (before is None or before.state != "overdue"):
                out.append(Change(s.due + dt.timedelta(days=1), "新增逾期", s.task.id, names([d.unit]),
                                  f"{s.task.title}：{d.reason}", (d.unit,)))
            if d.current_miss is not None and start <= d.current_miss.end + dt.timedelta(days=1) <= end + dt.timedelta(days=1) \
                    and (before is None or before.current_miss != d.current_miss):
                what = "新增缺报" if s.task.timing.mode == "周期" else "新增滞报"
                out.append(Change(min(d.current_miss.end + dt.timedelta(days=1), end), what, s.task.id, names([d.unit]),
                                  f"{s.task.title}：{d.reason}", (d.unit,)))
        if s.verification and s.verification.since >= start and not (p and p.verification):
            office = s.verification.office
            out.append(Change(s.verification.since, "待核销", s.task.id, names([office]) if office else "",
                              f"{s.task.title}：{s.reason}", (office,) if office else ()))
    for kind, states in snap.cases.items():
        label = repo.registry.kinds[kind].label
        unit_word = "次" if not (repo.registry.kinds[kind].case.limit or repo.registry.kinds[kind].case.closed) else "件"
        # on their own dates: what each unit received and closed that day
        received = Counter((s.start, s.case.unit) for s in states if start <= s.start <= end)
        closed = Counter((s.closed_on, s.case.unit) for s in states if s.closed_on and start <= s.closed_on <= end)
        for day, unit in sorted(set(received) | set(closed)):
            parts = []
            if received[(day, unit)]:
                parts.append(f"新增{received[(day, unit)]}{unit_word}")
            if closed[(day, unit)]:
                parts.append(f"办结{closed[(day, unit)]}{unit_word}")
            out.append(Change(day, "台账", label, names([unit]), f"{label}" + "，".join(parts), (unit,)))
    order = {"销号": 0, "新增逾期": 1, "新增缺报": 2, "新增滞报": 3, "待核销": 4, "延期": 5, "进展": 6, "台账": 7}
    return sorted(out, key=lambda c: (order[c.what], c.date, natural_key(c.subject), c.names, c.text))


@dataclass(frozen=True)
class KindWeek:
    kind: str
    label: str
    received: int  # received this week
    closed: int  # closed this week
    closed_in_limit: int  # of those, within the limit
    open_total: int
    overdue_total: int
    total: Tally  # cumulative tally as of the week's end
    awaiting_total: int = 0  # done by the unit, waiting for verification
    has_deadline: bool = True  # False for kinds without a clock (e.g. meetings): only counts apply

    def figures(self) -> tuple:
        """(本周新增, 本周办结, 其中按期, 在办, 其中逾期, 累计办结, 按期办结率); None where a kind has no clock."""
        if not self.has_deadline:
            return (self.received, None, None, None, None, None, None)
        return (self.received, self.closed, self.closed_in_limit, self.open_total, self.overdue_total,
                self.total.closed, self.total.on_time_rate)


@dataclass
class WeeklyReport:
    week: str
    start: dt.date
    end: dt.date
    report_date: dt.date
    snapshot: Snapshot
    previous: Snapshot
    title: str
    issuer: str  # the compiling office (settings.yaml reports.office), else the plan's last issuer
    masthead: str = ""
    issue_no: int | None = None  # 第 N 期, counted from the series' first week
    copy_to: tuple[str, ...] = ()
    note: ReportNote | None = None  # the office's words for this week, when it wrote any
    praised: list[UnitFigures] = field(default_factory=list)  # doing well by the declared ranking
    criticised: list[UnitFigures] = field(default_factory=list)  # behind by the declared ranking
    newly_closed: list[TaskState] = field(default_factory=list)
    newly_overdue: list[TaskState] = field(default_factory=list)
    overdue: list[TaskState] = field(default_factory=list)  # leaf tasks, longest overdue first
    overdue_duties: list[tuple[TaskState, Duty]] = field(default_factory=list)  # each unit behind, longest first
    due_soon: list[TaskState] = field(default_factory=list)
    stale: list[tuple[TaskState, Duty]] = field(default_factory=list)  # each unit that did not report (长期坚持)
    missed: list[tuple[TaskState, Duty]] = field(default_factory=list)  # each unit without its record (周期)
    awaiting_tasks: list[TaskState] = field(default_factory=list)  # waiting for the office's verification
    awaiting_cases: list[CaseState] = field(default_factory=list)
    overdue_cases: list[CaseState] = field(default_factory=list)  # by unit, longest overdue first
    # the same cases counted per unit, when there are more than the series lists one by one (settings
    # reports.<series>.list_cases): the body then shows these and the workbook keeps the full list
    overdue_case_units: list[figures.UnitCases] = field(default_factory=list)
    awaiting_case_offices: list[figures.UnitCases] = field(default_factory=list)  # likewise, per verifying office
    list_cases: int = 50  # the series' limit that decided it
    ranking: list[tuple[str, list[UnitFigures]]] = field(default_factory=list)  # (group, units best first)
    kinds: list[KindWeek] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    total: Tally | None = None
    trend: list[tuple[dt.date, int, int, int]] = field(default_factory=list)  # (Sunday, overdue, stale+missed, closed)

    span = "本周"  # how the report names its period in sentences

    @property
    def as_of(self) -> dt.date:
        return self.end

    @property
    def period(self) -> str:
        """The report's issue: an ISO week (2024-W23); a month (2024-06) for the monthly 通报."""
        return self.week

    @property
    def estimated(self) -> bool:
        return self.snapshot.estimated

    def word(self, mode: str) -> str:
        return "缺报" if mode == "周期" else "滞报"

    def headline(self) -> list[tuple[str, str]]:
        t = self.total
        return [
            ("任务总数", str(t.total)),
            ("已销号", str(t.closed)),
            ("待核销任务", str(len(self.awaiting_tasks))),
            ("逾期未完成", str(t.overdue)),
            (f"{self.span}新增逾期", str(len(self.newly_overdue))),
            (f"{self.span}销号", str(len(self.newly_closed))),
            (f"{self.snapshot.settings.upcoming_days}天内到期", str(len(self.due_soon))),
            ("滞报", str(len({s.task.id for s, _ in self.stale}))),
            ("缺报", str(len({s.task.id for s, _ in self.missed}))),
            ("按期完成率", percent(t.on_time_rate)),
        ]

    def summary_lines(self) -> list[str]:
        """A few sentences for the report, the issue body and the group robot (no spaces around numerals)."""
        t = self.total
        names = self.snapshot.repo.unit_names
        lines = [
            f"截至{cn_date(self.end)}，{t.total}项任务中已销号{t.closed}项、待核销{len(self.awaiting_tasks)}项，"
            f"逾期未完成{t.overdue}项（{self.span}新增{len(self.newly_overdue)}项），{self.span}销号{len(self.newly_closed)}项；"
            f"{self.snapshot.settings.upcoming_days}天内到期{len(self.due_soon)}项，"
            f"滞报{len({s.task.id for s, _ in self.stale})}项（{len(self.stale)}个单位次），"
            f"缺报{len({s.task.id for s, _ in self.missed})}项（{len(self.missed)}个单位次）。",
        ]
        for k in self.kinds:
            if not k.has_deadline:
                if k.received:
                    lines.append(f"{k.label}：{self.span}{k.received}次。")
            elif k.received or k.closed or k.overdue_total:
                lines.append(f"{k.label}：{self.span}新增{k.received}件、办结{k.closed}件（按期{k.closed_in_limit}件），"
                             f"在办{k.open_total}件，其中逾期{k.overdue_total}件。")
        if self.overdue_duties:
            worst = "；".join(f"{s.task.id}{s.task.title}（{names([d.unit])}，逾期{d.days_overdue}天）"
                             for s, d in self.overdue_duties[:3])
            lines.append(f"逾期最久：{worst}。")
        return lines


def issue_number(first: str | None, week: str) -> int | None:
    """第 N 期: weeks since the series' first week, counted from 1; None before it (or with no series declared)."""
    if not first:
        return None
    try:
        start, _ = parse_week(first)
    except WeekError:
        return None
    n = (parse_week(week)[0] - start).days // 7 + 1
    return n if n >= 1 else None


def weekly_report(source: Repository | Evaluator, week: str) -> WeeklyReport:
    """The report for an ISO week such as ``2024-W23``; ``source`` is an evaluator (or a repository, evaluated
    with its declared settings)."""
    ev = source if isinstance(source, Evaluator) else Evaluator(source)
    repo = ev.repo
    start, end = parse_week(week)
    snap = ev.at(end)
    prev = ev.at(start - dt.timedelta(days=1))
    plans = sorted(repo.plans.values(), key=lambda p: p.issue_date)
    title = f"《{plans[0].title}》落实情况周报" if len(plans) == 1 else "工作方案落实情况周报"
    series = ev.settings.reports.weekly
    issuer = ev.settings.reports.office or (plans[0].issuers[-1] if plans else "")
    report = WeeklyReport(week, start, end, end + dt.timedelta(days=1), snap, prev, title, issuer,
                          masthead=series.masthead, issue_no=issue_number(series.first, week), copy_to=series.copy_to,
                          note=repo.notes.get(week))
    fill(report, ev, series)
    report.trend = figures.trend(ev, end, TREND_WEEKS)  # the weekly charts' (the monthly 通报 draws none)
    return report


def fill(report: WeeklyReport, ev: Evaluator, series) -> None:
    """Everything a period report holds, from its snapshots (as of the period's end and the day before it began)."""
    repo, snap, prev = ev.repo, report.snapshot, report.previous
    start, end = report.start, report.end
    report.newly_closed = sorted(
        (s for s in snap.leaves() if s.closed and s.closed_on and start <= s.closed_on <= end),
        key=lambda s: (s.closed_on, natural_key(s.task.id)))
    report.newly_overdue = [s for s in snap.overdue_tasks()
                            if not (prev.tasks.get(s.task.id) and prev.tasks[s.task.id].state == "overdue")]
    report.overdue = snap.overdue_tasks()
    report.overdue_duties = sorted(((s, d) for s in report.overdue for d in s.duties if d.state == "overdue"),
                                   key=lambda x: (-x[1].days_overdue, natural_key(x[0].task.id), unit_order(snap, x[1].unit)))
    report.due_soon = snap.due_within()
    lagging = snap.lagging_duties()
    report.stale = [(s, d) for s, d in lagging if s.task.timing.mode == "长期坚持"]
    report.missed = [(s, d) for s, d in lagging if s.task.timing.mode == "周期"]
    report.awaiting_tasks = snap.awaiting_tasks()
    report.awaiting_cases = snap.awaiting_cases()
    report.ranking = ranked(snap)
    report.praised = praised(report.ranking, series.praise_top, series.praise_min)
    report.criticised = criticised(report.ranking, series.criticise_below)
    report.overdue_cases = sorted(snap.overdue_cases(),
                                  key=lambda c: (unit_order(snap, c.case.unit), -c.days_overdue, c.case.id))
    report.list_cases = series.list_cases
    if len(report.overdue_cases) > series.list_cases:
        report.overdue_case_units = figures.overdue_cases_by_unit(snap, report.overdue_cases)
    if len(report.awaiting_cases) > series.list_cases:
        report.awaiting_case_offices = figures.awaiting_cases_by_office(snap, report.awaiting_cases)
    report.total = figures.tasks_total(snap)
    for kind in repo.case_kinds():
        states: list[CaseState] = snap.cases.get(kind.name, [])
        closed_now = [s for s in states if s.closed_on and start <= s.closed_on <= end]
        report.kinds.append(KindWeek(
            kind=kind.name,
            label=kind.label,
            received=sum(1 for s in states if start <= s.start <= end),
            closed=len(closed_now),
            closed_in_limit=sum(1 for s in closed_now if s.state == "closed"),
            open_total=sum(1 for s in states if s.state in ("open", "due_soon", "overdue")),
            overdue_total=sum(1 for s in states if s.state == "overdue"),
            awaiting_total=sum(1 for s in states if s.verification),
            total=figures.cases_total(snap, kind.name),
            has_deadline=bool(kind.case.limit or kind.case.closed),
        ))
    report.changes = changes(repo, snap, prev, start, end)
