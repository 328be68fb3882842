"""The `mostrador` console script: every Django management command, plus serve, worker, demo,
user and token."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mostrador", *sys.argv[1:]])


if __name__ == "__main__":
    main()
