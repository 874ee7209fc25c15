"""The largest case register page in a real headless Chromium: ``python benchmarks/browser.py SITE_DIR``.

Serves the built site on 127.0.0.1, opens the largest page under ``registers/`` and prints one JSON line:
the page's size, its row count, the time to the ``load`` event, the time until duban's table tools are
ready, and the time from typing a filter to the row count shown (medians of three filters).
Needs Playwright and a Chromium (Debian's /usr/bin/chromium, ``DUBAN_CHROMIUM``, or Playwright's own).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def measure(site: Path) -> dict:
    from playwright.sync_api import sync_playwright

    # a volume is its page and its table's file (``<volume>.table.html``, put into the page by duban.js)
    def size(p: Path) -> int:
        table = p.parent.with_name(p.parent.name + ".table.html")
        return p.stat().st_size + (table.stat().st_size if table.is_file() else 0)

    pages = sorted(site.glob("registers/*/*/index.html"), key=size)
    if not pages:
        raise SystemExit(f"{site} 中没有台账分册页面")
    target = pages[-1]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/{target.parent.relative_to(site).as_posix()}/"
    candidates = [os.environ.get("DUBAN_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")]
    executable = next((c for c in candidates if c and Path(c).is_file()), None)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, headless=True, args=ARGS)
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(url, wait_until="load", timeout=120_000)
            loaded = time.perf_counter() - start
            page.locator(".duban-tools input[type=search]").first.wait_for(timeout=120_000)
            ready = time.perf_counter() - start
            rows = page.locator("article table").first.locator("tbody tr").count()
            count = page.locator(".duban-tools .duban-count").first
            box = page.locator(".duban-tools input[type=search]").first
            filters = []
            for query in ("逾期", "调解", ""):  # duban.js filters on each input event, without delay
                t0 = time.perf_counter()
                box.fill(query)
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                filters.append(time.perf_counter() - t0)
            shown = count.inner_text()
            browser.close()
    finally:
        httpd.shutdown()
    return {"page": target.relative_to(site).as_posix(), "bytes": size(target), "rows": rows, "count_after": shown,
            "load_s": round(loaded, 3), "tools_ready_s": round(ready, 3), "filter_s": round(statistics.median(filters), 3)}


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1])), ensure_ascii=False))
