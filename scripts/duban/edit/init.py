"""``duban init DIR``: a new, empty office repository that validates and builds at once.

It holds the core record kinds (plans, units, tasks, progress updates, the office's report notes,
declared holidays) with generic descriptions, the office's settings (area, unit kinds, the compiling
office), a generic home page and editor's guide, ``mkdocs.yml`` (which names no file of duban's: the
theme overrides come from the installed package at build time), ``.gitignore``, the workflows, a
``.ci/run``, and the issue forms and CODEOWNERS (``duban forms``). Case kinds are added the way the README describes (a schema and an entry in kinds.yaml).
Nothing is overwritten: a folder that already holds files is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

from duban.atomic import write_bytes
from duban.edit.generated import generate
from duban.edit.workspace import open_workspace

TEMPLATE = Path(__file__).resolve().parent / "template"
SCHEMAS = ("common", "plan", "unit", "task", "update", "holiday", "report_note")
WORKFLOWS = tuple(sorted(p.name for p in (TEMPLATE / "workflows").glob("*.yml")))
INSTALL_SELF = ('python -m pip install -e ".[test]"', "python -m pip install -e .")
INSTALL_DUBAN = 'python -m pip install "${DUBAN_PACKAGE:-duban}"'  # set DUBAN_PACKAGE to a wheel or a git URL


class InitError(Exception):
    """The target cannot be made an office repository (it holds files, or a value is unusable)."""


@dataclass(frozen=True)
class Office:
    name: str = "督办办公室"  # the compiling office: 区平安办
    area: str = "全区"  # what the total of all units is called
    site_name: str = "督办"
    unit_kinds: tuple[str, ...] = ("乡镇", "部门", "其他")

    def check(self) -> None:
        for label, value in (("办公室名称", self.name), ("地区名称", self.area), ("站点名称", self.site_name)):
            if not value.strip() or any(c in value for c in "\n\r\t:#{}[]") or len(value) > 40:
                raise InitError(f"{label}“{value}”不能为空，不能超过 40 个字，也不能含冒号、井号、括号或换行")
        if not self.unit_kinds or any(not k.strip() or any(c in k for c in ",:[]#{}\n") for k in self.unit_kinds):
            raise InitError("单位类别不能为空，也不能含逗号、冒号、括号或井号")


def files(office: Office) -> dict[str, bytes]:
    """Every file of a new repository: relative path -> bytes."""
    office.check()
    values = {"office": office.name, "area": office.area, "site_name": office.site_name,
              "unit_kinds": ", ".join(office.unit_kinds)}

    def render(name: str) -> bytes:
        return Template((TEMPLATE / name).read_text(encoding="utf-8")).substitute(values).encode("utf-8")

    out: dict[str, bytes] = {f"schemas/{k}.schema.json": (TEMPLATE / "schemas" / f"{k}.schema.json").read_bytes()
                             for k in SCHEMAS}
    out["schemas/kinds.yaml"] = (TEMPLATE / "schemas" / "kinds.yaml").read_bytes()
    out["schemas/settings.yaml"] = render("settings.yaml.tmpl")
    out["mkdocs.yml"] = render("mkdocs.yml.tmpl")
    out["docs/index.md"] = render("docs/index.md.tmpl")
    out["docs/guide/index.md"] = (TEMPLATE / "docs" / "guide" / "index.md").read_bytes()
    for asset in ("duban.css", "duban.js"):
        out[f"docs/assets/{asset}"] = (TEMPLATE / "docs" / "assets" / asset).read_bytes()
    out["README.md"] = render("README.md.tmpl")
    out[".gitignore"] = (TEMPLATE / "gitignore").read_bytes()
    out[".ci/run"] = (TEMPLATE / "ci-run").read_bytes()
    for workflow in WORKFLOWS:
        text = (TEMPLATE / "workflows" / workflow).read_text(encoding="utf-8")
        for line in INSTALL_SELF:
            text = text.replace(line, INSTALL_DUBAN)
        out[f".github/workflows/{workflow}"] = text.encode("utf-8")
    return out


def init_repository(target: Path | str, office: Office) -> list[Path]:
    """Write a new office repository into ``target`` (created when missing); returns the files written."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise InitError(f"{target} 不是文件夹")
    if target.is_dir() and any(target.iterdir()):
        raise InitError(f"{target} 中已有文件；duban init 只在空文件夹中建立仓库，不覆盖已有的内容")
    content = files(office)
    written = []
    for rel, data in sorted(content.items()):
        path = write_bytes(target / rel, data)
        if rel == ".ci/run":
            path.chmod(0o755)
        written.append(path)
    ws = open_workspace(target)
    for kind in ("unit", "plan", "task", "update"):  # where the office starts writing (git keeps no empty folder)
        ws.folder(kind).mkdir(parents=True, exist_ok=True)
    outcome = generate(ws)  # the issue forms and CODEOWNERS, from what was just written
    return written + [target / rel for rel in outcome.changed]
