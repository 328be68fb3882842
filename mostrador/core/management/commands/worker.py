import signal
import threading

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run only background jobs (AI turns, sends, timers), for scale-out beside `serve --no-jobs`."

    def handle(self, *args, **options):
        from mostrador.jobs.runner import make_workers, run_then_close, start_up

        start_up()
        main, *others = make_workers()
        main.configure_signals()

        def stop(signum, frame):
            for other in others:
                other.running = False
            main.shutdown(signum, frame)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        threads = [threading.Thread(target=run_then_close, args=(other,), daemon=True) for other in others]
        for thread in threads:
            thread.start()
        self.stdout.write("Mostrador worker running (jobs, AI agents, inbound log); Ctrl+C stops it.")
        try:
            main.run()
        finally:
            for other in others:
                other.running = False
            for thread in threads:
                thread.join(timeout=30)
