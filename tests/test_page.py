"""The shipped page comes out as the six articles a reader sees, cleaned of OCR artifacts."""

from __future__ import annotations

import datetime as dt

import pytest
from tests_paths import SEEDS

from bot.content.loader import LoadResult, load_seeds

TITLES = [
    "益阳：鱼米之乡量产高端“工业大米”",
    "三张「名片」稳底盘，益阳向新更从容",
    "为幸福“加码” 湖南交出暖心民生答卷",
    "今年力争完成 地级城市中心城区“体检”",
    "湖南首单民间投资专项担保计划落地",
    "海关“自报享惠”改革业务在湘实施",
]
CAPTIONS = ["信维电子科技有限公司（益阳）有限公司。", "艾华集团智能化生产车间。", "通讯员 摄"]


@pytest.fixture(scope="module")
def loaded() -> LoadResult:
    return load_seeds(SEEDS)


def test_six_articles_in_page_order(loaded: LoadResult) -> None:
    assert loaded.problems == ()
    assert [a.title for a in loaded.articles] == TITLES


def test_metadata_is_kept_out_of_titles(loaded: LoadResult) -> None:
    a = {x.title: x for x in loaded.articles}
    feature = a[TITLES[0]]
    assert feature.byline == ("谢卓芳", "张佳伟")
    assert [s.heading for s in feature.sections] == [
        None,
        "从一枝独秀到“三足鼎立”",
        "向高处攀登，向智处前行",
        "构建支撑体系，完善成长生态",
    ]
    commentary = a[TITLES[1]]
    assert commentary.column == "专家点评"
    assert commentary.byline == ("曹裕",)
    interview = a[TITLES[2]]
    assert interview.column == "非凡“十四五”·“厅”说答卷"
    assert interview.subtitle is not None and "李日新" in interview.subtitle
    assert interview.byline == ("高钊琦",)
    renewal = a[TITLES[3]]
    assert renewal.kicker == "我省大力推进城市更新"
    assert renewal.truncated
    assert a[TITLES[5]].subtitle == "助力先进制造业企业高效享惠"


def test_interview_takes_back_its_paragraphs_printed_after_the_renewal_story(
    loaded: LoadResult,
) -> None:
    interview, renewal = loaded.articles[2], loaded.articles[3]
    text = interview.text
    for start in (
        "高位推动，责任闭环。",
        "机制贯通，合力攻坚。",
        "群众参与，双向奔赴。",
        "专班专抓，数字赋能。",
    ):
        assert start in text
        assert start not in renewal.text
    assert interview.sections[-1].heading == "对标“美好生活”，擘画福祉提升新蓝图"
    assert renewal.text.endswith("有序推")


def test_guarantee_article_starts_with_its_dateline(loaded: LoadResult) -> None:
    guarantee = loaded.articles[4]
    assert guarantee.paragraphs[0].text.startswith("湖南日报1月22日讯")
    assert guarantee.date == dt.date(2026, 1, 22)
    assert guarantee.byline == ("黄炜信", "王璨")


def test_no_caption_text_and_split_paragraphs_rejoined(loaded: LoadResult) -> None:
    everything = "\n".join(a.text for a in loaded.articles)
    for caption in CAPTIONS:
        assert caption not in everything
    assert "订单交付周期缩短，产品一致性提升" in everything
    assert "和天电子董事长陈宏志打电话焦急向益阳市工信局求助" in everything
    assert "从“事前审核”转变到“事后监管”" in everything
    assert "发展先进制造的方向高度契合。据了解" in everything


def test_every_sentence_keeps_its_source_line(loaded: LoadResult) -> None:
    lines = (SEEDS / "000_1137eb7e6b31fe41.txt").read_text(encoding="utf-8").splitlines()
    for article in loaded.articles:
        for paragraph in article.paragraphs:
            for sentence in paragraph.sentences:
                assert sentence.text[:4] in lines[sentence.line - 1], sentence.text
    joined = next(
        s
        for a in loaded.articles
        for p in a.paragraphs
        for s in p.sentences
        if s.text.startswith("宏志") or "陈宏志打电话" in s.text
    )
    assert joined.line == 63


def test_sidecar_page_date_resolves_relative_dates(loaded: LoadResult) -> None:
    feature = loaded.articles[0]
    assert feature.date == dt.date(2026, 1, 23)
    assert feature.publication == "湖南日报"
    facts = {f.text: f for f in feature.facts}
    assert facts["去年9月"].value == "2025-09"
    assert facts["今年5月"].value == "2026-05"


def test_numbers_become_facts(loaded: LoadResult) -> None:
    texts = {f.text for a in loaded.articles for f in a.facts}
    for number in (
        "4.56亿元",
        "120亿元",
        "11.8%",
        "16.5%",
        "373万人",
        "1605个",
        "5000亿元",
        "3600万元",
        "486.3万元",
        "0.29秒",
        "1462台",
        "80余项",
    ):
        assert any(number in t for t in texts), number


def test_content_hash_and_ids_are_stable(loaded: LoadResult) -> None:
    again = load_seeds(SEEDS)
    assert [a.id for a in again.articles] == [a.id for a in loaded.articles]
    assert [a.content_hash for a in again.articles] == [a.content_hash for a in loaded.articles]
    assert len({a.id for a in loaded.articles}) == 6
