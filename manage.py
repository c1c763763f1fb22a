#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_contracts.settings")
    # A developer's manage.py without any configuration runs in development
    # mode. A deployment sets SECRET_KEY (and DEBUG=0); the web and worker
    # processes do not pass through here and still refuse to start without it.
    if "SECRET_KEY" not in os.environ:
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
