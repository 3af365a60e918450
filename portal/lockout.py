"""How django-axes tells who is signing in, and when it locks them out.

Three counts of failed sign-ins, each over the last AXES_COOLOFF_TIME:
- one username from one address: USERNAME_AND_ADDRESS_LIMIT failures lock that pair out, so
  guessing one editor's password is stopped without letting anyone lock that editor out
  from elsewhere;
- one address, whatever the usernames: ADDRESS_LIMIT failures lock the address out, which
  stops credential stuffing (a leaked password tried against many usernames);
- one username, whatever the addresses: USERNAME_LIMIT failures lock that username out
  everywhere, which stops guessing spread over many addresses. Its owner is told on their
  next sign-in (`LockoutHandler`), and a superuser can lift the lock (README, Editors).

A successful sign-in clears only that username's failures from that address
(`LockoutHandler.reset_user_attempts`): axes would clear every count the sign-in matches,
the address's included, so an editor could guess a colleague's password four times, sign
in as themselves, and start again.

axes keeps a count per entry of AXES_LOCKOUT_PARAMETERS ([username + address], [address],
[username]) but compares only the largest with a single limit, AXES_FAILURE_LIMIT;
`failure_limit` picks that limit per sign-in so that each count meets its own.
https://django-axes.readthedocs.io/en/latest/4_configuration.html
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Sum
from django.utils.translation import ngettext

USERNAME_AND_ADDRESS_LIMIT = 5
ADDRESS_LIMIT = 20
USERNAME_LIMIT = 30


def failure_limit(request, credentials):
    """AXES_FAILURE_LIMIT: the number of failures at which this sign-in is locked out.

    axes compares the largest of the three counts (the address's or the username's, each of
    which includes the pair's). So: USERNAME_AND_ADDRESS_LIMIT once the pair has failed that
    often, ADDRESS_LIMIT once the address has, else USERNAME_LIMIT, which the address's
    count (below ADDRESS_LIMIT) cannot reach and the username's reaches only at its limit.
    """
    recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
    username = get_client_username(request, credentials)

    def failures(**where):
        return recent.filter(**where).aggregate(total=Sum("failures_since_start"))["total"] or 0

    if failures(username=username, ip_address=request.axes_ip_address) >= (
        USERNAME_AND_ADDRESS_LIMIT
    ):
        return USERNAME_AND_ADDRESS_LIMIT
    if failures(ip_address=request.axes_ip_address) >= ADDRESS_LIMIT:
        return ADDRESS_LIMIT
    return USERNAME_LIMIT


class LockoutHandler(AxesDatabaseHandler):
    """axes's database handler (AXES_HANDLER), but a successful sign-in clears only its own
    username's failures from its own address, and tells the account's owner of the failed
    sign-ins to their account since their last sign-in."""

    def reset_user_attempts(self, request, credentials=None):
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count

    def user_logged_in(self, sender, request, user, **kwargs):
        notify_failed_sign_ins(request, user.get_username())
        super().user_logged_in(sender, request, user, **kwargs)


def notify_failed_sign_ins(request, username):
    """Add a warning message to `request` if someone failed to sign in as `username` since
    its last successful sign-in (axes's AccessLog and AccessFailureLog)."""
    previous = (
        AccessLog.objects.filter(username=username)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    failed = AccessFailureLog.objects.filter(username=username)
    if previous is not None:
        failed = failed.filter(attempt_time__gt=previous)
    summary = failed.aggregate(count=Count("id"), addresses=Count("ip_address", distinct=True))
    if not summary["count"]:
        return
    messages.warning(
        request,
        ngettext(
            "Someone failed to sign in as you %(count)d time since your last sign-in, "
            "from %(addresses)d address(es). If that was not you, change your password.",
            "Someone failed to sign in as you %(count)d times since your last sign-in, "
            "from %(addresses)d address(es). If that was not you, change your password.",
            summary["count"],
        )
        % summary,
    )


def client_address(request):
    """AXES_CLIENT_IP_CALLABLE: the address a request comes from.

    Behind settings.TRUSTED_PROXY_COUNT proxies every request reaches Django from the last
    proxy, and each proxy appends the address it was reached from to X-Forwarded-For. The
    client is therefore the entry that many places from the right; anything further left
    was written by the client itself and proves nothing. Without proxies, or when the
    header is shorter or not an address, REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if not proxies or len(forwarded) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote
