"""bench/settings.py (production settings and the bare view) plus the query count header
(bench/querycount.py) that bench/rush.py reads; for the benchmark only, never deployed."""

from bench.settings import *  # noqa: F403
from bench.settings import MIDDLEWARE

MIDDLEWARE = ["bench.querycount.QueryCountMiddleware", *MIDDLEWARE]
