import faulthandler
import signal
import threading

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run only background jobs (timers, AI agents, sends, the inbound log), for scale-out beside `serve --no-jobs`."

    def handle(self, *args, **options):
        from mostrador.core.collector import keep_out_of_collections
        from mostrador.jobs.lanes import run_lanes, standard_lanes
        from mostrador.jobs.runner import start_up

        stop = threading.Event()

        def ask_to_stop(signum, frame):
            stop.set()

        signal.signal(signal.SIGTERM, ask_to_stop)
        signal.signal(signal.SIGINT, ask_to_stop)
        # `kill -USR1 <pid>` prints every thread's stack: what a stuck lane is waiting on.
        faulthandler.register(signal.SIGUSR1, all_threads=True)
        # The first look at the database may fail too (it is restarting): the lanes retry it.
        try:
            start_up()
        except Exception as exc:  # noqa: BLE001
            self.stderr.write(f"Start-up chores failed ({exc}); the lanes will keep trying.")
        keep_out_of_collections()
        threads = run_lanes(standard_lanes(), stop)
        self.stdout.write("Mostrador worker running (timers, AI agents, jobs, inbound log); Ctrl+C stops it.")
        stop.wait()
        for thread in threads:
            thread.join(timeout=30)
