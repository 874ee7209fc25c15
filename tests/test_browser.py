"""The built site in a real headless Chromium (Playwright): loading, search, table tools, pages.

Needs the Python package ``playwright`` and a Chromium (``DUBAN_CHROMIUM=/path``,
Debian's ``/usr/bin/chromium``, ``chromium``/``chromium-browser`` on PATH, or
Playwright's own download). Without them the module is skipped, except under CI
(environment variable ``CI`` set), where it fails. Screenshots go to
``tests/artifacts/``.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import unavailable as missing
from sitebuild import AS_OF, AS_OF_TEXT, ROOT, ClientSearch, hostile_site, shipped_site

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TIMEOUT_MS = 15_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
INSTALL = "install with `apt-get install chromium fonts-noto-cjk` and `pip install 'playwright>=1.40,<2'`"
PLAN = "plan/quantai-2023-46/"
pytestmark = pytest.mark.slow  # a real browser: skip locally with -m "not slow"


def unavailable(reason: str):
    missing(reason, INSTALL)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the Python package playwright is not installed")
    candidates = [os.environ.get("DUBAN_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                  shutil.which("chromium-browser")]
    executable = next((c for c in candidates if c and Path(c).is_file()), None)
    with sync_playwright() as p:
        if executable is None and not Path(p.chromium.executable_path).is_file():
            unavailable("no Chromium found ($DUBAN_CHROMIUM, /usr/bin/chromium, chromium or chromium-browser on PATH, "
                        "Playwright's own)")
        b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS, timeout=TIMEOUT_MS)
        yield b
        b.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the browser drops connections when it navigates away mid-download


class Server:
    """A built site served over HTTP on 127.0.0.1 (any free port) from a thread."""

    def __init__(self, directory: Path):
        self.httpd = _QuietServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        self.base = f"http://{self.host}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def site(browser):
    """The shared build of the shipped repository, served."""
    built = shipped_site()
    assert built.outcome.report.ok, "\n".join(p.message for p in built.outcome.report.problems)
    server = Server(built.site)
    yield server
    server.close()


class Tab:
    """A fresh page that records every request and every console error."""

    def __init__(self, browser, server: Server):
        self.site = server
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.set_default_navigation_timeout(TIMEOUT_MS)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def _route(self, route):
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != self.site.host:
            route.abort()  # recorded by the request listener; never leave the machine
        else:
            route.continue_()

    def open(self, url: str):
        self.page.goto(self.site.base + url, wait_until="load")
        return self.page

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests
                if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).netloc != self.site.host]


@pytest.fixture
def tab(browser, site):
    t = Tab(browser, site)
    yield t
    t.context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


# ---------------------------------------------------------------- tests

def test_home_page_loads_cleanly_and_locally(tab):
    page = tab.open("")
    page.wait_for_load_state("networkidle")
    assert "督办" in page.title()
    assert page.locator(".duban-asof strong").first.inner_text() == AS_OF_TEXT
    assert page.locator(".duban-card").count() >= 4
    for img in page.locator("article img").all():  # the charts are drawn
        assert img.evaluate("i => i.complete && i.naturalWidth > 0"), img.get_attribute("src")
    screenshot(page, "home.png")
    assert not tab.errors, tab.errors
    assert tab.requests and not tab.foreign_requests(), tab.foreign_requests()


def test_search_model_agrees_with_the_real_search_worker(tab):
    """test_site.py checks search with a Python model of Material's worker; here the worker itself answers."""
    page = tab.open("")
    queries = ["枫桥经验", "应评尽评", "燃气", "共享", "军人", "资源"]
    answers = page.evaluate("""async (queries) => {
        const config = JSON.parse(document.getElementById("__config").textContent);
        const worker = new Worker(new URL(config.search, location.href));
        const index = await (await fetch("search/search_index.json")).json();
        const ask = message => new Promise(resolve => {
            worker.onmessage = event => resolve(event.data);
            worker.postMessage(message);
        });
        await ask({type: 0, data: {...index, options: {suggest: false}}});  // SETUP
        const out = {};
        for (const q of queries) {
            const result = await ask({type: 2, data: q});                     // QUERY
            out[q] = result.data.items.map(group => group.map(item => item.location));
        }
        worker.terminate();
        return out;
    }""", queries)
    model = ClientSearch(shipped_site().search_index())
    for q in queries:
        real = {loc.split("#")[0] for group in answers[q] for loc in group}
        assert real == model.pages(q, all_terms=False), q
    assert any(loc.startswith(PLAN) for group in answers["军人"] for loc in group)  # inside 退役军人


def test_chinese_search_lists_the_plan_and_lands_on_the_clause(tab):
    index = shipped_site().search_index()
    clause = next(d["location"] for d in index["docs"]
                  if d["location"].startswith(PLAN + "#clause-") and "枫桥经验" in d["text"].replace("\u200b", ""))
    anchor = clause.split("#")[1]
    page = tab.open("")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("枫桥经验")
    box.press("End")  # Material searches on keyup; typed CJK text arrives as input events only
    page.locator(".md-search-result__meta", has_text="个符合条件的结果").wait_for()
    link = page.locator(f'a.md-search-result__link[href*="{PLAN}"][href$="#{anchor}"]').first
    link.wait_for()
    link.click()
    page.wait_for_url(re.compile(rf".*/{re.escape(PLAN)}.*#{anchor}$"))
    heading = page.locator(f"[id='{anchor}']")
    heading.wait_for()
    assert heading.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")
    section = page.evaluate("""id => {
        let text = "", e = document.getElementById(id).nextElementSibling;
        while (e && !/^H[1-3]$/.test(e.tagName)) { text += e.textContent; e = e.nextElementSibling; }
        return text;
    }""", anchor)
    assert "枫桥经验" in section
    assert not tab.errors, tab.errors


def column(table, index: int) -> list[str]:
    return table.locator("tbody tr").evaluate_all(
        "(rows, i) => rows.filter(r => !r.hidden).map(r => r.cells[i].textContent.trim())", index)


def test_task_table_sorts_and_filters(tab):
    page = tab.open("tasks/")
    table = page.locator("article table").first
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    due, ids, state = headers.index("时限"), headers.index("编号"), headers.index("状态")
    before, before_ids = column(table, due), column(table, ids)
    assert len(before) > 20 and all(re.search(r"\d{4}-\d{2}-\d{2}", v) for v in before)

    def date_of(value):  # duban.js sorts a cell by the date it holds ("2024-06-30（已延期）", "每月，本期至 2024-04-30")
        return re.search(r"\d{4}-\d{2}-\d{2}", value).group()

    table.locator("thead th").nth(due).click()
    assert table.locator("thead th").nth(due).get_attribute("aria-sort") == "ascending"
    ascending = [date_of(v) for v in column(table, due)]
    assert ascending == sorted(ascending) and ascending != [date_of(v) for v in before]
    assert column(table, ids) != before_ids
    table.locator("thead th").nth(due).click()
    assert table.locator("thead th").nth(due).get_attribute("aria-sort") == "descending"
    descending = [date_of(v) for v in column(table, due)]
    assert descending == sorted(descending, reverse=True)

    tools = page.locator(".duban-tools").first
    tools.locator("input[type=search]").fill("T-2-6-05")
    expected = [i for i in before_ids if "t-2-6-05" in i.lower()]
    assert expected and sorted(column(table, ids)) == sorted(expected)
    assert tools.locator(".duban-count").inner_text() == f"显示 {len(expected)} / {len(before_ids)} 行"
    tools.locator("input[type=search]").fill("")
    assert len(column(table, ids)) == len(before_ids)
    states = column(table, state)
    label = sorted(set(states), key=states.count)[0]  # the rarest state
    tools.locator(f'select[aria-label="按{headers[state]}筛选"]').select_option(label)
    assert column(table, state) == [label] * states.count(label)
    assert not tab.errors, tab.errors


@pytest.fixture(scope="module")
def snapshot():
    from duban.engine.snapshot import evaluate
    from duban.records.model import open_repository

    return evaluate(open_repository(ROOT), AS_OF)


def test_unit_page_lists_its_overdue_work(tab, snapshot):
    """Overdue tasks of a lead unit come first on its page; overdue cases are listed under their register."""
    overdue_tasks, overdue_cases = snapshot.overdue_tasks(), snapshot.overdue_cases()
    assert overdue_tasks or overdue_cases, f"nothing overdue on {AS_OF}: pick another date for this test"
    checked = 0
    if overdue_tasks:
        unit = overdue_tasks[0].task.lead_units[0]
        mine = [st.task.id for st in overdue_tasks if unit in st.task.lead_units]
        page = tab.open(f"units/{unit}/")
        table = page.locator("article h2", has_text="牵头任务").locator("xpath=following::table[1]")
        rows = column(table, 0)
        assert rows[:len(mine)] == mine, (unit, mine, rows[:5])  # overdue first, longest overdue first
        checked += 1
    if overdue_cases:
        unit = overdue_cases[0].case.unit
        page = tab.open(f"units/{unit}/")
        for case_id in [c.case.id for c in overdue_cases if c.case.unit == unit]:
            row = page.locator("article table tbody tr", has_text=case_id)
            assert row.count() == 1, (unit, case_id)
            assert "逾期" in row.locator(".duban-badge").inner_text()
        checked += 1
    assert checked
    assert not tab.errors, tab.errors


def test_task_page_shows_its_timeline(tab, snapshot):
    repo = snapshot.repo
    updated = {tid: sorted((u.date for u in repo.updates_of(tid) if u.date <= AS_OF), reverse=True)
               for tid in sorted(snapshot.tasks)}
    task = max((tid for tid in updated if updated[tid]), key=lambda tid: (len(updated[tid]), tid))  # busiest
    dates = updated[task]
    page = tab.open(f"tasks/{task}/")
    heading = page.locator("article h2", has_text="时间线")
    heading.wait_for()
    entries = page.locator("article h2:has-text('时间线') + ul > li").all_inner_texts()
    shown = [e[:10] for e in entries]
    assert entries and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in shown), entries[:3]
    assert shown == sorted(shown, reverse=True) and dates[0].isoformat() in shown
    assert page.locator(".duban-asof strong").first.inner_text() == AS_OF_TEXT
    screenshot(page, "task.png")
    screenshot(tab.open(PLAN), "plan.png")
    assert not tab.errors, tab.errors


def test_hostile_record_values_run_no_script(browser):
    """Pages built from records holding <script>, onerror=, javascript: and </title> run nothing."""
    root = hostile_site()
    server = Server(root)
    tab = Tab(browser, server)
    dialogs: list[str] = []
    tab.page.on("dialog", lambda d: (dialogs.append(f"{tab.page.url}: {d.message}"), d.dismiss()))
    try:
        pages = sorted(p.parent.relative_to(root).as_posix() for p in root.rglob("index.html")
                       if "reports/weekly/" not in p.as_posix())
        assert len(pages) > 8
        for url in pages:
            page = tab.open("" if url == "." else url + "/")
            assert page.locator("a[href^='javascript:' i], [onerror], [onload]").count() == 0, url
        assert not dialogs, dialogs
    finally:
        tab.context.close()
        server.close()


# ---------------------------------------------------------------- the leader's view


def test_home_cards_are_coloured_by_level_and_units_ranked(tab, snapshot):
    from duban.engine.ranking import ranked

    page = tab.open("")
    cards = page.locator(".duban-card")
    assert cards.count() == 7
    overdue = cards.filter(has_text="逾期任务").first
    value = int(overdue.locator(".duban-card-value").inner_text())
    colour = overdue.evaluate("e => getComputedStyle(e).borderTopColor")
    red = snapshot.settings.colour("红").lstrip("#")
    rgb = f"rgb({int(red[0:2], 16)}, {int(red[2:4], 16)}, {int(red[4:6], 16)})"
    assert (colour == rgb) == (value > 0), (colour, value)
    assert all("较上周" in t for t in cards.locator(".duban-card-change").all_inner_texts())
    groups = ranked(snapshot)
    for group, units in groups:
        heading = page.locator("article h3", has_text=group).first
        table = heading.locator("xpath=following::table[1]")
        names = column(table, 1)
        assert names == [f.name for f in units], group  # best first, as the engine ranks
        badges = table.locator(".duban-badge")
        assert badges.count() == len(units)
        levels = {b.inner_text() for b in badges.all()}
        assert levels <= set(snapshot.settings.levels)
    screenshot(page, "home.png")
    assert not tab.errors, tab.errors


def test_sorting_task_ids_is_natural_and_states_sort_by_urgency(tab, snapshot):
    from duban.zh import natural_key

    page = tab.open("tasks/")
    table = page.locator("article table").first
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    table.locator("thead th").nth(headers.index("编号")).click()
    ids = [i.lstrip("└ ").strip() for i in column(table, headers.index("编号"))]
    assert ids == sorted(ids, key=natural_key)
    assert ids.index("T-2-9-03") < ids.index("T-2-10-01")  # not T-2-10 before T-2-9
    table.locator("thead th").nth(headers.index("状态")).click()
    urgency = table.locator("tbody tr td:nth-child(%d) .duban-badge" % (headers.index("状态") + 1))
    order = [int(v) for v in urgency.evaluate_all("els => els.map(e => e.dataset.sort)")]
    assert order == sorted(order) and order[0] < order[-1]
    assert not tab.errors, tab.errors


def test_tables_become_cards_on_a_phone(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
    try:
        page = context.new_page()
        page.goto(site.base + "status/lagging/", wait_until="load")
        row = page.locator("article table tbody tr").first
        assert row.evaluate("e => getComputedStyle(e).display") == "flex"
        assert page.locator("article table thead").first.evaluate("e => getComputedStyle(e).display") == "none"
        cells = row.locator("td")
        tops = cells.evaluate_all("els => els.map(e => [e.dataset.label, e.getBoundingClientRect().top])")
        first = min(tops, key=lambda t: t[1])
        assert first[0] == "状态", tops  # the state comes first on a card
        assert row.evaluate("e => e.getBoundingClientRect().width") <= 390
        screenshot(page, "phone-lagging.png")
        page.goto(site.base, wait_until="load")
        for img in page.locator(".duban-chart img").all():
            # 640-unit wide charts with 11-unit labels: at 640 px or more the labels stay at least 11 px
            assert img.evaluate("e => e.getBoundingClientRect().width") >= 640
        screenshot(page, "phone-home.png")
    finally:
        context.close()


@pytest.mark.parametrize("query, unit", [("张坂镇", "zhangban"), ("住建局", "zjj"), ("公安分局", "gaj")])
def test_a_units_name_finds_its_page_first(tab, query, unit):
    page = tab.open("")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")
    page.locator(".md-search-result__meta", has_text="个符合条件的结果").wait_for()
    first = page.locator("a.md-search-result__link").first
    first.wait_for()
    assert urlsplit(first.get_attribute("href")).path.rstrip("/").endswith(f"units/{unit}"), first.get_attribute("href")


def test_a_register_keeps_state_and_days_in_view_at_1366_px_and_opens_a_case(browser, site, snapshot):
    kinds = [k.name for k in snapshot.repo.case_kinds() if k.case.limit]
    states = max((snapshot.cases[k] for k in kinds), key=len)
    kind = states[0].case.kind
    unit, year = states[0].case.unit, states[0].start.year
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{site.base}registers/{kind}/{unit}-{year}/", wait_until="load")
        table = page.locator("article table").first
        table.locator("tbody tr").first.wait_for()  # the volume's table is its own file, put in by duban.js
        assert table.locator("xpath=ancestor::div[contains(@class, 'md-typeset__scrollwrap')]").count() == 1
        assert page.locator("article .duban-fragment").count() == 0
        headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
        for name in ("状态", "逾期天数"):
            right = table.locator("thead th").nth(headers.index(name)).evaluate("e => e.getBoundingClientRect().right")
            assert right <= 1366, (name, right, headers)
        row = table.locator("tbody tr").first
        row.locator("details summary").click()
        assert row.locator("details").evaluate("e => e.open")
        assert "说明" in row.locator("details").inner_text()
        last = table.locator("tbody tr").last
        anchor = last.locator("a[id^='case-']").get_attribute("id")
        assert last.evaluate("e => e.getBoundingClientRect().top > innerHeight")  # out of view until linked to
        page.goto(f"{site.base}registers/{kind}/{unit}-{year}/#{anchor}", wait_until="load")
        # a link to a case from another page lands on its row once the table is in (the browser or duban.js scrolls)
        page.locator(f"[id='{anchor}']").wait_for(state="attached")  # an empty anchor: attached, never visible
        page.wait_for_function(f"() => document.getElementById('{anchor}').getBoundingClientRect().top < innerHeight")
        assert page.locator(f"[id='{anchor}']").evaluate("e => e.getBoundingClientRect().top < innerHeight")
        screenshot(page, "register.png")
    finally:
        context.close()


@pytest.fixture(scope="module")
def two_plans(browser, tmp_path_factory):
    """A repository tracking two plans (the test plan and an invented 优化营商环境 plan), built and served."""
    from conftest import CASES, make_site_repo
    from duban.outputs.site.build import build_site

    repo = make_site_repo(tmp_path_factory.mktemp("two-plans") / "repo", CASES / "two-plans")
    outcome = build_site(repo, AS_OF, today=AS_OF)
    assert outcome.report.ok, [p.message for p in outcome.report.problems]
    server = Server(repo / "site")
    yield server
    server.close()


def test_two_plans_are_in_the_nav_and_the_plan_filter_works(browser, two_plans):
    t = Tab(browser, two_plans)
    try:
        page = t.open("")
        nav = page.locator("nav.md-nav--primary").inner_text()
        assert "全部方案" in nav and "测试〔2024〕1号" in nav and "营商〔2024〕3号" in nav
        page = t.open("plans/")
        rows = page.locator("article table tbody tr").all_inner_texts()
        assert [r.split("\t")[0] for r in rows] == ["测试〔2024〕1号", "营商〔2024〕3号"]
        page = t.open("tasks/")
        table = page.locator("article table").first
        headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
        ids, plan = headers.index("编号"), headers.index("方案")
        every = column(table, ids)
        second = sorted(i for i in every if i.startswith("T-1-"))
        assert len(second) == 14 and "T-2-1-01" in every
        tools = page.locator(".duban-tools").first
        tools.locator('select[aria-label="按方案筛选"]').select_option("营商〔2024〕3号")
        assert sorted(column(table, ids)) == second
        assert set(column(table, plan)) == {"营商〔2024〕3号"}
        assert tools.locator(".duban-count").inner_text() == f"显示 14 / {len(every)} 行"
        tools.locator('select[aria-label="按方案筛选"]').select_option("测试〔2024〕1号")
        assert column(table, ids) and not [i for i in column(table, ids) if i.startswith("T-1-")]
        page = t.open("plan/yingshang/")
        assert page.locator("#clause-1-1").count() == 1
        assert "T-1-1-01" in page.locator("article").inner_text()  # the tasks under their clause
        assert not t.errors and not t.foreign_requests(), (t.errors, t.foreign_requests())
    finally:
        t.context.close()
