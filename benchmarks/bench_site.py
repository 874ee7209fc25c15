"""Site build from the shipped records: cold (no weekly-report cache) and warm."""

import argparse
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from common import ROOT, timed
from duban.outputs.site.build import build_site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 25))
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="duban-bench-site-"))
    try:
        for label in ("冷启动（无周报缓存）", "热启动（周报已缓存）"):
            with timed(label):
                outcome = build_site(ROOT, args.as_of, site_dir=work / "site", workers=args.workers, build_dir=work / "build")
            pages = sum(1 for _ in (work / "site").rglob("*.html"))
            print(f"  {outcome.pages} 个生成页面，{len(outcome.weeks)} 期周报，{pages} 个 HTML 文件")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
