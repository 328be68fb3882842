import signal

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run only background jobs (AI turns, sends, timers), for scale-out beside `serve --no-jobs`."

    def handle(self, *args, **options):
        from mostrador.jobs.runner import make_worker, start_up

        start_up()
        worker = make_worker()
        worker.configure_signals()
        signal.signal(signal.SIGTERM, worker.shutdown)
        self.stdout.write("Mostrador worker running; Ctrl+C stops it.")
        worker.run()
