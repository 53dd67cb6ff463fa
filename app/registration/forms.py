"""Registration forms: candidate sign-up, entry (with team members), review, import upload."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Form, FormField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList

from ..people.forms import PersonForm


class SignupForm(PersonForm):
    """The person's own details plus the account."""
    username = StringField(_l("User name"))
    password = PasswordField(_l("Password"))
    password_confirm = PasswordField(_l("Password again"))


class ClaimForm(FlaskForm):
    code = StringField(_l("Claim code"))


class ClaimDecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), validate_choice=False,
                           choices=[("approve", _l("Approve")), ("reject", _l("Reject"))])
    reason = StringField(_l("Reason (required to reject)"))


class MemberRow(Form):
    name = StringField(_l("Full name"))
    id_type = SelectField(_l("ID type"), validate_choice=False)
    id_number = StringField(_l("ID number"))
    gender = SelectField(_l("Gender"), validate_choice=False)
    birth_date = StringField(_l("Birth date"))


class EntryForm(PersonForm):
    """Used by candidates (person = their profile) and organization contacts (person typed here)."""
    team_name = StringField(_l("Team name"))
    members = FieldList(FormField(MemberRow), min_entries=0)


class ReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), validate_choice=False,
                           choices=[("approve", _l("Approve")), ("reject", _l("Reject"))])
    reason = TextAreaField(_l("Reason (the candidate sees it)"))


class BulkReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), validate_choice=False,
                           choices=[("approve", _l("Approve")), ("reject", _l("Reject"))])
    reason = StringField(_l("Reason (required to reject)"))


class ImportForm(FlaskForm):
    file = FileField(_l("File (.xlsx or .csv)"))
