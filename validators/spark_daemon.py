"""PySpark's Python worker daemon (``spark.python.daemon.module``), quiet about a task whose
output the JVM stopped reading.

When Spark needs no more of a task's rows (a ``limit``, a job that is done or cancelled) it
closes the worker's socket; PySpark's daemon then prints the worker's ``BrokenPipeError``
traceback on the JVM's stderr, which is the check's stderr: a successful run printed one.
This daemon is PySpark's own, with that end of a connection taken as the end of the task.
Any other error is printed as before.
"""

from __future__ import annotations

from pyspark import daemon

_pysparks_worker = daemon.worker

#: What a worker reads or writes when the JVM has closed its end of the connection.
CONNECTION_CLOSED = (BrokenPipeError, ConnectionResetError)


def worker(sock, authenticated):
    try:
        return _pysparks_worker(sock, authenticated)
    except CONNECTION_CLOSED:
        return 1  # not reused: the daemon's loop waits for the socket to close, and the fork exits


daemon.worker = worker  # ``daemon.manager`` calls the module's ``worker`` for each forked task

if __name__ == "__main__":
    daemon.manager()
