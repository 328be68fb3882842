from django.core.management.base import BaseCommand
from tqdm import tqdm

from mostrador.cases import rollups
from mostrador.cases.models import Case


class Command(BaseCommand):
    help = "Reports: `rebuild` recomputes every rollup from the closed cases; the reports read the same numbers after."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args, action, **options):
        total = Case.objects.filter(closed_at__isnull=False).count()
        with tqdm(total=total, unit="case", file=self.stderr) as bar:
            counted = rollups.rebuild(progress=bar.update)
        self.stdout.write(f"{counted} closed cases counted into the daily rollups.")
