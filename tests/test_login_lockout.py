"""Repeated wrong passwords at /admin/login/ lock that username from that address for a while."""

import datetime

import time_machine
from axes.utils import reset
from django.contrib.auth import get_user_model
from django.test import TestCase

from tests.factories import NOW

User = get_user_model()
LOGIN = "/admin/login/"
PASSWORD = "the right passphrase"


class LoginLockoutTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        User.objects.create_user("eddie", password=PASSWORD, is_staff=True)
        User.objects.create_user("pat", password=PASSWORD, is_staff=True)

    def setUp(self):
        # Failed attempts live in axes's tables, which TestCase rolls back after each test;
        # resetting too keeps tests independent of the handler axes is configured with.
        reset()
        traveller = time_machine.travel(NOW, tick=False)
        self.clock = traveller.start()
        self.addCleanup(traveller.stop)

    def sign_in(self, username, password):
        return self.client.post(
            LOGIN, {"username": username, "password": password, "next": "/admin/"}
        )

    def fail(self, username, times):
        for _ in range(times):
            self.sign_in(username, "a wrong guess")

    def assert_signed_in(self, response):
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertIn("_auth_user_id", self.client.session)

    def assert_locked_out(self, response):
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many failed sign-in attempts", status_code=429)
        self.assertContains(response, "Try again in 15 minutes.", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_wrong_password_below_the_limit_gets_the_usual_error(self):
        self.fail("eddie", 3)

        response = self.sign_in("eddie", "a wrong guess")  # the fourth

        self.assertContains(response, "Please enter the correct username and password")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_fifth_wrong_password_locks_the_username_out(self):
        self.fail("eddie", 4)

        self.assert_locked_out(self.sign_in("eddie", "a wrong guess"))

    def test_after_five_failures_even_the_right_password_is_refused(self):
        self.fail("eddie", 5)

        self.assert_locked_out(self.sign_in("eddie", PASSWORD))
        self.assertEqual(self.client.get("/admin/").status_code, 302)  # to the login page

    def test_four_failures_leave_the_account_usable(self):
        self.fail("eddie", 4)

        self.assert_signed_in(self.sign_in("eddie", PASSWORD))

    def test_a_successful_sign_in_resets_the_count(self):
        self.fail("eddie", 4)
        self.assert_signed_in(self.sign_in("eddie", PASSWORD))
        self.client.logout()

        self.fail("eddie", 4)

        self.assert_signed_in(self.sign_in("eddie", PASSWORD))

    def test_another_username_from_the_same_address_is_not_locked(self):
        self.fail("eddie", 5)

        self.assert_signed_in(self.sign_in("pat", PASSWORD))

    def test_the_right_password_works_again_after_the_cool_off(self):
        self.fail("eddie", 5)
        self.assert_locked_out(self.sign_in("eddie", PASSWORD))

        self.clock.move_to(NOW + datetime.timedelta(minutes=16))

        self.assert_signed_in(self.sign_in("eddie", PASSWORD))

    def test_the_lock_still_holds_before_the_cool_off_ends(self):
        self.fail("eddie", 5)

        self.clock.move_to(NOW + datetime.timedelta(minutes=14))

        self.assert_locked_out(self.sign_in("eddie", PASSWORD))
