"""The garbage collector in a long-running process (`serve`, `worker`)."""

import gc


def keep_out_of_collections() -> None:
    """Everything loaded so far (Django, the apps, their templates and URL patterns) lives as long
    as the process: moved out of the collector's view, a full collection no longer walks it. A
    full collection holds the interpreter, so while it ran no socket was written and no webhook
    answered: about 100 ms each time for the nearly 200,000 objects a loaded server holds
    (bench/gc_pause.py), and up to 250 ms with a thousand sockets open."""
    gc.collect()
    gc.freeze()
