"""The CMS admin page in a real Chromium against the real local backend (``decap-server`` in git mode).

The vendored bundle is checked against what ``npm ci`` makes of the lock file, and the same install provides
``decap-server``: it runs ``npm ci`` once into a cache folder keyed by the lock file (``$DUBAN_NPM_CACHE``, default
``~/.cache/duban/npm``). Without npm (or without Chromium) the module is skipped, except under CI, where it fails.
When ``DUBAN_SCREENSHOTS`` names a folder, the admin page and the filled form are saved there for the guide.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, make_site_repo
from conftest import unavailable as missing
from duban.cli import main
from duban.outputs.site import bundle
from duban.outputs.site.build import build_site
from test_browser import TIMEOUT_MS, Server, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow  # npm, a browser and a local git server: skip locally with -m "not slow"

NPM_INSTALL = "install Node.js 20 and npm (`apt-get install nodejs npm`); the npm registry must be reachable once"
DAY = dt.date(2024, 3, 31)
TEXT = "完成实施办法初稿，征求各成员单位意见。"
EVIDENCE = "https://example.gov.cn/a/1"
# a late report on the weekly T-2-2-01: on 12 March for the week of 4 March, the editor picking that week's Wednesday
LATE = {"date": "2024-03-12", "period": "2024-03-06", "text": "补报：3月6日召开协调会议。"}
LATE_FILE = "records/updates/T-2-2-01/2024-03-12-aa.yaml"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=测试", "-c", "user.email=test@example.invalid", *args], cwd=repo,
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def modules() -> Path:
    """``node_modules`` of ``npm ci`` with duban's lock file, cached by the lock file's hash."""
    npm = shutil.which("npm")
    if npm is None:
        missing("npm is not installed", NPM_INSTALL)
    lock = bundle.BUNDLE_DIR / "package-lock.json"
    key = hashlib.sha256(lock.read_bytes() + (bundle.BUNDLE_DIR / "package.json").read_bytes()).hexdigest()[:16]
    cache = Path(os.environ.get("DUBAN_NPM_CACHE") or Path.home() / ".cache" / "duban" / "npm") / key
    done = cache / ".complete"
    if not done.exists():
        if cache.exists():
            shutil.rmtree(cache)
        cache.mkdir(parents=True)
        shutil.copyfile(bundle.BUNDLE_DIR / "package.json", cache / "package.json")
        shutil.copyfile(lock, cache / "package-lock.json")
        run = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=cache,
                             capture_output=True, text=True, timeout=900)
        if run.returncode != 0:
            missing(f"npm ci failed: {run.stderr[-2000:]}", NPM_INSTALL)
        done.write_text("ok\n")
    return cache / "node_modules"


def test_vendored_bundle_is_what_npm_ci_installs(modules):
    installed = modules / "decap-cms" / "dist" / "decap-cms.js"
    recorded = bundle.BUNDLE_SUM.read_text(encoding="utf-8").split()[0]
    assert hashlib.sha256(installed.read_bytes()).hexdigest() == recorded
    assert hashlib.sha256(bundle.BUNDLE.read_bytes()).hexdigest() == recorded
    assert bundle.bundle_files()[0] == recorded


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError("decap-server exited (its output is in decap-server.log)")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("decap-server did not start")


@pytest.fixture
def cms(tmp_path, modules):
    """A test repository under git with decap-server (MODE=git) in it and a site built for the local backend."""
    repo = make_site_repo(tmp_path / "repo")
    shutil.copyfile(ROOT / ".gitignore", repo / ".gitignore")  # as in a real checkout: caches and the site stay out
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "测试仓库")
    port = _free_port()
    env = {**os.environ, "MODE": "git", "PORT": str(port), "BIND_HOST": "127.0.0.1", "GIT_REPO_DIRECTORY": str(repo),
           "LOG_LEVEL": "error"}
    log = open(tmp_path / "decap-server.log", "w")  # a file, not a pipe nobody reads
    proc = subprocess.Popen([str(modules / ".bin" / "decap-server")], cwd=repo, env=env,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for(port, proc)
        outcome = build_site(repo, DAY, site_dir=tmp_path / "site", build_dir=tmp_path / "build", today=DAY,
                             cms_local=port)
        assert outcome.report.ok, outcome.report.problems
        server = Server(tmp_path / "site")
        try:
            yield repo, server
        finally:
            server.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _shots() -> Path | None:
    folder = os.environ.get("DUBAN_SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)


def _choose(page, field_id: str, text: str) -> None:
    """Pick an option of a Decap select or relation (react-select) by typing and choosing the matching option."""
    control = page.locator(f"#{field_id}").locator("xpath=ancestor::div[contains(@class,'-control')][1]")
    control.click()
    page.keyboard.type(text)
    page.get_by_role("option", name=text, exact=False).first.click()


def _pick(page, label: str, text: str, attempts: int = 10) -> None:
    """``_choose`` by the field's label, found again on each attempt: while a relation widget loads its options
    Decap re-renders the form, and the control found a moment ago is detached (and may get another id)."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(attempts):
        try:
            control = page.locator(f"#{_field_id(page, label)}").locator("xpath=ancestor::div[contains(@class,'-control')][1]")
            control.click(timeout=3_000)
            page.keyboard.type(text)
            page.get_by_role("option", name=text, exact=False).first.click(timeout=3_000)
            return
        except PlaywrightError:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)


def _options(page, field_id: str) -> list[str]:
    control = page.locator(f"#{field_id}").locator("xpath=ancestor::div[contains(@class,'-control')][1]")
    control.click()
    page.get_by_role("option").first.wait_for()
    names = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return names


def _field_id(page, label: str) -> str:
    return page.locator("label", has_text=label).first.get_attribute("for")


def _wait_branches(page, repo: Path, count: int, seconds: float = 60) -> None:
    """Wait for decap-server to have committed to ``count`` cms/ branches, waiting through the page (Playwright's sync API
    runs the route handler, which lets the page's requests through, only while it is called)."""
    end = time.monotonic() + seconds

    def saved() -> list[str]:  # decap-server makes a branch, then commits to it
        return [b for b in _cms_branches(repo) if _git(repo, "rev-list", "--count", f"main..{b}").strip() != "0"]

    while len(saved()) < count:
        assert time.monotonic() < end, f"decap-server committed to {saved()}, not to {count} cms/ branches"
        page.wait_for_timeout(200)


def _cms_branches(repo: Path) -> list[str]:
    return [b.strip() for b in _git(repo, "branch", "--list", "cms/*", "--format=%(refname:short)").splitlines()]


def _set_date(page, field_id: str, text: str) -> str:
    """Put ``text`` into a date box the way the browser takes any input (its value sanitisation) and tell React;
    return the box's value afterwards: '' when the browser refuses the date."""
    return page.locator(f"#{field_id}").evaluate(
        """(box, text) => {
            const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
            set.call(box, text);
            box.dispatchEvent(new Event("input", {bubbles: true}));
            box.dispatchEvent(new Event("change", {bubbles: true}));
            return box.value;
        }""", text)


def test_progress_update_through_the_cms(cms, browser, tmp_path, monkeypatch, capsys):  # noqa: F811
    repo, server = cms
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 1400}, locale="zh-CN")

    def route(r):
        url = r.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    context.route("**/*", route)
    errors: list[tuple[str, str]] = []
    steps: list[str] = []  # where the page is: an error is reported with the step it happened in

    def new_page():
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda e: errors.append((steps[-1] if steps else "", e.message)))
        return page

    page = new_page()
    shots = _shots()
    try:
        page.goto(server.base + "admin/")
        assert page.title() == "记录填报后台"
        page.get_by_role("button", name="登录").click(timeout=ADMIN_START_MS)
        page.get_by_text("集合").first.wait_for()
        for kind in ("工作方案", "单位", "任务", "进展情况"):
            assert page.get_by_role("link", name=kind).count() >= 1, kind
        if shots:
            page.get_by_text("正在加载内容").first.wait_for(state="hidden")
            page.screenshot(path=str(shots / "cms-admin.png"))

        page.goto(server.base + "admin/#/collections/update/new")
        page.get_by_text("正在集合“进展情况”中编写").wait_for()
        labels = [t.strip() for t in page.locator("form label, label").all_inner_texts()]
        for want in ("任务编号", "报送单位", "报送日期", "所属周期 (可选)", "进展状态", "进展内容", "佐证材料 (可选)"):
            assert want in labels, (want, labels)
        assert "演示数据" not in " ".join(labels)
        task, unit, date = _field_id(page, "任务编号"), _field_id(page, "报送单位"), _field_id(page, "报送日期")
        state, text = _field_id(page, "进展状态"), _field_id(page, "进展内容")
        assert _options(page, task) == ["T-2-1-01 制定办法", "T-2-2-01 乡镇每周召开协调会议"]
        assert sorted(_options(page, unit)) == sorted(["甲镇（aa）", "乙局（bb）", "督查室（sup）"])
        assert _options(page, state) == ["推进中", "已完成", "受阻"]

        _choose(page, task, "T-2-1-01")
        _choose(page, unit, "甲镇")
        _choose(page, state, "推进中")
        # an impossible date: the date box cannot hold it (stays empty), so saving stops at the required date
        assert _set_date(page, date, "2024-02-30") == ""
        page.locator(f"#{text}").fill(TEXT + "联系人13912345678")
        steps.append("refused save")
        page.get_by_role("button", name="保存").click()
        page.get_by_text("“报送日期”是必填项").wait_for()
        page.get_by_text("“进展内容”不满足模式：不得填写手机号码或身份证号").wait_for()
        assert _cms_branches(repo) == []
        if shots:
            page.screenshot(path=str(shots / "cms-refused.png"), full_page=True)

        assert _set_date(page, date, "2024-03-05") == "2024-03-05"
        page.locator(f"#{text}").fill(TEXT)
        page.get_by_role("button", name="新增佐证材料").click()
        page.locator("input[id^='item-field']").last.fill(EVIDENCE)
        if shots:
            page.get_by_text("你漏掉了一个必填项").first.wait_for(state="hidden", timeout=30_000)  # the toast fades
            page.screenshot(path=str(shots / "cms-update-form.png"), full_page=True)
        steps.append("save")
        page.get_by_role("button", name="保存").click()
        page.get_by_text("内容已保存").wait_for()
        _wait_branches(page, repo, 1)

        # another report by the same unit on the same day: duban's -2 counter, never over the first
        steps.append("second")
        page = _new_entry(page, new_page, server)
        _pick(page, "任务编号", "T-2-1-01")
        _pick(page, "报送单位", "甲镇")
        _pick(page, "进展状态", "受阻")
        assert _set_date(page, _field_id(page, "报送日期"), "2024-03-05") == "2024-03-05"
        page.locator(f"#{_field_id(page, '进展内容')}").fill("征求意见时发现口径不一，需协调。")
        page.get_by_role("button", name="保存").click()
        page.get_by_text("内容已保存").wait_for()
        _wait_branches(page, repo, 2)

        # a late report credited to an earlier week, by any day of it (the hint says so)
        steps.append("late")
        page = _new_entry(page, new_page, server)
        _pick(page, "任务编号", "T-2-2-01")
        _pick(page, "报送单位", "甲镇")
        _pick(page, "进展状态", "推进中")
        page.get_by_text("选该周期内的任一天即可").first.wait_for()  # the field's hint, from the schema
        assert _set_date(page, _field_id(page, "报送日期"), LATE["date"]) == LATE["date"]
        assert _set_date(page, _field_id(page, "所属周期"), LATE["period"]) == LATE["period"]
        page.locator(f"#{_field_id(page, '进展内容')}").fill(LATE["text"])
        page.get_by_role("button", name="保存").click()
        page.get_by_text("内容已保存").wait_for()
        _wait_branches(page, repo, 3)
    finally:
        context.close()
    assert outside == [], f"the admin page asked for another host: {outside}"

    branches = _cms_branches(repo)
    assert len(branches) == 3 and all(b.startswith("cms/update/") for b in branches), branches
    saved = {tuple(_git(repo, "diff", "--name-only", "main", b).split()): b for b in branches}  # one file a branch
    first, second = "records/updates/T-2-1-01/2024-03-05-aa.yaml", "records/updates/T-2-1-01/2024-03-05-aa-2.yaml"
    assert set(saved) == {(first,), (second,), (LATE_FILE,)}, saved
    assert "state: 受阻" in _git(repo, "show", f"{saved[(second,)]}:{second}")
    assert f"period: {LATE['period']}" in _git(repo, "show", f"{saved[(LATE_FILE,)]}:{LATE_FILE}")  # the day picked

    # each saved entry, on its branch: valid as the CMS wrote it, and `duban fmt` makes it the bytes
    # `duban new update` writes (the late one's period becomes the Monday of its week, as the CLI stores it)
    cli = ["new", "update", "--unit", "aa", "--yes", "--no-input"]
    for file, args in ((first, ["T-2-1-01", "--date", "2024-03-05", "--state", "推进中", "--text", TEXT,
                                "--evidence", EVIDENCE]),
                       (LATE_FILE, ["T-2-2-01", "--date", LATE["date"], "--period", LATE["period"], "--state", "推进中",
                                    "--text", LATE["text"]])):
        checkout = tmp_path / f"checkout-{Path(file).stem}"
        _git(tmp_path, "clone", "-q", "--branch", saved[(file,)], str(repo), str(checkout))  # decap-server owns repo's tree
        monkeypatch.chdir(checkout)
        assert main(["--root", str(checkout), "validate", "--today", DAY.isoformat()]) == 0, capsys.readouterr()
        assert main(["--root", str(checkout), "fmt", file]) == 0
        by_cms = (checkout / file).read_bytes()
        by_cli = _cli_update(tmp_path / f"cli-{Path(file).stem}", monkeypatch, capsys, [*cli, *args], file)
        assert by_cms == by_cli, (by_cms.decode(), by_cli.decode())
    assert b"\nperiod: 2024-03-04\n" in by_cms
    # Decap rejects a save it refuses with no reason (persistEntry's `return Promise.reject()`), which the page
    # reports as an uncaught "undefined"; any other error fails
    assert [e for e in errors if e != ("refused save", "undefined")] == []


# the admin page's first screen waits for Decap's 5 MB script: on a loaded 2-core machine (CI beside other work)
# that took over 15 s, so these waits get a minute (a page that never shows a button still fails)
ADMIN_START_MS = 60_000


def _new_entry(page, new_page, server):
    """Open a new progress update on a fresh page, and close the last one. Decap keeps the last entry's draft in its
    store across in-page navigation, and a new entry opened from there may be saved over the last one's branch; and
    an editor whose save the page has not yet taken in (the commit is on the branch before the answer reaches the
    page) blocks a navigation away with a dialog, so the old page must not be navigated at all."""
    page.close()
    page = new_page()
    page.goto(server.base + "admin/#/collections/update")
    login = page.get_by_role("button", name="登录")
    create = page.locator('[aria-label="创建“进展情况”类型的内容"]')
    # whichever the admin page shows first, however long its script takes to load (the local backend may
    # remember the user): a fixed wait for the login button let a slow start skip the login and fail
    login.or_(create).first.wait_for(timeout=ADMIN_START_MS)
    if login.is_visible():
        login.click()
    create.click()
    page.get_by_text("正在集合“进展情况”中编写").wait_for()
    page.locator("label", has_text="任务编号").first.wait_for()
    return page


def _cli_update(target: Path, monkeypatch, capsys, args: list[str], file: str) -> bytes:
    repo = make_site_repo(target)
    monkeypatch.chdir(repo)
    code = main(["--root", str(repo), *args])
    assert code == 0, capsys.readouterr()
    return (repo / file).read_bytes()


BACKENDS = {
    "github": ("cms:\n  backend: github\n  repo: pingan/duban\n  base_url: https://auth.example.gov.cn\n", "使用 GitHub 登录"),
    "forgejo": ("cms:\n  backend: forgejo\n  repo: pingan/duban\n  api_root: https://git.example.gov.cn/api/v1\n"
                "  app_id: duban-cms\n", "使用 Forgejo 登录"),  # a phrase duban-cms.js supplies
    "gitea": ("cms:\n  backend: gitea\n  repo: pingan/duban\n  base_url: https://gitea.example.gov.cn\n"
              "  api_root: https://gitea.example.gov.cn/api/v1\n  app_id: duban-cms\n", "使用 Gitea 登录"),
}


@pytest.mark.parametrize("name", list(BACKENDS))
def test_each_backend_config_is_accepted_by_decap(name, tmp_path, browser):  # noqa: F811
    """Decap checks its config against its own schema when the page loads: the config duban generates for each
    backend must load to the login page (in Chinese), asking nothing of another host before the editor logs in."""
    from duban.outputs.site.admin import write_admin
    from duban.records.kinds import load_registry

    repo = make_site_repo(tmp_path / "repo")
    settings, button = BACKENDS[name]
    with open(repo / "schemas/settings.yaml", "a", encoding="utf-8") as f:
        f.write(settings)
    write_admin(tmp_path / "site", load_registry(repo / "schemas"))
    server = Server(tmp_path / "site")
    outside: list[str] = []
    context = browser.new_context(locale="zh-CN")
    try:
        def route(r):
            if urlsplit(r.request.url).hostname in ("127.0.0.1", "localhost"):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(server.base + "admin/")
        page.get_by_role("button", name=button).first.wait_for()
        assert "配置错误" not in page.inner_text("body") and "Config Errors" not in page.inner_text("body")
    finally:
        context.close()
        server.close()
    assert outside == []
