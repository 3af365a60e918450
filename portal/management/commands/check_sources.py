"""Check that every source's address still answers, and store what it answered.

    python manage.py check_sources                      # every source
    python manage.py check_sources --older-than 30      # those not checked in 30 days
    python manage.py check_sources https://example.org/page --dry-run

Fetches politely (see `portal.reference.linkcheck`: robots.txt, one request at a time per
site, a timeout, redirects followed). Each source gets the date, the result and the final
HTTP status, and where a redirect led; the admin filters sources by result, and the public
list of sources marks a page that is gone and links its archived copy.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.models import Source
from portal.reference.linkcheck import USER_AGENT, check_addresses

STORED = ["checked_at", "check_result", "check_status", "check_final_url"]


class Command(BaseCommand):
    help = (
        "Fetch each source's address politely (robots.txt, a timeout, one request at a time "
        "per site) and store the result, its date and where redirects led."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "urls", nargs="*", metavar="URL", help="Check only these sources' addresses."
        )
        parser.add_argument(
            "--older-than",
            type=int,
            metavar="DAYS",
            help="Check only sources not checked in the last DAYS days (or never).",
        )
        parser.add_argument(
            "--timeout", type=float, default=10.0, help="Seconds to wait for each answer (10)."
        )
        parser.add_argument(
            "--concurrency", type=int, default=4, help="Sites fetched at the same time (4)."
        )
        parser.add_argument(
            "--delay",
            type=float,
            default=1.0,
            help="Seconds between two requests to the same site (1).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but store nothing."
        )

    def handle(self, *args, urls, older_than, timeout, concurrency, delay, dry_run, **options):
        if timeout <= 0 or concurrency < 1 or delay < 0:
            raise CommandError(
                "--timeout must be above 0, --concurrency at least 1 and --delay not negative."
            )
        sources = Source.objects.order_by("url")
        if urls:
            sources = sources.filter(url__in=urls)
            missing = sorted(set(urls) - set(sources.values_list("url", flat=True)))
            if missing:
                raise CommandError(f"No source has the address {', '.join(missing)}.")
        if older_than is not None:
            cutoff = timezone.now() - datetime.timedelta(days=older_than)
            sources = sources.filter(Q(checked_at__isnull=True) | Q(checked_at__lt=cutoff))
        sources = list(sources)
        self.stdout.write(f"Checking {len(sources)} source address(es) as {USER_AGENT} ...")
        outcomes = check_addresses(
            [source.url for source in sources],
            timeout=timeout,
            concurrency=concurrency,
            delay=delay,
        )
        now = timezone.now()
        tally = {}
        for source in sources:
            outcome = outcomes[source.url]
            source.checked_at = now
            source.check_result = outcome.result
            source.check_status = outcome.status
            source.check_final_url = outcome.final_url[:500]
            tally[outcome.result] = tally.get(outcome.result, 0) + 1
            if outcome.result != Source.CheckResult.OK:
                self.stdout.write(f"  {self._describe(outcome)}")
        if not dry_run:
            with transaction.atomic():
                Source.objects.bulk_update(sources, STORED, batch_size=500)
        summary = ", ".join(
            f"{Source.CheckResult(result).label}: {count}"
            for result, count in sorted(tally.items())
        )
        done = "Checked (dry run, nothing stored)" if dry_run else "Checked"
        self.stdout.write(self.style.SUCCESS(f"{done} {len(sources)}. {summary}".rstrip(". ")))

    def _describe(self, outcome):
        """One line for an address that did not simply answer."""
        parts = [str(Source.CheckResult(outcome.result).label), outcome.url]
        if outcome.status:
            parts.append(f"HTTP {outcome.status}")
        if outcome.final_url:
            parts.append(f"-> {outcome.final_url}")
        if outcome.reason:
            parts.append(f"({outcome.reason})")
        return " ".join(parts)
