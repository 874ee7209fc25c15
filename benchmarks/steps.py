"""Steps the harness times in a process of their own: ``python benchmarks/steps.py STEP ROOT OUT AS_OF``.

* ``floor``: read every record file and parse it with PyYAML's C loader, on one core (the physical
  floor of validation: nothing duban does can be cheaper than reading and parsing);
* ``pages``: validate, build the model, generate every site page and the current week's report
  (Markdown, Word, Excel) into OUT;
* ``archive``: validate, build the model and write the whole weekly archive into OUT, no cache.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path


def floor(root: Path) -> int:
    import yaml

    count = 0
    for path in sorted((root / "records").rglob("*.yaml")):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        count += 1
    return count


def _model(root: Path):
    from duban.records.model import build
    from duban.records.validate import check_repository

    result = check_repository(root)
    if not result.ok:
        raise SystemExit(f"记录未通过校验：{result.report.total} 个问题")
    return build(result)


def pages(root: Path, out: Path, as_of: dt.date) -> int:
    from duban.engine.monthly import reported_months
    from duban.engine.snapshot import Evaluator
    from duban.engine.weekly import reported_weeks, weekly_report
    from duban.outputs.report_md import write_weekly
    from duban.outputs.site.pages import generate

    repo = _model(root)
    evaluator = Evaluator(repo)
    weeks = reported_weeks(repo, as_of)
    written = generate(evaluator.at(as_of), root / "docs", weeks, reported_months(repo, as_of))
    for rel, content in written.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    write_weekly(weekly_report(evaluator, weeks[-1]), out / "reports" / "weekly" / weeks[-1], task_links=True)
    return len(written)


def archive(root: Path, out: Path, as_of: dt.date) -> int:
    from duban.engine.snapshot import Evaluator
    from duban.engine.weekly import reported_weeks
    from duban.outputs.site.archive import report_archive

    repo = _model(root)
    weeks = reported_weeks(repo, as_of)
    report_archive(Evaluator(repo), "weekly", weeks, out / "weekly", out / "cache")
    return len(weeks)


def main(argv: list[str]) -> int:
    step, root = argv[0], Path(argv[1])
    if step == "floor":
        print(floor(root))
        return 0
    out, as_of = Path(argv[2]), dt.date.fromisoformat(argv[3])
    print({"pages": pages, "archive": archive}[step](root, out, as_of))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
