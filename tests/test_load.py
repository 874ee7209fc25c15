"""The strict loader: what editors type stays what they typed."""

import yaml
from duban.records import load
from duban.records.load import MAX_BYTES, load_bytes, load_file


def test_uses_libyaml_c_parser():
    # a silent fallback to the pure-Python parser would be ~7x slower
    assert load.CParser is yaml.cyaml.CParser
    assert issubclass(load._Parser, yaml.cyaml.CParser)


def test_yaml_11_implicit_types_stay_strings():
    data = load_bytes(
        b"a: yes\nb: NO\nc: on\nd: off\ne: 0755\nf: 1:30\ng: 2.10\nh: 1e3\ni: 0x1F\n", "x.yaml"
    ).data
    assert data == {"a": "yes", "b": "NO", "c": "on", "d": "off", "e": "0755", "f": "1:30",
                    "g": "2.10", "h": "1e3", "i": "0x1F"}


def test_core_scalars_are_typed():
    data = load_bytes(b"n: 42\nm: -3\nt: true\nf: False\nz: ~\ne:\n", "x.yaml").data
    assert data == {"n": 42, "m": -3, "t": True, "f": False, "z": None, "e": None}


def test_unquoted_dates_become_iso_strings():
    data = load_bytes(b"due: 2023-12-31\nleap: 2024-02-29\n", "x.yaml").data
    assert data == {"due": "2023-12-31", "leap": "2024-02-29"}


def test_impossible_date_is_located():
    result = load_bytes(b"id: a\nlist:\n  - 2023-01-01\n  - 2023-02-29\n", "x.yaml")
    [problem] = result.problems
    assert (problem.line, problem.column, problem.field) == (4, 5, "list[1]")
    assert "2023-02-29 不存在" in problem.message


def test_duplicate_key_names_both_lines_even_when_nested():
    result = load_bytes(b"id: a\ntiming:\n  mode: x\n  due: 2024-01-01\n  mode: y\n", "x.yaml")
    [problem] = result.problems
    assert (problem.line, problem.field) == (5, "timing.mode")
    assert "第 3 行和第 5 行" in problem.message


def test_crlf_and_bom_are_fine():
    result = load_bytes("\ufeffid: a\r\nname: 甲\r\n".encode("utf-8"), "x.yaml")
    assert result.problems == [] and result.data == {"id": "a", "name": "甲"}


def test_gbk_reports_line_of_first_bad_byte():
    data = "id: a\nname: b\ntitle: 中文标题\n".encode("gbk")
    [problem] = load_bytes(data, "x.yaml").problems
    assert (problem.line, problem.column) == (3, 8)
    assert "GBK" in problem.message and "UTF-8" in problem.message


def test_non_gbk_garbage_says_utf8_only():
    [problem] = load_bytes(b"id: a\nname: \xff\xfe\xfa\n", "x.yaml").problems
    assert problem.line == 2 and "不是 UTF-8" in problem.message and "GBK" not in problem.message


def test_anchor_without_alias_is_refused():
    [problem] = load_bytes(b"id: a\nname: &x b\n", "x.yaml").problems
    assert problem.line == 2 and "锚点" in problem.message


def test_star_inside_text_is_not_an_alias():
    result = load_bytes("id: a\ntext: 完成率*100% & 合格\n".encode(), "x.yaml")
    assert result.problems == [] and result.data["text"] == "完成率*100% & 合格"


def test_tab_inside_value_is_fine_but_not_as_indent():
    assert load_bytes(b'id: a\ntext: "a\tb"\n', "x.yaml").problems == []
    [problem] = load_bytes(b"id: a\nlist:\n  - a\n \t- b\n", "x.yaml").problems
    assert (problem.line, problem.column) == (4, 2)


def test_oversized_file_is_refused_without_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"id: a\ntext: " + b"x" * MAX_BYTES + b"\n")
    result = load_file(path, "big.yaml")
    [problem] = result.problems
    assert result.data is None and problem.line == 1 and "1 MiB" in problem.message


def test_locating_a_field_after_the_fact():
    result = load_bytes(b"id: a\ntiming:\n  mode: x\n  due: 2024-01-01\nunits: [a, b, c]\n", "x.yaml")
    assert result.where(("timing", "due")) == (4, 8)
    assert result.where(("units", 2)) == (5, 15)
    assert result.where(("timing", "missing")) == (3, 3)  # falls back to the parent mapping
    assert result.where(("timing",), key=True) == (2, 1)
