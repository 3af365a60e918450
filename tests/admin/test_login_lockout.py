"""Repeated wrong passwords at /admin/login/ lock out for a while: one username from one
address after 5, and one address whatever the usernames after 20 (credential stuffing)."""

import datetime

import time_machine
from axes.utils import reset
from django.contrib.auth import get_user_model
from django.test import RequestFactory, TestCase, override_settings

from portal.lockout import ADDRESS_LIMIT, client_address
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

    def sign_in(self, username, password, **request):
        return self.client.post(
            LOGIN, {"username": username, "password": password, "next": "/admin/"}, **request
        )

    def fail(self, username, times, **request):
        for _ in range(times):
            self.sign_in(username, "a wrong guess", **request)

    def stuff(self, times, **request):
        """Try one password against `times` different usernames, each once."""
        for number in range(times):
            self.sign_in(f"someone{number}", "Summer2026!", **request)

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

    def test_one_address_trying_many_usernames_is_locked_out(self):
        self.stuff(ADDRESS_LIMIT - 1)

        self.assert_locked_out(self.sign_in("someone-else", "Summer2026!"))  # the 20th
        self.assert_locked_out(self.sign_in("eddie", PASSWORD))

    def test_failures_across_usernames_below_the_limit_leave_the_address_usable(self):
        self.stuff(ADDRESS_LIMIT - 1)

        self.assert_signed_in(self.sign_in("eddie", PASSWORD))

    def test_a_successful_sign_in_leaves_other_usernames_failures_counted(self):
        self.stuff(ADDRESS_LIMIT - 1)
        self.assert_signed_in(self.sign_in("eddie", PASSWORD))
        self.client.logout()

        self.stuff(1)

        self.assert_locked_out(self.sign_in("pat", PASSWORD))

    def test_a_locked_address_does_not_lock_other_addresses(self):
        self.stuff(ADDRESS_LIMIT)

        self.assert_signed_in(self.sign_in("eddie", PASSWORD, REMOTE_ADDR="10.0.0.2"))

    def test_the_address_lock_ends_after_the_cool_off(self):
        self.stuff(ADDRESS_LIMIT)
        self.clock.move_to(NOW + datetime.timedelta(minutes=16))

        self.assert_signed_in(self.sign_in("eddie", PASSWORD))

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_a_proxy_each_client_address_is_counted_on_its_own(self):
        proxy = "10.0.0.1"  # every request reaches the site from the proxy
        self.stuff(ADDRESS_LIMIT, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")

        locked = self.sign_in(
            "eddie", PASSWORD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7"
        )
        self.assert_locked_out(locked)
        # Another client, who also claims to be someone else in the header's left part.
        other = self.sign_in(
            "eddie", PASSWORD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.2"
        )
        self.assert_signed_in(other)


class ClientAddressTest(TestCase):
    def address(self, forwarded=None, proxies=0):
        meta = {"REMOTE_ADDR": "10.0.0.1"}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded
        with override_settings(TRUSTED_PROXY_COUNT=proxies):
            return client_address(RequestFactory().get("/", **meta))

    def test_without_proxies_the_header_is_ignored(self):
        self.assertEqual(self.address("203.0.113.7"), "10.0.0.1")

    def test_behind_proxies_the_address_the_outermost_proxy_saw(self):
        self.assertEqual(self.address("203.0.113.7", proxies=1), "203.0.113.7")
        self.assertEqual(self.address("1.2.3.4, 203.0.113.7", proxies=1), "203.0.113.7")
        self.assertEqual(self.address("1.2.3.4, 203.0.113.7, 10.0.0.5", proxies=2), "203.0.113.7")
        self.assertEqual(self.address("2001:db8::1", proxies=1), "2001:db8::1")

    def test_a_missing_short_or_garbled_header_falls_back_to_the_connection(self):
        for forwarded in [None, "", "not an address", "1.2.3.4, <script>"]:
            with self.subTest(forwarded=forwarded):
                self.assertEqual(self.address(forwarded, proxies=1), "10.0.0.1")
        self.assertEqual(self.address("203.0.113.7", proxies=2), "10.0.0.1")
