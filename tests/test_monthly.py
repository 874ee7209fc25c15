"""The monthly 通报 and the 督办通知单, as the supervising office sends them."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import docx
import openpyxl
import yaml
from conftest import make_repo
from duban.engine.monthly import issue_number, monthly_report, parse_month
from duban.engine.reminders import reminders, units_to_remind
from duban.engine.snapshot import evaluate
from duban.outputs.monthly_report import render
from duban.records.model import open_repository

D = dt.date


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "duban", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def settings(repo, change):
    path = repo / "schemas" / "settings.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_months_and_issue_numbers():
    assert parse_month("2024-02") == (D(2024, 2, 1), D(2024, 2, 29))
    assert issue_number("2023-07", "2024-06") == 12 and issue_number("2023-07", "2023-06") is None


def test_praise_and_criticism_follow_the_declared_thresholds(repo):
    # 乙局 (bb) leads T-2-1-01, due 2024-03-31 and never done: by the end of June it is 91 days overdue
    report = monthly_report(open_repository(repo), "2024-06")
    assert report.title == "关于2024年6月《测试工作方案》落实情况的通报"
    assert report.report_date == D(2024, 7, 1) and report.issue_no == 12  # the series starts 2023-07
    bb = next(f for _, group in report.ranking for f in group if f.unit == "bb")
    assert bb.score == 100 - 5 - 91 / 20
    assert bb not in report.praised and bb not in report.criticised  # 90.45: neither below 80 nor 95 and above
    settings(repo, lambda d: d["reports"]["monthly"].update(criticise={"below": 95}))
    report = monthly_report(open_repository(repo), "2024-06")
    assert [f.unit for f in report.criticised if f.group == "区直和驻区单位"] == ["bb"]
    text = render(report)
    assert "乙局（90.45分：逾期任务 1 扣 5 分；逾期天数 91 扣 4.55 分）" in text.split("## 三、通报批评")[1]
    assert "| 乙局 | T-2-1-01制定办法，逾期91天 |" in text


def test_the_monthly_command_writes_three_files_and_rebuilds_them_identically(repo, tmp_path):
    out = tmp_path / "out"
    proc = run("report", "monthly", "--month", "2024-06", "--out", str(out), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "2024-06"
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(files) == {"2024-06.md", "2024-06.docx", "2024-06.xlsx"}
    run("report", "monthly", "--month", "2024-06", "--out", str(out), cwd=repo)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == files
    texts = [p.text for p in docx.Document(str(out / "2024-06.docx")).paragraphs]
    assert texts[0] == "主动创稳工作通报" and texts[1] == "第12期"
    assert "二、表扬" in texts and "三、通报批评" in texts and "四、逾期事项（按单位）" in texts
    wb = openpyxl.load_workbook(out / "2024-06.xlsx")
    assert {"各单位", "表扬和批评", "逾期任务"} <= set(wb.sheetnames)
    bad = run("report", "monthly", "--month", "2024-13", cwd=repo)
    assert bad.returncode == 2 and "月份" in bad.stderr and "Traceback" not in bad.stderr


def test_a_reminder_lists_only_the_units_own_items(tmp_path):
    repo = make_repo(tmp_path / "repo")
    (repo / "records/units/cc.yaml").write_text("id: cc\nname: 丙镇\nkind: 乡镇\n", encoding="utf-8")
    task = repo / "records/tasks/T-2-2-01.yaml"
    task.write_text(task.read_text(encoding="utf-8").replace("lead_units: [aa]", "lead_units: [aa, cc]"), encoding="utf-8")
    for unit in ("aa",):
        for day in ("2024-01-10", "2024-01-17"):
            path = repo / f"records/cases/meetings/HY-{unit}-{day}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"id: HY-{unit}-{day}\nlevel: 乡镇\nunit: {unit}\ndate: {day}\nissues_discussed: 1\n", encoding="utf-8")
    snap = evaluate(open_repository(repo), D(2024, 1, 21))
    assert [i.id for i in reminders(snap, "cc", 7)] == ["T-2-2-01"]  # 丙镇 recorded no meeting
    assert reminders(snap, "aa", 7) == []  # 甲镇 did; the task being missed is not its item
    assert "aa" not in units_to_remind(snap, 7) and "cc" in units_to_remind(snap, 7)
    out = tmp_path / "out"
    proc = run("report", "reminders", "--as-of", "2024-01-21", "--out", str(out), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["2024-01-21-cc.docx"]
    document = docx.Document(str(out / "2024-01-21-cc.docx"))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "督办通知单" and "丙镇：" in texts
    row = [c.text for c in document.tables[0].rows[1].cells]
    assert row[1:3] == ["任务", "T-2-2-01"] and row[4] == "●缺报"
    assert texts[-1] == "2024年1月21日" and "区平安办" in texts
