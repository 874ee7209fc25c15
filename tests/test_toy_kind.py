"""A new case kind is data: a schema and an entry in kinds.yaml, no engine code."""

import json

from duban.records.model import open_repository
from duban.records.validate import check_repository

TOY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://duban.invalid/schemas/drill.schema.json",
    "title": "应急演练",
    "description": "一次应急演练的记录。",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "unit", "planned", "scenario"],
    "properties": {
        "id": {"title": "演练编号", "description": "如 YL-aa-2024-0001。", "type": "string",
               "pattern": "^YL-[a-z][a-z0-9]*-[0-9]{4}-[0-9]{4}$"},
        "unit": {"$ref": "common.schema.json#/$defs/unit_id", "title": "组织单位", "description": "单位编号。"},
        "scenario": {"title": "演练场景", "description": "演练的场景。", "type": "string", "enum": ["消防", "防汛"]},
        "planned": {"$ref": "common.schema.json#/$defs/date", "title": "计划日期", "description": "计划演练日期。"},
        "held": {"$ref": "common.schema.json#/$defs/date", "title": "实施日期", "description": "实际演练日期。"},
    },
}

TOY_ENTRY = """
  drill:
    label: 应急演练
    schema: drill.schema.json
    folder: cases/drills
    file: "{id}"
    references:
      - {path: unit, kind: unit}
    date_order:
      - [planned, held]
    case:
      unit: unit
      start: planned
      limit: {days: 30, unit: 日}
      closed: {date: held}
      columns: [id, unit, scenario, planned, held]
"""


def add_toy_kind(repo):
    (repo / "schemas/drill.schema.json").write_text(json.dumps(TOY_SCHEMA, ensure_ascii=False), encoding="utf-8")
    with open(repo / "schemas/kinds.yaml", "a", encoding="utf-8") as f:
        f.write(TOY_ENTRY)
    folder = repo / "records/cases/drills"
    folder.mkdir(parents=True)
    return folder


def test_toy_kind_is_validated(repo):
    folder = add_toy_kind(repo)
    (folder / "YL-aa-2024-0001.yaml").write_text("id: YL-aa-2024-0001\nunit: aa\nscenario: 消防\nplanned: 2024-05-01\n", encoding="utf-8")
    (folder / "YL-aa-2024-0002.yaml").write_text(
        "id: YL-aa-2024-0002\nunit: zz\nscenario: 地震\nplanned: 2024-05-01\nheld: 2024-04-01\n", encoding="utf-8")
    problems = {(p.line, p.field): p.message for p in check_repository(repo).report.problems}
    assert set(problems) == {(2, "unit"), (3, "scenario"), (5, "held")}
    assert "单位“zz”不存在" in problems[(2, "unit")]
    assert "可选：消防、防汛" in problems[(3, "scenario")]
    assert "实施日期 2024-04-01 早于计划日期 2024-05-01" == problems[(5, "held")]


def test_toy_kind_is_counted_per_unit(repo):
    folder = add_toy_kind(repo)
    for n, unit in enumerate(["aa", "aa", "bb"], 1):
        (folder / f"YL-{unit}-2024-000{n}.yaml").write_text(
            f"id: YL-{unit}-2024-000{n}\nunit: {unit}\nscenario: 防汛\nplanned: 2024-06-0{n}\n", encoding="utf-8")
    repository = open_repository(repo)
    assert "drill" in [k.name for k in repository.case_kinds()]
    assert [c.id for c in repository.cases_of("drill", "aa")] == ["YL-aa-2024-0001", "YL-aa-2024-0002"]
    assert len(repository.cases_of("drill")) == 3
