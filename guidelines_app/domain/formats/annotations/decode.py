"""Raw input to text: size caps, gzip inflated while streaming, BOMs, strict UTF-8.

The sha256 is of the bytes exactly as given (compressed, if the input was gzip), so
the same upload always has the same hash.
"""

from __future__ import annotations

import codecs
import hashlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from guidelines_app.domain.errors import InvalidInput, Problem, TooLarge

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class RawInput:
    data: bytes | bytearray
    sha256: str
    gzipped: bool


def _chunks(data: bytes | IO[bytes]) -> Iterator[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for start in range(0, len(view), _CHUNK):
            yield bytes(view[start : start + _CHUNK])
        return
    while True:
        chunk = data.read(_CHUNK)
        if not chunk:
            return
        yield chunk


def _too_large(filename: str, max_bytes: int, what: str) -> TooLarge:
    return TooLarge(f"{filename}: {what} is larger than the limit of {max_bytes:,} bytes")


def read_input(data: bytes | IO[bytes], *, filename: str, max_bytes: int) -> RawInput:
    """Read all of ``data``, inflating gzip on the fly; never holds more than ``max_bytes``."""
    hasher = hashlib.sha256()
    chunks = _chunks(data)
    first = next(chunks, b"")
    if not first:
        raise InvalidInput(problems=[Problem("the file is empty", path=filename)])
    if first.startswith(GZIP_MAGIC):
        return RawInput(
            _inflate(first, chunks, hasher, filename, max_bytes), hasher.hexdigest(), True
        )
    if isinstance(data, bytes) and len(data) <= max_bytes:
        hasher.update(data)
        return RawInput(data, hasher.hexdigest(), False)
    out = bytearray()
    for chunk in _prepend(first, chunks):
        hasher.update(chunk)
        out += chunk
        if len(out) > max_bytes:
            raise _too_large(filename, max_bytes, "the file")
    return RawInput(out, hasher.hexdigest(), False)


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _inflate(
    first: bytes, chunks: Iterator[bytes], hasher: Any, filename: str, max_bytes: int
) -> bytearray:
    out = bytearray()
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        for chunk in _prepend(first, chunks):
            hasher.update(chunk)
            pending = chunk
            while pending:
                # max_length bounds what one call may produce: a bomb stops at the cap.
                out += inflater.decompress(pending, max_bytes - len(out) + 1)
                if len(out) > max_bytes:
                    raise _too_large(filename, max_bytes, "the decompressed content")
                if inflater.eof:
                    pending = inflater.unused_data
                    if pending and not pending.startswith(GZIP_MAGIC):
                        if pending.strip(b"\x00"):
                            raise _bad_gzip(filename, "unexpected data after the gzip stream")
                        pending = b""
                    if pending:
                        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                else:
                    pending = inflater.unconsumed_tail
    except zlib.error as exc:
        raise _bad_gzip(filename, f"corrupt gzip data ({exc})") from None
    if not inflater.eof:
        raise _bad_gzip(filename, "the gzip stream is truncated")
    if not out:
        raise InvalidInput(problems=[Problem("the file is empty once decompressed", path=filename)])
    return out


def _bad_gzip(filename: str, message: str) -> InvalidInput:
    return InvalidInput(problems=[Problem(message, path=filename)])


def decode_text(raw: bytes | bytearray, *, filename: str) -> str:
    """Decode with the BOM's encoding (UTF-8/16/32), else strict UTF-8; errors name the byte."""
    encoding = "utf-8"
    for bom, name in _BOMS:
        if raw.startswith(bom):
            encoding = name
            break
    if encoding == "utf-8" and b"\x00" in raw[:4096]:
        raise InvalidInput(
            problems=[
                Problem(
                    "the file contains NUL bytes: binary, or UTF-16/32 without a byte order mark",
                    path=filename,
                )
            ]
        )
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0)
        line = raw.count(b"\n", 0, offset) + 1 if encoding.startswith("utf-8") else None
        label = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
        message = f"invalid {label} at byte offset {offset} ({exc.reason})"
        raise InvalidInput(problems=[Problem(message, path=filename, line=line)]) from None
    if not text.strip():
        raise InvalidInput(problems=[Problem("the file is empty", path=filename)])
    return text
