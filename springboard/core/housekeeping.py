"""Housekeeping jobs that cron (or `make demo`'s loop) runs through `manage.py housekeeping`.

Domain apps register a job here from their AppConfig.ready(); the command runs them in order.
Correctness never depends on a job having run: every rule also checks the clock on read.
An explicit registry rather than signals, so `manage.py housekeeping --list` shows them all.
"""

from collections.abc import Callable
from datetime import datetime

Job = Callable[[datetime], str]
_jobs: dict[str, Job] = {}


def register(name: str) -> Callable[[Job], Job]:
    def decorator(job: Job) -> Job:
        _jobs[name] = job
        return job

    return decorator


def jobs() -> dict[str, Job]:
    return dict(_jobs)
