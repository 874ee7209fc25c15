"""``duban init``: a new office starts a repository that validates and builds, with nothing of this one copied by hand."""

from __future__ import annotations

import subprocess
import sys

import yaml
from conftest import ROOT
from duban.edit.init import SCHEMAS, TEMPLATE, WORKFLOWS


def duban(*args, cwd, stdin=subprocess.DEVNULL):
    return subprocess.run([sys.executable, "-m", "duban", *args], cwd=cwd, capture_output=True, text=True,
                          stdin=stdin, timeout=300)


def test_a_new_repository_validates_and_builds(tmp_path):
    target = tmp_path / "office"
    proc = duban("init", str(target), "--office", "县平安办", "--area", "全县", "--site-name", "优化营商环境督办",
                 "--unit-kinds", "乡镇,县直单位,垂直管理单位", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    settings = yaml.safe_load((target / "schemas/settings.yaml").read_text(encoding="utf-8"))
    assert settings["area"] == "全县" and settings["reports"]["office"] == "县平安办"
    assert settings["unit_kinds"] == ["乡镇", "县直单位", "垂直管理单位"]
    config = (target / "mkdocs.yml").read_text(encoding="utf-8")
    assert "site_name: 优化营商环境督办" in config and "scripts/duban" not in config and "hooks:" not in config
    assert "duban" in (target / ".gitignore").read_text(encoding="utf-8") or "/build/" in (target / ".gitignore").read_text()
    assert (target / "records/units").is_dir()  # where the office starts
    (target / "records/units/town1.yaml").write_text("id: town1\nname: 一号镇\nkind: 乡镇\n", encoding="utf-8")
    (target / "records/units/bureau.yaml").write_text("id: bureau\nname: 县某局\nkind: 县直单位\n", encoding="utf-8")
    assert duban("validate", cwd=target).returncode == 0
    wrong = target / "records/units/zone.yaml"
    wrong.write_text("id: zone\nname: 开发区\nkind: 功能区\n", encoding="utf-8")
    proc = duban("validate", cwd=target)
    assert proc.returncode == 1 and "单位类别“功能区”未在 schemas/settings.yaml 的“unit_kinds”中声明" in proc.stdout
    wrong.unlink()
    proc = duban("build", "--as-of", "2024-06-30", cwd=target)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    home = (target / "site/index.html").read_text(encoding="utf-8")
    assert "优化营商环境督办" in home and "泉州" not in home and "主动创稳" not in home
    assert (target / "site/units/town1/index.html").is_file()


def test_init_never_overwrites_and_never_waits(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()
    (target / "notes.txt").write_text("先前的文件\n", encoding="utf-8")
    proc = duban("init", str(target), cwd=tmp_path)
    assert proc.returncode == 2 and "已有文件" in proc.stderr
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
    fresh = tmp_path / "fresh"
    proc = duban("init", str(fresh), cwd=tmp_path)  # no terminal, no flags: the defaults, no question
    assert proc.returncode == 0, proc.stderr
    assert yaml.safe_load((fresh / "schemas/settings.yaml").read_text(encoding="utf-8"))["area"] == "全区"
    proc = duban("init", str(tmp_path / "bad"), "--area", "全:区", cwd=tmp_path)
    assert proc.returncode == 2 and "地区名称" in proc.stderr and not (tmp_path / "bad").exists()


def test_the_template_is_this_repositorys_core(tmp_path):
    """What init writes is what this repository ships, for the kinds every office has: kept in sync by this test."""
    for kind in SCHEMAS:
        assert (TEMPLATE / "schemas" / f"{kind}.schema.json").read_bytes() == (ROOT / "schemas" / f"{kind}.schema.json").read_bytes(), kind
    ours = yaml.safe_load((ROOT / "schemas/kinds.yaml").read_text(encoding="utf-8"))["kinds"]
    template = yaml.safe_load((TEMPLATE / "schemas/kinds.yaml").read_text(encoding="utf-8"))["kinds"]
    assert template == {k: ours[k] for k in template}
    for workflow in WORKFLOWS:
        assert (TEMPLATE / "workflows" / workflow).read_bytes() == (ROOT / ".github/workflows" / workflow).read_bytes()
    for asset in ("duban.css", "duban.js"):
        assert (TEMPLATE / "docs/assets" / asset).read_bytes() == (ROOT / "docs/assets" / asset).read_bytes()
    for kind in SCHEMAS:  # generic: nothing of the first plan in what every office gets
        text = (TEMPLATE / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
        assert not any(word in text for word in ("泉", "主动创稳", "luoyang", "T-2-3-01", "协调会议")), kind


def test_a_build_configuration_error_is_not_called_a_record_problem(tmp_path):
    target = tmp_path / "office"
    assert duban("init", str(target), cwd=tmp_path).returncode == 0
    config = target / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - 任务: tasks/index.md\n", "  - 任务: tasks/nosuch.md\n"),
                      encoding="utf-8")
    proc = duban("build", "--as-of", "2024-06-30", cwd=target)
    assert proc.returncode == 1
    assert "站点配置（mkdocs.yml 或 docs/）有问题" in proc.stderr and "记录有问题" not in proc.stderr + proc.stdout
