"""Competition and event forms. An event's scheme is edited as two tables: components and criteria."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, Form, FormField, HiddenField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.fields import FieldList
from wtforms.widgets import CheckboxInput, ListWidget


class CompetitionForm(FlaskForm):
    version = HiddenField()
    name = StringField(_l("Name"))
    year = StringField(_l("Year"))
    level = SelectField(_l("Level"), validate_choice=False)
    kind = SelectField(_l("Kind"), validate_choice=False)
    jurisdiction = SelectField(_l("Jurisdiction"), validate_choice=False)
    host_organization_id = SelectField(_l("Host organization"), validate_choice=False)
    registration_opens_at = StringField(_l("Registration opens"))
    registration_closes_at = StringField(_l("Registration closes"))
    starts_on = StringField(_l("First day"))
    ends_on = StringField(_l("Last day"))
    publicity_days = StringField(_l("Publicity days"), default="7")
    appeal_window_hours = StringField(_l("Appeal window (hours after the event)"), default="2")
    allow_multiple_events = BooleanField(_l("A person may enter several events"))
    stage = SelectField(_l("Stage"), validate_choice=False, choices=[
        ("single", _l("Single stage")), ("preliminary", _l("Preliminary (selects who advances)")),
        ("final", _l("Final stage"))])
    award_title = StringField(_l("Title granted to winners (e.g. 技术能手), where a policy grants it"))
    description = TextAreaField(_l("Description"))
    reason = StringField(_l("Reason for the change"))


class SupervisorForm(FlaskForm):
    user_id = SelectField(_l("Supervisor"), validate_choice=False)


class StatusForm(FlaskForm):
    version = HiddenField()
    status = HiddenField()
    reason = StringField(_l("Reason (optional)"))


class ComponentRow(Form):
    key = HiddenField()  # made from the row when empty: the organizer never types a code
    name = StringField(_l("Name"))
    weight = StringField(_l("Weight"))
    entry = SelectField(_l("Scores entered by"), validate_choice=False,
                        choices=[("judges", _l("Judges' score sheets")), ("import", _l("Import (exam system)"))])


class CriterionRow(Form):
    # The component row the criterion belongs to (its position in the table above), chosen from a list.
    component = SelectField(_l("Component"), validate_choice=False)
    key = HiddenField()  # made from the row when empty
    name = StringField(_l("Name"))
    max_score = StringField(_l("Max score"))
    kind = SelectField(_l("Kind"), validate_choice=False,
                       choices=[("measurement", _l("Measurement (objective)")), ("judgement", _l("Judgement (subjective)"))])
    scale = SelectField(_l("Scale"), validate_choice=False,
                        choices=[("marks", _l("Marks")), ("wsi3", _l("0–3 judgement scale"))])
    step = StringField(_l("Step"))
    descriptors = TextAreaField(_l("What each point 0, 1, 2, 3 means (four lines, without the number)"))


class EventForm(FlaskForm):
    version = HiddenField()
    name = StringField(_l("Event name"))
    occupation = StringField(_l("Occupation"))
    track = SelectField(_l("Track"), validate_choice=False)
    team_size = StringField(_l("Team size"), default="1")
    max_entrants = StringField(_l("Capacity (empty: no limit)"))
    starts_at = StringField(_l("Starts"))
    ends_at = StringField(_l("Ends"))
    venue = StringField(_l("Venue"))
    aggregation = SelectField(_l("Aggregation of judges' scores"), validate_choice=False)
    min_judges = StringField(_l("Judges needed per contestant"), default="3")
    trim_fallback = SelectField(_l("With the trimmed mean, an entry scored by fewer than 5 judges"), validate_choice=False,
                                choices=[("", _l("— choose —")),
                                         ("mean", _l("gets the plain mean of its judges' values (marked on the results)")),
                                         ("refuse", _l("blocks the lock until 5 judges have scored it"))])
    two_layer = BooleanField(_l("Two-layer encryption: the admission ticket carries its own number, the judges see another code"),
                             default=True)
    components = FieldList(FormField(ComponentRow), min_entries=2)
    criteria = FieldList(FormField(CriterionRow), min_entries=4)
    award_preset = SelectField(_l("Award preset"), validate_choice=False)
    share_first = StringField(_l("First prize share"), default="0.10")
    share_second = StringField(_l("Second prize share"), default="0.20")
    share_third = StringField(_l("Third prize share"), default="0.30")
    min_total = StringField(_l("Minimum total for an award"), default="60")
    standardized = BooleanField(_l("Show the WorldSkills standardized score (median → 700)"))
    # Equal totals are separated by these, in order: a component's total, a criterion, the time used.
    tiebreak = FieldList(SelectField(_l("Then by"), validate_choice=False), min_entries=3)
    no_shared_ranks = BooleanField(_l("No shared ranks (ties must be resolved by the chief judge)"))
    min_age = StringField(_l("Minimum age"))
    max_age = StringField(_l("Maximum age"))
    min_skill_grade = SelectField(_l("Minimum skill grade"), validate_choice=False)
    organization_kinds = SelectMultipleField(_l("Organization kinds allowed (none ticked: any)"), validate_choice=False,
                                             widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
