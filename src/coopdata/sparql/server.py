"""The endpoint's server: a bounded number of requests at a time, each query run in a child
process with its own deadline, a client turned away politely when it is busy."""

from __future__ import annotations

import contextlib
import math
import os
import select
import selectors
import signal
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import HTTPServer
from pathlib import Path
from typing import Any, NoReturn

import pyoxigraph as ox

from coopdata.model.uris import DEFAULT_BASE
from coopdata.sparql import pages as serve_page
from coopdata.sparql.answers import RETRY_AFTER, Answer, Job, text
from coopdata.sparql.handler import Handler, SiteFiles
from coopdata.sparql.query import confine, prepare_checks


@dataclass(frozen=True)
class Limits:
    """What one request may cost."""

    timeout: float = 10.0  # seconds a query may run, serialisation included
    max_results: int = 10_000  # rows of a SELECT, triples of a CONSTRUCT or DESCRIBE
    max_request_bytes: int = 1_000_000  # larger bodies are refused (413) unread
    workers: int = 8  # queries running at once; more wait up to ``timeout`` for a slot
    handlers: int = 32  # connections answered at once, each by a thread of a fixed pool
    waiting: int = 256  # accepted connections waiting for a handler; more get 503
    backlog: int = 1024  # connections the kernel queues before they are accepted


def busy_response(message: str = "the server is busy: try again later") -> bytes:
    """A whole HTTP response 503 with Retry-After, for a connection turned away."""
    body = f"{message}\n".encode()
    return (f"HTTP/1.0 503 Service Unavailable\r\nServer: coopdata\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
            f"Retry-After: {RETRY_AFTER}\r\nAccess-Control-Allow-Origin: *\r\n"
            "Connection: close\r\n\r\n").encode() + body


class Server(HTTPServer):
    """The HTTP server: a fixed pool of threads for the connections, a child process a
    query; connections beyond the pool and its waiting line are answered 503."""

    def __init__(self, address: tuple[str, int], store: ox.Store, *,
                 release: Path | None = None, limits: Limits = Limits(),
                 base: str = DEFAULT_BASE, site: SiteFiles | None = None,
                 examples: tuple[serve_page.Example, ...] | None = None) -> None:
        self.store, self.limits, self.base = store, limits, base
        self.release = Path(release).resolve() if release is not None else None
        if site is None and self.release is not None and (self.release / "site").is_dir():
            site = SiteFiles(self.release / "site")
        self.site = site
        self.page = serve_page.Context(
            base, serve_page.load_examples() if examples is None else examples,
            site is not None)
        self.assets = serve_page.assets()  # read once: the handlers never open them
        self.request_queue_size = limits.backlog  # listen(); the kernel caps it (somaxconn)
        self._slots = threading.BoundedSemaphore(limits.workers)
        self._children: set[int] = set()
        self._line: deque[tuple[socket.socket, Any, float]] = deque()  # waiting connections
        self._ready = threading.Condition()
        self._turned_away: deque[socket.socket] = deque()  # for the lingering thread
        self._closing = False
        prepare_checks()  # before any child is forked: a child can import nothing
        super().__init__(address, Handler)
        self._threads = [threading.Thread(target=self._handle_line, daemon=True,
                                          name=f"coopdata-handler-{n}")
                         for n in range(limits.handlers)]
        self._threads.append(threading.Thread(target=self._linger, daemon=True,
                                              name="coopdata-turn-away"))
        for thread in self._threads:
            thread.start()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Puts the accepted connection in the waiting line, or turns it away when the
        line is full. Never blocks: the accepting thread only accepts."""
        with self._ready:
            if len(self._line) < self.limits.waiting:
                self._line.append((request, client_address, time.monotonic()))
                self._ready.notify()
                return
        self.turn_away(request)

    def turn_away(self, request: socket.socket) -> None:
        """Answers 503 with Retry-After, then lets the lingering thread read what the
        client still sends before closing (closing on unread data would reset the
        connection, and the client could lose the answer)."""
        try:
            request.setblocking(False)
            request.send(busy_response())  # a new connection's buffer takes it whole
            request.shutdown(socket.SHUT_WR)
        except OSError:
            request.close()
            return
        with self._ready:
            self._turned_away.append(request)

    def _handle_line(self) -> None:
        """A handler thread: answers the waiting connections, one after another."""
        while True:
            with self._ready:
                while not self._line and not self._closing:
                    self._ready.wait()
                if self._closing:
                    return
                request, address, _ = self._line.popleft()
            try:
                self.finish_request(request, address)
            except Exception:
                self.handle_error(request, address)
            finally:
                self.shutdown_request(request)

    def _linger(self) -> None:
        """Turns away the connections that waited longer than the time limit, and
        reads and discards what turned-away clients send until they close (at most
        ``LINGER`` seconds)."""
        selector = selectors.DefaultSelector()
        deadlines: dict[socket.socket, float] = {}
        while not self._closing:
            now = time.monotonic()
            with self._ready:
                stale = []
                while self._line and now - self._line[0][2] > self.limits.timeout:
                    stale.append(self._line.popleft()[0])
            for request in stale:
                self.turn_away(request)
            with self._ready:
                fresh, self._turned_away = list(self._turned_away), deque()
            for request in fresh:
                if len(deadlines) >= 4 * self.limits.waiting:  # too many: close at once
                    request.close()
                    continue
                deadlines[request] = now + LINGER
                selector.register(request, selectors.EVENT_READ)
            for key, _ in selector.select(0.05):
                request = key.fileobj  # type: ignore[assignment]
                try:
                    done = not request.recv(1 << 16)
                except BlockingIOError:
                    done = False
                except OSError:
                    done = True
                if done:
                    deadlines[request] = 0.0
            for request, deadline in list(deadlines.items()):
                if deadline <= now:
                    selector.unregister(request)
                    request.close()
                    del deadlines[request]
        for request in deadlines:
            request.close()
        selector.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line in the log, never a traceback: a client that went away before its
        answer was sent is no error of the server's."""
        error = sys.exc_info()[1]
        where = ":".join(str(part) for part in client_address) if isinstance(
            client_address, tuple) else str(client_address)
        if isinstance(error, ConnectionError | TimeoutError):
            what = f"client {where} went away before its answer was sent " \
                   f"({type(error).__name__})"
        else:
            what = f"error while answering {where}: {type(error).__name__}: {error}"
        sys.stderr.write(f"{what}\n")

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]!s}:{self.server_address[1]}"

    def run(self, job: Job) -> Answer:
        """The answer of ``job``, run on the store in a child process within the limits
        (the job is given the store and may not open any file or socket)."""
        if not self._slots.acquire(timeout=self.limits.timeout):
            return text(503, "the server is busy: try again later")
        try:
            data = self._fork(job)
        except OSError as exc:  # too many processes or open files
            return text(503, f"cannot start a query process: {exc}")
        finally:
            self._slots.release()
        if data is None:
            return text(503, f"query exceeded the time limit of {self.limits.timeout:g} s")
        head, _, body = data.partition(b"\n")
        status, length, content_type = (head.decode().split(" ", 2) + ["", ""])[:3]
        if not length.isdigit() or int(length) != len(body):
            return text(500, "the query failed: its worker process died")
        return int(status), content_type, body

    def _fork(self, job: Job) -> bytes | None:
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise
        if pid == 0:
            _child(job, self.store, write, self.limits.timeout)
        os.close(write)
        self._children.add(pid)
        try:
            return _read(read, self.limits.timeout)
        finally:
            os.close(read)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # done, or past the time limit
            self._children.discard(pid)
            os.waitpid(pid, 0)

    def server_close(self) -> None:
        super().server_close()
        with self._ready:
            self._closing = True
            self._ready.notify_all()
            waiting = [request for request, _, _ in self._line]
            self._line.clear()
        for request in waiting:
            request.close()
        for pid in list(self._children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _child(job: Job, store: ox.Store, write: int, timeout: float) -> NoReturn:
    """In the forked child: writes the answer of ``job`` into the pipe, then exits."""
    code = 1
    try:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(math.ceil(timeout) + 1)
        write = confine(write)  # closes the sockets and pipes of other requests too
        try:
            status, content_type, body = job(store)
        except Exception as exc:  # every failure becomes an answer
            status, content_type, body = text(500, f"the query failed: {exc}")
        with open(write, "wb") as out:
            out.write(f"{status} {len(body)} {content_type}\n".encode() + body)
        code = 0
    finally:
        os._exit(code)


def _read(fd: int, timeout: float) -> bytes | None:
    """All that is written to the pipe ``fd`` until it closes, or None after ``timeout``."""
    deadline = time.monotonic() + timeout
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(math.ceil(remaining * 1000)):
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


LINGER = 2.0  # seconds a turned-away connection is read and thrown away before closing
