"""Signing in as yourself never resets the guessing of someone else's password, and guessing
spread over many addresses is stopped too, with a notice to the account's owner."""

import datetime

import time_machine
from axes.utils import reset
from django.contrib.auth import get_user_model
from django.test import TestCase

from portal.lockout import USERNAME_AND_ADDRESS_LIMIT, USERNAME_LIMIT
from tests.factories import NOW

User = get_user_model()
LOGIN = "/admin/login/"
PASSWORD = "the right passphrase"


class GuessingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        User.objects.create_superuser("admin", password=PASSWORD)
        User.objects.create_user("eve", password=PASSWORD, is_staff=True)

    def setUp(self):
        reset()
        traveller = time_machine.travel(NOW, tick=False)
        self.clock = traveller.start()
        self.addCleanup(traveller.stop)

    def sign_in(self, username, password, address="10.0.0.1"):
        return self.client.post(
            LOGIN,
            {"username": username, "password": password, "next": "/admin/"},
            REMOTE_ADDR=address,
        )

    def assert_locked_out(self, response):
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_signing_in_as_yourself_between_rounds_does_not_reset_the_guessing(self):
        # The finding: rounds of four wrong passwords for admin, eve signing in between.
        for _ in range(2):
            for _ in range(USERNAME_AND_ADDRESS_LIMIT - 1):
                self.sign_in("admin", "a guess")
            response = self.sign_in("eve", PASSWORD)
            self.assertEqual(response.status_code, 302)
            self.client.logout()
        # admin is now locked from eve's address, even with the right password ...
        self.assert_locked_out(self.sign_in("admin", PASSWORD))
        # ... while eve, whose own count her sign-in cleared, still signs in.
        self.assertEqual(self.sign_in("eve", PASSWORD).status_code, 302)

    def test_guessing_one_username_from_many_addresses_is_stopped(self):
        for number in range(USERNAME_LIMIT):
            address = f"198.51.100.{number + 1}"
            self.sign_in("admin", "a guess", address=address)
        # A new address: one guess would be far below its own limits, but the username's
        # failures across addresses lock it out everywhere ...
        self.assert_locked_out(self.sign_in("admin", PASSWORD, address="203.0.113.9"))
        # ... other accounts are untouched ...
        self.assertEqual(self.sign_in("eve", PASSWORD, address="203.0.113.9").status_code, 302)
        self.client.logout()
        # ... and the lock ends with the cool-off, when the owner is told.
        self.clock.shift(datetime.timedelta(minutes=16))
        response = self.sign_in("admin", PASSWORD, address="192.0.2.1")
        self.assertEqual(response.status_code, 302)
        index = self.client.get("/admin/")
        self.assertContains(index, f"Someone failed to sign in as you {USERNAME_LIMIT + 1} times")
        self.assertContains(index, f"from {USERNAME_LIMIT + 1} address(es)")
        # Told once: the next sign-in has nothing new to report.
        self.client.logout()
        self.sign_in("admin", PASSWORD, address="192.0.2.1")
        self.assertNotContains(self.client.get("/admin/"), "failed to sign in as you")

    def test_below_the_username_limit_spread_guesses_lock_nobody(self):
        for number in range(USERNAME_LIMIT - 2):
            self.sign_in("admin", "a guess", address=f"198.51.100.{number + 1}")
        self.assertEqual(self.sign_in("admin", PASSWORD, address="192.0.2.1").status_code, 302)
