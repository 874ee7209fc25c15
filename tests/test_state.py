"""The deadline engine against hand-computed expectations on a small fixture."""

import datetime as dt
import textwrap

from duban.engine.settings import load_settings
from duban.engine.snapshot import evaluate
from duban.engine.workdays import add_days
from duban.periods import Period, owed_periods, period_of
from duban.records.model import open_repository

D = dt.date


def write(repo, rel, text):
    path = repo / "records" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def task(repo, tid, timing, extra=""):
    write(repo, f"tasks/{tid}.yaml", textwrap.dedent(f"""\
        id: {tid}
        plan: testplan
        clause: "2.1"
        title: 任务{tid}
        measures: 措施。
        lead_units: [bb]
        partner_units: [aa]
        deadline_text: 按要求
        timing: {timing}
        """) + textwrap.dedent(extra))


def dispute(repo, cid, received, limit, history):
    entries = "\n".join(f"  - {{date: {d}, status: {s}}}" for d, s in history)
    write(repo, f"cases/disputes/{cid}.yaml",
          f"id: {cid}\nunit: aa\ncategory: 其他\nsource: 其他\nsummary: 测试。\nreceived: {received}\n"
          f"time_limit: {limit}\nparties: 2\nstatus_history:\n{entries}\n")


# ---------------------------------------------------------------- calendar


def test_working_day_limit_across_2023_national_day():
    # 2023-09-29 … 10-06 are holidays; Saturday 10-07 and Sunday 10-08 are 调休 working days
    assert add_days(D(2023, 9, 28), 1, "工作日") == (D(2023, 10, 7), False)
    assert add_days(D(2023, 9, 28), 2, "工作日") == (D(2023, 10, 8), False)
    assert add_days(D(2023, 9, 28), 5, "工作日") == (D(2023, 10, 11), False)


def test_calendar_day_limit_ending_in_the_holiday_moves_to_next_working_day():
    # 15 日 from 09-20 ends on 10-05, a holiday: the limit runs to the 调休 Saturday 10-07
    assert add_days(D(2023, 9, 20), 15, "日") == (D(2023, 10, 7), False)
    assert add_days(D(2023, 9, 1), 15, "日") == (D(2023, 9, 18), False)  # Saturday 09-16 → Monday


def test_year_without_calendar_data_is_estimated():
    due, estimated = add_days(D(2099, 1, 1), 3, "工作日")
    assert (due, estimated) == (D(2099, 1, 6), True)  # Mon–Fri fallback: Jan 2 (Fri), 5, 6


# ---------------------------------------------------------------- periods


def test_half_month_periods_across_february():
    assert period_of("每半月", D(2024, 2, 20)) == Period(D(2024, 2, 16), D(2024, 2, 29))
    assert period_of("每半月", D(2023, 2, 28)) == Period(D(2023, 2, 16), D(2023, 2, 28))
    periods = owed_periods("每半月", D(2024, 1, 16), None, D(2024, 3, 1))
    assert [(p.start, p.end) for p in periods] == [
        (D(2024, 1, 16), D(2024, 1, 31)), (D(2024, 2, 1), D(2024, 2, 15)),
        (D(2024, 2, 16), D(2024, 2, 29)), (D(2024, 3, 1), D(2024, 3, 15)),
    ]


def test_start_mid_period_owes_from_next_full_period():
    assert owed_periods("每周", D(2024, 1, 10), None, D(2024, 1, 21))[0] == Period(D(2024, 1, 15), D(2024, 1, 21))
    assert owed_periods("每月", D(2024, 1, 31), None, D(2024, 3, 1))[0] == Period(D(2024, 2, 1), D(2024, 2, 29))
    assert owed_periods("每季度", D(2024, 4, 1), None, D(2024, 4, 2)) == [Period(D(2024, 4, 1), D(2024, 6, 30))]
    # an end date stops the periods
    assert owed_periods("每月", D(2024, 1, 1), D(2024, 2, 10), D(2024, 12, 31))[-1] == Period(D(2024, 2, 1), D(2024, 2, 29))


# ---------------------------------------------------------------- tasks


def test_due_date_inside_national_day_holiday(repo):
    task(repo, "T-2-1-02", "{mode: 限时, due: 2023-10-03}")
    r = open_repository(repo)
    assert evaluate(r, D(2023, 10, 3)).tasks["T-2-1-02"].state == "due_soon"
    s = evaluate(r, D(2023, 10, 4)).tasks["T-2-1-02"]
    assert (s.state, s.days_overdue, s.level) == ("overdue", 1, "红")
    assert s.reason == "逾期 1 天：完成时限 2023-10-03"


def test_extension_approved_before_due_date(repo):
    task(repo, "T-2-1-02", "{mode: 限时, due: 2024-03-31}", """\
        extensions:
          - {requested: 2024-03-20, reason: 征求意见, new_due: 2024-04-15, approved_by: sup, approved: 2024-03-25}
        """)
    r = open_repository(repo)
    before = evaluate(r, D(2024, 3, 24)).tasks["T-2-1-02"]  # not yet approved: the old date counts
    assert (before.state, before.due) == ("due_soon", D(2024, 3, 31))
    s = evaluate(r, D(2024, 4, 1)).tasks["T-2-1-02"]
    assert (s.state, s.due) == ("on_track", D(2024, 4, 15))
    s = evaluate(r, D(2024, 4, 27)).tasks["T-2-1-02"]
    assert s.state == "overdue" and s.days_overdue == 12
    assert s.reason == "逾期 12 天：完成时限 2024-03-31，已批准延期至 2024-04-15"


def test_a_pending_extension_request_does_not_move_the_due_date(repo):
    task(repo, "T-2-1-02", "{mode: 限时, due: 2024-03-31}", """\
        extensions:
          - {requested: 2024-03-20, reason: 征求意见, new_due: 2024-04-15}
        """)
    r = open_repository(repo)
    s = evaluate(r, D(2024, 4, 2)).tasks["T-2-1-02"]
    assert (s.state, s.due, s.days_overdue) == ("overdue", D(2024, 3, 31), 2)


def test_a_completion_report_waits_for_the_office_and_lateness_counts_to_the_report(repo):
    task(repo, "T-2-1-02", "{mode: 限时, due: 2024-03-31}", """\
        closure: {date: 2024-04-20, verified_by: sup}
        """)
    write(repo, "updates/T-2-1-02/2024-04-03-bb.yaml", "task: T-2-1-02\nunit: bb\ndate: 2024-04-03\nstate: 已完成\ntext: 已完成。\n")
    r = open_repository(repo)
    s = evaluate(r, D(2024, 4, 2)).tasks["T-2-1-02"]
    assert (s.state, s.days_overdue) == ("overdue", 2)
    s = evaluate(r, D(2024, 4, 5)).tasks["T-2-1-02"]  # reported, not verified: the office's, not the unit's
    assert s.state == "awaiting_verification" and s.verification.since == D(2024, 4, 3)
    assert s.duty("bb").state == "reported" and s.duty("bb").late_days == 3
    s = evaluate(r, D(2024, 4, 15)).tasks["T-2-1-02"]  # 5 working days after 04-03: 清明 04-04…06 off, Sunday 04-07 worked
    assert (s.state, s.verification.due, s.verification.days_overdue) == ("verification_overdue", D(2024, 4, 11), 4)
    s = evaluate(r, D(2024, 4, 20)).tasks["T-2-1-02"]
    assert (s.state, s.closed_on, s.late_days) == ("closed_late", D(2024, 4, 20), 3)  # late by 3 days, not 20
    assert s.reason.startswith("逾期 3 天完成")


def test_meeting_cadence_missed_period_and_as_of_ignores_later_records(repo):
    # base fixture: T-2-2-01, town aa, weekly 乡镇 meetings from Monday 2024-01-08
    for day in ("2024-01-10", "2024-01-24"):
        write(repo, f"cases/meetings/HY-aa-{day}.yaml", f"id: HY-aa-{day}\nlevel: 乡镇\nunit: aa\ndate: {day}\nissues_discussed: 3\n")
    write(repo, "cases/meetings/HY-aa-2024-01-16.yaml", "id: HY-aa-2024-01-16\nlevel: 区级\nunit: aa\ndate: 2024-01-16\nissues_discussed: 3\n")
    r = open_repository(repo)
    s = evaluate(r, D(2024, 1, 21)).tasks["T-2-2-01"]  # week 01-15…21 had only a 区级 meeting
    assert s.state == "missed" and [m.period.start for m in s.misses] == [D(2024, 1, 15)]
    assert s.reason.startswith("缺报：2024年第3周（01-15至01-21）甲镇没有排查调处协调会议记录")
    s = evaluate(r, D(2024, 1, 28)).tasks["T-2-2-01"]
    assert s.state == "on_track" and len(s.misses) == 1 and "累计缺报 1 个周期" in s.reason
    s = evaluate(r, D(2024, 1, 14)).tasks["T-2-2-01"]
    assert s.state == "on_track" and s.misses == ()


def test_ongoing_task_goes_stale_without_lead_unit_update(repo):
    task(repo, "T-2-1-02", "{mode: 长期坚持, report_cadence: 每月, start: 2024-01-01}")
    write(repo, "updates/T-2-1-02/2024-01-25-bb.yaml", "task: T-2-1-02\nunit: bb\ndate: 2024-01-25\nstate: 推进中\ntext: 推进。\n")
    write(repo, "updates/T-2-1-02/2024-02-20-aa.yaml", "task: T-2-1-02\nunit: aa\ndate: 2024-02-20\nstate: 推进中\ntext: 配合。\n")
    write(repo, "updates/T-2-1-02/2024-03-02-bb.yaml", "task: T-2-1-02\nunit: bb\ndate: 2024-03-02\nperiod: 2024-02-29\nstate: 推进中\ntext: 补报。\n")
    r = open_repository(repo)
    assert evaluate(r, D(2024, 1, 31)).tasks["T-2-1-02"].state == "on_track"
    s = evaluate(r, D(2024, 3, 1)).tasks["T-2-1-02"]  # February: only the partner reported
    assert (s.state, s.level) == ("stale", "黄") and s.reason == "滞报：2024年2月乙局未报送进展"
    assert evaluate(r, D(2024, 3, 2)).tasks["T-2-1-02"].state == "on_track"  # a late report credited to February


def test_subtask_progress_rolls_up(repo):
    task(repo, "T-2-1-02", "{mode: 限时, due: 2024-06-30}")
    task(repo, "T-2-1-02-a", "{mode: 限时, due: 2024-03-31}", "parent: T-2-1-02\nclosure: {date: 2024-03-01, verified_by: sup}\n")
    task(repo, "T-2-1-02-b", "{mode: 限时, due: 2024-04-30}", "parent: T-2-1-02\n")
    r = open_repository(repo)
    assert evaluate(r, D(2024, 2, 1)).tasks["T-2-1-02"].progress == (0, 2)
    assert evaluate(r, D(2024, 3, 1)).tasks["T-2-1-02"].progress == (1, 2)


# ---------------------------------------------------------------- cases


def test_dispute_states_over_time(repo):
    # received Thursday 2023-09-28 with 5 工作日: due 2023-10-11
    dispute(repo, "MD-aa-2023-0001", "2023-09-28", "{days: 5, unit: 工作日}",
            [("2023-09-28", "受理"), ("2023-10-09", "调解中"), ("2023-10-13", "化解")])
    r = open_repository(repo)
    assert evaluate(r, D(2023, 9, 27)).cases["dispute"] == [] or all(
        s.case.id != "MD-aa-2023-0001" for s in evaluate(r, D(2023, 9, 27)).cases["dispute"])
    states = {d: next(s for s in evaluate(r, d).cases["dispute"] if s.case.id == "MD-aa-2023-0001")
              for d in (D(2023, 10, 5), D(2023, 10, 11), D(2023, 10, 12), D(2023, 10, 20))}
    assert states[D(2023, 10, 5)].state == "due_soon" and states[D(2023, 10, 5)].due == D(2023, 10, 11)
    assert states[D(2023, 10, 11)].state == "due_soon"
    assert (states[D(2023, 10, 12)].state, states[D(2023, 10, 12)].days_overdue) == ("overdue", 1)
    late = states[D(2023, 10, 20)]
    assert (late.state, late.closed_on, late.days_to_close) == ("closed_late", D(2023, 10, 13), 15)


def test_estimated_limit_is_marked(repo):
    dispute(repo, "MD-aa-2099-0001", "2099-01-01", "{days: 3, unit: 工作日}", [("2099-01-01", "受理")])
    r = open_repository(repo)
    s = next(s for s in evaluate(r, D(2099, 1, 2)).cases["dispute"] if s.case.id == "MD-aa-2099-0001")
    assert s.estimated and "估算" in s.reason and s.due == D(2099, 1, 6)


def test_colours_are_configuration(repo):
    settings_file = repo / "schemas" / "settings.yaml"
    text = settings_file.read_text(encoding="utf-8").replace("escalate: []", "escalate:\n  - {state: overdue, days: 30, level: 紫}")
    settings_file.write_text(text.replace("  红: \"#c62828\"", "  紫: \"#6a1b9a\"\n  红: \"#c62828\""), encoding="utf-8")
    task(repo, "T-2-1-02", "{mode: 限时, due: 2024-03-31}")
    r = open_repository(repo)
    settings = load_settings(repo / "schemas")
    assert evaluate(r, D(2024, 4, 30), settings).tasks["T-2-1-02"].level == "红"  # 30 days
    assert evaluate(r, D(2024, 5, 1), settings).tasks["T-2-1-02"].level == "紫"  # 31 days
