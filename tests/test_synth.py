"""Tests for duban_demo: the synthetic demonstration and benchmark records."""

from __future__ import annotations

import json
import math
import re
import shutil
import string
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from duban.records.kinds import load_registry
from duban_demo import synth
from duban_demo.common import phrases
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
BASE = "https://duban.invalid/schemas/"

START = date(2023, 6, 7)
END = date(2024, 5, 20)

UNITS = [
    {"id": "luoyang", "name": "洛阳镇人民政府", "short_name": "洛阳镇", "kind": "乡镇"},
    {"id": "dongyuan", "name": "东园镇人民政府", "short_name": "东园镇", "kind": "乡镇"},
    {"id": "zhangban", "name": "张坂镇人民政府", "short_name": "张坂镇", "kind": "乡镇"},
    {"id": "baiqi", "name": "百崎回族乡人民政府", "short_name": "百崎乡", "kind": "乡镇"},
    {"id": "zfw", "name": "政法委", "kind": "区直单位"},
    {"id": "xfj", "name": "信访局", "kind": "区直单位"},
    {"id": "gaj", "name": "公安分局", "kind": "省市驻区单位"},
    {"id": "sfj", "name": "司法局", "kind": "区直单位"},
    {"id": "zjj", "name": "住建局", "kind": "区直单位"},
    {"id": "fgj", "name": "经发局", "kind": "区直单位"},
    {"id": "zrj", "name": "自然资源局", "kind": "区直单位"},
    {"id": "yjj", "name": "应急局", "kind": "区直单位"},
    {"id": "jyj", "name": "教育局", "kind": "区直单位"},
]
TOWNS = ["luoyang", "dongyuan", "zhangban", "baiqi"]


def _task(tid, clause, title, timing, lead, partners=(), **extra):
    task = {
        "id": tid,
        "plan": "quantai-2023-46",
        "clause": clause,
        "title": title,
        "measures": "演示措施。",
        "lead_units": list(lead),
        "deadline_text": "演示",
        "timing": timing,
    }
    if partners:
        task["partner_units"] = list(partners)
    task.update(extra)
    return task


TASKS = [
    _task("T-2-1-01", "2.1", "重大项目社会稳定风险评估",
          {"mode": "长期坚持", "report_cadence": "每月", "start": "2023-06-07"}, ["fgj"], ["zjj"]),
    _task("T-2-2-01", "2.2", "涉稳情报信息研判",
          {"mode": "长期坚持", "report_cadence": "每半月", "start": date(2023, 6, 7)}, ["gaj"]),
    _task("T-2-3-01", "2.3", "区级排查调处协调会议",
          {"mode": "周期", "cadence": "每半月", "start": "2023-06-07",
           "evidence": {"kind": "meeting", "match": {"level": "区级"}}}, ["zfw"], ["xfj"]),
    _task("T-2-3-02", "2.3", "乡镇排查调处协调会议",
          {"mode": "周期", "cadence": "每周", "start": "2023-06-07",
           "evidence": {"kind": "meeting", "match": {"level": "乡镇"}}}, TOWNS),
    _task("T-2-3-03", "2.3", "网络涉稳舆情分析",
          {"mode": "周期", "cadence": "每月", "start": "2023-07-01"}, ["xfj"]),
    _task("T-2-6-01", "2.6", "公共安全隐患滚动排查",
          {"mode": "长期坚持", "report_cadence": "每季度", "start": "2023-06-07"}, ["yjj"]),
    _task("T-2-8-01", "2.8", "修订群体性上访应急处置方案",
          {"mode": "限时", "due": "2023-09-30"}, ["xfj"], ["gaj"],
          closure={"date": date(2023, 9, 25), "verified_by": "zfw"}),
    _task("T-2-9-01", "2.9", "群防群治队伍规范化建设",
          {"mode": "限时", "due": "2023-12-31"}, ["sfj"], TOWNS),
    _task("T-2-10-01", "2.10", "主动创稳工作经费纳入预算",
          {"mode": "限时", "due": date(2024, 12, 31)}, ["zfw"]),
    _task("T-3-4-01", "3.4", "主动创稳督导考评",
          {"mode": "限时", "due": "2023-11-30"}, ["zfw"],
          extensions=[{"requested": "2023-11-20", "reason": "演示", "new_due": "2024-01-31",
                       "approved_by": "zfw", "approved": "2023-11-22"}]),
]


def _generate(seed=2023):
    return synth.demo_records(UNITS, TASKS, start=START, end=END, seed=seed)


@pytest.fixture(scope="module")
def records():
    return _generate()


@pytest.fixture(scope="module")
def kinds():
    return yaml.safe_load((SCHEMAS / "kinds.yaml").read_text(encoding="utf-8"))["kinds"]


@pytest.fixture(scope="module")
def validators(kinds):
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    out = {}
    for name, kind in kinds.items():
        schema = registry.contents(BASE + kind["schema"])
        out[name] = Draft202012Validator(
            schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    return out


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _kind_of(path, kinds):
    """The kind whose folder is the longest prefix of path."""
    best = None
    for name, kind in kinds.items():
        folder = kind["folder"] + "/"
        if path.startswith(folder) and (best is None or len(folder) > len(kinds[best]["folder"]) + 1):
            best = name
    return best


def _walk(record, path):
    """Values at a kinds.yaml path such as "status_history/*/date"."""
    values = [record]
    for part in path.split("/"):
        nxt = []
        for v in values:
            if part == "*" and isinstance(v, list):
                nxt.extend(v)
            elif isinstance(v, dict) and part in v:
                nxt.append(v[part])
        values = nxt
    return values


def _by_kind(records, kinds):
    out = {}
    for path, rec in records.items():
        out.setdefault(_kind_of(path, kinds), []).append((path, rec))
    return out


def test_deterministic():
    a, b = _generate(), _generate()
    assert a == b
    assert list(a) == list(b)
    assert synth.demo_records(UNITS, list(reversed(TASKS)), start=START, end=END) == a
    assert _generate(seed=7) != a


def test_every_record_valid_and_synthetic(records, kinds, validators):
    for path, rec in records.items():
        kind = _kind_of(path, kinds)
        assert kind in ("update", "meeting", "dispute", "hazard", "risk_assessment"), path
        assert rec.get("synthetic") is True, path
        errors = [e.message for e in validators[kind].iter_errors(_jsonable(rec))]
        assert not errors, (path, errors)


def test_paths_follow_templates(records, kinds):
    for path, rec in records.items():
        kind = kinds[_kind_of(path, kinds)]
        stem = path[len(kind["folder"]) + 1 : -len(".yaml")]
        expected = re.sub(r"\{(\w+)\}", lambda m: _jsonable(rec[m.group(1)]), kind["file"])
        if kind.get("counter"):
            assert re.fullmatch(re.escape(expected) + r"(-[0-9]+)?", stem), path
        else:
            assert stem == expected, path


def test_date_orders_and_nothing_after_end(records, kinds):
    for path, rec in records.items():
        kind = kinds[_kind_of(path, kinds)]
        for earlier, later in kind.get("date_order", []):
            for a in _walk(rec, earlier):
                for b in _walk(rec, later):
                    assert a <= b, (path, earlier, later)
        for field in kind.get("sorted", []):
            dates = [item["date"] for item in rec.get(field, [])]
            assert dates == sorted(dates), path
        planned = ("deadline", "planned_approval")  # planned dates may lie ahead
        event_dates = {k: v for k, v in rec.items() if k not in planned}
        text = json.dumps(_jsonable(event_dates), ensure_ascii=False)
        for found in re.findall(r"\d{4}-\d{2}-\d{2}", text):
            assert date.fromisoformat(found) <= END, (path, found)
    updates = [r for p, r in records.items() if p.startswith("updates/")]
    assert updates and max(u["date"] for u in updates) <= END


def test_references_and_privacy(records):
    unit_ids = {u["id"] for u in UNITS}
    task_ids = {t["id"] for t in TASKS}
    for path, rec in records.items():
        for field in ("unit", "town", "approving_unit"):
            if field in rec:
                assert rec[field] in unit_ids, path
        for uid in rec.get("attending_units", []):
            assert uid in unit_ids, path
        if "task" in rec:
            assert rec["task"] in task_ids, path
        text = json.dumps(_jsonable(rec), ensure_ascii=False)
        assert not re.search(r"\d{11}", text), path
        assert "号楼" not in text and "门牌" not in text, path


def test_case_registers(records, kinds):
    groups = _by_kind(records, kinds)
    cases = sum(len(groups.get(k, [])) for k in ("dispute", "hazard", "risk_assessment"))
    assert cases >= 300
    assert {r["unit"] for _, r in groups["dispute"]} == set(TOWNS)

    late = overdue_open = 0
    for _, rec in groups["dispute"]:
        days, unit = rec["time_limit"]["days"], rec["time_limit"]["unit"]
        slack = days if unit == "日" else math.ceil(days * 7 / 5) + 12
        surely_due = rec["received"] + timedelta(days=slack)
        closed = [h["date"] for h in rec["status_history"] if h["status"] in ("化解", "未化解")]
        if closed and closed[0] > surely_due:
            late += 1
        if not closed and END > surely_due:
            overdue_open += 1
    assert late >= 1 and overdue_open >= 1

    hazards = [r for _, r in groups["hazard"]]
    assert any("verified" not in h and h["deadline"] < END for h in hazards)
    assert any(h.get("verified", END) > h["deadline"] for h in hazards if "verified" in h)
    risks = [r for _, r in groups["risk_assessment"]]
    assert any("assessment_date" not in r and r["planned_approval"] < END for r in risks)


def test_meetings_miss_some_periods(records):
    meetings = [r for p, r in records.items() if p.startswith("cases/meetings/")]
    town = [m for m in meetings if m["level"] == "乡镇"]
    district = [m for m in meetings if m["level"] == "区级"]
    assert {m["unit"] for m in town} == set(TOWNS)
    assert {m["unit"] for m in district} == {"zfw"}
    assert all(m["issues_assigned"] <= m["issues_discussed"] for m in meetings)
    assert sum(m["date"].weekday() < 5 for m in meetings) >= 0.9 * len(meetings)

    first_monday = START - timedelta(days=START.weekday())
    last_complete = END - timedelta(days=END.weekday() + 7)
    weeks = (last_complete - first_monday).days // 7 + 1
    for unit in TOWNS:
        held = {m["date"] - timedelta(days=m["date"].weekday()) for m in town if m["unit"] == unit}
        assert len(held) == len([m for m in town if m["unit"] == unit])  # one per week at most
        assert len({w for w in held if w <= last_complete}) < weeks, unit

    halves = {(m["date"].year, m["date"].month, m["date"].day > 15) for m in district}
    assert len(halves) == len(district)


def test_task_updates(records):
    updates = {}
    for path, rec in records.items():
        if path.startswith("updates/"):
            updates.setdefault(rec["task"], []).append(rec)
    # closed task: final 已完成 from the lead unit shortly before closure
    closed = updates["T-2-8-01"]
    final = max(closed, key=lambda u: u["date"])
    assert final["state"] == "已完成" and final["unit"] == "xfj"
    assert date(2023, 9, 15) <= final["date"] <= date(2023, 9, 25)
    # meeting-evidenced tasks get no updates
    assert "T-2-3-01" not in updates and "T-2-3-02" not in updates
    # long-term tasks: reports from the lead unit, mostly one per period
    monthly = [u for u in updates["T-2-1-01"] if u["unit"] == "fgj"]
    months = {(u["date"].year, u["date"].month) for u in monthly}
    assert len(months) == len(monthly) and 6 <= len(months) <= 12
    assert all(u["state"] in ("推进中", "受阻", "已完成") for us in updates.values() for u in us)


def test_case_records_fast_and_unique(validators):
    import time

    t0 = time.perf_counter()
    recs = synth.case_records(UNITS, n=3000, start=START, end=date(2026, 11, 20), seed=1)
    elapsed = time.perf_counter() - t0
    assert len(recs) == 3000
    assert elapsed < 1.0  # about 0.07 s here (40,000 records/s); a loose bound for slow CI
    ids = [r["id"] for r in recs.values()]
    assert len(set(ids)) == len(ids)
    assert {p.split("/")[1] for p in recs} == {"disputes", "hazards", "risk-assessments"}
    assert recs == synth.case_records(UNITS, n=3000, start=START, end=date(2026, 11, 20), seed=1)
    kind_of = {"disputes": "dispute", "hazards": "hazard", "risk-assessments": "risk_assessment"}
    for path in list(recs)[::20]:
        rec = recs[path]
        assert path.endswith(f"/{rec['id']}.yaml")
        assert not list(validators[kind_of[path.split("/")[1]]].iter_errors(_jsonable(rec))), path
    # one town, one year: the 10,000th dispute has no 4-digit sequence number left
    with pytest.raises(ValueError, match="超过"):
        synth.case_records(UNITS[:1], n=10_000, start=START, end=date(2023, 12, 31), seed=1, kinds=("dispute",))


def test_write_records(tmp_path):
    recs = dict(list(_generate().items())[:5])
    assert synth.write_records(tmp_path, recs) == 5
    path, rec = next(iter(recs.items()))
    target = tmp_path / "records" / path
    text = target.read_text(encoding="utf-8")
    assert text.startswith(synth.HEADER)
    for written in (tmp_path / "records").rglob("*.yaml"):
        assert "&id" not in written.read_text(encoding="utf-8"), written  # no YAML anchors
    loaded = yaml.safe_load(text)
    assert loaded == rec
    # synthetic files may be rewritten
    assert synth.write_records(tmp_path, recs) == 5
    assert not list(target.parent.glob(".*.tmp"))

    human = "# 人工填写\n" + yaml.safe_dump(dict(rec, synthetic=False), allow_unicode=True)
    target.write_text(human, encoding="utf-8")
    other = tmp_path / "records" / list(recs)[1]
    before = other.read_text(encoding="utf-8")
    with pytest.raises(synth.NotSyntheticError) as info:
        synth.write_records(tmp_path, recs)
    assert str(target) in str(info.value)
    assert target.read_text(encoding="utf-8") == human
    assert other.read_text(encoding="utf-8") == before


def test_cli_cases_writes_units_once(tmp_path, capsys):
    assert synth.main(["cases", "--root", str(tmp_path), "-n", "300", "--end", "2024-06-30"]) == 0
    records = tmp_path / "records"
    units = sorted(p.stem for p in (records / "units").glob("*.yaml"))
    assert {"luoyang", "dongyuan", "zhangban", "baiqi"} <= set(units)
    assert len(list((records / "cases").rglob("*.yaml"))) == 300
    # a second run rewrites the synthetic cases and leaves the units alone
    (records / "units" / "luoyang.yaml").write_text("id: luoyang\nname: 洛阳镇\nkind: 乡镇\n", encoding="utf-8")
    assert synth.main(["cases", "--root", str(tmp_path), "-n", "300", "--end", "2024-06-30"]) == 0
    assert (records / "units" / "luoyang.yaml").read_text(encoding="utf-8") == "id: luoyang\nname: 洛阳镇\nkind: 乡镇\n"
    assert "300" in capsys.readouterr().out


PHRASES = ROOT / "scripts" / "duban_demo" / "phrases"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_phrase_files_load_and_ship():
    files = sorted(PHRASES.glob("*.yaml"))
    assert {f.stem for f in files} == {"updates", "meetings", "disputes", "hazards", "risk_assessments", "units"}
    for path in files:
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict), path
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]
    assert "phrases/*.yaml" in package_data["duban_demo"]

    # templates name only the fields the code fills in (a typo would fail only when drawn)
    updates = phrases("updates")
    pools = [t["work"] for t in updates["topics"].values()] + [*updates["clauses"].values(), updates["default"]]
    assert all(pools) and all(t["keys"] for t in updates["topics"].values())
    assert all(set(t) <= {"keys", "work", "blocked"} for t in updates["topics"].values())
    for texts in pools:
        for text in texts:
            assert _fields(text) <= {"a", "b", "c"}, text
    for template in [*updates["period"]["cadence"].values(), updates["period"]["other"]]:
        assert _fields(template) <= {"year", "month", "half", "quarter"}, template
    assert set(updates["text"]) == set(updates["endings"]) == {"已完成", "受阻", "推进中"}
    assert all(_fields(t) <= {"period", "work", "ending"} for t in updates["text"].values())
    summary = phrases("meetings")["summary"]
    assert _fields(summary["item"]) == {"topic", "count"}
    assert _fields(summary["text"]) == {"lead_in", "items", "assigned"}

    # every category carries what the builders draw from
    for category in phrases("disputes")["categories"].values():
        assert category["weight"] > 0 and category["summaries"], category
        assert all(set(s) == {"text", "places"} and s["places"] for s in category["summaries"])
    for category in phrases("hazards")["categories"].values():
        assert category["weight"] > 0 and category["problems"], category
        assert all(set(p) == {"description", "measures", "sites"} and p["sites"] for p in category["problems"])
    assert 0 <= phrases("disputes")["off_day_share"] <= 0.1 and 0 <= phrases("hazards")["off_day_share"] <= 0.1
    risks = phrases("risk_assessments")
    assert set(risks["measures"]) == {"低", "中", "高"}
    for name in ("disputes", "hazards", "risk_assessments", "meetings"):
        assert re.fullmatch(r"[A-Z]{2}", phrases(name)["id_prefix"]), name


def _toy_schemas(tmp_path):
    """The shipped schemas with other folders and labels for disputes and meetings, and
    hazards numbered by their deadline instead of the day they were found."""
    schemas = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, schemas)
    spec = yaml.safe_load((schemas / "kinds.yaml").read_text(encoding="utf-8"))
    spec["kinds"]["dispute"]["folder"] = "registers/md"
    spec["kinds"]["dispute"]["label"] = "纠纷台账（测试）"
    spec["kinds"]["meeting"]["folder"] = "cases/hy"
    spec["kinds"]["hazard"]["case"]["start"] = "deadline"
    (schemas / "kinds.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return schemas


def test_folders_labels_and_start_fields_from_kinds_yaml(tmp_path, records):
    registry = load_registry(_toy_schemas(tmp_path))
    toy = synth.demo_records(UNITS, TASKS, start=START, end=END, registry=registry)
    moved = {"cases/disputes/": "registers/md/", "cases/meetings/": "cases/hy/"}

    def shipped_path(path):
        for new_folder, old_folder in ((v, k) for k, v in moved.items()):
            if path.startswith(new_folder):
                return old_folder + path[len(new_folder):]
        return path

    assert not any(p.startswith(("cases/disputes/", "cases/meetings/")) for p in toy)
    assert sum(p.startswith("registers/md/") for p in toy) == 232
    assert any(p.startswith("cases/hy/") for p in toy)
    # hazards are numbered by deadline: ids per deadline year, in deadline order
    hazards = sorted((r for p, r in toy.items() if p.startswith("cases/hazards/")), key=lambda r: r["id"])
    for rec in hazards:
        assert rec["id"].startswith(f"YH-{rec['unit']}-{rec['deadline'].year}-"), rec["id"]
    for a, b in zip(hazards, hazards[1:]):
        if a["id"].rsplit("-", 1)[0] == b["id"].rsplit("-", 1)[0]:
            assert a["deadline"] <= b["deadline"]
    # everything else is what the shipped kinds.yaml gives
    same = {shipped_path(p): r for p, r in toy.items() if not p.startswith("cases/hazards/")}
    assert same == {p: r for p, r in records.items() if not p.startswith("cases/hazards/")}

    bench = synth.case_records(UNITS, n=300, start=START, end=END, seed=1, kinds=("dispute",), registry=registry)
    assert all(p.startswith("registers/md/MD-") for p in bench)


def test_cli_demo_follows_kinds_yaml(tmp_path, capsys):
    _toy_schemas(tmp_path)
    for folder, items in (("units", UNITS), ("tasks", TASKS)):
        (tmp_path / "records" / folder).mkdir(parents=True)
        for item in items:
            text = yaml.safe_dump(item, allow_unicode=True, sort_keys=False)
            (tmp_path / "records" / folder / f"{item['id']}.yaml").write_text(text, encoding="utf-8")
    stale = tmp_path / "records" / "registers" / "md" / "MD-luoyang-2020-0001.yaml"
    stale.parent.mkdir(parents=True)
    stale.write_text("id: MD-luoyang-2020-0001\nsynthetic: true\n", encoding="utf-8")

    assert synth.main(["demo", "--root", str(tmp_path), "--end", END.isoformat(), "--prune"]) == 0
    out = capsys.readouterr().out
    assert "纠纷台账（测试）：232 条" in out and "已删除 1 个" in out
    assert not stale.exists()
    assert len(list((tmp_path / "records" / "registers" / "md").glob("*.yaml"))) == 232
    assert list((tmp_path / "records" / "cases" / "hy").glob("*.yaml"))
    assert not (tmp_path / "records" / "cases" / "disputes").exists()
