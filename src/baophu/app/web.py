"""What every route uses: the request's user, scope and copy of the marts, rendering a page
with the common context, and writing the audit log.

``page = Page(request)`` (the ``current`` dependency) raises ``NotAuthenticated`` without a
valid session; ``page.render("unit.html", ...)`` renders with the user, their navigation,
the CSRF token and the data's reference date; ``page.audit("view", "potential_list", ...)``
writes who, what, when and how many rows.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from baophu.app.auth import Viewer, csrf_token, viewer_from_session
from baophu.app.marts import MartSnapshot
from baophu.app.scope import Scope, scope_for
from baophu.operational.users import ROLE_VI


class Page:
    """One request of a logged-in user."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.ctx = request.app.state.ctx
        self.viewer: Viewer = viewer_from_session(request, self.ctx.users)

    @cached_property
    def snap(self) -> MartSnapshot:
        return self.ctx.marts.get()  # type: ignore[no-any-return]

    @cached_property
    def scope(self) -> Scope:
        return scope_for(self.viewer, self.snap)

    @property
    def htmx(self) -> bool:
        return bool(self.request.headers.get("hx-request"))

    def home_url(self) -> str:
        return home_url(self.viewer, self.snap)

    def nav(self) -> list[dict[str, str]]:
        v = self.viewer
        items: list[dict[str, str]] = [{"href": "/", "label": "Tổng quan"}]
        scope = self.scope
        if scope.sees_units and v.role != "collector":
            items.append({"href": "/targets", "label": "Chỉ tiêu"})
        if v.role == "collector" and v.scope_code:
            items.append({"href": f"/collectors/{v.scope_code}", "label": "Danh sách của tôi"})
        if scope.sees_employers:
            items.append({"href": "/employers", "label": "Đơn vị sử dụng lao động"})
        if scope.sees_claims:
            items.append({"href": "/claims", "label": "Chi KCB BHYT"})
        if scope.national:
            items.append({"href": "/nation", "label": "Toàn quốc"})
        if v.role in ("province_admin", "province_analyst", "office_staff", "commune_official"):
            root = v.scope_code or self.snap.scalar(
                "SELECT min(unit_code) FROM units WHERE level = 'province'"
            )
            if root:
                items.append({"href": f"/units/{root}/risk", "label": "Rủi ro"})
        if scope.is_admin:
            items.append({"href": "/imports", "label": "Nhập dữ liệu"})
            items.append({"href": "/admin/users", "label": "Người dùng"})
            items.append({"href": "/admin/audit", "label": "Nhật ký truy cập"})
        return items

    def context(self, **extra: Any) -> dict[str, Any]:
        snap = self.snap
        marts_state = {
            "reference_date": snap.reference_date(),
            "stale": snap.stale("coverage_by_unit"),
            "busy": self.ctx.marts.busy_since is not None,
        }
        return {
            "viewer": self.viewer,
            "role_vi": ROLE_VI.get(self.viewer.role, self.viewer.role),
            "scope": self.scope,
            "nav": self.nav(),
            "csrf": csrf_token(self.request),
            "marts_state": marts_state,
            "path": self.request.url.path,
            **extra,
        }

    def render(self, template: str, /, **extra: Any) -> Response:
        status_code = int(extra.pop("status_code", 200))
        return self.ctx.templates.TemplateResponse(  # type: ignore[no-any-return]
            self.request, template, self.context(**extra), status_code=status_code
        )

    def audit(
        self,
        action: str,
        object_: str,
        *,
        unit_code: str | None = None,
        rows: int | None = None,
        detail: str | None = None,
    ) -> None:
        self.ctx.db.audit(
            self.viewer.username,
            action,
            object_,
            role=self.viewer.role,
            unit_code=unit_code,
            rows=rows,
            detail=detail,
        )


def current(request: Request) -> Page:
    """FastAPI dependency: the logged-in user's page context."""
    return Page(request)


def home_url(viewer: Viewer, snap: MartSnapshot) -> str:
    """Where each role starts: the province or their unit's dashboard, a collector's list, a
    case officer's employers."""
    role, code = viewer.role, viewer.scope_code
    if role in ("office_staff", "commune_official") and code:
        return f"/units/{code}"
    if role == "collector" and code:
        return f"/collectors/{code}"
    if role == "case_officer":
        return "/employers"
    if role == "appraisal_reviewer":
        return "/claims"
    if role == "national_analyst":
        return "/nation"
    if snap.has_table("units"):
        province = snap.one("SELECT unit_code FROM units WHERE level = 'province' LIMIT 1")
        if province:
            return f"/units/{province['unit_code']}"
    return "/imports"


def filters_detail(_labels: dict[str, dict[str, str]] | None = None, **filters: Any) -> str:
    """The filters of a list view or export, in Vietnamese, as the audit log's detail and a
    downloaded list's subtitle: ``lý do: Chưa tham gia BHYT; trang: 2`` (``_labels``: the
    Vietnamese of coded values, by filter)."""
    from baophu.operational.audit_labels import KEY_VI, NO_FILTER

    try:
        from baophu.contracts.vocabularies import REASON_VI
    except ImportError:  # pragma: no cover
        REASON_VI = {}
    shown = {k: v for k, v in filters.items() if v not in (None, "", 0)}
    if shown.get("page") == 1:
        shown.pop("page")
    parts = []
    for key, value in sorted(shown.items()):
        label = (_labels or {}).get(key, {}).get(str(value))
        if key == "reason":
            label = REASON_VI.get(str(value))
        parts.append(f"{KEY_VI.get(key, key)}: {label or value}")
    return "; ".join(parts) or NO_FILTER
