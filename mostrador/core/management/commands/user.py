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
        user = User.objects.create_user(email, password, name=name, role=role)
        self.stdout.write(f"Created {user.role} {user.email} (id {user.pk})")
