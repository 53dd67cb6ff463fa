"""Organization and person forms (rendering and CSRF; rules in operations)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"))
    kind = SelectField(_l("Kind"), validate_choice=False)
    region_code = StringField(_l("Administrative division code"))


class PersonForm(FlaskForm):
    name = StringField(_l("Full name"))
    name_bo = StringField(_l("Name in Tibetan script (optional)"))
    id_type = SelectField(_l("ID type"), validate_choice=False)
    id_number = StringField(_l("ID number"))
    gender = SelectField(_l("Gender"), validate_choice=False)
    birth_date = StringField(_l("Birth date"))
    ethnicity = SelectField(_l("Ethnic group"), validate_choice=False)
    phone = StringField(_l("Phone"))
    education = SelectField(_l("Education"), validate_choice=False)
    skill_grade = SelectField(_l("Skill grade"), validate_choice=False)
    organization_id = SelectField(_l("Organization"), validate_choice=False)
    is_frontline_worker = BooleanField(_l("Front-line worker"))
