"""Password rules beyond Django's own, for every account (the admin's forms and
`ensure_superuser` alike, through AUTH_PASSWORD_VALIDATORS).

Django's validators let through passwords a guesser tries early: the username doubled
("adminadmin" for admin: similar, but under their similarity bar), a run of one character
("........", eight spaces) and the site's own name ("hkaiportal").
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Words a guesser tries first on this site: its name, in the forms people write it.
SITE_WORDS = ("hkai", "portal", "hkaiportal")
MIN_DISTINCT_CHARACTERS = 4


class GuessablePasswordValidator:
    """Refuses a password that contains the username, is made of the site's name, or has
    fewer than MIN_DISTINCT_CHARACTERS different characters or no letter or digit."""

    def validate(self, password, user=None):
        folded = password.casefold()
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) >= 3 and username in folded:
            raise ValidationError(
                _("The password contains the username."), code="password_has_username"
            )
        letters_and_digits = re.sub(r"[\W_]+", "", folded)
        if letters_and_digits and re.fullmatch(
            "(?:" + "|".join(SITE_WORDS) + r"|\d)+", letters_and_digits
        ):
            raise ValidationError(
                _("The password is made of the site's name."), code="password_is_site_name"
            )
        if len(set(password)) < MIN_DISTINCT_CHARACTERS or not letters_and_digits:
            raise ValidationError(
                _("The password repeats too few different characters."),
                code="password_too_repetitive",
            )

    def get_help_text(self):
        return _(
            "Your password can't contain your username or the site's name, and needs at "
            "least four different characters, including a letter or a digit."
        )
