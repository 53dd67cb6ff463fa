"""database constraints on every status, role and kind column (CHECK … IN the code names), so
that no write from any client stores a value the application does not know

Revision ID: 0019_checks
Revises: 0015_venue
Create Date: 2026-12-03 16:30:00

The value lists are written here as they are today (a later change of an enumeration is a new
migration). On SQLite each table is rebuilt (batch mode); on PostgreSQL the constraints are added.
"""
from alembic import op


revision = '0019_checks'
down_revision = '0015_venue'
branch_labels = None
depends_on = None

CHECKS = {
    'organizations': [
        ('ck_organizations_kind', "kind IN ('government', 'enterprise', 'college', 'training', 'association', 'other')"),
    ],
    'competitions': [
        ('ck_competitions_status', "status IN ('draft', 'registration_open', 'registration_closed', 'judging', 'publicity', 'final', 'archived')"),
        ('ck_competitions_level', "level IN ('world', 'national_1', 'national_2', 'provincial_1', 'provincial_2', 'municipal', 'industry', 'enterprise', 'college')"),
        ('ck_competitions_stage', "stage IN ('single', 'preliminary', 'final')"),
        ('ck_competitions_kind', "kind IN ('skills', 'college_skills', 'craftsman_selection', 'arts_crafts', 'traditional', 'entrepreneurship', 'trainer', 'workplace', 'title_selection')"),
    ],
    'people': [
        ('ck_people_gender', "gender IN ('male', 'female')"),
        ('ck_people_id_type', "id_type IN ('resident_id', 'passport', 'hk_macau_permit', 'taiwan_permit')"),
    ],
    'user_roles': [
        ('ck_user_roles_role', "role IN ('admin', 'organizer', 'judge', 'chief_judge', 'supervisor', 'org_contact', 'candidate')"),
    ],
    'events': [
        ('ck_events_decrypt_requested_role', "decrypt_requested_role IN ('chief_judge', 'supervisor')"),
        ('ck_events_track', "track IN ('staff', 'student', 'teacher')"),
    ],
    'external_results': [
        ('ck_external_results_status', "status IN ('submitted', 'approved', 'rejected')"),
        ('ck_external_results_kind', "kind IN ('skills', 'college_skills', 'craftsman_selection', 'arts_crafts', 'traditional', 'entrepreneurship', 'trainer', 'workplace', 'title_selection')"),
        ('ck_external_results_track', "track IN ('staff', 'student', 'teacher')"),
        ('ck_external_results_level', "level IN ('world', 'national_1', 'national_2', 'provincial_1', 'provincial_2', 'municipal', 'industry', 'enterprise', 'college')"),
        ('ck_external_results_award', "award IN ('first', 'second', 'third', 'gold', 'silver', 'bronze', 'merit')"),
    ],
    'person_claims': [
        ('ck_person_claims_status', "status IN ('pending', 'approved', 'rejected')"),
    ],
    'draws': [
        ('ck_draws_kind', "kind IN ('codes', 'stations')"),
    ],
    'panel_members': [
        ('ck_panel_members_role', "role IN ('judge', 'chief_judge')"),
    ],
    'registrations': [
        ('ck_registrations_status', "status IN ('submitted', 'approved', 'rejected', 'withdrawn')"),
        ('ck_registrations_source', "source IN ('self', 'org_contact', 'organizer', 'import', 'api', 'nomination', 'advancement')"),
        ('ck_registrations_attendance', "attendance IN ('absent', 'disqualified')"),
    ],
    'appeals': [
        ('ck_appeals_status', "status IN ('open', 'upheld', 'dismissed')"),
    ],
    'certificates': [
        ('ck_certificates_status', "status IN ('valid', 'revoked', 'held')"),
        ('ck_certificates_award', "award IN ('first', 'second', 'third', 'gold', 'silver', 'bronze', 'merit')"),
    ],
    'conflicts': [
        ('ck_conflicts_kind', "kind IN ('same_organization', 'trainer', 'relative', 'other')"),
    ],
    'entitlements': [
        ('ck_entitlements_award', "award IN ('first', 'second', 'third', 'gold', 'silver', 'bronze', 'merit')"),
        ('ck_entitlements_kind', "kind IN ('teacher_eligibility', 'reward', 'title', 'grade_promotion', 'grade_exception')"),
        ('ck_entitlements_status', "status IN ('eligible', 'confirmed', 'used', 'expired', 'superseded')"),
    ],
    'recheck_items': [
        ('ck_recheck_items_reason', "reason IN ('top', 'random', 'full')"),
        ('ck_recheck_items_status', "status IN ('pending', 'checked', 'wrong')"),
    ],
    'sheets': [
        ('ck_sheets_status', "status IN ('draft', 'submitted', 'locked')"),
    ],
}


def upgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(op.f(name), condition)


def downgrade():
    for table, checks in reversed(list(CHECKS.items())):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _condition in reversed(checks):
                batch_op.drop_constraint(op.f(name), type_="check")
