"""The pull request's job summary in Chinese: the validation's full problem list (annotations stop at ten), the
records the pull request adds or changes, and the tasks and units whose state changes as a result."""

from __future__ import annotations

import datetime as dt

from duban.engine.compare import Comparison
from duban.outputs.escape import robot
from duban.records.problems import Report
from duban.records.reporters import text
from duban.zh import cn_date

STATUS = {"A": "新增", "M": "修改", "D": "删除", "R": "改名", "C": "复制", "T": "类型改变"}


def _cell(value) -> str:
    return robot(value) if value not in (None, "") else "—"


def _unit_cell(row: tuple[int, float, str] | None) -> tuple[str, str, str]:
    return ("—", "—", "—") if row is None else (str(row[0]), f"{row[1]:g}", row[2] or "—")


def _arrow(before: str, after: str) -> str:
    return after if before == after else f"{before} → {after}"


def pr_summary(report: Report, files: list[tuple[str, str]], comparison: Comparison | None, as_of: dt.date,
               why_no_comparison: str = "") -> str:
    out = ["## 记录校验：" + ("通过" if report.ok else f"发现 {report.total} 个问题"), ""]
    if not report.ok:
        out += ["每个问题都标在合并请求的文件和行上（GitHub 每步最多显示 10 条注释）；全部问题如下：", "",
                "~~~~text", text(report).replace("~~~~", "～～～～").rstrip("\n"), "~~~~", ""]
    out += [f"### 本次修改的记录（{len(files)} 个文件）", ""]
    if files:
        out += ["| 变化 | 文件 |", "| --- | --- |"]
        out += [f"| {STATUS.get(status, status)} | `{path.replace('`', '')}` |" for status, path in files]
    else:
        out.append("没有修改 records/ 下的文件。")
    out.append("")
    if comparison is None:
        if why_no_comparison:
            out += ["### 状态变化", "", why_no_comparison, ""]
        return "\n".join(out)
    day = cn_date(as_of)
    out += [f"### 状态变化的任务（按{day}计算）", ""]
    if comparison.tasks:
        out += ["| 任务 | 名称 | 修改前 | 修改后 | 说明 |", "| --- | --- | --- | --- | --- |"]
        out += [f"| {_cell(t.task)} | {_cell(t.title)} | {_cell(t.before or '（无此任务）')} | "
                f"{_cell(t.after or '（已删除）')} | {_cell(t.reason)} |" for t in comparison.tasks]
    else:
        out.append("没有任务的状态因本次修改而变化。")
    out += ["", f"### 数字变化的单位（按{day}计算）", ""]
    if comparison.units:
        out += ["| 单位 | 本单位逾期事项 | 得分 | 等级 |", "| --- | --- | --- | --- |"]
        for u in comparison.units:
            a, b = _unit_cell(u.before), _unit_cell(u.after)
            out.append(f"| {_cell(u.name)} | " + " | ".join(_arrow(x, y) for x, y in zip(a, b)) + " |")
    else:
        out.append("没有单位的逾期事项、得分或等级因本次修改而变化。")
    return "\n".join(out) + "\n"
