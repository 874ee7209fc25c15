"""The shipped demonstration data as a clerk reads it: each update speaks of its task's
subject, no text uses control wording about people, town meetings are attended by the
town's own bodies, a case's place fits what happened there, cases reach the office on
working days, and extensions look like ones an office grants."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from duban.engine.workdays import Calendar
from duban.periods import period_of
from duban.records.model import open_repository

ROOT = Path(__file__).resolve().parent.parent
DEMO_END = date(2026, 11, 25)  # the shipped set's --end (DEVELOPERS.md)

# Tasks with a distinctive subject: (a word its title holds, words every update of it uses
# one of, words none of its updates may use). The words of the other subjects are
# forbidden too: a wage-arrears report that talks of 舆情 or 寄递 is the wrong text.
SUBJECTS = {
    "T-2-4-05": ("劳资", ("欠薪", "农民工", "劳动报酬", "工资"), ("信访", "法治宣传")),
    "T-2-3-07": ("舆情", ("舆情",), ()),
    "T-2-6-03": ("寄递", ("寄递", "快递", "收寄"), ()),
    "T-2-4-03": ("涉校", ("校园", "学校", "涉校", "学生"), ()),
    "T-2-6-08": ("森林", ("森林防火", "林区", "野外用火", "扑火"), ()),
    "T-2-3-05": ("初信初访", ("初信初访",), ()),
    "T-2-9-03": ("网格", ("网格",), ()),
    "T-2-4-06": ("医患", ("医患", "医疗纠纷", "医疗机构", "医疗责任"), ()),
    "T-2-6-05": ("燃气", ("燃气",), ()),
    "T-2-6-04": ("消防", ("消防",), ()),
    "T-2-4-04": ("退役军人", ("退役军人",), ()),
}

PERSONS = "人员|对象|重点人|人群|群众|当事人"


@pytest.fixture(scope="module")
def shipped():
    return open_repository(ROOT)


def _updates_by_task(shipped):
    out = defaultdict(list)
    for u in shipped.updates:
        out[u.task].append(u)
    return out


def test_updates_speak_of_their_tasks_subject(shipped):
    updates = _updates_by_task(shipped)
    for tid, (title_word, own, never) in SUBJECTS.items():
        task = shipped.tasks[tid]
        assert title_word in task.title, (tid, task.title)  # the sample still names that subject
        others = {w for other, (_, words, _) in SUBJECTS.items() if other != tid for w in words}
        forbidden = (others - set(own)) | set(never)
        assert updates[tid], tid
        for u in updates[tid]:
            assert any(w in u.text for w in own), f"{u.file}: {u.text}"
            wrong = [w for w in forbidden if w in u.text and not any(w in o for o in own if o in u.text)]
            assert not wrong, f"{u.file}: {wrong} in {u.text}"


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_no_control_wording_about_people(shipped):
    texts = [(u.file, u.text) for u in shipped.updates]
    texts += [(c.id, s) for cases in shipped.cases.values() for c in cases for s in _strings(c.data)]
    for t in shipped.tasks.values():  # the breakdown's own wording (the plan's text is quoted elsewhere)
        if t.synthetic:
            texts += [(t.id, s) for s in (t.title, t.measures, *(e.reason for e in t.extensions))]
    assert len(texts) > 2000
    for where, text in texts:
        assert "稳控" not in text, (where, text)
        assert not re.search(rf"管控(的)?({PERSONS})|({PERSONS})[^，。；]{{0,4}}管控", text), (where, text)
        assert "一人一策" not in text and "脱管" not in text, (where, text)


def test_every_task_and_lead_unit_has_plausible_updates(shipped):
    """No task or lead unit goes without reports for the whole history because it was added
    later: every lead unit of a reporting task has reported in most of its periods; every
    lead unit of a closed 限时 task reported its part complete before the closure."""
    updates = _updates_by_task(shipped)
    for task in shipped.tasks.values():
        timing = task.timing
        if timing.evidence_kind:  # meetings stand in for the reports
            continue
        own = defaultdict(list)
        for u in updates[task.id]:
            own[u.unit].append(u)
        if timing.mode in ("长期坚持", "周期"):
            first = period_of(timing.cadence, timing.start)
            last = period_of(timing.cadence, DEMO_END)
            periods = 0
            day = first.start
            while day < last.start:
                periods += 1
                day = period_of(timing.cadence, day).end + timedelta(days=1)
            for unit in task.lead_units:
                reported = {period_of(timing.cadence, u.date).start for u in own[unit]}
                assert len(reported) >= 0.6 * periods, (task.id, unit, len(reported), periods)
        elif task.closure and task.closure.date <= DEMO_END:
            for unit in task.lead_units:
                done = [u.date for u in own[unit] if u.state == "已完成"]
                assert done and min(done) <= task.closure.date, (task.id, unit)
    reporting = [t for t in shipped.tasks.values() if not t.timing.evidence_kind]
    silent = [t.id for t in reporting if not updates[t.id]]
    assert len(silent) <= 0.1 * len(reporting), silent  # a few open tasks nobody reported on
    assert updates["T-2-3-07"] and {u.unit for u in updates["T-3-1-02"]} >= set(shipped.tasks["T-3-1-02"].lead_units)


def test_town_meetings_are_attended_by_the_towns_own_bodies(shipped):
    towns = {u.id for u in shipped.units.values() if u.kind == "乡镇"}
    district_names = {u.short_name for u in shipped.units.values() if u.kind != "乡镇"}
    district_names |= {u.name for u in shipped.units.values() if u.kind != "乡镇"}
    town_meetings = [c for c in shipped.cases["meeting"] if c.data["level"] == "乡镇"]
    assert len(town_meetings) > 100 and {c.unit for c in town_meetings} == towns
    for c in town_meetings:
        summary = c.data["summary"]
        assert not c.data.get("attending_units"), c.id  # units of the register are district units
        assert all(body in summary for body in ("综治中心", "派出所", "司法所", "村（社区）")), (c.id, summary)
        assert not [n for n in district_names if n in summary], (c.id, summary)
    # the district meeting: 信访、公安、司法、法院 (as the plan says) and the departments its topics concern
    district = [c for c in shipped.cases["meeting"] if c.data["level"] == "区级"]
    assert len(district) > 50
    for c in district:
        attending = set(c.data.get("attending_units", ()))
        assert attending >= {"xfj", "gaj", "sfj", "fy"} and attending.isdisjoint(towns), c.id
        for topic, unit in (("劳资", "rsj"), ("征地拆迁", "zrj"), ("物业", "zjj"), ("土地山林", "zrj")):
            if topic in c.data["summary"]:
                assert unit in attending, (c.id, topic, sorted(attending))
        assert attending <= {"xfj", "gaj", "sfj", "fy", "rsj", "zrj", "zjj", "nyj", "mzj", "sjj"}, c.id


# Words of a summary or description -> the places (after the town and 某) it can happen in.
DISPUTE_SCENES = [
    ("工地", {"工地"}),
    ("物业", {"小区"}),
    ("业主", {"小区"}),
    ("村民", {"村"}),
    ("村集体", {"村"}),
    ("山林", {"村"}),
    ("承包地", {"村"}),
    ("宅基地", {"村"}),
    ("征收户", {"村"}),
    ("企业", {"工业区", "村"}),
    ("卫生院", {"卫生院"}),
    ("", {"村", "社区", "小区", "工业区", "工地", "卫生院"}),
]
HAZARD_SCENES = [
    ("餐饮", {"餐饮店"}),
    ("燃气软管", {"餐饮店"}),
    ("游览步道", {"景区"}),
    ("客流", {"景区"}),
    ("林区", {"山林片区", "林地"}),
    ("隔离带", {"山林片区", "林地"}),
    ("香炉", {"宫庙"}),
    ("校门口", {"小学", "幼儿园", "中学"}),
    ("路口", {"路口"}),
    ("路段", {"村道急弯路段", "国道路段"}),
    ("工地", {"建筑工地"}),
    ("市场", {"农贸市场"}),
    ("一键报警", {"卫生院", "社区卫生服务站"}),
    ("医用氧气", {"卫生院"}),
    ("收寄", {"物流网点", "快递驿站"}),
    ("分拣", {"物流网点"}),
    ("经营性自建房", {"经营性自建房"}),
    ("危险化学品", {"化工企业仓库"}),
    ("烟花爆竹", {"烟花爆竹经营点"}),
    ("充电点", {"电动自行车集中停放点"}),
]


def _town(unit) -> str:
    return unit.short_name if unit.short_name.endswith(("镇", "乡")) else unit.name.removesuffix("人民政府")


def _scene(place: str, town: str) -> str:
    assert place.startswith(town + "某"), (place, town)
    return place[len(town) + 1:]


def test_a_cases_place_fits_what_happened_there(shipped):
    units = shipped.units
    disputes = shipped.cases["dispute"]
    assert len(disputes) > 100
    for c in disputes:
        scene = _scene(c.data["place"], _town(units[c.unit]))
        for word, scenes in DISPUTE_SCENES:
            if word in c.data["summary"]:
                assert scene in scenes, (c.id, c.data["summary"], c.data["place"])
    checked = 0
    for c in shipped.cases["hazard"]:
        if units[c.unit].kind != "乡镇":
            continue  # a department's hazard lies in one of the towns
        checked += 1
        scene = _scene(c.data["site"], _town(units[c.unit]))
        for word, scenes in HAZARD_SCENES:
            if word in c.data["description"]:
                assert scene in scenes, (c.id, c.data["description"], c.data["site"])
    assert checked > 50


def test_cases_reach_the_office_on_working_days(shipped):
    calendar = Calendar(shipped.holidays)
    for kind, field, share in (("dispute", "received", 0.10), ("hazard", "found", 0.10),
                               ("risk_assessment", "registered", 0.0)):
        days = [date.fromisoformat(str(c.data[field])) for c in shipped.cases[kind]]
        off = [d for d in days if not calendar.is_workday(d)[0]]
        assert len(off) <= share * len(days), (kind, len(off), len(days))
        assert len(days) >= 40, kind


def test_extensions_look_like_ones_an_office_grants(shipped):
    extensions = [(t, e) for t in shipped.tasks.values() for e in t.extensions]
    assert len(extensions) >= 5
    for task in shipped.tasks.values():
        due = task.timing.due
        for e in task.extensions:
            assert e.requested < due, (task.id, e)  # asked for before the date in force
            assert 15 <= (e.new_due - due).days <= 90, (task.id, due, e.new_due)
            if e.approved:
                assert 0 <= (e.approved - e.requested).days <= 15 and e.approved <= due, (task.id, e)
            due = e.new_due
    reasons = [e.reason for _, e in extensions]
    assert len(set(reasons)) == len(reasons)
    near_end = [t.id for t, e in extensions if abs((e.new_due - DEMO_END).days) <= 30]
    assert len(near_end) <= 1, near_end  # not fitted to the demonstration's clock
