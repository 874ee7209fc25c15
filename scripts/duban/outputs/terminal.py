"""Plain-text tables for the terminal (``duban status``), aligned for CJK text."""

from __future__ import annotations

from duban.engine.ranking import ranked, unit_figures
from duban.engine.snapshot import Snapshot
from duban.outputs.escape import terminal as terminal_text
from duban.zh import ESTIMATED, natural_key, width


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


def status(snapshot: Snapshot, unit: str | None = None) -> str:
    """The morning look: overdue tasks, tasks due soon, stale/missed reports, work awaiting verification, overdue
    cases, and the unit ranking. With ``unit``: only what that unit owes itself (its own part of the tasks it
    leads, its cases, what waits for its verification), then the tasks it partners on."""
    return _unit_status(snapshot, unit) if unit else _area_status(snapshot)


def _area_status(snapshot: Snapshot) -> str:
    repo = snapshot.repo
    names = repo.unit_names
    out = [f"截至 {snapshot.as_of}", ""]
    overdue = [(s, d) for s in snapshot.overdue_tasks() for d in s.duties if d.state == "overdue"]
    overdue.sort(key=lambda x: (-x[1].days_overdue, natural_key(x[0].task.id)))
    out.append(f"逾期任务 {len(snapshot.overdue_tasks())} 项（按未完成单位列出，逾期最久的在前）")
    if overdue:
        out.append(table(["编号", "任务名称", "未完成单位", "完成时限", "逾期天数"], [
            [s.task.id, s.task.title, names([d.unit]), str(s.due), str(d.days_overdue)] for s, d in overdue],
            [16, 36, 24, 10, 8]))
    out += _due_soon(snapshot, snapshot.due_within())
    lagging = snapshot.lagging_duties()
    out += ["", f"滞报、缺报 {len(snapshot.lagging_tasks())} 项（{len(lagging)} 个单位次）"]
    if lagging:
        out.append(table(["编号", "状态", "单位", "说明"], [[s.task.id, d.label, names([d.unit]), d.reason] for s, d in lagging],
                         [16, 6, 14, 60]))
    out += _awaiting(snapshot, None)
    parts = [f"{kind.label} {n} 件" for kind in repo.case_kinds() if (n := len(snapshot.overdue_cases(kind.name)))]
    out += ["", "逾期台账：" + ("，".join(parts) if parts else "无")]
    groups = ranked(snapshot)
    if groups:
        out += ["", "各单位排名（只计本单位自己欠下的事项）"]
        for group, units in groups:
            out.append(f"【{group}】")
            out.append(table(["排名", "单位", "得分", "等级", "扣分情况"], [
                [str(f.rank), f.name, f"{f.score:g}", f.level, "；".join(p.text() for p in f.parts) or "—"] for f in units],
                [4, 16, 6, 4, 70]))
    if snapshot.estimated:
        out.append(f"注：{ESTIMATED}。")
    return "\n".join(out) + "\n"


def _due_soon(snapshot: Snapshot, soon) -> list[str]:
    days = snapshot.settings.upcoming_days
    out = ["", f"{days} 天内到期 {len(soon)} 项"]
    if soon:
        out.append(table(["编号", "任务名称", "牵头单位", "完成时限", "剩余天数"], [
            [s.task.id, s.task.title, snapshot.repo.unit_names(d.unit for d in s.duties if not d.done), str(s.due),
             str((s.due - snapshot.as_of).days)] for s in soon], [16, 36, 24, 10, 8]))
    return out


def _awaiting(snapshot: Snapshot, office: str | None) -> list[str]:
    tasks, cases = snapshot.awaiting_tasks(office), snapshot.awaiting_cases(office)
    if not tasks and not cases:
        return [] if office else ["", "待核销 0 项"]
    names = snapshot.repo.unit_names
    rows = [[s.task.id, s.task.title, names([s.verification.office]) if s.verification.office else "—",
             str(s.verification.since), str(s.verification.days_overdue)] for s in tasks]
    rows += [[c.case.id, snapshot.repo.registry.kinds[c.case.kind].label, names([c.verification.office])
              if c.verification.office else "—", str(c.verification.since), str(c.verification.days_overdue)] for c in cases]
    title = "等待本单位核销" if office else "待核销"
    return ["", f"{title} {len(rows)} 项（单位已报告完成，督办单位尚未核实）",
            table(["编号", "名称", "核销单位", "报告完成", "超期天数"], rows, [24, 30, 12, 10, 8])]


def _unit_status(snapshot: Snapshot, unit: str) -> str:
    repo = snapshot.repo
    figures = unit_figures(snapshot)[unit]
    out = [f"截至 {snapshot.as_of}（{terminal_text(repo.units[unit].name)}）", ""]
    if figures.ranked:
        out.append(f"得分 {figures.score:g}（{figures.group}第 {figures.rank} 名，{figures.level}）："
                   + ("；".join(p.text() for p in figures.parts) or "无扣分"))
        out.append("")
    own = snapshot.unit_duties(unit)
    overdue = [(s, d) for s, d in own if d.state == "overdue"]
    overdue.sort(key=lambda x: (-x[1].days_overdue, natural_key(x[0].task.id)))
    out.append(f"本单位逾期任务 {len(overdue)} 项（逾期最久的在前）")
    if overdue:
        out.append(table(["编号", "任务名称", "完成时限", "逾期天数"], [
            [s.task.id, s.task.title, str(s.due), str(d.days_overdue)] for s, d in overdue], [16, 40, 10, 8]))
    soon = [s for s in snapshot.due_within() if (d := s.duty(unit)) and not d.done]
    out += _due_soon(snapshot, soon)
    lagging = [(s, d) for s, d in own if d.current_miss is not None]
    out += ["", f"本单位滞报、缺报 {len(lagging)} 项"]
    if lagging:
        out.append(table(["编号", "状态", "说明"], [[s.task.id, d.label, d.reason] for s, d in lagging], [16, 6, 70]))
    reported = [(s, d) for s, d in own if d.state == "reported"]
    if reported:
        out += ["", f"本单位已报告完成、待督办单位核销 {len(reported)} 项（不计入本单位）"]
        out.append(table(["编号", "任务名称", "说明"], [[s.task.id, s.task.title, d.reason] for s, d in reported], [16, 40, 40]))
    out += _awaiting(snapshot, unit)
    parts = [f"{kind.label} {n} 件" for kind in repo.case_kinds() if (n := len(snapshot.overdue_cases(kind.name, unit)))]
    out += ["", "本单位逾期台账：" + ("，".join(parts) if parts else "无")]
    partner = snapshot.tasks_of_unit(unit)[1]
    if partner:
        out += ["", f"配合任务 {len(partner)} 项（由牵头单位负责，不计入本单位）"]
        out.append(table(["编号", "任务名称", "牵头单位", "状态"], [
            [s.task.id, s.task.title, repo.unit_names(s.task.lead_units), s.label] for s in partner], [16, 36, 24, 8]))
    if snapshot.estimated:
        out.append(f"注：{ESTIMATED}。")
    return "\n".join(out) + "\n"
