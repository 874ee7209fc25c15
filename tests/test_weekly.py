"""The weekly report: content as of the week's end, rebuildable byte for byte, and its delivery."""

import datetime as dt
import http.server
import json
import subprocess
import sys
import threading

import pytest
from duban.engine.weekly import (
    last_complete_week,
    parse_week,
    weekly_report,
    weeks_between,
)
from duban.outputs.report_md import render, summary
from duban.records.model import open_repository

D = dt.date


def write(repo, rel, text):
    path = repo / "records" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def weekly_repo(repo):
    # T-2-1-01 (base fixture) is due 2024-03-31 and never closed: overdue from Monday 2024-04-01 (week 14)
    write(repo, "tasks/T-2-1-02.yaml", "id: T-2-1-02\nplan: testplan\nclause: \"2.1\"\ntitle: 建立台账\n"
          "measures: 建立台账。\nlead_units: [aa]\ndeadline_text: 4月上旬\ntiming: {mode: 限时, due: 2024-04-10}\n"
          "closure: {date: 2024-04-03, verified_by: sup, note: 经核实销号。}\n")
    write(repo, "updates/T-2-1-01/2024-04-02-bb.yaml", "task: T-2-1-01\nunit: bb\ndate: 2024-04-02\nstate: 受阻\ntext: 征求意见未返回。\n")
    write(repo, "updates/T-2-1-01/2024-04-09-bb.yaml", "task: T-2-1-01\nunit: bb\ndate: 2024-04-09\nstate: 推进中\ntext: 下周的进展。\n")
    return repo


def test_iso_weeks():
    assert parse_week("2024-W23") == (D(2024, 6, 3), D(2024, 6, 9))
    assert parse_week("2020-W53") == (D(2020, 12, 28), D(2021, 1, 3))
    with pytest.raises(ValueError):
        parse_week("2023-W53")  # 2023 has 52 ISO weeks
    assert last_complete_week(D(2024, 6, 10)) == "2024-W23"  # Monday: the week just ended
    assert last_complete_week(D(2024, 6, 9)) == "2024-W22"  # Sunday: this week is not over yet
    assert weeks_between(D(2023, 12, 31), D(2024, 1, 8)) == ["2023-W52", "2024-W01", "2024-W02"]


def test_week_content_counts_only_what_is_dated_by_its_sunday(weekly_repo):
    report = weekly_report(open_repository(weekly_repo), "2024-W14")
    assert (report.start, report.end, report.report_date) == (D(2024, 4, 1), D(2024, 4, 7), D(2024, 4, 8))
    assert [s.task.id for s in report.newly_overdue] == ["T-2-1-01"]
    assert [s.task.id for s in report.newly_closed] == ["T-2-1-02"]
    assert [(s.task.id, s.days_overdue) for s in report.overdue] == [("T-2-1-01", 7)]
    texts = [c.text for c in report.changes]
    assert any("征求意见未返回" in t for t in texts)
    assert not any("下周的进展" in t for t in texts)  # dated 04-09, after the week
    md = render(report)
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings[:4] == ["## 一、总体情况", "## 二、本周新销号和新增逾期任务", "## 三、逾期未完成任务", "## 四、14天内到期任务"]
    assert "2024年4月1日—4月7日（2024-W14）" in md
    next_week = weekly_report(open_repository(weekly_repo), "2024-W15")
    assert next_week.newly_overdue == [] and next_week.overdue[0].days_overdue == 14
    assert "逾期未完成1项" in summary(next_week)


def run(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "duban", *args], cwd=cwd, capture_output=True, text=True, env=env)


def test_cli_writes_all_files_and_rebuilds_identically(weekly_repo, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    proc = run("report", "weekly", "--week", "2024-W14", "--out", str(first), cwd=weekly_repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "2024-W14"
    names = sorted(p.name for p in first.iterdir())
    for expected in ("2024-W14.md", "2024-W14.docx", "2024-W14.xlsx", "2024-W14.summary.md"):
        assert expected in names
    assert run("report", "weekly", "--as-of", "2024-04-03", "--out", str(second), cwd=weekly_repo).returncode == 0
    assert sorted(p.name for p in second.iterdir()) == names
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_cli_week_errors(weekly_repo):
    proc = run("report", "weekly", "--week", "2024-23", cwd=weekly_repo)
    assert proc.returncode == 2 and "格式不对" in proc.stderr
    proc = run("report", "weekly", "--week", "2024-W10", "--as-of", "2024-03-01", cwd=weekly_repo)
    assert proc.returncode == 2


class _Robot(http.server.BaseHTTPRequestHandler):
    received: list = []
    answer = {"errcode": 0, "errmsg": "ok"}

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, json.loads(body)))
        data = json.dumps(type(self).answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    _Robot.received = []
    _Robot.answer = {"errcode": 0, "errmsg": "ok"}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Robot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_notify_command_posts_the_summary(weekly_repo, tmp_path, robot, monkeypatch):
    out = tmp_path / "out"
    assert run("report", "weekly", "--week", "2024-W14", "--out", str(out), cwd=weekly_repo).returncode == 0
    env = {k: v for k, v in __import__("os").environ.items() if not k.lower().endswith("_proxy")}
    env.update(DUBAN_WEBHOOK_URL=f"http://127.0.0.1:{robot.server_port}/cgi-bin/webhook/send?key=secret-key",
               DUBAN_WEBHOOK_KIND="wecom")
    proc = run("notify", str(out / "2024-W14.summary.md"), "--title", "周报 2024-W14",
               "--link", "http://intranet.example/reports/weekly/2024-W14/", cwd=weekly_repo, env=env)
    assert proc.returncode == 0, proc.stderr
    [(path, payload)] = _Robot.received
    assert payload["msgtype"] == "markdown"
    assert "逾期未完成1项" in payload["markdown"]["content"]
    assert "reports/weekly/2024-W14/" in payload["markdown"]["content"]
    _Robot.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    proc = run("notify", str(out / "2024-W14.summary.md"), cwd=weekly_repo, env=env)
    assert proc.returncode == 1 and "发送失败" in proc.stderr and "secret-key" not in proc.stderr
    env.pop("DUBAN_WEBHOOK_URL")
    proc = run("notify", str(out / "2024-W14.summary.md"), cwd=weekly_repo, env=env)
    assert proc.returncode == 0 and "跳过" in proc.stdout
