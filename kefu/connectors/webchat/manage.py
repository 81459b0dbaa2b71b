"""The /manage/chat-sites/ pages: the sites the widget is embedded in, their settings and the snippet to
paste (mounted in kefu.administration.urls). Forms parse, `kefu.chat.services.save_site` writes."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kefu.accounts.models import Team
from kefu.administration.views import MANAGE_CONFIGURATION, requires
from kefu.chat import services
from kefu.chat.models import ChatSite
from kefu.core.errors import DomainError
from kefu.sla.models import BusinessCalendar
from kefu.surveys.chat_surveys import SITE_SWITCH_HELP, SITE_SWITCH_LABEL

PRECHAT_CHOICES = [
    ("name", gettext_lazy("Name")),
    ("email", gettext_lazy("E-mail")),
    ("phone", gettext_lazy("Phone")),
    ("topic", gettext_lazy("Topic")),
]


class ChatSiteForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    allowed_origins = forms.CharField(
        label=gettext_lazy("Allowed origins"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One per line, e.g. https://shop.example.com — the pages the widget may run on."
        ),
    )
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=Team.objects.all(), required=False)
    calendar = forms.ModelChoiceField(
        label=gettext_lazy("Business hours"),
        queryset=BusinessCalendar.objects.all(),
        required=False,
        help_text=gettext_lazy("Outside these hours visitors leave a message. Empty: always open."),
    )
    max_queue = forms.IntegerField(
        label=gettext_lazy("Longest queue"),
        min_value=0,
        max_value=10000,
        initial=0,
        help_text=gettext_lazy("With this many visitors waiting, new ones leave a message. 0: no limit."),
    )
    prechat_fields = forms.MultipleChoiceField(
        label=gettext_lazy("Pre-chat form asks for"),
        choices=PRECHAT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    prechat_required = forms.MultipleChoiceField(
        label=gettext_lazy("Required answers"),
        choices=PRECHAT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("With both e-mail and phone asked, either one is enough."),
    )
    topics = forms.CharField(
        label=gettext_lazy("Topics"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One per line: the topic, then optionally | and the team that takes it."),
    )
    vip_to_senior = forms.BooleanField(
        label=gettext_lazy("VIP customers go to senior agents"), required=False
    )
    bot_enabled = forms.BooleanField(label=gettext_lazy("The FAQ bot answers first"), required=False)
    survey_enabled = forms.BooleanField(
        label=SITE_SWITCH_LABEL, help_text=SITE_SWITCH_HELP, required=False, initial=True
    )
    is_active = forms.BooleanField(label=pgettext_lazy("chat site", "Active"), required=False, initial=True)

    def clean_allowed_origins(self) -> list[str]:
        origins = []
        for line in self.cleaned_data["allowed_origins"].split():
            origin = line.strip().rstrip("/")
            if not (origin.startswith(("https://", "http://")) and "/" not in origin.split("://", 1)[1]):
                raise ValidationError(
                    _("%(origin)s is not an origin like https://shop.example.com.") % {"origin": line}
                )
            origins.append(origin)
        return origins

    def clean_topics(self) -> list[tuple[str, Team | None]]:
        teams = {t.name: t for t in Team.objects.all()} | {
            t.name_en: t for t in Team.objects.exclude(name_en="")
        }
        topics = []
        for line in self.cleaned_data["topics"].splitlines():
            name, _bar, team_name = (part.strip() for part in line.partition("|"))
            if not name:
                continue
            if team_name and team_name not in teams:
                raise ValidationError(_("There is no team called %(team)s.") % {"team": team_name})
            topics.append((name[:100], teams.get(team_name) if team_name else None))
        return topics

    @staticmethod
    def initial_for(site: ChatSite) -> dict:
        form = site.prechat_form or {}
        lines = [
            f"{t.name} | {t.team.name}" if t.team_id else t.name for t in site.topics.select_related("team")
        ]
        return {
            "name": site.name,
            "allowed_origins": "\n".join(site.allowed_origins),
            "team": site.team,
            "calendar": site.calendar,
            "max_queue": site.max_queue,
            "prechat_fields": form.get("fields", []),
            "prechat_required": form.get("required", []),
            "topics": "\n".join(lines),
            "vip_to_senior": site.vip_to_senior,
            "bot_enabled": site.bot_enabled,
            "survey_enabled": site.survey_enabled,
            "is_active": site.is_active,
        }


def _snippet(request: HttpRequest, site: ChatSite) -> str:
    src = request.build_absolute_uri(reverse("webchat:widget_js"))
    return f'<script src="{src}" data-site="{site.key}" async></script>'


@requires(MANAGE_CONFIGURATION)
def sites(request: HttpRequest) -> HttpResponse:
    rows = [
        (site, _snippet(request, site)) for site in ChatSite.objects.select_related("team").order_by("name")
    ]
    return render(request, "webchat/manage_sites.html", {"rows": rows, "nav": "chat_sites"})


@requires(MANAGE_CONFIGURATION)
def site_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    site = get_object_or_404(ChatSite, pk=pk) if pk else None
    if request.method == "POST":
        form = ChatSiteForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            topics = data.pop("topics")
            fields, required = data.pop("prechat_fields"), data.pop("prechat_required")
            data["prechat_form"] = {"fields": fields, "required": [f for f in required if f in fields]}
            try:
                site = services.save_site(actor=request.user, site=site, values=data, topics=topics)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("%(name)s was saved.") % {"name": site.name})
                return HttpResponseRedirect(reverse("administration:chat_site_edit", args=[site.pk]))
        context = {"form": form, "site": site, "nav": "chat_sites"}
        return render(request, "webchat/manage_site_form.html", context, status=400)
    form = ChatSiteForm(initial=ChatSiteForm.initial_for(site) if site else None)
    snippet = _snippet(request, site) if site else ""
    context = {"form": form, "site": site, "snippet": snippet, "nav": "chat_sites"}
    return render(request, "webchat/manage_site_form.html", context)
