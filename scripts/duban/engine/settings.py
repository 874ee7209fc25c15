"""The office's declared states, warning levels, colours and thresholds (``schemas/settings.yaml``).

Read once per command; the engine and every output ask these for a state's
label, its level and the level's colour, so an office can rename or recolour
them without code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from duban.records.kinds import Registry, load_registry


@dataclass(frozen=True)
class Verification:
    """How long the supervising office has to verify (销号) what the units report done. Who verifies is data:
    a plan's ``supervisor``, a unit's ``verifies``."""

    days: int = 5
    unit: str = "工作日"


# The parts a unit's score is made of (the engine counts them; settings weigh them).
COMPONENTS = {
    "overdue_tasks": "逾期任务",
    "overdue_days": "逾期天数",
    "missed_periods": "缺报周期",
    "stale_periods": "滞报周期",
    "overdue_cases": "逾期台账",
    "verification_overdue": "超期未核销",
}


@dataclass(frozen=True)
class Deduction:
    component: str  # a key of COMPONENTS
    points: float  # for every ``every`` items (or days), or for a share of 100%
    per: str = "item"  # item | rate (the share of the unit's own items of that sort)
    cap: int | None = None  # overdue_days: at most this many days per task
    every: int = 1

    def points_for(self, count: float, of: int = 0) -> float:
        """Points off for ``count`` (items, days); with ``per: rate``, for ``count`` out of ``of``."""
        if self.per == "rate":
            return self.points * count / of if of else 0.0
        return self.points * count / self.every

    @property
    def label(self) -> str:
        return COMPONENTS[self.component]


@dataclass(frozen=True)
class Ranking:
    """The declared 通报 score: points off a base, units ranked within groups, levels by score."""

    base: float = 100.0
    window_days: int = 28
    groups: tuple = ()  # (group name, unit kinds)
    deductions: tuple = ()
    levels: tuple = (("绿", 90.0), ("黄", 75.0), ("红", float("-inf")))  # (level, lowest score), best first

    def group_of(self, unit_kind: str) -> str:
        for name, kinds in self.groups:
            if unit_kind in kinds:
                return name
        return unit_kind

    def level_of(self, score: float) -> str:
        for level, lowest in self.levels:
            if score >= lowest:
                return level
        return self.levels[-1][0]


@dataclass(frozen=True)
class Series:
    """A report series: its masthead, the period of its first issue, its 抄送, and (monthly) whom it names."""

    masthead: str = ""
    first: str | None = None  # 2023-W24 or 2023-07: issue 1
    copy_to: tuple[str, ...] = ()
    praise_top: int = 3
    praise_min: float = 95.0
    criticise_below: float = 80.0
    list_cases: int = 50  # overdue cases listed one by one in the body; beyond it, counted per unit


@dataclass(frozen=True)
class Reports:
    office: str = ""  # the compiling office: 区平安办
    weekly: Series = field(default_factory=Series)
    monthly: Series = field(default_factory=Series)
    reminder_days: int = 7


@dataclass(frozen=True)
class Settings:
    due_soon_days: int = 7
    upcoming_days: int = 14
    levels: dict = field(default_factory=lambda: {"红": "#c62828", "黄": "#f9a825", "绿": "#2e7d32", "灰": "#757575"})
    states: dict = field(default_factory=dict)  # state -> {"label", "level"}
    escalate: tuple = ()
    area: str = "全部单位"  # what the total of all units is called: 全区, 全县, 全市
    verification: Verification = field(default_factory=Verification)
    ranking: Ranking = field(default_factory=Ranking)
    reports: Reports = field(default_factory=Reports)

    def severity(self, state: str) -> int:
        """How urgent a state is: its place in settings.yaml's ``states`` (most urgent first)."""
        order = list(self.states)
        return order.index(state) if state in order else len(order)

    def worst(self, states):
        """The most urgent of some states (by ``severity``)."""
        return min(states, key=self.severity)

    def meaning(self, state: str) -> str:
        """What a state means, for the editor's guide."""
        return self.states.get(state, {}).get("meaning", "")

    def label(self, state: str, task: bool = False) -> str:
        entry = self.states.get(state, {})
        return (task and entry.get("task_label")) or entry.get("label", state)

    def level(self, state: str, days_overdue: int = 0) -> str:
        level = self.states.get(state, {}).get("level", "灰")
        for rule in self.escalate:
            if rule.get("state") == state and days_overdue > int(rule.get("days", 0)):
                level = rule["level"]
        return level

    def colour(self, level: str) -> str:
        return self.levels.get(level, "#757575")


def from_registry(registry: Registry) -> Settings:
    """The settings declared in the registry's ``settings.yaml`` (checked when the registry was loaded)."""
    data = registry.settings
    return Settings(
        due_soon_days=int(data.get("due_soon_days", 7)),
        upcoming_days=int(data.get("upcoming_days", 14)),
        levels=dict(data.get("levels") or Settings().levels),
        states=dict(data.get("states") or {}),
        escalate=tuple(data.get("escalate") or ()),
        area=data.get("area") or Settings.area,
        verification=_verification(data.get("verification") or {}),
        ranking=_ranking(data.get("ranking") or {}),
        reports=_reports(data.get("reports") or {}),
    )


def _series(data: dict) -> Series:
    praise, criticise = data.get("praise") or {}, data.get("criticise") or {}
    return Series(masthead=data.get("masthead", ""), first=data.get("first"), copy_to=tuple(data.get("copy_to") or ()),
                  praise_top=int(praise.get("top", 3)), praise_min=float(praise.get("min_score", 95)),
                  criticise_below=float(criticise.get("below", 80)), list_cases=int(data.get("list_cases", 50)))


def _reports(data: dict) -> Reports:
    return Reports(office=data.get("office", ""), weekly=_series(data.get("weekly") or {}),
                   monthly=_series(data.get("monthly") or {}),
                   reminder_days=int((data.get("reminders") or {}).get("days", 7)))


def _verification(data: dict) -> Verification:
    limit = data.get("limit") or {}
    return Verification(days=int(limit.get("days", 5)), unit=limit.get("unit", "工作日"))


def _ranking(data: dict) -> Ranking:
    if not data:
        return Ranking()
    deductions = tuple(Deduction(name, float(d["points"]), d.get("per", "item"), d.get("cap"), int(d.get("every", 1)))
                       for name, d in (data.get("deductions") or {}).items())
    levels = sorted(((lvl, float(low)) for lvl, low in (data.get("levels") or {}).items()), key=lambda x: -x[1])
    return Ranking(
        base=float(data.get("base", 100)),
        window_days=int(data.get("window_days", 28)),
        groups=tuple((g["name"], tuple(g["kinds"])) for g in data.get("groups") or ()),
        deductions=deductions,
        levels=tuple(levels) or Ranking.levels,
    )


def load_settings(schemas_dir: Path | str) -> Settings:
    """The settings of a schemas folder (reads and checks the declarations)."""
    return from_registry(load_registry(schemas_dir))
