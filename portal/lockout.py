"""How django-axes tells who is signing in, and when it locks them out.

Two counts of failed sign-ins, each over the last AXES_COOLOFF_TIME:
- one username from one address: USERNAME_AND_ADDRESS_LIMIT failures lock that pair out, so
  guessing one editor's password is stopped without letting anyone lock that editor out
  from elsewhere;
- one address, whatever the usernames: ADDRESS_LIMIT failures lock the address out, which
  stops credential stuffing (a leaked password tried against many usernames).

axes keeps a count per entry of AXES_LOCKOUT_PARAMETERS ([username + address], [address])
but compares only the largest with a single limit, AXES_FAILURE_LIMIT; `failure_limit` picks
that limit per sign-in so that each count meets its own.
https://django-axes.readthedocs.io/en/latest/4_configuration.html
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

USERNAME_AND_ADDRESS_LIMIT = 5
ADDRESS_LIMIT = 20


def failure_limit(request, credentials):
    """AXES_FAILURE_LIMIT: the number of failures at which this sign-in is locked out.

    The address's count includes the pair's, so it is the one axes compares. It locks at
    ADDRESS_LIMIT, or at USERNAME_AND_ADDRESS_LIMIT once this username has failed that
    often from this address.
    """
    pair_failures = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=request.axes_ip_address,
        attempt_time__gte=get_cool_off_threshold(request),
    ).aggregate(total=Sum("failures_since_start"))["total"]
    if (pair_failures or 0) >= USERNAME_AND_ADDRESS_LIMIT:
        return USERNAME_AND_ADDRESS_LIMIT
    return ADDRESS_LIMIT


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
