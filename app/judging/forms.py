"""Judging forms: the score form is built at run time from the event's criteria."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField


class PanelForm(FlaskForm):
    user_id = SelectField(_l("User"), validate_choice=False)
    role = SelectField(_l("Role"), validate_choice=False,
                       choices=[("judge", _l("Judge")), ("chief_judge", _l("Chief judge"))])


class ConflictForm(FlaskForm):
    user_id = SelectField(_l("Judge"), validate_choice=False)
    registration_id = SelectField(_l("Entry"), validate_choice=False)
    kind = SelectField(_l("Kind of conflict"), validate_choice=False, choices=[
        ("trainer", _l("Trainer or coach")), ("relative", _l("Relative")),
        ("same_organization", _l("Same organization")), ("other", _l("Other"))])
    note = StringField(_l("Note"))


class DrawForm(FlaskForm):
    seed = StringField(_l("Draw code (optional)"))


class ScoreImportForm(FlaskForm):
    file = FileField(_l("File (.xlsx or .csv)"))


class SheetForm(FlaskForm):
    """Fields score_<criterion key> are added per event by make_sheet_form."""
    version = HiddenField()
    reason = TextAreaField(_l("Reason for the correction"))


def make_sheet_form(criteria: list[dict], **kwargs) -> SheetForm:
    class _Form(SheetForm):
        pass
    for crit in criteria:
        if crit.get("scale") == "wsi3":
            field = SelectField(crit["name"], validate_choice=False,
                                choices=[("", "—")] + [(str(i), str(i)) for i in range(4)])
        else:
            field = StringField(crit["name"])
        setattr(_Form, f"score_{crit['key']}", field)
    return _Form(**kwargs)


class RecheckForm(FlaskForm):
    seed = StringField(_l("Draw code (optional)"))
    top_n = StringField(_l("Top entries always re-checked"), default="10")
    share = StringField(_l("Share of the rest drawn at random"), default="0.15")


class RecheckMarkForm(FlaskForm):
    status = SelectField(_l("Result"), validate_choice=False,
                         choices=[("checked", _l("No error")), ("wrong", _l("Wrong"))])
    note = StringField(_l("Note"))
