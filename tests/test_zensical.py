"""The generated site is plain Markdown and a plain mkdocs.yml: Zensical, Material's successor, builds it too.

MkDocs 1.x is unmaintained and Material for MkDocs ends in 2027; duban needs no MkDocs hook (the Chinese
search refinement is duban's own step) and names no file of its own in mkdocs.yml, so the same generated
pages build with Zensical, which reads mkdocs.yml.
"""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from conftest import make_site_repo, tool

pytestmark = pytest.mark.slow


def test_zensical_builds_the_generated_pages(tmp_path):
    from duban.outputs.site.build import build_site

    zensical = tool("zensical", "pip install -e '.[test]' (zensical is a test extra)")
    repo = make_site_repo(tmp_path / "repo")
    outcome = build_site(repo, dt.date(2024, 4, 7), site_dir=tmp_path / "site", build_dir=repo / "build")
    assert outcome.report.ok, outcome.report.problems
    config = (repo / "mkdocs.yml").read_text(encoding="utf-8")
    assert "hooks:" not in config.replace("# ", "") and "scripts/duban" not in config
    config = config.replace("site_dir: site", "site_dir: zsite")
    (repo / "zensical.yml").write_text(config, encoding="utf-8")
    proc = subprocess.run([zensical, "build", "-f", "zensical.yml"], cwd=repo, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = repo / "zsite"
    for page in ("index.html", "tasks/T-2-1-01/index.html", "units/aa/index.html", "registers/dispute/index.html"):
        assert (out / page).is_file(), page
    assert "制定办法" in (out / "tasks/T-2-1-01/index.html").read_text(encoding="utf-8")
