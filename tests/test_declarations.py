"""kinds.yaml and settings.yaml are checked like records: a broken declaration is a located Chinese problem."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from conftest import make_repo


def edit_yaml(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def validate(repo) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "duban", "--root", str(repo), "validate"],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["kinds"]["dispute"].pop("folder"), "schemas/kinds.yaml:{line}:5: kinds.dispute.folder: 缺少必填字段“folder”（文件夹）"),
    (lambda d: d["kinds"]["hazard"]["case"].pop("start"), "kinds.hazard.case.start: 缺少必填字段“start”（起算字段）"),
    (lambda d: d["kinds"]["hazard"]["case"].update(start="discovered"), "kinds.hazard.case.start: 字段“discovered”不在 hazard.schema.json 中"),
    (lambda d: d["kinds"]["dispute"].update(schema="nosuch.schema.json"), "kinds.dispute.schema: 类别“dispute”的模式文件 nosuch.schema.json 不存在"),
    (lambda d: d["kinds"]["task"]["references"][0].update(kind="plans"), "kinds.task.references[0].kind: 类别“task”引用了未定义的类别“plans”"),
    (lambda d: d["kinds"]["unit"].update(colour="red"), "kinds.unit.colour: 未知字段“colour”"),
])
def test_kinds_declaration_problems_are_located(tmp_path, change, expected):
    repo = make_repo(tmp_path / "repo")
    edit_yaml(repo / "schemas" / "kinds.yaml", change)
    proc = validate(repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    if "{line}" in expected:
        line = next(i for i, text in enumerate((repo / "schemas/kinds.yaml").read_text(encoding="utf-8").splitlines(), 1)
                    if text.startswith("  dispute:"))
        expected = expected.format(line=line + 1)
    assert expected in proc.stdout, proc.stdout


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["states"]["overdue"].update(level="紫"), "states.overdue.level: 等级“紫”不在 levels 中"),
    (lambda d: d.update(due_soon_days="七"), "due_soon_days: 应为整数"),
    (lambda d: d["levels"].update({"红": "red"}), "levels.红: “red”格式不正确"),
    (lambda d: d.update(escalate=[{"state": "overdue", "days": 30, "level": "紫"}]), "escalate[0].level: 等级“紫”不在 levels 中"),
])
def test_settings_declaration_problems_are_located(tmp_path, change, expected):
    repo = make_repo(tmp_path / "repo")
    edit_yaml(repo / "schemas" / "settings.yaml", change)
    proc = validate(repo)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "schemas/settings.yaml:" in proc.stdout and expected in proc.stdout, proc.stdout


def test_a_yaml_error_in_kinds_is_located(tmp_path):
    repo = make_repo(tmp_path / "repo")
    path = repo / "schemas" / "kinds.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  plan:\n", "  plan:\n\t", 1), encoding="utf-8")
    proc = validate(repo)
    assert proc.returncode == 1 and "schemas/kinds.yaml:" in proc.stdout and "制表符" in proc.stdout, proc.stdout


def test_shipped_declarations_are_clean():
    from conftest import ROOT
    from duban.records.kinds import load_registry

    registry = load_registry(ROOT / "schemas")
    assert registry.settings["area"] == "全区"
    assert all(entry.get("meaning") for entry in registry.settings["states"].values())
