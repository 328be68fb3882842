from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mostrador.accounts.models import Role, User


class Command(BaseCommand):
    help = "Manage users: `mostrador user create --email E --name N --role admin|supervisor|agent --password P`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create")
        create.add_argument("--email", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--password", required=True)

    def handle(self, *args, verb, email, name, role, password, **options):
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"A user with email {email} already exists.")
        try:
            validate_password(password, User(email=email, name=name))
        except ValidationError as weak:
            # Scripts and tests make users with throwaway passwords, and this command is part of
            # the stable contract: a weak password is named, loudly, not refused. Every page
            # that sets a password refuses it.
            self.stderr.write("Warning: weak password: " + " ".join(weak.messages))
        user = User.objects.create_user(email, password, name=name, role=role)
        self.stdout.write(f"Created {user.role} {user.email} (id {user.pk})")
