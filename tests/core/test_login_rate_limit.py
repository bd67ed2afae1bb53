"""Password guessing is cut short: five failures, then 429 for fifteen minutes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_the_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(editor):
    client = Client()
    for _ in range(5):
        assert sign_in(client, "editor", "wrong").status_code == 200  # the form, with an error
    refused = sign_in(client, "editor", "correct horse battery staple")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert "Too many failed sign-in attempts" in refused.content.decode()


def test_guessing_one_account_from_many_addresses_is_refused_too(editor):
    for n in range(5):
        sign_in(Client(), "editor", "wrong", address=f"198.51.100.{n}")
    assert sign_in(Client(), "editor", "wrong", address="198.51.100.99").status_code == 429


def test_a_successful_sign_in_clears_the_accounts_count(editor):
    client = Client()
    for _ in range(4):
        sign_in(client, "editor", "wrong", address="192.0.2.1")
    assert (
        sign_in(client, "editor", "correct horse battery staple", address="192.0.2.2").status_code
        == 302
    )
    assert sign_in(Client(), "editor", "wrong", address="192.0.2.3").status_code == 200
