"""The operations report as a PDF (reportlab): CJK text with the built-in CID font
``STSong-Light`` (no font files needed), the indicator table, the alert summary, and two charts
drawn with reportlab's own graphics (AQI trend line, district comparison bars)."""

from __future__ import annotations

import io

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mudan.domains.indicators.reports import ReportData

FONT = "STSong-Light"
LEVEL_ZH = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}


def _font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}".rstrip("0").rstrip(".") + unit


def _trend(data: ReportData) -> Drawing:
    d = Drawing(170 * mm, 60 * mm)
    d.add(String(0, 56 * mm, "空气质量指数（AQI）走势", fontName=FONT, fontSize=10))
    if not data.trend:
        d.add(String(0, 30 * mm, "暂无数据", fontName=FONT, fontSize=9))
        return d
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 12 * mm, 8 * mm, 150 * mm, 42 * mm
    plot.data = [[(i, v) for i, (_, v) in enumerate(data.trend)]]
    plot.lines[0].strokeColor = colors.HexColor("#b8336a")
    plot.xValueAxis.labels.fontName = FONT
    plot.yValueAxis.labels.fontName = FONT
    plot.xValueAxis.valueSteps = list(range(0, len(data.trend), max(1, len(data.trend) // 8)))
    plot.xValueAxis.labelTextFormat = lambda i: (
        data.trend[int(i)][0] if int(i) < len(data.trend) else ""
    )
    d.add(plot)
    return d


def _districts(data: ReportData) -> Drawing:
    d = Drawing(170 * mm, 60 * mm)
    d.add(String(0, 56 * mm, "各区县 AQI 均值", fontName=FONT, fontSize=10))
    if not data.districts:
        d.add(String(0, 30 * mm, "暂无数据", fontName=FONT, fontSize=9))
        return d
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 12 * mm, 10 * mm, 150 * mm, 40 * mm
    bars.data = [[v for _, v in data.districts]]
    bars.categoryAxis.categoryNames = [n for n, _ in data.districts]
    bars.categoryAxis.labels.fontName = FONT
    bars.categoryAxis.labels.fontSize = 7
    bars.valueAxis.labels.fontName = FONT
    bars.bars[0].fillColor = colors.HexColor("#d4709b")
    d.add(bars)
    return d


def render_pdf(data: ReportData) -> bytes:
    _font()
    h1 = ParagraphStyle("h1", fontName=FONT, fontSize=16, leading=22, spaceAfter=6)
    h2 = ParagraphStyle("h2", fontName=FONT, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("b", fontName=FONT, fontSize=9, leading=13)
    story: list[object] = [
        Paragraph(f"{data.title}（{data.period_label}）", h1),
        Paragraph(
            f"达标指标 {data.met}/{data.with_target}；预警 "
            + "，".join(f"{LEVEL_ZH[k]} {data.alert_counts.get(k, 0)} 条" for k in LEVEL_ZH),
            body,
        ),
        Paragraph("一、指标完成情况", h2),
    ]
    table = [["领域", "指标", "实际值", "目标值", "状态"]]
    for section, r in data.rows:
        state = (
            "达标"
            if r.meets_target
            else ("未达标" if r.meets_target is False else (r.status_text or ""))
        )
        table.append([section, r.name, _fmt(r.value, r.unit), _fmt(r.target, r.unit), state[:30]])
    t = Table(table, colWidths=[22 * mm, 48 * mm, 38 * mm, 32 * mm, 30 * mm], repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3d9e5")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ]
        )
    )
    story += [t, Paragraph("二、运行态势", h2), _trend(data), _districts(data)]
    story.append(Paragraph("三、预警情况", h2))
    if data.alerts:
        rows = [["编号", "级别", "标题", "状态"]]
        rows += [
            [str(a.id), LEVEL_ZH.get(a.level, a.level), a.title[:40], a.status] for a in data.alerts
        ]
        at = Table(rows, colWidths=[15 * mm, 18 * mm, 110 * mm, 27 * mm])
        at.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ]
            )
        )
        story.append(at)
    else:
        story.append(Paragraph("本期无预警。", body))
    story.append(Spacer(1, 6 * mm))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=data.title, author="Mudan 牡丹",
                            leftMargin=18 * mm, rightMargin=18 * mm)  # fmt: skip
    doc.build(story)
    return buf.getvalue()
