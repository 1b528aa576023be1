import re

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from qihub.catalog.identifiers import (
    INDUSTRY_CODES,
    PROVINCE_CODES,
    IdentifierError,
    _normalise,
    _parse,
    _parse_common,
    normalise,
    parse,
)


@pytest.mark.parametrize(
    ("text", "canonical", "level", "nature"),
    [
        ("GB/T 1.1-2020", "GB/T 1.1-2020", "national", "recommended"),
        ("GB 2763-2021", "GB 2763-2021", "national", "mandatory"),
        ("GB/Z 41275.1-2022", "GB/Z 41275.1-2022", "national", "guidance"),
        ("GB/T 20000.1—2014", "GB/T 20000.1-2014", "national", "recommended"),
        ("ISO 9001:2015", "ISO 9001:2015", "international", "voluntary"),
        ("ISO/IEC 17025:2017", "ISO/IEC 17025:2017", "international", "voluntary"),
        ("IEC 60335-2-9:2019", "IEC 60335-2-9:2019", "international", "voluntary"),
        ("ISO/DIS 21448", "ISO/DIS 21448", "international", "voluntary"),
        (
            "ISO 14971:2019/Amd 1:2021",
            "ISO 14971:2019/Amd 1:2021",
            "international",
            "voluntary",
        ),
        (
            "iso 14971:2019/AMD1:2021",
            "ISO 14971:2019/Amd 1:2021",
            "international",
            "voluntary",
        ),
        ("DB51/T 2872-2022", "DB51/T 2872-2022", "local", "recommended"),
        ("DB11/ 501-2017", "DB11/ 501-2017", "local", "mandatory"),
        ("DB11/501—2017", "DB11/ 501-2017", "local", "mandatory"),
        ("DB11 501-2017", "DB11/ 501-2017", "local", "mandatory"),
        ("DB5101/T 69-2020", "DB5101/T 69-2020", "local", "recommended"),
        ("DB 51/T 2872-2022", "DB51/T 2872-2022", "local", "recommended"),
        ("DB/T 12-2019", "DB/T 12-2019", "industry", "recommended"),
        ("JB/T 10000-2005", "JB/T 10000-2005", "industry", "recommended"),
        ("YY 0505-2012", "YY 0505-2012", "industry", "mandatory"),
        ("T/CAS 115-2005", "T/CAS 115-2005", "group", "voluntary"),
        ("Q/HBJ 01-2021", "Q/HBJ 01-2021", "enterprise", "voluntary"),
        ("GB/T 1.1", "GB/T 1.1", "national", "recommended"),
        ("ＧＢ／Ｔ　１．１－２０２０", "GB/T 1.1-2020", "national", "recommended"),
        ("  gb/t   1.1 – 2020 ", "GB/T 1.1-2020", "national", "recommended"),
        ("JJG(冀) 121-2015", "JJG(冀) 121-2015", "local", "mandatory"),
        ("JJG（冀）121—2015", "JJG(冀) 121-2015", "local", "mandatory"),
        ("JJF 1059.1-2012", "JJF 1059.1-2012", "national", "recommended"),
        ("ISO/TR 7035-2:2024", "ISO/TR 7035-2:2024", "international", "voluntary"),
        (
            "ISO/IEC TR 29110-1:2016",
            "ISO/IEC TR 29110-1:2016",
            "international",
            "voluntary",
        ),
        (
            "IEC 60335-1:2010+AMD1:2013",
            "IEC 60335-1:2010+AMD1:2013",
            "international",
            "voluntary",
        ),
        ("ISO Guide 35:2017", "ISO Guide 35:2017", "international", "voluntary"),
        ("ITU-T X.509", "ITU-T X.509", "international", "voluntary"),
    ],
)
def test_parses_customary_spellings(text, canonical, level, nature):
    ident = parse(text)
    assert ident.canonical == canonical
    assert ident.level == level
    assert ident.nature == nature


def test_double_number_of_identical_adoption():
    ident = parse("GB/T 19001-2016/ISO 9001:2015")
    assert ident.primary.canonical == "GB/T 19001-2016"
    assert ident.adopted.canonical == "ISO 9001:2015"
    assert ident.canonical == "GB/T 19001-2016/ISO 9001:2015"
    assert ident.key == "GB/T19001-2016"


def test_undated_identifier_shares_base_key_with_editions():
    assert parse("GB/T 1.1").base_key == parse("GB/T 1.1-2020").base_key == "GB/T1.1"
    assert not parse("GB/T 1.1").dated
    assert parse("GB/T 1.1-2009").key != parse("GB/T 1.1-2020").key


@pytest.mark.parametrize(
    ("text", "part", "fragment"),
    [
        ("", "identifier", "empty"),
        ("XYZ 12-2020", "prefix", "Unknown prefix 'XYZ'"),
        ("GB/T abc-2020", "number", "'abc'"),
        ("GB/T", "number", "missing"),
        ("DB99/T 1-2020", "province", "'99'"),
        ("GB/T 1.1-2020x", "year", "2020x"),
        ("ISO 9001:15", "year", "'15'"),
        ("ISO/XYZ 12", "stage", "'XYZ'"),
        ("T/ 12", "prefix", "group code"),
        ("IEC 60335-:2019", "number", "incomplete"),
        ("GB/T 19001-2016/XYZ 9001", "adopted", "international"),
        ("ISO 9001:2015 extra", "trailing", "extra"),
    ],
)
def test_errors_name_the_wrong_part(text, part, fragment):
    with pytest.raises(IdentifierError) as excinfo:
        parse(text)
    assert excinfo.value.part == part
    assert fragment in str(excinfo.value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "XYZ 12-2020",
        "GB/T abc-2020",
        "GB/T",
        "GB/T 1.1a-2020",
        "DB99/T 1-2020",
        "T/ 12",
        "Q/ 12",
        "GB/T 1.1-2020x",
        "GB/T 1-202",
        "GB/T 1-1800",
        "GB/T 1.1-2020 x",
        "GB/T 19001-2016/XYZ 9001",
        "GB/T 19001-2016/ISO 9001:2015 x",
        "ISO/XYZ 12",
        "ISO",
        "ISO abc",
        "IEC 60335-:2019",
        "ITU-T Q",
    ],
)
def test_errors_are_translated(text):
    """Import and form errors quote the parser: in Chinese for Chinese users."""
    with translation.override("zh-hans"), pytest.raises(IdentifierError) as excinfo:
        parse(text)
    # Without the quoted input and ISO's deliverable "Guide", no English.
    message = re.sub(r"'[^']*'|Guide", "", excinfo.value.message)
    assert re.search("[\u4e00-\u9fff]", message)
    assert not re.search("[a-z]{3,}", message), message


# --- round trips ------------------------------------------------------------

years = st.one_of(st.none(), st.integers(min_value=1950, max_value=2099))
cn_numbers = st.builds(
    lambda main, parts: ".".join([str(main), *map(str, parts)]),
    st.integers(min_value=1, max_value=99999),
    st.lists(st.integers(min_value=1, max_value=99), max_size=2),
)
cn_prefixes = st.one_of(
    st.sampled_from(["GB", "GB/T", "GB/Z"]),
    st.builds(
        lambda c, s: c + s,
        st.sampled_from(sorted(INDUSTRY_CODES)),
        st.sampled_from(["", "/T"]),
    ).filter(lambda p: p != "DB"),  # "DB 11" is local (DB11); seismology is DB/T
    st.builds(
        lambda p, s: f"DB{p}{s}" if s else f"DB{p}/",
        st.sampled_from(sorted(PROVINCE_CODES)),
        st.sampled_from(["", "/T"]),
    ),
    st.builds(lambda c: f"T/{c}", st.from_regex(r"[A-Z]{2,6}", fullmatch=True)),
    st.builds(lambda c: f"Q/{c}", st.from_regex(r"[A-Z]{2,6}", fullmatch=True)),
)
intl = st.builds(
    lambda pub, typ, num, parts, year: (
        f"{pub}{typ} {num}{''.join(f'-{p}' for p in parts)}"
        + (f":{year}" if year else "")
    ),
    st.sampled_from(["ISO", "IEC", "ISO/IEC"]),
    st.sampled_from(["", "/TR", "/TS"]),
    st.integers(min_value=1, max_value=99999),
    st.lists(st.integers(min_value=1, max_value=30), max_size=2),
    years,
)


def _cn(prefix, number, year):
    return f"{prefix} {number}" + (f"-{year}" if year else "")


@given(st.builds(_cn, cn_prefixes, cn_numbers, years))
def test_chinese_round_trip(text):
    ident = parse(text)
    assert parse(ident.canonical) == ident
    assert ident.canonical == text


def _messy(text: str) -> str:
    full = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    return "  " + full.replace("-", "—").replace(" ", "\u3000 ") + " "


@given(st.builds(_cn, cn_prefixes, cn_numbers, years))
def test_messy_spellings_normalise_to_the_same_identifier(text):
    assert parse(_messy(text)) == parse(text)


@given(intl)
def test_international_round_trip(text):
    ident = parse(text)
    assert parse(ident.canonical) == ident
    assert parse(ident.canonical.lower()) == ident


@given(st.text(max_size=30))
def test_never_crashes_on_arbitrary_text(text):
    try:
        ident = parse(text)
    except IdentifierError:
        return
    assert parse(ident.canonical) == ident


@given(st.text(alphabet=" /-:+()ABGT019\u3000\uff0f\u2014\t", max_size=20))
def test_normalise_shortcut_agrees_with_the_full_folding(text):
    # normalise() returns plain text as it is without running every rule.
    assert normalise(text) == _normalise(text)


# --- the common-shape shortcut ------------------------------------------------

shortcut_texts = st.one_of(
    st.builds(_cn, cn_prefixes, cn_numbers, years),
    intl,
    # near misses: odd prefixes, separators, numbers and years
    st.from_regex(
        r"(GB|GBW|GB/T|GB/X|DB|DB/T|DB11|DB5101/T|DB99/T|DB11/|JB/T|XX/T|T/CAS|T/|Q/"
        r"|ISO|IEC|ISO/IEC|ISO/TR|ISO/DIS|ITU|JJG) [0-9]{1,5}([.\-][0-9]{1,2}){0,2}"
        r"[\-:][0-9]{4}",
        fullmatch=True,
    ),
)


@given(shortcut_texts)
def test_common_shape_shortcut_agrees_with_the_full_grammar(text):
    s = normalise(text)
    fast = _parse_common(s)
    try:
        full = _parse(s, text)
    except IdentifierError:
        assert fast is None
        return
    assert fast is None or fast == full


@pytest.mark.parametrize(
    "text",
    [
        "GB/T 19001-2016",
        "ISO 9001:2015",
        "IEC 60335-2-9:2019",
        "T/CAS 115-2005",
        "DB51/T 2872-2022",
        "DB5101/T 69-2020",
        "Q/HBJ 01-2021",
        "JB/T 1-1999",
    ],
)
def test_common_shapes_take_the_shortcut(text):
    assert _parse_common(text) == _parse(text, text)


@given(intl)
def test_base_key_is_the_undated_identifiers_key(text):
    ident = parse(text)
    assert ident.base_key == ident.undated.canonical.replace(" ", "").upper()
