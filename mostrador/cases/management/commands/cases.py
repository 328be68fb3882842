from django.core.management.base import BaseCommand
from tqdm import tqdm

from mostrador.cases.backfill import rebuild
from mostrador.cases.models import Case
from mostrador.inbox.models import Conversation


class Command(BaseCommand):
    help = "Cases: `backfill` builds cases and their metrics from existing messages and events."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["backfill"])
        parser.add_argument("--all", action="store_true", help="rebuild conversations that already have cases too")

    def handle(self, *args, action, all, **options):
        conversations = Conversation.objects.order_by("pk")
        if not all:
            conversations = conversations.exclude(pk__in=Case.objects.values("conversation_id"))
        made = 0
        for conv in tqdm(conversations.iterator(), total=conversations.count(), unit="conversation", file=self.stderr):
            made += rebuild(conv)
        self.stdout.write(f"{made} cases built.")
