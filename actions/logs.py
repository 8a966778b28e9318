"""One log format for our processes: one line per event, key=value, easy to grep and to ship to a log store.

Never log message text, phone numbers or email addresses at INFO: log lengths,
ids, channels and outcomes instead (see docs/data-protection.md).
"""

from __future__ import annotations

import logging
import os

FORMAT = 'ts=%(asctime)s level=%(levelname)s process=%(process_name)s logger=%(name)s msg="%(message)s"'


def configure_logging(process_name: str) -> None:
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    handler.addFilter(_ProcessName(process_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level if level in ("DEBUG", "INFO", "WARNING", "ERROR") else "INFO")
    for noisy in ("sanic.access", "aiohttp.access", "urllib3"):
        logging.getLogger(noisy).setLevel("WARNING")


class _ProcessName(logging.Filter):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.process_name = name

    def filter(self, record: logging.LogRecord) -> bool:
        record.process_name = self.process_name
        return True
