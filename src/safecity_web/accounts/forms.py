"""Forms of the accounts app, rendered with GOV.UK Frontend classes and error states."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm

from safecity_web.accounts.models import AuditAction, Organisation, OrganisationKind, Role, User
from safecity_web.accounts.two_factor import CODE_DIGITS, normalise_code

_WIDGET_CLASSES: dict[type[forms.Widget], tuple[str, str]] = {
    forms.Select: ("govuk-select", "govuk-select--error"),
    forms.Textarea: ("govuk-textarea", "govuk-textarea--error"),
    forms.widgets.Input: ("govuk-input", "govuk-input--error"),
}


def _classes_for(widget: forms.Widget) -> tuple[str, str]:
    for widget_type, classes in _WIDGET_CLASSES.items():
        if isinstance(widget, widget_type):
            return classes
    return ("", "")


class GovukFormMixin:
    """Give every widget its GOV.UK class, hint and error descriptions and error class.

    Templates render fields with ``accounts/includes/field.html`` and the summary with
    ``accounts/includes/error_summary.html``.
    """

    fields: dict[str, forms.Field]
    errors: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():
            base, _ = _classes_for(field.widget)
            existing = field.widget.attrs.get("class", "")
            field.widget.attrs["class"] = f"{base} {existing}".strip()

    def full_clean(self) -> None:
        """Validate, then mark the widgets of fields in error for screen readers and styles."""
        super().full_clean()  # type: ignore[misc]
        for name, field in self.fields.items():
            if name not in self.errors:
                continue
            _, error_class = _classes_for(field.widget)
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {error_class}"
            field.widget.attrs["aria-invalid"] = "true"
            auto_id = self[name].auto_id  # type: ignore[index]
            described_by = [f"{auto_id}_helptext"] if field.help_text else []
            field.widget.attrs["aria-describedby"] = " ".join([*described_by, f"{auto_id}-error"])


class SignInForm(GovukFormMixin, forms.Form):
    """Username and password; authentication itself happens in the view (lockout first)."""

    username = forms.CharField(
        label="Username", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class CodeForm(GovukFormMixin, forms.Form):
    """A six-digit code from an authenticator app."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code shown in the app, for example 123456.",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def clean_code(self) -> str:
        """Six digits (spaces allowed; digits of any script are read as 0 to 9)."""
        code = normalise_code(str(self.cleaned_data["code"]))
        if len(code) != CODE_DIGITS or not (code.isascii() and code.isdecimal()):
            raise forms.ValidationError("The code must be 6 digits, for example 123456")
        return code


class GovukPasswordResetForm(GovukFormMixin, PasswordResetForm):
    """Django's reset form with GOV.UK rendering."""


PASSWORD_RULES = (
    "At least 12 characters. Not a commonly used password, not only numbers "
    "and not like your username or name."
)


class GovukSetPasswordForm(GovukFormMixin, SetPasswordForm):
    """Django's set-password form with GOV.UK rendering and plain-text password rules."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_RULES
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "Confirm new password"


class GovukPasswordChangeForm(GovukSetPasswordForm, PasswordChangeForm):
    """Django's change-password form with GOV.UK rendering."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"


class OrganisationForm(GovukFormMixin, forms.ModelForm):
    """Create or edit a partner organisation."""

    class Meta:
        model = Organisation
        fields = ["name", "kind"]
        labels = {"name": "Name", "kind": "Kind of organisation"}
        error_messages = {
            "name": {
                "required": "Enter the organisation's name",
                "unique": "An organisation with this name already exists",
            },
            "kind": {"required": "Select the kind of organisation"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Select a kind"), *OrganisationKind.choices]

    def clean_kind(self) -> str:
        """An organisation's users must still fit its kind after a change (issue 13)."""
        kind = str(self.cleaned_data["kind"])
        if self.instance.pk is not None:
            for role in self.instance.users.values_list("role", flat=True).distinct():
                problem = role_organisation_problem(role=Role(role), kind=kind)
                if problem:
                    raise forms.ValidationError(f"Its users' roles do not fit this kind. {problem}")
        return kind


class UserDetailsForm(GovukFormMixin, forms.ModelForm):
    """A user's name, email, role and organisation (administrators edit these)."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "role", "organisation"]
        labels = {
            "first_name": "First name",
            "last_name": "Last name",
            "email": "Email address",
            "role": "Role",
            "organisation": "Organisation",
        }
        error_messages = {
            "email": {"required": "Enter an email address"},
            "organisation": {"required": "Select the user's organisation"},
            "role": {"required": "Select a role"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["organisation"].required = True
        self.fields["organisation"].empty_label = "Select an organisation"  # type: ignore[attr-defined]
        self.fields["role"].choices = list(Role.choices)

    def clean(self) -> dict[str, Any]:
        """The role must fit the organisation's kind (reporting centres and businesses)."""
        cleaned = super().clean() or {}
        role, organisation = cleaned.get("role"), cleaned.get("organisation")
        if role and organisation is not None:
            problem = role_organisation_problem(role=Role(role), kind=organisation.kind)
            if problem:
                self.add_error("role", problem)
        return cleaned


# The organisation kind each community-reporting role needs (issue 13).
ROLE_ORGANISATION_KINDS = {
    Role.REPORTING_CENTRE_WORKER: OrganisationKind.REPORTING_CENTRE,
    Role.BUSINESS_MEMBER: OrganisationKind.BUSINESS,
}


def role_organisation_problem(*, role: Role, kind: str) -> str:
    """Why ``role`` cannot be held in an organisation of ``kind`` ("" when it can).

    A reporting-centre worker belongs to a reporting centre and a business member to a
    business; the partnership's own roles are never given in those two kinds of organisation.
    """
    needed = ROLE_ORGANISATION_KINDS.get(role)
    if needed is not None and kind != needed:
        return f"A {role.label.lower()} must belong to an organisation of kind {needed.label}"
    if needed is None and kind in set(ROLE_ORGANISATION_KINDS.values()):
        return (
            f"{OrganisationKind(kind).label} organisations hold only their own roles: choose "
            f"{' or '.join(r.label for r in ROLE_ORGANISATION_KINDS)}"
        )
    return ""


class UserCreateForm(UserDetailsForm):
    """A new user: details plus username and an initial password."""

    password1 = forms.CharField(
        label="Initial password",
        strip=False,
        help_text="At least 12 characters. Give it to the user securely; they can change it.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter an initial password"},
    )
    password2 = forms.CharField(
        label="Confirm initial password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm the initial password"},
    )

    class Meta(UserDetailsForm.Meta):
        fields = ["username", *UserDetailsForm.Meta.fields]
        labels = {**UserDetailsForm.Meta.labels, "username": "Username"}
        error_messages = {
            **UserDetailsForm.Meta.error_messages,
            "username": {
                "required": "Enter a username",
                "unique": "A user with this username already exists",
            },
        }

    def clean(self) -> dict[str, Any]:
        """The two passwords must match and pass the password validators."""
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match")
        elif first:
            candidate = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def save(self, commit: bool = True) -> User:
        """Create the user with the password hashed (Argon2 in every setting but tests)."""
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class AuditFilterForm(GovukFormMixin, forms.Form):
    """Filter the audit log by action, by username and by object (e.g. a reference)."""

    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "All actions"), *AuditAction.choices]
    )
    username = forms.CharField(label="Username", required=False, max_length=150)
    object = forms.CharField(
        label="Object",
        required=False,
        max_length=100,
        help_text="An object's id, for example an intelligence reference IN-7K3M-Q9TB",
    )
