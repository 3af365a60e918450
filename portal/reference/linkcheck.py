"""Whether the sources' addresses still answer: fetched politely, the outcome stored per source.

Politely means: at most `concurrency` sites at a time and one request at a time per site,
`delay` seconds apart; each site's robots.txt read first and obeyed for our user agent
(https://www.rfc-editor.org/rfc/rfc9309); every request bounded by `timeout`; redirects
followed (urllib's limit, 10) and where they led recorded. A page is fetched with GET, as
readers do (some servers answer HEAD wrongly), and only its status line and headers are
read. The standard library does the fetching: the portal has no HTTP client otherwise.

`check_addresses()` returns an Outcome per address; `manage.py check_sources` stores them.
"""

import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from portal.models import Source

USER_AGENT = "HKAIPortalSourceCheck/1.0"
Result = Source.CheckResult


@dataclass(frozen=True)
class Outcome:
    """What one address answered: the `result` (a Source.CheckResult), the final HTTP
    `status` (None without an answer), the `final_url` when redirects led elsewhere (else
    ""), and for a failure a short `reason` for the command's report."""

    url: str
    result: str
    status: int | None = None
    final_url: str = ""
    reason: str = ""


def check_addresses(urls, *, timeout=10.0, concurrency=4, delay=1.0, user_agent=USER_AGENT):
    """Return {url: Outcome} for every address in `urls`, checked as the module says."""
    by_site = defaultdict(list)
    for url in dict.fromkeys(urls):
        parts = urlsplit(url)
        by_site[(parts.scheme, parts.netloc.lower())].append(url)
    opener = urllib.request.build_opener()
    opener.addheaders = [("User-Agent", user_agent)]
    outcomes = {}
    lock = threading.Lock()

    def check_site(site, site_urls):
        robots = _robots(opener, site, timeout)
        for number, url in enumerate(site_urls):
            if number:
                time.sleep(delay)
            if robots is not None and not robots.can_fetch(user_agent, url):
                outcome = Outcome(url, Result.DISALLOWED, reason="robots.txt")
            else:
                outcome = _fetch(opener, url, timeout)
            with lock:
                outcomes[url] = outcome

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for future in [pool.submit(check_site, *item) for item in by_site.items()]:
            future.result()
    return outcomes


def _robots(opener, site, timeout):
    """The site's robots.txt rules, or None when it has none that can be read: a missing
    file, a server error or no answer (the page's own check then records what it finds).
    401 and 403 disallow everything, as urllib.robotparser reads them."""
    scheme, netloc = site
    parser = urllib.robotparser.RobotFileParser(f"{scheme}://{netloc}/robots.txt")
    try:
        with opener.open(parser.url, timeout=timeout) as response:
            parser.parse(response.read(512 * 1024).decode("utf-8", "replace").splitlines())
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            parser.disallow_all = True
            return parser
        return None
    except (OSError, ValueError):
        return None
    return parser


def _fetch(opener, url, timeout):
    """GET `url`, reading only the status and headers; return its Outcome."""
    try:
        with opener.open(url, timeout=timeout) as response:
            status, final = response.status, response.url
    except urllib.error.HTTPError as error:
        status, final = error.code, error.url
        error.close()
    except TimeoutError:
        return Outcome(url, Result.UNREACHABLE, reason="timed out")
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            return Outcome(url, Result.UNREACHABLE, reason="timed out")
        return Outcome(url, Result.UNREACHABLE, reason=str(reason)[:200])
    except (OSError, ValueError) as error:  # a reset connection, an unusable address
        return Outcome(url, Result.UNREACHABLE, reason=str(error)[:200] or type(error).__name__)
    moved_to = final if final and final != url else ""
    if status in (404, 410):
        return Outcome(url, Result.GONE, status, moved_to)
    if status >= 400:
        return Outcome(url, Result.FAILED, status, moved_to)
    return Outcome(url, Result.MOVED if moved_to else Result.OK, status, moved_to)
