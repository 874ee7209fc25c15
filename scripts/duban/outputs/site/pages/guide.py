"""The editor's guide: the hand-written intro plus state meanings and fields from the schemas."""

from __future__ import annotations

from duban.outputs.md import badge, esc, table
from duban.outputs.site.pages.context import Context


def _tracking(site: Context) -> list[str]:
    """The clauses whose tracking the office explained (person-level parts tracked as task-level work only)."""
    rows = [[esc(plan.doc_number), f"[{esc(c.label)}{esc(c.title)}](../{plan.page}#{c.anchor})" if plan.page
             else esc(c.label + c.title), esc(c.tracking)]
            for plan in site.repo.plans.values() for c in plan.clauses if c.tracking]
    if not rows:
        return []
    return ["", "## 条款的跟踪说明", "",
            "以下条款由督办单位说明了跟踪方式（写在方案记录条款的“跟踪说明”中）。", "",
            table(["方案", "条款", "跟踪说明"], rows)]


def guide(site: Context) -> None:
    intro_path = site.docs_dir / "guide" / "index.md"
    intro = intro_path.read_text(encoding="utf-8") if intro_path.exists() else "# 填报指南\n"
    out = [intro.rstrip(), "", "## 状态说明", "",
           table(["状态", "颜色", "含义"], [[badge(v.get("label", k), v.get("level", ""), site.settings.colour(v.get("level", ""))),
                                         esc(v.get("level", "")), esc(site.settings.meaning(k))]
                                        for k, v in site.settings.states.items()]),
           *_tracking(site),
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
