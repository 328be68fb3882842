from django.core.management.base import BaseCommand

from mostrador.connectors.base import sandbox_pages
from mostrador.core.demo import ensure_sandboxes, load_demo, logins


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="where `serve` will listen; the demo's channel inboxes talk to their sandboxes there",
        )

    def handle(self, *args, base_url, **options):
        created = load_demo()
        sandboxes = ensure_sandboxes(base_url)
        self.stdout.write("Demo data loaded." if created else "Demo data already present.")
        self.stdout.write("Demo logins (password for all: mostrador):")
        for email, _password, role in logins():
            self.stdout.write(f"  {role:<11} {email}")
        for channel, path in sandbox_pages(sandboxes):
            self.stdout.write(f"{channel} sandbox (chat as a customer): {base_url.rstrip('/')}{path}")
