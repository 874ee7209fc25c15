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

    ini = sub.add_parser("init", help="建立一个新的督办仓库", description="在一个空文件夹中建立新的督办仓库：记录类别、设置、首页和填报指南、mkdocs.yml、.gitignore、工作流；建好后即可校验和生成站点。在终端上会逐项询问，否则使用选项或默认值，从不等待输入。")
    ini.set_defaults(func=_init)
    ini.add_argument("dir", type=Path, metavar="文件夹", help="新仓库的文件夹（不存在则新建；已有文件则拒绝）")
    ini.add_argument("--office", default=None, metavar="名称", help="编发周报和通报的办公室，如 县平安办（默认：督办办公室）")
    ini.add_argument("--area", default=None, metavar="名称", help="全部单位合计的称呼，如 全区、全县、全市（默认：全区）")
    ini.add_argument("--site-name", default=None, metavar="名称", help="站点名称（默认：督办）")
    ini.add_argument("--unit-kinds", default=None, metavar="类别", help="单位类别，用逗号分隔，如 乡镇,县直单位,垂直管理单位（默认：乡镇,部门,其他）")
    ini.add_argument("--no-input", action="store_true", help="不提问：只用选项和默认值")

    v = sub.add_parser("validate", help="校验记录文件", description="校验 records/ 下的记录：格式、必填字段、引用、日期顺序和个人信息。")
    v.set_defaults(func=_validate)
    v.add_argument("paths", nargs="*", type=Path, metavar="路径", help="只报告这些文件或文件夹中的问题（默认：整个仓库）")
    v.add_argument("--format", choices=["text", "github", "json"], default="text", help="输出格式：text（默认）、github（GitHub Actions 注释）、json")
    v.add_argument("--workers", type=_count, default=None, help="并行进程数（默认：文件多时使用全部 CPU）")
    v.add_argument("--today", type=_date, default=None, metavar="日期",
                   help="把该日当作今天（默认：北京时间今天）：晚于今天的进展和销号会被拒绝；供测试和补录核对使用")

    ch = sub.add_parser("changes", help="合并请求摘要：修改了哪些记录，哪些任务和单位的状态因此变化",
                        description="与 --base 指定的提交比较：列出 records/ 下新增、修改、删除的文件，校验的全部问题，以及按同一天计算、状态因本次修改而变化的任务和单位（修改前 → 修改后）。输出 Markdown，供合并请求的作业摘要使用。")
    ch.set_defaults(func=_changes)
    ch.add_argument("--base", required=True, metavar="提交", help="比较的基准：合并请求的目标分支或其提交，如 origin/main")
    ch.add_argument("--as-of", type=_date, default=None, metavar="日期", help="按哪一天计算状态（默认：北京时间今天）")
    ch.add_argument("--output", type=Path, default=None, metavar="文件", help="把摘要追加到该文件（如 $GITHUB_STEP_SUMMARY），默认打印")

    st = sub.add_parser("status", help="查看逾期和即将到期的任务", description="列出截至某日逾期、即将到期、滞报和缺报的任务，以及逾期台账数。")
    st.set_defaults(func=_status)
    st.add_argument("--as-of", type=_date, default=None, metavar="日期", help="统计截至日期 YYYY-MM-DD（默认：北京时间今天）")
    st.add_argument("--unit", default=None, metavar="单位", help="只看某单位自己的事项：它牵头的任务中它的部分、它的台账、待它核销的事项，以及它配合的任务（单位编号，即 records/units/ 中的文件名）")
    st.add_argument("--format", choices=["text", "json"], default="text", help="输出格式：text（默认）或 json（供其他程序读取）")

    rp = sub.add_parser("report", help="生成报告", description="生成报告。")
    rsub = rp.add_subparsers(dest="report", metavar="报告")
    rsub.required = True
    wk = rsub.add_parser("weekly", help="生成周报（Markdown、Word、Excel）", description="生成某一 ISO 周（周一至周日）的周报，落款日期为下周一。")
    wk.set_defaults(func=_report_weekly)
    when = wk.add_mutually_exclusive_group()
    when.add_argument("--week", type=_week, default=None, metavar="周次", help="ISO 周，如 2024-W23（默认：最近一个完整的周）")
    when.add_argument("--as-of", type=_date, default=None, metavar="日期", help="报告该日期所在的周")
    wk.add_argument("--out", type=Path, default=Path("out/weekly"), metavar="目录", help="输出目录（默认：out/weekly）")
    mo = rsub.add_parser("monthly", help="生成月度通报（Markdown、Word、Excel）", description="生成某月的通报：各单位排名和等级、表扬和通报批评、按单位列出的逾期事项；落款日期为下月1日。")
    mo.set_defaults(func=_report_monthly)
    mo.add_argument("--month", default=None, metavar="月份", help="月份，如 2024-06（默认：上一个完整的月）")
    mo.add_argument("--out", type=Path, default=Path("out/monthly"), metavar="目录", help="输出目录（默认：out/monthly）")
    rm = rsub.add_parser("reminders", help="生成督办通知单（Word）", description="为每个有逾期、即将到期或待报送事项的单位生成一份督办通知单（只列该单位自己的事项）。")
    rm.set_defaults(func=_report_reminders)
    rm.add_argument("--as-of", type=_date, default=None, metavar="日期", help="统计截至日期 YYYY-MM-DD（默认：北京时间今天）")
    rm.add_argument("--unit", default=None, metavar="单位", help="只生成这个单位的通知单（单位编号）")
    rm.add_argument("--days", type=int, default=None, metavar="天数", help="列出多少天内到期的事项（默认：settings.yaml 的 reports.reminders.days）")
    rm.add_argument("--out", type=Path, default=Path("out/reminders"), metavar="目录", help="输出目录（默认：out/reminders）")

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
    b.add_argument("--cms-local", type=_port, nargs="?", const=8081, default=None, metavar="端口",
                   help="后台 /admin/ 连接本机的 decap-server（npx decap-server，默认端口 8081），在检出的仓库上编辑")

    fm = sub.add_parser("fmt", help="把记录文件整理为规范格式（保留注释）",
                        description="按规范格式重写记录文件：字段按模式顺序排列、块状缩进、只在必要时加引号，注释保留。"
                                    "YAML 有错误的文件不会被改写，只报告问题。")
    fm.set_defaults(func=_fmt)
    fm.add_argument("paths", nargs="*", type=Path, metavar="路径", help="只整理这些文件或文件夹（默认：records/ 下全部记录）")
    fm.add_argument("--check", action="store_true", help="只检查不改写：列出需要整理的文件，有则退出码为 1（供 CI 使用）")

    _editor_parsers(sub)
    _plan_parsers(sub)
    _intake_parsers(sub)
    _inbox_parsers(sub)

    xl = sub.add_parser("excel", help="Excel 填报表：导出给单位填写，填好后导入", description="Excel 填报表的导出和导入。")
    xsub = xl.add_subparsers(dest="excel", metavar="操作")
    xsub.required = True
    xe = xsub.add_parser("export", help="导出任务分解表和进展填报表",
                         description="导出填报说明、任务分解表和每个单位的进展填报表（每行一次应报送的进展）。")
    xe.set_defaults(func=_excel_export)
    xe.add_argument("out", type=Path, metavar="OUT.xlsx", help="输出文件")
    xe.add_argument("--unit", default=None, metavar="单位", help="只导出该单位的进展填报表（任务分解表只供查看）")
    xe.add_argument("--as-of", type=_date, default=None, metavar="日期", help="按该日计算应报送的进展和任务状态（默认：北京时间今天）")
    xi = xsub.add_parser("import", help="导入填好的填报表", description="把填好的进展填报表和任务分解表导入为记录：全部通过校验才写入。")
    xi.set_defaults(func=_excel_import)
    xi.add_argument("file", type=Path, metavar="FILE.xlsx", help="填好的工作簿")

    sv = sub.add_parser("serve", help="在本机预览站点，记录修改后自动重新生成", description="生成站点并在本机提供访问；records/、docs/、schemas/ 或 mkdocs.yml 有修改时自动重新生成，刷新页面即可看到。")
    sv.set_defaults(func=_serve)
    sv.add_argument("--host", default="127.0.0.1", help="监听地址（默认：127.0.0.1，只允许本机访问）")
    sv.add_argument("--port", type=_port, default=8000, help="端口（默认：8000）")
    sv.add_argument("--as-of", type=_date, default=None, metavar="日期", help="固定统计截至日期（默认：每次生成时取北京时间今天）")
    sv.add_argument("--site-dir", type=Path, default=None, help="站点输出目录（默认：site/）")
    sv.add_argument("--workers", type=_count, default=None, help="并行进程数（默认：全部 CPU）")
    sv.add_argument("--cms-local", type=_port, nargs="?", const=8081, default=None, metavar="端口",
                    help="后台 /admin/ 连接本机的 decap-server（默认端口 8081）")
    return parser


def _editor_options(p: argparse.ArgumentParser, unit_help: str, date_help: str) -> None:
    p.set_defaults(func=_edit)
    p.add_argument("--unit", default=None, metavar="单位", help=unit_help + "（单位编号；默认：上次使用的单位，记在 .duban/editor.yaml）")
    p.add_argument("--date", default=None, metavar="日期", help=date_help + "（默认：北京时间今天）")
    p.add_argument("--yes", action="store_true", help="不再确认，直接写入")
    p.add_argument("--no-input", action="store_true", help="不提问：缺少的内容按默认值，无默认值则报错（在终端中也如此）")


def _editor_parsers(sub) -> None:
    new = sub.add_parser("new", help="新建进展或台账记录", description="新建记录：交互式提问，或全部用选项给出。")
    nsub = new.add_subparsers(dest="what", metavar="类别")
    nsub.required = True
    nu = nsub.add_parser("update", help="报送任务进展", description="单位报送一项任务的进展（进展填报）。")
    nu.add_argument("target", nargs="?", metavar="TASK", help="任务编号，如 T-2-3-01（不填则从本单位的任务中选择）")
    _editor_options(nu, "报送单位", "报送日期")
    nu.add_argument("--state", default=None, metavar="状态", help="进展状态：推进中、已完成、受阻（默认：推进中）")
    nu.add_argument("--text", default=None, metavar="内容", help="进展内容")
    nu.add_argument("--evidence", action="append", default=[], metavar="链接", help="佐证材料链接，可重复")
    nu.add_argument("--period", default=None, metavar="日期", help="周期任务补报以前周期时，该周期内的任一日期")
    nu.set_defaults(edit="new update")
    nc = nsub.add_parser("case", help="登记一条台账（矛盾纠纷、安全隐患、稳评、会议等）",
                         description="登记一条台账；字段来自该类别的模式（schemas/），编号自动生成。")
    nc.add_argument("target", nargs="?", metavar="KIND", help="台账类别，如 hazard、dispute（不填则选择）")
    _editor_options(nc, "责任单位", "未用")
    nc.add_argument("--set", dest="sets", action="append", default=[], metavar="字段=值",
                    help="字段的值，可重复，如 --set category=消防 --set time_limit.days=15")
    nc.add_argument("--id", dest="case_id", default=None, metavar="编号", help="台账编号（默认：按编号格式自动生成）")
    nc.set_defaults(edit="new case")

    ex = sub.add_parser("extend", help="牵头单位申请延期", description="牵头单位在完成时限前申请延期：申请日期、延期后时限和理由；批准前不填批准信息。")
    ex.add_argument("target", nargs="?", metavar="TASK", help="任务编号")
    _editor_options(ex, "申请单位（牵头单位）", "申请日期")
    ex.add_argument("--new-due", default=None, metavar="日期", help="申请的延期后时限")
    ex.add_argument("--reason", default=None, metavar="理由", help="延期理由")
    ex.set_defaults(edit="extend")

    ap = sub.add_parser("approve", help="督办单位批准延期", description="督办单位批准一项待批准的延期申请；牵头单位不能批准本单位的申请。")
    ap.add_argument("target", nargs="?", metavar="TASK", help="任务编号（不填则从待批准的任务中选择）")
    _editor_options(ap, "批准单位（督办单位）", "批准日期")
    ap.set_defaults(edit="approve")

    cl = sub.add_parser("close", help="牵头单位报告任务完成", description="牵头单位报告任务完成：一条“已完成”的进展，附佐证材料；待督办单位核实销号。")
    cl.add_argument("target", nargs="?", metavar="TASK", help="任务编号")
    _editor_options(cl, "报送单位（牵头单位）", "报送日期")
    cl.add_argument("--text", default=None, metavar="内容", help="完成情况")
    cl.add_argument("--evidence", action="append", default=[], metavar="链接", help="佐证材料链接，可重复，至少一个")
    cl.set_defaults(edit="close")

    ve = sub.add_parser("verify", help="督办单位核实销号（任务）或验收（台账）",
                        description="任务：督办单位核实牵头单位报告的完成情况后销号。台账：按 kinds.yaml 的办结方式填写验收（如隐患的验收销号日期）或办结状态。")
    ve.add_argument("target", nargs="?", metavar="TASK|CASE", help="任务编号或台账编号（不填则从待销号的任务中选择）")
    _editor_options(ve, "核实单位（督办单位）", "销号或验收日期")
    ve.add_argument("--note", default=None, metavar="说明", help="销号说明")
    ve.add_argument("--status", default=None, metavar="状态", help="以状态记录办结的台账（如矛盾纠纷）的办结状态")
    ve.add_argument("--set", dest="sets", action="append", default=[], metavar="字段=值", help="验收时一并填写的字段（如稳评的评估结论）")
    ve.set_defaults(edit="verify")


def _usage(message: str) -> int:
    print(f"用法错误：{message}", file=sys.stderr)
    return 2


def _plan_parsers(sub) -> None:
    pl = sub.add_parser("plan", help="工作方案：从原文导入", description="工作方案的导入。")
    psub = pl.add_subparsers(dest="plan", metavar="操作")
    psub.required = True
    pi = psub.add_parser("import", help="从方案原文（.docx 或 .txt）生成方案记录、正文页面和任务分解表草稿",
                         description="读取方案原文，按原文序号（一、（一）1.（1））生成条款编号（二（三）→ 2.3）和条文，"
                                     "写入方案记录和带条款锚点的正文页面，并生成任务分解表草稿（Excel）。"
                                     "已有的方案会先与原文比较：报告新增、删除和修改的条款；条款编号有变动时提出对应关系，"
                                     "加 --apply-mapping 才改写任务的所属条款。")
    pi.set_defaults(func=_plan_import)
    pi.add_argument("file", type=Path, metavar="FILE", help="方案原文：.docx，或由 PDF 转换的 .txt（UTF-8 或 GBK）")
    pi.add_argument("--id", dest="plan_id", default=None, metavar="编号",
                    help="方案编号，用作 records/plans/ 下的文件名，如 quantai-2023-46（新方案必填；默认：文号或标题相同的已有方案）")
    pi.add_argument("--doc-number", default=None, metavar="文号", help="文号，如 泉台委办〔2023〕46号（默认：原文中的文号）")
    pi.add_argument("--title", default=None, metavar="标题", help="方案标题，不含书名号（默认：原文的标题）")
    pi.add_argument("--issue-date", default=None, metavar="日期", help="成文日期，如 2023-06-07（默认：原文落款的日期）")
    pi.add_argument("--issuer", dest="issuers", action="append", default=[], metavar="机关",
                    help="发文机关，可重复（默认：原文落款的机关）")
    pi.add_argument("--out-breakdown", type=Path, default=None, metavar="OUT.xlsx",
                    help="任务分解表草稿的路径（默认：out/<方案编号>-任务分解表.xlsx）")
    pi.add_argument("--apply-mapping", action="store_true",
                    help="确认按文字相似度提出的条款编号对应关系，改写任务的所属条款（任务编号不变）")
    pi.add_argument("--yes", action="store_true", help="不再确认，直接写入")
    pi.add_argument("--no-input", action="store_true", help="不提问：原文中找不到的内容须用选项给出，否则报错（在终端中也如此）")


def _intake_parsers(sub) -> None:
    fo = sub.add_parser("forms", help="重新生成议题表单和 CODEOWNERS",
                        description="按 schemas/ 和记录重新生成 .github/ISSUE_TEMPLATE/ 下的议题表单和 .github/CODEOWNERS。")
    fo.set_defaults(func=_forms)
    fo.add_argument("--check", action="store_true",
                    help="只检查不写入：列出因模式或代码变化而过时的文件，有则退出码为 1（来自记录的选项不比较，供 CI 使用）")
    it = sub.add_parser("intake", help="把提交的议题表单转为记录",
                        description="读取议题表单的正文，生成记录并与整个仓库一起校验；通过则写入，否则按表单字段列出问题。")
    it.set_defaults(func=_intake)
    it.add_argument("body", type=Path, metavar="BODY_FILE", help="议题正文（Markdown 文件）")
    it.add_argument("--form", default=None, metavar="FORM_ID", help="表单编号，如 progress（默认：按正文的“填报事项”识别）")
    it.add_argument("--issue", type=_count, default=None, metavar="N", help="议题编号（写入输出，供工作流使用）")
    it.add_argument("--previous", type=Path, default=None, metavar="FILE",
                    help="议题修改前的正文：修改已提交的议题时，更新它原来生成的记录而不是新增一条")
    it.add_argument("--masked-body", type=Path, default=None, metavar="FILE", help="正文含个人信息时，把遮盖后的正文写到此文件")
    it.add_argument("--json", action="store_true", help="以 JSON 输出结果（供工作流读取）")


def _inbox_parsers(sub) -> None:
    ib = sub.add_parser("inbox-pr", help="为填报后台的收件分支开合并请求（Gitea）",
                        description="Gitea 上的填报后台没有编辑流程，保存即提交到收件分支（schemas/settings.yaml 的 "
                                    "cms.inbox_branch，默认 cms-inbox）。本命令通过 Gitea 的 API 为收件分支开一个到主分支"
                                    "（cms.branch，默认 main）的合并请求；已有未合并的就不再新开。令牌从环境变量 "
                                    "DUBAN_INBOX_TOKEN 读取，不会显示。供工作流 .github/workflows/cms-inbox.yml 使用。")
    ib.set_defaults(func=_inbox_pr)
    ib.add_argument("--api-root", default=None, metavar="URL", help="Gitea 的 API 地址（默认：cms.api_root）")
    ib.add_argument("--repo", default=None, metavar="所有者/仓库名", help="仓库（默认：cms.repo）")
    ib.add_argument("--head", default=None, metavar="分支", help="收件分支（默认：cms.inbox_branch，未写则为 cms-inbox）")
    ib.add_argument("--base", default=None, metavar="分支", help="合并到的分支（默认：cms.branch，未写则为 main）")
    ib.add_argument("--pushed", default=None, metavar="分支",
                    help="触发本次运行的分支（工作流传入）：不是收件分支时报错，提示修改工作流的分支")


def main(argv: list[str] | None = None) -> int:
    from duban.records.declarations import DeclarationError
    from duban.records.reporters import text

    argparse._ = _zh  # argparse words its own messages through this name
    args = build_parser().parse_args(argv)
    root = args.root.resolve() if args.root else find_root(Path.cwd())
    if args.func not in (_notify, _init) and not (root / "schemas" / "kinds.yaml").is_file():
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


def _fmt(root: Path, args) -> int:
    from duban.edit.fmt import format_records
    from duban.records.problems import Report
    from duban.records.reporters import text

    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print("用法错误：路径不存在：" + "、".join(str(p) for p in missing), file=sys.stderr)
        return 2
    outcome = format_records(root, args.paths or None, check=args.check)
    if outcome.problems:
        sys.stdout.write(text(Report(outcome.files, outcome.problems)))
    for file in outcome.changed:
        print(f"{'需要整理' if args.check else '已整理'}：{file}")
    done = "需要整理" if args.check else "已整理"
    print(f"共 {outcome.files} 个文件，{done} {len(outcome.changed)} 个")
    return 0 if outcome.ok and not (args.check and outcome.changed) else 1


def _inbox_pr(root: Path, args) -> int:
    import os

    from duban.edit.inbox import InboxError, open_pull_request, target
    from duban.records.kinds import load_registry

    settings = load_registry(root / "schemas").settings
    try:
        t = target(settings, args.api_root, args.repo, args.head, args.base)
        if args.pushed is not None and args.pushed != t.head:
            return _usage(f"本次运行的分支 {args.pushed} 不是收件分支 {t.head}（schemas/settings.yaml: cms.inbox_branch）："
                          f"请把 .github/workflows/cms-inbox.yml 中 on.push.branches 改为 {t.head}")
        outcome = open_pull_request(root, t, os.environ.get("DUBAN_INBOX_TOKEN", "").strip())
    except InboxError as exc:
        if exc.usage:
            return _usage(exc.message)
        print(f"duban inbox-pr：{exc.message}", file=sys.stderr)
        return 1
    where = f"{t.head} → {t.base}"
    number = f" #{outcome.number}" if outcome.number is not None else ""
    if outcome.created:
        print(f"已开合并请求{number}：{where}" + (f"，{outcome.url}" if outcome.url else ""))
    elif outcome.reason == "merged":
        print(f"收件分支 {t.head} 没有 {t.base} 之外的提交，不开合并请求")
    else:
        print(f"已有未合并的合并请求{number}（{where}）：收件分支的新提交已在其中，不再新开"
              + (f"，{outcome.url}" if outcome.url else ""))
    return 0


def _edit(root: Path, args) -> int:
    from duban.edit.editors import Answers, edit
    from duban.edit.prompts import BadAnswer, MissingAnswer, Prompter
    from duban.edit.workspace import InvalidDeclarations
    from duban.records.problems import Report
    from duban.records.reporters import text

    fields = {k: getattr(args, k) for k in ("target", "unit", "date", "state", "text", "evidence", "period", "new_due",
                                           "reason", "note", "status", "sets", "case_id", "yes") if hasattr(args, k)}
    prompter = Prompter(interactive=sys.stdin.isatty() and not args.no_input)
    try:
        outcome = edit(root, args.edit, Answers(**fields), prompter, today_in_shanghai())
    except (MissingAnswer, BadAnswer) as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return 2
    except InvalidDeclarations as exc:
        sys.stdout.write(text(Report(0, exc.problems)))
        return 1
    except KeyboardInterrupt:
        print("\n已取消，未写入任何文件", file=sys.stderr)
        return 1
    if outcome.refused:
        print(f"不能写入：{outcome.refused}", file=sys.stderr)
        return 1
    if outcome.declined:
        print("已取消，未写入任何文件", file=sys.stderr)
        return 1
    applied = outcome.applied
    if not applied.ok:
        sys.stdout.write(text(Report(len(applied.texts), applied.problems)))
        print("记录有问题，未写入任何文件", file=sys.stderr)
        return 1
    for file in applied.written:
        print(f"已写入 {file}")
    for file in applied.unchanged:
        print(f"已有相同记录，未改动：{file}")
    return 0


def _workspace(root: Path):
    """The workspace for editing, or None after printing why it cannot be opened."""
    from duban.edit.workspace import InvalidDeclarations, open_workspace
    from duban.records.problems import Report
    from duban.records.reporters import text

    try:
        return open_workspace(root)
    except InvalidDeclarations as exc:
        sys.stdout.write(text(Report(0, exc.problems)))
        return None


def _forms(root: Path, args) -> int:
    from duban.edit.generated import generate

    ws = _workspace(root)
    if ws is None:
        return 1
    outcome = generate(ws, check=args.check)
    for file in outcome.changed:
        print(f"{'已过时' if args.check else '已生成'}：{file}")
    for file in outcome.removed:
        print(f"{'应删除' if args.check else '已删除'}：{file}")
    stale = outcome.changed or outcome.removed
    if args.check and stale:
        print("生成的文件与 schemas/ 和代码不一致，请运行 duban forms 并提交结果", file=sys.stderr)
        return 1
    if not stale:
        print("生成的文件都是最新的")
    return 0


def _intake(root: Path, args) -> int:
    import json

    from duban.atomic import write_text
    from duban.edit.intake import intake, masked_body
    from duban.records.load import read_regular

    def read(path: Path) -> str | None:
        data, why, _ = read_regular(path)
        if data is None:
            print(f"用法错误：无法读取 {path}：{why}", file=sys.stderr)
            return None
        return data.decode("utf-8", errors="replace")

    body = read(args.body)
    previous = read(args.previous) if args.previous else ""
    if body is None or previous is None:
        return 2
    ws = _workspace(root)
    if ws is None:
        return 1
    outcome = intake(ws, args.form, body, today_in_shanghai(), previous or None)
    if outcome.personal and args.masked_body:
        write_text(args.masked_body, masked_body(body))
    if args.json:
        print(json.dumps({"ok": outcome.ok, "issue": args.issue, "form": outcome.form.id if outcome.form else None,
                          "record": outcome.record, "written": outcome.written, "unchanged": outcome.unchanged,
                          "unit": outcome.unit, "unit_name": outcome.unit_name, "team": outcome.team, "personal_data": outcome.personal,
                          "problems": [{"field": p.label, "message": p.message} for p in outcome.problems]},
                         ensure_ascii=False, indent=2))
        return 0 if outcome.ok else 1
    if not outcome.ok:
        for problem in outcome.problems:
            print(f"- {problem}")
        print(f"发现 {len(outcome.problems)} 个问题，未写入任何文件", file=sys.stderr)
        return 1
    for file in outcome.written:
        print(f"已写入 {file}")
    for file in outcome.unchanged:
        print(f"已有相同记录，未改动：{file}")
    return 0


def _excel_export(root: Path, args) -> int:
    from duban.edit.excel_export import export_workbook
    from duban.edit.workspace import EditError

    ws = _workspace(root)
    if ws is None:
        return 1
    try:
        path = export_workbook(ws, args.out, args.as_of or today_in_shanghai(), args.unit)
    except EditError as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"无法写入 {args.out}：{exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"已写入 {path}")
    return 0


def _excel_import(root: Path, args) -> int:
    from duban.edit.excel_import import import_workbook

    if not args.file.is_file():
        return _usage(f"文件不存在：{args.file}")
    ws = _workspace(root)
    if ws is None:
        return 1
    outcome = import_workbook(ws, args.file, today_in_shanghai())
    if not outcome.ok:
        for problem in outcome.problems:
            print(problem)
        print(f"发现 {len(outcome.problems)} 个问题，未写入任何文件", file=sys.stderr)
        return 1
    for file in outcome.written:
        print(f"已写入 {file}")
    print(f"读取 {outcome.rows} 行，写入 {len(outcome.written)} 个文件，{len(outcome.unchanged)} 条已有相同记录")
    return 0


def _plan_import(root: Path, args) -> int:
    from duban.edit.plan_import import Options, describe, import_plan
    from duban.edit.plan_source import SourceError
    from duban.edit.prompts import BadAnswer, MissingAnswer, Prompter
    from duban.records.problems import Report
    from duban.records.reporters import text

    if not args.file.is_file():
        return _usage(f"文件不存在：{args.file}")
    ws = _workspace(root)
    if ws is None:
        return 1
    options = Options(args.plan_id, args.doc_number, args.title, args.issue_date, args.issuers, args.out_breakdown,
                      args.apply_mapping, args.yes)
    prompter = Prompter(interactive=sys.stdin.isatty() and not args.no_input)
    try:
        outcome = import_plan(ws, args.file, options, prompter, today_in_shanghai())
    except SourceError as exc:
        print(f"不能导入：{exc}", file=sys.stderr)
        return 1
    except (MissingAnswer, BadAnswer) as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\n已取消，未写入任何文件", file=sys.stderr)
        return 1
    for warning in outcome.warnings:
        print(f"注意：{warning}")
    for line in describe(outcome):
        print(line)
    if outcome.problems:
        for problem in outcome.problems:
            print(problem)
        print(f"发现 {len(outcome.problems)} 个问题，未写入任何文件", file=sys.stderr)
        return 1
    if outcome.needs_mapping:
        print("条款编号有变动，未写入任何文件。请核对上面的对应关系；无误后加 --apply-mapping 重新导入，"
              "任务的所属条款将按此改写（任务编号不变）。", file=sys.stderr)
        return 1
    if outcome.declined:
        print("已取消，未写入任何文件", file=sys.stderr)
        return 1
    if outcome.record_problems:
        sys.stdout.write(text(Report(outcome.checked, outcome.record_problems)))
        print("记录有问题，未写入任何文件", file=sys.stderr)
        return 1
    for file in outcome.written:
        print(f"已写入 {file}")
    for file in outcome.unchanged:
        print(f"没有变化：{file}")
    print(f"已写入任务分解表草稿 {outcome.breakdown}（{outcome.breakdown_rows} 行；填好后用 duban excel import 导入）")
    return 0


def _changes(root: Path, args) -> int:
    import tempfile

    from duban.engine.compare import compare
    from duban.engine.snapshot import evaluate
    from duban.outputs.pr_summary import pr_summary
    from duban.records.history import changed_files, tree_at
    from duban.records.model import build, open_repository
    from duban.records.validate import check_repository

    files = changed_files(root, args.base)
    if files is None:
        return _usage(f"找不到提交“{args.base}”（或这里不是 Git 仓库）：请先 git fetch 目标分支")
    day = args.as_of or today_in_shanghai()
    result = check_repository(root, None, today=today_in_shanghai())
    comparison, why = None, ""
    if not result.ok:
        why = "记录有问题，修正后才能计算状态变化。"
    else:
        with tempfile.TemporaryDirectory(prefix="duban-base-") as tmp:
            base = Path(tmp)
            try:
                tree_at(root, args.base, base)
                before = evaluate(open_repository(base), day)
            except Exception:  # noqa: BLE001 - the base's records are not this pull request's problem
                why = "目标分支上的记录无法读取，无法比较状态变化。"
            else:
                comparison = compare(before, evaluate(build(result), day))
    summary = pr_summary(result.report, files, comparison, day, why)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as f:
            f.write(summary)
    else:
        sys.stdout.write(summary)
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
    from duban.outputs.status_json import status_json
    from duban.outputs.terminal import status

    repo = _open(root)
    if repo is None:
        return 1
    if args.unit and args.unit not in repo.units:
        return _usage(f"单位“{args.unit}”不存在")
    snapshot = evaluate(repo, args.as_of or today_in_shanghai())
    render = status_json if args.format == "json" else status
    sys.stdout.write(render(snapshot, args.unit))
    return 0


def _init(root: Path, args) -> int:
    from duban.edit.init import InitError, Office, init_repository
    from duban.edit.prompts import BadAnswer, MissingAnswer, Prompter

    prompter = Prompter(interactive=sys.stdin.isatty() and not args.no_input)
    default = Office()
    try:
        office = Office(
            name=prompter.text("编发周报和通报的办公室", "--office", args.office, default=default.name),
            area=prompter.text("全部单位合计的称呼（全区、全县、全市）", "--area", args.area, default=default.area),
            site_name=prompter.text("站点名称", "--site-name", args.site_name, default=default.site_name),
            unit_kinds=tuple(k.strip() for k in prompter.text(
                "单位类别（用逗号分隔）", "--unit-kinds", args.unit_kinds, default=",".join(default.unit_kinds)
            ).replace("，", ",").split(",") if k.strip()),
        )
        written = init_repository(args.dir, office)
    except (InitError, MissingAnswer, BadAnswer) as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return 2
    print(f"已建立督办仓库 {args.dir}（{len(written)} 个文件）。下一步：在 records/units/ 中登记单位，用 duban plan import 导入方案。")
    return 0


def _report_monthly(root: Path, args) -> int:
    from duban.engine.monthly import (
        MonthError,
        last_complete_month,
        monthly_report,
        parse_month,
    )
    from duban.outputs.monthly_report import write_monthly

    try:
        month = args.month or last_complete_month(today_in_shanghai())
        parse_month(month)
    except MonthError as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return 2
    repo = _open(root)
    if repo is None:
        return 1
    for path in write_monthly(monthly_report(repo, month), args.out).values():
        print(f"已写入 {path}")
    print(month)
    return 0


def _report_reminders(root: Path, args) -> int:
    from duban.engine.reminders import reminders, units_to_remind
    from duban.engine.snapshot import evaluate
    from duban.outputs.reminder_docx import write_reminder

    repo = _open(root)
    if repo is None:
        return 1
    if args.unit and args.unit not in repo.units:
        print(f"用法错误：单位“{args.unit}”不存在", file=sys.stderr)
        return 2
    if args.days is not None and args.days < 1:
        print("用法错误：--days 应为正整数", file=sys.stderr)
        return 2
    snapshot = evaluate(repo, args.as_of or today_in_shanghai())
    days = args.days or snapshot.settings.reports.reminder_days
    units = [args.unit] if args.unit else units_to_remind(snapshot, days)
    written = 0
    for unit in units:
        items = reminders(snapshot, unit, days)
        if items:
            print(f"已写入 {write_reminder(snapshot, unit, items, days, args.out)}（{repo.unit_name(unit)}，{len(items)} 项）")
            written += 1
    if not written:
        print("没有需要督办的事项。")
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
        config = all(p.code == "mkdocs" for p in outcome.report.problems)
        what = "站点配置（mkdocs.yml 或 docs/）有问题" if config else "记录有问题"
        if serving:
            print(f"{what}，站点未更新；修正后会自动重新生成。", flush=True)
        else:
            print(f"{what}，未生成站点。", file=sys.stderr)


def _serve(root: Path, args) -> int:
    from duban.outputs.site.serve import serve
    from duban.outputs.site.sitedir import SiteDirError, check_site_dir

    try:
        check_site_dir(root, args.site_dir or root / "site")
    except SiteDirError as exc:
        return _usage(str(exc))
    try:
        serve(root, args.site_dir or root / "site", args.host, args.port,
              lambda: args.as_of or today_in_shanghai(), args.workers,
              lambda outcome: _print_outcome(outcome, serving=True), lambda message: print(message, flush=True),
              cms_local=args.cms_local)
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
        outcome = build_site(root, args.as_of or today, site_dir=args.site_dir, workers=args.workers, today=today,
                             cms_local=args.cms_local)
    except SiteDirError as exc:
        return _usage(str(exc))
    _print_outcome(outcome)
    return 0 if outcome.report.ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
