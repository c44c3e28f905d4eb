"""Sign-in, lockout after repeated failures (per username and per IP address), sign-out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from web_accounts import PASSWORD, PortalPeople, make_user

from safecity_web.accounts.models import AuditAction, AuditEvent, Lockout, Role

SIGN_IN = reverse("accounts:sign-in")
LOCKED_TEXT = "Sign-in is paused after too many failed attempts"
WRONG_TEXT = "The username or password is not correct"


def _sign_in(client: Client, username: str, password: str, **extra: str):
    return client.post(SIGN_IN, {"username": username, "password": password}, **extra)


def _main_without_token(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


@pytest.mark.django_db
def test_sign_in_page_is_a_govuk_form(client: Client) -> None:
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Sign in to the partner portal</h1>' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'autocomplete="current-password"' in html


@pytest.mark.django_db
def test_empty_form_shows_error_summary_and_inline_errors(client: Client) -> None:
    response = client.post(SIGN_IN, {"username": "", "password": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert 'id="id_username-error" class="govuk-error-message"' in html
    assert 'class="govuk-input govuk-input--error"' in html
    assert 'aria-describedby="id_username-error"' in html


@pytest.mark.django_db
def test_right_password_signs_in_rotates_session_and_audits(
    client: Client, portal_people: PortalPeople, manual_clock
) -> None:
    session = client.session
    session["before"] = "sign-in"
    session.save()
    key_before = session.session_key
    response = _sign_in(client, "analyst-own", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/partners/"
    key_after = client.cookies["sessionid"].value
    assert key_after != key_before
    assert not Session.objects.filter(session_key=key_before).exists()
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert event.user == portal_people.user(Role.ANALYST)
    assert event.organisation == portal_people.own_organisation
    assert event.ip_address == "127.0.0.1"
    assert event.detail == "password"


@pytest.mark.django_db
def test_next_is_followed_only_when_it_stays_on_the_site(
    client: Client, portal_people: PortalPeople
) -> None:
    response = client.post(
        SIGN_IN, {"username": "analyst-own", "password": PASSWORD, "next": "/accounts/"}
    )
    assert response["Location"] == "/accounts/"
    client.logout()
    response = client.post(
        SIGN_IN,
        {"username": "analyst-own", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/partners/"


@pytest.mark.django_db
def test_wrong_password_is_refused_and_audited(client: Client, portal_people) -> None:
    response = _sign_in(client, "analyst-own", "not the password")
    assert response.status_code == 200
    assert WRONG_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get()
    assert (event.action, event.username, event.user) == (
        AuditAction.SIGN_IN_FAILED,
        "analyst-own",
        None,
    )


@pytest.mark.django_db
def test_deactivated_user_gets_the_same_message_as_a_wrong_password(
    client: Client, portal_people: PortalPeople
) -> None:
    user = portal_people.user(Role.ANALYST)
    user.is_active = False
    user.save()
    response = _sign_in(client, "analyst-own", PASSWORD)
    assert WRONG_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_five_failures_lock_the_username_for_fifteen_minutes(
    client: Client, portal_people: PortalPeople, manual_clock
) -> None:
    for attempt in range(4):
        response = _sign_in(client, "analyst-own", f"wrong {attempt}")
        assert WRONG_TEXT in response.content.decode()
        manual_clock.advance(minutes=1)
    response = _sign_in(client, "analyst-own", "wrong 5")
    assert LOCKED_TEXT in response.content.decode()
    assert _actions()[-2:] == [AuditAction.SIGN_IN_FAILED, AuditAction.LOCKED_OUT]
    lockout = Lockout.objects.get()
    assert (lockout.scope, lockout.key) == ("username", "analyst-own")
    assert lockout.locked_until - lockout.locked_at == timedelta(minutes=15)

    # The right password is refused while locked, and not even checked.
    manual_clock.advance(minutes=14, seconds=59)
    response = _sign_in(client, "Analyst-Own", PASSWORD)
    assert LOCKED_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _actions()[-1] == AuditAction.LOCKED_OUT

    # Another user from the same address is not affected.
    assert _sign_in(Client(), "board_member-own", PASSWORD).status_code == 302

    manual_clock.advance(seconds=1)
    response = _sign_in(client, "analyst-own", PASSWORD)
    assert response.status_code == 302
    assert _actions()[-1] == AuditAction.SIGN_IN


@pytest.mark.django_db
def test_failures_spread_beyond_the_window_do_not_lock(
    client: Client, portal_people, manual_clock
) -> None:
    for attempt in range(8):
        _sign_in(client, "analyst-own", f"wrong {attempt}")
        manual_clock.advance(minutes=4)
    assert not Lockout.objects.exists()
    assert _sign_in(client, "analyst-own", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_sign_in_resets_the_username_count(
    client: Client, portal_people, manual_clock
) -> None:
    for attempt in range(4):
        _sign_in(client, "analyst-own", f"wrong {attempt}")
    assert _sign_in(client, "analyst-own", PASSWORD).status_code == 302
    client.logout()
    for attempt in range(4):
        response = _sign_in(client, "analyst-own", f"again {attempt}")
        assert WRONG_TEXT in response.content.decode()
    assert not Lockout.objects.exists()


@pytest.mark.django_db
def test_locking_does_not_reveal_whether_an_account_exists(
    client: Client, portal_people, manual_clock
) -> None:
    pages = {}
    for username in ("analyst-own", "nobody-here"):
        for attempt in range(5):
            response = _sign_in(client, username, f"wrong {attempt}")
        pages[username] = response.content.decode().replace(username, "USERNAME")
    assert LOCKED_TEXT in pages["analyst-own"]
    assert _main_without_token(pages["analyst-own"]) == _main_without_token(pages["nobody-here"])


@pytest.mark.django_db
def test_twenty_failures_from_one_address_lock_that_address(
    portal_people: PortalPeople, manual_clock
) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(20):
        response = _sign_in(attacker, f"guess-{number}", "password123")
    assert LOCKED_TEXT in response.content.decode()
    assert Lockout.objects.get(scope="ip_address").key == "203.0.113.7"
    # A real account from that address is refused; from elsewhere it is fine.
    assert LOCKED_TEXT in _sign_in(attacker, "analyst-own", PASSWORD).content.decode()
    assert _sign_in(Client(REMOTE_ADDR="198.51.100.2"), "analyst-own", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lockout_policy_comes_from_settings(
    client: Client, portal_people, manual_clock, settings
) -> None:
    settings.SAFECITY_LOCKOUT = {"failures_per_username": 2, "duration": timedelta(minutes=1)}
    _sign_in(client, "analyst-own", "wrong 1")
    response = _sign_in(client, "analyst-own", "wrong 2")
    assert "Wait 1 minute, then try again" in response.content.decode()
    manual_clock.advance(minutes=1)
    assert _sign_in(client, "analyst-own", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_repeated_lockouts_double_in_length(client: Client, portal_people, manual_clock) -> None:
    lengths = []
    for _ in range(3):
        for attempt in range(5):
            response = _sign_in(client, "analyst-own", f"wrong {attempt}")
        lockout = Lockout.objects.latest("id")
        lengths.append(lockout.locked_until - lockout.locked_at)
        minutes = int(lengths[-1].total_seconds() // 60)
        assert f"Wait {minutes} minutes" in response.content.decode()
        manual_clock.current = lockout.locked_until
    assert lengths == [timedelta(minutes=15), timedelta(minutes=30), timedelta(minutes=60)]
    # A day later the length starts again at 15 minutes.
    manual_clock.advance(hours=24)
    for attempt in range(5):
        _sign_in(client, "analyst-own", f"wrong {attempt}")
    lockout = Lockout.objects.latest("id")
    assert lockout.locked_until - lockout.locked_at == timedelta(minutes=15)


@pytest.mark.django_db
def test_locked_message_counts_down(client: Client, portal_people, manual_clock) -> None:
    for attempt in range(5):
        _sign_in(client, "analyst-own", f"wrong {attempt}")
    manual_clock.advance(minutes=14, seconds=1)
    assert "Wait 1 minute, then" in _sign_in(client, "analyst-own", PASSWORD).content.decode()


@pytest.mark.django_db
def test_unknown_lockout_setting_is_a_clear_error(settings) -> None:
    from safecity_web.accounts.lockout import current_policy

    settings.SAFECITY_LOCKOUT = {"failures": 3}
    with pytest.raises(ValueError, match=r"SAFECITY_LOCKOUT: unknown keys \['failures'\]"):
        current_policy()


@pytest.mark.django_db
def test_sign_out_is_post_only_and_audited(client: Client, portal_people: PortalPeople) -> None:
    client.force_login(portal_people.user(Role.PARTNER_OFFICER))
    sign_out = reverse("accounts:sign-out")
    assert client.get(sign_out).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(sign_out)
    assert response.status_code == 302
    assert response["Location"] == SIGN_IN
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=AuditAction.SIGN_OUT)
    assert event.user == portal_people.user(Role.PARTNER_OFFICER)


@pytest.mark.django_db
def test_user_created_after_sign_in_cannot_reuse_a_stale_username_case(client: Client) -> None:
    make_user(username="CaseUser", role=Role.ANALYST, organisation=None)
    assert _sign_in(client, "CaseUser", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.9", "10.0.0.5"),  # no proxy trusted: the header is ignored
        (1, "198.51.100.9", "198.51.100.9"),
        (1, "203.0.113.66, 198.51.100.9", "198.51.100.9"),  # leftmost is client-forgeable
        (2, "203.0.113.66, 198.51.100.9", "203.0.113.66"),
        (2, "198.51.100.9", "10.0.0.5"),  # fewer entries than proxies
        (1, "not-an-address", "10.0.0.5"),
    ],
)
def test_client_address_behind_trusted_proxies(settings, proxies, forwarded, expected) -> None:
    from django.test import RequestFactory

    from safecity_web.accounts.audit import client_address

    settings.SAFECITY_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


@pytest.mark.django_db
def test_lockout_per_address_uses_the_forwarded_client_behind_a_proxy(
    portal_people: PortalPeople, manual_clock, settings
) -> None:
    settings.SAFECITY_TRUSTED_PROXIES = 1
    proxy = Client(REMOTE_ADDR="10.0.0.5")
    for number in range(20):
        _sign_in(proxy, f"guess-{number}", "password123", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert Lockout.objects.get(scope="ip_address").key == "203.0.113.7"
    # Another client behind the same proxy is not locked out.
    response = _sign_in(proxy, "analyst-own", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert response.status_code == 302


@pytest.mark.django_db
def test_deactivating_a_user_ends_their_open_session(portal_people: PortalPeople) -> None:
    user = portal_people.user(Role.ANALYST)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("accounts:account")).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(reverse("accounts:account"))["Location"].startswith(SIGN_IN)
