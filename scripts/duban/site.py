"""Build the MkDocs site: validate first, then let MkDocs render ``docs/``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from .problems import Problem, Report
from .validate import check_repository


@dataclass
class BuildOutcome:
    report: Report
    site_dir: Path


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def build_site(root: Path, site_dir: Path | None = None) -> BuildOutcome:
    """Validate the records and, when they are clean, build the site strictly."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    root = Path(root)
    site_dir = Path(site_dir) if site_dir else root / "site"
    result = check_repository(root)
    if not result.ok:
        return BuildOutcome(result.report, site_dir)
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
        build(config)
    except (MkDocsException, SystemExit) as exc:
        detail = "；".join(handler.messages) or str(exc)
        problem = Problem("mkdocs.yml", 1, 1, "-", f"MkDocs 生成站点失败：{detail}", "mkdocs")
        return BuildOutcome(Report(files=result.report.files, problems=[problem]), site_dir)
    finally:
        logger.removeHandler(handler)
    return BuildOutcome(result.report, site_dir)
