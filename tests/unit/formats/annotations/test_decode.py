import codecs
import gzip
import hashlib
import io
import tracemalloc

import pytest

from guidelines_app.domain.errors import InvalidInput, TooLarge
from guidelines_app.domain.formats.annotations import read_annotations

CSV = "item,annotator,label\nr1,zoë,café\n"


def labels(result):
    return result.annotations[["annotator", "label"]].values.tolist()


def test_utf8_bom_is_stripped_from_the_first_header():
    result = read_annotations(codecs.BOM_UTF8 + CSV.encode())
    assert labels(result) == [["zoë", "café"]]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom_are_decoded(encoding):
    data = CSV.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    assert labels(read_annotations(data)) == [["zoë", "café"]]


def test_utf16_without_bom_is_refused_as_nul_bytes():
    with pytest.raises(InvalidInput, match="NUL bytes"):
        read_annotations(CSV.encode("utf-16-le"))


def test_invalid_utf8_names_byte_offset_and_line():
    data = b"item,annotator,label\nr1,a,ok\nr2,b,caf\xe9\n"
    with pytest.raises(InvalidInput) as caught:
        read_annotations(data, filename="latin1.csv")
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == ("latin1.csv", 3)
    offset = data.index(b"\xe9")
    assert f"byte offset {offset}" in problem.message


def test_invalid_utf8_after_a_bom_counts_the_bom_in_the_offset():
    data = codecs.BOM_UTF8 + b"item,annotator,label\nr1,a,\xff\n"
    offset = data.index(b"\xff")
    with pytest.raises(InvalidInput, match=f"byte offset {offset}"):
        read_annotations(data)


@pytest.mark.parametrize("data", [b"", b"  \n\n "])
def test_empty_file_is_an_error(data):
    with pytest.raises(InvalidInput, match="empty"):
        read_annotations(data, filename="e.csv")


def test_gzip_input_is_decompressed_and_hashed_as_given():
    data = gzip.compress(CSV.encode())
    result = read_annotations(data, filename="a.csv.gz")
    assert labels(result) == [["zoë", "café"]]
    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_concatenated_gzip_members_are_all_read():
    data = gzip.compress(b"item,annotator,label\n") + gzip.compress(b"r1,a,x\n")
    assert labels(read_annotations(data)) == [["a", "x"]]


def test_gzip_bomb_is_too_large_while_streaming():
    bomb = gzip.compress(b"\0" * (64 * 2**20), compresslevel=9)
    assert len(bomb) < 2**20
    with pytest.raises(TooLarge, match="decompressed"):
        read_annotations(io.BytesIO(bomb), filename="bomb.gz", max_bytes=2**20)


def test_gzip_bomb_never_holds_much_more_than_the_cap_in_memory():
    bomb = gzip.compress(b"\0" * (64 * 2**20), compresslevel=9)
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            read_annotations(bomb, max_bytes=2**20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20


def test_truncated_gzip_is_an_error():
    data = gzip.compress(CSV.encode() * 100)
    with pytest.raises(InvalidInput, match="truncated"):
        read_annotations(data[: len(data) // 2])


def test_corrupt_gzip_is_an_error():
    data = bytearray(gzip.compress(CSV.encode() * 100))
    data[20:40] = b"\xff" * 20
    with pytest.raises(InvalidInput, match="corrupt gzip"):
        read_annotations(bytes(data))


def test_plain_input_over_max_bytes_is_too_large_from_bytes_and_streams():
    data = CSV.encode() * 100
    with pytest.raises(TooLarge):
        read_annotations(data, max_bytes=len(data) - 1)
    with pytest.raises(TooLarge):
        read_annotations(io.BytesIO(data), max_bytes=len(data) - 1)


def test_stream_input_gives_the_same_result_and_hash_as_bytes():
    data = CSV.encode()
    from_stream = read_annotations(io.BytesIO(data))
    assert labels(from_stream) == labels(read_annotations(data))
    assert from_stream.sha256 == hashlib.sha256(data).hexdigest()
