"""The grader's wire format between the parent (which grades) and a child (which runs a student's code).

Self-contained (standard library and NumPy only): the child loads this file by path, without importing the grader.

A frame is ``b"SKG1"``, the JSON header's length (4 bytes), the number of binary buffers (4 bytes), the header, then
each buffer as its length (8 bytes) and its bytes.

* parent → child: the header names an operation; arguments travel as a pickle in a buffer (the child trusts its
  parent).
* child → parent: only JSON and raw array buffers, decoded by :func:`decode` into plain Python values and NumPy
  arrays of numeric or string dtypes.  The parent never unpickles anything a child sends, so no object of the
  student's classes (whose methods could run code, or whose ``__eq__`` could always say True) exists in the parent.
  What cannot be sent as plain data stays in the child and travels as a *handle* (an id and a type name).
"""

from __future__ import annotations

import json
import math
import socket
import struct
import time

import numpy as np

MAGIC = b"SKG1"
_HEAD = struct.Struct("!4sII")
_LEN = struct.Struct("!Q")
SAFE_KINDS = "biufcSUmM"  # bool, ints, floats, complex, bytes/str, timedelta/datetime: raw data, no pointers
MAX_DEPTH = 64


class WireError(Exception):
    """A malformed or oversized frame: the other side broke the protocol."""


class Closed(Exception):
    """The other side closed the channel (end of file)."""


class Timeout(Exception):
    """No complete frame before the deadline."""


# --- frames ------------------------------------------------------------------------------------------------------------


def frame(header: dict, buffers=()) -> list:
    head = json.dumps(header, allow_nan=True, separators=(",", ":")).encode()
    parts = [_HEAD.pack(MAGIC, len(head), len(buffers)), head]
    for b in buffers:
        b = memoryview(b).cast("B")
        parts += [_LEN.pack(len(b)), b]
    return parts


def send(sock: socket.socket, header: dict, buffers=(), deadline: float | None = None) -> None:
    for part in frame(header, buffers):
        _sendall(sock, part, deadline)


def _sendall(sock, data, deadline):
    view = memoryview(data).cast("B")
    while len(view):
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout()
            sock.settimeout(left)
        try:
            n = sock.send(view[: 1 << 20])
        except TimeoutError:
            raise Timeout() from None
        except (BrokenPipeError, ConnectionResetError) as e:
            raise Closed(str(e)) from None
        view = view[n:]


def _recv_exact(sock, n: int, deadline) -> bytearray:
    out = bytearray(n)
    view = memoryview(out)
    got = 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout()
            sock.settimeout(left)
        try:
            k = sock.recv_into(view[got:], min(n - got, 1 << 22))
        except TimeoutError:
            raise Timeout() from None
        except ConnectionResetError as e:
            raise Closed(str(e)) from None
        if k == 0:
            raise Closed("end of file")
        got += k
    return out


def recv(sock: socket.socket, deadline: float | None = None, max_bytes: int | None = None) -> tuple[dict, list]:
    """One frame: ``(header, buffers)``.  ``max_bytes`` bounds the whole frame (a child may send anything)."""
    magic, head_len, count = _HEAD.unpack(_recv_exact(sock, _HEAD.size, deadline))
    if magic != MAGIC:
        raise WireError("bad frame magic")
    total = head_len
    if max_bytes is not None and (head_len > max_bytes or count > 1_000_000):
        raise WireError(f"frame larger than {max_bytes} bytes")
    try:
        header = json.loads(bytes(_recv_exact(sock, head_len, deadline)))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise WireError(f"bad header: {type(e).__name__}") from None
    if not isinstance(header, dict):
        raise WireError("header is not an object")
    buffers = []
    for _ in range(count):
        (n,) = _LEN.unpack(_recv_exact(sock, _LEN.size, deadline))
        total += n
        if max_bytes is not None and total > max_bytes:
            raise WireError(f"frame larger than {max_bytes} bytes")
        buffers.append(_recv_exact(sock, n, deadline))
    return header, buffers


# --- the zygote's control channel: small JSON messages, with file descriptors ----------------------------------------


def send_control(sock: socket.socket, message: dict, fds=()) -> None:
    data = json.dumps(message).encode()
    data = struct.pack("!I", len(data)) + data
    sent = socket.send_fds(sock, [data], list(fds)) if fds else sock.send(data)
    if sent < len(data):
        sock.sendall(data[sent:])


def recv_control(sock: socket.socket, timeout: float | None = None) -> tuple[dict | None, list]:
    """One message and the file descriptors sent with it; ``(None, [])`` at end of file."""
    sock.settimeout(timeout)
    data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 8)
    if not data:
        return None, fds
    while len(data) < 4:
        more = sock.recv(4 - len(data))
        if not more:
            return None, fds
        data += more
    (size,) = struct.unpack("!I", data[:4])
    data = data[4:]
    while len(data) < size:
        more = sock.recv(size - len(data))
        if not more:
            return None, fds
        data += more
    return json.loads(data), fds


# --- plain values: child → parent ---------------------------------------------------------------------------------------


class TooLarge(Exception):
    pass


def encode(value, buffers: list, keep, budget: list | None = None, depth: int = 0):
    """A JSON-able description of ``value`` (child side).  Arrays go to ``buffers``; anything that is not plain data
    is given to ``keep`` (which stores it and returns its handle id) and sent as a handle.

    Student subclasses of ``int``/``float``/``str``/``list``/``ndarray``… are converted to the plain base types, so an
    overridden ``__eq__`` (or anything else) never leaves the child."""
    budget = [10_000_000] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise TooLarge("more than 10 million values in one result")
    if depth > MAX_DEPTH:
        return _handle(value, keep)
    t = type(value)
    if value is None or t is bool or t is str:
        return value if t is not str else _string(value, budget)
    if t is int:
        return value if -(2**63) <= value < 2**63 else {"t": "bigint", "v": str(value)}
    if t is float:
        return value if math.isfinite(value) else {"t": "float", "v": repr(value)}
    if isinstance(value, np.generic):
        return _scalar(value, buffers, keep)
    if isinstance(value, np.ndarray):
        return _array(np.array(value, copy=True, subok=False), buffers, keep, budget, depth)
    if isinstance(value, bool):  # subclasses of the plain types: keep their plain value only
        return bool.__bool__(value)  # pragma: no cover (bool cannot be subclassed)
    if isinstance(value, int):
        return encode(int.__int__(value), buffers, keep, budget, depth)
    if isinstance(value, float):
        return encode(float.__float__(value), buffers, keep, budget, depth)
    if isinstance(value, str):
        return _string(str.__str__(value), budget)
    if isinstance(value, complex):
        value = complex(float(value.real), float(value.imag))
        return {"t": "complex", "re": repr(value.real), "im": repr(value.imag)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        buffers.append(bytes(value))
        return {"t": "bytes", "b": len(buffers) - 1}
    if isinstance(value, (list, tuple, set, frozenset)):
        base = next(b for b in (list, tuple, set, frozenset) if isinstance(value, b))
        items = list(base.__iter__(value))
        if len(items) > budget[0]:
            raise TooLarge(f"a {base.__name__} of {len(items)} items")
        encoded = [encode(v, buffers, keep, budget, depth + 1) for v in items]
        return encoded if base is list else {"t": base.__name__, "v": encoded}
    if isinstance(value, dict):
        items = list(dict.items(value))
        if len(items) > budget[0]:
            raise TooLarge(f"a dict of {len(items)} items")
        return {
            "t": "dict",
            "v": [
                [encode(k, buffers, keep, budget, depth + 1), encode(v, buffers, keep, budget, depth + 1)]
                for k, v in items
            ],
        }
    array = _as_array(value)
    if array is not None:
        return _array(array, buffers, keep, budget, depth)
    return _handle(value, keep)


def _string(s: str, budget):
    budget[0] -= len(s) // 64
    if budget[0] < 0:
        raise TooLarge("a string too long to send")
    return s


def _scalar(value, buffers, keep):
    dtype = value.dtype
    if dtype.kind not in SAFE_KINDS or dtype.fields is not None:
        return _handle(value, keep)
    buffers.append(np.array(value).tobytes())
    return {"t": "scalar", "dtype": dtype.str, "b": len(buffers) - 1}


def _array(array: np.ndarray, buffers, keep, budget, depth):
    dtype = array.dtype
    if dtype.kind == "O":
        if array.size > budget[0]:
            raise TooLarge(f"an object array of {array.size} items")
        items = [encode(v, buffers, keep, budget, depth + 1) for v in array.ravel().tolist()]
        return {"t": "objects", "shape": list(array.shape), "v": items}
    if dtype.kind not in SAFE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        return _handle(array, keep)
    buffers.append(np.ascontiguousarray(array).tobytes())
    return {"t": "array", "dtype": dtype.str, "shape": list(array.shape), "b": len(buffers) - 1}


_TENSOR_MODULES = ("tensorflow", "keras", "jax", "jaxlib", "torch")


def _as_array(value):
    """Backend tensors and Keras variables (and anything with ``__array__``) as a NumPy array, or None."""
    module = getattr(type(value), "__module__", "") or ""
    try:
        if module.split(".")[0] in _TENSOR_MODULES:
            import sys

            if "keras" in sys.modules:
                try:
                    from keras import ops

                    array = np.asarray(ops.convert_to_numpy(value))
                    if array.dtype.kind != "O":
                        return array
                except Exception:  # noqa: BLE001 — not a tensor after all (a model, a layer): a handle
                    pass
        if hasattr(type(value), "__array__"):
            array = np.asarray(value)
            return array if isinstance(array, np.ndarray) and array.dtype.kind != "O" else None
    except Exception:  # noqa: BLE001
        return None
    return None


def _handle(value, keep):
    try:
        kind = f"{type(value).__module__}.{type(value).__qualname__}"
    except Exception:  # noqa: BLE001
        kind = "object"
    return {"t": "handle", "id": keep(value), "type": str(kind)[:120]}


# --- decoding in the parent: only what encode() produces ------------------------------------------------------------------


def decode(node, buffers: list, make_handle, depth: int = 0):
    """The parent's reconstruction of an :func:`encode` description: plain values, NumPy arrays of safe dtypes, and
    ``make_handle(id, type)`` for handles.  Anything else is a :class:`WireError`."""
    if depth > MAX_DEPTH + 2:
        raise WireError("nesting too deep")
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [decode(v, buffers, make_handle, depth + 1) for v in node]
    if not isinstance(node, dict):
        raise WireError(f"unexpected {type(node).__name__}")
    tag = node.get("t")
    if tag == "bigint":
        return int(_str(node, "v"))
    if tag == "float":
        return float(_str(node, "v"))
    if tag == "complex":
        return complex(float(_str(node, "re")), float(_str(node, "im")))
    if tag == "bytes":
        return bytes(_buffer(node, buffers))
    if tag in ("tuple", "set", "frozenset"):
        items = [decode(v, buffers, make_handle, depth + 1) for v in _list(node, "v")]
        try:
            return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
        except TypeError as e:  # unhashable items in a set
            raise WireError(f"bad {tag}: {e}") from None
    if tag == "dict":
        out = {}
        for pair in _list(node, "v"):
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("bad dict item")
            key = decode(pair[0], buffers, make_handle, depth + 1)
            try:
                out[key] = decode(pair[1], buffers, make_handle, depth + 1)
            except TypeError as e:
                raise WireError(f"bad dict key: {e}") from None
        return out
    if tag == "scalar":
        dtype = _dtype(node)
        data = _buffer(node, buffers)
        if len(data) != dtype.itemsize:
            raise WireError("scalar size mismatch")
        return np.frombuffer(bytes(data), dtype)[0]
    if tag == "array":
        dtype, shape = _dtype(node), _shape(node)
        data = _buffer(node, buffers)
        if len(data) != dtype.itemsize * math.prod(shape):
            raise WireError("array size mismatch")
        return np.frombuffer(data, dtype).reshape(shape) if len(data) else np.zeros(shape, dtype)
    if tag == "objects":
        shape = _shape(node)
        items = [decode(v, buffers, make_handle, depth + 1) for v in _list(node, "v")]
        if len(items) != math.prod(shape):
            raise WireError("object array size mismatch")
        out = np.empty(len(items), dtype=object)
        for i, item in enumerate(items):  # one by one: NumPy must not look into the items
            out[i] = item
        return out.reshape(shape)
    if tag == "handle":
        ident = node.get("id")
        if type(ident) is not int:
            raise WireError("bad handle")
        return make_handle(ident, clean_text(_str(node, "type"), 120))
    raise WireError(f"unknown tag {str(tag)[:20]!r}")


def _str(node, key) -> str:
    v = node.get(key)
    if not isinstance(v, str) or len(v) > 10_000:
        raise WireError(f"bad {key}")
    return v


def _list(node, key) -> list:
    v = node.get(key)
    if not isinstance(v, list):
        raise WireError(f"bad {key}")
    return v


def _buffer(node, buffers):
    i = node.get("b")
    if type(i) is not int or not 0 <= i < len(buffers):
        raise WireError("bad buffer index")
    return buffers[i]


def _dtype(node) -> np.dtype:
    text = _str(node, "dtype")
    if len(text) > 16:
        raise WireError("bad dtype")
    try:
        dtype = np.dtype(text)
    except TypeError:
        raise WireError(f"bad dtype {text!r}") from None
    if dtype.kind not in SAFE_KINDS or dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise WireError(f"unsafe dtype {text!r}")
    return dtype


def _shape(node) -> tuple:
    shape = _list(node, "shape")
    if len(shape) > 32 or not all(type(n) is int and 0 <= n < 2**40 for n in shape):
        raise WireError("bad shape")
    return tuple(shape)


def clean_text(text: str, limit: int) -> str:
    """Untrusted text for a table or a message: printable, one line, bounded."""
    text = "".join(c if c.isprintable() else " " for c in str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"
