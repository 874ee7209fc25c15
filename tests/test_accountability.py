"""A figure that names a unit counts only what that unit owes.

Small fixtures where one lead unit is behind and another is not: every place that names a
unit (its page, the unit index, the ranking, `duban status`, the JSON) must charge only the
unit that is behind, with its own running count. Work waiting for the office counts against
the office. A parent and its sub-tasks are one piece of work per sub-task.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap

import pytest
from conftest import make_repo
from duban.engine import figures
from duban.engine.ranking import unit_figures
from duban.engine.snapshot import evaluate
from duban.engine.weekly import weekly_report
from duban.outputs.report_md import render
from duban.outputs.site.pages import generate
from duban.outputs.status_json import status_json
from duban.outputs.terminal import status
from duban.records.model import open_repository

D = dt.date


def write(repo, rel, text):
    path = repo / "records" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def meeting(repo, unit, day):
    write(repo, f"cases/meetings/HY-{unit}-{day}.yaml",
          f"id: HY-{unit}-{day}\nlevel: 乡镇\nunit: {unit}\ndate: {day}\nissues_discussed: 2\n")


@pytest.fixture
def two_towns(tmp_path):
    """T-2-2-01: weekly town meetings of 甲镇 (aa) and 丙镇 (cc) from 2024-01-08; 丙镇 misses the week of 01-22."""
    repo = make_repo(tmp_path / "repo")
    write(repo, "units/cc.yaml", "id: cc\nname: 丙镇\nkind: 乡镇\n")
    task = repo / "records" / "tasks" / "T-2-2-01.yaml"
    task.write_text(task.read_text(encoding="utf-8").replace("lead_units: [aa]", "lead_units: [aa, cc]"), encoding="utf-8")
    for day in ("2024-01-10", "2024-01-17", "2024-01-24"):
        meeting(repo, "aa", day)
    for day in ("2024-01-10", "2024-01-17"):
        meeting(repo, "cc", day)
    return repo


AS_OF = D(2024, 1, 28)  # the week 01-22…28 has just closed


def test_only_the_unit_that_missed_is_charged(two_towns, tmp_path):
    snap = evaluate(open_repository(two_towns), AS_OF)
    s = snap.tasks["T-2-2-01"]
    assert s.state == "missed" and [d.unit for d in s.behind] == ["cc"]
    assert s.duty("aa").state == "on_track" and s.duty("aa").misses == ()
    assert s.duty("cc").state == "missed" and len(s.duty("cc").misses) == 1
    assert "丙镇没有排查调处协调会议记录" in s.reason and "甲镇" not in s.reason

    units = unit_figures(snap)
    assert (units["aa"].missed_periods, units["aa"].score, units["aa"].parts) == (0, 100, [])
    assert units["cc"].missed_periods == 1 and units["cc"].score < 100
    assert units["aa"].rank < units["cc"].rank  # both 乡镇: ranked in one group

    pages = generate(snap, tmp_path)
    aa, cc = pages["units/aa.md"], pages["units/cc.md"]
    own_aa = aa.split("## 本单位待办", 1)[1].split("##", 1)[0]
    assert "本单位没有逾期、临期、缺报或滞报的任务" in own_aa and "T-2-2-01" not in own_aa
    assert "T-2-2-01" in cc.split("## 本单位待办", 1)[1].split("##", 1)[0]
    lead_aa = aa.split("## 牵头任务", 1)[1].split("## 配合任务", 1)[0]
    assert "正常推进" in lead_aa and "缺报" not in lead_aa.replace("累计缺报", "")
    index = {line.split("](")[1].split(".md")[0]: line for line in pages["units/index.md"].splitlines() if line.startswith("| [")}
    assert "无扣分" in index["aa"] and "缺报周期 1 扣 2 分" in index["cc"]

    text = status(snap, "aa")
    assert "本单位滞报、缺报 0 项" in text and "得分 100" in text
    assert "本单位滞报、缺报 1 项" in status(snap, "cc")
    area = status(snap)
    assert "T-2-2-01  缺报  丙镇" in area and "T-2-2-01  缺报  甲镇" not in area

    data = json.loads(status_json(snap))
    task = next(t for t in data["tasks"] if t["id"] == "T-2-2-01")
    by_unit = {u["unit"]: u for u in task["units"]}
    assert by_unit["aa"]["state"] == "on_track" and by_unit["aa"]["missed_periods"] == []
    assert by_unit["cc"]["state"] == "missed" and [p["start"] for p in by_unit["cc"]["missed_periods"]] == ["2024-01-22"]
    units_json = {u["id"]: u for u in data["units"]}
    assert units_json["aa"]["score"] == 100 and units_json["cc"]["missed_periods_in_window"] == 1


def test_the_running_count_is_the_units_own(two_towns):
    # 丙镇 misses two more weeks, 甲镇 one: each count is the unit's own, not the task's sum
    for day in ("2024-02-07", "2024-02-14"):
        meeting(two_towns, "aa", day)
    r = open_repository(two_towns)
    s = evaluate(r, D(2024, 2, 18)).tasks["T-2-2-01"]  # weeks 01-29, 02-05 and 02-12: aa missed 01-29 only
    assert s.duty("aa").misses and len(s.duty("aa").misses) == 1
    assert len(s.duty("cc").misses) == 4
    assert s.reason.endswith("丙镇累计缺报 4 个周期"), s.reason
    report = render(weekly_report(r, "2024-W07"))
    row = next(line for line in report.splitlines() if line.startswith("| T-2-2-01 | 丙镇"))
    assert "4 个周期" in row
    assert not any(line.startswith("| T-2-2-01 | 甲镇") for line in report.split("### （二）缺报", 1)[1].splitlines())


def test_a_partner_report_does_not_fulfil_the_lead_units_duty(repo):
    # T-2-1-01 is led by 乙局 (bb), 甲镇 (aa) partners: an ongoing monthly task where only the partner reports
    path = repo / "records" / "tasks" / "T-2-1-01.yaml"
    text = path.read_text(encoding="utf-8").replace("timing:\n  mode: 限时\n  due: 2024-03-31\n",
                                                   "timing:\n  mode: 长期坚持\n  report_cadence: 每月\n  start: 2024-01-01\n")
    path.write_text(text.replace("lead_units: [bb]", "lead_units: [bb, sup]"), encoding="utf-8")
    write(repo, "updates/T-2-1-01/2024-01-20-aa.yaml", "task: T-2-1-01\nunit: aa\ndate: 2024-01-20\nstate: 推进中\ntext: 配合。\n")
    write(repo, "updates/T-2-1-01/2024-01-25-sup.yaml", "task: T-2-1-01\nunit: sup\ndate: 2024-01-25\nstate: 推进中\ntext: 推进。\n")
    snap = evaluate(open_repository(repo), D(2024, 2, 1))
    s = snap.tasks["T-2-1-01"]
    assert s.state == "stale" and [d.unit for d in s.behind] == ["bb"]
    assert s.duty("sup").state == "on_track"
    units = unit_figures(snap)
    assert units["bb"].stale_periods == 1 and units["sup"].stale_periods == 0
    assert units["aa"].stale_periods == 0  # a partner is never charged
    assert all(st.task.id != "T-2-1-01" for st, _ in units["aa"].lagging)


def test_awaiting_verification_counts_against_the_office_not_the_unit(repo):
    # the task: 乙局 reports complete before the due date; the office (sup, the plan's supervisor) does not verify
    write(repo, "updates/T-2-1-01/2024-03-20-bb.yaml", "task: T-2-1-01\nunit: bb\ndate: 2024-03-20\nstate: 已完成\ntext: 办法已印发。\n")
    # a hazard of 甲镇, rectified before its deadline, never verified; sup verifies hazards
    write(repo, "units/sup.yaml", "id: sup\nname: 督查室\nkind: 区直单位\nverifies: [hazard]\n")
    write(repo, "cases/hazards/YH-aa-2024-0001.yaml", """\
        id: YH-aa-2024-0001
        unit: aa
        category: 消防
        level: 一般
        site: 某村仓库
        description: 消防通道堵塞。
        found: 2024-02-01
        deadline: 2024-02-20
        rectified: 2024-02-10
        """)
    r = open_repository(repo)
    snap = evaluate(r, D(2024, 6, 1))
    s = snap.tasks["T-2-1-01"]
    assert s.state == "verification_overdue" and s.verification.office == "sup" and s.days_overdue > 0
    assert s.duty("bb").state == "reported" and s.duty("bb").late_days == 0
    hazard = next(c for c in snap.cases["hazard"] if c.case.id == "YH-aa-2024-0001")
    assert hazard.state == "verification_overdue" and hazard.verification.office == "sup"
    units = unit_figures(snap)
    assert units["bb"].overdue == [] and units["bb"].score == 100  # the unit did its part
    assert units["aa"].overdue_cases == [] and all(p.component != "overdue_cases" for p in units["aa"].parts)
    assert units["sup"].verification_overdue == 2 and units["sup"].score < 100
    assert [x.task.id for x in snap.overdue_tasks()] == []
    # verified: closed, on time (late only by the days up to the unit's report)
    text = (repo / "records/tasks/T-2-1-01.yaml").read_text(encoding="utf-8")
    (repo / "records/tasks/T-2-1-01.yaml").write_text(text + "closure: {date: 2024-06-03, verified_by: sup}\n", encoding="utf-8")
    s = evaluate(open_repository(repo), D(2024, 6, 5)).tasks["T-2-1-01"]
    assert (s.state, s.late_days) == ("closed", 0)


def test_a_parent_with_two_children_is_two_tasks(repo):
    for tid, due in (("T-2-1-02", "2024-02-29"), ("T-2-1-02-a", "2024-01-31"), ("T-2-1-02-b", "2024-02-15")):
        parent = "" if tid == "T-2-1-02" else "parent: T-2-1-02\n"
        write(repo, f"tasks/{tid}.yaml", f"id: {tid}\nplan: testplan\nclause: \"2.1\"\n{parent}title: 任务{tid}\n"
                                         f"measures: 措施。\nlead_units: [bb]\ndeadline_text: 按期\n"
                                         f"timing: {{mode: 限时, due: {due}}}\n")
    text = (repo / "records/tasks/T-2-1-02-a.yaml").read_text(encoding="utf-8")
    (repo / "records/tasks/T-2-1-02-a.yaml").write_text(text + "closure: {date: 2024-01-30, verified_by: sup}\n", encoding="utf-8")
    snap = evaluate(open_repository(repo), D(2024, 3, 1))
    # the base fixture's T-2-1-01 and T-2-2-01, and the two sub-tasks: the parent is not counted
    assert figures.tasks_total(snap).total == 4
    parent = snap.tasks["T-2-1-02"]
    assert parent.progress == (1, 2) and parent.state == "overdue" and "子任务已销号 1/2" in parent.reason
    assert [s.task.id for s in snap.overdue_tasks()] == ["T-2-1-02-b"]  # the delay once, not twice
    assert unit_figures(snap)["bb"].tasks.total == 3


def test_a_declared_holiday_moves_a_working_day_limit(repo, tmp_path):
    """chinesecalendar knows no year after 2026: the office declares 2027's Spring Festival itself."""
    write(repo, "cases/disputes/MD-aa-2027-0001.yaml", """\
        id: MD-aa-2027-0001
        unit: aa
        category: 邻里纠纷
        source: 网格排查
        summary: 两户因排水发生纠纷。
        received: 2027-02-03
        time_limit: {days: 5, unit: 工作日}
        parties: 2
        status_history:
          - {date: 2027-02-03, status: 受理}
        """)
    r = open_repository(repo)
    before = next(c for c in evaluate(r, D(2027, 2, 4)).cases["dispute"] if c.case.id == "MD-aa-2027-0001")
    assert before.due == D(2027, 2, 10) and before.estimated  # Monday–Friday assumed, flagged 估算
    write(repo, "holidays/2027.yaml", """\
        id: "2027"
        source: 本办按国务院办公厅通知录入的 2027 年放假安排（测试数据）
        holidays:
          - {name: 春节, start: 2027-02-06, end: 2027-02-13}
        workdays: [2027-02-14]
        """)
    r = open_repository(repo)
    snap = evaluate(r, D(2027, 2, 4))
    after = next(c for c in snap.cases["dispute"] if c.case.id == "MD-aa-2027-0001")
    # 02-04, 02-05 (Thu, Fri), then the week off, then Sunday 02-14 worked and Monday 02-15, 16
    assert after.due == D(2027, 2, 16) and not after.estimated
    assert "records/holidays/2027.yaml" in after.reason
    page = generate(snap, tmp_path)["registers/dispute/aa-2027.table.html"]  # the volume's table
    assert "节假日按 records/holidays/2027.yaml" in page


def test_a_holiday_declaration_is_checked(repo):
    from duban.records.validate import check_repository

    write(repo, "holidays/2027.yaml", """\
        id: "2027"
        source: 测试
        holidays:
          - {name: 春节, start: 2027-02-06, end: 2027-02-13}
          - {name: 元宵, start: 2027-02-12, end: 2027-02-12}
        workdays: [2027-02-10, 2027-02-17, 2028-01-02]
        """)
    messages = [f"{p.field}: {p.message}" for p in check_repository(repo).report.problems]
    assert "holidays[1].start: 与“春节”的放假日期重叠（2027-02-12）" in messages
    assert "workdays[0]: 2027-02-10 在“春节”放假期间，不能同时是调休上班日" in messages
    assert "workdays[1]: 2027-02-17 是周三，本来就上班；调休上班日应为周六或周日" in messages
    assert "workdays[2]: 日期 2028-01-02 不在 2027 年内" in messages


def _unit_view(snap) -> dict:
    """Everything a unit is charged with, per unit."""
    out = {}
    for uid, f in unit_figures(snap).items():
        out[uid] = (f.score, [(p.component, p.count) for p in f.parts], f.missed_periods, f.missed_total, f.stale_total,
                    sorted(s.task.id for s, _ in f.overdue), sorted(s.task.id for s, _ in f.lagging), f.tasks.total)
    return out


def test_removing_one_towns_meetings_changes_only_that_towns_figures(tmp_path):
    """A differential test on the shipped data: 东园镇 loses its meetings of two weeks; nobody else's figures move."""
    import shutil

    from conftest import ROOT

    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "schemas", repo / "schemas")
    shutil.copytree(ROOT / "records", repo / "records")
    as_of = D(2024, 6, 9)
    before = _unit_view(evaluate(open_repository(repo), as_of))
    removed = [p for p in (repo / "records/cases/meetings").glob("HY-dongyuan-2024-05-*.yaml")
               if D(2024, 5, 20) <= D.fromisoformat(p.stem[len("HY-dongyuan-"):][:10]) <= D(2024, 6, 2)]
    assert removed
    for path in removed:
        path.unlink()
    after = _unit_view(evaluate(open_repository(repo), as_of))
    changed = {uid for uid in before if before[uid] != after[uid]}
    assert changed == {"dongyuan"}
    assert after["dongyuan"][3] == before["dongyuan"][3] + 2  # its own running count grew by the two weeks
    assert after["dongyuan"][2] == before["dongyuan"][2] + 2  # both within the ranking window


def test_a_clauses_tracking_note_is_on_its_task_list_its_tasks_and_the_guide():
    from conftest import ROOT

    snap = evaluate(open_repository(ROOT), D(2024, 6, 30))
    pages = generate(snap, ROOT / "docs")  # reads the hand-written pages, writes nothing
    plan = pages["plan/quantai-2023-46.md"]
    section = plan[plan.index("{#clause-2-7}"):plan.index("{#clause-2-8}")]
    assert '!!! note "跟踪说明"' in section and "一人一策" in section
    assert section.index("跟踪说明") < section.index("落实任务")  # before the clause's task list
    assert "| 跟踪说明 |" in pages["tasks/T-2-7-02.md"] and "| 跟踪说明 |" not in pages["tasks/T-2-6-03.md"]
    guide = pages["guide/index.md"]
    assert "## 条款的跟踪说明" in guide and "(../plan/quantai-2023-46.md#clause-2-7)" in guide
