"""The personal-data guard: every way people write a mobile or ID-card number is caught,
ordinary dates, times, order numbers and counts are not."""

from __future__ import annotations

import datetime as dt
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dianchang_cli.records import pii

MOBILE = "13812345678"
ID = "110101199003074514"  # valid check digit
ID_X = "11010519491231002X"  # the GB 11643 example, check character X


def wide(text: str) -> str:
    """Full-width digits and X, as a Chinese input method types them."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


@pytest.mark.parametrize(("text", "kind"), [
    # mobiles, however written
    (MOBILE, "mobile"),
    (f"联系电话{MOBILE}", "mobile"),
    (f"tel{MOBILE}", "mobile"),
    ("139 1234 5678", "mobile"),
    ("138-1234-5678", "mobile"),
    ("138 - 1234 - 5678", "mobile"),
    ("138.1234.5678", "mobile"),
    ("138_1234_5678", "mobile"),
    ("138/1234/5678", "mobile"),
    ("138·1234·5678", "mobile"),
    ("138…1234…5678", "mobile"),  # NFKC: three dots
    ("138—1234—5678", "mobile"),
    ("138\u30001234\u30005678", "mobile"),  # ideographic space
    ("138\u00a01234\u00a05678", "mobile"),  # no-break space
    ("138\u200b1234\u200b5678", "mobile"),  # zero-width space
    ("1 3 8 1 2 3 4 5 6 7 8", "mobile"),
    (wide(MOBILE), "mobile"),
    (wide("138 1234 5678").replace(" ", "\u3000"), "mobile"),
    ("１３８－１２３４－５６７８", "mobile"),
    ("１３８．１２３４．５６７８", "mobile"),
    ("⑬⑧①②③④⑤⑥⑦⑧", "mobile"),  # circled numbers (NFKC)
    ("❶❸❽❶❷❸❹❺❻❼❽", "mobile"),  # dingbat digits (digit value only)
    ("١٣٨١٢٣٤٥٦٧٨", "mobile"),  # Arabic-Indic digits
    ("𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "mobile"),  # mathematical digits
    (f"+86{MOBILE}", "mobile"),
    (f"+86 {MOBILE}", "mobile"),
    ("+86-138-1234-5678", "mobile"),
    (f"0086{MOBILE}", "mobile"),
    ("0086 138 1234 5678", "mobile"),
    (f"86-{MOBILE}", "mobile"),
    (f"86{MOBILE}", "mobile"),
    (f"（+86）{MOBILE}", "mobile"),
    ("＋８６　１３８　１２３４　５６７８", "mobile"),
    (f"张三 {MOBILE}", "mobile"),
    (f"2023-05-12 {MOBILE}", "mobile"),
    (f"{MOBILE}\n", "mobile"),
    ("电话：\n138 1234\n5678", "mobile"),
    # ID cards
    (ID, "id-card"),
    (ID_X, "id-card"),
    (ID_X.lower(), "id-card"),
    ("110101 19900307 4514", "id-card"),
    ("110101-1990-0307-4514", "id-card"),
    ("110105 19491231 002X", "id-card"),
    ("110105 19491231 002 X", "id-card"),
    (wide(ID), "id-card"),
    (wide(ID_X), "id-card"),
    (f"身份证号：{ID}，已核实", "id-card"),
    (f"身份证{ID}", "id-card"),
    (f"{ID} {MOBILE}", "id-card"),
    # brackets, colons, commas and the like between the groups (records.md §4: any way
    # it is written)
    ("(138)1234-5678", "mobile"),
    ("（138）1234 5678", "mobile"),
    ("+86（138）12345678", "mobile"),
    ("[138] 1234 5678", "mobile"),
    ("【138】12345678", "mobile"),
    ("［138］1234-5678", "mobile"),
    ("138:1234:5678", "mobile"),
    ("１３８：１２３４：５６７８", "mobile"),
    ("138,1234,5678", "mobile"),
    ("138，1234，5678", "mobile"),
    ("138、1234、5678", "mobile"),
    ("138~1234~5678", "mobile"),
    ("138～1234～5678", "mobile"),
    ("138*1234*5678", "mobile"),
    # a valid check digit is all it takes, whatever birth date the digits would give
    ("110105202313010014", "id-card"),  # month 13
    ("110105180001010010", "id-card"),  # born 1800
    ("999999200002301232", "id-card"),  # 30 February
])
def test_caught(text: str, kind: str) -> None:
    assert pii.find_in_text(text) == kind
    assert pii.may_hold_pii(text.encode())
    masked = pii.redact(text)
    assert pii.find_in_text(masked) is None and "*" in masked


@pytest.mark.parametrize("text", [
    "2023-05-12 10:05",
    "2023-05-12 13:05",
    "2023-05-12T10:05:00+08:00",
    "2023-05-12 10:05:30.123456",
    "2023/5/12 13:05",
    "2023.05.12 19:59",
    "2023年5月12日 13时05分",
    "2023-10-15 2023-11-16 2023-12-17",
    "2023.10.15-2023.11.16",
    "2023-04-01 至 2023-04-30，共 13 次",
    "10:05",
    "13:05:59",
    "2023-Q3",
    "BJ-2023-0412-07",  # app order numbers
    "BJ-2023-1116-24",
    "BJ-2023-1512-345",
    "订单 213912345678",  # 12 digits: part of a longer number
    "138123456789",
    "12812345678",  # second digit 2: no mobile
    "10812345678",
    "0471-12345678",  # landline
    "(0471) 6123 4567",
    "400-138-1234",
    "110105194912310021",  # 18 digits, wrong check digit
    "110105 19491231 0021",
    "1110101199003074514",  # 19 digits
    "参与人数 136 人，志愿者 12 人，服务时长 13.5 小时",
    "evidence/dongyuan/2023-04-23-reading.jpg",
    "https://example.org/a/2023/04/23/13812.html",
    "第 1 3 8 期",
    "",
])
def test_not_caught(text: str) -> None:
    assert pii.find_in_text(text) is None
    assert pii.redact(text) == text


@pytest.mark.parametrize(("value", "hits"), [
    (13812345678, 1),  # a YAML int
    (13812345678.0, 1),  # a YAML float
    (1.3812345678e10, 1),
    (110101199003074514, 1),
    (36, 0),
    (2023, 0),
    (12.5, 0),
    (float("inf"), 0),
    (float("nan"), 0),
    (True, 0),
    (10 ** 400, 0),  # too long to be one number (and str() of it would be slow)
])
def test_numbers(value: object, hits: int) -> None:
    assert len(list(pii.scan({"x": value}))) == hits


def test_scan_finds_every_field_list_item_and_key() -> None:
    record = {"type": "好人典型事迹报送", "nominee": f"张三 {MOBILE}",
              "tags": ["a", "138 1234 5678", {"deep": [wide(ID)]}],
              MOBILE: "a key", "participants": 13812345678}
    found = dict(pii.scan(record))
    assert found == {("nominee",): "mobile", ("tags", 1): "mobile",
                     ("tags", 2, "deep", 0): "id-card", (MOBILE,): "mobile",
                     ("participants",): "mobile"}


@pytest.mark.parametrize(("data", "scanned"), [
    ("type: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\ntitle: 读书会\nparticipants: 36\n", False),
    ("title: 读书会\n", False),
    (f"summary: {MOBILE}\n", True),
    ("summary: 138 1234 5678\n", True),
    (f"summary: {wide(MOBILE)}\n", True),  # 33 bytes of full-width digits, no ASCII digit
    ("summary: ⑬⑧①②③④⑤⑥⑦⑧\n", True),
    ('summary: "\\uff11\\uff13"\n', True),  # an escape may spell any digit
    ("date: 2023-04-23\npublished_at: 2023-04-23 10:05\n", False),  # 10 digits in a row
    ("date: 2023-04-23\ntitle: 读书会·第二期\npublished_at: 2023-04-23 10:05\n", False),
    ("tags:\n  - 138\n  - 1234\n  - 5678\n", True),  # a superset of what is matched
    ("summary: |\n  138 1234\n          5678\n", True),
    ("summary: 电话 138\u30001234\u30005678\n", True),
    ("summary: 电话 138·1234·5678\n", True),
    ("summary: 电话 138\u200b1234\u200b5678\n", True),
    ("app_order: BJ-2023-1116-24\n", False),
])
def test_prefilter(data: str, scanned: bool) -> None:
    assert pii.may_hold_pii(data.encode()) is scanned


def test_every_unicode_digit_is_normalised() -> None:
    """Each character that is, or NFKC-decomposes to, digits becomes ASCII digits, so
    neither the prefilter nor the matcher can be passed by a digit written another way."""
    missed = []
    for cp in range(0x80, sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        char = chr(cp)
        composed = unicodedata.normalize("NFKC", char)
        wanted = sum(unicodedata.digit(c, None) is not None for c in composed)
        if wanted and pii.digit_count(pii.normalise(char)) != wanted:
            missed.append(f"U+{cp:04X}")
    assert not missed, f"add these to pii._OTHER_DIGIT: {missed[:20]}"


def test_the_usual_characters_can_hide_no_digit() -> None:
    """The prefilter skips normalising a file whose non-ASCII characters are all "usual"
    (CJK ideographs, Chinese punctuation), having dropped every non-ASCII byte between the
    digits (so 、（）【】 may stand between them): none of them may be, or become, a
    digit."""
    usual = [chr(cp) for cp in range(0x80, sys.maxunicode + 1)
             if not 0xD800 <= cp <= 0xDFFF and not pii._UNUSUAL.match(chr(cp))]
    assert len(usual) > 20_000 and "读" in usual and "，" in usual and "１" not in usual
    for char in usual:
        composed = unicodedata.normalize("NFKC", char)
        assert not any(unicodedata.digit(c, None) is not None for c in composed), char


# ---------------------------------------------------------------- property-based
SEPARATORS = [" ", "-", ".", "_", "/", "·", "\u3000", "\u00a0", "\u200b", "\u2014", "－",
              "．", "\ufeff", "(", ")", "[", "]", ",", "~", "*", "、", "（", "）", "，", "【",
              "】", "～"]
CONTEXT = ["", "电话", "联系人张三：", "tel:", "手机号 ", "（", "身份证号：", "备注：", "nominee "]
AFTER = ["", "。", "，已核实", " 张三", "）", "\n"]


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    return "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9,
                                                                 max_size=9))


@st.composite
def id_cards(draw: st.DrawFn) -> str:
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
    serial = draw(st.text("0123456789", min_size=3, max_size=3))
    body = f"{region}{born:%Y%m%d}{serial}"
    total = sum(int(c) * w for c, w in zip(body, pii._WEIGHTS, strict=True))
    return body + pii._CHECK[total % 11]


@st.composite
def disguised(draw: st.DrawFn, number: str, prefixes: list[str]) -> str:
    """``number`` behind an optional prefix, digits maybe full-width, 0-3 separators
    between any two characters, in a sentence."""
    text = draw(st.sampled_from(prefixes)) + number
    out = []
    for i, char in enumerate(text):
        if draw(st.booleans()):
            char = wide(char)
        if char in "Xx" and draw(st.booleans()):
            char = "x"
        out.append(char)
        if i < len(text) - 1:
            out.extend(draw(st.lists(st.sampled_from(SEPARATORS), max_size=3)))
    return draw(st.sampled_from(CONTEXT)) + "".join(out) + draw(st.sampled_from(AFTER))


PREFIXES = ["", "+86", "+86 ", "0086", "0086-", "86-", "86 ", "+86-", "（+86）", "＋８６"]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_disguised_mobile_is_caught(data: st.DataObject) -> None:
    text = data.draw(disguised(data.draw(mobiles()), PREFIXES))
    assert pii.find_in_text(text) == "mobile", text
    assert pii.may_hold_pii(text.encode())
    assert list(pii.scan({"nominee": text})) == [(("nominee",), "mobile")]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_disguised_id_card_is_caught(data: st.DataObject) -> None:
    text = data.draw(disguised(data.draw(id_cards()), [""]))
    assert pii.find_in_text(text) == "id-card", text
    assert pii.may_hold_pii(text.encode())


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
       st.times(), st.integers(0, 100_000))
def test_dates_times_and_counts_are_not_personal_data(day: dt.date, time: dt.time,
                                                      count: int) -> None:
    for text in (day.isoformat(), f"{day} {time:%H:%M}", f"{day}T{time.isoformat()}+08:00",
                 f"{day.year}年{day.month}月{day.day}日 {time:%H:%M}",
                 f"{day:%Y/%m/%d} {time:%H:%M:%S}", f"参与 {count} 人", f"{day} {day}"):
        assert pii.find_in_text(text) is None, text


PREFILTER_CASES = [data for data, _scanned in [
    ("type: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\ntitle: 读书会\nparticipants: 36\n", 0),
    (f"summary: {MOBILE}\n", 1), ("summary: 138 1234 5678\n", 1),
    (f"summary: {wide(MOBILE)}\n", 1), ("summary: ⑬⑧①②③④⑤⑥⑦⑧\n", 1),
    ('summary: "\\uff11\\uff13"\n', 1), ("summary: 电话 138\u200b1234\u200b5678\n", 1),
    ("date: 2023-04-23\npublished_at: 2023-04-23 10:05\n", 0), ("138:", 0), ("1234", 0),
    ("5678", 0), (":1234567", 0), ("\u0307", 0), ("\xff\xfe", 0), ("1", 0)]]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PREFILTER_CASES), st.text(max_size=30),
                          st.text("0123456789 -:·、\n１３８", max_size=30)), max_size=8),
       st.lists(st.binary(max_size=6), max_size=2))
def test_a_group_is_clean_only_if_every_file_is(texts: list[str], raw: list[bytes]) -> None:
    """The one pass over a group of files (``dc check`` reads 64 at a time) says "none can
    hold resident data" only when the prefilter says so of each file: digits at the end of
    one file and the start of the next never add up to a number, nor hide one."""
    files = [text.encode("utf-8", "surrogatepass") for text in texts] + raw
    if pii.none_may_hold_pii(files):
        assert not any(pii.may_hold_pii(data) for data in files)


def test_a_group_holding_one_mobile_is_not_clean() -> None:
    clean = ("type: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\ntitle: 读书会\n"
             "participants: 36\n").encode()
    assert pii.none_may_hold_pii([clean] * 63)
    for split in (MOBILE[:5], "138 1234"):  # half a number in each of two files
        assert pii.none_may_hold_pii([clean, f"summary: {split}".encode(), clean])
    assert not pii.none_may_hold_pii([clean] * 30 + [f"# {MOBILE}\n".encode()] + [clean] * 30)
    assert not pii.none_may_hold_pii([clean, f"note: {wide(MOBILE)}\n".encode()])
