"""Charts drawn at build time with matplotlib: SVG with text converted to paths
(readers need no Chinese font and no JavaScript), or PNG for Word.

A CJK font must be installed where the charts are drawn (Debian:
``fonts-noto-cjk``); without one, ``ChartFontMissing`` says so instead of
drawing boxes.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import lru_cache

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Noto Serif CJK SC",
                "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei")


class ChartFontMissing(RuntimeError):
    pass


@lru_cache(maxsize=1)
def _setup():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, rcParams

    available = {f.name for f in font_manager.fontManager.ttflist}
    family = next((f for f in CJK_FAMILIES if f in available), None)
    if family is None:
        raise ChartFontMissing("没有找到中文字体，无法绘制图表；Debian/Ubuntu 请安装 fonts-noto-cjk")
    rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
        "svg.hashsalt": "duban",
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })
    import matplotlib.pyplot as plt

    return plt


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    colour: str


def _save(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buf, format=fmt, metadata=metadata, bbox_inches="tight", dpi=150)
    _setup().close(fig)
    data = buf.getvalue()
    if fmt == "svg":  # drop the generator comment so bytes do not depend on the matplotlib version string
        data = b"\n".join(line for line in data.split(b"\n") if not line.startswith(b"<!-- Created with"))
    return data


def bar_chart(title: str, bars: list[Bar], fmt: str = "svg", unit: str = "项") -> bytes:
    """Horizontal bars, largest at the top."""
    plt = _setup()
    height = max(1.6, 0.38 * len(bars) + 0.9)
    fig, ax = plt.subplots(figsize=(6.4, height))
    labels = [b.label for b in bars][::-1]
    values = [b.value for b in bars][::-1]
    colours = [b.colour for b in bars][::-1]
    ax.barh(labels, values, color=colours)
    for y, v in enumerate(values):
        ax.text(v, y, f" {v:g}", va="center", fontsize=9)
    ax.set_title(title, fontsize=12, loc="left")
    ax.set_xlabel(unit)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.margins(x=0.12)
    return _save(fig, fmt)


def line_chart(title: str, days: list[dt.date], series: dict[str, tuple[list[float], str]], fmt: str = "svg") -> bytes:
    """One line per series: name -> (values, colour)."""
    plt = _setup()
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    for name, (values, colour) in series.items():
        ax.plot(days, values, marker="o", markersize=3, color=colour, label=name)
    ax.set_title(title, fontsize=12, loc="left")
    ax.legend(frameon=False, fontsize=9)
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.autofmt_xdate()
    import matplotlib.dates as mdates

    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    return _save(fig, fmt)
