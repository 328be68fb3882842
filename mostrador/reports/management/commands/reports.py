from django.core.management.base import BaseCommand
from tqdm import tqdm

from mostrador.cases import rollups
from mostrador.cases.models import Case
from mostrador.teamwork.availability import rebuild_days


class Command(BaseCommand):
    help = (
        "Reports: `rebuild` recomputes every rollup from what it counts (the closed cases, the availability log); "
        "the reports read the same numbers after."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args, action, **options):
        total = Case.objects.filter(closed_at__isnull=False).count()
        with tqdm(total=total, unit="case", file=self.stderr) as bar:
            counted = rollups.rebuild(progress=bar.update)
        self.stdout.write(f"{counted} closed cases counted into the daily rollups.")
        self.stdout.write(f"{rebuild_days()} days of online and away time counted from the availability log.")
