"""Nomination and dossier forms (rendering and CSRF; the rules are in app/domain/dossier.py)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField

from ..people.forms import PersonForm


class DossierFields:
    achievements = TextAreaField(_l("Main achievements"))
    innovations = TextAreaField(_l("Technical innovations"))
    honours = TextAreaField(_l("Honours and awards"))
    apprentices = TextAreaField(_l("Apprentices trained"))


class NominationForm(PersonForm, DossierFields):
    """The nominee's details (PersonForm) and the dossier's text."""


class DossierForm(FlaskForm, DossierFields):
    version = HiddenField()


class AttachmentForm(FlaskForm):
    file = FileField(_l("File (PDF, JPEG or PNG)"))
