from django.core.management.base import BaseCommand, CommandError

from mostrador.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Manage API tokens: `mostrador token create --email E [--bot NAME]` prints the token last."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create")
        create.add_argument("--email", required=True)
        create.add_argument("--bot", default="", help="The token acts as this AI agent: its messages are author kind `ai`.")
        create.add_argument(
            "--inbox", type=int, default=None,
            help="An integration token for this api inbox: it only delivers that inbox's customer messages. "
            "The email is the admin who makes it.",
        )
        create.add_argument("--label", default="", help="What an integration token is for.")

    def handle(self, *args, verb, email, bot, inbox, label, **options):
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with email {email}.")
        if inbox is not None:
            self._integration(user, inbox, label)
            return
        token, raw = ApiToken.issue(user, bot_name=bot)
        kind = f"bot {bot!r}" if bot else "person"
        self.stdout.write(f"Token {token.prefix}… for {user.email} ({kind}). It is shown once:")
        self.stdout.write(raw)

    def _integration(self, user, inbox_id: int, label: str) -> None:
        from mostrador.inbox.actions.inboxes import issue_integration_token
        from mostrador.inbox.models import Inbox

        if not user.is_admin:
            raise CommandError("Integration tokens are made by admins.")
        inbox = Inbox.objects.filter(pk=inbox_id).first()
        if inbox is None or inbox.channel != "api":
            raise CommandError(f"No api inbox with id {inbox_id}.")
        token, raw = issue_integration_token(inbox, user, label)
        self.stdout.write(f"Integration token {token.prefix}… for inbox {inbox.name!r}. It is shown once:")
        self.stdout.write(raw)
