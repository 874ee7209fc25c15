"""The editor's guide: the hand-written intro plus state meanings and fields from the schemas."""

from __future__ import annotations

from duban.outputs.md import badge, esc, table
from duban.outputs.site.pages.context import Context


def guide(site: Context) -> None:
    intro_path = site.docs_dir / "guide" / "index.md"
    intro = intro_path.read_text(encoding="utf-8") if intro_path.exists() else "# 填报指南\n"
    out = [intro.rstrip(), "", "## 状态说明", "",
           table(["状态", "颜色", "含义"], [[badge(v.get("label", k), v.get("level", ""), site.settings.colour(v.get("level", ""))),
                                         esc(v.get("level", "")), esc(STATE_MEANINGS.get(k, ""))]
                                        for k, v in site.settings.states.items()]),
           "", "## 字段说明", "", "以下内容由数据模式（schemas/）中的说明自动生成。", ""]
    for kind in site.repo.registry.kinds.values():
        schema = kind.schema
        out += [f"### {esc(kind.label)}", "", esc(schema.get("description", "")), "",
                f"存放位置：`records/{kind.folder}/`", ""]
        required = set(schema.get("required", []))
        rows = []
        for name, prop in schema.get("properties", {}).items():
            rows.append([f"`{esc(name)}`", esc(prop.get("title", "")), "是" if name in required else "",
                         esc(prop.get("description", ""))])
        out.append(table(["字段", "名称", "必填", "说明"], rows))
        out.append("")
    site.pages["guide/index.md"] = "\n".join(out) + "\n"


STATE_MEANINGS = {
    "overdue": "超过完成时限（含已批准的延期）仍未销号；台账超过办理期限仍未办结。",
    "missed": "周期任务最近一个周期没有记录（如协调会议未召开或未登记）。",
    "due_soon": "距完成时限或办理期限不超过设定天数。",
    "stale": "长期坚持的任务最近一个报送周期没有收到牵头单位的进展。",
    "on_track": "在时限内推进，或周期任务按期履行。",
    "open": "台账在办理期限内。",
    "not_started": "尚未到开始日期。",
    "ended": "周期任务已到结束日期。",
    "closed": "已由督办单位核实销号（台账：已办结），且未超过时限。",
    "closed_late": "已销号或办结，但晚于时限。",
    "recorded": "无期限的记录（如会议）。",
}
