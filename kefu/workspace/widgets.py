"""Menus, text-like inputs and hidden inputs written in Python, with exactly the HTML of Django's widget templates.

Django renders a <select> through a template per option (and one more for each option's attributes):
the filter bar of the queue and the field panel of the ticket page spent 10–20% of their request there
(issue 7). These widgets build the same markup directly; anything unusual (option groups) still goes
through the templates.
"""

from html import escape as _html_escape

from django import forms
from django.forms.widgets import Input
from django.utils.functional import Promise
from django.utils.safestring import SafeData, mark_safe


def conditional_escape(value) -> str:
    """django.utils.html.conditional_escape's text, with html.escape called directly: Django's `escape` checks
    every argument for lazy strings first (`keep_lazy`), which was most of a field panel's escaping (issue 7)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _html_escape(str(value))


def _text(value) -> str:
    """What `{{ value|stringformat:'s' }}` prints in an autoescaped template."""
    if isinstance(value, SafeData):
        return str(value)
    return _html_escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{_text(value)}"'
        )
    return "".join(parts)


class FastSelect(forms.Select):
    """Options written straight from the choices: Django's `optgroups` built a dict (and an attrs dict) per
    option first, which on a staff menu of a few hundred people cost more than the rest of the form."""

    def get_context(self, name, value, attrs):
        if any(isinstance(label, (list, tuple)) for _value, label in self.choices):
            return super().get_context(name, value, attrs)  # option groups: Django's own path
        return forms.Widget.get_context(self, name, value, attrs)  # no "optgroups": _render writes them

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        if "optgroups" in widget or template_name != self.template_name:
            if "optgroups" not in widget:
                widget["optgroups"] = self.optgroups(widget["name"], widget["value"])
            return super()._render(template_name, context, renderer)
        return mark_safe(
            f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>{self._options(widget["value"])}\n</select>'
        )

    def _options(self, values: list[str]) -> str:
        """django/forms/widgets/select_option.html per choice; like `optgroups`, only the first match is selected."""
        parts, has_selected = [], False
        for value, label in self.choices:
            value = "" if value is None else value
            selected = not has_selected and str(value) in values
            has_selected |= selected
            parts.append(
                f'\n  <option value="{_text(value)}"{" selected" if selected else ""}>{conditional_escape(label)}</option>\n'
            )
        return "".join(parts)


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html"""
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return mark_safe(
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


class FastHiddenInput(forms.HiddenInput):
    def _render(self, template_name, context, renderer=None):
        if template_name != self.template_name:
            return super()._render(template_name, context, renderer)
        return _input(context["widget"])


class FastInput(Input):
    """django/forms/widgets/input.html for any single-value <input> (text, number, date…), without templates."""

    def _render(self, template_name, context, renderer=None):
        if template_name != self.template_name:
            return super()._render(template_name, context, renderer)
        return _input(context["widget"])


_INPUT_TYPES = (forms.TextInput, forms.NumberInput, forms.EmailInput, forms.URLInput, forms.DateInput)
_FAST_INPUTS: dict[type, type] = {}


def _fast_input_class(widget_class: type) -> type:
    """The widget's own class with FastInput's rendering (formatting and `type` stay the widget's)."""
    if widget_class not in _FAST_INPUTS:
        _FAST_INPUTS[widget_class] = type(f"Fast{widget_class.__name__}", (FastInput, widget_class), {})
    return _FAST_INPUTS[widget_class]


def use_fast_widgets(form: forms.Form) -> forms.Form:
    """Swap the plain menus, text-like inputs and hidden-initial inputs of a form (this instance only) for the
    ones above."""
    for field in form.fields.values():
        # Their templates (text.html, number.html…) only include input.html; a template set on the instance stays.
        if type(field.widget) in _INPUT_TYPES and "template_name" not in vars(field.widget):
            field.widget.__class__ = _fast_input_class(type(field.widget))
        if type(field.widget) is forms.Select:
            fast = FastSelect(attrs=field.widget.attrs, choices=field.widget.choices)
            fast.is_required = field.widget.is_required
            fast.is_localized = field.widget.is_localized
            field.widget = fast
        if field.hidden_widget is forms.HiddenInput:
            field.hidden_widget = FastHiddenInput
    return form
