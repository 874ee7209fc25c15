"""The repository as shipped: it validates clean and holds what the plan needs."""

import re
from collections import Counter
from pathlib import Path

import pytest
from duban.records.model import open_repository

ROOT = Path(__file__).resolve().parent.parent
TOWNS = {"luoyang", "dongyuan", "zhangban", "baiqi"}


@pytest.fixture(scope="module")
def shipped():
    return open_repository(ROOT)


def test_shipped_repository_validates_clean(shipped):
    assert shipped.plans and shipped.units and shipped.tasks


def test_every_work_item_and_requirement_has_tasks(shipped):
    plan = shipped.plans["quantai-2023-46"]
    wanted = {c.id for c in plan.clauses if re.fullmatch(r"[23]\.[0-9]+", c.id)}
    assert wanted == {f"2.{i}" for i in range(1, 11)} | {f"3.{i}" for i in range(1, 5)}
    assert {t.clause for t in shipped.tasks.values()} >= wanted
    assert 40 <= len(shipped.tasks) <= 70


def test_plan_cadences_are_in_the_breakdown(shipped):
    meetings = {(t.timing.cadence, dict(t.timing.evidence_match).get("level")) for t in shipped.tasks.values()
                if t.timing.evidence_kind == "meeting"}
    assert ("每半月", "区级") in meetings and ("每周", "乡镇") in meetings
    weekly = next(t for t in shipped.tasks.values() if t.timing.cadence == "每周" and t.timing.evidence_kind)
    assert set(weekly.lead_units) == TOWNS


def test_plan_page_has_a_stable_anchor_per_clause(shipped):
    plan = shipped.plans["quantai-2023-46"]
    page = (ROOT / "docs" / plan.page).read_text(encoding="utf-8")
    anchors = re.findall(r"\{#(clause-[0-9-]+)\}", page)
    assert anchors == [c.anchor for c in plan.clauses]


def test_plan_page_has_no_pdf_artefacts(shipped):
    page = (ROOT / "docs/plan/quantai-2023-46.md").read_text(encoding="utf-8")
    assert "项 目" not in page and "良好局面" in page and "实现跨区域" in page
    body = [line for line in page.splitlines() if not line.startswith("    ")]  # the notice block names two offices
    assert not [line for line in body if re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", line)]
    assert "**（" not in page


def test_demonstration_data_is_marked_and_sufficient(shipped):
    cases = {k: v for k, v in shipped.cases.items()}
    assert sum(len(v) for k, v in cases.items() if k != "meeting") >= 300
    assert all(len(cases[k]) > 0 for k in ("dispute", "hazard", "risk_assessment", "meeting"))
    assert all(c.data.get("synthetic") is True for v in cases.values() for c in v)
    assert all(u.synthetic for u in shipped.updates)
    towns_with_disputes = {c.unit for c in cases["dispute"]}
    assert TOWNS <= towns_with_disputes
    with_updates = {u.task for u in shipped.updates}
    assert len(with_updates) > len(shipped.tasks) / 2


def test_department_names_are_flagged_for_confirmation(shipped):
    kinds = Counter(u.kind for u in shipped.units.values())
    assert kinds["乡镇"] == 4
    assert all(u.unconfirmed for u in shipped.units.values() if u.kind != "乡镇")


def test_the_units_the_plans_work_needs_exist_and_lead_their_work(shipped):
    names = {u.id: u.name for u in shipped.units.values()}
    assert {"mzj", "gzb", "zhj", "yzj"} <= set(names)
    soe = shipped.tasks["T-2-4-08"]  # 国有企业领域: led by the 国资 office, the 区属国企 as partners
    assert soe.lead_units == ("gzb",) and {"kfjt", "jtjt"} <= set(soe.partner_units)
    assert "yzj" in shipped.tasks["T-2-6-03"].lead_units  # 寄递物流
    assert "mzj" in shipped.tasks["T-2-7-02"].partner_units  # 救助
    assert all(shipped.units[u].unconfirmed for u in ("mzj", "gzb", "zhj", "yzj", "jtjt"))


def test_the_breakdown_keeps_the_plans_words(shipped):
    roles = shipped.tasks["T-2-9-02"].measures
    assert all(word in roles for word in ("情报员", "宣传员", "调解员", "引导员", "战斗员", "网宣网评员"))
    online = [t for t in shipped.tasks.values() if t.clause == "2.3" and "网络涉稳舆情分析" in t.title]
    assert len(online) == 1 and online[0].timing.mode == "长期坚持"
    everyone = shipped.tasks["T-3-1-02"]  # 各乡镇各单位: every unit but the office that collects the reports
    assert set(everyone.lead_units) | set(everyone.partner_units) == set(shipped.units)


def test_person_level_clauses_say_they_are_tracked_as_task_level_work(shipped):
    plan = shipped.plans["quantai-2023-46"]
    note = plan.clause("2.7").tracking
    assert note and "一人一策" in note and "任务跟踪" in note
