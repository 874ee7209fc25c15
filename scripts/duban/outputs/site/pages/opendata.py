"""Open data: every kind as CSV and JSON, with a Frictionless data package."""

from __future__ import annotations

import csv
import io
import json

from duban.outputs import escape
from duban.outputs.md import esc, table
from duban.outputs.site.pages.context import Context


def open_data(site: Context) -> None:
    resources = []
    for kind in site.repo.registry.kinds.values():
        records = site.snapshot.records(kind.name)
        fields = list(kind.schema.get("properties", {}))
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(fields)
        for r in records:
            writer.writerow([_flat(r.get(f)) for f in fields])
        site.pages[f"data/{kind.name}.csv"] = "\ufeff" + buf.getvalue()  # BOM so Excel reads UTF-8
        site.pages[f"data/{kind.name}.json"] = json.dumps(records, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        site.pages[f"data/schemas/{kind.schema_file}"] = json.dumps(kind.schema, ensure_ascii=False, indent=2)
        resources.append({
            "name": kind.name.replace("_", "-"),
            "title": kind.label,
            "path": f"{kind.name}.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            "schema": {"fields": [{"name": f, "title": kind.schema["properties"][f].get("title", f),
                                   "description": kind.schema["properties"][f].get("description", ""),
                                   "type": _table_type(kind.schema["properties"][f])} for f in fields]},
            "sources": [{"title": "JSON Schema", "path": f"schemas/{kind.schema_file}"}],
            "count": len(records),
        })
    for name, schema in site.repo.registry.schemas.items():
        if name.endswith("common.schema.json"):
            site.pages["data/schemas/common.schema.json"] = json.dumps(schema, ensure_ascii=False, indent=2)
    package = {"profile": "tabular-data-package", "name": "duban-records", "title": "督办记录开放数据",
               "description": "工作方案、单位、任务、进展和各类台账记录；演示数据标注 synthetic=true。"
                              "CSV 中以 =、+、-、@ 开头的文字前加了单引号（'），以免表格软件把它当作公式执行；"
                              "JSON 保留原文。",
               "created": f"{site.snapshot.as_of}", "resources": resources}
    site.pages["data/datapackage.json"] = json.dumps(package, ensure_ascii=False, indent=2)
    rows = [[esc(r["title"]), str(r["count"]), f"[CSV]({r['path']})", f"[JSON]({r['path'][:-4]}.json)",
             f"[模式]({r['sources'][0]['path']})"] for r in resources]
    site.pages["data/index.md"] = "\n".join([
        "# 开放数据", "", site.asof_note(),
        "每类记录都以 CSV（UTF-8，带 BOM，可直接用 Excel 打开）和 JSON 发布，地址固定，便于上级汇总各地的数据。"
        "CSV 中以 =、+、-、@ 开头的文字前加了单引号，以免表格软件当作公式执行；JSON 保留原文。"
        "数据包说明见 [datapackage.json](datapackage.json)（Frictionless Data Package），字段定义随附 JSON Schema。", "",
        table(["类别", "记录数", "CSV", "JSON", "模式"], rows)])


def _flat(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return escape.csv(value)
    return str(value)


def _table_type(prop: dict) -> str:
    if prop.get("format") == "date" or prop.get("$ref", "").endswith("/date"):
        return "date"
    t = prop.get("type")
    return {"integer": "integer", "boolean": "boolean", "array": "array", "object": "object"}.get(t, "string")
