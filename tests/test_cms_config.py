"""The CMS admin page's config.yml, generated from the schemas, and what the CMS writes becoming canonical.

The browser side (the page in Chromium against decap-server) is in ``test_cms.py``; these run without Node.
"""

from __future__ import annotations

import re
import sys

import pytest
import yaml
from conftest import ROOT
from duban.cli import main
from duban.outputs.site import admin, bundle
from duban.records.kinds import KindsError, load_registry
from test_toy_kind import add_toy_kind


def _by_name(fields):
    return {f["name"]: f for f in fields}


@pytest.fixture(scope="module")
def shipped():
    registry = load_registry(ROOT / "schemas")
    data, _ = admin.config(registry)
    return registry, data, {c["name"]: c for c in data["collections"]}


def test_one_collection_per_declared_kind(shipped):
    registry, data, collections = shipped
    assert data["locale"] == "zh_Hans"
    assert data["publish_mode"] == "editorial_workflow"
    assert "local_backend" not in data
    assert list(collections) == list(registry.kinds)
    for name, kind in registry.kinds.items():
        c = collections[name]
        assert c["folder"] == f"records/{kind.folder}"
        assert (c["extension"], c["format"], c["label"]) == ("yaml", "yaml", kind.label)
    assert collections["task"]["slug"] == "{{id}}"
    assert collections["hazard"]["folder"] == "records/cases/hazards"
    update = collections["update"]
    assert (update["path"], update["slug"]) == ("{{task}}/{{date}}-{{unit}}", "{{date}}-{{unit}}")


def test_the_progress_update_form(shipped):
    _, _, collections = shipped
    fields = _by_name(collections["update"]["fields"])
    assert list(fields) == ["task", "unit", "date", "period", "state", "text", "evidence"]  # synthetic: not an office's
    assert fields["task"]["widget"] == "relation" and fields["task"]["collection"] == "task"
    assert fields["task"]["value_field"] == "id" and fields["task"]["display_fields"] == ["{{id}} {{title}}"]
    assert fields["unit"]["widget"] == "relation" and fields["unit"]["collection"] == "unit"
    assert fields["unit"]["display_fields"] == ["{{name}}（{{id}}）"]
    assert fields["date"] == {**fields["date"], "widget": "datetime", "format": "YYYY-MM-DD", "time_format": False}
    assert fields["state"]["widget"] == "select" and fields["state"]["options"] == ["推进中", "已完成", "受阻"]
    assert fields["text"]["widget"] == "text"
    assert fields["evidence"]["widget"] == "list" and fields["evidence"]["field"]["widget"] == "string"
    assert [n for n, f in fields.items() if f["required"]] == ["task", "unit", "date", "state", "text"]
    assert fields["state"]["hint"].startswith("推进中、已完成")
    assert fields["text"]["pattern"] == [admin.PRIVACY_PATTERN, admin.PRIVACY_MESSAGE]
    url = fields["evidence"]["field"]["pattern"]
    assert url[0].endswith("(?:^(https?://|/)\\S+$)") and "手机号码" in url[1]


def test_references_become_relations_and_enums_selects(shipped):
    registry, _, collections = shipped
    for name, kind in registry.kinds.items():
        fields = _by_name(collections[name]["fields"])
        for ref in kind.references:
            if len(ref.path) == 1 and ref.path[0] in fields:
                f = fields[ref.path[0]]
                assert f["widget"] == "relation", (name, ref.path)
                assert f["collection"] == ("plan" if ref.kind == "clause" else ref.kind)
            if len(ref.path) == 2 and ref.path[1] == "*":
                f = fields[ref.path[0]]
                assert f["widget"] == "relation" and f["multiple"] is True, (name, ref.path)
    task = _by_name(collections["task"]["fields"])
    assert task["clause"]["value_field"] == "clauses.*.id"
    closure = _by_name(task["closure"]["fields"])
    assert closure["verified_by"]["collection"] == "unit"  # a reference inside an object
    extension = _by_name(task["extensions"]["fields"])
    assert extension["approved_by"]["collection"] == "unit"  # a reference inside a list of objects
    hazard = _by_name(collections["hazard"]["fields"])
    assert hazard["category"]["widget"] == "select" and "消防" in hazard["category"]["options"]
    assert hazard["id"]["pattern"][0].endswith("(?:^YH-[a-z][a-z0-9]*-[0-9]{4}-[0-9]{4}$)")
    dispute = _by_name(collections["dispute"]["fields"])
    days = _by_name(dispute["time_limit"]["fields"])["days"]
    assert (days["widget"], days["value_type"], days["min"], days["max"]) == ("number", "int", 1, 3650)


def test_a_new_kind_gets_a_collection_without_code(repo):
    add_toy_kind(repo)
    data, _ = admin.config(load_registry(repo / "schemas"))
    drill = {c["name"]: c for c in data["collections"]}["drill"]
    assert (drill["folder"], drill["label"], drill["slug"]) == ("records/cases/drills", "应急演练", "{{id}}")
    fields = _by_name(drill["fields"])
    assert fields["unit"]["widget"] == "relation" and fields["unit"]["collection"] == "unit"
    assert fields["scenario"]["options"] == ["消防", "防汛"]
    assert fields["planned"]["widget"] == "datetime" and fields["planned"]["required"] is True
    assert fields["held"]["required"] is False


@pytest.mark.parametrize("text", ["联系电话13912345678", "电话 139 1234 5678", "１３９１２３４５６７８",
                                  "身份证11010519491231002X", "旧证号110105491231002",
                                  "第一段。\n第二段：请联系 138-1234-5678"])
def test_the_privacy_pattern_refuses_personal_numbers(text):
    assert re.search(admin.PRIVACY_PATTERN, text) is None


@pytest.mark.parametrize("text", ["2024年3月完成15项整改", "泉台委办〔2023〕46号", "办公电话0595-22345678",
                                  "第一段。\n第二段：共排查139户。"])
def test_the_privacy_pattern_lets_ordinary_text_through(text):
    assert re.search(admin.PRIVACY_PATTERN, text) is not None


def _settings(repo, text):
    with open(repo / "schemas/settings.yaml", "a", encoding="utf-8") as f:
        f.write(text)
    return load_registry(repo / "schemas")


def test_forgejo_and_github_use_the_editorial_workflow(repo):
    registry = _settings(repo, "cms:\n  backend: forgejo\n  repo: pingan/duban\n"
                               "  api_root: https://git.example.gov.cn/api/v1\n  app_id: abc-123\n")
    data, _ = admin.config(registry, local=8082)
    assert data["backend"] == {"name": "forgejo", "repo": "pingan/duban", "branch": "main",
                               "api_root": "https://git.example.gov.cn/api/v1", "app_id": "abc-123"}
    assert data["publish_mode"] == "editorial_workflow"
    assert data["local_backend"]["url"] == "http://127.0.0.1:8082/api/v1"


def test_gitea_commits_to_an_inbox_branch_and_says_so(repo):
    registry = _settings(repo, "cms:\n  backend: gitea\n  repo: pingan/duban\n  base_url: https://gitea.example.gov.cn\n"
                               "  api_root: https://gitea.example.gov.cn/api/v1\n  app_id: abc\n  inbox_branch: cms-inbox\n")
    data, _ = admin.config(registry)
    assert "publish_mode" not in data  # Decap's gitea backend refuses the editorial workflow
    assert data["backend"]["branch"] == "cms-inbox"
    text = admin.config_text(registry)
    assert "收件分支 cms-inbox" in text.splitlines()[1] and "合并请求" in text.splitlines()[1]
    assert yaml.safe_load(text) == data


def test_a_backend_missing_what_it_needs_is_a_located_problem(repo):
    with pytest.raises(KindsError) as exc:
        _settings(repo, "cms:\n  backend: forgejo\n  repo: pingan/duban\n")
    problems = exc.value.problems
    assert problems and all(p.file.endswith("settings.yaml") for p in problems)
    assert any("api_root" in p.message for p in problems), [p.message for p in problems]


# ---------------------------------------------------------------- what the CMS writes, made canonical

# Written the way Decap writes a record (decap-cms-core formats/yaml.ts: yaml 1.10's createNode and
# Document.toString(), keys in the fields' order): no header comment, block sequences indented, "2.1" quoted,
# a long line with spaces folded, a multi-line text as a literal block. test_cms.py checks a real one. A late
# report's period is the day the editor picked in the week (the Wednesday): fmt stores the Monday, as the CLI does.
DECAP_UPDATE = """task: T-2-2-01
unit: aa
date: 2024-03-12
period: 2024-03-06
state: 受阻
text: |-
  第一段：完成调研。
  第二段：因征地问题受阻，需协调。
evidence:
  - https://example.gov.cn/a/1
  - /docs/x.pdf
"""


@pytest.fixture
def cli(repo, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    monkeypatch.chdir(repo)

    def run(*args):
        code = main(["--root", str(repo), *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_a_decap_written_update_validates_and_formats_to_the_cli_bytes(cli, repo, tmp_path):
    target = repo / "records/updates/T-2-2-01/2024-03-12-aa.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(DECAP_UPDATE, encoding="utf-8")
    code, out, _ = cli("validate", "--today", "2024-03-31")
    assert code == 0, out
    code, out, _ = cli("fmt", "--check")
    assert code == 1 and "records/updates/T-2-2-01/2024-03-12-aa.yaml" in out  # CI's check mode notices it
    assert cli("fmt", "records/updates")[0] == 0
    by_cms = target.read_bytes()
    target.unlink()
    code, out, err = cli("new", "update", "T-2-2-01", "--unit", "aa", "--date", "2024-03-12", "--period", "2024-03-06",
                         "--state", "受阻", "--text", "第一段：完成调研。\n第二段：因征地问题受阻，需协调。",
                         "--evidence", "https://example.gov.cn/a/1", "--evidence", "/docs/x.pdf", "--yes", "--no-input")
    assert code == 0, err
    assert target.read_bytes() == by_cms
    assert by_cms.decode().startswith("# 进展情况：T-2-2-01 甲镇（2024-03-12）\ntask: T-2-2-01\n")
    assert "\nperiod: 2024-03-04\n" in by_cms.decode()


def test_a_decap_written_task_keeps_its_values_and_gets_the_editors_header(cli, repo):
    target = repo / "records/tasks/T-2-1-01.yaml"
    target.write_text("id: T-2-1-01\nplan: testplan\nclause: \"2.1\"\ntitle: 制定办法\n"
                      "measures: A long line with spaces that goes on and on beyond eighty characters\n"
                      "  so that we see whether folding happens here\n"
                      "lead_units:\n  - bb\npartner_units:\n  - aa\ndeadline_text: 2024年3月底前\n"
                      "timing:\n  mode: 限时\n  due: 2024-03-31\nnote: yes\n", encoding="utf-8")
    assert cli("fmt", "records/tasks/T-2-1-01.yaml")[0] == 0
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# 任务分解表 二（一）：制定办法"
    assert "measures: A long line with spaces that goes on and on beyond eighty characters so that we see" in text
    assert 'clause: "2.1"' in text and 'note: "yes"' in text
    assert cli("fmt", "--check", "records/tasks/T-2-1-01.yaml")[0] == 0


# ---------------------------------------------------------------- the page and the vendored bundle


def test_the_admin_page_loads_the_vendored_bundle_only(tmp_path):
    registry = load_registry(ROOT / "schemas")
    target = admin.write_admin(tmp_path / "site", registry, local=8081)
    assert sorted(p.name for p in target.iterdir()) == ["config.yml", "decap-cms.js", "duban-cms.js", "index.html"]
    page = (target / "index.html").read_text(encoding="utf-8")
    assert "<title>记录填报后台</title>" in page and '<html lang="zh-CN">' in page
    assert re.findall(r'<script src="([^"]+)"', page) == [f"decap-cms.js?v={bundle.recorded_checksum()[:12]}",
                                                         "duban-cms.js"]
    assert "http" not in page
    assert (target / "decap-cms.js").read_bytes() == bundle.BUNDLE.read_bytes()
    assert yaml.safe_load((target / "config.yml").read_text(encoding="utf-8"))["local_backend"]["url"] == \
        "http://127.0.0.1:8081/api/v1"


def test_a_bundle_that_is_not_the_recorded_one_is_refused(tmp_path, monkeypatch):
    changed = tmp_path / "decap-cms.js"
    changed.write_bytes(bundle.BUNDLE.read_bytes() + b"\n")
    monkeypatch.setattr(bundle, "BUNDLE", changed)
    with pytest.raises(admin.CmsConfigError, match="SHA-256 与 decap-cms.js.sha256 记录的不一致"):
        admin.write_admin(tmp_path / "site", load_registry(ROOT / "schemas"))
    assert not (tmp_path / "site" / "admin" / "index.html").exists()
