from django.core.management.base import BaseCommand

from mostrador.core.demo import load_demo, logins


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        created = load_demo()
        self.stdout.write("Demo data loaded." if created else "Demo data already present.")
        self.stdout.write("Demo logins (password for all: mostrador):")
        for email, password, role in logins():
            self.stdout.write(f"  {role:<11} {email}")
