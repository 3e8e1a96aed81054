"""Bench only (never deployed): every answer says how many SQL queries it ran and how much
CPU its worker spent on it, in the headers `X-Bench-Queries` and `X-Bench-CPU-ms`, so
bench/rush.py can show per step what the database and the server paid (and that the
waiting page's refresh runs no query). Outermost middleware, so the session's save counts
too. The CPU time is the process's (`time.process_time`): one request's with gunicorn's
sync workers and one thread each (bench/rush.py's default)."""

import time

from django.db import connection


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counted(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        started = time.process_time()
        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count[0])
        response["X-Bench-CPU-ms"] = f"{(time.process_time() - started) * 1000:.2f}"
        return response
