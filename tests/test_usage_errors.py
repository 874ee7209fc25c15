"""Every way a command line can be wrong ends in a Chinese usage message and exit code 2, never a traceback."""

from __future__ import annotations

import re

import pytest
from duban.cli import main


def run(argv, capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse exits by itself
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_usage(code, out, err, fragment):
    assert code == 2, (code, out, err)
    assert "Traceback" not in out + err
    assert fragment in err, err
    assert not re.search(r"\b(?:Error|error|invalid|out of range)\b", err.replace("用法错误", "")), err


@pytest.mark.parametrize("argv, fragment", [
    (["status", "--as-of", "9999-12-25"], "超出可处理的范围"),
    (["status", "--as-of", "0001-01-01"], "超出可处理的范围"),
    (["report", "weekly", "--week", "9999-W52"], "超出可处理的范围"),
    (["report", "weekly", "--week", "0001-W01"], "超出可处理的范围"),
    (["report", "weekly", "--week", "2024-W54"], "没有第 54 周"),
    (["validate", "--today", "2024-02-30"], "不是有效日期"),
    (["validate", "--workers", "0"], "应为正整数"),
    (["build", "--workers", "-3"], "应为正整数"),
    (["serve", "--port", "99999"], "0 至 65535"),
    (["serve", "--port", "abc"], "不是整数"),
])
def test_bad_arguments(argv, fragment, repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    assert_usage(*run(argv, capsys), fragment)


@pytest.mark.parametrize("command", [["validate"], ["status"], ["report", "weekly"], ["build"]])
def test_a_folder_that_is_not_a_repository(command, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert_usage(*run(["--root", str(tmp_path / "empty"), *command], capsys), "不是 duban 仓库")


def test_site_dir_that_cannot_be_written(repo, tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    assert_usage(*run(["--root", str(repo), "build", "--site-dir", str(tmp_path / "file.txt" / "site")], capsys),
                 "无法在")


@pytest.mark.parametrize("where, fragment", [
    (".", "是仓库本身或它的上级目录"),
    ("..", "是仓库本身或它的上级目录"),
    ("records/site", "在仓库的 records/ 之中"),
    ("docs", "在仓库的 docs/ 之中"),
    ("foreign", "不是 duban 生成的站点"),
])
def test_site_dir_that_would_replace_what_duban_did_not_build(where, fragment, repo, capsys):
    (repo / "foreign").mkdir()
    (repo / "foreign" / "notes.txt").write_text("我的文件", encoding="utf-8")
    assert_usage(*run(["--root", str(repo), "build", "--site-dir", str(repo / where)], capsys), fragment)
    assert (repo / "foreign" / "notes.txt").exists() and (repo / "records").is_dir()


def test_weekly_out_that_cannot_be_written(repo, tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    code, out, err = run(["--root", str(repo), "report", "weekly", "--week", "2024-W10",
                          "--out", str(tmp_path / "file.txt" / "w")], capsys)
    assert_usage(code, out, err, "无法写入输出目录")


@pytest.mark.parametrize("url, fragment", [
    ("https://qyapi.weixin.qq.com:99999/cgi-bin/webhook/send?key=abcdef", "端口"),
    ("https://qyapi.weixin.qq.com:abc/cgi-bin/webhook/send?key=abcdef", "端口"),
    ("file:///etc/passwd", "应以 https:// 开头"),
    ("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef", "应以 https:// 开头"),
    ("ftp://example.org/x", "应以 https:// 开头"),
])
def test_webhook_urls_that_are_never_tried(url, fragment, tmp_path, capsys, monkeypatch):
    summary = tmp_path / "s.md"
    summary.write_text("## 周报\n", encoding="utf-8")
    monkeypatch.setenv("DUBAN_WEBHOOK_URL", url)
    monkeypatch.setenv("DUBAN_WEBHOOK_KIND", "wecom")
    code, out, err = run(["notify", str(summary)], capsys)
    assert_usage(code, out, err, fragment)
    assert "abcdef" not in out + err
