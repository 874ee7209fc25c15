"""``duban serve``: an editor changes a record and sees it on reload; a broken record keeps the last good site."""

import datetime as dt
import socket
import threading
import time
import urllib.request

from conftest import make_site_repo
from duban.outputs.site.serve import serve


def site_repo(target):
    repo = make_site_repo(target)
    plan = repo / "records/plans/testplan.yaml"  # a short archive: the plan starts a few weeks before as-of
    plan.write_text(plan.read_text(encoding="utf-8").replace("issue_date: 2023-01-03", "issue_date: 2024-03-18"),
                    encoding="utf-8")
    return repo


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def wait_for(predicate, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_serve_rebuilds_on_change_and_keeps_last_good_site(tmp_path):
    repo = site_repo(tmp_path / "repo")
    port = free_port()
    stop = threading.Event()
    outcomes = []
    thread = threading.Thread(target=serve, kwargs=dict(
        root=repo, site_dir=repo / "site", host="127.0.0.1", port=port, as_of=lambda: dt.date(2024, 4, 7),
        workers=1, report=outcomes.append, say=lambda text: None, interval=0.3, stop=stop), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/tasks/T-2-1-01/"
    try:
        assert wait_for(lambda: _get(url) and "制定办法" in _get(url)), outcomes
        assert "数据截至" in fetch(url)
        task = repo / "records/tasks/T-2-1-01.yaml"
        task.write_text(task.read_text(encoding="utf-8").replace("title: 制定办法", "title: 制定并印发实施办法"),
                        encoding="utf-8")
        assert wait_for(lambda: "制定并印发实施办法" in (_get(url) or ""))
        bad = repo / "records/units/cc.yaml"
        bad.write_text("id: cc\nname: 丙局\nkind: 局\n", encoding="utf-8")
        assert wait_for(lambda: any(not o.report.ok for o in outcomes))
        assert "制定并印发实施办法" in fetch(url)  # the last good site is still served
        assert any("单位类别“局”未在" in p.message for o in outcomes for p in o.report.problems)
    finally:
        stop.set()
        thread.join(timeout=30)


def _get(url):
    try:
        return fetch(url)
    except OSError:
        return None
