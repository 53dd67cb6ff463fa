"""Sign-in, password and user forms; the rules live in operations.parse_user."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[InputRequired()])


class ReauthForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[InputRequired()])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = PasswordField(_l("New password"), validators=[InputRequired()])


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    username = StringField(_l("User name"))
    name = StringField(_l("Full name"))
    password = PasswordField(_l("Password"))
    roles = MultiCheckbox(_l("Roles"), validate_choice=False)
    organization_id = SelectField(_l("Organization"), validate_choice=False)
    is_enabled = BooleanField(_l("Account enabled"), default=True)
