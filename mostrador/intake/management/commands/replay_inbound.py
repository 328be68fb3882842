from django.core.management.base import BaseCommand

from mostrador.intake.jobs import process_inbound
from mostrador.intake.models import InboundLog, LogState


class Command(BaseCommand):
    help = (
        "Process stored channel notifications again (all that did not finish, or the ones named). "
        "Safe to repeat: messages are keyed by their provider id."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="notification ids (default: every unfinished one)")
        parser.add_argument("--all", action="store_true", help="every stored notification, processed or not")

    def handle(self, *args, ids, all, **options):
        logs = InboundLog.objects.order_by("received_at", "id")
        if ids:
            logs = logs.filter(pk__in=ids)
        elif not all:
            logs = logs.exclude(state=LogState.PROCESSED)
        counts: dict[str, int] = {}
        for log_id in logs.values_list("pk", flat=True).iterator():
            state = process_inbound.call(log_id)
            counts[state] = counts.get(state, 0) + 1
        summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "nothing to replay"
        self.stdout.write(summary)
