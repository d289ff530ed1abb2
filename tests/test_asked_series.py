"""Which one a question asks about: the phase or edition of a series (二期 / 三期), an
organisation the question itself names (never its answer), another name given in brackets
right after an asked name, a coined name before a suffix that is also a plain word, and
the topic a clause-final count counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from page_support import answers

from bot.content.lexicon import lexicon
from bot.knowledge.build import Knowledge
from bot.nlu.ordinals import another_of_the_series, ordinals
from bot.nlu.understand import understand


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("三期工程总投资多少", (("期", 3.0),)),
        ("地铁4号线一期", (("号线", 4.0), ("期", 1.0))),
        ("第十二届博览会", (("届", 12.0),)),
        ("2025届毕业生", (("届", 2025.0),)),
        ("第三批名单", (("批", 3.0),)),
        ("云川市第三人民医院", (("人民医院", 3.0),)),  # numbered institutions of one kind
        ("一批企业入驻，每一届都来", ()),  # a batch, every edition: no series asked
        ("十四五期间", ()),  # a plan period
        ("同期增长", ()),
    ],
)
def test_series_words_are_read_with_their_number(
    text: str, found: tuple[tuple[str, float], ...]
) -> None:
    assert ordinals(text, lexicon()) == found


def test_a_sentence_about_another_phase_is_no_candidate(tmp_path: Path, cache_dir: Path) -> None:
    """三期 asked: the 二期 sentence's investment does not answer, the 三期 one does; a
    sentence writing both phases may answer either."""
    page = (
        "# 城际铁路分期建设\n\n记者 王明\n\n"
        "云川城际铁路二期工程总投资约80亿元，去年建成通车。\n\n"
        "云川城际铁路三期工程正在开展前期工作，预计明年开工。\n"
    )
    third, second = answers(
        tmp_path,
        cache_dir,
        page,
        "云川城际铁路三期工程总投资多少？",
        "云川城际铁路二期工程总投资多少？",
    )
    assert not third.answered
    assert second.answered and "80亿元" in second.summary
    asked = ordinals("三期工程", lexicon())
    assert another_of_the_series(asked, "二期工程总投资约80亿元", lexicon())
    assert not another_of_the_series(asked, "二期、三期工程总投资约200亿元", lexicon())
    assert not another_of_the_series(asked, "工程总投资约80亿元", lexicon())


def test_the_organisation_the_question_names_is_not_its_answer(
    tmp_path: Path, cache_dir: Path
) -> None:
    """和某大学签协议的企业叫什么: the sentence names only the university (written short in the
    question) and "一家企业" — no company's name, so the question is declined."""
    page = (
        "# 科研成果落地\n\n记者 王明\n\n"
        "云川理工大学研发的新型电池材料，已与邻省一家储能企业签订成果转化协议，转让金额达8000万元。\n"
    )
    (answer,) = answers(tmp_path, cache_dir, page, "和云川理工签成果转化协议的企业叫什么名字？")
    assert not answer.answered or "云川理工大学" not in answer.summary


def test_a_name_in_brackets_after_the_asked_one_glosses_it(
    tmp_path: Path, cache_dir: Path
) -> None:
    """县卫生学校(现某某学院): the bracket gives the school's present name, so the sentence
    is still about the school asked, not about someone else."""
    page = (
        "# 村医三十年\n\n记者 王明\n\n"
        "今年55岁的刘长根是青石村的村医。"
        "1991年，他从云川县卫生学校(现云川医药高等专科学校)毕业后回到村里。\n"
    )
    (answer,) = answers(tmp_path, cache_dir, page, "刘长根是哪年从云川县卫生学校毕业的？")
    assert answer.answered and "1991年" in answer.summary


@pytest.mark.parametrize(
    ("message", "name"),
    [
        ("湘黔高速全长多少公里？", "湘黔高速"),  # two lone characters before it
        ("澧岚铁路什么时候通车？", "澧岚铁路"),
    ],
)
def test_a_coined_name_before_a_plain_word_suffix_is_unknown(
    knowledge: Knowledge, message: str, name: str
) -> None:
    """高速 / 铁路 are plain words too (高速发展), but after a word no dictionary knows they
    end a name: a road or line the page does not mention."""
    assert [u.text for u in understand(message, knowledge).unknown] == [name]


@pytest.mark.parametrize("message", ["高速发展的产业有哪些？", "企业发展高速吗？"])
def test_a_plain_word_suffix_after_a_real_word_names_nothing(
    knowledge: Knowledge, message: str
) -> None:
    assert understand(message, knowledge).unknown == ()


def test_a_clause_final_count_counts_the_topic_named_just_before(
    tmp_path: Path, cache_dir: Path
) -> None:
    """这样的驿站，全市已建成126个: nothing follows the measure word, so the count is of
    the noun the clause before it names — while a plan's figure does not answer 已建成."""
    page = (
        "# 垃圾分类进社区\n\n记者 王明\n\n"
        "居民投放可回收物可以换积分，到社区的回收驿站兑换日用品。这样的回收驿站，云川全市已建成126个。\n\n"
        "按照计划，到明年底，云川将把回收驿站扩大到300个。\n"
    )
    (answer,) = answers(tmp_path, cache_dir, page, "云川全市已建成多少个回收驿站？")
    assert answer.answered and "126个" in answer.summary


def test_series_numbers_of_several_phases_and_no_false_ordinals() -> None:
    """二期和三期 asked: a sentence about 二期 alone still answers; 一二期 / 一至三期 write
    several phases; 统一期限, 这一期 and 第一时间…医院 are no series at all."""
    lx = lexicon()
    both = ordinals("二期和三期一共投资多少", lx)
    assert not another_of_the_series(both, "二期工程总投资50亿元", lx)
    assert not another_of_the_series(ordinals("二期", lx), "一二期工程总投资80亿元", lx)
    assert not another_of_the_series(ordinals("二期", lx), "一至三期工程总投资80亿元", lx)
    for text in ("统一期限", "这一期节目", "第一时间赶到医院"):
        assert ordinals(text, lx) == ()
