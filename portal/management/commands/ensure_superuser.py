"""Create an admin account on a database that has no superuser, so /admin/ is usable at once.

`make run` calls this on every start: once any superuser exists it changes nothing. The
account's details come from DJANGO_SUPERUSER_USERNAME (default "admin"),
DJANGO_SUPERUSER_EMAIL (default "admin@localhost") and DJANGO_SUPERUSER_PASSWORD; without a
password a random one is generated and printed, once. A password that is given must pass
the site's password validators (AUTH_PASSWORD_VALIDATORS), as one set in the admin must.
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create an admin account if no superuser exists yet; otherwise change nothing. "
        "Reads DJANGO_SUPERUSER_USERNAME, DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD; "
        "without a password, generates one and prints it."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or "admin"
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL") or "admin@localhost"
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")

        with transaction.atomic():
            if User.objects.filter(is_superuser=True).exists():
                self.stdout.write("A superuser already exists; no account created or changed.")
                return
            if User.objects.filter(username=username).exists():
                raise CommandError(
                    f"A user named '{username}' exists but is not a superuser. Set "
                    "DJANGO_SUPERUSER_USERNAME to another name, or make that user a superuser "
                    "with `manage.py shell`."
                )
            generated = not password
            if generated:
                password = secrets.token_urlsafe(12)
            else:
                check_password(password, User(username=username, email=email))
            User.objects.create_superuser(username, email, password)

        if generated:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created admin account '{username}' with password {password}\n"
                    "It is shown only this once; change it in /admin/ or set "
                    "DJANGO_SUPERUSER_PASSWORD before the first run."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created admin account '{username}' with the password "
                    "from DJANGO_SUPERUSER_PASSWORD."
                )
            )


def check_password(password, user):
    """Raise CommandError naming every rule `password` breaks for `user`."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        problems = "\n".join(f"  - {message}" for message in error.messages)
        raise CommandError(
            f"DJANGO_SUPERUSER_PASSWORD is too weak; no account was created:\n{problems}\n"
            "Choose a longer password, or unset DJANGO_SUPERUSER_PASSWORD to have one "
            "generated."
        ) from None
