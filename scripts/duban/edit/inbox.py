"""``duban inbox-pr``: one pull request from the CMS's inbox branch to the main branch, on Gitea.

Decap's gitea backend has no editorial workflow, so duban's CMS config makes it commit straight to an inbox
branch (``cms.inbox_branch`` in ``schemas/settings.yaml``, default ``cms-inbox``) and CI turns that branch into
a pull request to ``cms.branch`` (default ``main``), where the validator and a reviewer see it before it is
merged. This is that step, through Gitea's API (``/api/v1``; Forgejo serves the same endpoints):

* ``GET /repos/{owner}/{repo}/pulls?state=open&page=N&limit=50``, page after page, for an open pull request
  whose ``head.ref`` is the inbox branch *of this repository* (a fork's branch of the same name is not it) and
  whose ``base.ref`` is the main branch: when there is one, the new commits are already in it and nothing is
  opened;
* otherwise ``POST /repos/{owner}/{repo}/pulls`` with ``head``, ``base``, ``title`` and ``body``. Gitea answers
  409 when a pull request with the same head and base is already open (one opened between the two calls):
  that is the same outcome, not a failure.

Only the standard library (urllib). The token is sent as ``Authorization: token …`` and appears in no message;
redirects are refused rather than followed (urllib would send the token on to the new address). Any other
answer raises :class:`InboxError`, a Chinese message naming the call that failed.
"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

INBOX_BRANCH = "cms-inbox"  # the default of cms.inbox_branch (outputs/site/admin.py writes the same into config.yml)
MAIN_BRANCH = "main"
PAGE = 50  # Gitea's default MAX_RESPONSE_ITEMS
MAX_PAGES = 200
TIMEOUT = 30
MAX_RESPONSE_BYTES = 8 << 20
SETTINGS = "schemas/settings.yaml"

TITLE = "填报后台提交的记录（{head} → {base}）"
BODY = """填报后台（Decap CMS，Gitea 后端）没有编辑流程：保存的记录直接提交到收件分支 `{head}`。本合并请求由 CI（`duban inbox-pr`）在收件分支有新提交时自动创建，把这些记录合并到 `{base}`。

合并前请：

- 查看收件分支最新提交的检查结果（工作流“收件分支开合并请求”：`duban validate` 校验记录，`duban fmt --check` 检查格式）；
- 逐个核对修改的记录文件；
- 用“创建合并提交”的方式合并，不要压缩（squash）或变基（rebase），合并后保留收件分支：填报后台继续提交到这个分支。

本合并请求打开期间，后台新保存的记录也进入本合并请求，不会另开一个。
"""


class InboxError(Exception):
    """A call to the forge failed, or the settings cannot say where to open the pull request (Chinese)."""

    def __init__(self, message: str, usage: bool = False, status: int | None = None):
        super().__init__(message)
        self.message, self.usage, self.status = message, usage, status  # status: the HTTP status of a refused call


@dataclass(frozen=True)
class Target:
    api_root: str  # https://git.example.gov.cn/api/v1
    repo: str  # owner/name
    head: str  # the inbox branch
    base: str  # the main branch

    @property
    def pulls(self) -> str:
        owner, name = self.repo.split("/", 1)
        return f"{self.api_root.rstrip('/')}/repos/{urllib.parse.quote(owner, safe='')}/{urllib.parse.quote(name, safe='')}/pulls"


@dataclass(frozen=True)
class Outcome:
    created: bool  # a pull request was opened now
    number: int | None
    url: str | None
    reason: str = ""  # why none was opened: "open" (one is), "merged" (nothing to merge)


def target(settings: dict, api_root: str | None = None, repo: str | None = None, head: str | None = None,
           base: str | None = None) -> Target:
    """Where to open the pull request: the options given, else the ``cms:`` section of the settings."""
    cms = settings.get("cms") if isinstance(settings.get("cms"), dict) else {}
    backend = cms.get("backend")
    if backend and backend != "gitea" and not (api_root and repo and head):
        raise InboxError(f"{SETTINGS}: cms.backend 是 {backend}，不是 gitea：只有 gitea 后端把记录提交到收件分支"
                         "（其他后端由 Decap 自己开合并请求）", usage=True)
    api_root = api_root or cms.get("api_root")
    repo = repo or cms.get("repo")
    if not api_root:
        raise InboxError(f"{SETTINGS}: 缺少 cms.api_root（Gitea 的 API 地址，如 https://git.example.gov.cn/api/v1），"
                         "也没有用 --api-root 给出", usage=True)
    if urllib.parse.urlsplit(api_root).scheme not in ("http", "https"):
        raise InboxError(f"API 地址“{api_root}”不是 http:// 或 https:// 地址", usage=True)
    if not repo or repo.count("/") != 1 or not all(repo.split("/")):
        raise InboxError(f"{SETTINGS}: 缺少 cms.repo（所有者/仓库名，如 pingan/duban），也没有用 --repo 给出"
                         if not repo else f"仓库“{repo}”应写成 所有者/仓库名", usage=True)
    head = head or cms.get("inbox_branch") or INBOX_BRANCH
    base = base or cms.get("branch") or MAIN_BRANCH
    if head == base:
        raise InboxError(f"收件分支和主分支都是 {head}：收件分支不能是主分支（{SETTINGS}: cms.inbox_branch）", usage=True)
    return Target(api_root, repo, head, base)


def unmerged_commits(root: Path, base: str) -> int | None:
    """How many commits the checked-out branch has that ``origin/<base>`` lacks (None when git cannot tell:
    not a checkout, or the remote branch not fetched)."""
    try:
        run = subprocess.run(["git", "-C", str(root), "rev-list", "--count", f"refs/remotes/origin/{base}..HEAD"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    out = run.stdout.strip()
    return int(out) if run.returncode == 0 and out.isdigit() else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - refused: the token would follow
        return None


def _scrub(text: str, token: str) -> str:
    return text.replace(token, "***") if token else text


def _call(method: str, url: str, token: str, what: str, payload: dict | None = None) -> tuple[int, object]:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8") if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"token {token}", "Accept": "application/json",
        **({"Content-Type": "application/json"} if data is not None else {})})
    shown = f"{method} {url}"
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=TIMEOUT) as response:
            status, raw = response.status, response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as exc:
        detail = ""
        try:
            body = json.loads(exc.read(64 << 10).decode("utf-8", "replace"))
            if isinstance(body, dict) and body.get("message"):
                detail = "：" + " ".join(str(body["message"]).split())[:300]
        except (ValueError, OSError):
            pass
        hint = {401: "（令牌无效或已过期）", 403: "（令牌没有开合并请求的权限）", 404: "（仓库不存在，或令牌看不到它）"}
        if 300 <= exc.code < 400:
            hint[exc.code] = "（服务器要求跳转：请把 API 地址改为跳转后的地址）"
        raise InboxError(_scrub(f"{what}失败（{shown}）：HTTP {exc.code}{hint.get(exc.code, '')}{detail}", token),
                         status=exc.code) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InboxError(_scrub(f"{what}失败（{shown}）：无法连接服务器：{reason}", token)) from None
    try:
        return status, json.loads(raw.decode("utf-8")) if raw.strip() else None
    except ValueError:
        raise InboxError(f"{what}失败（{shown}）：服务器的回答不是 JSON") from None


def _same_repo(pull: dict) -> bool:
    head, base = pull.get("head") or {}, pull.get("base") or {}
    if isinstance(head.get("repo_id"), int) and isinstance(base.get("repo_id"), int):
        return head["repo_id"] == base["repo_id"]
    names = [((b.get("repo") or {}).get("full_name") or "").lower() for b in (head, base)]
    return not all(names) or names[0] == names[1]


def open_pulls(t: Target, token: str) -> list[dict]:
    """Every open pull request of the repository (Gitea pages its lists: read until a page comes back empty)."""
    out: list[dict] = []
    for page in range(1, MAX_PAGES + 1):
        query = urllib.parse.urlencode({"state": "open", "page": page, "limit": PAGE})
        _, found = _call("GET", f"{t.pulls}?{query}", token, "查询未合并的合并请求")
        if not isinstance(found, list):
            raise InboxError(f"查询未合并的合并请求失败（GET {t.pulls}）：服务器的回答不是合并请求的列表")
        out.extend(p for p in found if isinstance(p, dict))
        if not found:
            break
    return out


def find_open(t: Target, token: str) -> dict | None:
    for pull in open_pulls(t, token):
        head, base = pull.get("head") or {}, pull.get("base") or {}
        if head.get("ref") == t.head and base.get("ref") == t.base and _same_repo(pull):
            return pull
    return None


def open_pull_request(root: Path, t: Target, token: str) -> Outcome:
    """Open the inbox's pull request unless one is open already, or the inbox has nothing ``origin/<base>`` lacks
    (a push that only brought the inbox up to date with the main branch)."""
    if not token:
        raise InboxError("没有令牌：请把可以开合并请求的令牌放在环境变量 DUBAN_INBOX_TOKEN 中"
                         "（工作流中来自仓库的密钥 CMS_INBOX_TOKEN）", usage=True)
    if unmerged_commits(root, t.base) == 0:
        return Outcome(False, None, None, "merged")
    existing = find_open(t, token)
    if existing is not None:
        return Outcome(False, existing.get("number"), existing.get("html_url"), "open")
    try:
        _, made = _call("POST", t.pulls, token, "开合并请求", {
            "head": t.head, "base": t.base, "title": TITLE.format(head=t.head, base=t.base),
            "body": BODY.format(head=t.head, base=t.base)})
    except InboxError as exc:
        if exc.status != 409:  # 409: one with the same head and base was opened meanwhile
            raise
        existing = find_open(t, token) or {}
        return Outcome(False, existing.get("number"), existing.get("html_url"), "open")
    made = made if isinstance(made, dict) else {}
    return Outcome(True, made.get("number"), made.get("html_url"))
