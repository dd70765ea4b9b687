"""``guidelines agreement FILE``: figures of a file with no database, no content repository."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from guidelines_app.cli import main

SCRIPT = Path(sys.executable).with_name("guidelines")

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 observers, 12 units.
KRIPPENDORFF_2011 = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def write_reference(path: Path) -> Path:
    lines = ["item,annotator,label"]
    for annotator, values in KRIPPENDORFF_2011.items():
        lines += [f"u{i},{annotator},{v}" for i, v in enumerate(values) if v is not None]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["agreement", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_script_in_an_empty_folder_reproduces_krippendorff_2011(tmp_path, level, expected):
    path = write_reference(tmp_path / "reliability.csv")
    out = subprocess.run(
        [str(SCRIPT), "agreement", path.name, "--level", level, "--json", "--bootstrap", "50"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert round(report["coefficients"][f"krippendorff_alpha_{level}"]["value"], 3) == expected
    assert report["counts"]["items"] == 12 and report["counts"]["annotations"] == 41
    assert report["format"] == "csv" and report["file"] == "reliability.csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reliability.csv"]  # no instance/


def test_json_has_every_coefficient_with_interval_and_counts(tmp_path):
    path = write_reference(tmp_path / "r.csv")
    code, out, _err = run(str(path), "--json", "--weights", "quadratic", "--bootstrap", "200")
    assert code == 0
    report = json.loads(out)
    for key in ("percent_agreement", "cohen_kappa_mean_pairwise", "fleiss_kappa", "gwet_ac1"):
        coefficient = report["coefficients"][key]
        assert coefficient["ci_low"] <= coefficient["value"] <= coefficient["ci_high"]
        assert coefficient["n_pairable_items"] == 11
    assert "gwet_ac2" in report["coefficients"]
    assert report["categories"] == [1, 2, 3, 4, 5]


def test_categories_fix_the_order_and_the_domain(tmp_path):
    path = tmp_path / "words.csv"
    rows = ["item,annotator,label"] + [
        f"i{i},{a},{label}"
        for i, labels in enumerate(
            [("low", "low"), ("high", "mid"), ("mid", "mid"), ("low", "mid")]
        )
        for a, label in zip("ab", labels, strict=True)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = run(
        str(path), "--json", "--categories", "low,mid,high,extreme", "--level", "ordinal"
    )
    assert code == 0
    report = json.loads(out)
    assert report["categories"] == ["low", "mid", "high", "extreme"]
    assert report["counts"]["categories"] == 4
    code, _out, err = run(str(path), "--level", "ordinal", "--bootstrap", "0")
    assert code == 2 and "order" in err


def test_human_output_is_a_readable_table(tmp_path):
    path = write_reference(tmp_path / "r.csv")
    code, out, _ = run(str(path), "--bootstrap", "20")
    assert code == 0
    assert "coefficient" in out and "krippendorff_alpha_nominal" in out and "0.743" in out
    assert "Per label:" in out and "Annotators:" in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"item,item,label\n1,a,b\n", "(line 1): duplicate column 'item'"),
        (b'{"item": "1", "annotator": "a", "label": Infinity}\n', "line 1"),
        (b'{"item": "1", "annotator": "a", "annotator": "b", "label": "x"}\n', "duplicate key"),
        (b"<html>not annotations</html>", "missing required column"),
        (b"\x00\x00binary\x00", "NUL bytes"),
    ],
)
def test_bad_files_exit_2_with_file_line_and_problem(tmp_path, content, expected):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    code, out, err = run(str(path), "--json")
    assert code == 2 and out == ""
    assert "bad.jsonl" in err and expected in err


def test_utf16_and_bom_files_are_read(tmp_path):
    text = write_reference(tmp_path / "r.csv").read_text(encoding="utf-8")
    (tmp_path / "u16.csv").write_bytes(text.encode("utf-16"))
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    for name in ("u16.csv", "bom.csv"):
        code, out, _ = run(str(tmp_path / name), "--json", "--bootstrap", "0")
        assert code == 0 and json.loads(out)["counts"]["annotations"] == 41


def test_gzip_is_inflated_and_a_truncated_one_refused(tmp_path):
    text = write_reference(tmp_path / "r.csv").read_bytes()
    (tmp_path / "r.csv.gz").write_bytes(gzip.compress(text))
    code, out, _ = run(str(tmp_path / "r.csv.gz"), "--json", "--bootstrap", "0")
    assert code == 0 and json.loads(out)["counts"]["items"] == 12
    (tmp_path / "cut.csv.gz").write_bytes(gzip.compress(text)[:-12])
    code, _out, err = run(str(tmp_path / "cut.csv.gz"))
    assert code == 2 and "gzip" in err


def test_several_dimensions_need_a_choice(tmp_path):
    path = tmp_path / "dims.jsonl"
    records = [
        {"item": str(i), "annotator": a, "label": lab, "dimension": dim}
        for i in range(4)
        for a in "ab"
        for dim, lab in (("tone", "x"), ("topic", "y" if i % 2 else "z"))
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    code, _out, err = run(str(path))
    assert code == 2 and "--dimension" in err and "tone" in err
    code, out, _ = run(str(path), "--dimension", "topic", "--json", "--bootstrap", "0")
    assert code == 0 and json.loads(out)["counts"]["annotations"] == 8


def test_missing_file_and_bad_options_exit_2(tmp_path):
    assert run(str(tmp_path / "nope.csv"))[0] == 2
    path = write_reference(tmp_path / "r.csv")
    assert run(str(path), "--level", "cardinal")[0] == 2
    assert run(str(path), "--categories", "1,1,2")[0] == 2
    code, _out, err = run(str(path), "--categories", "1,2", "--bootstrap", "0")
    assert code == 2 and "r.csv label: unknown label 3" in err


def test_several_labels_given_together_are_agreement_per_label(tmp_path):
    path = tmp_path / "multi.jsonl"
    given = {
        ("1", "a"): ["x", "y"],
        ("1", "b"): ["x"],
        ("2", "a"): ["y"],
        ("2", "b"): ["y"],
        ("3", "a"): ["x", "y"],
        ("3", "b"): ["x", "y"],
    }
    records = [
        {"item": item, "annotator": who, "label": label}
        for (item, who), labels in given.items()
        for label in labels
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    code, out, _ = run(str(path), "--json", "--bootstrap", "0")
    assert code == 0
    report = json.loads(out)
    assert report["kind"] == "multilabel"
    by_label = {entry["label"]: entry for entry in report["multilabel"]}
    assert by_label["x"]["percent_agreement"]["value"] == 1.0  # "no x" on item 2 agrees too
    assert by_label["y"]["percent_agreement"]["value"] == pytest.approx(2 / 3)


def test_span_files_give_span_f1_and_token_alpha(tmp_path):
    text = "Ada Lovelace met Charles Babbage in London."
    tasks = []
    for number, spans_b in enumerate([[(0, 12, "PER")], [(0, 3, "PER")]]):

        def result(spans):
            return [
                {
                    "from_name": "ner",
                    "to_name": "text",
                    "type": "labels",
                    "value": {"start": s, "end": e, "text": text[s:e], "labels": [lab]},
                }
                for s, e, lab in spans
            ]

        tasks.append(
            {
                "id": number,
                "data": {"text": text},
                "annotations": [
                    {"completed_by": 1, "result": result([(0, 12, "PER"), (36, 42, "LOC")])},
                    {"completed_by": 2, "result": result([*spans_b, (36, 42, "LOC")])},
                ],
            }
        )
    path = tmp_path / "spans.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    code, out, err = run(str(path), "--json", "--bootstrap", "0")
    assert code == 0, err
    report = json.loads(out)
    assert report["kind"] == "spans"
    coefficients = report["coefficients"]
    assert coefficients["span_f1_overlap_mean_pairwise"]["value"] == 1.0
    assert coefficients["span_f1_exact_mean_pairwise"]["value"] == pytest.approx(0.75)
    assert 0 < coefficients["span_token_alpha_nominal"]["value"] < 1


def test_column_names_are_configurable(tmp_path):
    path = tmp_path / "renamed.csv"
    path.write_text(
        "review,rater,sentiment\n1,a,pos\n1,b,pos\n2,a,neg\n2,b,pos\n", encoding="utf-8"
    )
    code, _out, err = run(str(path), "--bootstrap", "0")
    assert code == 2 and "missing required column" in err
    options = [
        "--column",
        "item=review",
        "--column",
        "annotator=rater",
        "--column",
        "label=sentiment",
    ]
    code, out, _ = run(str(path), *options, "--json", "--bootstrap", "0")
    assert code == 0 and json.loads(out)["counts"]["annotations"] == 4
    assert run(str(path), "--column", "item")[0] == 2


def test_a_gzip_bomb_stops_at_the_size_limit(tmp_path):
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(b"item,annotator,label\n" + b"0" * (32 * 1024 * 1024)))
    assert path.stat().st_size < 100_000
    code, out, err = run(str(path), "--max-bytes", str(1024 * 1024))
    assert code == 2 and out == ""
    assert "bomb.csv.gz" in err and "decompressed content is larger than the limit" in err


def test_a_100_mb_line_is_refused_with_its_line_number(tmp_path):
    path = tmp_path / "long.jsonl"
    with path.open("wb") as handle:
        handle.write(b'{"item": "1", "annotator": "a", "label": "x"}\n{"item": "')
        handle.write(b"9" * (100 * 1024 * 1024))
        handle.write(b'"}\n')
    code, _out, err = run(str(path))
    assert code == 2 and "long.jsonl (line 2): line is longer than the limit" in err


def test_numeric_labels_become_numbers_only_when_unambiguous():
    import pandas as pd

    from guidelines_app.services.annotations.compute import numeric_labels

    labels, categories = numeric_labels(pd.Series(["2", "10", "1"]), ["1", "2", "10"])
    assert labels.tolist() == [2, 10, 1] and categories == [1, 2, 10]
    assert numeric_labels(pd.Series(["0.5", "1"]), None)[0].tolist() == [0.5, 1.0]
    assert numeric_labels(pd.Series(["1", "01"]), None)[0].tolist() == ["1", "01"]
    assert numeric_labels(pd.Series(["1", "low"]), None)[0].tolist() == ["1", "low"]
    assert numeric_labels(pd.Series(["1", "2"]), ["1", "many"])[1] == ["1", "many"]


def test_a_relabelling_at_another_time_is_one_label_kept_not_a_multilabel_file(tmp_path):
    path = tmp_path / "again.csv"
    path.write_text(
        "item,annotator,label,created_at\n"
        "1,a,x,2024-01-01T10:00:00Z\n1,b,x,2024-01-01T10:00:00Z\n"
        "2,a,y,2024-01-01T10:00:00Z\n2,b,x,2024-01-01T10:00:00Z\n"
        "2,a,x,2024-01-02T10:00:00Z\n",  # a changed their mind: the later label counts
        encoding="utf-8",
    )
    code, out, _ = run(str(path), "--json", "--bootstrap", "0")
    assert code == 0
    report = json.loads(out)
    assert report["kind"] == "single"
    assert report["counts"]["duplicates_dropped"] == 1
    assert report["coefficients"]["percent_agreement"]["value"] == 1.0


def test_the_figures_read_only_the_columns_they_need():
    import pandas as pd

    from guidelines_app.services.annotations.compute import relevant_columns

    frame = pd.DataFrame(
        {
            "item": ["1"],
            "annotator": ["a"],
            "label": ["x"],
            "gold": [False],
            "start": pd.array([None], dtype="Int64"),
            "end": pd.array([None], dtype="Int64"),
            "span_text": [None],
        }
    )
    assert list(relevant_columns(frame)) == ["item", "annotator", "label", "gold"]
    frame.loc[0, ["start", "end"]] = [0, 4]
    assert list(relevant_columns(frame)) == ["item", "annotator", "label", "gold", "start", "end"]
