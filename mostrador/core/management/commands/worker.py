import signal
import threading

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run only background jobs (AI turns, sends, timers), for scale-out beside `serve --no-jobs`."

    def handle(self, *args, **options):
        from mostrador.jobs.runner import run_then_close, make_workers, start_up

        start_up()
        main, agents = make_workers()
        main.configure_signals()

        def stop(signum, frame):
            agents.running = False
            main.shutdown(signum, frame)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        side = threading.Thread(target=run_then_close, args=(agents,), daemon=True)
        side.start()
        self.stdout.write("Mostrador worker running (jobs and AI agents); Ctrl+C stops it.")
        try:
            main.run()
        finally:
            agents.running = False
            side.join(timeout=30)
