"""Argon2 password storage, password reset by email (followed from the mail), password change."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from web_accounts import PASSWORD, PortalPeople, make_user

from safecity_web.accounts.models import AuditAction, AuditEvent, Role, User
from safecity_web.accounts.outbox import wait_until_sent

NEW_PASSWORD = "quartz-meadow-beacon-93"


@pytest.mark.django_db
def test_new_passwords_are_stored_with_argon2id() -> None:
    from safecity_web.settings import base

    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        user = make_user(username="argon", role=Role.ANALYST, organisation=None)
        stored = User.objects.get(pk=user.pk).password
        assert stored.startswith("argon2$argon2id$")
        assert identify_hasher(stored).algorithm == "argon2"
        assert User.objects.get(pk=user.pk).check_password(PASSWORD)
        assert not User.objects.get(pk=user.pk).check_password(PASSWORD + "x")


def _reset_link(message: mail.EmailMessage) -> str:
    found = re.search(r"http://testserver(/accounts/password-reset/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


@pytest.mark.django_db
def test_password_reset_by_email_full_flow(client: Client, portal_people: PortalPeople) -> None:
    user = portal_people.user(Role.ANALYST)
    response = client.post(reverse("accounts:password-reset"), {"email": user.email})
    assert response["Location"] == reverse("accounts:password-reset-sent")
    assert wait_until_sent()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject == "Reset your Safe City partner portal password"
    link = _reset_link(message)

    response = client.get(link)  # Django swaps the token into the session and redirects
    assert response.status_code == 302
    form_url = response["Location"]
    page = client.get(form_url)
    assert "Choose a new password" in page.content.decode()

    response = client.post(form_url, {"new_password1": "short", "new_password2": "short"})
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert "This password is too short" in html

    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password-reset-complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET)
    assert (event.user, event.detail) == (user, "password reset by emailed link")

    # The link works once.
    response = client.get(link, follow=True)
    assert "The link has expired" in response.content.decode()
    # The new password signs in.
    response = client.post(
        reverse("accounts:sign-in"), {"username": user.username, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_unknown_email_gets_the_same_answer_and_no_mail(client: Client, portal_people) -> None:
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password-reset-sent")
    assert wait_until_sent()
    assert mail.outbox == []


@pytest.mark.django_db
def test_reset_form_shows_errors(client: Client) -> None:
    html = client.post(reverse("accounts:password-reset"), {"email": "not an email"}).content
    assert b'<a href="#id_email">Enter a valid email address.</a>' in html


@pytest.mark.django_db
def test_password_change_keeps_the_user_signed_in_and_audits(
    client: Client, portal_people: PortalPeople
) -> None:
    user = portal_people.user(Role.PARTNER_OFFICER)
    client.force_login(user)
    url = reverse("accounts:password-change")
    response = client.post(
        url,
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert b'<a href="#id_old_password">' in response.content
    response = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:account")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:account")).status_code == 200
    assert AuditEvent.objects.get(action=AuditAction.EDITED).detail == "changed own password"


@pytest.mark.django_db
def test_password_reset_ends_a_username_lockout(
    client: Client, portal_people: PortalPeople, manual_clock
) -> None:
    user = portal_people.user(Role.BOARD_MEMBER)
    sign_in = reverse("accounts:sign-in")
    for attempt in range(5):
        response = client.post(sign_in, {"username": user.username, "password": f"no {attempt}"})
    assert "Sign-in is paused" in response.content.decode()
    client.post(reverse("accounts:password-reset"), {"email": user.email})
    assert wait_until_sent()
    form_url = client.get(_reset_link(mail.outbox[0]))["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = client.post(sign_in, {"username": user.username, "password": NEW_PASSWORD})
    assert response.status_code == 302
