"""Render a validation report: plain text, GitHub Actions annotations or JSON.

Reporters only format; the exit code is decided by the CLI from ``Report.ok``.
"""

from __future__ import annotations

import json

from duban.records.problems import Report, clean


def _summary(report: Report) -> str:
    line = f"检查 {report.files} 个文件，发现 {report.total} 个问题"
    if report.unlisted:
        line += f"（只列出 {len(report.problems)} 个，另有 {report.unlisted} 个未列出；修正后再次校验可看到）"
    return line


def text(report: Report) -> str:
    lines = [f"{clean(p.file)}:{p.line}:{p.column}: {p.field}: {p.message}" for p in report.sorted()]
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(report: Report) -> str:
    lines = []
    for p in report.sorted():
        props = f"file={_escape_property(p.file)},line={p.line},col={p.column},title={_escape_property(p.field)}"
        lines.append(f"::error {props}::{_escape_data(p.field + ': ' + p.message)}")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def json_(report: Report) -> str:
    payload = {
        "files": report.files,
        "problem_count": report.total,
        "unlisted": report.unlisted,
        "problems": [p.to_dict() for p in report.sorted()],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


REPORTERS = {"text": text, "github": github, "json": json_}
