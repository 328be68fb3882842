from django.core.management.base import BaseCommand, CommandError

from mostrador.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Manage API tokens: `mostrador token create --email E [--bot NAME]` prints the token last."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create")
        create.add_argument("--email", required=True)
        create.add_argument("--bot", default="", help="The token acts as this AI agent: its messages are author kind `ai`.")

    def handle(self, *args, verb, email, bot, **options):
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with email {email}.")
        token, raw = ApiToken.issue(user, bot_name=bot)
        kind = f"bot {bot!r}" if bot else "person"
        self.stdout.write(f"Token {token.prefix}… for {user.email} ({kind}). It is shown once:")
        self.stdout.write(raw)
