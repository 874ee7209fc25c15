"""``duban forms``: issue forms and CODEOWNERS generated from the schemas and records, kept in sync."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import yaml
from conftest import ROOT, make_repo, tool
from duban.cli import main
from duban.edit.forms import MAX_OPTIONS

FORMS = ROOT / ".github/ISSUE_TEMPLATE"
ID = re.compile(r"^[A-Za-z0-9_-]+$")


def forms_of(root):
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((root / ".github/ISSUE_TEMPLATE").glob("*.yml"))
            if p.name != "config.yml"}


def test_the_committed_files_are_in_sync(capsys):
    assert main(["--root", str(ROOT), "forms", "--check"]) == 0, capsys.readouterr().out


def test_the_shipped_forms_one_per_case_kind_with_ascii_ids_and_labels_from_the_schemas():
    forms = forms_of(ROOT)
    kinds = yaml.safe_load((ROOT / "schemas/kinds.yaml").read_text(encoding="utf-8"))["kinds"]
    cases = {f"case-{name}" for name, entry in kinds.items() if "case" in entry}
    assert set(forms) == {"progress", "completion", "extension", "case-status"} | cases
    update = json.loads((ROOT / "schemas/update.schema.json").read_text(encoding="utf-8"))
    labels = [e["attributes"]["label"] for e in forms["progress"]["body"]]
    assert [update["properties"][k]["title"] for k in ("unit", "task", "date", "state", "text")] == \
        [labels[1], labels[2], labels[3], labels[5], labels[6]]
    for name, form in forms.items():
        ids = [e["id"] for e in form["body"]]
        assert all(ID.match(i) for i in ids) and len(set(ids)) == len(ids), name
        assert len({e["attributes"]["label"] for e in form["body"]}) == len(ids), f"{name}: labels repeat"
        for e in form["body"]:
            assert len(e["attributes"].get("options", ())) <= MAX_OPTIONS
    units = next(e for e in forms["progress"]["body"] if e["id"] == "unit")["attributes"]["options"]
    assert "百崎乡（baiqi）" in units
    task = next(e for e in forms["progress"]["body"] if e["id"] == "task")
    assert task["type"] == "input" and "T-2-3-01" in task["attributes"]["description"]  # too many for a dropdown
    assert yaml.safe_load((FORMS / "config.yml").read_text(encoding="utf-8")) == {"blank_issues_enabled": False}


def test_the_forms_are_valid_issue_forms():
    exe = tool("check-jsonschema", "pip install -e '.[test]'")
    files = [str(p) for p in sorted(FORMS.glob("*.yml")) if p.name != "config.yml"]
    proc = subprocess.run([exe, "--builtin-schema", "vendor.github-issue-forms", *files], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = subprocess.run([exe, "--builtin-schema", "vendor.github-issue-config", str(FORMS / "config.yml")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_codeowners_give_each_units_files_to_its_team():
    lines = (ROOT / ".github/CODEOWNERS").read_text(encoding="utf-8").splitlines()
    assert "/records/updates/**/*-baiqi.yaml @quantai/baiqi" in lines
    assert "/records/cases/hazards/**/*-baiqi-*.yaml @quantai/baiqi" in lines
    assert any(line.startswith("/records/tasks/ @") for line in lines)


def duban(root, *args):
    return subprocess.run([sys.executable, "-m", "duban", "--root", str(root), *args], capture_output=True, text=True,
                          timeout=300)


def test_a_changed_schema_label_fails_the_check_and_forms_brings_it_back(tmp_path):
    repo = make_repo(tmp_path / "repo")
    assert duban(repo, "forms").returncode == 0
    assert duban(repo, "forms", "--check").returncode == 0
    schema = repo / "schemas/update.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"title": "进展内容"', '"title": "工作进展"'),
                      encoding="utf-8")
    proc = duban(repo, "forms", "--check")
    assert proc.returncode == 1 and "已过时：.github/ISSUE_TEMPLATE/progress.yml" in proc.stdout
    assert "请运行 duban forms" in proc.stderr
    assert "进展内容" in (repo / ".github/ISSUE_TEMPLATE/progress.yml").read_text(encoding="utf-8")  # nothing written
    assert duban(repo, "forms").returncode == 0
    assert "label: 工作进展" in (repo / ".github/ISSUE_TEMPLATE/progress.yml").read_text(encoding="utf-8")
    assert duban(repo, "forms", "--check").returncode == 0


def test_a_new_unit_is_not_refused_by_the_check_and_forms_lists_it(tmp_path):
    repo = make_repo(tmp_path / "repo")
    assert duban(repo, "forms").returncode == 0
    (repo / "records/units/cc.yaml").write_text("id: cc\nname: 丙镇\nkind: 乡镇\nteam: \"@office/cc\"\n", encoding="utf-8")
    assert duban(repo, "forms", "--check").returncode == 0  # choices from records: the publish workflow updates them
    proc = duban(repo, "forms")
    assert proc.returncode == 0 and ".github/CODEOWNERS" in proc.stdout
    assert "丙镇（cc）" in (repo / ".github/ISSUE_TEMPLATE/progress.yml").read_text(encoding="utf-8")
    assert "/records/updates/**/*-cc.yaml @office/cc" in (repo / ".github/CODEOWNERS").read_text(encoding="utf-8")


def test_a_new_case_kind_gets_a_form_and_a_removed_one_loses_it(tmp_path):
    repo = make_repo(tmp_path / "repo")
    shutil.copyfile(repo / "schemas/hazard.schema.json", repo / "schemas/toy.schema.json")
    toy = (repo / "schemas/toy.schema.json")
    toy.write_text(toy.read_text(encoding="utf-8").replace("hazard.schema.json", "toy.schema.json"), encoding="utf-8")
    kinds = repo / "schemas/kinds.yaml"
    original = kinds.read_text(encoding="utf-8")
    kinds.write_text(original + """
  toy:
    label: 玩具台账
    schema: toy.schema.json
    folder: cases/toys
    file: "{id}"
    references:
      - {path: unit, kind: unit}
    case:
      unit: unit
      start: found
      limit: {field: deadline}
      closed: {date: verified}
      columns: [id, unit]
""", encoding="utf-8")
    proc = duban(repo, "forms")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    form = yaml.safe_load((repo / ".github/ISSUE_TEMPLATE/case-toy.yml").read_text(encoding="utf-8"))
    assert form["name"] == "玩具台账登记"
    kinds.write_text(original, encoding="utf-8")
    (repo / "schemas/toy.schema.json").unlink()
    assert duban(repo, "forms", "--check").returncode == 1
    proc = duban(repo, "forms")
    assert "已删除：.github/ISSUE_TEMPLATE/case-toy.yml" in proc.stdout
    assert not (repo / ".github/ISSUE_TEMPLATE/case-toy.yml").exists()


def test_many_units_become_a_text_field_listing_them(tmp_path):
    repo = make_repo(tmp_path / "repo")
    for n in range(MAX_OPTIONS + 1):
        (repo / f"records/units/z{n}.yaml").write_text(f"id: z{n}\nname: 单位{n}\nkind: 乡镇\n", encoding="utf-8")
    assert duban(repo, "forms").returncode == 0
    form = yaml.safe_load((repo / ".github/ISSUE_TEMPLATE/progress.yml").read_text(encoding="utf-8"))
    unit = next(e for e in form["body"] if e["id"] == "unit")
    assert unit["type"] == "input" and "单位50（z50）" in unit["attributes"]["description"]


def test_init_writes_the_forms_of_a_new_repository(tmp_path):
    target = tmp_path / "office"
    proc = subprocess.run([sys.executable, "-m", "duban", "init", str(target), "--no-input"], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    form = yaml.safe_load((target / ".github/ISSUE_TEMPLATE/progress.yml").read_text(encoding="utf-8"))
    unit = next(e for e in form["body"] if e["id"] == "unit")
    assert unit["type"] == "input"  # no unit recorded yet: nothing to choose from
    assert (target / ".github/workflows/intake.yml").is_file() and (target / ".github/CODEOWNERS").is_file()
    assert duban(target, "forms", "--check").returncode == 0


def test_duban_forms_leaves_the_repository_unchanged(tmp_path):
    """Not only --check: regenerating from the shipped records writes the very bytes committed."""
    copy = tmp_path / "repo"
    for folder in ("schemas", "records", ".github"):
        shutil.copytree(ROOT / folder, copy / folder)
    proc = duban(copy, "forms")
    assert proc.returncode == 0 and "生成的文件都是最新的" in proc.stdout, proc.stdout
    for path in sorted((ROOT / ".github").rglob("*")):
        if path.is_file():
            assert (copy / path.relative_to(ROOT)).read_bytes() == path.read_bytes(), path
