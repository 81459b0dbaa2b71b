"""Forms of the business-calendar pages in /manage/: the calendar with its weekly hours, and its custom days."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import InvalidInput
from kefu.sla import calendars
from kefu.sla.models import BusinessCalendar

_RANGE_SEPARATORS = re.compile(r"[,，;；\s]+")
_DASH = "-–—~～至"
_RANGE = re.compile(rf"(?P<start>[^{_DASH}]+)[{_DASH}](?P<end>.+)")
_SPACED_DASH = re.compile(rf"\s*([{_DASH}])\s*")  # "09:00 - 18:00" is one range, not three parts
MAX_DATE_ROWS = 500
WEEKDAY_FIELDS = tuple(f"hours_{weekday}" for weekday in range(7))


def parse_ranges(text: str) -> list[list[str]]:
    """`"09:00-12:00, 13:30 - 18:00"` → `[["09:00", "12:00"], ["13:30", "18:00"]]` (not yet checked)."""
    ranges = []
    for part in _RANGE_SEPARATORS.split(_SPACED_DASH.sub(r"\1", text.strip())):
        if not part:
            continue
        match = _RANGE.fullmatch(part)
        if match is None:
            raise forms.ValidationError(_("Write each range as 09:00-18:00, separated by commas."))
        ranges.append([match["start"], match["end"]])
    return ranges


def format_ranges(ranges) -> str:
    """Stored ranges as the text field shows them; anything malformed is shown as it is, to be corrected."""
    try:
        return ", ".join(f"{start}-{end}" for start, end in ranges or [])
    except (TypeError, ValueError):
        return str(ranges)


class CalendarForm(forms.Form):
    """Name, time zone, the weekly hours (one text field per weekday) and the two switches."""

    name = forms.CharField(label=_("Name"), max_length=100)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        initial="Asia/Shanghai",
        help_text=_("An IANA name such as Asia/Shanghai or Asia/Hong_Kong."),
    )
    always_open = forms.BooleanField(
        label=_("Open 24/7"),
        required=False,
        help_text=_("Around the clock: the hours and days below are ignored."),
    )
    use_china_holidays = forms.BooleanField(
        label=_("Use mainland China public holidays"),
        required=False,
        initial=True,
        help_text=_(
            "Statutory holidays are days off and the official adjusted working days (调休) are working days."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, name in enumerate(WEEKDAY_FIELDS):
            self.fields[name] = forms.CharField(
                label=calendars.WEEKDAYS[weekday],
                required=False,
                max_length=200,
                help_text=_("For example 09:00-12:00, 13:30-18:00. Empty: closed.") if weekday == 0 else "",
            )

    def clean(self):
        data = super().clean()
        hours: dict[str, list[list[str]]] = {}
        for weekday, name in enumerate(WEEKDAY_FIELDS):
            if name not in data:
                continue  # already refused by its field
            try:
                ranges = calendars.check_day_ranges(parse_ranges(data[name]), weekday)
            except forms.ValidationError as error:
                self.add_error(name, error)
                continue
            except InvalidInput as error:
                self.add_error(name, str(error.message))
                continue
            if ranges:
                hours[str(weekday)] = ranges
        data["hours"] = hours
        return data

    def weekday_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in WEEKDAY_FIELDS]

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "time_zone": data["time_zone"],
            "always_open": data["always_open"],
            "use_china_holidays": data["use_china_holidays"],
            "hours": data["hours"],
        }

    @staticmethod
    def initial_from(data) -> dict:
        """What was posted, as initial values (shown again without validating: adding a row saves nothing)."""
        return {
            **data.dict(),
            "always_open": "always_open" in data,
            "use_china_holidays": "use_china_holidays" in data,
        }

    @staticmethod
    def initial_for(calendar: BusinessCalendar) -> dict:
        hours = calendar.hours if isinstance(calendar.hours, dict) else {}
        initial = {
            "name": calendar.name,
            "time_zone": calendar.time_zone,
            "always_open": calendar.always_open,
            "use_china_holidays": calendar.use_china_holidays,
        }
        for weekday, name in enumerate(WEEKDAY_FIELDS):
            initial[name] = format_ranges(hours.get(str(weekday)))
        return initial


class DayKind:
    OFF = "off"
    WORK = "work"
    CHOICES = (
        (OFF, _("Day off (holiday)")),
        (WORK, _("Working day (调休 make-up day)")),
    )


class CalendarDateForm(forms.Form):
    """One custom day; a row left empty is ignored, a ticked "remove" drops it."""

    # ISO format whatever the language: a date input shows nothing for a localized value (and saving would drop it)
    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=DayKind.CHOICES, initial=DayKind.OFF)
    note = forms.CharField(label=_("Note"), max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("date") and (data.get("note") or "").strip() and "date" not in self.errors:
            self.add_error("date", _("Give the date of this day."))
        return data


class BaseCalendarDateFormSet(forms.BaseFormSet):
    def entries(self) -> list[calendars.DateEntry]:
        """The rows with a date and not marked for removal, as the service takes them."""
        return [
            calendars.DateEntry(
                day=form.cleaned_data["date"],
                is_working_day=form.cleaned_data["kind"] == DayKind.WORK,
                note=form.cleaned_data.get("note") or "",
            )
            for form in self.forms
            if form.cleaned_data.get("date") and not form.cleaned_data.get("DELETE")
        ]

    @staticmethod
    def initial_for(calendar: BusinessCalendar) -> list[dict]:
        return [
            {"date": d.date, "kind": DayKind.WORK if d.is_working_day else DayKind.OFF, "note": d.note}
            for d in calendar.dates.all()
        ]


CalendarDateFormSet = forms.formset_factory(
    CalendarDateForm,
    formset=BaseCalendarDateFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_DATE_ROWS,
    validate_max=True,
)
