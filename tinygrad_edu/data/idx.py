"""The IDX file format (the format MNIST ships in): read and write it with numpy alone.

An IDX file is a tiny header followed by the raw array, every number big-endian::

    bytes 0-1   0x00 0x00              (magic, part 1: always zero)
    byte  2     type code              0x08 uint8, 0x09 int8, 0x0B int16,
                                       0x0C int32, 0x0D float32, 0x0E float64
    byte  3     ndim                   number of dimensions
    then ndim × 4 bytes                each dimension size, as a big-endian uint32
    then the data                      prod(shape) items of the type, row-major (C order)

So ``train-images-idx3-ubyte`` starts ``00 00 08 03  00 00 EA 60  00 00 00 1C  00 00 00 1C``:
uint8, 3 dimensions, shape (60000, 28, 28). Files whose name ends in ``.gz`` are
gzip-compressed; both are read and written transparently.

The file is parsed from its documented header with ``numpy.frombuffer`` — never
unpickled — so reading an untrusted file can at worst raise an error.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

PathLike = str | os.PathLike

# type code -> big-endian numpy dtype (the IDX spec, http://yann.lecun.com/exdb/mnist/)
_CODE_TO_DTYPE: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
# numpy dtype (native byte order) -> type code, for writing
_DTYPE_TO_CODE: dict[np.dtype, int] = {
    dt.newbyteorder("="): code for code, dt in _CODE_TO_DTYPE.items()
}


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when the name ends in ``.gz``."""
    if not path.is_file():
        raise FileNotFoundError(f"read_idx: no such file: {str(path)!r}")
    if path.suffix != ".gz":
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    # A cut-off download raises EOFError, a corrupted one zlib.error, and a file that
    # is not gzip at all BadGzipFile; other OSErrors (permissions) pass through as is.
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise ValueError(f"read_idx: {str(path)!r} is not a complete gzip file ({err})") from err


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file (optionally ``.gz``) into a numpy array of native byte order.

    The dtype follows the file's type code (MNIST images and labels are ``uint8``).
    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` for a wrong
    magic number, an unknown type code, or a file whose data is shorter or longer than
    its header promises.
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise ValueError(
            f"read_idx: {str(path)!r} is truncated: {len(raw)} bytes, "
            "but the IDX header alone needs at least 4"
        )
    zero, code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or code not in _CODE_TO_DTYPE:
        raise ValueError(
            f"read_idx: {str(path)!r} has magic number 0x{raw[:4].hex()}, which is not IDX: "
            "expected 0x0000, a type code in "
            f"{{{', '.join(f'0x{c:02x}' for c in _CODE_TO_DTYPE)}}}, then ndim"
        )
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise ValueError(
            f"read_idx: {str(path)!r} is truncated inside its header "
            f"({len(raw)} bytes, header of {ndim} dimensions needs {header_len})"
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header_len])
    dtype = _CODE_TO_DTYPE[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(raw) - header_len
    if found != expected:
        kind = "truncated" if found < expected else "longer than its header says"
        raise ValueError(
            f"read_idx: {str(path)!r} is {kind}: header says shape {shape} of {dtype.name} "
            f"({expected} bytes of data), found {found} bytes"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_len).reshape(shape)
    # Convert to native byte order; this also copies, so the result is writable.
    return data.astype(dtype.newbyteorder("="))


def write_idx(path: PathLike, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file (gzip-compressed when ``path`` ends in ``.gz``).

    Supported dtypes are the six IDX types: uint8, int8, int16, int32, float32, float64.
    Other dtypes raise ``TypeError`` rather than being converted silently (an int64
    label array would otherwise lose information without a word).
    """
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _DTYPE_TO_CODE:
        names = ", ".join(dt.name for dt in _DTYPE_TO_CODE)
        raise TypeError(f"write_idx: dtype {array.dtype} has no IDX type code; use one of {names}")
    if array.ndim > 255 or any(s >= 2**32 for s in array.shape):
        raise ValueError(f"write_idx: shape {array.shape} does not fit the IDX header")
    header = struct.pack(f">HBB{array.ndim}I", 0, _DTYPE_TO_CODE[native], array.ndim, *array.shape)
    payload = header + np.ascontiguousarray(array, dtype=native.newbyteorder(">")).tobytes()
    path = Path(path)
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as f:
            f.write(payload)
    else:
        path.write_bytes(payload)
