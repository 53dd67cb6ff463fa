"""Results forms: the public lookup, appeals, appeal decisions, tie resolution."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField


class LookupForm(FlaskForm):
    name = StringField(_l("Full name"))
    id_number = StringField(_l("ID number"))


class AppealForm(FlaskForm):
    reason = TextAreaField(_l("What do you appeal against, and why?"))


class DecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), validate_choice=False,
                           choices=[("dismissed", _l("Dismissed")), ("upheld", _l("Upheld: reopen the sheets"))])
    note = TextAreaField(_l("Explanation (the appellant sees it)"))


class TieForm(FlaskForm):
    order = StringField(_l("Order, best first (codes separated by commas)"))
    reason = TextAreaField(_l("Reason"))
