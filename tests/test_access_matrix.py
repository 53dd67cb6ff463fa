"""The access matrix: every route × method × role → the expected answer, with a second tenant.

EXPECTED is written by hand (not derived from the code's declarations), and a route missing from
it fails the suite, so a new route cannot ship without someone deciding who may use it. The world
(tests/tenancy_world.py) holds real objects of tenant A (Tibet: competitions in judging, final and
open for nominations, with results, certificates, entitlements, an appeal, a re-check item, a job,
a dossier file, a claim, an outside result) and a whole tenant B (Guangxi) with its own organizer,
contact, supervisor, judge, chief judge and candidate. Every route that names an object of tenant
A (any id or code in its path) must refuse tenant B's accounts (403, or 404 as if it did not
exist); routes of their own role without an object (their home pages, lists) answer them — and no
answer to a tenant-B account ever carries tenant A's candidate's name, ID number or phone.
"""
from __future__ import annotations

import pytest

from tests.conftest import csrf_from, new_client, PASSWORD
from tests import tenancy_world

# Tenant B's accounts, and the role each plays.
OTHER_TENANT = {"organizer_other": "organizer", "contact_other": "org_contact", "supervisor_other": "supervisor",
                "judge_other": "judge", "chief_other": "chief_judge", "candidate_other": "candidate"}
ROLES = ["anonymous", "admin", "organizer", "judge", "chief_judge", "supervisor", "org_contact", "candidate",
         *OTHER_TENANT]
# Entering a competition is open to every organization's contact and every candidate, wherever
# they come from (a Guangxi contact enters a national or a Tibet competition): these routes name
# the event but show a caller nothing but their own entries (the sentinel check below holds them).
ENTRY_ROUTES = {"registration.register", "api.registrations_create", "api.registrations_list",
                "nominations.nominate", "api.nominations_create", "api.nominations_list"}
# Path parameters that name an object; a public route shows public objects to anyone.
OBJECT_PARAMS = {"competition_id", "event_id", "registration_id", "person_id", "user_id", "org_id", "code",
                 "judge_id", "item_id", "appeal_id", "entitlement_id", "attachment_id", "job_id", "claim_id",
                 "result_id", "name", "serial", "photo_id", "application_id", "sponsorship_id",
                 "delegation_id", "member_id", "session_id", "file_id", "invitation_id"}
PUBLIC = "public"
ANY = "any"  # any signed-in user
MANAGERS = {"admin", "organizer"}
REFERENCE_READERS = {"admin", "organizer", "org_contact", "judge", "chief_judge", "supervisor"}
NOMINATORS = {"admin", "organizer", "org_contact"}
# A candidate reads their own dossier only (the matrix's candidate owns registration 1, which is
# no nomination: 404); another candidate's is refused in tests/nominations.
DOSSIER_READERS = NOMINATORS | {"supervisor", "candidate"}
# A contest of projects: the organizers, and the entry's members and its organization's contacts.
PROJECT_SIDE = MANAGERS | {"org_contact", "candidate"}

# endpoint → (who may use it, scoped to the host organization's competitions)
EXPECTED: dict[str, tuple[object, bool]] = {
    "main.index": (PUBLIC, False),
    "main.set_language": (PUBLIC, False),
    "main.healthz": (PUBLIC, False),
    "main.readyz": (PUBLIC, False),
    "main.metrics": (PUBLIC, False),  # the monitoring network's (METRICS_ALLOW / METRICS_TOKEN), 404 to others
    "accounts.login": (PUBLIC, False),
    "accounts.logout": (ANY, False),
    "accounts.change_password": (ANY, False),
    "accounts.reauth": (ANY, False),
    "accounts.users": (MANAGERS, False),
    "accounts.user_new": (MANAGERS, False),
    "accounts.user_edit": (MANAGERS, False),
    "people.organizations": (MANAGERS, False),
    "people.organization_new": (MANAGERS, False),
    "people.organization_edit": (MANAGERS, True),
    "people.people": (MANAGERS, False),
    "people.person_new": (MANAGERS, False),
    "people.person_edit": (MANAGERS, False),
    "competitions.index": (PUBLIC, False),
    "competitions.show": (PUBLIC, False),
    "competitions.manage_index": (MANAGERS, False),
    "competitions.competition_new": (MANAGERS, False),
    "competitions.manage": (MANAGERS, True),
    "competitions.competition_edit": (MANAGERS, True),
    "competitions.competition_status": (MANAGERS, True),
    "competitions.event_new": (MANAGERS, True),
    "competitions.event_edit": (MANAGERS, True),
    "competitions.supervisor_add": (MANAGERS, True),
    "competitions.save_template": (MANAGERS, True),
    "competitions.supervisor_remove": (MANAGERS, True),
    "api.supervisors_list": (MANAGERS, True),
    "api.supervisors_add": (MANAGERS, True),
    "api.supervisors_remove": (MANAGERS, True),
    "api.users_update": (MANAGERS, False),
    "api.organizations_update": (MANAGERS, True),
    "registration.claim": ({"candidate"}, False),
    "registration.claims_index": ({"admin", "organizer", "org_contact"}, False),
    "registration.claim_decide": ({"admin", "organizer", "org_contact"}, False),
    "api.claim_redeem": ({"candidate"}, False),
    "api.claims_list": ({"admin", "organizer", "org_contact"}, False),
    "api.claims_decide": ({"admin", "organizer", "org_contact"}, False),
    "audit.index": ({"admin", "supervisor"}, False),
    "api.token_create": (PUBLIC, False),
    "api.token_delete": (ANY, False),
    "api.me": (ANY, False),
    "api.users_create": (MANAGERS, False),
    "api.users_list": (MANAGERS, False),
    "api.organizations_create": (MANAGERS, False),
    "api.organizations_list": (REFERENCE_READERS, False),
    "api.people_create": (MANAGERS, False),
    "api.people_list": (MANAGERS, False),
    "api.people_get": (MANAGERS, False),
    "api.people_update": (MANAGERS, False),
    "api.competitions_create": (MANAGERS, False),
    "api.competitions_list": (MANAGERS, False),
    "api.competitions_get": (MANAGERS, True),
    "api.competitions_update": (MANAGERS, True),
    "api.competitions_status": (MANAGERS, True),
    "api.events_create": (MANAGERS, True),
    "api.events_list": (MANAGERS, True),
    "api.events_get": (MANAGERS, True),
    "api.events_update": (MANAGERS, True),
    "api.audit_list": ({"admin", "supervisor"}, False),
    "registration.signup": (PUBLIC, False),
    "registration.name_check": (PUBLIC, False),
    "registration.manage_register": (MANAGERS, True),
    "registration.me": ({"candidate"}, False),
    "registration.register": ({"candidate", "org_contact"}, False),
    "registration.withdraw": ({"candidate", "org_contact", "organizer", "admin"}, True),
    "registration.org_index": ({"org_contact"}, False),
    "registration.queue": (MANAGERS, True),
    "registration.detail": (MANAGERS, True),
    "registration.import_page": (MANAGERS, True),
    "registration.template": (MANAGERS, True),
    "registration.export": (MANAGERS, True),
    "api.registrations_create": ({"admin", "organizer", "org_contact", "candidate"}, True),
    "api.registrations_list": ({"admin", "organizer", "org_contact", "supervisor"}, True),
    "api.registrations_get": ({"admin", "organizer", "org_contact", "candidate", "supervisor"}, True),
    "api.my_registrations": ({"candidate"}, False),
    "api.registrations_review": (MANAGERS, True),
    "api.registrations_withdraw": ({"admin", "organizer", "org_contact", "candidate"}, True),
    "api.registrations_import": (MANAGERS, True),
    "api.registrations_template": (MANAGERS, True),
    "api.registrations_export": (MANAGERS, True),
    "judging.home": ({"judge", "chief_judge"}, False),
    "judging.event_page": ({"judge", "chief_judge"}, False),
    "judging.sheet": ({"judge"}, False),
    "judging.correct": ({"chief_judge"}, False),
    "judging.lock": ({"chief_judge"}, False),
    "judging.decrypt": ({"chief_judge"}, False),
    "judging.time_used": ({"chief_judge"}, False),
    "judging.attendance": ({"chief_judge"}, False),
    "judging.supervise_decrypt": ({"supervisor"}, False),
    "judging.attendance_confirm": ({"supervisor"}, False),
    "judging.manage": (MANAGERS, True),
    "judging.panel_add": (MANAGERS, True),
    "judging.panel_remove": (MANAGERS, True),
    "judging.conflict_add": (MANAGERS, True),
    "judging.draw": (MANAGERS, True),
    "judging.scores_import": (MANAGERS, True),
    "judging.supervise_home": ({"supervisor"}, False),
    "judging.supervise": ({"supervisor"}, False),
    "results.recheck_draw": ({"supervisor"}, False),
    "judging.recheck_mark": ({"supervisor"}, False),
    "judging.audit": ({"chief_judge", "supervisor", "organizer", "admin"}, True),
    # The venue (issue 16): a judge mints a device token for their event from the signed-in page;
    # the worker and the offline page carry no personal data; a photo of the work is seen by the
    # judge who took it, the chief judge and the supervisors of that event only.
    "judging.device_token": ({"judge"}, False),
    "judging.service_worker": (PUBLIC, False),
    "judging.offline_page": (PUBLIC, False),
    "judging.photo": ({"judge", "chief_judge", "supervisor"}, True),
    # Paper marking forms: printed and typed in by the host's organizers only (found by their serial).
    "judging.paper_index": (MANAGERS, True),
    "judging.paper_issue": (MANAGERS, True),
    "judging.paper_pdf": (MANAGERS, True),
    "judging.paper_entry": (MANAGERS, True),
    "api.panel_add": (MANAGERS, True),
    "api.panel_list": ({"admin", "organizer", "chief_judge", "supervisor", "judge"}, True),
    "api.panel_remove": (MANAGERS, True),
    "api.conflicts_create": (MANAGERS, True),
    "api.conflicts_list": ({"admin", "organizer", "supervisor"}, True),
    "api.draw": (MANAGERS, True),
    "api.stations": (MANAGERS, True),
    "api.panels_mine": ({"judge", "chief_judge"}, False),
    "api.sheets_list": ({"judge", "chief_judge", "supervisor", "admin"}, False),
    # Without ?judge_id the sheet is the caller's own: judges only (a chief corrects with ?judge_id=).
    "api.sheets_save": ({"judge"}, False),
    "api.sheets_submit": ({"judge"}, False),
    "api.sheet_photos_create": ({"judge"}, False),
    "api.lock": ({"chief_judge"}, False),
    "api.decrypt": ({"chief_judge"}, False),
    "api.decrypt_confirm": ({"supervisor", "admin"}, False),
    "api.disagreements": ({"chief_judge", "supervisor", "admin"}, False),
    "api.event_audit": ({"chief_judge", "supervisor", "organizer", "admin"}, True),
    "api.scores_import": (MANAGERS, True),
    # Before decryption the chief judge addresses entries by code (by registration id: 409).
    "api.time_used": ({"chief_judge"}, False),
    "api.entry_time_used": ({"chief_judge"}, False),
    "api.entry_attendance": ({"chief_judge"}, False),
    "api.entry_attendance_confirm": ({"supervisor", "admin"}, False),
    "api.recheck_draw": ({"supervisor"}, False),
    "api.recheck_get": ({"supervisor", "chief_judge", "organizer", "admin"}, True),
    "api.recheck_mark": ({"supervisor"}, False),
    "results.public_index": (PUBLIC, False),
    "results.public_page": (PUBLIC, False),
    "results.public_lookup": (PUBLIC, False),
    "results.manage": (MANAGERS, True),
    "results.export": (MANAGERS, True),
    "results.ties": ({"chief_judge"}, False),
    "results.appeal": ({"candidate", "org_contact"}, False),
    "results.appeals": ({"supervisor"}, False),
    "results.decide": ({"supervisor"}, False),
    "api.results_get": ({"admin", "organizer", "chief_judge", "supervisor"}, True),
    "api.ties_resolve": ({"chief_judge"}, False),
    "api.appeals_create": ({"candidate", "org_contact"}, False),
    "api.appeals_list": ({"supervisor", "admin"}, False),
    "api.appeals_decide": ({"supervisor"}, False),
    "api.public_competitions_list": (PUBLIC, False),
    "api.public_competition_results": (PUBLIC, False),
    "api.public_lookup": (PUBLIC, False),
    "selection.policies": (PUBLIC, False),
    "results.advance": (MANAGERS, True),
    "api.advance": (MANAGERS, True),
    "selection.registry": (MANAGERS, False),
    "selection.roster": (MANAGERS, False),
    "selection.status": (MANAGERS, False),
    "selection.record": (MANAGERS, False),
    "api.policies_list": (MANAGERS, False),
    "api.entitlements_list": (MANAGERS, False),
    "api.entitlements_roster": (MANAGERS, False),
    "api.entitlements_status": (MANAGERS, False),
    "api.people_record": (MANAGERS, False),
    # External results belong to the recording organization: scoped routes refuse the others.
    "selection.external_record": (MANAGERS, False),
    "selection.external_decision": (MANAGERS, True),
    "selection.external_evidence": (MANAGERS, True),
    "api.external_results_list": (MANAGERS, False),
    "api.external_results_create": (MANAGERS, False),
    "api.external_results_decision": (MANAGERS, True),
    "api.external_results_evidence": (MANAGERS, True),
    # Title selections: the nominating organization and the organizers write; supervisors read too;
    # a judge reads a dossier only through their own sheet (recusal decides who has one).
    "nominations.nominate": (NOMINATORS, True),
    "nominations.dossier": (DOSSIER_READERS, True),
    "nominations.dossier_edit": (NOMINATORS, True),
    "nominations.attachment_upload": (NOMINATORS, True),
    "nominations.attachment_download": (DOSSIER_READERS, True),
    "nominations.attachment_delete": (NOMINATORS, True),
    "nominations.judge_dossier": ({"judge"}, False),
    "nominations.judge_attachment": ({"judge"}, False),
    # The chief judge reads a dossier by its code (own organization's nominees excepted).
    "nominations.chief_dossier": ({"chief_judge"}, False),
    "nominations.chief_attachment": ({"chief_judge"}, False),
    "api.nominations_create": (NOMINATORS, True),
    "api.nominations_list": (NOMINATORS | {"supervisor"}, True),
    "api.dossier_get": (DOSSIER_READERS, True),
    "api.dossier_update": (NOMINATORS, True),
    "api.dossier_attachments_list": (DOSSIER_READERS, True),
    "api.dossier_attachments_create": (NOMINATORS, True),
    "api.dossier_attachment_get": (DOSSIER_READERS, True),
    "api.dossier_attachment_delete": (NOMINATORS, True),
    "api.sheet_dossier": ({"judge"}, False),
    "api.sheet_dossier_attachment": ({"judge"}, False),
    # Certificates and documents. Certificate and job routes find their object first (the matrix's
    # world has none, so everyone allowed gets a 404); their IDOR checks are in tests/certificates.
    "certificates.manage": (MANAGERS, True),
    "certificates.preview": (MANAGERS, True),
    "certificates.start_job": (MANAGERS, True),
    "certificates.revoke": (MANAGERS, False),
    "certificates.reissue": (MANAGERS, False),
    "certificates.release": (MANAGERS, False),
    "certificates.certificate_by_code": (MANAGERS, False),
    "certificates.certificate_pdf": (ANY, False),
    "certificates.admission_ticket": (ANY, False),
    "certificates.bulletin": (MANAGERS | {"supervisor"}, True),
    "certificates.verify_form": (PUBLIC, False),
    "certificates.verify": (PUBLIC, False),
    "certificates.jwks": (PUBLIC, False),
    "certificates.public_bulletin": (PUBLIC, False),
    "registration.upload_photo": (ANY, False),
    "registration.photo_image": (ANY, False),
    "certificates.did_document": (PUBLIC, False),
    "certificates.status_list": (PUBLIC, False),
    "certificates.registration_credential": (ANY, False),
    "certificates.managed_credential": (MANAGERS, False),
    "jobs.status": (MANAGERS, False),
    "jobs.download": (MANAGERS, False),
    "jobs.resume": (MANAGERS, False),
    "selection.roster_pdf": (MANAGERS, False),
    "api.certificates_list": (MANAGERS, True),
    "api.certificates_batch": (MANAGERS, True),
    "api.certificate_revoke": (MANAGERS, False),
    "api.certificate_reissue": (MANAGERS, False),
    "api.certificate_release": (MANAGERS, False),
    "api.certificate_pdf": (ANY, False),
    "api.admission_ticket_pdf": (ANY, False),
    "api.bulletin_pdf": (MANAGERS | {"supervisor"}, True),
    "api.public_certificate": (PUBLIC, False),
    "api.public_verify_qr": (PUBLIC, False),
    "api.registration_credential": (ANY, False),
    "api.job_status": (MANAGERS, False),
    "api.job_file": (MANAGERS, False),
    "api.job_resume": (MANAGERS, False),
    "api.entitlements_roster_pdf": (MANAGERS, False),
    "results.final_correction": ({"supervisor"}, False),
    # Analytics (issue 17): statistics for admins and organizers (an HR department sees its
    # jurisdiction, another organizer its own organization's competitions); an event's judge
    # figures for its overseers (a judge of its panel never before lock: the matrix's event is in
    # judging); the judge pool for admins, organizers and supervisors; a judge page also for the
    # judge themself (the matrix's judge has a locked event).
    "analytics.index": ({"admin", "organizer", "supervisor"}, False),
    "analytics.statistics": (MANAGERS, False),
    "analytics.statistics_xlsx": (MANAGERS, False),
    "analytics.statistics_pdf": (MANAGERS, False),
    "analytics.event": ({"admin", "organizer", "supervisor", "chief_judge"}, True),
    "analytics.judges": ({"admin", "organizer", "supervisor"}, False),
    "analytics.judge": ({"admin", "organizer", "supervisor", "judge"}, True),
    "api.analytics_statistics": (MANAGERS, False),
    "api.analytics_statistics_xlsx": (MANAGERS, False),
    "api.analytics_statistics_pdf": (MANAGERS, False),
    "api.analytics_event_consistency": ({"admin", "organizer", "supervisor", "chief_judge"}, True),
    "api.analytics_judges": ({"admin", "organizer", "supervisor"}, False),
    "api.analytics_judge": ({"admin", "organizer", "supervisor", "judge"}, True),

    "api.final_corrections_create": ({"supervisor"}, False),
    # The API contract (issue 20): the generated OpenAPI document and its human page.
    "api.openapi_json": (PUBLIC, False),
    "api_docs.api_docs": (PUBLIC, False),
    # The electronic record (issue 21): the candidate reads their own; organizers read a person of
    # their tenancy (rows their organization recorded) and write to it; a 破格/越级 application is
    # decided within the organization that filed it.
    "records.me": ({"candidate"}, False),
    "records.me_pdf": ({"candidate"}, False),
    "records.person_file": (MANAGERS, False),
    "records.person_file_pdf": (MANAGERS, False),
    # A contact reads the record of a person of their own organization (read only).
    "records.org_person_file": ({"org_contact"}, True),
    "records.org_person_file_pdf": ({"org_contact"}, True),
    "records.grade_add": (MANAGERS, False),
    "records.title_add": (MANAGERS, False),
    "records.training_add": (MANAGERS, False),
    "records.application_add": (MANAGERS, False),
    "records.application_decide": (MANAGERS, True),
    "api.my_record": ({"candidate"}, False),
    "api.my_record_pdf": ({"candidate"}, False),
    "api.people_file": (MANAGERS | {"org_contact"}, True),
    "api.people_file_pdf": (MANAGERS | {"org_contact"}, True),
    "api.people_grades_create": (MANAGERS, False),
    "api.people_titles_create": (MANAGERS, False),
    "api.people_trainings_create": (MANAGERS, False),
    "api.people_grade_applications_create": (MANAGERS, False),
    "api.grade_applications_decision": (MANAGERS, True),
    # Sponsors and donations belong to their competition: its host's organizers only.
    "sponsors.index": (MANAGERS, True),
    "sponsors.add": (MANAGERS, True),
    "sponsors.delete": (MANAGERS, True),
    "sponsors.agreement": (MANAGERS, True),
    "api.sponsorships_list": (MANAGERS, True),
    "api.sponsorships_create": (MANAGERS, True),
    "api.sponsorships_delete": (MANAGERS, True),
    "api.sponsorships_agreement": (MANAGERS, True),
    # Delegations belong to the organization that formed them (its organizers only).
    "delegations.index": (MANAGERS, False),
    "delegations.create": (MANAGERS, False),
    "delegations.show": (MANAGERS, True),
    "delegations.select_squad": (MANAGERS, True),
    "delegations.member_add": (MANAGERS, True),
    "delegations.member_remove": (MANAGERS, True),
    "delegations.session_add": (MANAGERS, True),
    "delegations.session_marks": (MANAGERS, True),
    "delegations.nominate": (MANAGERS, True),
    "delegations.export": (MANAGERS, True),
    "delegations.outcome": (MANAGERS, True),
    "api.delegations_list": (MANAGERS, False),
    "api.delegations_create": (MANAGERS, False),
    "api.delegations_get": (MANAGERS, True),
    "api.delegations_select": (MANAGERS, True),
    "api.delegations_members_create": (MANAGERS, True),
    "api.delegations_sessions_create": (MANAGERS, True),
    "api.camp_session_marks": (MANAGERS, True),
    "api.delegations_nominate": (MANAGERS, True),
    "api.delegations_nomination_xlsx": (MANAGERS, True),
    "api.delegation_member_outcome": (MANAGERS, True),
    # Contests of projects: the host's organizers enter projects, files and the winners' support.
    "projects.manage": (MANAGERS, True),
    "projects.save": (MANAGERS, True),
    "projects.file_upload": (MANAGERS, True),
    "projects.support_add": (MANAGERS, True),
    "projects.file_download": (MANAGERS, True),
    "api.projects_list": (MANAGERS, True),
    "api.projects_save": (PROJECT_SIDE, True),
    "api.projects_file_create": (PROJECT_SIDE, True),
    "api.projects_support_create": (MANAGERS, True),
    "api.projects_file_get": (PROJECT_SIDE, True),
    # The entry's own side (members, its organization's contacts) enters its project and files.
    "api.projects_get": (PROJECT_SIDE, True),
    "projects.mine": ({"candidate", "org_contact"}, True),
    "projects.mine_save": ({"candidate", "org_contact"}, True),
    "projects.mine_file_upload": ({"candidate", "org_contact"}, True),
    "projects.mine_file": ({"candidate", "org_contact"}, True),
    # Invitations into another organizer's event: the two organizations concerned only (the source
    # withdraws, the target accepts or declines; the world's national organizer is the other side).
    "selection.invitations": (MANAGERS, False),
    "selection.invitation_create": (MANAGERS, False),
    "selection.invitation": (MANAGERS, True),
    "selection.invitation_decide": (MANAGERS, True),
    "selection.invitation_withdraw": (MANAGERS, True),
    "api.invitations_list": (MANAGERS, False),
    "api.invitations_create": (MANAGERS, True),
    "api.invitations_get": (MANAGERS, True),
    "api.invitations_decision": (MANAGERS, True),
    "api.invitations_withdraw": (MANAGERS, True),
}
# Run last: they end the caller's session or token.
LAST = ("accounts.logout", "api.token_delete")


def routes(app):
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule, method))
    out.sort(key=lambda rm: (rm[0].endpoint in LAST, rm[0].endpoint, rm[1]))
    return out


def test_every_route_declares_access_and_is_in_the_matrix(app):
    missing_declaration, missing_expectation = [], []
    for rule, _method in routes(app):
        view = app.view_functions[rule.endpoint]
        if getattr(view, "_access", None) is None:
            missing_declaration.append(rule.endpoint)
        if rule.endpoint not in EXPECTED:
            missing_expectation.append(rule.endpoint)
    assert not missing_declaration, f"routes without an access declaration: {missing_declaration}"
    assert not missing_expectation, f"routes missing from the access matrix: {missing_expectation}"
    assert not set(EXPECTED) - {r.endpoint for r, _ in routes(app)}, "matrix names routes that do not exist"


@pytest.fixture
def world(db):
    """Both tenants (tests/tenancy_world.py): (users by role, base URL parameters). The per-route
    parameter overrides and tenant A's sentinels are in `world_details` below."""
    from tests import snapshots
    users, params, overrides, sentinels = snapshots.scenario("world", tenancy_world.build)
    _DETAILS.update(overrides=overrides, sentinels=sentinels)
    return users, params


_DETAILS: dict = {}


def params_for(endpoint: str, params: dict) -> dict:
    if endpoint == "main.set_language":
        return {**params, "code": "en"}
    return {**params, **_DETAILS.get("overrides", {}).get(endpoint, {})}


def _client_for(app, role, users):
    client = new_client(app)
    token = None
    if role != "anonymous":
        user = users[role]
        page = client.get("/login")
        r = client.post("/login", data={"csrf_token": csrf_from(page.data), "username": user.username,
                                         "password": PASSWORD})
        assert r.status_code == 302
        r = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
        token = r.get_json()["token"]
    csrf = csrf_from(client.get("/login" if role == "anonymous" else "/account/password").data)
    return client, token, csrf


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, world, role):
    users, params = world
    client, token, csrf = _client_for(app, role, users)
    sentinels = _DETAILS["sentinels"]
    base_role = OTHER_TENANT.get(role, role)
    other_tenant = role in OTHER_TENANT
    failures = []
    for rule, method in routes(app):
        who, _scoped = EXPECTED[rule.endpoint]
        url = rule.build(params_for(rule.endpoint, params), append_unknown=False)[1]
        is_api = url.startswith("/api/")
        headers = {"Authorization": f"Bearer {token}"} if (is_api and token) else {}
        if is_api:
            resp = client.open(url, method=method, json={}, headers=headers)
        else:
            resp = client.open(url, method=method, data={"csrf_token": csrf} if method == "POST" else None)
        status = resp.status_code
        names_object = (bool(set(rule.arguments) & OBJECT_PARAMS) and rule.endpoint != "main.set_language"
                        and not (rule.endpoint in ENTRY_ROUTES and base_role in ("org_contact", "candidate")))
        if who == PUBLIC:
            # Empty credentials to the token endpoint are rightly a 401; nothing public is a 403.
            ok = status != 403 and status < 500 and (status != 401 or rule.endpoint == "api.token_create")
        elif role == "anonymous":
            ok = status == 401 if is_api else (status == 302 and "/login" in resp.headers.get("Location", ""))
        elif other_tenant and names_object and (who == ANY or base_role in who):
            ok = status in (403, 404)  # tenant A's object: refused, or as if it did not exist
        elif who == ANY or base_role in who:
            ok = status not in (401, 403) and status < 500
        else:
            ok = status == 403
        if not ok:
            failures.append(f"{method} {url} as {role}: {status}")
        if other_tenant and status < 500:
            body = resp.get_data(as_text=True) if not resp.mimetype.startswith(("application/pdf", "application/zip",
                                                                                    "application/vnd")) else ""
            leaked = [s for s in sentinels if s and s in body]
            if leaked:
                failures.append(f"{method} {url} as {role}: shows tenant A's {leaked}")
    assert not failures, "\n".join(failures)


def test_tenant_b_sees_its_own_objects(app, world):
    """The refusals above are not because tenant B's accounts are broken: they reach their own."""
    users, _params = world
    from app.competitions.models import Competition
    from app.extensions import db
    from sqlalchemy import select
    comp_b = db.session.scalar(select(Competition).where(Competition.jurisdiction == "CN-GX"))
    event_b = comp_b.events[0]
    for role, url in (("organizer_other", f"/manage/competitions/{comp_b.id}"),
                      ("organizer_other", f"/manage/events/{event_b.id}/judging"),
                      ("supervisor_other", f"/supervise/events/{event_b.id}"),
                      ("judge_other", f"/judge/events/{event_b.id}"),
                      ("chief_other", f"/judge/events/{event_b.id}")):
        client, _token, _csrf = _client_for(app, role, users)
        assert client.get(url).status_code == 200, (role, url)
