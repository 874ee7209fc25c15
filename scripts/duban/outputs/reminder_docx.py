"""The 督办通知单 (reminder notice) a supervising office sends a unit before its deadlines, as a 公文 (Word)."""

from __future__ import annotations

from pathlib import Path

from duban.atomic import write_bytes
from duban.engine.reminders import Item
from duban.engine.snapshot import Snapshot
from duban.outputs.docx_report import day
from duban.outputs.gongwen.document import GongwenDocument
from duban.zh import cn_date

LAMP = "●"


def reminder_bytes(snapshot: Snapshot, unit: str, items: list[Item], days: int) -> bytes:
    repo = snapshot.repo
    office = snapshot.settings.reports.office or "督办单位"
    doc = GongwenDocument()
    doc.title("督办通知单")
    p = doc.paragraph(f"{repo.units[unit].name}：")
    p.paragraph_format.first_line_indent = 0
    overdue = sum(1 for i in items if i.days_overdue)
    doc.body(f"截至{cn_date(snapshot.as_of)}，贵单位有{len(items)}项事项需要督办（其中逾期{overdue}项，其余在{days}天内到期"
             "或待报送），列表如下。请按时限办理，办结后及时报送进展或完成报告并附佐证材料；确需延期的，请在到期前提出延期申请。")
    colour = snapshot.settings.colour
    rows = [(str(n), i.what, i.id, i.title, (f"{LAMP}{i.label}", colour(i.level).lstrip("#")), day(i.due),
             str(i.days_overdue) if i.days_overdue else "—") for n, i in enumerate(items, 1)]
    doc.table(("序号", "类别", "编号", "名称", "状态", "期限", "逾期天数"), rows, (10, 18, 36, 44, 18, 26, 16),
              (True, True, False, False, True, True, True))
    doc.signature(office, cn_date(snapshot.as_of))
    doc.properties(title=f"督办通知单（{repo.unit_name(unit)}）", subject=f"截至{cn_date(snapshot.as_of)}",
                   keywords="督办 通知单", category="督办通知单", day=snapshot.as_of)
    return doc.to_bytes()


def write_reminder(snapshot: Snapshot, unit: str, items: list[Item], days: int, out_dir: Path | str) -> Path:
    """``<out_dir>/<as-of>-<unit>.docx``."""
    path = Path(out_dir) / f"{snapshot.as_of.isoformat()}-{unit}.docx"
    return write_bytes(path, reminder_bytes(snapshot, unit, items, days))

