"""Forms of the reporting administration: triage duties, schemes, members, agreements, alerts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator

from safecity_web import core_gateway
from safecity_web.accounts.forms import GovukFormMixin
from safecity_web.accounts.models import PARTNER_ROLES, Organisation, OrganisationKind, User
from safecity_web.reporting.models import BusinessScheme, SchemeMembership
from safecity_web.reporting.schemes import SchemeError, clean_alert_image
from safecity_web.reporting.submission import CleanImage


class _UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name} ({obj.username}, {obj.organisation or 'no organisation'})"


class DutyAssignForm(GovukFormMixin, forms.Form):
    """Give a partner user a triage duty (which reports reach their queue)."""

    user = _UserChoiceField(
        label="User",
        queryset=User.objects.none(),
        empty_label="Select a user",
        error_messages={
            "required": "Select the user to give the duty to",
            "invalid_choice": "Select an active partner user from the list",
        },
    )
    duty = forms.ChoiceField(label="Duty", error_messages={"required": "Select a duty"}, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(is_active=True, role__in=[role.value for role in PARTNER_ROLES])
            .select_related("organisation")
            .order_by("username")
        )
        duties = core_gateway.community_reports_config().duties
        self.fields["duty"].choices = [  # type: ignore[attr-defined]
            ("", "Select a duty"),
            *((duty.id, duty.label) for duty in duties),
        ]


class SchemeForm(GovukFormMixin, forms.Form):
    """A new business crime scheme."""

    name = forms.CharField(
        label="Scheme name",
        max_length=200,
        help_text="For example, Demoton Business Crime Partnership.",
        error_messages={"required": "Enter the scheme's name"},
    )

    def clean_name(self) -> str:
        """Unique, ignoring case and spacing."""
        name = " ".join(str(self.cleaned_data["name"]).split())
        if BusinessScheme.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError("A scheme with this name already exists")
        return name


class InviteForm(GovukFormMixin, forms.Form):
    """Invite a business (an organisation of kind business) into a scheme."""

    organisation = forms.ModelChoiceField(
        label="Business",
        help_text=(
            "Only organisations of kind business that are not yet members are listed; add a "
            "business under Administration, Organisations."
        ),
        queryset=Organisation.objects.none(),
        empty_label="Select a business",
        error_messages={
            "required": "Select the business to invite",
            "invalid_choice": "Select a business from the list",
        },
    )

    def __init__(self, *args: Any, scheme: BusinessScheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = SchemeMembership.objects.filter(scheme=scheme).values("organisation")
        self.fields["organisation"].queryset = (  # type: ignore[attr-defined]
            Organisation.objects.filter(kind=OrganisationKind.BUSINESS)
            .exclude(pk__in=members)
            .order_by("name")
        )


class AgreementForm(GovukFormMixin, forms.Form):
    """A new version of a scheme's information-sharing agreement."""

    version = forms.CharField(
        label="Version",
        max_length=20,
        help_text="For example, 2.0. Members must accept each new version before seeing alerts.",
        error_messages={"required": "Enter the version, for example 2.0"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    text = forms.CharField(
        label="Agreement text",
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "Enter the agreement's text"},
    )


class AlertForm(GovukFormMixin, forms.Form):
    """An alert to a scheme's members; the image is checked and its metadata removed."""

    scheme = forms.ModelChoiceField(
        label="Scheme",
        queryset=BusinessScheme.objects.order_by("name"),
        empty_label="Select a scheme",
        error_messages={
            "required": "Select the scheme whose members get the alert",
            "invalid_choice": "Select a scheme from the list",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Enter a title", "max_length": "Use at most 200 characters"},
    )
    body = forms.CharField(
        label="What members need to know",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter what members need to know"},
    )
    offender_description = forms.CharField(
        label="Description of the offender (optional)",
        help_text="Only scheme members who accepted the agreement see it. Never made public.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    image = forms.FileField(
        label="Image (optional)",
        help_text="A JPG, PNG or WebP picture. Location and other hidden data are removed.",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].widget.attrs["class"] = "govuk-file-upload"
        limit = core_gateway.community_reports_config().abuse.max_description_characters
        for name in ("body", "offender_description"):
            self.fields[name].validators.append(
                MaxLengthValidator(limit, message=f"Use at most {limit} characters")
            )

    def clean_image(self) -> CleanImage | None:
        """The uploaded image re-encoded without metadata, or None when none was given."""
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        limit = core_gateway.community_reports_config().attachments.max_bytes
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                f"The image must be smaller than {limit / 1_048_576:.0f} MB"
            )
        try:
            return clean_alert_image(data=upload.read())
        except SchemeError as error:
            raise forms.ValidationError(error.message) from error
