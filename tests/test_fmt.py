"""The canonical record writer and ``duban fmt``: one text per record, comments kept, bad files left alone."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ROOT
from duban.cli import main
from duban.edit.fmt import format_records
from duban.records.kinds import load_registry
from duban.records.load import load_bytes
from duban.records.text import FORBIDDEN
from duban.records.write import WriteError, dump, kind_order, record_text, reformat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REGISTRY = load_registry(ROOT / "schemas")
TASK = REGISTRY.kinds["task"]


@pytest.fixture
def run(capsys):
    def run(*args, cwd):
        code = main(["--root", str(cwd), *args])
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return run


def loads(text: str):
    loaded = load_bytes(text.encode("utf-8"), "x.yaml")
    assert not loaded.problems, loaded.problems
    return loaded.data


# ---------------------------------------------------------------- the writer

# text an editor might type, including what trips YAML up
TRICKY = ["yes", "no", "on", "off", "Y", "n", "null", "~", "0755", "1:30", "2.10", "2.1", "1e3", ".inf", "0x1F",
          "-", "- x", "? a", ": b", "a: b", "a #b", "#c", "@team", "`x`", "!tag", "&a", "*b", "|", ">", "%x", "'q'",
          '"dq"', "[1]", "{a}", "2024-02-30", "2024-2-3", "2024-01-01 10:00", " lead", "trail ", "tab\tin", "\tlead",
          "line1\nline2", "ends\n", "two\n\n", "\nstarts", " indented\nsecond", "a\r\nb", "nbsp\xa0", "\u2028sep",
          "bom\ufeff", "ctrl\x07", "---", "...", "全角：冒号", "第#1号", "中文 # 注释样", "<<", "=", "", "\\back"]

INVISIBLE = [t for t in TRICKY if FORBIDDEN.search(t)]  # control and invisible characters: refused, not written
TRICKY = [t for t in TRICKY if t not in INVISIBLE]

scalars = st.one_of(
    st.sampled_from(TRICKY),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf", "Zl", "Zp"),
                                   include_characters="\t\n"), max_size=12),
    st.integers(min_value=-10**6, max_value=10**6),
    st.booleans(),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
)
keys = st.one_of(st.sampled_from(["id", "title", "timing", "due", "yes", "2.1", "a b", "note"]),
                 st.text(alphabet="abcxyz_", min_size=1, max_size=5))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
                      max_leaves=8)
records = st.dictionaries(keys, values, min_size=1, max_size=5)


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_what_is_written_reads_back_the_same_and_writing_again_changes_nothing(data):
    text = dump(data, kind_order(TASK, REGISTRY))
    assert loads(text) == plain(data)
    assert dump(loads(text), kind_order(TASK, REGISTRY)) == text
    again = reformat(text.encode("utf-8"), "x.yaml", TASK, REGISTRY)
    assert again.text == text and not again.changed


@pytest.mark.parametrize("text", INVISIBLE)
def test_control_and_invisible_characters_are_refused_with_their_code_point(text):
    with pytest.raises(WriteError, match=r"U\+[0-9A-F]{4}"):
        dump({"title": text})


def test_strings_yaml_would_misread_are_quoted_and_dates_are_not():
    text = dump({"a": "yes", "b": "0755", "c": "1:30", "d": "2.10", "e": "on", "f": "@quantai/aa", "g": "2024-03-31",
                 "h": dt.date(2024, 4, 1), "i": "2024-02-30", "j": "甲镇", "k": 3, "l": True})
    assert text.splitlines() == ['a: "yes"', 'b: "0755"', 'c: "1:30"', 'd: "2.10"', 'e: "on"', 'f: "@quantai/aa"',
                                 "g: 2024-03-31", "h: 2024-04-01", 'i: "2024-02-30"', "j: 甲镇", "k: 3", "l: true"]


def test_multi_line_text_is_a_literal_block():
    text = dump({"text": "第一行\n第二行", "note": "末尾换行\n"})
    assert text == "text: |-\n  第一行\n  第二行\nnote: |\n  末尾换行\n"


def test_keys_follow_the_schema_nested_and_through_refs():
    task = {"timing": {"due": "2024-03-31", "mode": "限时"}, "title": "制定办法", "id": "T-2-1-01",
            "extensions": [{"new_due": "2024-06-30", "reason": "理由", "requested": "2024-03-01"}],
            "lead_units": ["bb"], "extra": 1}
    lines = dump(task, kind_order(TASK, REGISTRY)).splitlines()
    assert lines == ["id: T-2-1-01", "title: 制定办法", "lead_units:", "  - bb", "timing:", "  mode: 限时",
                     "  due: 2024-03-31", "extensions:", "  - requested: 2024-03-01", "    reason: 理由",
                     "    new_due: 2024-06-30", "extra: 1"]
    dispute = REGISTRY.kinds["dispute"]  # time_limit is a $ref into common.schema.json
    text = dump({"time_limit": {"unit": "日", "days": 15}, "id": "MD-aa-2024-0001"}, kind_order(dispute, REGISTRY))
    assert text == "id: MD-aa-2024-0001\ntime_limit:\n  days: 15\n  unit: 日\n"


def test_a_new_record_gets_its_header_and_what_yaml_cannot_hold_is_refused():
    assert record_text(TASK, REGISTRY, {"id": "T-1"}, "任务分解表 二（一）：制定办法") == "# 任务分解表 二（一）：制定办法\nid: T-1\n"
    with pytest.raises(WriteError):
        dump({"x": 1.5})  # the strict loader would read 1.5 back as text
    with pytest.raises(WriteError):
        dump({"x": dt.datetime(2024, 1, 1, 8, 0)})


# ---------------------------------------------------------------- comments


ANNOTATED = """\
# 任务分解表 二（一）：制定办法
title: 制定办法  # 名称按方案原文
# 编号与文件名一致
id: T-2-1-01
plan: testplan
clause: "2.1"
measures: 制定并印发实施办法。
lead_units: [bb]  # 只有乙局
partner_units:
  # 甲镇配合调研
  - aa
deadline_text: 2024年3月底前
timing:
  due: 2024-03-31  # 原定时限
  mode: 限时
# 文末备注
"""


def test_fmt_puts_keys_in_order_and_keeps_every_comment_with_its_entry():
    result = reformat(ANNOTATED.encode("utf-8"), "records/tasks/T-2-1-01.yaml", TASK, REGISTRY)
    assert result.changed
    assert result.text == """\
# 任务分解表 二（一）：制定办法
# 编号与文件名一致
id: T-2-1-01
plan: testplan
clause: "2.1"
title: 制定办法  # 名称按方案原文
measures: 制定并印发实施办法。
lead_units:  # 只有乙局
  - bb
partner_units:
  # 甲镇配合调研
  - aa
deadline_text: 2024年3月底前
timing:
  mode: 限时
  due: 2024-03-31  # 原定时限
# 文末备注
"""
    assert loads(result.text) == loads(ANNOTATED)


def test_changing_a_record_keeps_comments_and_moves_those_of_removed_entries_up():
    data = loads(ANNOTATED)
    data["partner_units"] = []
    del data["timing"]["due"]
    data["note"] = "新增"
    text = reformat(ANNOTATED.encode("utf-8"), "x.yaml", TASK, REGISTRY, data=data).text
    for comment in ("# 名称按方案原文", "# 编号与文件名一致", "# 只有乙局", "# 甲镇配合调研", "# 原定时限", "# 文末备注"):
        assert comment in text
    assert "partner_units: []" in text and "note: 新增" in text


def test_hash_inside_text_is_not_a_comment():
    src = 'id: T-1\ntitle: "第 #1 项"\nmeasures: |\n  一、# 不是注释\n  二\n'
    text = reformat(src.encode("utf-8"), "x.yaml", TASK, REGISTRY).text
    assert loads(text) == loads(src) and text.count("#") == 2


# ---------------------------------------------------------------- duban fmt


def test_fmt_rewrites_and_check_mode_changes_nothing(repo, run):
    target = repo / "records" / "tasks" / "T-2-1-01.yaml"
    target.write_text(ANNOTATED, encoding="utf-8")
    proc = run("fmt", "--check", cwd=repo)
    assert proc.returncode == 1 and "需要整理：records/tasks/T-2-1-01.yaml" in proc.stdout
    assert target.read_text(encoding="utf-8") == ANNOTATED
    proc = run("fmt", cwd=repo)
    assert proc.returncode == 0 and "已整理：records/tasks/T-2-1-01.yaml" in proc.stdout
    assert target.read_text(encoding="utf-8").startswith("# 任务分解表 二（一）：制定办法\n# 编号与文件名一致\nid: T-2-1-01\n")
    assert run("fmt", "--check", cwd=repo).returncode == 0
    assert run("validate", cwd=repo).returncode == 0


def _update(repo, task: str, day: str, period: str, extra: str = "") -> Path:
    path = repo / "records" / "updates" / task / f"{day}-aa.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"task: {task}\nunit: aa\ndate: {day}\nperiod: {period}{extra}\nstate: 推进中\ntext: 已开会。\n",
                    encoding="utf-8")
    return path


def test_fmt_stores_an_updates_period_as_the_writers_do(repo, run):
    # T-2-2-01 is weekly: the CMS stores whatever day of the week the editor picked
    late = _update(repo, "T-2-2-01", "2024-03-12", "2024-03-06", "  # 补报上周")
    own = _update(repo, "T-2-2-01", "2024-03-13", "2024-03-14")
    # as the CMS saved them they are valid (a later day of the report's own week names that week)
    assert run("validate", "--today", "2024-03-31", cwd=repo).returncode == 0
    assert run("fmt", "--check", cwd=repo).returncode == 1
    proc = run("fmt", str(repo / "records" / "updates"), cwd=repo)
    assert proc.returncode == 0, proc.stdout
    text = late.read_text(encoding="utf-8")
    assert "\nperiod: 2024-03-04  # 补报上周\n" in text  # the Monday of that week, the comment kept
    text = own.read_text(encoding="utf-8")
    assert "period" not in text and "\ndate: 2024-03-13\nstate: 推进中\n" in text  # its own week: nothing to credit
    assert run("fmt", "--check", str(repo / "records" / "updates"), cwd=repo).returncode == 0
    assert run("validate", "--today", "2024-03-31", cwd=repo).returncode == 0


def test_fmt_leaves_a_period_it_cannot_read_for_the_validator(repo, run):
    unknown = _update(repo, "T-9-9-99", "2024-03-12", "2024-03-06")  # no such task: no cadence to go by
    fixed = _update(repo, "T-2-1-01", "2024-03-12", "2024-03-06")  # a 限时 task has no periods
    later = _update(repo, "T-2-2-01", "2024-03-12", "2024-03-20")  # a later week than the report's
    assert run("fmt", str(repo / "records" / "updates"), cwd=repo).returncode == 0
    assert "\nperiod: 2024-03-06\n" in unknown.read_text(encoding="utf-8")
    assert "\nperiod: 2024-03-06\n" in fixed.read_text(encoding="utf-8")
    assert "\nperiod: 2024-03-20\n" in later.read_text(encoding="utf-8")
    proc = run("validate", "--today", "2024-03-31", cwd=repo)
    assert proc.returncode == 1
    assert "records/updates/T-9-9-99/2024-03-12-aa.yaml" in proc.stdout and "T-9-9-99" in proc.stdout
    assert "records/updates/T-2-1-01/2024-03-12-aa.yaml:5:9: period: 任务 T-2-1-01 是限时任务，不按周期报送，不填所属周期" \
        in proc.stdout
    assert "records/updates/T-2-2-01/2024-03-12-aa.yaml:5:9: period: 所属周期 2024-03-20 所在的周期晚于报送日期 2024-03-12" in proc.stdout


def test_fmt_never_rewrites_a_file_that_is_not_valid_yaml(repo, run):
    bad = repo / "records" / "tasks" / "T-2-2-01.yaml"
    text = "id: T-2-2-01\ntitle: a\ntitle: b\n"
    bad.write_text(text, encoding="utf-8")
    tabbed = repo / "records" / "units" / "aa.yaml"
    tabbed.write_text("id: aa\nname: 甲镇\nkind:\t乡镇\n\tx: 1\n", encoding="utf-8")
    before = tabbed.read_bytes()
    proc = run("fmt", str(bad), str(tabbed), cwd=repo)
    assert proc.returncode == 1
    assert "records/tasks/T-2-2-01.yaml:3:1: title: 字段“title”重复出现" in proc.stdout and "文件未格式化" in proc.stdout
    assert "records/units/aa.yaml:4:1: -: 用制表符（Tab）缩进" in proc.stdout
    assert bad.read_text(encoding="utf-8") == text and tabbed.read_bytes() == before


def test_fmt_refuses_files_outside_the_kind_folders(repo):
    stray = repo / "records" / "misc" / "x.yaml"
    stray.parent.mkdir()
    stray.write_text("a: [1]\n", encoding="utf-8")
    outcome = format_records(repo, [stray])
    assert [p.message for p in outcome.problems] == ["不在任何记录类别的文件夹中（或扩展名不是 .yaml），未格式化"]
    assert stray.read_text(encoding="utf-8") == "a: [1]\n"


def test_the_shipped_records_are_in_canonical_form():
    outcome = format_records(ROOT, check=True)
    assert outcome.ok and not outcome.changed, outcome.changed[:10]


def test_the_demo_generator_writes_the_canonical_form(tmp_path):
    from duban_demo.synth import demo_records, write_records

    root = tmp_path / "repo"
    shutil.copytree(ROOT / "schemas", root / "schemas")
    for folder in ("units", "tasks", "plans"):
        shutil.copytree(ROOT / "records" / folder, root / "records" / folder)
    from duban.records.load import load_file

    units = [load_file(p).data for p in sorted((root / "records" / "units").glob("*.yaml"))]
    tasks = [load_file(p).data for p in sorted((root / "records" / "tasks").glob("*.yaml"))]
    records = demo_records(units, tasks, start=dt.date(2023, 6, 7), end=dt.date(2023, 9, 30), seed=1)
    write_records(root, records)
    outcome = format_records(root, [root / "records" / "updates", root / "records" / "cases"], check=True)
    assert outcome.files > 100 and outcome.ok and not outcome.changed, outcome.changed[:5]
