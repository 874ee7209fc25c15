"""The ``duban`` command: parse arguments, call one library function, print, exit.

Exit codes: 0 clean, 1 invalid records (or a failed build), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "expected one argument": "需要一个值",
    "%(prog)s: error: %(message)s\n": "%(prog)s：用法错误：%(message)s\n",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
}


def _zh(message: str) -> str:
    return _ARGPARSE_ZH.get(message, message)


FIRST_YEAR, LAST_YEAR = 1900, 2999  # dates duban computes with (weeks, windows, trends) stay inside datetime's range


def _date(text: str):
    import datetime as dt

    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是有效日期，应为 YYYY-MM-DD")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"日期“{text}”超出可处理的范围（{FIRST_YEAR}-01-01 至 {LAST_YEAR}-12-31）")
    return day


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数")
    if value < 1:
        raise argparse.ArgumentTypeError(f"“{text}”应为正整数")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"端口“{text}”不是整数")
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"端口“{text}”应在 0 至 65535 之间")
    return value


def _week(text: str) -> str:
    import re

    m = re.fullmatch(r"([0-9]{4})-W([0-9]{2})", text)
    if m and not FIRST_YEAR <= int(m.group(1)) <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"周次“{text}”超出可处理的范围（{FIRST_YEAR} 年至 {LAST_YEAR} 年）")
    return text


def today_in_shanghai():
    """The default as-of date: today in Asia/Shanghai (chosen here, once)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def find_root(start: Path) -> Path:
    """The repository root: the nearest folder upwards holding schemas/kinds.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "schemas" / "kinds.yaml").is_file():
            return folder
    return start


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="duban", description="督办：工作方案任务与台账的校验、统计和发布工具")
    parser.add_argument("--root", type=Path, default=None, help="仓库根目录（默认：从当前目录向上查找含 schemas/kinds.yaml 的目录）")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    sub.required = True

    v = sub.add_parser("validate", help="校验记录文件", description="校验 records/ 下的记录：格式、必填字段、引用、日期顺序和个人信息。")
    v.set_defaults(func=_validate)
    v.add_argument("paths", nargs="*", type=Path, metavar="路径", help="只报告这些文件或文件夹中的问题（默认：整个仓库）")
    v.add_argument("--format", choices=["text", "github", "json"], default="text", help="输出格式：text（默认）、github（GitHub Actions 注释）、json")
    v.add_argument("--workers", type=_count, default=None, help="并行进程数（默认：文件多时使用全部 CPU）")
    v.add_argument("--today", type=_date, default=None, metavar="日期",
                   help="把该日当作今天（默认：北京时间今天）：晚于今天的进展和销号会被拒绝；供测试和补录核对使用")

    st = sub.add_parser("status", help="查看逾期和即将到期的任务", description="列出截至某日逾期、即将到期、滞报和缺报的任务，以及逾期台账数。")
    st.set_defaults(func=_status)
    st.add_argument("--as-of", type=_date, default=None, metavar="日期", help="统计截至日期 YYYY-MM-DD（默认：北京时间今天）")
    st.add_argument("--unit", default=None, metavar="单位", help="只看某单位牵头或配合的任务和它的台账（单位编号，即 records/units/ 中的文件名）")

    rp = sub.add_parser("report", help="生成报告", description="生成报告。")
    rsub = rp.add_subparsers(dest="report", metavar="报告")
    rsub.required = True
    wk = rsub.add_parser("weekly", help="生成周报（Markdown、Word、Excel）", description="生成某一 ISO 周（周一至周日）的周报，落款日期为下周一。")
    wk.set_defaults(func=_report_weekly)
    when = wk.add_mutually_exclusive_group()
    when.add_argument("--week", type=_week, default=None, metavar="周次", help="ISO 周，如 2024-W23（默认：最近一个完整的周）")
    when.add_argument("--as-of", type=_date, default=None, metavar="日期", help="报告该日期所在的周")
    wk.add_argument("--out", type=Path, default=Path("out/weekly"), metavar="目录", help="输出目录（默认：out/weekly）")

    nt = sub.add_parser("notify", help="把周报摘要发到企业微信或钉钉群", description="从环境变量 DUBAN_WEBHOOK_URL 读取群机器人地址（可选 DUBAN_WEBHOOK_SECRET 加签密钥、DUBAN_WEBHOOK_KIND=wecom|dingtalk），发送 Markdown 消息。")
    nt.set_defaults(func=_notify)
    nt.add_argument("summary", type=Path, metavar="摘要文件", help="周报摘要（Markdown）")
    nt.add_argument("--title", default="督办周报", help="消息标题")
    nt.add_argument("--link", default=None, help="完整周报的链接")

    b = sub.add_parser("build", help="校验并生成站点到 site/", description="先校验全部记录，通过后用 MkDocs 生成站点到 site/。")
    b.set_defaults(func=_build)
    b.add_argument("--site-dir", type=Path, default=None, help="站点输出目录（默认：site/）")
    b.add_argument("--as-of", type=_date, default=None, metavar="日期", help="生成该日结束时的站点：只计该日及以前的记录（默认：北京时间今天）")
    b.add_argument("--workers", type=_count, default=None, help="并行进程数（默认：全部 CPU）")

    sv = sub.add_parser("serve", help="在本机预览站点，记录修改后自动重新生成", description="生成站点并在本机提供访问；records/、docs/、schemas/ 或 mkdocs.yml 有修改时自动重新生成，刷新页面即可看到。")
    sv.set_defaults(func=_serve)
    sv.add_argument("--host", default="127.0.0.1", help="监听地址（默认：127.0.0.1，只允许本机访问）")
    sv.add_argument("--port", type=_port, default=8000, help="端口（默认：8000）")
    sv.add_argument("--as-of", type=_date, default=None, metavar="日期", help="固定统计截至日期（默认：每次生成时取北京时间今天）")
    sv.add_argument("--site-dir", type=Path, default=None, help="站点输出目录（默认：site/）")
    sv.add_argument("--workers", type=_count, default=None, help="并行进程数（默认：全部 CPU）")
    return parser


def _usage(message: str) -> int:
    print(f"用法错误：{message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    from duban.records.declarations import DeclarationError
    from duban.records.reporters import text

    argparse._ = _zh  # argparse words its own messages through this name
    args = build_parser().parse_args(argv)
    root = args.root.resolve() if args.root else find_root(Path.cwd())
    if args.func is not _notify and not (root / "schemas" / "kinds.yaml").is_file():
        where = "--root 指定的目录" if args.root else "当前目录及其上级目录"
        return _usage(f"{where}不是 duban 仓库（找不到 schemas/kinds.yaml）：{root}")
    try:
        return args.func(root, args)
    except DeclarationError as exc:  # schemas/ broken in a way a command met before validating
        from duban.records.problems import Report

        sys.stdout.write(text(Report(problems=exc.problems)))
        print("schemas/ 中的声明有问题，请先修正。", file=sys.stderr)
        return 1


def _validate(root: Path, args) -> int:
    from duban.records.reporters import REPORTERS
    from duban.records.validate import check_repository

    missing = [p for p in args.paths if not p.exists() and not p.is_symlink()]
    if missing:
        return _usage("路径不存在：" + "、".join(str(p) for p in missing))
    result = check_repository(root, args.paths or None, workers=args.workers, today=args.today or today_in_shanghai())
    sys.stdout.write(REPORTERS[args.format](result.report))
    return 0 if result.ok else 1


def _open(root: Path):
    """The repository, or None after printing the validator's problems."""
    from duban.records.model import InvalidRepository, open_repository
    from duban.records.reporters import text

    try:
        return open_repository(root)
    except InvalidRepository as exc:
        sys.stdout.write(text(exc.result.report))
        print("记录有问题，请先修正。", file=sys.stderr)
        return None


def _status(root: Path, args) -> int:
    from duban.engine.snapshot import evaluate
    from duban.outputs.terminal import status

    repo = _open(root)
    if repo is None:
        return 1
    if args.unit and args.unit not in repo.units:
        return _usage(f"单位“{args.unit}”不存在")
    snapshot = evaluate(repo, args.as_of or today_in_shanghai())
    sys.stdout.write(status(snapshot, args.unit))
    return 0


def _report_weekly(root: Path, args) -> int:
    from duban.engine.weekly import (
        WeekError,
        last_complete_week,
        parse_week,
        week_of,
        weekly_report,
    )
    from duban.outputs.report_md import write_weekly

    try:
        if args.week:
            parse_week(args.week)
            week = args.week
        elif args.as_of:
            week = week_of(args.as_of)
        else:
            week = last_complete_week(today_in_shanghai())
    except WeekError as exc:
        return _usage(str(exc))
    repo = _open(root)
    if repo is None:
        return 1
    try:
        written = write_weekly(weekly_report(repo, week), args.out)
    except OSError as exc:
        from duban.records.syntax import os_error_text

        return _usage(f"无法写入输出目录 {args.out}：{os_error_text(exc)}")
    for path in written.values():
        print(f"已写入 {path}")
    print(week)
    return 0


def _notify(root: Path, args) -> int:
    import os

    from duban.outputs.notify import send

    url = os.environ.get("DUBAN_WEBHOOK_URL", "").strip()
    if not url:
        print("未配置机器人 Webhook，跳过")
        return 0
    try:
        text = args.summary.read_text(encoding="utf-8")
    except OSError as exc:
        from duban.records.syntax import os_error_text

        return _usage(f"无法读取摘要文件 {args.summary}：{os_error_text(exc)}")
    except UnicodeDecodeError:
        return _usage(f"摘要文件 {args.summary} 不是 UTF-8 编码")
    delivery = send(url, args.title, text, args.link, kind=os.environ.get("DUBAN_WEBHOOK_KIND") or None,
                    secret=os.environ.get("DUBAN_WEBHOOK_SECRET") or None)
    if delivery.usage:
        return _usage(delivery.message)
    print(delivery.message, file=sys.stdout if delivery.ok else sys.stderr)
    return 0 if delivery.ok else 1


def _print_outcome(outcome, serving: bool = False) -> None:
    """The one place a build's outcome is printed (``duban build`` and every rebuild of ``duban serve``)."""
    from duban.records.reporters import text

    if outcome.report.ok:
        print(f"站点已生成：{outcome.site_dir}（数据截至 {outcome.as_of}，{outcome.pages} 个生成页面，"
              f"{len(outcome.weeks)} 期周报，用时 {outcome.seconds:.1f} 秒）", flush=True)
    else:
        sys.stdout.write(text(outcome.report))
        if serving:
            print("记录有问题，站点未更新；修正后会自动重新生成。", flush=True)
        else:
            print("记录有问题，未生成站点。", file=sys.stderr)


def _serve(root: Path, args) -> int:
    from duban.outputs.site.sitedir import SiteDirError, check_site_dir
    from duban.outputs.site.serve import serve

    try:
        check_site_dir(root, args.site_dir or root / "site")
    except SiteDirError as exc:
        return _usage(str(exc))
    try:
        serve(root, args.site_dir or root / "site", args.host, args.port,
              lambda: args.as_of or today_in_shanghai(), args.workers,
              lambda outcome: _print_outcome(outcome, serving=True), lambda message: print(message, flush=True))
    except OSError as exc:
        from duban.records.syntax import os_error_text

        print(f"无法启动服务：{os_error_text(exc)}", file=sys.stderr)
        return 1
    return 0


def _build(root: Path, args) -> int:
    from duban.outputs.site.build import build_site
    from duban.outputs.site.sitedir import SiteDirError

    today = today_in_shanghai()
    try:
        outcome = build_site(root, args.as_of or today, site_dir=args.site_dir, workers=args.workers, today=today)
    except SiteDirError as exc:
        return _usage(str(exc))
    _print_outcome(outcome)
    return 0 if outcome.report.ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
