"""Build the site: validate, generate Markdown into ``build/docs/``, run MkDocs.

``build/docs/`` (git-ignored) is what MkDocs reads: the hand-written pages
from ``docs/`` plus the generated ones and the weekly report archive. The
generator writes plain Markdown, so moving to another static site generator
is a configuration change.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from duban import __version__
from duban.engine.snapshot import Evaluator
from duban.outputs.site.admin import CmsConfigError, write_admin
from duban.outputs.site.archive import report_archive
from duban.outputs.site.pages.tablecache import TableCache
from duban.outputs.site.search_index import refine_site_index, split_compound
from duban.outputs.site.sitedir import check_site_dir, swap
from duban.records.history import read_history
from duban.records.model import Repository
from duban.records.model import build as build_model
from duban.records.problems import Problem, Report
from duban.records.validate import check_repository


@dataclass
class BuildOutcome:
    report: Report
    site_dir: Path
    as_of: dt.date | None = None
    pages: int = 0
    weeks: list[str] = field(default_factory=list)
    seconds: float = 0.0


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def code_fingerprint(root: Path) -> str:
    """A hash of what every report depends on besides the records: duban's own code and the files in schemas/."""
    h = hashlib.sha256(__version__.encode())
    for base in (Path(__file__).resolve().parents[2], root / "schemas"):
        for path in sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            if base.name != "schemas" and path.suffix != ".py":
                continue
            h.update(path.relative_to(base).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def generate(root: Path, repo: Repository, as_of: dt.date, out: Path, *, cache_root: Path,
             workers: int | None = None) -> tuple[int, list[str]]:
    """Write the full Markdown source of the site into ``out`` (replaced atomically)."""
    from duban.engine.monthly import parse_month, reported_months
    from duban.engine.periodkeys import period_keys
    from duban.engine.weekly import parse_week, reported_weeks
    from duban.outputs.site.pages import generate as generate_pages

    evaluator = Evaluator(repo)
    snapshot = evaluator.at(as_of)
    weeks = reported_weeks(repo, as_of)
    months = reported_months(repo, as_of)
    stage = out.with_name(out.name + ".tmp")
    if stage.exists():
        shutil.rmtree(stage)
    links = docs_links(root)
    if links:
        raise PageOutside(links[0], "docs/ 中不能有符号链接（链接指向的内容会被发布）")
    shutil.copytree(root / "docs", stage)
    base = code_fingerprint(root)
    tables = TableCache(cache_root / "registers", base)
    pages = generate_pages(snapshot, root / "docs", weeks, months, read_history(root, as_of), tables)
    for rel, content in pages.items():
        path = inside(stage, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    count = len(pages)
    del pages  # written: not carried into the archive's workers
    if cache_root.exists():  # drop what an older layout left
        for old in cache_root.iterdir():
            if old.name not in ("weeks", "months", "registers"):
                shutil.rmtree(old, ignore_errors=True)
    report_archive(evaluator, "weekly", weeks, stage / "reports" / "weekly", cache_root / "weeks", workers,
                   period_keys(repo, base, {w: parse_week(w)[1] for w in weeks}))
    report_archive(evaluator, "monthly", months, stage / "reports" / "monthly", cache_root / "months", workers,
                   period_keys(repo, base, {m: parse_month(m)[1] for m in months}))
    if out.exists():
        old = out.with_name(out.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        os.replace(out, old)
        os.replace(stage, out)
        shutil.rmtree(old)
    else:
        os.replace(stage, out)
    return count, weeks


THEME = Path(__file__).resolve().parent / "theme"  # duban's overrides of Material's templates


def theme_config(root: Path, build_dir: Path) -> dict:
    """mkdocs.yml's ``theme:`` with duban's template overrides added from the installed package (copied into
    ``build_dir/theme``), so a repository's mkdocs.yml names no path inside duban."""
    from mkdocs.utils import yaml_load

    with open(root / "mkdocs.yml", encoding="utf-8") as f:
        theme = dict((yaml_load(f) or {}).get("theme") or {"name": "material"})
    target = build_dir / "theme"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(THEME, target)
    if theme.get("custom_dir"):  # the office's own overrides win: copied over duban's
        shutil.copytree(root / theme["custom_dir"], target, dirs_exist_ok=True)
    theme["custom_dir"] = str(target)
    return theme


PLANS_INDEX = "plans/index.md"


def site_nav(root: Path, repo: Repository, as_of: dt.date) -> list | None:
    """mkdocs.yml's ``nav:`` with the entry that names ``plans/index.md`` grown into a section: 全部方案, then each
    plan's page (in force first, in issue order, then the ended ones), so a new plan needs no edit of mkdocs.yml."""
    from mkdocs.utils import yaml_load

    with open(root / "mkdocs.yml", encoding="utf-8") as f:
        nav = (yaml_load(f) or {}).get("nav")
    if not nav:
        return None
    plans = sorted((p for p in repo.plans.values() if p.page and p.issue_date <= as_of),
                   key=lambda p: (p.ended_by(as_of), p.issue_date, p.id))
    entries = [{"全部方案": PLANS_INDEX}] + [
        {p.doc_number + (f"（已{p.status}）" if p.ended_by(as_of) else ""): p.page} for p in plans]

    def grow(items):
        out = []
        for item in items:
            if isinstance(item, dict) and len(item) == 1:
                (title, value), = item.items()
                if value == PLANS_INDEX:
                    item = {title: entries}
                elif isinstance(value, list):
                    item = {title: grow(value)}
            out.append(item)
        return out

    return grow(nav)


def search_words(repo: Repository) -> list[str]:
    """Names the Chinese search must keep whole: every unit's name, short name and aliases (住建局, 公安分局)."""
    return sorted({n for u in repo.units.values() for n in (u.name, u.short_name, *u.aliases) if len(n) >= 2})


@contextlib.contextmanager
def taught_search(repo: Repository):
    """While the site is built, the word segmenter the search index is made with (jieba, used by Material's search)
    knows the units' names, so that searching a unit's name or short name finds its page by its title. jieba's
    dictionary is global: it is restored afterwards, so one build never changes the next (determinism, serve)."""
    try:
        import jieba
    except ImportError:  # pragma: no cover - Material does not segment Chinese without it either
        yield
        return
    tokenizer = jieba.dt
    tokenizer.check_initialized()
    saved = (dict(tokenizer.FREQ), tokenizer.total)
    try:
        for word in search_words(repo):
            jieba.add_word(word, freq=max(jieba.get_FREQ(word) or 0, 10_000))
        yield
    finally:
        tokenizer.FREQ, tokenizer.total = saved
        split_compound.cache_clear()  # the hook's splits were made with the taught words


class PageOutside(Exception):
    """A generated file would land outside its folder (the validator should have refused the record)."""

    def __init__(self, rel: str, why: str = ""):
        super().__init__(rel)
        self.rel = rel
        self.why = why


def inside(base: Path, rel: str) -> Path:
    """``base / rel``, refusing any ``rel`` that would leave ``base`` (absolute, ``..``, or through a link)."""
    target = (base / rel).resolve()
    if Path(rel).is_absolute() or ".." in Path(rel).parts or not target.is_relative_to(base.resolve()):
        raise PageOutside(rel)
    return base / rel


def docs_links(root: Path) -> list[str]:
    """Symbolic links under docs/ (MkDocs and the copy would follow them and publish what they point to)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root / "docs"):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if path.is_symlink():
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


@contextlib.contextmanager
def _build_date(day: dt.date):
    """MkDocs dates the sitemap (and its gzip header) from SOURCE_DATE_EPOCH: the as-of date, not the clock."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(dt.datetime.combine(day, dt.time(), dt.timezone.utc).timestamp()))
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def build_site(root: Path, as_of: dt.date, site_dir: Path | None = None, workers: int | None = None,
               build_dir: Path | None = None, today: dt.date | None = None, cms_local: int | None = None) -> BuildOutcome:
    """Validate the records and, when they are clean, generate and build the site strictly.

    ``build_dir`` (default ``<root>/build``) receives the generated Markdown (``docs/``) and the
    weekly report cache (``cache/``). The CMS admin page (``admin/``) is added when ``schemas/settings.yaml``
    declares ``cms:`` or ``cms_local`` names the port of a local ``decap-server``. MkDocs writes into a fresh
    folder beside ``site_dir``, which replaces the previous site only when the build succeeded: a failed build leaves the last good
    site as it was. Raises :class:`SiteDirError` when ``site_dir`` cannot be used.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from duban.outputs.site.rendercache import RenderCache

    started = time.monotonic()
    root = Path(root)
    site_dir = Path(site_dir) if site_dir else root / "site"
    check_site_dir(root, site_dir)
    result = check_repository(root, workers=workers, today=today)
    if not result.ok:
        return BuildOutcome(result.report, site_dir)
    repo = build_model(result)
    build_dir = Path(build_dir) if build_dir else root / "build"
    try:
        count, weeks = generate(root, repo, as_of, build_dir / "docs", cache_root=build_dir / "cache" / "weekly",
                                workers=workers)
    except PageOutside as exc:
        why = exc.why or f"生成的文件会写到 {build_dir / 'docs'} 之外，已停止生成"
        return BuildOutcome(Report(files=result.report.files, problems=[Problem(exc.rel, 1, 1, "-", why, "path")]), site_dir)
    fresh = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.", suffix=".new", dir=site_dir.parent))
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(str(root / "mkdocs.yml"), docs_dir=str(build_dir / "docs"), site_dir=str(fresh), strict=True,
                             theme=theme_config(root, build_dir), nav=site_nav(root, repo, as_of))
        rendered = RenderCache(build_dir / "cache" / "rendered")
        config.plugins["duban-render-cache"] = rendered  # pages whose Markdown is unchanged are not converted again
        with _build_date(as_of), taught_search(repo):
            build(config)
            refine_site_index(fresh)  # Chinese search inside compounds: duban's step, not a MkDocs hook
        rendered.prune()
        if cms_local is not None or repo.registry.settings.get("cms"):
            write_admin(fresh, repo.registry, cms_local)
        swap(fresh, site_dir)
    except CmsConfigError as exc:
        problem = Problem("schemas/settings.yaml", 1, 1, "cms", f"{exc}；上一次生成的站点保持不变", "cms")
        return BuildOutcome(Report(files=result.report.files, problems=[problem]), site_dir)
    except (MkDocsException, SystemExit) as exc:
        detail = "；".join(handler.messages) or str(exc)
        problem = Problem("mkdocs.yml", 1, 1, "-", f"MkDocs 生成站点失败：{detail}；上一次生成的站点保持不变", "mkdocs")
        return BuildOutcome(Report(files=result.report.files, problems=[problem]), site_dir)
    finally:
        logger.removeHandler(handler)
        shutil.rmtree(fresh, ignore_errors=True)
    return BuildOutcome(result.report, site_dir, as_of, count, weeks, time.monotonic() - started)
