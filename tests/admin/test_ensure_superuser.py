"""The ensure_superuser command: an admin account on a fresh database, nothing more."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

User = get_user_model()

pytestmark = pytest.mark.django_db


def login_request():
    """A sign-in request: django-axes checks every authentication against one."""
    return RequestFactory().post("/admin/login/")


@pytest.fixture(autouse=True)
def no_superuser_settings(monkeypatch):
    """Start every test without the developer's own DJANGO_SUPERUSER_* variables."""
    for name in ("USERNAME", "EMAIL", "PASSWORD"):
        monkeypatch.delenv(f"DJANGO_SUPERUSER_{name}", raising=False)


def run_command():
    """Run ensure_superuser and return what it printed."""
    out = StringIO()
    call_command("ensure_superuser", stdout=out)
    return out.getvalue()


def test_creates_the_account_described_by_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "editor")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "editor@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long passphrase for tests")

    output = run_command()

    assert "Created admin account 'editor'" in output
    assert "a long passphrase for tests" not in output
    user = User.objects.get()
    assert (user.username, user.email) == ("editor", "editor@example.org")
    assert user.is_superuser and user.is_staff and user.is_active
    assert (
        authenticate(login_request(), username="editor", password="a long passphrase for tests")
        == user
    )


def test_without_a_password_prints_a_generated_one_that_works():
    output = run_command()

    match = re.search(r"Created admin account 'admin' with password (\S+)", output)
    assert match, output
    user = User.objects.get()
    assert user.email == "admin@localhost"
    assert user.is_superuser
    assert authenticate(login_request(), username="admin", password=match.group(1)) == user


def test_a_second_run_changes_nothing(monkeypatch):
    run_command()
    before = User.objects.get()

    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "someone-else")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "another passphrase")
    output = run_command()

    assert "already exists" in output
    assert "Created" not in output
    after = User.objects.get()
    assert (after.pk, after.username, after.password) == (before.pk, "admin", before.password)


def test_refuses_to_promote_an_existing_ordinary_user_silently():
    User.objects.create_user("admin", password="ordinary user's password")

    with pytest.raises(CommandError, match="exists but is not a superuser"):
        run_command()

    assert not User.objects.filter(is_superuser=True).exists()


def test_refuses_a_weak_password_naming_each_problem(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "1")

    with pytest.raises(CommandError) as raised:
        run_command()

    message = str(raised.value)
    assert "DJANGO_SUPERUSER_PASSWORD is too weak; no account was created" in message
    assert "This password is too short. It must contain at least 8 characters." in message
    assert "This password is too common." in message
    assert "This password is entirely numeric." in message
    assert not User.objects.exists()


def test_refuses_a_password_like_the_username(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "wingkeung")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "wingkeung1")

    with pytest.raises(CommandError, match="The password is too similar to the username."):
        run_command()

    assert not User.objects.exists()
