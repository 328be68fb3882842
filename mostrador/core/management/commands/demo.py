from django.core.management.base import BaseCommand

from mostrador.core.demo import ensure_demo_bot, ensure_whatsapp_sandbox, load_demo, logins


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="where `serve` will listen; the demo WhatsApp inbox talks to the sandbox there",
        )

    def handle(self, *args, base_url, **options):
        created = load_demo()
        ensure_demo_bot(ensure_whatsapp_sandbox(base_url))
        self.stdout.write("Demo data loaded." if created else "Demo data already present.")
        self.stdout.write("Demo logins (password for all: mostrador):")
        for email, _password, role in logins():
            self.stdout.write(f"  {role:<11} {email}")
        self.stdout.write(f"WhatsApp sandbox customer phone: {base_url.rstrip('/')}/sandbox/phone/")
