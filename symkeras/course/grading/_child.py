"""The grader's child processes: a *zygote* that preloads the libraries once, and the *workers* it forks, one per
student module.  Run as a script by the grader (``python _child.py zygote FD``), never imported by it.

Holds no grading logic: no graded test, no reference value, no score.  A worker imports one student module and
evaluates what its parent asks (call a function, read an attribute, call a returned model on arrays the parent
sends), replying with plain values (see ``_wire.py``).  Before running any student code a worker
* starts its own session (its process group is killed when it is done),
* works in a private copy of the student's files, with HOME and TMPDIR inside it,
* sets its limits (address space, file size, recursion) and drops root's capabilities,
* sandboxes itself with Landlock where the kernel has it: read-only access to the Python installation and the
  ``symkeras`` library, read-write access to its own folder only, no TCP, no signals to processes outside it.
The zygote is a child subreaper: a process a student leaves behind (even one that started its own session) ends up
its child and is killed.
"""

from __future__ import annotations

import ctypes
import importlib
import importlib.util
import io
import os
import pickle
import resource
import select
import signal
import socket
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == HERE:  # do not offer the grader's folder to imports
    sys.path.pop(0)
_spec = importlib.util.spec_from_file_location("_symkeras_grading_wire", os.path.join(HERE, "_wire.py"))
wire = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wire)

_libc = ctypes.CDLL(None, use_errno=True)
LINUX = sys.platform.startswith("linux")
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER, PR_CAPBSET_DROP = 1, 38, 36, 24


def _prctl(option, value) -> int:
    if not LINUX:
        return -1
    return _libc.prctl(option, ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))


# --- Landlock (Linux >= 5.13): an unprivileged file-system sandbox --------------------------------------------------------

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446  # the same on every architecture
_FS = {
    name: 1 << i
    for i, name in enumerate(
        [
            "EXECUTE",
            "WRITE_FILE",
            "READ_FILE",
            "READ_DIR",
            "REMOVE_DIR",
            "REMOVE_FILE",
            "MAKE_CHAR",
            "MAKE_DIR",
            "MAKE_REG",
            "MAKE_SOCK",
            "MAKE_FIFO",
            "MAKE_BLOCK",
            "MAKE_SYM",
            "REFER",
            "TRUNCATE",
            "IOCTL_DEV",
        ]
    )
}
_FILE_RIGHTS = _FS["EXECUTE"] | _FS["WRITE_FILE"] | _FS["READ_FILE"] | _FS["TRUNCATE"] | _FS["IOCTL_DEV"]


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, or 0 (unavailable)."""
    if not LINUX:
        return 0
    version = _libc.syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(version), 0)


def _handled(abi: int) -> int:
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= _FS["REFER"]
    if abi >= 3:
        rights |= _FS["TRUNCATE"]
    if abi >= 5:
        rights |= _FS["IOCTL_DEV"]
    return rights


def landlock(read: list[str], write: list[str], read_files: list[str], write_files: list[str]) -> str:
    """Allow reading (and executing) beneath ``read``, everything beneath ``write``, and the single files listed;
    deny every other file-system access, TCP, and signals to processes outside the sandbox.  Returns a description."""
    abi = landlock_abi()
    if abi < 1:
        return "none (Landlock needs Linux >= 5.13)" if LINUX else f"none (no Landlock on {sys.platform})"
    handled = _handled(abi)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    attr = _RulesetAttr(handled, 0b11 if abi >= 4 else 0, 0b11 if abi >= 6 else 0)
    fd = _libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if fd < 0:
        return f"none (landlock_create_ruleset: {os.strerror(ctypes.get_errno())})"
    read_rights = _FS["EXECUTE"] | _FS["READ_FILE"] | _FS["READ_DIR"]
    rules = [(p, read_rights) for p in read] + [(p, handled) for p in write]
    rules += [(p, _FS["READ_FILE"]) for p in read_files]
    rules += [(p, _FS["READ_FILE"] | _FS["WRITE_FILE"]) for p in write_files]
    added = 0
    try:
        for path, rights in rules:
            try:
                pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                if not os.path.isdir(path):
                    rights &= _FILE_RIGHTS
                rights &= handled
                rule = _PathBeneath(rights, pfd)
                if (
                    _libc.syscall(
                        _SYS_ADD_RULE, ctypes.c_int(fd), ctypes.c_int(1), ctypes.byref(rule), ctypes.c_uint32(0)
                    )
                    == 0
                ):
                    added += 1
            finally:
                os.close(pfd)
        if _prctl(PR_SET_NO_NEW_PRIVS, 1) != 0:
            return f"none (no_new_privs: {os.strerror(ctypes.get_errno())})"
        if _libc.syscall(_SYS_RESTRICT_SELF, ctypes.c_int(fd), ctypes.c_uint32(0)) != 0:
            return f"none (landlock_restrict_self: {os.strerror(ctypes.get_errno())})"
    finally:
        os.close(fd)
    extra = ", no TCP" if abi >= 4 else ""
    extra += ", no signals out" if abi >= 6 else ""
    return f"landlock ABI {abi} ({added} rules{extra})"


def drop_capabilities() -> None:
    """Root without its capabilities: a student's code cannot read every file, mount or load modules as root."""
    if not LINUX or os.geteuid() != 0:
        return
    for cap in range(64):
        _prctl(PR_CAPBSET_DROP, cap)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    _libc.capset(ctypes.byref(Header(0x20080522, 0)), ctypes.byref((Data * 2)()))


# --- the zygote -------------------------------------------------------------------------------------------------------------


def zygote(ctrl_fd: int, preload: list[str]) -> None:
    ctrl = socket.socket(fileno=ctrl_fd)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    loaded, started = [], time.monotonic()
    for name in preload:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except Exception:  # noqa: BLE001 — a library that does not import is imported (and fails) in the worker
            pass
    wire.send_control(
        ctrl,
        {"op": "ready", "preloaded": loaded, "seconds": time.monotonic() - started, "landlock_abi": landlock_abi()},
    )
    workers: dict[int, dict] = {}
    finished: dict[int, int] = {}
    me = os.getpid()
    while True:
        ready, _, _ = select.select([ctrl], [], [], 0.25)
        _reap(workers, finished)
        _kill_orphans(me, workers)
        if not ready:
            continue
        try:
            request, fds = wire.recv_control(ctrl)
        except (OSError, ValueError):
            break
        if request is None:
            break
        op = request.get("op")
        if op == "spawn":
            pid = os.fork()
            if pid == 0:
                try:
                    ctrl.close()
                    _worker(fds, request)
                finally:
                    os._exit(70)
            for fd in fds:
                os.close(fd)
            workers[pid] = request
            wire.send_control(ctrl, {"op": "spawned", "pid": pid})
        elif op == "prune":  # after a test: whatever the worker started goes; the worker stays warm
            pid = int(request["pid"])
            wire.send_control(ctrl, {"op": "pruned", "killed": _kill_descendants(pid) if pid in workers else 0})
        elif op == "stop":
            pid = int(request["pid"])
            status = finished.pop(pid, None)
            if status is None and pid in workers:
                _killpg(pid)
                deadline = time.monotonic() + 10
                while status is None and time.monotonic() < deadline:
                    _reap(workers, finished)
                    status = finished.pop(pid, None)
                    if status is None:
                        time.sleep(0.005)
            workers.pop(pid, None)
            _killpg(pid)  # whatever is left of its group
            _kill_orphans(me, workers)
            wire.send_control(ctrl, {"op": "stopped", "pid": pid, **_describe_status(status)})
    for pid in list(workers):
        _killpg(pid)
    for _ in range(20):
        if not _kill_orphans(me, {}):
            break
        time.sleep(0.05)
    os._exit(0)


def _reap(workers, finished) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in workers:
            finished[pid] = status


def _describe_status(status) -> dict:
    if status is None:
        return {"code": None, "signal": None}
    if os.WIFSIGNALED(status):
        return {"code": None, "signal": os.WTERMSIG(status)}
    return {"code": os.waitstatus_to_exitcode(status), "signal": None}


def _killpg(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _processes() -> dict[int, tuple[int, int]]:
    """``{pid: (parent pid, process group)}`` from /proc (empty elsewhere)."""
    found = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read()
                fields = stat[stat.rindex(b")") + 2 :].split()
                found[int(entry)] = (int(fields[1]), int(fields[2]))
            except (OSError, ValueError, IndexError):
                continue
    return found


def _kill_descendants(pid: int) -> int:
    """Kill the processes a worker started (its descendants and its process group), not the worker itself."""
    table = _processes()
    doomed = {p for p, (_, group) in table.items() if group == pid and p != pid}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for p, (ppid, _) in table.items():
            if ppid == parent and p not in doomed and p != pid:
                doomed.add(p)
                frontier.append(p)
    for p in doomed:
        try:
            os.kill(p, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return len(doomed)


def _kill_orphans(me: int, workers) -> bool:
    """Kill our children that are not workers: processes a student left behind, re-parented to us (subreaper)."""
    killed = False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return False
    for entry in entries:
        if not entry.isdigit() or int(entry) in workers:
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == me:
            _killpg(int(entry))
            killed = True
            try:
                os.waitpid(int(entry), os.WNOHANG)
            except ChildProcessError:
                pass
    return killed


# --- a worker -------------------------------------------------------------------------------------------------------------


def _worker(fds: list[int], spec: dict) -> None:
    sock_fd, out_fd = fds
    os.setsid()
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(null)
    os.close(out_fd)
    sys.stdin = open(0, closefd=False)
    sys.stdout = io.TextIOWrapper(open(1, "wb", closefd=False), errors="backslashreplace", line_buffering=True)
    sys.stderr = io.TextIOWrapper(open(2, "wb", closefd=False), errors="backslashreplace", line_buffering=True)
    workdir = spec["workdir"]
    os.chdir(workdir)
    home = os.path.join(workdir, ".home")
    os.makedirs(os.path.join(home, "tmp"), exist_ok=True)
    os.environ.update(
        {"HOME": home, "TMPDIR": os.path.join(home, "tmp"), "MPLCONFIGDIR": os.path.join(home, "mpl"), "PWD": workdir}
    )
    import tempfile

    tempfile.tempdir = None
    limits = spec["limits"]
    _limit(resource.RLIMIT_AS, int(limits["memory_bytes"]))
    _limit(resource.RLIMIT_FSIZE, int(limits["file_bytes"]))
    _limit(resource.RLIMIT_CORE, 0)
    sys.setrecursionlimit(int(limits["recursion"]))
    drop_capabilities()
    sandbox = "none (disabled)"
    if spec.get("sandbox", True):
        sandbox = landlock(
            spec["read"], [workdir, *spec.get("write", [])], spec.get("read_files", []), spec.get("write_files", [])
        )
    sys.path[:] = [workdir] + [p for p in sys.path if p]
    sys.dont_write_bytecode = True
    sock = socket.socket(fileno=sock_fd)
    sock.settimeout(None)
    server = Server(sock, spec["module"], spec["path"], workdir)
    wire.send(sock, {"re": "hello", "sandbox": sandbox, "pid": os.getpid()})
    server.loop()


def _limit(which, value: int) -> None:
    if value <= 0:
        return
    try:
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, hard))
    except (ValueError, OSError):
        pass


class ParentCallable:
    """A function of the parent's (a graded test's lambda, a Keras layer, …) passed to the student's code: calling it
    sends the arguments to the parent, which evaluates it and sends the result back."""

    __slots__ = ("_id", "_server")

    def __init__(self, ident: int, server: Server):
        self._id, self._server = ident, server

    def __call__(self, *args, **kwargs):
        return self._server.callback(self._id, args, kwargs)

    def __repr__(self) -> str:
        return "<function from the grader>"


class _Unpickler(pickle.Unpickler):
    def __init__(self, data, server):
        super().__init__(io.BytesIO(data))
        self._server = server

    def persistent_load(self, pid):
        kind, ident = pid
        if kind == "cb":
            return ParentCallable(ident, self._server)
        if kind == "h":
            return self._server.handles[ident]
        raise pickle.UnpicklingError(f"unknown reference {kind!r}")


_MISSING = object()


class Server:
    def __init__(self, sock, module_name: str, module_path: str, workdir: str):
        self.sock, self.module_name, self.module_path, self.workdir = sock, module_name, module_path, workdir
        self.module, self.import_error = None, None
        self.handles: dict[int, object] = {}
        self.next_id = 1
        self.patches: list = []

    def keep(self, value) -> int:
        ident = self.next_id
        self.next_id += 1
        self.handles[ident] = value
        return ident

    def loop(self) -> None:
        while True:
            try:
                header, buffers = wire.recv(self.sock)
            except wire.Closed:
                os._exit(0)
            self.dispatch(header, buffers)

    def student_module(self):
        if self.import_error is not None:
            raise self.import_error
        if self.module is None:
            spec = importlib.util.spec_from_file_location(self.module_name, self.module_path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[self.module_name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException as e:  # noqa: BLE001 — SystemExit, KeyboardInterrupt: all are the student's
                sys.modules.pop(self.module_name, None)
                e._symkeras_phase = "import"
                self.import_error = e
                raise
            self.module = module
        return self.module

    def resolve(self, target: dict):
        if "handle" in target:
            try:
                return self.handles[target["handle"]]
            except KeyError:
                raise LookupError("this object of the submission no longer exists") from None
        return getattr(self.student_module(), target["module"])

    def unpickle(self, data):
        return _Unpickler(bytes(data), self).load()

    def dispatch(self, header: dict, buffers: list) -> None:
        for ident in header.get("release", ()):
            self.handles.pop(ident, None)
        op = header.get("op")
        force_handle = False
        try:
            if op == "call":
                args, kwargs = self.unpickle(buffers[0])
                result = self.resolve(header["target"])(*args, **kwargs)
            elif op == "getattr":
                result = getattr(self.resolve(header["target"]), header["name"])
            elif op == "array":
                import numpy as np

                result = np.asarray(self.resolve(header["target"]))
                if not isinstance(result, np.ndarray):
                    raise TypeError("not convertible to an array")
            elif op == "len":
                result = len(self.resolve(header["target"]))
            elif op == "getitem":
                result = self.resolve(header["target"])[self.unpickle(buffers[0])]
            elif op == "iter":
                import itertools

                result = list(itertools.islice(iter(self.resolve(header["target"])), int(header.get("limit", 100000))))
            elif op == "repr":
                result = repr(self.resolve(header["target"]))[:500]
            elif op == "send":
                result, force_handle = self.unpickle(buffers[0]), True
            elif op == "patch":
                module = importlib.import_module(header["module"])
                value = self.unpickle(buffers[0])
                self.patches.append((module, header["name"], getattr(module, header["name"], _MISSING)))
                setattr(module, header["name"], value)
                result = None
            elif op == "unpatch":
                while self.patches:
                    module, name, old = self.patches.pop()
                    if old is _MISSING:
                        delattr(module, name)
                    else:
                        setattr(module, name, old)
                result = None
            elif op == "import":
                self.student_module()
                result = None
            else:
                raise ValueError(f"unknown operation {op!r}")
        except BaseException as e:  # noqa: BLE001 — whatever the student's code raised goes to the parent
            self.send_error(e)
            return
        self.send_value(result, force_handle)

    def send_value(self, value, force_handle: bool = False) -> None:
        buffers: list = []
        try:
            node = (
                {"t": "handle", "id": self.keep(value), "type": "object"}
                if force_handle
                else wire.encode(value, buffers, self.keep)
            )
        except BaseException as e:  # noqa: BLE001
            self.send_error(e, "while sending the result to the grader")
            return
        wire.send(self.sock, {"re": "value", "value": node}, buffers)

    def send_error(self, error: BaseException, where: str = "") -> None:
        wire.send(self.sock, {"re": "error", **self.describe(error, where)})

    def describe(self, error: BaseException, where: str = "") -> dict:
        kind = type(error)
        try:
            names = [str(c.__name__)[:100] for c in kind.__mro__][:30]
        except Exception:  # noqa: BLE001
            names = ["Exception"]
        try:
            message = str(error)[:4000]
        except BaseException:  # noqa: BLE001
            message = "(a message that cannot be printed)"
        location = ""
        try:
            for frame in reversed(traceback.extract_tb(error.__traceback__)):
                if frame.filename.startswith(self.workdir):
                    location = f"{os.path.relpath(frame.filename, self.workdir)}, line {frame.lineno}"
                    break
        except Exception:  # noqa: BLE001
            pass
        if getattr(error, "_symkeras_phase", "") == "import":
            where = f"while importing {os.path.basename(self.module_path)}"
        return {"type": names[0], "mro": names, "message": message, "where": where, "location": location}

    def callback(self, ident: int, args, kwargs):
        buffers: list = []
        node = wire.encode([list(args), dict(kwargs)], buffers, self.keep)
        wire.send(self.sock, {"re": "callback", "id": ident, "args": node}, buffers)
        while True:
            try:
                header, buffers = wire.recv(self.sock)
            except wire.Closed:
                os._exit(0)
            op = header.get("op")
            if op == "callback_result":
                return self.unpickle(buffers[0])
            if op == "callback_error":
                import builtins

                kind = getattr(builtins, str(header.get("type")), None)
                if not (isinstance(kind, type) and issubclass(kind, Exception)):
                    kind = RuntimeError
                raise kind(header.get("message", "the grader's function failed"))
            self.dispatch(header, buffers)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "zygote":
        zygote(int(sys.argv[2]), sys.argv[3].split(",") if len(sys.argv) > 3 and sys.argv[3] else [])
    else:
        sys.exit("usage: _child.py zygote FD [module,module,...]  (started by the symkeras grader)")
