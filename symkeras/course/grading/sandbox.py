"""Running a student's code in a child process, from the grading parent.

The parent (the pytest process that holds the graded tests, the references and the score) starts one *zygote*
(``_child.py``): a process that imports NumPy, Keras and the ``symkeras`` library once and then forks a *worker*
per student module (warm: reused by every graded test of that module, restarted after a crash or a timeout).  A
graded test sees the module as a :class:`Submission`: ``ex.rot90_field(x, 1)`` sends the call to the worker and
returns what came back, decoded by ``_wire.decode`` into plain values and NumPy arrays.  What the student returns
that is not plain data (a Keras model, a function) stays in the worker and is a :class:`RemoteObject` here: calling
it, reading its attributes or converting it to an array asks the worker again.  A function of the test passed to the
student (``is_equivariant(f, …)``, ``accuracy_per_angle(predict, …)``) stays here: the worker calls back.

Whatever the worker does, the parent raises :class:`ChildFailure` (a ``BaseException``, so that no ``except
Exception`` in a graded test swallows it) with a status such as ``"error: exited with code 0"``, ``"error: timeout
after 120 s"`` or ``"error: memory limit 4 GB"``; an exception raised by the student's code is rebuilt here as the
built-in exception it derives from (``NotImplementedError`` → "not attempted", ``ValueError`` for a test that expects
one), never as the student's own class.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import io
import os
import pickle
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from symkeras.course.grading import _wire as wire

HERE = Path(__file__).resolve().parent
CHILD = HERE / "_child.py"
# Imported once by the zygote, before it forks.  Not on macOS, where forking a process that loaded Apple's
# frameworks (as TensorFlow does) is unsafe: there each worker imports what the student's module needs.
PRELOAD = (
    ("numpy", "keras", "symkeras", "symkeras.groups", "symkeras.layers", "symkeras.equivariance", "symkeras.data")
    if sys.platform.startswith("linux")
    else ("numpy",)
)
SKIP_DIRS = {"__pycache__", ".git", ".ipynb_checkpoints", "node_modules", ".venv", "venv"}
COPY_LIMIT = 50 * 2**20  # bytes of a submission copied into the worker's folder


@dataclass
class Limits:
    """What a student's code may use.  Settable with ``python -m symkeras grade --timeout … --memory …`` and the
    pytest options ``--grading-timeout``, ``--grading-memory``, ``--grading-recursion``, ``--grading-output``."""

    timeout: float = 120.0  # seconds of wall time per graded test
    memory_gb: float = 4.0  # address space of a worker (RLIMIT_AS): NumPy, Keras and TensorFlow take ~2.5 GB of it
    recursion: int = 3000  # Python frames
    output: int = 100_000  # bytes of a worker's printed output kept for the report (the rest is counted, dropped)
    file_mb: float = 256.0  # largest file a worker may write (RLIMIT_FSIZE)
    result_mb: float = 512.0  # largest result a worker may send
    sandbox: bool = True  # Landlock, where the kernel has it

    def for_child(self) -> dict:
        return {
            "memory_bytes": int(self.memory_gb * 2**30),
            "file_bytes": int(self.file_mb * 2**20),
            "recursion": self.recursion,
        }

    def as_dict(self) -> dict:
        return asdict(self)


class ChildFailure(BaseException):
    """The student's process failed as a whole (exit, timeout, memory, a ``BaseException``, a broken protocol)."""

    def __init__(self, status: str, detail: str = ""):
        super().__init__(status)
        self.status, self.detail = status, detail


class SubmissionError(Exception):
    """An exception of the student's own class (not a built-in one), raised by the student's code."""

    def __init__(self, type_name: str, message: str):
        super().__init__(message)
        self._symkeras_type = type_name


_SAFE = {
    name: cls
    for name, cls in vars(builtins).items()
    if isinstance(cls, type)
    and issubclass(cls, Exception)
    and cls not in (MemoryError, RecursionError)
    and not issubclass(cls, getattr(builtins, "BaseExceptionGroup", ()))
}  # 3.11+


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# --- the deadline of the graded test that is running ----------------------------------------------------------------------


class Clock:
    deadline: float | None = None
    timeout: float | None = None


def start_test_clock(seconds: float) -> None:
    Clock.deadline, Clock.timeout = time.monotonic() + seconds, seconds


# --- the zygote -------------------------------------------------------------------------------------------------------------


class Zygote:
    """The process that forks the workers (see ``_child.py``)."""

    def __init__(self, preload=PRELOAD, env: dict | None = None):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.log = tempfile.TemporaryFile()
        environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), "zygote", str(child.fileno()), ",".join(preload)],
            pass_fds=[child.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
            env=environment,
            start_new_session=True,
        )
        child.close()
        self.ctrl = parent
        self.info: dict | None = None
        self.lock = threading.Lock()

    def ready(self, timeout: float = 1800.0) -> dict:
        """Wait for the zygote's preloading (importing Keras can take a while); returns its ``ready`` message."""
        if self.info is None:
            self.info = self._receive(timeout, "ready")
        return self.info

    def _receive(self, timeout: float, expected: str) -> dict:
        try:
            message, _ = wire.recv_control(self.ctrl, timeout)
        except TimeoutError:
            raise ChildFailure("error: the grader's process launcher did not answer", self._log_tail()) from None
        except (OSError, ValueError) as e:
            raise ChildFailure("error: the grader's process launcher failed", str(e)) from None
        if message is None:
            raise ChildFailure("error: the grader's process launcher stopped", self._log_tail())
        if message.get("op") != expected:
            raise ChildFailure("error: the grader's process launcher is confused", str(message)[:200])
        return message

    def _log_tail(self) -> str:
        try:
            self.log.seek(0)
            return self.log.read()[-600:].decode(errors="replace").strip()
        except (OSError, ValueError):
            return ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def spawn(self, spec: dict, fds: list[int]) -> int:
        with self.lock:
            self.ready()
            wire.send_control(self.ctrl, {"op": "spawn", **spec}, fds)
            return int(self._receive(120.0, "spawned")["pid"])

    def stop(self, pid: int) -> dict:
        """Kill a worker's process group and return its exit: ``{"code": …, "signal": …}``."""
        with self.lock:
            try:
                wire.send_control(self.ctrl, {"op": "stop", "pid": pid})
                return self._receive(60.0, "stopped")
            except (OSError, ChildFailure):
                with contextlib.suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)
                return {"code": None, "signal": None}

    def prune(self, pid: int) -> None:
        """Kill what a worker started (a test is over); the worker itself stays."""
        with self.lock:
            try:
                wire.send_control(self.ctrl, {"op": "prune", "pid": pid})
                self._receive(60.0, "pruned")
            except (OSError, ChildFailure):
                pass

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.ctrl.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


# --- where a worker may read and write --------------------------------------------------------------------------------------


def sandbox_paths(protected) -> dict:
    """The Landlock rules of a worker: read (and execute) the Python installation, the system's libraries and the
    ``symkeras`` package; nothing inside a ``protected`` folder (the course repository, the submissions, the
    teacher's tests), even where a readable root contains one."""
    import site

    import symkeras

    protected = [Path(p).resolve() for p in protected]
    roots = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        *site.getsitepackages(),
        str(Path(symkeras.__file__).resolve().parent),
        "/usr",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",
        "/bin",
        "/sbin",
        "/etc",
        "/proc",
        "/sys",
        str(Path.home() / ".keras"),
    }
    read: list[str] = []
    for root in sorted(roots):
        read += _grant(Path(root), protected)
    devices = ["/dev/null", "/dev/zero", "/dev/full", "/dev/urandom", "/dev/random"]
    return {
        "read": sorted(set(read)),
        "write": ["/dev/shm"],
        "read_files": devices,
        "write_files": ["/dev/null", "/dev/zero", "/dev/full"],
    }


def _grant(root: Path, protected: list[Path], depth: int = 0) -> list[str]:
    try:
        real = root.resolve()
    except OSError:
        return []
    if not real.exists():
        return []
    inside = [p for p in protected if p == real or real in p.parents]
    if not inside:
        return [str(real)]
    if any(p == real for p in inside) or depth > 6 or not real.is_dir():
        return []
    granted = []
    try:
        entries = list(real.iterdir())
    except OSError:
        return []
    for entry in entries:
        granted += _grant(entry, inside, depth + 1)
    return granted


def copy_submission(source: Path) -> Path:
    """A private copy of a student's folder (regular files only; no links, no caches; at most 50 MB)."""
    dest = Path(tempfile.mkdtemp(prefix="symkeras-submission-"))
    total = 0
    source = Path(source)
    for dirpath, dirnames, filenames in os.walk(source, followlinks=False):
        rel = Path(dirpath).relative_to(source)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and len(rel.parts) < 4)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            try:
                if path.is_symlink() or not path.is_file():
                    continue
                size = path.stat().st_size
                if total + size > COPY_LIMIT:
                    continue
                (dest / rel).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest / rel / name)
                total += size
            except OSError:
                continue
    return dest


def _remove_tree(path: Path) -> None:
    def retry(function, name, _):
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(name), 0o700)
            os.chmod(name, 0o700)
            function(name)

    shutil.rmtree(path, onerror=retry)


# --- a worker ---------------------------------------------------------------------------------------------------------------


class _Output(threading.Thread):
    """Drains a worker's stdout/stderr: keeps the first ``limit`` bytes, counts the rest."""

    def __init__(self, fd: int, limit: int):
        super().__init__(daemon=True)
        self.fd, self.limit, self.kept, self.total = fd, limit, bytearray(), 0
        self.stopping = threading.Event()

    def run(self):
        try:
            while True:
                ready, _, _ = select.select([self.fd], [], [], 0.2)
                if not ready:
                    if self.stopping.is_set():
                        return
                    continue
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    return
                self.total += len(chunk)
                if len(self.kept) < self.limit:
                    self.kept += chunk[: self.limit - len(self.kept)]
        except OSError:
            return
        finally:
            os.close(self.fd)  # only this thread closes it: no read from a reused descriptor

    def finish(self) -> None:
        self.stopping.set()
        self.join(5)

    def text(self) -> str:
        text = bytes(self.kept).decode(errors="replace")
        if self.total > len(self.kept):
            text += f"\n[… {self.total - len(self.kept):,} more bytes of output not kept]"
        return text


class Worker:
    """One student module in its own process, started on first use and after a failure."""

    def __init__(self, zygote: Zygote, directory: Path, module: str, limits: Limits, paths: dict):
        self.zygote, self.directory, self.module, self.limits, self.paths = (
            zygote,
            Path(directory),
            module,
            limits,
            paths,
        )
        self.sock: socket.socket | None = None
        self.pid: int | None = None
        self.generation = 0
        self.sandbox = ""
        self.outputs: list[str] = []
        self.workdir: Path | None = None
        self._output: _Output | None = None
        self._callbacks: dict[int, object] = {}
        self._released: list[int] = []
        self._depth = 0

    # life cycle
    def start(self) -> None:
        self.workdir = copy_submission(self.directory)
        parent, child = socket.socketpair()
        out_read, out_write = os.pipe()
        spec = {
            "workdir": str(self.workdir),
            "module": self.module,
            "path": str(self.workdir / f"{self.module}.py"),
            "limits": self.limits.for_child(),
            "sandbox": self.limits.sandbox,
            **self.paths,
        }
        try:
            self.pid = self.zygote.spawn(spec, [child.fileno(), out_write])
        except BaseException:
            parent.close()
            os.close(out_read)
            _remove_tree(self.workdir)
            self.workdir = None
            raise
        finally:
            child.close()
            os.close(out_write)
        self.sock = parent
        self.generation += 1
        self._output = _Output(out_read, self.limits.output)
        self._output.start()
        self._callbacks.clear()
        self._released.clear()
        try:
            header, _ = wire.recv(parent, time.monotonic() + 120, 1 << 16)
        except (wire.Timeout, wire.Closed, wire.WireError) as e:
            raise self._died(f"starting the process for {self.module}.py", e) from None
        self.sandbox = str(header.get("sandbox", ""))[:200]

    @property
    def alive(self) -> bool:
        return self.sock is not None

    def stop(self) -> dict:
        """End the process (and whatever it started); its exit as ``{"code", "signal"}``."""
        if self.sock is None:
            return {"code": None, "signal": None}
        status = self.zygote.stop(self.pid) if self.pid else {}
        with contextlib.suppress(OSError):
            self.sock.close()
        self.sock = None
        if self._output is not None:
            self._output.finish()
            text = self._output.text()
            if text.strip():
                self.outputs.append(text)
            self._output = None
        if self.workdir is not None:
            _remove_tree(self.workdir)
            self.workdir = None
        return status

    def prune(self) -> None:
        if self.sock is not None and self.pid:
            self.zygote.prune(self.pid)

    def output(self) -> str:
        text = "\n".join(self.outputs)
        if self._output is not None:
            text = "\n".join(filter(None, [text, self._output.text()]))
        return text[-self.limits.output :] if len(text) > self.limits.output else text

    def _died(self, what: str, error=None) -> ChildFailure:
        status = self.stop()
        code, number = status.get("code"), status.get("signal")
        if number is not None:
            reason = f"error: killed by signal {_signal_name(number)}"
            if number == signal.SIGXFSZ:
                reason += f" (file size limit {self.limits.file_mb:g} MB)"
        elif code is not None:
            reason = f"error: exited with code {code}"
        else:
            reason = "error: the submission's process closed its connection to the grader"
        tail = self.outputs[-1].strip().splitlines()[-1:] if self.outputs else []
        return ChildFailure(
            reason, f"the process ended while {what}" + (f"; its last output: {tail[0][:200]}" if tail else "")
        )

    def _fail(self, status: str, detail: str) -> ChildFailure:
        self.stop()
        return ChildFailure(status, detail)

    # requests
    def request(self, header: dict, payload=None, what: str = "", by_value=None):
        """Send one request and return the decoded answer (serving the worker's callbacks meanwhile)."""
        if self.sock is None:
            self.start()
            if header.get("op") != "import":  # a failure while importing says so
                self.request({"op": "import"}, None, f"importing {self.module}.py")
        deadline = Clock.deadline if Clock.deadline is not None else time.monotonic() + self.limits.timeout
        timeout = Clock.timeout if Clock.deadline is not None else self.limits.timeout
        generation = self.generation
        if self._released:
            header = {**header, "release": self._released[:]}
            self._released.clear()
        buffers = [] if payload is None else [self._pickle(payload, by_value)]
        self._depth += 1
        try:
            wire.send(self.sock, header, buffers, deadline)
            return self._await(deadline)
        except wire.Timeout:
            raise self._fail(
                f"error: timeout after {timeout:g} s",
                f"{what or 'the call'} took longer than the time limit (an endless loop?)",
            ) from None
        except wire.Closed:
            raise self._died(what or "answering the grader") from None
        except wire.WireError as e:
            if "larger than" in str(e):
                raise self._fail(
                    f"error: result larger than {self.limits.result_mb:g} MB",
                    f"{what or 'the call'} returned too much data",
                ) from None
            raise self._fail("error: protocol violation", f"{what}: {e}"[:300]) from None
        finally:
            self._depth -= 1
            if self._depth == 0 and self.generation == generation:
                self._callbacks.clear()

    def _await(self, deadline: float):
        limit = int(self.limits.result_mb * 2**20)
        while True:
            header, buffers = wire.recv(self.sock, deadline, limit)
            kind = header.get("re")
            if kind == "value":
                return wire.decode(header.get("value"), buffers, self._handle)
            if kind == "error":
                raise self._exception(header)
            if kind == "callback":
                self._serve_callback(header, buffers, deadline)
                continue
            raise wire.WireError(f"unexpected message {str(kind)[:20]!r}")

    def _handle(self, ident: int, kind: str) -> RemoteObject:
        return RemoteObject(self, ident, kind)

    def _exception(self, header: dict) -> BaseException:
        names = header.get("mro")
        names = [wire.clean_text(n, 100) for n in names if isinstance(n, str)] if isinstance(names, list) else []
        name = wire.clean_text(str(header.get("type", "Exception")), 100) or "Exception"
        message = wire.clean_text(str(header.get("message", "")), 1000)
        where = " ".join(
            filter(
                None,
                [
                    wire.clean_text(str(header.get("where", "")), 200),
                    f"({wire.clean_text(str(header.get('location', '')), 200)})" if header.get("location") else "",
                ],
            )
        )
        detail = "; ".join(filter(None, [message, where]))
        if "MemoryError" in names:
            return ChildFailure(f"error: memory limit {self.limits.memory_gb:g} GB", detail)
        if "RecursionError" in names:
            return ChildFailure(f"error: recursion limit {self.limits.recursion}", detail)
        if "Exception" not in names:  # KeyboardInterrupt, SystemExit, GeneratorExit, a BaseException of its own
            if name == "SystemExit":
                detail = "; ".join(filter(None, [f"exit code {message or 0}", where]))
            return ChildFailure(f"error: {name}", detail)
        for base in names:
            cls = _SAFE.get(base)
            if cls is not None and cls is not Exception:
                try:
                    error = cls(message)
                except Exception:  # noqa: BLE001 — a built-in whose constructor wants more arguments
                    break
                error._symkeras_type = name
                error._symkeras_where = where
                return error
        error = SubmissionError(name, message)
        error._symkeras_where = where
        return error

    def _serve_callback(self, header: dict, buffers: list, deadline: float) -> None:
        function = self._callbacks.get(header.get("id"))
        call = wire.decode(header.get("args"), buffers, self._handle)
        if not (
            isinstance(call, list)
            and len(call) == 2
            and isinstance(call[0], list)
            and isinstance(call[1], dict)
            and all(isinstance(k, str) for k in call[1])
        ):
            raise wire.WireError("bad callback arguments")
        if function is None:
            reply, payload = (
                {
                    "op": "callback_error",
                    "type": "RuntimeError",
                    "message": "this function of the grader is no longer available",
                },
                [],
            )
        else:
            try:
                result = _for_child(function(*call[0], **call[1]))
                reply, payload = {"op": "callback_result"}, [self._pickle(result)]
            except Exception as e:  # noqa: BLE001 — the student called our function wrongly: tell the student
                reply, payload = {"op": "callback_error", "type": type(e).__name__, "message": str(e)[:1000]}, []
        wire.send(self.sock, reply, payload, deadline)

    def _pickle(self, value, by_value=None) -> bytes:
        buffer = io.BytesIO()
        _Pickler(buffer, self, by_value).dump(value)
        return buffer.getvalue()

    def register_callback(self, function) -> int:
        ident = len(self._callbacks) + 1
        while ident in self._callbacks:
            ident += 1
        self._callbacks[ident] = function
        return ident

    def release(self, ident: int, generation: int) -> None:
        if generation == self.generation and self.sock is not None:
            self._released.append(ident)


def _is_callback(value) -> bool:
    """A function of the grader's to evaluate here when the student calls it (not to copy into the student's
    process): lambdas, the test's own functions, methods, Keras layers and models, any other callable object.
    Functions and classes of the libraries (NumPy, Keras, symkeras, the standard library) travel by reference."""
    if isinstance(value, type) or isinstance(value, np.ufunc) or not callable(value):
        return False
    return not _by_reference(value)


def _by_reference(value) -> bool:
    module_name, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if not isinstance(module_name, str) or not isinstance(qualname, str) or "<" in qualname:
        return False
    module = sys.modules.get(module_name)
    found = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
    if module is None or found is not value:
        return False
    file = getattr(module, "__file__", None)
    return file is None or _in_library(file)


@functools.lru_cache(maxsize=4096)
def _in_library(file: str) -> bool:
    import symkeras

    path = Path(file).resolve()
    roots = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, Path(symkeras.__file__).parent)}
    return any(root == path or root in path.parents for root in roots)


class _Pickler(pickle.Pickler):
    def __init__(self, file, worker: Worker, by_value=None):
        super().__init__(file, protocol=5)
        self.worker, self.by_value = worker, by_value

    def persistent_id(self, value):
        if isinstance(value, RemoteObject):
            if value._sk_worker is not self.worker or value._sk_generation != self.worker.generation:
                raise ChildFailure(
                    "error: an object of the submission was lost", "it belonged to a process that has ended"
                )
            return ("h", value._sk_id)
        if self.by_value is not None:
            return None  # sending an object by value: pickle everything it holds
        if _is_callback(value):
            return ("cb", self.worker.register_callback(value))
        return None


def _for_child(value):
    """A callback's result as plain data for the student's process (tensors become NumPy arrays)."""
    if isinstance(value, (list, tuple)):
        return type(value)(_for_child(v) for v in value)
    if isinstance(value, dict):
        return {k: _for_child(v) for k, v in value.items()}
    if isinstance(value, (np.ndarray, np.generic, int, float, complex, str, bytes, bool, type(None))):
        return value
    module = getattr(type(value), "__module__", "") or ""
    if module.split(".")[0] in ("tensorflow", "keras", "jax", "jaxlib", "torch"):
        from keras import ops

        return np.asarray(ops.convert_to_numpy(value))
    return value


# --- what a graded test holds --------------------------------------------------------------------------------------------


class RemoteObject:
    """Something the student's code returned that is not plain data (a model, a function, an object of the student's
    class): it stays in the student's process; reading an attribute, calling it or converting it to an array asks
    that process, and the answer comes back as plain data.  It equals nothing but itself, has no truth value, and
    Python's special methods (``__eq__``, ``__array_interface__``, …) are never forwarded."""

    __slots__ = ("_sk_worker", "_sk_id", "_sk_type", "_sk_generation", "__weakref__")

    def __init__(self, worker: Worker, ident: int, kind: str):
        object.__setattr__(self, "_sk_worker", worker)
        object.__setattr__(self, "_sk_id", ident)
        object.__setattr__(self, "_sk_type", kind)
        object.__setattr__(self, "_sk_generation", worker.generation)
        weakref.finalize(self, worker.release, ident, worker.generation)

    def _sk_request(self, op: str, payload=None, what: str = "", **extra):
        worker = self._sk_worker
        if self._sk_generation != worker.generation or not worker.alive:
            raise ChildFailure("error: an object of the submission was lost", "it belonged to a process that ended")
        return worker.request(
            {"op": op, "target": {"handle": self._sk_id}, **extra},
            payload,
            what or f"using the {self._sk_type} it returned",
        )

    def __getattr__(self, name: str):
        if name.startswith("__") or name.startswith("_sk_"):
            raise AttributeError(name)
        return self._sk_request("getattr", name=name, what=f"reading .{name} of the {self._sk_type} it returned")

    def __setattr__(self, name, value):
        raise AttributeError("objects of the submission are read-only in the grader")

    def __call__(self, *args, **kwargs):
        return self._sk_request("call", (args, kwargs), f"calling the {self._sk_type} it returned")

    def __array__(self, dtype=None, copy=None):
        array = self._sk_request("array")
        if not isinstance(array, np.ndarray):
            raise TypeError(f"{self!r} is not an array")
        return array.astype(dtype) if dtype is not None else array

    def __len__(self) -> int:
        n = self._sk_request("len")
        if type(n) is not int or n < 0:
            raise TypeError(f"len() of {self!r} is not a length")
        return n

    def __getitem__(self, key):
        return self._sk_request("getitem", key)

    def __iter__(self):
        items = self._sk_request("iter")
        if not isinstance(items, list):
            raise TypeError(f"{self!r} is not iterable")
        return iter(items)

    def __bool__(self):
        raise TypeError(f"{self!r} has no truth value in the grader: compare a plain value")

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<{self._sk_type} object of the submission>"


class RemoteFunction:
    """``ex.name``: a function (or any attribute) of the student's module, called in the student's process."""

    __slots__ = ("_worker", "_name")

    def __init__(self, worker: Worker, name: str):
        self._worker, self._name = worker, name

    def __call__(self, *args, **kwargs):
        return self._worker.request(
            {"op": "call", "target": {"module": self._name}}, (args, kwargs), f"running {self._name}()"
        )

    def __repr__(self) -> str:
        return f"<{self._worker.module}.{self._name} of the submission>"


class Submission:
    """What the ``ex`` fixture gives a graded test: the student's module, run in its own process.

    ``ex.f(…)`` calls the student's ``f``; ``ex.to_submission(obj)`` copies ``obj`` (e.g. a Keras model the test
    built) into the student's process and returns it as a :class:`RemoteObject` that the student's functions can
    change; ``with ex.patched("keras.src.backend.config", "_BACKEND", "jax"):`` sets a module attribute in the
    student's process for the duration."""

    def __init__(self, worker: Worker):
        object.__setattr__(self, "_worker", worker)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return RemoteFunction(self._worker, name)

    def to_submission(self, value) -> RemoteObject:
        result = self._worker.request({"op": "send"}, value, "receiving an object from the grader", by_value=value)
        if not isinstance(result, RemoteObject):
            raise ChildFailure("error: protocol violation", "the submission's process did not keep the object")
        return result

    @contextlib.contextmanager
    def patched(self, module: str, name: str, value):
        self._worker.request({"op": "patch", "module": module, "name": name}, value, f"setting {module}.{name}")
        try:
            yield
        finally:
            if self._worker.alive:
                self._worker.request({"op": "unpatch"}, None, "restoring a setting")

    def __repr__(self) -> str:
        return f"<submission {self._worker.directory / self._worker.module}.py>"
