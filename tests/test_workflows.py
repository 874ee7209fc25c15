"""The GitHub Actions workflows: schema-valid, zizmor-clean, least privilege, pinned."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import tool

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.S)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # PyYAML (YAML 1.1) reads the key `on` as the boolean True.
    return workflow.get("on", workflow.get(True))


def steps(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def run_tool(args: list[str]) -> subprocess.CompletedProcess:
    exe = tool(args[0], "pip install -e '.[test]' (check-jsonschema and zizmor are test extras)")
    return subprocess.run([exe, *args[1:]], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_schema(path):
    proc = run_tool(["check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)])
    assert proc.returncode == 0, f"check-jsonschema 报错：\n{proc.stdout}\n{proc.stderr}"


def test_zizmor():
    proc = run_tool(["zizmor", "--offline", "--no-progress", *map(str, FILES)])
    assert proc.returncode == 0, f"zizmor 发现问题：\n{proc.stdout}\n{proc.stderr}"


def test_weekly_schedule_is_monday_0800_shanghai():
    on = triggers(load(WORKFLOWS / "weekly.yml"))
    assert [entry["cron"] for entry in on["schedule"]] == ["0 0 * * 1"]
    assert "week" in on["workflow_dispatch"]["inputs"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_least_privilege(path):
    workflow = load(path)
    top = workflow.get("permissions")
    assert top in ({}, {"contents": "read"}), f"{path.name} 顶层权限只能为空或只读"
    for job_id, job in workflow["jobs"].items():
        perms = job.get("permissions", top)
        assert perms not in ("write-all", "read-all"), f"{job_id} 使用了 {perms}"
        if top == {}:
            assert isinstance(job.get("permissions"), dict), f"{job_id} 没有声明自己的权限"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_commit(path):
    uses = [step["uses"] for _, step in steps(load(path)) if "uses" in step]
    assert uses
    for ref in uses:
        assert SHA_PIN.match(ref), f"{ref} 没有固定到 40 位提交哈希"
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if re.match(r"^\s*(-\s+)?uses:", line):
            assert re.search(r"#\s*v\d+\.\d+\.\d+\s*$", line), f"缺少版本注释：{line.strip()}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_checkout_does_not_keep_credentials(path):
    for _, step in steps(load(path)):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_expressions_inside_run_scripts(path):
    """Values (above all the `week` input) reach scripts only through env (no template injection)."""
    for job_id, step in steps(load(path)):
        script = step.get("run")
        if script is None:
            continue
        found = EXPRESSION.findall(script)
        assert not found, f"{job_id} / {step.get('name')}: run 里直接写了 {found}，请改用 env"
    text = path.read_text(encoding="utf-8")
    week_refs = re.findall(r"\$\{\{[^}]*\bweek\b[^}]*\}\}", text)
    for ref in week_refs:  # every mention of the input sits in an env:/outputs:/with: value
        assert "inputs.week" in ref or "outputs.week" in ref


def test_weekly_jobs_chain_and_nothing_is_sent_before_sign_off():
    workflow = load(WORKFLOWS / "weekly.yml")
    jobs = workflow["jobs"]
    assert set(jobs) == {"build", "signoff", "deploy", "announce"}
    # the site is published and the robot posts only after the office approves the protected environment
    assert jobs["signoff"]["environment"]["name"] == "weekly-signoff" and jobs["signoff"]["permissions"] == {}
    assert set(jobs["deploy"]["needs"]) == {"build", "signoff"}
    assert set(jobs["announce"]["needs"]) == {"build", "deploy"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    assert jobs["announce"]["permissions"] == {"contents": "read", "issues": "write"}
    notify = [s for s in jobs["announce"]["steps"] if "duban notify" in s.get("run", "")]
    assert len(notify) == 1 and notify[0]["continue-on-error"] is True
    assert notify[0]["env"]["DUBAN_WEBHOOK_URL"] == "${{ secrets.DUBAN_WEBHOOK_URL }}"
    assert workflow["concurrency"]["group"]


def test_intake_runs_on_submitted_forms_and_the_body_only_reaches_scripts_through_env():
    workflow = load(WORKFLOWS / "intake.yml")
    assert triggers(workflow) == {"issues": {"types": ["opened", "edited"]}}
    job = workflow["jobs"]["intake"]
    assert job["permissions"] == {"contents": "write", "issues": "write", "pull-requests": "write"}
    assert "### 填报事项" in job["if"]
    text = (WORKFLOWS / "intake.yml").read_text(encoding="utf-8")
    for ref in re.findall(r"\$\{\{[^}]*\b(?:body|title)\b[^}]*\}\}", text):  # hostile text: only in env values
        assert ref in ("${{ github.event.issue.body }}", "${{ github.event.changes.body.from }}"), ref
    names = [s.get("name") for s in job["steps"]]
    masking, comment, pr = names.index("遮盖议题中的个人信息"), names.index("回复需要修改的字段"), names.index("新建或更新合并请求")
    assert masking < comment < pr  # personal data is masked on the issue before anything else is posted
    saved = next(s for s in job["steps"] if s.get("name") == "保存议题正文")
    assert saved["env"] == {"BODY": "${{ github.event.issue.body }}", "PREVIOUS": "${{ github.event.changes.body.from }}"}
    intake = next(s for s in job["steps"] if s.get("id") == "intake")
    assert "duban intake" in intake["run"] and "--masked-body" in intake["run"] and "--previous" in intake["run"]
    assert "duban validate" in next(s for s in job["steps"] if s.get("name") == "完整校验")["run"]


def test_ci_checks_the_generated_files_and_main_regenerates_them():
    validate = load(WORKFLOWS / "validate.yml")
    assert any("duban forms --check" in s.get("run", "") for _, s in steps(validate))
    publish = load(WORKFLOWS / "publish.yml")
    assert "records/**" in triggers(publish)["push"]["paths"]
    job = publish["jobs"]["forms"]
    assert job["permissions"] == {"contents": "write"}
    assert any("duban forms" in s.get("run", "") and "git push" in s.get("run", "") for s in job["steps"])


def test_the_cms_inbox_workflow_opens_its_pull_request_and_checks_the_records():
    from duban.edit.inbox import INBOX_BRANCH
    from duban.outputs.site.admin import backend

    workflow = load(WORKFLOWS / "cms-inbox.yml")
    # the branch the gitea backend commits to when cms.inbox_branch is not set
    gitea = {"cms": {"backend": "gitea", "repo": "pingan/duban", "api_root": "https://gitea.example.gov.cn/api/v1"}}
    assert triggers(workflow) == {"push": {"branches": [INBOX_BRANCH]}} and backend(gitea)[0]["branch"] == INBOX_BRANCH
    job = workflow["jobs"]["pull-request"]
    assert job["if"] == "${{ github.server_url != 'https://github.com' }}"  # GitHub's CMS has its own pull requests
    assert workflow["permissions"] == {"contents": "read"} and "permissions" not in job  # the API call uses its own token
    runs = [s.get("run", "") for s in job["steps"]]
    opening = next(s for s in job["steps"] if "duban inbox-pr" in s.get("run", ""))
    assert opening["run"] == 'duban inbox-pr --pushed "$PUSHED"'
    assert opening["env"] == {"DUBAN_INBOX_TOKEN": "${{ secrets.CMS_INBOX_TOKEN }}", "PUSHED": "${{ github.ref_name }}"}
    text = (WORKFLOWS / "cms-inbox.yml").read_text(encoding="utf-8")
    assert text.count("secrets.") == 1  # the token reaches nothing but that step's environment
    # opened first, so that a reviewer sees the branch even when its records need fixing; then checked
    fmt = next(r for r in runs if r.startswith("duban fmt --check"))
    assert runs.index(opening["run"]) < runs.index("duban validate") < runs.index(fmt)
    assert "||" in fmt  # every CMS entry still needs fmt: listed, never a red check on a valid submission
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # origin/main is there to compare the inbox with


def test_no_forge_specific_workflows_folder_hides_the_shared_one():
    """Gitea reads only the first workflows folder that exists (.gitea/workflows, else .github/workflows), Forgejo
    .forgejo/workflows, else .gitea/workflows, else .github/workflows: shipping either would silently switch off
    every workflow in .github/workflows on that forge."""
    for folder in (".gitea/workflows", ".forgejo/workflows"):
        assert not (ROOT / folder).exists(), folder
    from duban.edit.init import Office, files

    written = files(Office())
    assert not [f for f in written if f.startswith((".gitea/workflows/", ".forgejo/workflows/"))]
    assert ".github/workflows/cms-inbox.yml" in written
