"""Post the weekly summary to a WeCom (企业微信) or DingTalk (钉钉) group robot.

Standard library only. Both robots take a JSON POST on their webhook URL and answer
HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}`` on success; anything else is a
failure. :func:`send` never raises for network or HTTP problems: it returns a
:class:`Delivery` whose ``message`` explains the outcome in Chinese.

The webhook URL carries the robot's credential (WeCom ``key``, DingTalk
``access_token``) in its query string, and DingTalk's 加签 secret signs each
request. Neither ever appears in a :class:`Delivery` message: URLs are shown
with their query string masked and every credential value is scrubbed from
text that comes back from the network.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable

WECOM = "wecom"
DINGTALK = "dingtalk"

KIND_NAMES = {WECOM: "企业微信", DINGTALK: "钉钉"}

# Byte limits of the markdown body, UTF-8 encoded.
CONTENT_LIMITS = {WECOM: 4096, DINGTALK: 20000}

TRUNCATION_NOTICE = "……（内容过长，请查看完整周报）"
LINK_TEXT = "查看完整周报"

_HOSTS = {
    WECOM: ("qyapi.weixin.qq.com", "/cgi-bin/webhook/send"),
    DINGTALK: ("oapi.dingtalk.com", "/robot/send"),
}

# Error codes worth explaining; the robot's own errmsg is always shown as well.
_ERRCODE_HINTS = {
    WECOM: {
        93000: "Webhook 地址无效，机器人可能已被移出群聊",
        45009: "发送太频繁，每个机器人每分钟最多发送 20 条",
        40058: "消息内容不符合要求",
    },
    DINGTALK: {
        300001: "Webhook 的 access_token 无效",
        310000: "未通过机器人安全设置（加签密钥、自定义关键词或 IP 白名单不匹配）",
        130101: "发送太频繁，每个机器人每分钟最多发送 20 条",
    },
}

_MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Delivery:
    """The outcome of one post: ``ok`` only when the robot accepted the message."""

    ok: bool
    status: int | None
    message: str
    usage: bool = False  # the URL itself is unusable (a configuration error, not a failed post)


# ---------------------------------------------------------------------------
# URLs


def detect_kind(url: str) -> str | None:
    """``"wecom"`` or ``"dingtalk"`` from the webhook URL's host and path, else None."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("https", "http"):
        return None
    host = (parts.hostname or "").lower()
    path = parts.path.rstrip("/")
    for kind, (robot_host, robot_path) in _HOSTS.items():
        if host == robot_host and path == robot_path:
            return kind
    return None


def mask_url(url: str) -> str:
    """The URL with every query value replaced by ``***`` (and no user info)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "（无法解析的地址）"
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:  # a port such as 99999 or abc: show it as written, never raise
        port = parts.netloc.rpartition(":")[2]
    if port:
        host = f"{host}:{port}"
    query = "&".join(
        f"{piece.split('=', 1)[0]}=***" if piece else "" for piece in parts.query.split("&")
    ) if parts.query else ""
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, query, ""))


def _secrets_in(url: str, secret: str | None) -> list[str]:
    """Every credential-looking value: query values of the URL, and the secret."""
    values: list[str] = []
    try:
        query = urllib.parse.urlsplit(url).query
    except ValueError:
        query = ""
    for piece in query.split("&"):
        if "=" in piece:
            raw = piece.split("=", 1)[1]
            values.extend({raw, urllib.parse.unquote_plus(raw)})
    if secret:
        values.append(secret)
    # Longest first so a value containing another is replaced whole.
    return sorted({v for v in values if len(v) >= 4}, key=len, reverse=True)


def _scrub(text: str, secrets: list[str]) -> str:
    for value in secrets:
        text = text.replace(value, "***")
    return text


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]+")


def one_line(text: str) -> str:
    """Text from the network as one printable line: control characters and line breaks become spaces, so a
    robot's errmsg cannot start a line of its own (``::error::`` in an Actions log) or drive a terminal."""
    return _UNPRINTABLE.sub(" ", text).strip()


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be posted to, or None. Only ``https://`` is attempted (``http://`` to a loopback
    address is allowed, for tests); the port must be a number from 1 to 65535."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return f"Webhook 地址无效（端口应为 1 至 65535 之间的数字）：{mask_url(url)}"
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" or (parts.scheme == "http" and _loopback(host)):
        if not host:
            return f"Webhook 地址缺少主机名：{mask_url(url)}"
        if port == 0:
            return f"Webhook 地址无效（端口应为 1 至 65535 之间的数字）：{mask_url(url)}"
        return None
    scheme = parts.scheme or "（无）"
    return f"Webhook 地址应以 https:// 开头（现在是 {scheme}）：只向机器人服务器发送，不打开本机文件或其他协议"


# ---------------------------------------------------------------------------
# Payloads


def _fit_bytes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 form is at most ``limit`` bytes."""
    return text.encode("utf-8")[: max(limit, 0)].decode("utf-8", errors="ignore")


def _bounded(body: str, link_line: str, limit: int) -> str:
    """``body`` plus ``link_line``, cut at a line boundary to stay within ``limit`` bytes."""
    size = lambda s: len(s.encode("utf-8"))  # noqa: E731
    full = body.rstrip("\n")
    if link_line:
        full = f"{full}\n\n{link_line}" if full else link_line
    if size(full) <= limit:
        return full

    tail = TRUNCATION_NOTICE + (f"\n{link_line}" if link_line else "")
    if size(tail) > limit:  # an absurdly long link: keep the notice only
        tail = TRUNCATION_NOTICE
    budget = limit - size(tail) - 2  # "\n\n" between the kept text and the notice
    kept: list[str] = []
    used = 0
    for line in body.split("\n"):
        cost = size(line) + (1 if kept else 0)
        if used + cost > budget:
            break
        kept.append(line)
        used += cost
    text = "\n".join(kept).rstrip()
    if not text:
        # Not even the first line fits: cut it at a character boundary.
        text = _fit_bytes(body.split("\n", 1)[0], budget).rstrip()
    return f"{text}\n\n{tail}" if text else tail


def _with_title(title: str, markdown: str) -> str:
    """Put the title on top as a heading unless the text already starts with it."""
    markdown = markdown.replace("\r\n", "\n").strip("\n")
    title = title.strip()
    if not title:
        return markdown
    first = next((line for line in markdown.split("\n") if line.strip()), "")
    if title in first:
        return markdown
    return f"### {title}\n\n{markdown}" if markdown else f"### {title}"


def build_payload(kind: str, title: str, markdown: str, link: str | None) -> dict:
    """The JSON body for the robot ``kind``.

    The title is added as a heading unless the markdown's first line already holds it;
    ``link`` is appended as ``[查看完整周报](link)``. Text over the robot's limit
    (企业微信 4096, 钉钉 20000 bytes of UTF-8) is cut at a line boundary and ends with
    a notice and the link.
    """
    if kind not in CONTENT_LIMITS:
        raise ValueError(f"未知的机器人类型：{kind}")
    link_line = f"[{LINK_TEXT}]({link})" if link else ""
    text = _bounded(_with_title(title, markdown), link_line, CONTENT_LIMITS[kind])
    if kind == WECOM:
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


# ---------------------------------------------------------------------------
# DingTalk 加签


def _dingtalk_signature(secret: str, timestamp_ms: int) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}".encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign_dingtalk(url: str, secret: str, timestamp_ms: int) -> str:
    """``url`` with ``&timestamp=…&sign=…`` appended (钉钉机器人“加签”安全设置).

    sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))).
    Any ``timestamp``/``sign`` already in the URL is replaced.
    """
    sign = urllib.parse.quote_plus(_dingtalk_signature(secret, timestamp_ms))
    base, _, fragment = url.partition("#")
    path, _, query = base.partition("?")
    kept = [p for p in query.split("&") if p and p.split("=", 1)[0] not in ("timestamp", "sign")]
    kept += [f"timestamp={timestamp_ms}", f"sign={sign}"]
    signed = f"{path}?{'&'.join(kept)}"
    return f"{signed}#{fragment}" if fragment else signed


# ---------------------------------------------------------------------------
# Sending


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Robots never redirect; a redirect is reported as a failure, not followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        return None


def _post(request: urllib.request.Request, timeout: float) -> tuple[int, bytes]:
    """POST ``request`` and read the answer, all within ``timeout`` seconds in total.

    Socket timeouts bound each operation only: a server trickling one byte every second would
    keep a plain ``urlopen`` busy for as long as it liked. The exchange runs in a daemon thread
    that is abandoned (its socket timing out on its own) when the deadline passes.
    """
    outcome: dict = {}

    def work():
        try:
            opener = urllib.request.build_opener(_NoRedirect)
            with opener.open(request, timeout=timeout) as response:
                outcome["value"] = (response.status, response.read(_MAX_RESPONSE_BYTES))
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="duban-notify", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError("deadline")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return True
    reason = getattr(exc, "reason", None)
    return isinstance(reason, (TimeoutError, socket.timeout))


def _explain_errcode(kind: str, body: dict, secrets: list[str]) -> str:
    code = body.get("errcode")
    errmsg = one_line(_scrub(str(body.get("errmsg", "")), secrets))[:200]
    hint = _ERRCODE_HINTS.get(kind, {}).get(code) if isinstance(code, int) else None
    text = f"发送失败：机器人返回错误 errcode={one_line(str(code))[:20]}"
    if hint:
        text += f"（{hint}）"
    if errmsg:
        text += f"：{errmsg}"
    return text


def send(
    url: str,
    title: str,
    markdown: str,
    link: str | None = None,
    *,
    kind: str | None = None,
    secret: str | None = None,
    timeout: float = 10.0,
    now_ms: int | Callable[[], int] | None = None,
) -> Delivery:
    """Post the summary to the robot at ``url`` and say how it went.

    ``kind`` ("wecom" / "dingtalk") overrides detection from the URL (useful behind a
    proxy or gateway). Only ``https://`` URLs are posted to (``http://`` only to a loopback
    address); anything else is a usage error. ``timeout`` bounds the whole request, from
    connecting to the last byte of the answer, not each read. ``secret`` enables DingTalk 加签 (ignored for WeCom). ``now_ms``
    fixes the signing timestamp (an int, or a function returning one) for tests.
    Success needs HTTP 200 and ``errcode == 0`` in the JSON answer.
    """
    url = (url or "").strip()
    bad = url_problem(url)
    if bad:
        return Delivery(False, None, bad, usage=True)
    kind = (kind or "").strip().lower() or detect_kind(url)
    if kind not in KIND_NAMES:
        return Delivery(False, None, "无法识别机器人类型，请指定 企业微信（wecom）或 钉钉（dingtalk）")
    secrets = _secrets_in(url, secret)
    try:
        payload = build_payload(kind, title, markdown, link)
    except ValueError as exc:  # pragma: no cover - kind is checked above
        return Delivery(False, None, f"发送失败：{exc}")

    target = url
    if kind == DINGTALK and secret:
        stamp = now_ms() if callable(now_ms) else now_ms
        if stamp is None:
            stamp = int(time.time() * 1000)
        target = sign_dingtalk(url, secret, int(stamp))
        secrets = _secrets_in(target, secret)

    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    try:
        request = urllib.request.Request(
            target,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
    except ValueError:
        return Delivery(False, None, f"发送失败：Webhook 地址无效（{mask_url(url)}）")

    try:
        status, raw = _post(request, timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        return Delivery(False, exc.code, f"发送失败：HTTP {exc.code}")
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        if _is_timeout(exc):
            return Delivery(False, None, f"发送失败：连接超时（超过 {timeout:g} 秒没有响应）")
        reason = getattr(exc, "reason", None) or exc
        detail = one_line(_scrub(str(reason), secrets))[:200]
        return Delivery(False, None, f"发送失败：无法连接机器人服务器 {mask_url(url)}（{detail}）")

    if status != 200:
        return Delivery(False, status, f"发送失败：HTTP {status}")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return Delivery(False, status, "发送失败：机器人的回复不是有效的 JSON")
    if not isinstance(body, dict) or "errcode" not in body:
        return Delivery(False, status, "发送失败：机器人的回复缺少 errcode")
    if body.get("errcode") != 0:
        return Delivery(False, status, _explain_errcode(kind, body, secrets))
    return Delivery(True, status, f"已发送到{KIND_NAMES[kind]}群")
