"""Plain-text tables for the terminal (``duban status``), aligned for CJK text."""

from __future__ import annotations

from duban.engine.snapshot import Snapshot
from duban.engine.state import TaskState
from duban.outputs.escape import terminal as terminal_text
from duban.zh import ESTIMATED, width


def clip(text: str, limit: int) -> str:
    if width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if width(out + ch) > limit - 1:
            return out + "…"
        out += ch
    return out


def pad(text: str, size: int) -> str:
    return text + " " * max(0, size - width(text))


def table(headers: list[str], rows: list[list[str]], limits: list[int] | None = None) -> str:
    limits = limits or [40] * len(headers)
    rows = [[clip(terminal_text(c), limits[i]) for i, c in enumerate(r)] for r in rows]
    sizes = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(pad(h, sizes[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * s for s in sizes))
    lines += ["  ".join(pad(c, sizes[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    return "\n".join(lines)


def _involves(s: TaskState, unit: str | None) -> bool:
    return unit is None or unit in s.task.lead_units or unit in s.task.partner_units


def status(snapshot: Snapshot, unit: str | None = None) -> str:
    """The morning look: overdue tasks, tasks due soon, stale/missed tasks, overdue cases."""
    repo = snapshot.repo
    who = f"（{terminal_text(repo.units[unit].name)}）" if unit else ""
    out = [f"截至 {snapshot.as_of}{who}", ""]
    overdue = [s for s in snapshot.overdue_tasks() if _involves(s, unit)]
    out.append(f"逾期任务 {len(overdue)} 项（逾期最久的在前）")
    if overdue:
        out.append(table(["编号", "任务名称", "牵头单位", "完成时限", "逾期天数"], [
            [s.task.id, s.task.title, snapshot.repo.unit_names(s.task.lead_units), str(s.due), str(s.days_overdue)]
            for s in overdue], [16, 36, 24, 10, 8]))
    days = snapshot.settings.upcoming_days
    soon = [s for s in snapshot.due_within() if _involves(s, unit)]
    out += ["", f"{days} 天内到期 {len(soon)} 项"]
    if soon:
        out.append(table(["编号", "任务名称", "牵头单位", "完成时限", "剩余天数"], [
            [s.task.id, s.task.title, snapshot.repo.unit_names(s.task.lead_units), str(s.due), str((s.due - snapshot.as_of).days)]
            for s in soon], [16, 36, 24, 10, 8]))
    lagging = [s for s in snapshot.lagging_tasks() if _involves(s, unit)]
    out += ["", f"滞报、缺报 {len(lagging)} 项"]
    if lagging:
        out.append(table(["编号", "状态", "说明"], [[s.task.id, s.label, s.reason] for s in lagging], [16, 6, 70]))
    parts = []
    for kind in repo.case_kinds():
        n = len(snapshot.overdue_cases(kind.name, unit))
        if n:
            parts.append(f"{kind.label} {n} 件")
    out += ["", "逾期台账：" + ("，".join(parts) if parts else "无")]
    if snapshot.estimated:
        out.append(f"注：{ESTIMATED}。")
    return "\n".join(out) + "\n"
