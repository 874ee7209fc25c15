"""``duban forms``: every file duban generates into the repository, from one registry, and the sync check.

``FILES`` maps a path to the function that returns its text; ``FAMILIES`` are generators whose paths come
from the declarations (one issue form per case kind). Adding a generated file is one line in either.

Generated from the records as well as the schemas: the issue forms' unit and task choices and
``.github/CODEOWNERS`` (each unit's ``team`` owns its progress updates and cases; the supervising office's
team owns the task files). ``--check`` keeps what the committed files list from the records (a pull request
that adds a unit is not refused because the dropdowns do not list it yet: the publish workflow regenerates
them on main after the merge) and reports everything else that differs: a schema's label, the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from duban import atomic
from duban.edit import forms
from duban.edit.ids import case_id_shape
from duban.edit.workspace import Workspace
from duban.records.load import read_regular
from duban.records.validate import RECORDS

CODEOWNERS = ".github/CODEOWNERS"
OWNERS_HEADER = (
    "# 由 duban forms 根据 records/units/ 的 team 字段生成，请勿手工修改。\n"
    "# 每个单位的团队审核本单位的进展和台账；督办单位的团队审核任务文件。\n"
    "# GitHub 可在分支保护中要求代码所有者审核；Gitea 和 Forgejo 只请求评审，不强制。\n"
)


@dataclass
class Context:
    ws: Workspace
    keep: dict[str, str] | None = None  # --check: the committed texts, whose record-derived choices are kept

    def kept(self, path: str) -> str | None:
        return None if self.keep is None else self.keep.get(path)


# ---------------------------------------------------------------- CODEOWNERS


def owners(ws: Workspace) -> tuple[list[str], dict[str, str]]:
    """The supervising offices' teams and each unit's team, from the records."""
    teams = {uid: r.data["team"] for uid, r in sorted(ws.records("unit").items()) if r.data.get("team")}
    office = sorted({teams[p.supervisor] for p in ws.repo.plans.values() if p.supervisor in teams})
    return office, teams


def _owner_lines(ws: Workspace, office: list[str], teams: dict[str, str]) -> list[str]:
    lines = [f"/{RECORDS}/tasks/ {' '.join(office)}"] if office else []
    update = ws.kind("update").folder
    cases = [k.folder for k in ws.registry.case_kinds()
             if case_id_shape(k.schema.get("properties", {}).get("id", {}).get("pattern", ""))]
    for unit, team in teams.items():
        lines.append(f"/{RECORDS}/{update}/**/*-{unit}.yaml {team}")
        lines.append(f"/{RECORDS}/{update}/**/*-{unit}-*.yaml {team}")
        lines += [f"/{RECORDS}/{folder}/**/*-{unit}-*.yaml {team}" for folder in cases]
    return lines


def _kept_owners(text: str) -> tuple[list[str], dict[str, str]]:
    office: list[str] = []
    teams: dict[str, str] = {}
    update = re.compile(r"^/[^/]+/[^*]+/\*\*/\*-([a-z][a-z0-9]*)\.yaml$")
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        path, *who = line.split()
        if path.endswith("/tasks/"):
            office = who
        elif (m := update.match(path)) and who:
            teams[m.group(1)] = who[0]
    return office, teams


def codeowners(ctx: Context) -> str:
    kept = ctx.kept(CODEOWNERS)
    office, teams = _kept_owners(kept) if kept is not None else owners(ctx.ws)
    return OWNERS_HEADER + "".join(f"{line}\n" for line in _owner_lines(ctx.ws, office, teams))


# ---------------------------------------------------------------- the registry


def issue_forms(ctx: Context) -> dict[str, Callable[[Context], str]]:
    return {form.path: (lambda c, form=form: forms.form_text(form, c.kept(form.path)))
            for form in forms.all_forms(ctx.ws).values()}


FILES: dict[str, Callable[[Context], str]] = {
    f"{forms.FOLDER}/config.yml": lambda ctx: forms.config_text(),
    CODEOWNERS: codeowners,
}
FAMILIES: list[Callable[[Context], dict[str, Callable[[Context], str]]]] = [issue_forms]


def _current(root: Path, path: str) -> str | None:
    """A generated file as committed (a link or an unreadable file counts as missing, and is replaced)."""
    if not (root / path).exists():
        return None
    data, _why, _code = read_regular(root / path)
    try:
        return data.decode("utf-8") if data is not None else None
    except UnicodeDecodeError:
        return None


def _stale(root: Path, wanted: set[str]) -> list[str]:
    """Issue forms duban wrote earlier that no declaration gives any more (a case kind removed)."""
    folder = root / forms.FOLDER
    if not folder.is_dir():
        return []
    out = []
    for file in sorted(folder.glob("*.yml")):
        rel = f"{forms.FOLDER}/{file.name}"
        text = _current(root, rel)
        if rel not in wanted and text is not None and text.startswith(forms.HEADER):
            out.append(rel)
    return out


@dataclass
class Outcome:
    changed: list[str] = field(default_factory=list)  # written, or (check) out of date
    removed: list[str] = field(default_factory=list)  # deleted, or (check) to delete


def generate(ws: Workspace, check: bool = False) -> Outcome:
    """Regenerate every file (``check``: write nothing, report what differs)."""
    root = ws.root
    makers = dict(FILES)
    for family in FAMILIES:
        makers.update(family(Context(ws)))
    current = {path: _current(root, path) for path in makers}
    ctx = Context(ws, keep={p: t for p, t in current.items() if t is not None} if check else None)
    texts = {path: make(ctx) for path, make in sorted(makers.items())}
    out = Outcome(changed=[p for p, t in texts.items() if current[p] != t], removed=_stale(root, set(texts)))
    if check:
        return out
    atomic.write_many({root / p: texts[p].encode("utf-8") for p in out.changed})
    for rel in out.removed:
        (root / rel).unlink()
    return out
