"""The schemas are the forms' source: every field carries a Chinese title and description."""

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

SCHEMAS = sorted((Path(__file__).resolve().parent.parent / "schemas").glob("*.schema.json"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def fields(schema, path=""):
    """Every property schema (and list item schema), however deeply nested."""
    for name, prop in schema.get("properties", {}).items():
        yield f"{path}.{name}".lstrip("."), prop
        yield from fields(prop, f"{path}.{name}")
        if isinstance(prop.get("items"), dict):
            yield f"{path}.{name}[]".lstrip("."), prop["items"]
            yield from fields(prop["items"], f"{path}.{name}[]")
    for name, sub in schema.get("$defs", {}).items():
        yield f"$defs.{name}", sub
        yield from fields(sub, f"$defs.{name}")


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_schema_is_valid_2020_12_with_chinese_labels(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    missing = [name for name, prop in fields(schema)
               if not CJK.search(prop.get("title", "")) or not CJK.search(prop.get("description", ""))]
    assert missing == [], f"fields without a Chinese title and description: {missing}"
