"""Personal data the validator refuses: ID numbers by checksum, mobiles in any form."""

import pytest
from duban.records.privacy import scan, scan_text
from stdnum.cn import ric

BASE17 = "35052119900307123"  # a made-up number: region, birth date, sequence


def _with_check_digit(base17: str) -> str:
    return base17 + ric.calc_check_digit(base17 + "0")


VALID_ID = _with_check_digit(BASE17)
WRONG_CHECK = BASE17 + ("0" if VALID_ID[-1] != "0" else "1")


def test_valid_checksum_is_refused_and_masked():
    [(kind, masked)] = list(scan_text(f"证件号{VALID_ID}。"))
    assert kind == "id-number"
    assert VALID_ID not in masked and masked.startswith("35") and masked.endswith(VALID_ID[-2:])


def test_wrong_check_digit_is_not_an_id_number():
    assert list(scan_text(f"档案号{WRONG_CHECK}")) == []


@pytest.mark.parametrize("written", [
    lambda n: n[:6] + " " + n[6:14] + " " + n[14:],
    lambda n: n[:6] + "-" + n[6:14] + "-" + n[14:],
    lambda n: n.lower(),
])
def test_id_number_written_other_ways(written):
    base = "11010519491231002"  # check digit X, so the lowercase form matters
    number = _with_check_digit(base)
    assert number.endswith("X")
    assert [k for k, _ in scan_text(written(number))] == ["id-number"]


@pytest.mark.parametrize("text", ["13905951234", "电话13905951234转", "139-0595-1234",
                                  "+86 139 0595 1234", "(+86)13905951234", "0086 139 0595 1234"])
def test_mobile_numbers_in_any_form(text):
    found = list(scan_text(text))
    assert found == [("mobile", "139****1234")]


@pytest.mark.parametrize("text", ["0595-22345678", "（0595）2234 5678", "12345热线", "2023年6月7日第46号",
                                  "工单20240301123456789"])
def test_not_personal(text):
    assert list(scan_text(text)) == []


def test_scan_walks_nested_values_and_unquoted_numbers():
    found = scan({"a": [{"note": "139 0595 1234"}], "phone": 13905951234, "count": 3})
    assert [(f.path, f.kind) for f in found] == [(("a", 0, "note"), "mobile"), (("phone",), "mobile")]
    assert all("13905951234" not in f.message for f in found)
