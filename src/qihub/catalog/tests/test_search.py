"""Catalogue search: segmentation, ranking bands, filters, both databases."""

import datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qihub.catalog.identifiers import parse
from qihub.catalog.models import Standard
from qihub.catalog.search import raw_index_ids, search_standards
from qihub.catalog.search_text import query_tokens, search_text_for
from qihub.catalog.tests.factories import StandardFactory


def make(identifier, title_zh="", title_en="", **kw):
    ident = parse(identifier)
    fields = {
        "ident_key": ident.key,
        "base_key": ident.base_key,
        "prefix": ident.prefix,
        "number": ident.number,
        "year": ident.year,
        "level": ident.level,
        "nature": ident.nature,
    }
    fields.update(kw)
    std = StandardFactory(
        identifier=identifier, title_zh=title_zh, title_en=title_en, **fields
    )
    # The factory bypasses the service; give it the same search document.
    std.search_text = search_text_for(
        identifier=identifier,
        title_zh=title_zh,
        title_en=title_en,
        level=std.level,
        year=std.year,
    )
    std.save(update_fields=["search_text"])
    return std


def ids(page):
    return [s.identifier for s in page.results]


def test_search_text_segments_chinese_and_identifier():
    text = search_text_for(
        identifier="GB/T 1.1-2020",
        title_zh="食品安全国家标准 食品添加剂使用标准",
        title_en="Food additives: Usage",
    ).split()
    for token in ("食品", "食品安全", "国家标准", "添加剂", "food", "additives"):
        assert token in text
    for token in ("gb", "t", "gbt", "1", "2020"):
        assert token in text


def test_full_width_title_letters_are_folded():
    doc = search_text_for(identifier="GB 1-2020", title_zh="ＬＥＤ灯具", title_en="")
    assert "led" in doc.split()


def test_query_tokens_fold_full_width_and_case():
    assert query_tokens("ＩＳＯ　９００１") == ["iso", "9001"]
    assert query_tokens("食品") == ["食品"]


@pytest.fixture(scope="module")
def jieba_loaded():
    """jieba's dictionary, loaded before a timed property test (two seconds
    inside its first example would exceed hypothesis's deadline)."""
    from qihub.catalog.search_text import segmenter

    segmenter()


@given(st.text(max_size=40))
@example("\ufada")  # an unassigned code point in the compatibility ideographs
def test_search_text_never_breaks(jieba_loaded, text):
    doc = search_text_for(identifier=text, title_zh=text, title_en=text)
    assert '"' not in doc
    assert all(tok.isalnum() for tok in doc.split())


@pytest.fixture
def catalogue(db):
    make(
        "GB 2760-2014",
        "食品安全国家标准 食品添加剂使用标准",
        "Standard for uses of food additives",
        year=2014,
    )
    make(
        "GB 2762-2022",
        "食品安全国家标准 食品中污染物限量",
        "Maximum levels of contaminants in foods",
    )
    make(
        "GB/T 1.1-2020",
        "标准化工作导则 第1部分：标准化文件的结构和起草规则",
        "Directives for standardization - Part 1",
    )
    make(
        "GB/T 1.1-2009",
        "标准化工作导则 第1部分：标准的结构和编写",
        "Directives for standardization - Part 1",
        status=Standard.Status.REPLACED,
    )
    make(
        "GB/T 19001-2016",
        "质量管理体系 要求",
        "Quality management systems - Requirements",
    )
    make(
        "GB/T 19004-2020",
        "质量管理 组织的质量 实现持续成功指南",
        "Quality management - Quality of an organization",
    )
    make("GB/T 20223-2006", "棉短绒", "Cotton linter", status=Standard.Status.WITHDRAWN)
    make(
        "ISO 9001:2015",
        "",
        "Quality management systems - Requirements",
        level=Standard.Level.INTERNATIONAL,
    )
    make(
        "DB51/T 2000-2015",
        "川菜烹饪 工艺规范",
        "Sichuan cuisine cooking",
        level=Standard.Level.LOCAL,
    )


def test_chinese_word_finds_longer_title(catalogue):
    page = search_standards(q="食品")
    assert set(ids(page)) == {"GB 2760-2014", "GB 2762-2022"}
    assert page.total == 2
    assert not page.total_is_estimate


def test_chinese_phrase_and_english_word(catalogue):
    assert ids(search_standards(q="食品添加剂")) == ["GB 2760-2014"]
    assert ids(search_standards(q="cotton")) == ["GB/T 20223-2006"]
    assert ids(search_standards(q="Contaminants")) == ["GB 2762-2022"]
    assert search_standards(q="nonexistentword").total == 0


def test_english_prefix_on_last_word_is_not_needed_for_full_words(catalogue):
    found = set(ids(search_standards(q="quality management")))
    assert found == {"GB/T 19001-2016", "GB/T 19004-2020", "ISO 9001:2015"}


@pytest.mark.parametrize(
    "q",
    ["GB/T 1.1-2020", "gb/t1.1-2020", "ＧＢ／Ｔ　１．１—２０２０", "GB/T 1.1 - 2020"],
)
def test_exact_identifier_first_in_any_spelling(catalogue, q):
    page = search_standards(q=q)
    assert ids(page)[0] == "GB/T 1.1-2020"


def test_undated_identifier_lists_every_edition_newest_first(catalogue):
    page = search_standards(q="GB/T 1.1")
    assert ids(page)[:2] == ["GB/T 1.1-2020", "GB/T 1.1-2009"]


def test_identifier_prefix(catalogue):
    page = search_standards(q="GB/T 19")
    assert ids(page)[:2] == ["GB/T 19001-2016", "GB/T 19004-2020"]
    assert "GB/T 1.1-2020" not in ids(page)


def test_number_alone_and_iso(catalogue):
    assert ids(search_standards(q="19001")) == ["GB/T 19001-2016"]
    assert ids(search_standards(q="ISO 9001"))[0] == "ISO 9001:2015"


def test_filters(catalogue, classifications):
    from qihub.vocab.models import IcsCode

    std = Standard.objects.get(identifier="GB/T 20223-2006")
    std.ics.add(IcsCode.objects.get(code="59.060.10"))
    Standard.objects.get(identifier="GB 2760-2014").ics.add(
        IcsCode.objects.get(code="67.220.20")
    )
    assert ids(search_standards(ics="59")) == ["GB/T 20223-2006"]
    assert ids(search_standards(ics="59.060")) == ["GB/T 20223-2006"]
    assert ids(search_standards(q="食品", ics="67")) == ["GB 2760-2014"]
    assert ids(search_standards(level="local")) == ["DB51/T 2000-2015"]
    assert ids(search_standards(status="withdrawn")) == ["GB/T 20223-2006"]
    assert ids(search_standards(q="食品", year=2014)) == ["GB 2760-2014"]
    assert set(ids(search_standards(q="standardization", status="in_force"))) == {
        "GB/T 1.1-2020"
    }
    assert ids(search_standards(q="GB/T 1.1", status="replaced")) == ["GB/T 1.1-2009"]


def test_empty_query_lists_by_identifier_and_pages(catalogue):
    page = search_standards(limit=3)
    assert page.total == Standard.objects.count()
    assert len(page.results) == 3
    second = search_standards(offset=3, limit=3)
    assert not set(ids(page)) & set(ids(second))


def test_results_load_in_bounded_queries(catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        page = search_standards(q="GB")
        for std in page.results:
            assert isinstance(std.ics_codes, list)  # loaded with the page
            _ = std.ccs


def test_index_follows_updates_and_deletes(catalogue):
    std = Standard.objects.get(identifier="GB/T 20223-2006")
    std.search_text = search_text_for(
        identifier=std.identifier, title_zh="亚麻", title_en="Flax"
    )
    std.save(update_fields=["search_text"])
    assert search_standards(q="cotton").total == 0
    assert ids(search_standards(q="flax")) == ["GB/T 20223-2006"]
    std.delete()
    assert search_standards(q="flax").total == 0
    assert raw_index_ids("flax") == []


def test_many_matches_are_capped_and_estimated(db, monkeypatch):
    from qihub.catalog import search

    monkeypatch.setattr(search, "MATCH_CAP", 5)
    for i in range(8):
        make(f"GB/T {40000 + i}-2020", f"纺织品 测试{i}", f"Textiles test {i}")
    page = search.search_standards(q="纺织品", limit=3)
    assert page.total == 5
    assert page.total_is_estimate
    assert len(page.results) == 3


@pytest.mark.parametrize("first_walk", [3, 100])
def test_several_words_with_many_matches_newest_first(db, monkeypatch, first_walk):
    # PostgreSQL walks the newest rows for several words before asking the
    # index (first_walk 100: the walk finds more than the cap; 3: it does
    # not, and the index is asked). Either way, and on SQLite: newest first.
    from qihub.catalog import search

    monkeypatch.setattr(search, "MATCH_CAP", 5)
    monkeypatch.setattr(search, "RECENT_FIRST", first_walk)
    made = [
        make(f"GB/T {42000 + i}-2020", f"质量管理 {i}", f"Quality management {i}")
        for i in range(8)
    ]
    make("GB/T 42100-2020", "质量", "Quality alone")
    for q in ("quality management", "quality management 2020"):
        page = search.search_standards(q=q, limit=3)
        assert page.total_is_estimate
        assert page.total == 5
        assert ids(page) == [m.identifier for m in made[::-1][:3]]
    deep = search.search_standards(q="quality management", offset=3, limit=4)
    assert ids(deep) == [m.identifier for m in made[::-1][3:7]]


def test_selective_filter_beyond_the_walk(db, monkeypatch):
    """A filter that keeps few of many matches still finds the old ones."""
    from qihub.catalog import search

    monkeypatch.setattr(search, "WALK", 3)
    make("GB/T 41000-1995", "纺织品 旧", "Textiles old", year=1995)
    for i in range(6):
        make(f"GB/T {41001 + i}-2020", f"纺织品 新{i}", f"Textiles new {i}")
    page = search.search_standards(q="纺织品", year=1995)
    assert ids(page) == ["GB/T 41000-1995"]
    page = search.search_standards(q="textiles", status="in_force", limit=50)
    assert page.total == 7


def test_raw_index_rows_answer_the_same_query_in_one_statement(db):
    # The benchmark's floor: same query and filters, straight to the index.
    from qihub.catalog.search import raw_index_rows

    make("GB/T 20223-2006", "棉短绒", "Cotton linter", status="in_force")
    make("GB/T 20223-1990", "棉短绒 旧版", "Cotton linter", status="replaced")
    make("GB 2760-2014", "食品添加剂使用标准", "Food additives")
    # Newest record first (the 1990 edition was catalogued last here).
    assert [row[1] for row in raw_index_rows("棉短绒")] == [
        "GB/T 20223-1990",
        "GB/T 20223-2006",
    ]
    assert [r[1] for r in raw_index_rows("linter", status="replaced")] == [
        "GB/T 20223-1990"
    ]
    assert [r[1] for r in raw_index_rows("GB/T 2022")] == [
        "GB/T 20223-1990",
        "GB/T 20223-2006",
    ]
    assert raw_index_rows("GB/T 2022", year=2006)[0][1] == "GB/T 20223-2006"
    assert raw_index_rows("nothing-matches-this") == []


def test_filters_are_tokens_of_the_document_kept_in_step(classifications):
    # Level, year and every ICS code with its parents are in the document, so
    # a filtered text search is one index match; changing the codes rewrites it.
    from qihub.catalog.search_text import facet_tokens

    std = make("GB/T 20223-2006", "棉短绒", "Cotton linter")
    assert "lvlnational" in std.search_text.split()
    assert "yr2006" in std.search_text.split()
    std.ics.set(["59.060.10"])
    std.refresh_from_db()
    words = std.search_text.split()
    assert {"ics59", "ics59z060", "ics59z060z10"} <= set(words)
    assert ids(search_standards(q="cotton", ics="59.060")) == ["GB/T 20223-2006"]
    assert ids(search_standards(q="cotton", ics="59")) == ["GB/T 20223-2006"]
    assert ids(search_standards(q="cotton", ics="67")) == []
    assert ids(search_standards(q="cotton", level="national", year=2006)) == [
        "GB/T 20223-2006"
    ]
    assert ids(search_standards(q="cotton", level="group")) == []
    std.ics.clear()
    assert ids(search_standards(q="cotton", ics="59")) == []
    assert facet_tokens(ics="59.06x") == ["icsnone"]


def _fts_is_consistent() -> bool:
    """SQLite: the FTS5 index holds exactly what its content rows say (the
    check reads every row's document and status through the index)."""
    from django.db import DatabaseError, connection

    if connection.vendor != "sqlite":
        return True
    try:
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO catalog_standard_fts(catalog_standard_fts, rank) "
                "VALUES ('integrity-check', 1)"
            )
    except DatabaseError:
        return False
    return True


def test_status_is_matched_by_the_index_and_follows_every_change(db, staff_user):
    # The status is a word of the full-text index, derived by the database
    # (migration 0005), so every way a status changes moves the standard
    # between status-filtered searches without Python code.
    from qihub.catalog.services import standard_withdraw

    std = make("GB/T 20223-2006", "棉短绒", "Cotton linter")
    other = make("GB/T 20224-2006", "棉短绒 其他", "Cotton linter other")
    assert set(ids(search_standards(q="cotton", status="in_force"))) == {
        "GB/T 20223-2006",
        "GB/T 20224-2006",
    }
    assert search_standards(q="cotton", status="withdrawn").total == 0

    standard_withdraw(standard=std, actor=staff_user, reason="obsolete")
    assert ids(search_standards(q="cotton", status="withdrawn")) == [std.identifier]
    assert ids(search_standards(q="cotton", status="in_force")) == [other.identifier]

    Standard.objects.filter(pk=other.pk).update(status=Standard.Status.REPLACED)
    assert ids(search_standards(q="cotton", status="replaced")) == [other.identifier]
    assert search_standards(q="cotton", status="in_force").total == 0

    # A status word is not a title word, and a status that does not exist
    # matches nothing instead of breaking the query.
    assert search_standards(q="withdrawn").total == 0
    assert search_standards(q="cotton", status='x" OR "y').total == 0
    # The floor answers the same query the same way.
    from qihub.catalog.search import raw_index_rows

    assert [r[1] for r in raw_index_rows("cotton", status="replaced")] == [
        other.identifier
    ]
    std.delete()
    assert _fts_is_consistent()


def test_postgres_lexemes_are_the_document_tokens(db):
    # PostgreSQL keeps the document's tokens as lexemes, unparsed, with the
    # status word (migration 0007), and queries give theirs the same way; a
    # document the database could not split (empty, double space) still saves.
    from django.db import connection

    from qihub.catalog.search import PostgresBackend

    std = make("GB/T 20223-2006", "棉短绒 试验方法", "Cotton linter")
    Standard.objects.filter(pk=std.pk).update(search_text=std.search_text + "  x")
    assert ids(search_standards(q="棉短绒 cotton", status="in_force")) == [
        std.identifier
    ]
    quoted = PostgresBackend.ts_query(["o'clock", "a\\b"], "in_force")
    assert quoted == "'o''clock' & 'a\\\\b' & 'stinforce'"
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT search_tsv::text FROM catalog_standard WHERE id = %s", [std.pk]
        )
        lexemes = {w.strip("'") for w in cur.fetchone()[0].split(" ")}
        assert lexemes == {*std.search_text.split(), "x", "stinforce"}
        cur.execute("SELECT %s::tsquery::text", [quoted])
        assert cur.fetchone()[0] == quoted
    Standard.objects.filter(pk=std.pk).update(search_text="")
    assert search_standards(q="cotton").total == 0


def test_few_matches_are_ranked_shortest_document_first(db):
    # Each word is in a document once, so bm25 ranks the document with the
    # fewest words first; both databases rank so (ties newest first).
    long = make("GB/T 30001-2020", "羊毛 纺织品 试验方法 第1部分 取样", "Wool textiles")
    short = make("GB/T 30002-2020", "羊毛", "Wool")
    tie = make("GB/T 30003-2020", "羊绒", "Wool")
    page = search_standards(q="wool")
    assert ids(page) == [tie.identifier, short.identifier, long.identifier]
    # Many matches are newest first instead (here: more than RANK_CAP).
    from qihub.catalog import search

    old_cap = search.RANK_CAP
    search.RANK_CAP = 2
    try:
        assert ids(search_standards(q="wool"))[0] == tie.identifier
        assert ids(search_standards(q="wool")) == [
            tie.identifier,
            short.identifier,
            long.identifier,
        ]
    finally:
        search.RANK_CAP = old_cap


def test_search_api_returns_the_rows_of_the_service(client, classifications):
    std = make("GB/T 20223-2006", "棉短绒", "Cotton linter")
    std.issued_on = datetime.date(2006, 3, 1)
    std.implemented_on = None
    std.save(update_fields=["issued_on", "implemented_on"])
    std.ics.set(["59.060.10", "59.060.01"])
    body = client.get("/api/catalog/standards/", {"q": "cotton"}).json()
    assert body == {
        "count": 1,
        "count_is_estimate": False,
        "page": 1,
        "per_page": 20,
        "next_cursor": None,
        "items": [
            {
                "id": std.pk,
                "identifier": "GB/T 20223-2006",
                "title_zh": "棉短绒",
                "title_en": "Cotton linter",
                "level": "national",
                "nature": std.nature,
                "status": "in_force",
                "year": 2006,
                "issued_on": "2006-03-01",
                "implemented_on": None,
                "withdrawn_on": None,
                "ics": ["59.060.01", "59.060.10"],
                "ccs": None,
                "url": std.get_absolute_url(),
            }
        ],
    }
    # Pages get model instances with the same values.
    result = search_standards(q="cotton").results[0]
    assert result.issued_on == datetime.date(2006, 3, 1)
    assert result.ics_codes == ["59.060.01", "59.060.10"]


def test_filtered_identifier_prefix_walks_the_range(db, monkeypatch):
    # With filters the prefix band reads the range by identifier and filters
    # it; beyond the walk the database's own plan finds the rest.
    from qihub.catalog import search

    monkeypatch.setattr(search, "WALK", 2)
    for n in range(5):
        make(f"GB/T {42000 + n}-2020", f"纺织品 {n}", "", status="in_force")
    make("GB/T 42009-2020", "纺织品 旧", "", status="withdrawn")
    assert ids(search_standards(q="GB/T 4200", status="withdrawn")) == [
        "GB/T 42009-2020"
    ]
    assert len(ids(search_standards(q="GB/T 4200", status="in_force"))) == 5


def test_imported_standards_are_found_by_status(db, tmp_path, classifications):
    # The import indexes its rows in bulk on SQLite: with their status too.
    from qihub.catalog.importing import standards_import
    from qihub.catalog.tests.test_imports import GOOD_ROWS, write_csv

    report = standards_import(file=write_csv(tmp_path / "s.csv", GOOD_ROWS))
    assert report.ok, report.errors
    assert ids(search_standards(q="食品添加剂", status="replaced")) == ["GB 2760-2011"]
    assert _fts_is_consistent()
