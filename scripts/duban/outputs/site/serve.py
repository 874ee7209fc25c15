"""``duban serve``: build the site, serve it on localhost, rebuild when a source changes.

An editor changes a record, reloads the page and sees the edit. Invalid
records print the validator's messages and the last good site stays up.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import threading
from pathlib import Path
from typing import Callable

from duban.outputs.site.build import BuildOutcome, build_site

WATCHED = ("records", "docs", "schemas", "mkdocs.yml")


def sources_state(root: Path) -> tuple:
    """A cheap fingerprint of the sources: every watched file's path, size and mtime."""
    entries = []
    for name in WATCHED:
        path = root / name
        if path.is_file():
            st = path.stat()
            entries.append((name, st.st_size, st.st_mtime_ns))
        elif path.is_dir():
            for dirpath, _, files in os.walk(path):
                for f in files:
                    full = os.path.join(dirpath, f)
                    try:
                        st = os.stat(full)
                    except FileNotFoundError:
                        continue
                    entries.append((full, st.st_size, st.st_mtime_ns))
    return tuple(sorted(entries))


def rebuild(root: Path, site_dir: Path, as_of: dt.date, workers: int | None,
            cms_local: int | None = None) -> BuildOutcome:
    """Build the site; ``build_site`` swaps it in only when the build succeeded, so the server never shows a
    half-built site and invalid records leave the last good one up."""
    return build_site(root, as_of, site_dir=site_dir, workers=workers, cms_local=cms_local)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(root: Path, site_dir: Path, host: str, port: int, as_of: Callable[[], dt.date], workers: int | None,
          report: Callable[[BuildOutcome], None], say: Callable[[str], None], interval: float = 1.0,
          stop: threading.Event | None = None, cms_local: int | None = None) -> None:
    """Serve until interrupted (or ``stop`` is set), rebuilding on changes.

    ``report`` receives every build's outcome and ``say`` every other message; nothing here prints.
    """
    stop = stop or threading.Event()
    report(rebuild(root, site_dir, as_of(), workers, cms_local))
    site_dir.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_Quiet, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    say(f"站点地址：http://{host}:{server.server_port}/（修改记录后刷新页面即可看到；按 Ctrl+C 停止）")
    seen = sources_state(root)
    try:
        while not stop.wait(interval):
            now = sources_state(root)
            if now != seen:
                seen = now
                say("检测到修改，正在重新生成……")
                report(rebuild(root, site_dir, as_of(), workers, cms_local))
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
