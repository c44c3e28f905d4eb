"""Sending email off the request: a request that sends mail takes as long as one that does not.

A password-reset request for a known address would otherwise wait for the mail server and so
reveal that the account exists (OWASP Authentication Cheat Sheet, "Authentication Responses").
Messages go onto a queue that one background thread per process sends in order; a failure to
send is logged (as Django's own ``PasswordResetForm.send_mail`` does), never shown to the
requester. At interpreter exit the queue is given a few seconds to drain.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time

from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)

DRAIN_AT_EXIT_SECONDS = 10.0

_queue: queue.Queue[EmailMessage] = queue.Queue()
_worker_lock = threading.Lock()
_workers: list[threading.Thread] = []


def _send_forever() -> None:
    while True:
        message = _queue.get()
        try:
            message.send()
        except Exception:
            logger.exception("Failed to send an email (subject %r)", message.subject)
        finally:
            _queue.task_done()


def send_in_background(message: EmailMessage) -> None:
    """Queue ``message``; the background sender sends it shortly after."""
    with _worker_lock:
        if not any(worker.is_alive() for worker in _workers):
            worker = threading.Thread(target=_send_forever, name="safecity-outbox", daemon=True)
            worker.start()
            _workers[:] = [worker]
    _queue.put(message)


def wait_until_sent(*, timeout_seconds: float = 10.0) -> bool:
    """Wait until every queued message has been handed to the email backend (or timed out)."""
    deadline = time.monotonic() + timeout_seconds
    while _queue.unfinished_tasks:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


atexit.register(wait_until_sent, timeout_seconds=DRAIN_AT_EXIT_SECONDS)
