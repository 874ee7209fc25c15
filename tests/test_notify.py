"""duban.notify against a real HTTP server on 127.0.0.1 (never the real robots)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from duban.outputs.notify import (
    TRUNCATION_NOTICE,
    Delivery,
    build_payload,
    detect_kind,
    send,
    sign_dingtalk,
)

WECOM_KEY = "wecom-key-0123456789abcdef"
DING_TOKEN = "ding-token-fedcba9876543210"
DING_SECRET = "SECdeadbeef0123456789secret"
LINK = "https://example.org/duban/reports/weekly/2024-W23/"
SUMMARY = "### 督办周报 2024-W23\n\n- 本周新增进展 12 条\n- **逾期任务** 3 项：T-2-3-01、T-2-3-09\n- 矛盾纠纷调处 5 件，化解 4 件"


class RobotServer:
    """A tiny robot stand-in: records requests, answers with ``self.reply``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.reply = (200, {"errcode": 0, "errmsg": "ok"})
        self.delay = 0.0
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                server.requests.append(
                    {
                        "path": self.path,
                        "query": urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query),
                        "headers": dict(self.headers),
                        "raw": raw,
                        "json": json.loads(raw.decode("utf-8")),
                    }
                )
                if server.delay:
                    server.release.wait(server.delay)
                status, body = server.reply
                data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (timeout test)
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(2)


@pytest.fixture
def robot(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    server = RobotServer()
    yield server
    server.close()


def wecom_url(robot):
    return robot.url(f"/cgi-bin/webhook/send?key={WECOM_KEY}")


def ding_url(robot):
    return robot.url(f"/robot/send?access_token={DING_TOKEN}")


def assert_no_credentials(message: str):
    for value in (WECOM_KEY, DING_TOKEN, DING_SECRET):
        assert value not in message


# --- detection and payloads -------------------------------------------------


def test_detect_kind():
    assert detect_kind("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc") == "wecom"
    assert detect_kind("https://oapi.dingtalk.com/robot/send?access_token=abc") == "dingtalk"
    assert detect_kind("https://QYAPI.weixin.qq.com/cgi-bin/webhook/send?key=abc") == "wecom"
    assert detect_kind("https://example.com/robot/send?access_token=abc") is None
    assert detect_kind("https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send") is None
    assert detect_kind("not a url") is None
    assert detect_kind("") is None


def test_payload_shapes():
    wecom = build_payload("wecom", "督办周报 2024-W23", SUMMARY, LINK)
    assert wecom == {"msgtype": "markdown", "markdown": {"content": f"{SUMMARY}\n\n[查看完整周报]({LINK})"}}
    ding = build_payload("dingtalk", "督办周报 2024-W23", SUMMARY, None)
    assert ding == {"msgtype": "markdown", "markdown": {"title": "督办周报 2024-W23", "text": SUMMARY}}
    # A title missing from the text is added on top as a heading.
    titled = build_payload("wecom", "督办周报", "- 一条", None)
    assert titled["markdown"]["content"] == "### 督办周报\n\n- 一条"


@pytest.mark.parametrize(("kind", "field", "limit"), [("wecom", "content", 4096), ("dingtalk", "text", 20000)])
def test_truncation_keeps_limit_and_ends_with_link(kind, field, limit):
    lines = [f"- 第 {i} 项任务：牵头单位已报送进展，督办组已核实。" for i in range(2000)]
    markdown = "### 督办周报\n" + "\n".join(lines)
    text = build_payload(kind, "督办周报", markdown, LINK)["markdown"][field]
    size = len(text.encode("utf-8"))
    assert size <= limit
    assert size > limit - 200  # it used the room it had
    assert text.endswith(f"{TRUNCATION_NOTICE}\n[查看完整周报]({LINK})")
    kept = text.split(f"\n\n{TRUNCATION_NOTICE}")[0].split("\n")
    assert all(line in markdown.split("\n") for line in kept)  # cut at a line boundary


def test_truncation_of_one_huge_line_cuts_at_a_character():
    text = build_payload("wecom", "", "督" * 5000, None)["markdown"]["content"]
    assert len(text.encode("utf-8")) <= 4096
    assert text.endswith(TRUNCATION_NOTICE)
    assert text.startswith("督督督")


def test_sign_dingtalk_matches_the_documented_recipe():
    signed = sign_dingtalk("https://oapi.dingtalk.com/robot/send?access_token=abc", "SECxyz", 1700000000000)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(signed).query)
    expected = base64.b64encode(
        hmac.new(b"SECxyz", b"1700000000000\nSECxyz", hashlib.sha256).digest()
    ).decode()
    assert query == {"access_token": ["abc"], "timestamp": ["1700000000000"], "sign": [expected]}
    # Re-signing replaces the old parameters instead of piling them up.
    again = sign_dingtalk(signed, "SECxyz", 1700000000001)
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(again).query)["timestamp"] == ["1700000000001"]


# --- over the wire ------------------------------------------------------------


def test_wecom_post_arrives_intact(robot):
    result = send(wecom_url(robot), "督办周报 2024-W23", SUMMARY, LINK, kind="wecom")
    assert result == Delivery(True, 200, "已发送到企业微信群")
    (req,) = robot.requests
    assert req["path"].startswith("/cgi-bin/webhook/send?")
    assert req["query"] == {"key": [WECOM_KEY]}
    assert req["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert req["json"] == build_payload("wecom", "督办周报 2024-W23", SUMMARY, LINK)
    assert "逾期任务".encode("utf-8") in req["raw"]  # sent as UTF-8, not \\u escapes


def test_dingtalk_post_is_signed(robot):
    now = 1717977600123
    result = send(ding_url(robot), "督办周报 2024-W23", SUMMARY, LINK, kind="dingtalk", secret=DING_SECRET, now_ms=now)
    assert result.ok and result.status == 200 and result.message == "已发送到钉钉群"
    (req,) = robot.requests
    assert req["json"]["msgtype"] == "markdown"
    assert req["json"]["markdown"]["title"] == "督办周报 2024-W23"
    assert req["json"]["markdown"]["text"].startswith("### 督办周报 2024-W23\n\n- 本周新增进展 12 条")
    query = req["query"]
    assert query["access_token"] == [DING_TOKEN]
    assert query["timestamp"] == [str(now)]
    digest = hmac.new(DING_SECRET.encode(), f"{now}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
    assert query["sign"] == [base64.b64encode(digest).decode()]
    assert DING_SECRET not in req["path"]


def test_robot_error_code_is_a_failure(robot):
    robot.reply = (200, {"errcode": 93000, "errmsg": f"invalid webhook url, hint: [{WECOM_KEY}]"})
    result = send(wecom_url(robot), "周报", SUMMARY, kind="wecom")
    assert not result.ok and result.status == 200
    assert result.message.startswith("发送失败：机器人返回错误 errcode=93000")
    assert "Webhook 地址无效" in result.message
    assert_no_credentials(result.message)


def test_http_500_is_a_failure(robot):
    robot.reply = (500, {"errcode": -1, "errmsg": "system error"})
    result = send(ding_url(robot), "周报", SUMMARY, kind="dingtalk", secret=DING_SECRET)
    assert result == Delivery(False, 500, "发送失败：HTTP 500")


def test_reply_that_is_not_json_is_a_failure(robot):
    robot.reply = (200, b"<html>gateway</html>")
    result = send(wecom_url(robot), "周报", SUMMARY, kind="wecom")
    assert not result.ok and result.status == 200
    assert "JSON" in result.message


def test_timeout_returns_quickly(robot):
    robot.delay = 5.0
    started = time.monotonic()
    result = send(wecom_url(robot), "周报", SUMMARY, kind="wecom", timeout=0.5)
    elapsed = time.monotonic() - started
    assert not result.ok and result.status is None
    assert result.message.startswith("发送失败：连接超时")
    assert elapsed < 2.0
    assert_no_credentials(result.message)


def test_connection_refused_masks_the_url(robot):
    port = robot.port
    robot.close()
    url = f"http://127.0.0.1:{port}/robot/send?access_token={DING_TOKEN}"
    result = send(url, "周报", SUMMARY, kind="dingtalk", secret=DING_SECRET, timeout=1)
    assert not result.ok and result.status is None
    assert result.message.startswith("发送失败：无法连接")
    assert "access_token=***" in result.message
    assert_no_credentials(result.message)


def test_unknown_kind_is_refused_without_a_request(robot):
    result = send(robot.url("/hook?token=abc"), "周报", SUMMARY)
    assert result == Delivery(False, None, "无法识别机器人类型，请指定 企业微信（wecom）或 钉钉（dingtalk）")
    assert robot.requests == []


# --- hostile servers and URLs (issue 13) ------------------------------------------------


class Trickle:
    """A server that answers one byte every ``gap`` seconds: each read is quick, the whole answer is not."""

    def __init__(self, gap: float = 0.4):
        import socket

        self.gap = gap
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    conn.recv(65536)
                    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + b" " * 1000:
                        if self.stop.wait(self.gap):
                            return
                        conn.sendall(bytes([byte]))
                except OSError:
                    continue

    def close(self):
        self.stop.set()
        self.sock.close()
        self.thread.join(2)


def test_the_timeout_bounds_the_whole_request_not_each_read(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = Trickle(gap=0.3)
    try:
        started = time.monotonic()
        result = send(f"http://127.0.0.1:{server.port}/cgi-bin/webhook/send?key={WECOM_KEY}", "周报", SUMMARY,
                      kind="wecom", timeout=1.5)
        elapsed = time.monotonic() - started
    finally:
        server.close()
    assert not result.ok and result.message.startswith("发送失败：连接超时")
    assert elapsed < 4.0  # one read every 0.3 s would keep a per-read timeout of 1.5 s waiting for minutes


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "ftp://example.org/robot/send?access_token=" + DING_TOKEN,
    "http://oapi.dingtalk.com/robot/send?access_token=" + DING_TOKEN,
    "https://oapi.dingtalk.com:99999/robot/send?access_token=" + DING_TOKEN,
    "https://oapi.dingtalk.com:abc/robot/send?access_token=" + DING_TOKEN,
    "https:///robot/send",
])
def test_only_https_urls_are_tried(url, robot):
    result = send(url, "周报", SUMMARY, kind="dingtalk")
    assert not result.ok and result.usage and result.status is None
    assert_no_credentials(result.message)
    assert robot.requests == []


def test_loopback_http_is_allowed_for_tests(robot):
    assert send(wecom_url(robot).replace("127.0.0.1", "localhost"), "周报", SUMMARY, kind="wecom").ok


def test_the_robots_errmsg_cannot_forge_log_lines(robot):
    robot.reply = (200, {"errcode": 40058, "errmsg": "bad\n::error file=x::伪造的注释\r\n\x1b[2J"})
    result = send(wecom_url(robot), "周报", SUMMARY, kind="wecom")
    assert not result.ok
    assert "\n" not in result.message and "\r" not in result.message and "\x1b" not in result.message
    assert "伪造的注释" in result.message  # shown, on the same line
