"""``duban inbox-pr`` against a small fake Gitea API on 127.0.0.1.

The fake follows Gitea's documented shapes (routers/api/v1/repo/pull.go, modules/structs/pull.go): the list is
``GET /api/v1/repos/{owner}/{repo}/pulls?state=open&page=N&limit=M`` answering a JSON array of pull requests with
``number``, ``html_url``, ``head``/``base`` = {``label``, ``ref``, ``sha``, ``repo_id``, ``repo``: {``full_name``}};
creation is ``POST`` of {``head``, ``base``, ``title``, ``body``} answered 201 with the pull request, 409 when one
with the same head and base is open; errors are ``{"message": …, "url": …}``. No real Gitea runs here.
"""

from __future__ import annotations

import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import git, make_repo
from duban.cli import main

TOKEN = "s3cr3t-token-value"
REPO_ID, FORK_ID = 7, 99


def pull(number: int, head: str, base: str = "main", repo_id: int = REPO_ID, full_name: str = "pingan/duban") -> dict:
    def branch(ref, rid, name):
        return {"label": ref, "ref": ref, "sha": "0" * 40, "repo_id": rid,
                "repo": {"id": rid, "full_name": name, "name": name.split("/")[1]}}

    return {"id": 1000 + number, "number": number, "title": f"PR {number}", "state": "open",
            "html_url": f"https://gitea.example.gov.cn/pingan/duban/pulls/{number}",
            "head": branch(head, repo_id, full_name), "base": branch(base, REPO_ID, "pingan/duban")}


class FakeGitea:
    """Open pull requests served page by page; every request recorded (method, path, query, headers, JSON body)."""

    def __init__(self, pulls: list[dict], fail: dict | None = None, conflict: bool = False):
        self.pulls, self.fail, self.conflict = list(pulls), fail or {}, conflict
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, payload) -> None:
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _record(self, body=None) -> dict:
                parts = urlsplit(self.path)
                entry = {"method": self.command, "path": parts.path, "query": parse_qs(parts.query),
                         "auth": self.headers.get("Authorization"), "type": self.headers.get("Content-Type"), "body": body}
                fake.requests.append(entry)
                return entry

            def do_GET(self):
                entry = self._record()
                if entry["path"] != "/api/v1/repos/pingan/duban/pulls":
                    return self._answer(404, {"message": "Not Found", "url": "https://gitea.example.gov.cn/api/swagger"})
                if "GET" in fake.fail:
                    return self._answer(fake.fail["GET"], {"message": "token is required", "url": "x"})
                page, limit = int(entry["query"]["page"][0]), int(entry["query"]["limit"][0])
                self._answer(200, fake.pulls[(page - 1) * limit: page * limit])

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                entry = self._record(json.loads(self.rfile.read(length).decode("utf-8")))
                if "POST" in fake.fail:
                    return self._answer(fake.fail["POST"], {"message": "user does not have permission", "url": "x"})
                if fake.conflict:
                    return self._answer(409, {"message": "pull request already exists for these targets", "url": "x"})
                made = pull(42, entry["body"]["head"], entry["body"]["base"])
                made.update(title=entry["body"]["title"], body=entry["body"]["body"])
                self._answer(201, made)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.api = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def posts(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST"]


@pytest.fixture
def gitea():
    made = []

    def start(*args, **kwargs) -> FakeGitea:
        made.append(FakeGitea(*args, **kwargs))
        return made[-1]

    yield start
    for fake in made:
        fake.close()


def _repo(tmp_path, api: str, extra: str = ""):
    repo = make_repo(tmp_path / "repo")
    with open(repo / "schemas/settings.yaml", "a", encoding="utf-8") as f:
        f.write("cms:\n  backend: gitea\n  repo: pingan/duban\n  base_url: https://gitea.example.gov.cn\n"
                f"  api_root: {api}\n  app_id: duban-cms\n{extra}")
    return repo


@pytest.fixture
def run(capsys, monkeypatch):
    def run(repo, *args, token: str | None = TOKEN):
        if token is None:
            monkeypatch.delenv("DUBAN_INBOX_TOKEN", raising=False)
        else:
            monkeypatch.setenv("DUBAN_INBOX_TOKEN", token)
        code = main(["--root", str(repo), "inbox-pr", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_no_open_pull_request_opens_one_from_the_inbox_to_main(tmp_path, gitea, run):
    # 60 open pull requests over two pages, none from the inbox: one from another branch, one from a fork's
    # branch that happens to be called cms-inbox
    others = [pull(n, f"feature-{n}") for n in range(1, 59)] + [pull(59, "cms-inbox", repo_id=FORK_ID,
                                                                     full_name="someone/duban"), pull(60, "fix")]
    fake = gitea(others)
    repo = _repo(tmp_path, fake.api)
    code, out, err = run(repo, "--pushed", "cms-inbox")
    assert code == 0, err
    assert out == "已开合并请求 #42：cms-inbox → main，https://gitea.example.gov.cn/pingan/duban/pulls/42\n"
    gets = [r for r in fake.requests if r["method"] == "GET"]
    assert [r["query"]["page"] for r in gets] == [["1"], ["2"], ["3"]]  # read until an empty page
    assert all(r["query"]["state"] == ["open"] for r in gets)
    [post] = fake.posts()
    assert post["path"] == "/api/v1/repos/pingan/duban/pulls" and post["type"] == "application/json"
    assert post["body"]["head"] == "cms-inbox" and post["body"]["base"] == "main"
    assert post["body"]["title"] == "填报后台提交的记录（cms-inbox → main）"
    assert "收件分支 `cms-inbox`" in post["body"]["body"] and "创建合并提交" in post["body"]["body"]
    assert all(r["auth"] == f"token {TOKEN}" for r in fake.requests)
    assert TOKEN not in out + err


def test_an_open_pull_request_from_the_inbox_means_no_second_one(tmp_path, gitea, run):
    fake = gitea([pull(3, "feature"), pull(5, "cms-inbox")])
    repo = _repo(tmp_path, fake.api)
    code, out, err = run(repo)
    assert code == 0, err
    assert out.startswith("已有未合并的合并请求 #5（cms-inbox → main）：收件分支的新提交已在其中，不再新开")
    assert fake.posts() == []
    # the same again (the next push to the inbox): still none
    assert run(repo)[0] == 0 and fake.posts() == []


def test_the_branches_come_from_the_settings(tmp_path, gitea, run):
    fake = gitea([pull(5, "cms-inbox")])  # open, but into main: the office's records live on "master"
    repo = _repo(tmp_path, fake.api, "  branch: master\n  inbox_branch: tianbao\n")
    code, out, err = run(repo, "--pushed", "tianbao")
    assert code == 0, err
    [post] = fake.posts()
    assert (post["body"]["head"], post["body"]["base"]) == ("tianbao", "master")
    # a workflow left on the default branch name is told what to change
    code, out, err = run(repo, "--pushed", "cms-inbox")
    assert code == 2 and "on.push.branches 改为 tianbao" in err and len(fake.posts()) == 1


def test_a_conflict_on_creation_is_the_pull_request_opened_meanwhile(tmp_path, gitea, run):
    fake = gitea([], conflict=True)
    repo = _repo(tmp_path, fake.api)
    code, out, err = run(repo)
    assert code == 0, err
    assert out.startswith("已有未合并的合并请求") and len(fake.posts()) == 1


@pytest.mark.parametrize("method, status, said", [
    ("GET", 401, "查询未合并的合并请求失败（GET http://127.0.0.1:"),
    ("POST", 403, "开合并请求失败（POST http://127.0.0.1:"),
])
def test_a_failing_call_exits_non_zero_naming_it(tmp_path, gitea, run, method, status, said):
    fake = gitea([pull(3, "feature")], fail={method: status})
    repo = _repo(tmp_path, fake.api)
    code, out, err = run(repo)
    assert code == 1 and out == ""
    assert err.startswith("duban inbox-pr：") and said in err and f"HTTP {status}" in err
    assert ("令牌无效或已过期" if status == 401 else "令牌没有开合并请求的权限") in err
    assert TOKEN not in err
    if method == "GET":
        assert fake.posts() == []


def test_an_unreachable_server_is_named(tmp_path, gitea, run):
    fake = gitea([])
    api = fake.api
    fake.close()
    repo = _repo(tmp_path, api)
    code, _, err = run(repo)
    assert code == 1 and "查询未合并的合并请求失败" in err and "无法连接服务器" in err and api in err


def test_without_a_token_or_the_settings_nothing_is_asked(tmp_path, gitea, run):
    fake = gitea([])
    repo = _repo(tmp_path, fake.api)
    code, _, err = run(repo, token=None)
    assert code == 2 and "DUBAN_INBOX_TOKEN" in err and fake.requests == []
    bare = make_repo(tmp_path / "bare")
    code, _, err = run(bare)
    assert code == 2 and "schemas/settings.yaml: 缺少 cms.api_root" in err
    forgejo = make_repo(tmp_path / "forgejo")
    with open(forgejo / "schemas/settings.yaml", "a", encoding="utf-8") as f:
        f.write("cms:\n  backend: forgejo\n  repo: pingan/duban\n  api_root: https://git.example.gov.cn/api/v1\n"
                "  app_id: duban-cms\n")
    code, _, err = run(forgejo)
    assert code == 2 and "cms.backend 是 forgejo，不是 gitea" in err


def test_an_inbox_with_nothing_main_lacks_opens_nothing(tmp_path, gitea, run):
    fake = gitea([])
    repo = _repo(tmp_path, fake.api)
    git(repo, "init", "-q", "-b", "cms-inbox")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "记录")
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    git(repo, "update-ref", "refs/remotes/origin/main", head)  # main already has everything the inbox has
    code, out, err = run(repo)
    assert code == 0, err
    assert out == "收件分支 cms-inbox 没有 main 之外的提交，不开合并请求\n" and fake.requests == []
    (repo / "records" / "units" / "aa.yaml").write_text(
        (repo / "records" / "units" / "aa.yaml").read_text(encoding="utf-8") + "note: 新增\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "后台保存")  # one commit main lacks: now it is opened
    code, out, err = run(repo)
    assert code == 0 and out.startswith("已开合并请求 #42") and len(fake.posts()) == 1
