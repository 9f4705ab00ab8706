"""Pre-forked query workers for :mod:`graph.sparql`: isolation without a fork per query.

Why: forking a child for every query (to get a deadline that can stop a runaway join, a memory
limit and no network) added ~0.2 s per query at 10k nodes and ~0.5–0.6 s at 100k (medians; up
to 3 s), while the gate and the result conversion cost ~10 ms. A :class:`WorkerPool` forks its
workers **once**, after the store exists, so each worker shares the store's memory with its
parent copy-on-write, and a query costs one message round trip over a ``multiprocessing`` pipe
(8–12 ms beyond pyoxigraph's own time at 100k; BENCHMARKS.md, "SPARQL worker pool").

What each worker keeps from the fork-per-query design (the same guarantees, per query):

* **Isolation**: right after the fork the worker drops into empty user+network namespaces when
  the kernel allows it (no network at all), sends its stderr to ``/dev/null`` (oxigraph's abort
  message), and sets ``RLIMIT_AS`` to what it maps + ``INTERSECTIONS_SPARQL_MEMORY_MB`` (512).
* **Deadline**: the caller waits for the answer at most ``timeout`` seconds; a worker that
  overruns is killed (SIGKILL) and replaced, and the caller gets ``{"error": "timeout"}``. The
  handler (the safety gate *and* the query) runs inside the worker, so a slow parse is stopped too.
* **Memory**: a worker that hits its limit (oxigraph aborts, the kernel kills, or Python raises
  ``MemoryError``, also while sending its answer) is replaced and the caller gets
  ``{"error": "memory"}``. A worker whose mapped memory has grown by more than
  :data:`RETIRE_GROWTH` of its budget retires after answering, so every query starts with
  (nearly) its whole budget.
* **Machine-wide concurrency**: each query holds one of ``INTERSECTIONS_SPARQL_CHILDREN`` file-lock
  slots (:class:`Slot`, shared by every process of the user, e.g. all gunicorn workers) while it
  runs; when all are taken the caller gets :class:`QueryBusy`. A pool therefore never needs more
  workers than slots; idle workers run nothing and hold no slot.

Shared memory: before each fork the parent collects its young garbage and calls
``gc.freeze()``, so its later cyclic collections never write into the objects it shares with
the workers (at 100k nodes one full collection in the parent otherwise turned ~1.6 GB of shared
pages into a private copy in every worker). What still unshares pages is the parent changing
reference counts of objects it uses (a walk over the whole 100k graph: ~120 MB per worker).

Lifecycle: a pool forks its first worker on the first query, i.e. in the process that asks (a
gunicorn worker, the CLI), never in a gunicorn master that only imported the app. A pool that
finds itself in a forked copy of its owner process forgets the inherited workers (they belong to
the parent). Workers exit when their pool is closed (engine garbage-collected, or at interpreter
exit: ``atexit``), when the pipe to the parent reaches EOF, or within :data:`PARENT_CHECK_S`
seconds of the parent dying (re-parenting is checked while idle), so they never outlive it.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import gc
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from loaders.errors import IntersectionsError

#: How often an idle worker checks that its parent is still alive (seconds).
PARENT_CHECK_S = 2.0
#: A worker whose mapped memory grew by more than this share of its budget retires after
#: answering (a grown heap would leave the next query less than its budget).
RETIRE_GROWTH = 0.25
#: Exit status of a worker that ran out of memory outside a query (e.g. sending the answer).
_MEMORY_EXIT = 3
#: One fork at a time in this process (keeps lock state consistent in the child).
FORK_LOCK = threading.Lock()


class QueryBusy(IntersectionsError):
    """Every SPARQL slot is taken: try again in a moment (nothing ran)."""


# ------------------------------------------------------------------------------- settings
def fork_available() -> bool:
    return "fork" in mp.get_all_start_methods() and sys.platform != "darwin"


def max_children() -> int:
    """Query processes allowed at once on this machine (``INTERSECTIONS_SPARQL_CHILDREN``)."""
    try:
        return max(1, int(os.environ.get("INTERSECTIONS_SPARQL_CHILDREN", "")))
    except ValueError:
        return max(2, os.cpu_count() or 2)


def child_memory_bytes() -> int:
    """Memory each query process may add (``INTERSECTIONS_SPARQL_MEMORY_MB``, default 512)."""
    try:
        mb = int(os.environ.get("INTERSECTIONS_SPARQL_MEMORY_MB", "512"))
    except ValueError:
        mb = 512
    return max(64, mb) * 1024 * 1024


def _slot_dir() -> str:
    base = os.environ.get("INTERSECTIONS_SPARQL_SLOTS") or os.path.join(
        os.environ.get("XDG_RUNTIME_DIR") or "/tmp", f"intersections-sparql-{os.getuid()}")
    os.makedirs(base, mode=0o700, exist_ok=True)
    return base


#: Descriptors of the slots this process holds now: a forked child closes its copies, else a
#: worker forked while a slot is held would keep the lock for as long as it lives.
_HELD: set[int] = set()


class Slot:
    """One of :func:`max_children` machine-wide slots, held with ``flock`` while a query runs.

    A file lock (not a per-process semaphore) so the cap holds across gunicorn workers; the
    kernel releases it if the holder dies.
    """

    def __init__(self, wait: float) -> None:
        self.wait = wait
        self.fd: int | None = None

    def __enter__(self) -> Slot:
        import fcntl

        base, n = _slot_dir(), max_children()
        end = time.monotonic() + self.wait
        while True:
            for i in range(n):
                fd = os.open(os.path.join(base, f"slot-{i}.lock"),
                             os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                    continue
                self.fd = fd
                _HELD.add(fd)
                return self
            if time.monotonic() >= end:
                raise QueryBusy(
                    f"busy: all {n} query slots are in use by other queries; try again in a "
                    "few seconds")
            time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            _HELD.discard(self.fd)
            os.close(self.fd)  # closing releases the flock
            self.fd = None


# ------------------------------------------------------------------------------- the worker
def no_network() -> bool:
    """Drop the current (single-threaded, forked) process into empty user+net namespaces."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(0x10000000 | 0x40000000) == 0  # CLONE_NEWUSER | CLONE_NEWNET
    except Exception:  # noqa: BLE001 - best effort; the parse-level gate is the guarantee
        return False


def _mapped_bytes() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def limit_memory(budget_bytes: int) -> None:
    """RLIMIT_AS = what the (forked) process already maps + ``budget_bytes``."""
    import resource

    mapped = _mapped_bytes()
    if mapped is not None:
        cap = mapped + budget_bytes
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard != resource.RLIM_INFINITY:  # never ask for more than an outer limit allows
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


Handler = Callable[[Any], dict[str, Any]]


def _worker_main(conn: Any, handler: Handler, memory: int) -> None:
    """The worker's whole life: isolate, limit, then answer requests until told to stop."""
    import faulthandler

    try:
        gc.freeze()  # the parent's objects are never traversed here: fewer pages copied
        isolated = no_network()
        with open(os.devnull, "wb") as devnull:  # oxigraph's abort message on an
            os.dup2(devnull.fileno(), 2)         # allocation failure must not flood logs
        faulthandler.disable()  # (it keeps its own copy of stderr: no traceback dump either)
        limit_memory(memory)
        start = _mapped_bytes() or 0
        parent = os.getppid()
        while True:
            if not conn.poll(PARENT_CHECK_S):
                if os.getppid() != parent:
                    return  # the parent died; we were re-parented
                continue
            try:
                request = conn.recv()
            except (EOFError, OSError):
                return
            if request is None:
                return
            retire = False
            try:
                payload = handler(request)
            except MemoryError:
                payload, retire = {"error": "memory"}, True
            except Exception as exc:  # noqa: BLE001 - report, never hang the parent
                payload = {"error": "runtime", "message": f"{type(exc).__name__}: {exc}"}
            now = _mapped_bytes()
            if now is not None and now - start > memory * RETIRE_GROWTH:
                retire = True  # a grown heap would leave the next query less than its budget
            payload.update(isolated=isolated, worker=os.getpid(), retire=retire)
            try:
                conn.send(payload)
            except MemoryError:  # the answer fit, its pickled copy did not: nothing was sent
                payload = {}
                conn.send({"error": "memory", "isolated": isolated, "worker": os.getpid(),
                           "retire": True})
                return
            if retire:
                return
    except (EOFError, OSError, BrokenPipeError):
        return
    except MemoryError:  # anywhere else in the loop: say so by the exit status
        os._exit(_MEMORY_EXIT)
    finally:
        os._exit(0)


@dataclass
class _Worker:
    proc: Any  # multiprocessing.Process (fork context)
    conn: Any  # the parent's end of the duplex pipe


# ------------------------------------------------------------------------------- the pool
_POOLS: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


class WorkerPool:
    """Pre-forked workers answering ``handler(request)`` under a deadline and memory limit.

    ``run(request, timeout)`` is thread-safe: concurrent callers each get their own worker
    (forked on demand, at most one per machine-wide slot in use).
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._all: list[_Worker] = []
        self._pid = os.getpid()
        self._closed = False
        _POOLS.add(self)

    # ---------------------------------------------------------------------- public
    def run(self, request: Any, timeout: float) -> dict[str, Any]:
        """Answer one request in a worker; errors come back as ``{"error": ...}`` payloads.

        Holds one machine-wide slot while it runs (:class:`QueryBusy` when none is free
        within ``min(2, timeout)`` s). ``"timeout"``: the worker overran and was killed;
        ``"memory"``: it hit its memory limit and died. Either way a fresh worker replaces it.
        """
        with Slot(wait=min(2.0, timeout)):
            worker = self._checkout()
            healthy = False
            try:
                try:
                    worker.conn.send(request)
                except OSError:  # it died while idle (killed from outside): use a fresh one
                    self._discard(worker)
                    worker = self._spawn()
                    worker.conn.send(request)
                if not worker.conn.poll(timeout):
                    return {"error": "timeout"}
                try:
                    payload: dict[str, Any] = worker.conn.recv()
                except (EOFError, OSError):
                    return {"error": self._cause_of_death(worker)}
                healthy = not payload.pop("retire", False)
                return payload
            finally:
                if healthy:
                    self._checkin(worker)
                else:
                    self._discard(worker)
                    if not self._closed:
                        with contextlib.suppress(OSError):  # else the next query forks one
                            self._checkin(self._spawn())  # replaced now, not on next query

    def close(self) -> None:
        """Stop every worker (idle ones are killed; nothing they hold needs saving)."""
        with self._lock:
            self._closed = True
            workers, self._all, self._idle = self._all, [], []
        if self._pid != os.getpid():
            return  # inherited from a parent process: not ours to stop
        for w in workers:
            _stop(w)

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and diagnostics)."""
        with self._lock:
            return [w.proc.pid for w in self._all]

    # ---------------------------------------------------------------------- internals
    def _checkout(self) -> _Worker:
        with self._lock:
            if self._pid != os.getpid():  # a forked copy of the owner: the workers are not ours
                self._forget()
            while self._idle:
                w = self._idle.pop()
                if w.proc.is_alive():
                    return w
                self._all.remove(w)
                _stop(w)
        return self._spawn()

    def _checkin(self, w: _Worker) -> None:
        with self._lock:
            if self._closed:
                stop = True
            else:
                stop = False
                self._idle.append(w)
        if stop:
            _stop(w)

    def _discard(self, w: _Worker) -> None:
        with self._lock:
            if w in self._all:
                self._all.remove(w)
            if w in self._idle:
                self._idle.remove(w)
        _stop(w)

    def _spawn(self) -> _Worker:
        ctx = mp.get_context("fork")
        mine, theirs = ctx.Pipe(duplex=True)
        with FORK_LOCK:
            # The parent's cyclic GC must not write into the objects it shares with the
            # worker: a full collection touches every tracked object's header, and at 100k
            # nodes that turned ~1.6 GB of shared pages into a private copy per worker.
            # Frozen objects are skipped by the collector (Python's advice for pre-fork
            # servers: gc.freeze() right before fork()). The young generations are collected
            # first, so fresh garbage is not frozen (a parse's cycles hold frames that hold
            # the engine: it would never go). Not a full collection: at 100k nodes that took
            # ~10 s; older garbage, if any, stays (frozen objects are still freed by
            # reference counting, just not searched for cycles).
            gc.collect(1)
            gc.freeze()
            proc = ctx.Process(target=_worker_main,
                               args=(theirs, self.handler, child_memory_bytes()),
                               daemon=True, name="intersections-sparql")
            proc.start()
        theirs.close()
        w = _Worker(proc, mine)
        with self._lock:
            self._all.append(w)
        return w

    def _cause_of_death(self, w: _Worker) -> str:
        """After an EOF: ``"memory"`` when the worker was aborted/killed (oxigraph aborts on a
        failed allocation under RLIMIT_AS; the kernel's OOM killer sends SIGKILL)."""
        w.proc.join(timeout=2)
        code = w.proc.exitcode
        if code is None or code in (_MEMORY_EXIT, -signal.SIGABRT, -signal.SIGKILL,
                                    -signal.SIGSEGV):
            return "memory"
        return "died"

    def _forget(self) -> None:
        for w in self._all:
            with contextlib.suppress(OSError):
                w.conn.close()
            children = getattr(mp.process, "_children", None)
            if isinstance(children, set):  # else our exit would signal the parent's workers
                children.discard(w.proc)
        self._all, self._idle = [], []
        self._pid = os.getpid()


def _stop(w: _Worker) -> None:
    with contextlib.suppress(OSError):
        w.conn.close()
    if w.proc.is_alive():
        w.proc.kill()
    w.proc.join(timeout=5)


def _forget_after_fork() -> None:
    """In any forked child (a gunicorn worker, a pool worker): the pools' workers and the held
    slots belong to the parent. Close our copies of the parent's slot descriptors and pipe ends
    (so a worker sees EOF when its parent closes), and take fresh locks (another thread may
    have held one at the fork)."""
    global FORK_LOCK
    FORK_LOCK = threading.Lock()
    for fd in list(_HELD):  # the parent's slots stay the parent's
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()
    for pool in list(_POOLS):
        pool._lock = threading.Lock()
        pool._forget()


def _close_all() -> None:
    for pool in list(_POOLS):
        pool.close()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(_close_all)
