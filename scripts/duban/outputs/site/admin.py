"""The CMS admin page (``site/admin/``): Decap CMS from the vendored bundle, its ``config.yml`` from the schemas.

One collection per record kind of ``schemas/kinds.yaml`` (no kind is named here): its folder, file name from the
kind's template, and a widget per schema field (dates, numbers, switches, lists, objects, ``select`` for enums,
``relation`` for the references kinds.yaml declares: units, tasks, plans, clauses). ``required``, ``pattern`` and
``hint`` come from the schema; every free-text field also carries a pattern refusing mobile and ID numbers before
saving (the validator's privacy scan stays the real check). The backend is the office's ``cms:`` section of
``schemas/settings.yaml``; ``local_backend`` points at ``npx decap-server`` for an editor on a checkout.

Decap lower-cases every file name it makes (``T-2-1-01`` → ``t-2-1-01``, decaporg/decap-cms#5491), so the page
loads ``duban-cms.js``, which puts a new record at the path its kind's template gives (``paths`` below) and drops
empty optional values, before Decap hands the file to its backend.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import yaml

from duban.atomic import write_many
from duban.outputs.site.bundle import BundleError, bundle_files
from duban.records.kinds import Kind, Registry
from duban.records.write import resolve_schema

# Personal numbers, refused by the field's pattern before Decap saves (JavaScript RegExp, no flags; Python's re
# reads it the same way). Digits may be full-width, a mobile number may be split by spaces or hyphens.
_D = "[0-9０-９]"
MOBILE = f"(?<!{_D})[1１][3-9３-９](?:[ -]?{_D}){{9}}(?!{_D})"
ID_18 = f"(?<!{_D}){_D}{{17}}[0-9０-９Xx](?!{_D})"
ID_15 = f"(?<!{_D}){_D}{{15}}(?!{_D})"
NO_PERSONAL = f"(?![\\s\\S]*{MOBILE})(?![\\s\\S]*{ID_18})(?![\\s\\S]*{ID_15})"
PRIVACY_PATTERN = f"^{NO_PERSONAL}[\\s\\S]*$"
# Decap shows “<label>”不满足模式<message>: the message reads on from there
PRIVACY_MESSAGE = "：不得填写手机号码或身份证号（记录会公开发布；如需联系请写单位办公电话）"

OPTIONS = 1000  # a relation's dropdown lists this many records (Decap's default is 20)
LONG_TEXT = 200  # strings allowed longer than this get a multi-line text box

BACKENDS = ("github", "forgejo", "gitea")
NOT_IN_FORM = {"synthetic"}  # demonstration data is marked by the demo generator, never by an office


class CmsConfigError(Exception):
    """The ``cms:`` settings cannot make a working admin page (a Chinese message naming the key)."""


def _date_widget() -> dict:
    return {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD", "time_format": False,
            "picker_utc": False}


def _pattern_message(description: str) -> str:
    return f"：{description.rstrip('。')}，且不得含手机号码、身份证号" if description else "，或含有手机号码、身份证号"


class _Fields:
    def __init__(self, kind: Kind, registry: Registry):
        self.kind, self.registry = kind, registry
        self.refs = {"/".join(r.path): r for r in kind.references}

    def resolve(self, schema: dict, base: str) -> tuple[dict, str]:
        return resolve_schema(schema, base, self.registry.schemas)

    def fields(self, schema: dict, base: str, prefix: str = "") -> list[dict]:
        """A widget per property; a free-form map (an object without properties) has no Decap widget and is left
        out of the form (Decap keeps such a value of an existing record as it was)."""
        required = set(schema.get("required", ()))
        out = []
        for name, prop in (schema.get("properties") or {}).items():
            resolved = self.resolve(prop, base)[0]
            if resolved.get("type") == "object" and not resolved.get("properties"):
                continue
            out.append(self.field(name, prop, base, f"{prefix}{name}", name in required))
        return out

    def field(self, name: str, prop: dict, base: str, path: str, required: bool) -> dict:
        resolved, base = self.resolve(prop, base)
        out = {"name": name, "label": resolved.get("title", name)}
        widget = self.widget(resolved, base, path)
        out.update(widget)
        out["required"] = required
        hint = resolved.get("description")
        if hint:
            out["hint"] = hint
        return out

    def relation(self, ref, multiple: bool) -> dict:
        if ref.kind == "clause":  # a clause lives in a plan record's list of clauses
            out = {"widget": "relation", "collection": "plan", "value_field": "clauses.*.id",
                   "search_fields": ["clauses.*.id", "clauses.*.title"],
                   "display_fields": ["clauses.*.id", "clauses.*.label", "clauses.*.title"]}
        else:
            target = self.registry.kinds[ref.kind]
            props = target.schema.get("properties", {})
            value = "id" if "id" in props else target.file_fields[0]
            named = [f for f in ("name", "short_name", "title") if f in props]
            if "name" in named:
                shown = f"{{{{name}}}}（{{{{{value}}}}}）"
            elif named:
                shown = f"{{{{{value}}}}} {{{{{named[0]}}}}}"
            else:
                shown = f"{{{{{value}}}}}"
            out = {"widget": "relation", "collection": ref.kind, "value_field": value,
                   "search_fields": [value, *named], "display_fields": [shown], "options_length": OPTIONS}
        if multiple:
            out["multiple"] = True
        return out

    def widget(self, schema: dict, base: str, path: str) -> dict:
        if path in self.refs:
            return self.relation(self.refs[path], multiple=False)
        kind_of = schema.get("type")
        if "enum" in schema:
            return {"widget": "select", "options": list(schema["enum"])}
        if kind_of == "array":
            items, items_base = self.resolve(schema.get("items") or {}, base)
            if f"{path}/*" in self.refs:
                out = self.relation(self.refs[f"{path}/*"], multiple=True)
            elif "enum" in items:
                out = {"widget": "select", "options": list(items["enum"]), "multiple": True}
            elif items.get("type") == "object":
                out = {"widget": "list", "fields": self.fields(items, items_base, f"{path}/*/")}
            else:
                sub = {"name": "item", "label": items.get("title", "项"), **self.widget(items, items_base, f"{path}/*")}
                if items.get("description"):
                    sub["hint"] = items["description"]
                out = {"widget": "list", "field": sub}
            if schema.get("minItems"):
                out["min"] = schema["minItems"]
            if schema.get("maxItems"):
                out["max"] = schema["maxItems"]
            return out
        if kind_of == "object":
            return {"widget": "object", "fields": self.fields(schema, base, f"{path}/")}
        if kind_of == "boolean":
            return {"widget": "boolean"}
        if kind_of in ("integer", "number"):
            out = {"widget": "number", "value_type": "int" if kind_of == "integer" else "float"}
            if "minimum" in schema:
                out["min"] = schema["minimum"]
            if "maximum" in schema:
                out["max"] = schema["maximum"]
            if kind_of == "integer":
                out["step"] = 1
            return out
        if schema.get("format") == "date":
            return _date_widget()
        long = schema.get("maxLength", LONG_TEXT + 1) > LONG_TEXT and "pattern" not in schema
        out = {"widget": "text" if long else "string"}
        pattern = schema.get("pattern")
        if pattern:
            out["pattern"] = [f"^{NO_PERSONAL}(?:{pattern})", _pattern_message(schema.get("description", ""))]
        else:
            out["pattern"] = [PRIVACY_PATTERN, PRIVACY_MESSAGE]
        return out


def _template(file: str) -> str:
    return re.sub(r"\{([a-z_][a-z0-9_]*)\}", r"{{\1}}", file)


def collection(kind: Kind, registry: Registry) -> dict:
    """Decap's folder collection for one record kind."""
    schema = kind.schema
    props = schema.get("properties", {})
    out = {"name": kind.name, "label": kind.label, "label_singular": kind.label,
           "description": schema.get("description", ""),
           "folder": f"records/{kind.folder}", "extension": "yaml", "format": "yaml", "create": True,
           "identifier_field": kind.file_fields[0]}
    template = _template(kind.file)
    if "/" in kind.file:
        out["path"] = template
        out["slug"] = template.rsplit("/", 1)[1]
    else:
        out["slug"] = template
    extra = [f for f in ("short_name", "name", "title") if f in props and f not in kind.file_fields][:1]
    out["summary"] = " ".join(f"{{{{{f}}}}}" for f in (*kind.file_fields, *extra))
    out["fields"] = [f for f in _Fields(kind, registry).fields(schema, schema.get("$id", "")) if f["name"] not in NOT_IN_FORM]
    return out


def backend(settings: dict) -> tuple[dict, bool, str]:
    """Decap's ``backend`` from the ``cms:`` settings, whether the editorial workflow is on, and a note for the
    top of config.yml."""
    cms = settings.get("cms") or {}
    name = cms.get("backend")
    if not name:  # no server declared: only the local backend (decap-server on a checkout) can be used
        return {"name": "git-gateway", "branch": "main"}, True, "未在 schemas/settings.yaml 中声明 cms，只能配合本地后端（decap-server）使用。"
    if name not in BACKENDS:
        raise CmsConfigError(f"schemas/settings.yaml: cms.backend: “{name}”不是 github、forgejo 或 gitea")
    out = {"name": name, "repo": cms["repo"], "branch": cms.get("branch", "main")}
    for key in ("base_url", "api_root", "auth_endpoint", "app_id"):
        if cms.get(key):
            out[key] = cms[key]
    if name == "gitea":  # Decap's gitea backend has no editorial workflow: commits go to an inbox branch
        out["branch"] = cms.get("inbox_branch", "cms-inbox")
        return out, False, (f"Gitea 后端没有编辑流程：保存即提交到收件分支 {out['branch']}，"
                            f"由 CI 为它开合并请求到 {cms.get('branch', 'main')}，审核后合并。")
    return out, True, "保存的条目进入 cms/… 分支并开合并请求，审核通过后合并。"


def config(registry: Registry, local: int | None = None) -> tuple[dict, str]:
    """Decap's config (as data) and the note on which backend it uses."""
    back, workflow, note = backend(registry.settings)
    out: dict = {"locale": "zh_Hans", "backend": back}
    if workflow:
        out["publish_mode"] = "editorial_workflow"
    if local is not None:
        out["local_backend"] = {"url": f"http://127.0.0.1:{local}/api/v1", "allowed_hosts": ["127.0.0.1", "localhost"]}
    out["media_folder"] = "docs/assets/uploads"
    out["public_folder"] = "/assets/uploads"
    out["show_preview_links"] = False
    out["editor"] = {"preview": False}
    out["collections"] = [collection(kind, registry) for kind in registry.kinds.values()]
    return out, note


def paths(registry: Registry) -> dict:
    """What ``duban-cms.js`` needs to place a new record: folder, file template, whether ``-2`` counters apply."""
    return {name: {"folder": f"records/{k.folder}", "file": k.file, "counter": k.counter}
            for name, k in registry.kinds.items()}


def index_html(registry: Registry, bundle_sum: str) -> str:
    data = json.dumps(paths(registry), ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>{html.escape("记录填报后台")}</title>
</head>
<body>
  <script>window.CMS_MANUAL_INIT = true;</script>
  <script src="decap-cms.js?v={bundle_sum[:12]}"></script>
  <script id="duban-paths" type="application/json">{data}</script>
  <script src="duban-cms.js"></script>
</body>
</html>
"""


def config_text(registry: Registry, local: int | None = None) -> str:
    data, note = config(registry, local)
    head = ("# 由 duban build 根据 schemas/ 生成，请勿手改：改 schemas/ 或 schemas/settings.yaml 的 cms 后重新生成。\n"
            f"# {note}\n")
    return head + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


class _Dumper(yaml.SafeDumper):
    """No anchors and aliases (``&id001``) for lists that happen to be the same object."""

    def ignore_aliases(self, data):
        return True


def write_admin(site: Path, registry: Registry, local: int | None = None) -> Path:
    """Write ``admin/`` into a built site: index.html, config.yml, the bundle and duban's helper."""
    target = Path(site) / "admin"
    try:
        checksum, bundle = bundle_files()
    except BundleError as exc:
        raise CmsConfigError(str(exc)) from exc
    files = {target / "index.html": index_html(registry, checksum).encode(),
             target / "config.yml": config_text(registry, local).encode()}
    files.update({target / name: data for name, data in bundle.items()})
    target.mkdir(parents=True, exist_ok=True)
    write_many(files)
    return target
