"""Dashboard tables as downloads: CSV in UTF-8 with a BOM (so Excel reads Chinese right) or .xlsx.

A resident's text may start with `=`: XlsxWriter is told never to turn strings into formulas or links, and
CSV cells that a spreadsheet would evaluate are prefixed with `'` (OWASP's CSV-injection advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import quote

import xlsxwriter
from fastapi.responses import StreamingResponse

from backend.console.schemas import (
    GradeOut,
    OpenFindings,
    OperatorDashboard,
    RegionDashboard,
    SatisfactionRow,
    UsageRow,
)
from backend.core.clock import to_shanghai
from backend.core.errors import AppError
from backend.core.i18n import Msg


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


class UnknownTable(AppError):
    status = 422
    code = "unknown_export_table"
    title = Msg("没有这张表", "No such table")


D = TypeVar("D")
Table = tuple[Sequence[str], Callable[[OperatorDashboard], list[Sequence[Any]]]]
RegionTable = tuple[Sequence[str], Callable[[RegionDashboard], list[Sequence[Any]]]]

_USAGE_HEAD = ("分组", "时段数", "容量", "预约数", "已完成", "已取消", "爽约", "使用率")


def _usage(rows: Callable[[OperatorDashboard], list[UsageRow]]) -> Table:
    def body(d: OperatorDashboard) -> list[Sequence[Any]]:
        return [
            (r.label, r.slots, r.capacity, r.bookings, r.completed, r.cancelled, r.no_show, r.fill_rate)
            for r in rows(d)
        ]

    return _USAGE_HEAD, body


_SATISFACTION_HEAD = ("分组", "评价数", "好评率", "平均等级")


def _satisfaction(rows: Callable[[OperatorDashboard], list[SatisfactionRow]]) -> Table:
    def body(d: OperatorDashboard) -> list[Sequence[Any]]:
        return [(r.label, r.count, r.good_rate, r.mean_level) for r in rows(d)]

    return _SATISFACTION_HEAD, body


TABLES: dict[str, Table] = {
    "satisfaction_by_month": _satisfaction(lambda d: d.satisfaction.by_month),
    "satisfaction_by_facility": _satisfaction(lambda d: d.satisfaction.by_facility),
    "satisfaction_by_supplier": _satisfaction(lambda d: d.satisfaction.by_supplier),
    "satisfaction_by_function": _satisfaction(lambda d: d.satisfaction.by_function),
    "usage_by_month": _usage(lambda d: d.usage.by_month),
    "usage_by_facility": _usage(lambda d: d.usage.by_facility),
    "usage_by_supplier": _usage(lambda d: d.usage.by_supplier),
    "usage_by_function": _usage(lambda d: d.usage.by_function),
    "served": (
        ("设施", "功能", "月份", "服务人次"),
        lambda d: [(r.facility, r.function, r.month, r.person_times) for r in d.served],
    ),
}

_FINDINGS_HEAD: tuple[str, ...] = ("配置问题", "其中强制性", "逾期未整改的检查", "未办结隐患", "其中逾期")
_FINDINGS_HEAD += ("迟报", "未报", "逾期整改", "合计")


def _finding_cells(f: OpenFindings) -> tuple[int, ...]:
    return (
        f.configuration, f.configuration_required, f.overdue_fixes, f.open_hazards, f.overdue_hazards,
        f.late_reports, f.missing_reports, f.overdue_rectifications, f.total,
    )  # fmt: skip


def _grade_cells(g: GradeOut | None) -> tuple[Any, ...]:
    if g is None:
        return (None, None, None)
    return (g.grade or g.status, g.total, to_shanghai(g.published_at).date().isoformat())


REGION_TABLES: dict[str, RegionTable] = {
    "operators": (
        ("运营商", "等级", "总分", "发布日期", *_FINDINGS_HEAD),
        lambda d: [(o.operator, *_grade_cells(o.grade), *_finding_cells(o.findings)) for o in d.by_operator],
    ),
    "facilities": (
        ("设施", "运营商", "未达标配置项", *_FINDINGS_HEAD),
        lambda d: [
            (f.facility, f.operator, " ".join(f.failed_rules), *_finding_cells(f.findings))
            for f in d.by_facility
        ],
    ),
    "usage_by_operator": (
        _USAGE_HEAD,
        lambda d: [
            (r.label, r.slots, r.capacity, r.bookings, r.completed, r.cancelled, r.no_show, r.fill_rate)
            for r in d.usage.by_operator
        ],
    ),
    "satisfaction_by_operator": (
        _SATISFACTION_HEAD,
        lambda d: [(r.label, r.count, r.good_rate, r.mean_level) for r in d.satisfaction_by_operator],
    ),
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csv_chunks(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> Iterator[bytes]:
    """The table as CSV, a chunk per 500 rows, starting with the UTF-8 BOM."""
    yield "\ufeff".encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(head)
    for i, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(v) for v in row])
        if i % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_bytes(sheet: str, head: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    ws.write_row(0, 0, head, bold)
    for r, row in enumerate(rows, 1):
        ws.write_row(r, 0, ["" if v is None else v for v in row])
    ws.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def export_response(
    tables: Mapping[str, tuple[Sequence[str], Callable[[D], list[Sequence[Any]]]]],
    dashboard: D,
    table: str,
    fmt: ExportFormat,
    *,
    stem: str,
) -> StreamingResponse:
    if table not in tables:
        raise UnknownTable(
            Msg("可导出的表：{tables}", "Tables that can be exported: {tables}"), tables=", ".join(tables)
        )
    head, body = tables[table]
    rows = body(dashboard)
    filename = f"{stem}-{table}.{fmt.value}"
    disposition = f"attachment; filename={filename}; filename*=UTF-8''{quote(filename)}"
    if fmt == ExportFormat.csv:
        return StreamingResponse(
            csv_chunks(head, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": disposition},
        )
    data = xlsx_bytes(table, head, rows)
    return StreamingResponse(
        iter([data[i : i + 65536] for i in range(0, len(data), 65536)]),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": disposition},
    )
