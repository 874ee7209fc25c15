"""The vendored Decap CMS bundle (``decap/``): ``decap-cms.js`` as ``npm ci`` installs it from the lock file,
its SHA-256 recorded beside it, and duban's ``duban-cms.js``; checked before it is copied into a site."""

from __future__ import annotations

import hashlib
from pathlib import Path

BUNDLE_DIR = Path(__file__).resolve().parent / "decap"  # package.json, package-lock.json, the vendored bundle
BUNDLE = BUNDLE_DIR / "decap-cms.js"
BUNDLE_SUM = BUNDLE_DIR / "decap-cms.js.sha256"
HELPER = BUNDLE_DIR / "duban-cms.js"


class BundleError(Exception):
    """The vendored bundle is missing or not the recorded one (a Chinese message)."""


def recorded_checksum() -> str:
    try:
        return BUNDLE_SUM.read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError) as exc:
        raise BundleError(f"缺少 Decap CMS 包的校验值 {BUNDLE_SUM}：{exc}") from exc


def bundle_files() -> tuple[str, dict[str, bytes]]:
    """The recorded checksum and the files the admin page loads (name -> bytes), after checking the bundle."""
    recorded = recorded_checksum()
    try:
        bundle, helper = BUNDLE.read_bytes(), HELPER.read_bytes()
    except OSError as exc:
        raise BundleError(f"缺少 Decap CMS 包 {BUNDLE_DIR}：{exc.strerror or exc}；请按 README 取得") from exc
    if hashlib.sha256(bundle).hexdigest() != recorded:
        raise BundleError(f"{BUNDLE} 的 SHA-256 与 {BUNDLE_SUM.name} 记录的不一致；请按 README 重新取得 Decap CMS 包")
    return recorded, {"decap-cms.js": bundle, "duban-cms.js": helper}
