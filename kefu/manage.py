"""The `kefu` console script: Django's management command runner with Kefu's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "kefu"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
