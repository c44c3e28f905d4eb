"""Every form on the site, for every role, takes random and hostile values without a 500.

Discovery: every URL pattern of the site is requested (with identifiers of real objects) by an
anonymous visitor and by a user of every role; every ``<form>`` on every page that answers 200
is collected with its fields (inputs, selects with their options, textareas, buttons). A
guard fails if a URL pattern takes an argument this module cannot fill, so a new page cannot
silently escape the fuzzing.

Property (Hypothesis): whatever is submitted to a form's fields (Unicode digits, NUL, over-long
strings, right-to-left overrides, emoji, SQL and HTML fragments, or plain random text), the
answer is never a server error, and nothing it stored breaks a later GET of the form's page,
of the page it redirected to, or of the pages that list stored values. Each example runs in a
savepoint that is rolled back. The default run tries a few examples per form; the ``stress``
variant many more (issue 15).
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_accounts import (
    PASSWORD,
    PortalPeople,
    create_portal_people,
    make_user,
    one_action_strategy,
)
from web_observatory import demo_artefact, published_demo, published_demo_id  # noqa: F401

from safecity_web.accounts.models import Role
from safecity_web.commentary.models import Commentary, Target
from safecity_web.observatory import queries

DEFAULT_EXAMPLES = 3
STRESS_EXAMPLES = 60
ROLES: tuple[Role | None, ...] = (None, *Role)
"""Anonymous first, then every role."""

HOSTILE_TEXT = [
    "１２３４５６",  # full-width digits
    "١٢٣٤٥٦",  # Arabic-Indic digits
    "¹²³",
    "\x00",
    "a\x00b",
    "x" * 301,
    "y" * 100_001,
    "\u202eevil.exe\u202c",  # right-to-left override
    "שלום עולם",
    "🙂" * 200,
    "👩‍👩‍👧‍👦",
    "' OR '1'='1' --",
    "1; DROP TABLE accounts_user; --",
    '"><script>alert(1)</script>',
    "</textarea><img src=x onerror=alert(1)>",
    "{{ request }}{% debug %}",
    "%s%s%n",
    "../../../../etc/passwd",
    "",
    " ",
    "\r\n\t",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2024-02-30",
    "\ufeff",
    "\u0301",
    "javascript:alert(1)",
    "http://evil.example/",
    "//evil.example",
]
text_values = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=8),
    st.builds(
        lambda unit, count: unit * count, st.sampled_from(HOSTILE_TEXT[:12]), st.integers(1, 60)
    ),
)


# --- The objects URLs point at -------------------------------------------------------------


@dataclass
class World:
    """Organisations, users, a strategy, a statement and the published demo assessment."""

    people: PortalPeople
    ids: dict[str, str]
    display_pages: list[str] = field(default_factory=list)
    journeys: dict[str, Callable[[Client], None]] = field(default_factory=dict)
    """Pages reached only through earlier steps: URL -> the steps, run on a fresh client."""


def _make_world(published: Any) -> World:
    from safecity_web.strategy.models import (
        ActionResponsibility,
        StatementVersion,
    )

    people = create_portal_people()
    created = one_action_strategy(
        organisation=people.own_organisation, source_file_name="fuzz.yaml", source_sha256="f" * 64
    )
    priority, focus_area, outcome, action = (
        created.priority,
        created.focus_area,
        created.outcome,
        created.action,
    )
    ActionResponsibility.objects.create(
        action=action, organisation=None, body_name="Youth Offending Service", position=2
    )
    statement = StatementVersion.objects.create(
        title="Annual statement 2025/26",
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        body="What changed and what was done.",
        created_by=people.user(Role.ANALYST),
    )
    # A user the discovery never signs in: signing in would invalidate the reset token.
    resetting = people.user(Role.PARTNER_OFFICER, same_organisation=False)
    indicator_id = queries.values(published).values_list("indicator_id", flat=True).first()
    # A drafted recommendation's group and a piece of commentary (docs/commentary.md).
    top = queries.table_rows(published, "priority_top")
    group_id = str(top.rows[0]["group_id"]) if top is not None and top.rows else "all_crime"
    commentary = Commentary.objects.create(
        assessment=published,
        target=Target.SECTION,
        key="summary",
        text="Crime fell.",
        written_on=datetime.date(2025, 6, 30),
    )
    # A residents' survey measure of the published demo (its survey family's public table).
    estimates = queries.table_rows(published, "survey_estimates")
    measure = (
        str(estimates.rows[0]["measure"])
        if estimates is not None and estimates.rows
        else "feels_safe_after_dark"
    )
    community = _community_reporting_ids(people)
    ids = {
        **community,
        **_intelligence_ids(people),
        "organisation_id": str(people.other_organisation.pk),
        "user_id": str(people.user(Role.PARTNER_OFFICER, same_organisation=False).pk),
        "priority_id": str(priority.pk),
        "focus_area_id": str(focus_area.pk),
        "outcome_id": str(outcome.pk),
        "action_id": str(action.pk),
        "version_id": str(statement.pk),
        "assessment_id": str(published.pk),
        "indicator_id": indicator_id,
        "gss_code": published.area_code,
        "group_id": group_id,
        "commentary_id": str(commentary.pk),
        "measure": measure,
        "reports_table": "summary",  # a community-reports table's download (issue 13)
        "uidb64": urlsafe_base64_encode(force_bytes(resetting.pk)),
        "token": default_token_generator.make_token(resetting),
        # A report journey's question page (issue 13): its first question.
        "slug": "kind",
        # The intelligence form's subject pages (issue 14): a kind to add, a subject to change.
        "kind": "person",
        "position": "0",
    }
    display = [
        reverse("accounts:user-list"),
        reverse("accounts:organisation-list"),
        reverse("accounts:audit-log"),
        reverse("strategy:overview"),
        reverse("strategy:bodies"),
        reverse("strategy:action", kwargs={"action_id": action.pk}),
        reverse("strategy:outcome", kwargs={"outcome_id": outcome.pk}),
        reverse("strategy:statement"),
        reverse("strategy-public:statement"),
    ]
    return World(people=people, ids=ids, display_pages=display, journeys=_journeys(people))


def _community_reporting_ids(people: PortalPeople) -> dict[str, str]:
    """A business scheme with an alert, a triage duty and a centre's report with an image."""
    from PIL import Image

    from safecity_web.accounts.models import Organisation, OrganisationKind
    from safecity_web.reporting.models import Channel, TriageDuty
    from safecity_web.reporting.schemes import create_alert, create_scheme
    from safecity_web.reporting.submission import CleanImage, ReportDraft, submit_report

    administrator = people.user(Role.ADMINISTRATOR)
    scheme = create_scheme(name="Fuzz Business Crime Partnership", by=administrator)
    alert = create_alert(scheme=scheme, title="Fuzz alert", body="Body", by=administrator)
    duty = TriageDuty.objects.create(
        user=people.user(Role.PARTNER_OFFICER), duty="business_crime_manager"
    )
    centre = Organisation.objects.create(
        name="Fuzz Reporting Centre", kind=OrganisationKind.REPORTING_CENTRE
    )
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    picture = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(picture, format="PNG")
    report = submit_report(
        draft=ReportDraft(
            kind="concern",
            category="asb",
            occurred_from=yesterday,
            occurred_to=yesterday,
            online=True,
            attachments=(CleanImage(content_type="image/png", data=picture.getvalue()),),
        ),
        channel=Channel.REPORTING_CENTRE,
        organisation=centre,
    ).report
    return {
        "attachment_id": str(report.attachments.get().pk),
        "scheme_id": str(scheme.pk),
        "alert_id": str(alert.pk),
        "duty_id": str(duty.pk),
        "reference": report.reference,
    }


def _intelligence_ids(people: PortalPeople) -> dict[str, str]:
    """A partner's intelligence submission (issue 14) that the own analyst receives, a
    sanitised copy of it and a receiver designation. ``intelligence:reference`` fills the
    ``reference`` argument of the ``intelligence:`` URLs (``reference`` alone is a community
    report's)."""
    from web_intelligence import designate, make_submission

    from safecity_web.intelligence.sanitising import SanitisedChoice, make_sanitised_copy

    designation = designate(people.user(Role.ANALYST), "police_intelligence")
    submission = make_submission(submitted_by=people.user(Role.PARTNER_OFFICER), point=None)
    copy = make_sanitised_copy(submission=submission, choice=SanitisedChoice(), by=None)
    return {
        "intelligence:reference": submission.reference,
        "copy_id": str(copy.pk),
        "export_format": "csv",
        "designation_id": str(designation.pk),
        **_alert_ids(people),
    }


def _alert_ids(people: PortalPeople) -> dict[str, str]:
    """The own analyst's alert, subscription and a valid one-click unsubscribe token (issue 14);
    ``alerts:alert_id`` and ``alerts:token`` are namespaced (``alert_id`` is a business alert's,
    ``token`` a password reset's)."""
    from django.utils import timezone

    from safecity_web.alerts.models import Alert, AlertKind, Subscription
    from safecity_web.alerts.services import unsubscribe_token

    analyst = people.user(Role.ANALYST)
    subscription = Subscription.objects.create(user=analyst, group_id="all_crime")
    alert = Alert.objects.create(
        user=analyst,
        kind=AlertKind.SIGNIFICANT_CHANGE,
        key="fuzz",
        title="All crime changed significantly",
        link_path="/",
        created_at=timezone.now(),
    )
    return {
        "alerts:alert_id": str(alert.pk),
        "subscription_id": str(subscription.pk),
        "alerts:token": unsubscribe_token(user=analyst, subscription_ids=[subscription.pk]),
    }


def _journeys(people: PortalPeople) -> dict[str, Callable[[Client], None]]:
    """The authenticator-code step of sign-in, and turning an authenticator off."""
    from safecity_web.accounts import clock
    from safecity_web.accounts.two_factor import start_setup

    user = make_user(
        username="two-factor-user", role=Role.PARTNER_OFFICER, organisation=people.own_organisation
    )
    device = start_setup(user=user, now=clock.now())
    device.confirmed_at = clock.now()
    device.save()

    def password_step(client: Client) -> None:
        client.post(reverse("accounts:sign-in"), {"username": user.username, "password": PASSWORD})

    def signed_in_with_device(client: Client) -> None:
        client.force_login(user)

    return {
        reverse("accounts:sign-in-code"): password_step,
        reverse("accounts:two-factor"): signed_in_with_device,
    }


def url_patterns() -> list[tuple[str, str, list[str]]]:
    """(route, ``namespace:name``, argument names) of every URL pattern of the site."""
    found: list[tuple[str, str, list[str]]] = []

    def walk(patterns: list[Any], prefix: str, namespaces: list[str]) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = [*namespaces, pattern.namespace] if pattern.namespace else namespaces
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                arguments = re.findall(r"<(?:\w+:)?(\w+)>", route)
                found.append((route, ":".join([*namespaces, pattern.name]), arguments))

    walk(get_resolver().url_patterns, "", [])
    return found


# --- Finding forms in pages ----------------------------------------------------------------


@dataclass
class FormField:
    """One named control of a form: its kind and, for selects and buttons, its values."""

    name: str
    kind: str
    values: list[str] = field(default_factory=list)


@dataclass
class FoundForm:
    """A form as a browser would submit it."""

    entry: str
    page: str
    action: str
    method: str
    role: Role | None
    fields: dict[str, FormField] = field(default_factory=dict)
    journey: Callable[[Client], None] | None = None

    @property
    def signature(self) -> tuple[str, str, tuple[str, ...]]:
        """The form's identity: the action's route shape, the method and the field names."""
        shape = re.sub(r"/[0-9]+/", "/<id>/", urlsplit(self.action).path)
        return (shape, self.method, tuple(sorted(self.fields)))


class _FormParser(HTMLParser):
    def __init__(self, *, entry: str, page: str, role: Role | None) -> None:
        super().__init__()
        self.entry, self.page, self.role = entry, page, role
        self.forms: list[FoundForm] = []
        self._select: FormField | None = None

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        attrs = {key: value or "" for key, value in attributes}
        if tag == "form":
            method = attrs.get("method", "get").lower()
            action = urljoin(self.page, attrs.get("action") or self.page)
            self.forms.append(FoundForm(self.entry, self.page, action, method, self.role))
            return
        if not self.forms or "name" not in attrs:
            if tag == "option" and self._select is not None:
                self._select.values.append(attrs.get("value", ""))
            return
        fields = self.forms[-1].fields
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            entry = fields.setdefault(name, FormField(name, kind))
            if kind in ("radio", "checkbox", "hidden", "submit"):
                entry.values.append(attrs.get("value", "on"))
        elif tag in ("textarea",):
            fields.setdefault(name, FormField(name, "textarea"))
        elif tag == "select":
            self._select = fields.setdefault(name, FormField(name, "select"))
        elif tag == "button":
            entry = fields.setdefault(name, FormField(name, "submit"))
            entry.values.append(attrs.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _client(world: World, role: Role | None) -> Client:
    client = Client()
    if role is not None:
        client.force_login(world.people.user(role))
    return client


def discover_forms(*, world: World, every_role: bool) -> tuple[list[FoundForm], set[str]]:
    """Every distinct form on every page, and the URL patterns whose arguments are unknown.

    With ``every_role``, a form is kept once for every role (and anonymous) that sees it;
    otherwise once, for the first that sees its page (anonymous first, then by role).
    """
    forms: dict[tuple[Any, ...], FoundForm] = {}
    unfilled: set[str] = set()
    for route, name, arguments in url_patterns():
        if name.startswith("open311:"):
            continue  # a machine API, no forms (its own schemathesis proof: tests/web/open311)
        namespace = name.partition(":")[0]
        values = {
            argument: world.ids.get(f"{namespace}:{argument}", world.ids.get(argument))
            for argument in arguments
        }
        if any(value is None for value in values.values()):
            unfilled.add(f"{name} ({route})")
            continue
        if name.endswith(("-pdf", ".pdf")) or name.startswith("api:"):
            continue  # files and JSON, no forms (the API has its own schemathesis proof)
        url = reverse(name, kwargs=values)
        for role in ROLES:
            client = _client(world, role)
            response = client.get(url, follow=True)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            page = response.request["PATH_INFO"]
            if page != urlsplit(url).path and page == reverse("accounts:sign-in"):
                continue  # sent to sign in: this role does not see the page
            parser = _FormParser(entry=url, page=page, role=role)
            parser.feed(response.content.decode())
            for form in parser.forms:
                form.fields.pop("csrfmiddlewaretoken", None)
                key = (*form.signature, role) if every_role else form.signature
                forms.setdefault(key, form)
            if not every_role:
                break
    for url, steps in world.journeys.items():
        client = Client()
        steps(client)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        parser = _FormParser(entry=url, page=url, role=None)
        parser.feed(response.content.decode())
        for form in parser.forms:
            form.fields.pop("csrfmiddlewaretoken", None)
            form.journey = steps
            forms.setdefault((*form.signature, "journey"), form)
    return list(forms.values()), unfilled


# --- Submitting hostile values -------------------------------------------------------------


def _value_strategy(form_field: FormField) -> st.SearchStrategy[Any]:
    if form_field.kind == "file":
        contents = st.one_of(
            st.binary(max_size=200),
            st.sampled_from(HOSTILE_TEXT).map(lambda text: text.encode("utf-8", "replace")),
        )
        names = st.sampled_from(["strategy.yaml", "x.yml", "\u202egpj.yaml", "a" * 300 + ".yaml"])
        return st.builds(_upload, contents, names)
    if form_field.values:
        return st.one_of(st.sampled_from(form_field.values), text_values)
    return text_values


def _upload(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def _submission(form: FoundForm) -> st.SearchStrategy[dict[str, Any]]:
    # Every field is sent, as a browser does; the simplest example (Hypothesis tries it first)
    # is the first hostile value, full-width digits, in every text field.
    return st.fixed_dictionaries(
        {name: _value_strategy(entry) for name, entry in form.fields.items()}
    )


def _same_site(location: str) -> str | None:
    parts = urlsplit(location)
    if parts.netloc not in ("", "testserver"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


class _RollbackError(Exception):
    pass


def _fuzz(world: World, form: FoundForm, *, examples: int) -> None:
    administrator = world.people.user(Role.ADMINISTRATOR)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(values=_submission(form))
    def submit(values: dict[str, Any]) -> None:
        try:
            with transaction.atomic():
                client = _client(world, form.role)
                if form.journey is not None:
                    form.journey(client)
                # The way in may put state in the session (a reset link's token).
                client.get(form.entry, follow=True)
                if form.method == "post":
                    response = client.post(form.action, values)
                else:
                    response = client.get(form.action, values)
                assert response.status_code < 500, (form.action, values, response.status_code)
                later = [form.page]
                if response.status_code in (301, 302, 303) and response.get("Location"):
                    target = _same_site(urljoin(form.action, response["Location"]))
                    if target is not None:
                        later.append(target)
                for url in later:
                    status = client.get(url).status_code
                    assert status < 500, (form.action, values, url, status)
                reader = Client()
                reader.force_login(administrator)
                for url in world.display_pages:
                    status = reader.get(url).status_code
                    assert status < 500, (form.action, values, url, status)
                raise _RollbackError
        except _RollbackError:
            pass

    submit()


@pytest.fixture
def world(request: pytest.FixtureRequest) -> World:
    return _make_world(request.getfixturevalue("published_demo"))


EXPECTED_FORMS = {
    "/accounts/sign-in/",
    "/accounts/password-reset/",
    "/accounts/admin/users/new/",
    "/accounts/admin/organisations/new/",
    "/partners/strategy/import/",
    "/partners/statement/",
    "/set-password/",
    "/accounts/sign-in/code/",
    "/accounts/two-factor/turn-off/",
}


def _check_discovery(forms: list[FoundForm], unfilled: set[str]) -> None:
    assert unfilled == set(), f"URL patterns whose arguments the fuzz test cannot fill: {unfilled}"
    actions = {urlsplit(form.action).path for form in forms if form.method == "post"}
    missing = {
        expected
        for expected in EXPECTED_FORMS
        if not any(action.endswith(expected) for action in actions)
    }
    assert missing == set(), f"forms not found: {missing} (found {sorted(actions)})"
    roles = {form.role for form in forms}
    assert None in roles
    assert Role.ADMINISTRATOR in roles


@pytest.mark.django_db
def test_every_form_takes_hostile_values_without_a_server_error(world: World) -> None:
    forms, unfilled = discover_forms(world=world, every_role=False)
    _check_discovery(forms, unfilled)
    for form in forms:
        _fuzz(world, form, examples=DEFAULT_EXAMPLES)


@pytest.mark.stress
@pytest.mark.django_db
def test_every_form_takes_hostile_values_without_a_server_error_many_examples(
    world: World,
) -> None:
    forms, unfilled = discover_forms(world=world, every_role=True)
    _check_discovery(forms, unfilled)
    for form in forms:
        _fuzz(world, form, examples=STRESS_EXAMPLES)
