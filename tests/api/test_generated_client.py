"""A client generated from the published document (openapi-python-client, into a temporary
directory at test time) runs a competition from creation to final: accounts, organization,
competition and event, registration and review, panel, draw, judges' sheets, lock, publicity,
final — and reads the public results. Nothing but the generated code talks to the API."""
from __future__ import annotations

import importlib
import os
import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx

from app.api.openapi import document
from app.domain.idcard import make_resident_id
from tests.conftest import PASSWORD
from tests.api.test_fuzz import _isolated

CN = timezone(timedelta(hours=8))


def _generate(app, tmp: Path):
    spec = tmp / "openapi.json"
    spec.write_text(json.dumps(document(app), ensure_ascii=False), encoding="utf-8")
    config = tmp / "config.json"
    # Files (PDF, zip, images, spreadsheets) are bytes to the client.
    binary = {media: "application/octet-stream" for media in (
        "application/pdf", "application/zip", "image/jpeg", "image/png",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    config.write_text(json.dumps({"project_name_override": "jx-client", "package_name_override": "jx_client",
                                  "post_hooks": [], "content_type_overrides": binary}))
    out = tmp / "jx_client"
    done = subprocess.run([str(Path(sys.executable).parent / "openapi-python-client"), "generate", "--path", str(spec),
                           "--output-path", str(out), "--config", str(config), "--meta", "none"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stdout.upper(), done.stdout  # every schema and operation understood
    sys.path.insert(0, str(out.parent))
    importlib.invalidate_caches()
    return importlib.import_module("jx_client")


class _Operation:
    """A generated operation module; `sync` refuses an error answer (the client returns ErrorBody
    for documented error statuses)."""

    def __init__(self, module):
        self.module = module

    def sync(self, **kwargs):
        detailed = self.module.sync_detailed(**kwargs)
        assert type(detailed.parsed).__name__ != "ErrorBody", (self.module.__name__, detailed.content.decode()[:500])
        assert 200 <= detailed.status_code < 300, (self.module.__name__, detailed.status_code)
        return detailed.parsed


class _Tag:
    def __init__(self, tag: str):
        self.tag = tag

    def __getattr__(self, name: str) -> _Operation:
        return _Operation(importlib.import_module(f"jx_client.api.{self.tag}.{name}"))


def _api(tag: str) -> _Tag:
    return _Tag(tag)


def _model(name: str):
    return getattr(importlib.import_module("jx_client.models"), name)


def test_a_generated_client_runs_a_competition_to_final(app, make_user, tmp_path):
    for name in [m for m in sys.modules if m == "jx_client" or m.startswith("jx_client.")]:
        del sys.modules[name]
    jx = _generate(app, tmp_path)
    # A client address of its own (as tests.conftest.new_client gives): the per-client limit on
    # token creation (10 a minute) must not count the sign-ins of earlier tests from 127.0.0.1.
    n = 250_000 + os.getpid() % 60_000
    transport = httpx.WSGITransport(app=_isolated(app), remote_addr=f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}")

    def client_for(username=None):
        anon = jx.Client(base_url="http://jiangxuan.test", httpx_args={"transport": transport},
                         raise_on_unexpected_status=True)
        if username is None:
            return anon
        auth = _api("auth")
        token = auth.token_create.sync(client=anon, body=_model("TokenIn")(username=username, password=PASSWORD))
        assert token.user.username == username
        return jx.AuthenticatedClient(base_url="http://jiangxuan.test", token=token.token,
                                      httpx_args={"transport": transport}, raise_on_unexpected_status=True)

    admin = make_user("admin", username="root")
    api = client_for(admin.username)
    ref = _api("reference")
    host = ref.organizations_create.sync(client=api, body=_model("OrganizationIn").from_dict(
        {"name": "西藏自治区人力资源和社会保障厅", "kind": "government", "region_code": "540000"}))
    college = ref.organizations_create.sync(client=api, body=_model("OrganizationIn").from_dict(
        {"name": "拉萨职业技术学院", "kind": "college", "region_code": "540100"}))
    users = {}
    for username, name, roles in (("org1", "格桑", ["organizer"]), ("judge_a", "平措", ["judge"]),
                                  ("judge_b", "罗布", ["judge"]), ("chief", "达瓦", ["chief_judge"]),
                                  ("sup", "央宗", ["supervisor"])):
        users[username] = ref.users_create.sync(client=api, body=_model("UserIn").from_dict(
            {"username": username, "password": PASSWORD, "name": name, "roles": roles,
             "organization_id": host.id}))
    organizer = client_for("org1")
    comps = _api("competitions")
    now = datetime.now(CN)
    comp = comps.competitions_create.sync(client=organizer, body=_model("CompetitionIn").from_dict({
        "name": "2026年拉萨市电工技能竞赛", "year": 2026, "level": "municipal", "kind": "skills",
        "jurisdiction": "CN-XZ", "registration_opens_at": (now - timedelta(days=1)).isoformat(),
        "registration_closes_at": (now + timedelta(days=5)).isoformat(), "publicity_days": 0,
        "appeal_window_hours": 0}))
    assert comp.status == "draft"
    event = comps.events_create.sync(client=organizer, competition_id=comp.id, body=_model("EventIn").from_dict({
        "name": "电工", "track": "staff", "scheme": {"aggregation": "mean", "min_judges": 2, "components": [
            {"key": "practical", "name": "实操", "weight": "1", "criteria": [
                {"key": "P1", "name": "安装", "max_score": "60", "kind": "measurement", "step": "0.5"},
                {"key": "P2", "name": "排故", "max_score": "40", "kind": "measurement", "step": "0.5"}]}]},
        "awards": {"preset": "prizes"}}))
    status_in = _model("StatusIn")
    comp = comps.competitions_status.sync(client=organizer, competition_id=comp.id,
                                          body=status_in.from_dict({"status": "registration_open"}))
    regs_api = _api("registrations")
    entries = []
    for i, name in enumerate(["卓嘎", "次仁", "扎西"]):
        number = make_resident_id("540102", date(2000, 1 + i, 3), 11 + i * 2)
        reg = regs_api.registrations_create.sync(client=organizer, event_id=event.id, body=_model(
            "RegistrationIn").from_dict({"person": {"name": name, "id_type": "resident_id", "id_number": number},
                                         "organization_id": college.id}))
        reg = regs_api.registrations_review.sync(client=organizer, registration_id=reg.id,
                                                 body=_model("ReviewIn").from_dict({"decision": "approve"}))
        assert reg.status == "approved"
        entries.append(reg)
    comps.competitions_status.sync(client=organizer, competition_id=comp.id,
                                   body=status_in.from_dict({"status": "registration_closed"}))
    comps.supervisors_add.sync(client=organizer, competition_id=comp.id,
                               body=_model("SupervisorIn").from_dict({"user_id": users["sup"].id}))
    judging = _api("judging")
    for username, role in (("judge_a", "judge"), ("judge_b", "judge"), ("chief", "chief_judge")):
        judging.panel_add.sync(client=organizer, event_id=event.id,
                               body=_model("PanelIn").from_dict({"user_id": users[username].id, "role": role}))
    assert judging.draw.sync(client=organizer, event_id=event.id,
                             body=_model("SeedIn").from_dict({"seed": "生成的客户端"})).drawn == 3
    comps.competitions_status.sync(client=organizer, competition_id=comp.id,
                                   body=status_in.from_dict({"status": "judging"}))

    marks = {0: ("55", "38"), 1: ("50.5", "30"), 2: ("41", "30")}
    for username in ("judge_a", "judge_b"):
        judge = client_for(username)
        sheets = judging.sheets_list.sync(client=judge, event_id=event.id).items
        assert len(sheets) == 3 and all(s.status == "draft" for s in sheets)
        for i, sheet in enumerate(sorted(sheets, key=lambda s: s.code)):
            p1, p2 = marks[i]
            saved = judging.sheets_save.sync(client=judge, event_id=event.id, code=sheet.code,
                                             body=_model("SheetIn").from_dict(
                                                 {"scores": {"P1": p1, "P2": p2}, "version": sheet.version}))
            done = judging.sheets_submit.sync(client=judge, event_id=event.id, code=sheet.code,
                                              body=_model("SubmitIn").from_dict({"version": saved.version}))
            assert done.status == "submitted"
    chief = client_for("chief")
    assert judging.lock.sync(client=chief, event_id=event.id).locked_at
    results = _api("results")
    provisional = results.results_get.sync(client=organizer, event_id=event.id)
    assert provisional.status == "provisional"
    assert [i.total for i in provisional.items] == ["93.00", "80.50", "71.00"]
    comps.competitions_status.sync(client=organizer, competition_id=comp.id,
                                   body=status_in.from_dict({"status": "publicity"}))
    final = comps.competitions_status.sync(client=organizer, competition_id=comp.id,
                                           body=status_in.from_dict({"status": "final"}))
    assert final.status == "final" and final.finalized_at
    body = results.results_get.sync(client=organizer, event_id=event.id)
    assert body.status == "final" and body.verified is True
    assert [i.rank for i in body.items] == [1, 2, 3] and body.items[0].total == "93.00"
    public = results.public_competition_results.sync(client=client_for(None), competition_id=comp.id)
    masked = [i.name_masked for i in public.events[0].items]
    assert public.status == "final" and len(masked) == 3
    assert all(m[0] in "卓次扎" and m.endswith("*") and m not in ("卓嘎", "次仁", "扎西") for m in masked)
    # The public results carry an ETag; sent back, it is a 304 until they change.
    with httpx.Client(base_url="http://jiangxuan.test", transport=transport) as raw:
        first = raw.get(f"/api/v1/public/competitions/{comp.id}/results")
        again = raw.get(f"/api/v1/public/competitions/{comp.id}/results",
                        headers={"If-None-Match": first.headers["ETag"]})
        assert first.status_code == 200 and again.status_code == 304 and again.content == b""
