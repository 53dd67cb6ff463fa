from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField


class SettingsForm(FlaskForm):
    template = SelectField(_l("Template"), choices=[("classic", _l("Classic (red and gold frame)")),
                                                     ("modern", _l("Modern (blue band)")),
                                                     ("bilingual", _l("Chinese and Tibetan (藏汉双语)"))])
    issuing_body = StringField(_l("Issuing body"))
    serial_pattern = StringField(_l("Serial number pattern"))
    background = FileField(_l("Background image (JPEG or PNG, A4 landscape)"))
    remove_background = BooleanField(_l("Remove the background"))
    seal = FileField(_l("Seal or signature image (PNG with transparency)"))
    remove_seal = BooleanField(_l("Remove the seal"))
    version = HiddenField()


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"))


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a public GET form
    code = StringField(_l("Verification code"))


class ReleaseForm(FlaskForm):
    """Release a certificate held because its name has characters no font can print."""
    printed_name = StringField(_l("Name as printed"))
    print_as_is = BooleanField(_l("Print the name as it is (the missing characters print as empty boxes)"))
    reason = StringField(_l("Reason"))
