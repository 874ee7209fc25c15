"""DESIGN.md's rules, read from the code's syntax tree: a rule that is broken fails here.

Each check is a function of (package folder, DESIGN.md text) returning violations, so the
checks themselves are tested on a small bad tree below.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "scripts" / "duban"
DESIGN = ROOT / "DESIGN.md"

PRINTERS = {"cli.py", "__main__.py"}  # the only modules that print or exit
PROMPTS = "edit/prompts.py"  # the only module that asks for input
RECORD_READERS = {"records/load.py", "records/write.py"}  # the loader and the canonical writer beside it
MAX_LINES = 400

# layer -> layers it may import; base modules are the top-level helpers besides the CLI
ALLOWED = {
    "base": {"base"},
    "records": {"records", "base"},
    "engine": {"engine", "records", "base"},
    "outputs": {"outputs", "engine", "records", "base"},
    "edit": {"edit", "engine", "records", "base"},
    "cli": {"cli", "base", "records", "engine", "outputs", "edit"},
}


@dataclass(frozen=True)
class Module:
    rel: str  # path below the package, e.g. "records/load.py"
    tree: ast.Module
    lines: int

    @property
    def layer(self) -> str:
        head = self.rel.split("/")[0]
        if head in ("records", "engine", "outputs", "edit"):
            return head
        return "cli" if self.rel in PRINTERS else "base"

    @property
    def dotted(self) -> str:
        parts = self.rel[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        return ".".join(["duban", *parts])


def modules(package: Path) -> list[Module]:
    out = []
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        out.append(Module(path.relative_to(package).as_posix(), ast.parse(text), text.count("\n") + 1))
    return out


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                yield node, f.id, None
            elif isinstance(f, ast.Attribute):
                owner = f.value.id if isinstance(f.value, ast.Name) else None
                yield node, f.attr, owner


def printing(package: Path, design: str) -> list[str]:
    """print / sys.exit outside the CLI; input() outside the prompts module."""
    found = []
    for m in modules(package):
        for node, name, owner in _calls(m.tree):
            if m.rel not in PRINTERS and ((name == "print" and owner is None) or (name == "exit" and owner == "sys")):
                found.append(f"{m.rel}:{node.lineno}: {name}() outside cli.py")
            if name == "input" and owner is None and m.rel != PROMPTS:
                found.append(f"{m.rel}:{node.lineno}: input() outside {PROMPTS}")
    if PROMPTS not in design:
        found.append(f"DESIGN.md does not name {PROMPTS} as the module of interactive prompts")
    return found


def _mentions_records(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"(^|/)records(/|$)", node.value):
            return True
        if isinstance(node, ast.Name) and node.id in ("RECORDS", "record_files"):
            return True
        if isinstance(node, ast.alias) and node.name in ("RECORDS", "record_files"):
            return True
    return False


def record_reading(package: Path, design: str) -> list[str]:
    """A module that names the records folder and reads files is reading records behind the loader's back."""
    found = []
    for m in modules(package):
        if m.rel in RECORD_READERS or not _mentions_records(m.tree):
            continue
        for node, name, owner in _calls(m.tree):
            reads = (name in ("open", "read_text", "read_bytes")
                     or name in ("safe_load", "load", "compose", "parse") and owner in ("yaml", "json"))
            if reads:
                found.append(f"{m.rel}:{node.lineno}: reads files ({name}) and names records/: go through records/load.py")
    return found


def _imported(m: Module) -> list[tuple[int, str]]:
    out = []
    package = m.dotted if m.rel.endswith("__init__.py") else m.dotted.rpartition(".")[0]
    for node in ast.walk(m.tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # the most specific name first: ``from duban.outputs import md`` imports duban.outputs.md
            out += [(node.lineno, f"{target}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
    return out


def _layer_of(dotted: str, known: dict[str, str]) -> str | None:
    while dotted:
        if dotted in known:
            return known[dotted]
        dotted = dotted.rpartition(".")[0]
    return None


def imports(package: Path, design: str) -> list[str]:
    """Imports run down the flow only."""
    mods = modules(package)
    known = {m.dotted: m.layer for m in mods}
    known["duban"] = "base"
    found = {}
    for m in mods:
        for line, target in _imported(m):
            if not target.startswith("duban") or target.startswith("duban_"):
                continue
            layer = _layer_of(target, known)
            if layer is None or layer == "base" and target == "duban":
                continue
            if layer not in ALLOWED[m.layer]:
                found.setdefault((m.rel, line), f"{m.rel}:{line}: {m.layer} imports {target} ({layer}): imports must run down the flow")
    return [found[k] for k in sorted(found)]


TABLE_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$")


def listed(design: str) -> dict[str, str]:
    """Module rows of DESIGN.md's table: path below scripts/duban/ -> the rest of the row."""
    rows = {}
    for line in design.splitlines():
        m = TABLE_ROW.match(line)
        if m and (m.group(1).endswith(".py") or m.group(1).endswith("/")):
            rows[m.group(1)] = m.group(2)
    return rows


def design_table(package: Path, design: str) -> list[str]:
    """Every module is listed, every listed module exists, and long modules say why."""
    rows = listed(design)
    found = []
    for m in modules(package):
        key = m.rel[: -len("__init__.py")] if m.rel.endswith("/__init__.py") else m.rel
        if key not in rows:
            found.append(f"{m.rel}: not listed in DESIGN.md's module table")
        elif m.lines > MAX_LINES and "long:" not in rows[key]:
            found.append(f"{m.rel}: {m.lines} lines (over {MAX_LINES}) and its DESIGN.md row does not say why (long: …)")
    for key in rows:
        if not (package / key).exists():
            found.append(f"DESIGN.md lists {key}, which does not exist")
    return found


CHECKS = (printing, record_reading, imports, design_table)


def test_the_package_keeps_the_design():
    design = DESIGN.read_text(encoding="utf-8")
    problems = [p for check in CHECKS for p in check(PACKAGE, design)]
    assert not problems, "\n".join(problems)


def test_readme_layout_table_matches_the_tree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Repository layout", 1)[1].split("\n## ", 1)[0]
    for path, what in re.findall(r"^\|\s*`([^`]+)`\s*\|([^|]*)\|", section, flags=re.M):
        if "(optional" in what:
            continue  # a folder an office creates when it needs it
        concrete = re.sub(r"<[^>]+>.*$", "", path).rstrip("/")
        assert (ROOT / concrete).exists() or list(ROOT.glob(concrete)), f"README layout lists {path}, which is not in the tree"


# ---------------------------------------------------------------- the checks catch what they claim to


BAD = {
    "__init__.py": "",
    "cli.py": "import sys\nprint('ok')\nsys.exit(0)\n",
    "records/__init__.py": "",
    "records/load.py": "def load(path):\n    return open(path).read()\n",
    "records/model.py": "from duban.engine.state import x  # records importing the engine\n",
    "engine/__init__.py": "",
    "engine/state.py": "import sys\nfrom duban.outputs import md\nprint('debug')\nsys.exit(1)\nx = input('?')\n",
    "outputs/__init__.py": "",
    "outputs/page.py": textwrap.dedent("""\
        from pathlib import Path
        from duban.records import load
        def peek(root):
            return (Path(root) / "records" / "tasks" / "T-1.yaml").read_text()
        """),
    "outputs/unlisted.py": "x = 1\n",
    "edit/__init__.py": "",
    "edit/forms.py": "from ..outputs import page\n",
}
BAD_DESIGN = """\
| module | job | API |
| --- | --- | --- |
| `cli.py` | | |
| `records/` | | |
| `records/load.py` | | |
| `records/model.py` | | |
| `engine/` | | |
| `engine/state.py` | | |
| `outputs/` | | |
| `outputs/page.py` | | |
| `outputs/gone.py` | | |
| `edit/` | | |
| `edit/forms.py` | | |
"""


def test_the_checks_fail_on_a_bad_tree(tmp_path):
    package = tmp_path / "duban"
    for rel, text in BAD.items():
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        (package / rel).write_text(text, encoding="utf-8")
    (package / "engine" / "big.py").write_text("x = 1\n" * 450, encoding="utf-8")
    design = BAD_DESIGN + "| `engine/big.py` | | |\n| `__init__.py` | | |\n"
    found = "\n".join(p for check in CHECKS for p in check(package, design))
    expected = [
        "engine/state.py:3: print() outside cli.py",
        "engine/state.py:4: exit() outside cli.py",
        "engine/state.py:5: input() outside edit/prompts.py",
        "DESIGN.md does not name edit/prompts.py",
        "outputs/page.py:4: reads files (read_text) and names records/",
        "records/model.py:1: records imports duban.engine.state.x (engine)",
        "engine/state.py:2: engine imports duban.outputs.md (outputs)",
        "edit/forms.py:1: edit imports duban.outputs.page (outputs)",
        "outputs/unlisted.py: not listed in DESIGN.md's module table",
        "DESIGN.md lists outputs/gone.py, which does not exist",
        "engine/big.py: 451 lines (over 400)",
    ]
    for text in expected:
        assert text in found, f"not reported: {text}\n--- reported:\n{found}"
    assert "cli.py:2" not in found  # the CLI may print
    assert "\nrecords/load.py:" not in "\n" + found  # the loader may read record files
