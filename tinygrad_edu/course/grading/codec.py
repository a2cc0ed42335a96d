"""The wire format between the grader and the submission's process: JSON frames.

Only plain data crosses: numbers, strings, None, lists, tuples, string-keyed dicts and
numeric numpy arrays (dtype, shape and base64 bytes). Never pickle: unpickling runs
code, so a submission that controls the bytes would control the grader.

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON. The
reader refuses frames over :data:`MAX_FRAME` bytes and anything it cannot decode, so
a submission that scribbles on the channel gets a :class:`ProtocolError`, not a crash
or a hang in the grader.

This module is imported by the child harness before the submission, so it depends on
nothing but the standard library and numpy.
"""

from __future__ import annotations

import base64
import json
import math
import os
import struct
from typing import Any

import numpy as np

MAX_FRAME = 64 * 1024 * 1024
MAX_DEPTH = 32
MAX_INT_DIGITS = 400  # far past any float64; a longer integer is refused, never parsed
MAX_NDIM = 32  # numpy's own limit is 64; an answer here never needs more
_ARRAY, _TUPLE, _DICT = "__ndarray__", "__tuple__", "__dict__"
_NUMERIC_KINDS = "biufc"  # bool, int, uint, float, complex


class ProtocolError(Exception):
    """A frame could not be read or decoded."""


class EncodeError(TypeError):
    """A value has no wire form (a function, a string array, an arbitrary object...)."""


def encode(value: Any, _depth: int = 0) -> Any:
    """A JSON-ready form of ``value``; raise :class:`EncodeError` naming what is wrong."""
    if _depth > MAX_DEPTH:
        raise EncodeError(f"value is nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, np.generic):
        if isinstance(value, float):
            return float(value)
        if abs(int(value)).bit_length() > MAX_INT_DIGITS * 3:  # ~ 0.3 digits per bit
            bits = abs(int(value)).bit_length()
            raise EncodeError(f"an integer too large to compare ({bits} bits)")
        return int(value)
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        if arr.dtype.kind not in _NUMERIC_KINDS or arr.dtype.hasobject:
            raise EncodeError(f"an array of dtype {arr.dtype} is not numeric")
        # tobytes(order="C") copies a non-contiguous view; ascontiguousarray would turn a
        # 0-d array into shape (1,).
        data = base64.b64encode(arr.tobytes(order="C")).decode("ascii")
        return {_ARRAY: {"dtype": arr.dtype.str, "shape": list(arr.shape), "data": data}}
    if isinstance(value, tuple):
        return {_TUPLE: [encode(v, _depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode(v, _depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise EncodeError("a dict with non-string keys")
        return {_DICT: {k: encode(v, _depth + 1) for k, v in value.items()}}
    raise EncodeError(f"an object of type {type(value).__name__}")


def decode(obj: Any, _depth: int = 0) -> Any:
    """Inverse of :func:`encode`; raise :class:`ProtocolError` on anything unexpected."""
    if _depth > MAX_DEPTH:
        raise ProtocolError("frame nested too deeply")
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [decode(v, _depth + 1) for v in obj]
    if isinstance(obj, dict) and len(obj) == 1:
        (tag, body), = obj.items()
        if tag == _TUPLE and isinstance(body, list):
            return tuple(decode(v, _depth + 1) for v in body)
        if tag == _DICT and isinstance(body, dict):
            return {str(k): decode(v, _depth + 1) for k, v in body.items()}
        if tag == _ARRAY and isinstance(body, dict):
            return _decode_array(body)
    raise ProtocolError(f"unexpected value in frame: {str(obj)[:80]}")


def _decode_array(body: dict[str, Any]) -> np.ndarray:
    try:
        dtype = np.dtype(str(body["dtype"]))
        shape = tuple(int(n) for n in body["shape"])
        raw = base64.b64decode(body["data"], validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"malformed array in frame: {exc}") from exc
    if dtype.kind not in _NUMERIC_KINDS or dtype.hasobject or any(n < 0 for n in shape) \
            or len(shape) > MAX_NDIM:
        raise ProtocolError(f"refusing array of dtype {dtype} and shape {shape[:MAX_NDIM]}")
    # Python integers: np.prod in int64 wraps around (2**62 * 4 == 0) and would let a
    # forged header with no data through to reshape.
    if len(raw) != math.prod(shape) * dtype.itemsize:
        raise ProtocolError("array data does not match its shape")
    try:
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    except ValueError as exc:  # belt and braces: the codec raises ProtocolError only
        raise ProtocolError(f"array data does not match its shape: {exc}") from exc


def dumps(message: Any) -> bytes:
    """One frame: length prefix + JSON of the encoded message."""
    payload = json.dumps(encode(message), separators=(",", ":")).encode("utf-8")
    if len(payload) > MAX_FRAME:
        raise EncodeError(f"message of {len(payload)} bytes exceeds {MAX_FRAME}")
    return struct.pack(">I", len(payload)) + payload


def write_frame(fd: int, message: Any) -> None:
    data = memoryview(dumps(message))
    while data:
        written = os.write(fd, data)
        data = data[written:]


def read_frame(fd: int) -> Any:
    """Blocking read of one frame from ``fd``; None at end of file (the peer is gone)."""
    header = _read_exact(fd, 4)
    if header is None:
        return None
    (size,) = struct.unpack(">I", header)
    if size > MAX_FRAME:
        raise ProtocolError(f"frame of {size} bytes exceeds {MAX_FRAME}")
    payload = _read_exact(fd, size)
    if payload is None:
        raise ProtocolError("channel closed in the middle of a frame")
    return loads(payload)


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise ProtocolError(f"an integer of {digits} digits")
    return int(text)


def loads(payload: bytes) -> Any:
    """One frame's message; :class:`ProtocolError` for anything else, never a crash."""
    try:
        return decode(json.loads(payload.decode("utf-8"), parse_int=_parse_int))
    except ProtocolError:
        raise
    except (ValueError, TypeError, RecursionError, OverflowError, MemoryError) as exc:
        # ValueError covers JSONDecodeError, UnicodeDecodeError and int conversion limits.
        raise ProtocolError(f"undecodable frame: {type(exc).__name__}: {str(exc)[:200]}") \
            from exc


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks: list[bytes] = []
    got = 0
    while got < n:
        chunk = os.read(fd, n - got)
        if not chunk:
            if got == 0:
                return None
            raise ProtocolError("channel closed in the middle of a frame")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


class FrameBuffer:
    """Incremental frame parser for the parent, which reads with a deadline (select)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> None:
        self._buf.extend(data)
        if len(self._buf) >= 4:
            (size,) = struct.unpack(">I", bytes(self._buf[:4]))
            if size > MAX_FRAME:
                raise ProtocolError(f"frame of {size} bytes exceeds {MAX_FRAME}")

    def pop(self) -> tuple[bool, Any]:
        """(True, message) if a whole frame is buffered, else (False, None)."""
        if len(self._buf) < 4:
            return False, None
        (size,) = struct.unpack(">I", bytes(self._buf[:4]))
        if len(self._buf) < 4 + size:
            return False, None
        payload = bytes(self._buf[4 : 4 + size])
        del self._buf[: 4 + size]
        return True, loads(payload)
