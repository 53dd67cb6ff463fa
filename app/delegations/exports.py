"""The delegation's downloads, shared by the web page and the API."""
from __future__ import annotations

from flask import Response

from ..downloads import attachment
from ..spreadsheets import write_xlsx
from . import operations

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def nomination_response(d) -> Response:
    """The final nomination as .xlsx, in the layout of a national contest's 报名汇总表 (see operations)."""
    name = f"{d.name}-报名汇总表.xlsx"
    return Response(write_xlsx(operations.NOMINATION_HEADERS, operations.nomination_rows(d), sheet_title="报名汇总表"),
                    mimetype=XLSX, headers={"Content-Disposition": attachment(name, "nomination.xlsx")})
