"""The delegation's downloads, shared by the web page and the API."""
from __future__ import annotations

from flask import Response

from ..downloads import attachment
from ..spreadsheets import write_xlsx
from . import operations

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def nomination_response(d) -> Response:
    """The final nomination (参赛人员名单) as .xlsx."""
    name = f"{d.name}-参赛人员名单.xlsx"
    return Response(write_xlsx(operations.NOMINATION_HEADERS, operations.nomination_rows(d), sheet_title="参赛人员名单"),
                    mimetype=XLSX, headers={"Content-Disposition": attachment(name, "nomination.xlsx")})
