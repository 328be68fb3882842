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
        self._wait_for_migrations(stop)
        if stop.is_set():
            return
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

    def _wait_for_migrations(self, stop: threading.Event) -> None:
        """Workers only migrate through `serve`: started beside it on a new database, or after an
        upgrade, they wait for its migrations instead of running against tables that are not
        there yet (every lane failing and retrying meanwhile)."""
        from django.db import DatabaseError, connection
        from django.db.migrations.executor import MigrationExecutor

        said = False
        while not stop.is_set():
            try:
                executor = MigrationExecutor(connection)
                if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
                    return
            except DatabaseError:
                return  # the database is away: the lanes keep trying until it is back
            finally:
                connection.close()
            if not said:
                self.stdout.write("Waiting for the database to be migrated (`mostrador serve` or `mostrador migrate` does it).")
                said = True
            stop.wait(1)
