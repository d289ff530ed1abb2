"""Name grounding: a question about a name the page never mentions is declined, naming it;
real names (typos, traditional forms, short names) and generic words are never unknown."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from page_support import page_knowledge
from tests_paths import INTENTS

from bot.answer.context import Conversation
from bot.answer.engine import Answerer
from bot.knowledge.build import Knowledge, build_knowledge
from bot.nlu.understand import understand


@pytest.mark.parametrize(
    ("message", "name", "kind"),
    [
        ("小米公司的董事长是谁？", "小米公司", "org"),  # a word before an org suffix
        ("格力电器的年产值是多少？", "格力电器", "org"),  # a brand jieba's dictionary knows
        ("郑州仁和医院有多少张床位？", "仁和医院", "org"),
        ("王建华担任什么职务？", "王建华", "person"),  # a person's name opening the question
        ("乡村医生王守义从医多少年了？", "王守义", "person"),  # a name after a role
        ("泉州市文化广电和旅游局局长是谁？", "泉州市", "place"),  # a place suffix
        ("宜宾有什么项目？", "宜宾", "place"),  # a place jieba knows
        ("东塘村的合作社流转了多少亩土地？", "东塘村", "place"),  # jieba cut it 东|塘村
        ("鼓浪屿景区接待了多少游客？", "鼓浪屿景区", "place"),  # a name before a noun (景区)
        ("石门村一共有多少家民宿？", "石门村", "place"),  # a lone suffix after a known word
        ("青螺县的渔港有多少艘渔船？", "青螺县", "place"),
        ("隆平高科去年的营业收入是多少？", "隆平高科", "org"),  # 高科 ends company names
        ("望海区城中村改造项目的签约率是多少？", "望海区", "place"),  # jieba: 望|海区
    ],
)
def test_names_the_page_never_mentions_are_reported(
    knowledge: Knowledge, message: str, name: str, kind: str
) -> None:
    unknown = understand(message, knowledge).unknown
    assert [(u.text, u.kind.value) for u in unknown][:1] == [(name, kind)]


@pytest.mark.parametrize(
    "message",
    [
        "信为电科在手订单金额有多少？",  # a typo of a real name
        "資陽區在全国PCB产业基地中排第几？",  # its traditional form
        "信维的订单有多少？",  # a short name
        "这家公司投资了多少钱？",  # generic words
        "公司的董事长是谁？",
        "省级医院有多少家？",  # a modifier before a suffix
        "和天电子的董事长是谁？",
        "益阳电容器检测中心收费多少？",
        "湖南在民生方面累计投入了多少钱？",
        "村里的党支部书记是谁？",  # a noun that merely ends like a name (党支部)
        "企业的运费省了多少？",  # 省 as a verb, not a province
        "每吨能省多少钱？",
    ],
)
def test_real_names_and_generic_words_are_not_unknown(knowledge: Knowledge, message: str) -> None:
    assert understand(message, knowledge).unknown == ()


def test_an_unknown_subject_is_declined_naming_it(answerer: Answerer) -> None:
    answer = answerer.answer("小米公司的董事长是谁？")
    assert (answer.answered, answer.quote, answer.source) == (False, None, None)
    assert "「小米公司」" in answer.summary
    assert answer.suggestions  # questions the page does answer
    english = answerer.answer("格力电器的年产值是多少？", language="en")
    assert english.summary.startswith("The articles don't mention 「格力电器」")


def test_a_short_form_of_a_longer_name_still_grounds(answerer: Answerer) -> None:
    """信维 (信维电科) and 和天 (和天电子) are the page's names, shortened."""
    assert answerer.answer("信维电科在手订单金额有多少？").answered
    assert understand("信维有多少订单？", answerer.knowledge).unknown == ()


def test_an_unknown_name_in_a_follow_up_is_declined(answerer: Answerer) -> None:
    conversation = Conversation()
    assert answerer.answer("和天电子的董事长是谁？", conversation).answered
    answer = answerer.answer("那小米公司呢？", conversation)
    assert not answer.answered
    assert "「小米公司」" in answer.summary


def test_a_typo_of_a_person_the_parser_did_not_pick_out_still_grounds(cache_dir: Path) -> None:
    """王小蔓 is on the page but not in the entity table; 王小曼 sounds the same."""
    from tests_paths import FIXTURES, SEEDS

    seeds = cache_dir / "grounding-101"
    if not seeds.exists():
        seeds.mkdir()
        for f in [*SEEDS.iterdir(), *(FIXTURES / "blind" / "101_nongcun").iterdir()]:
            shutil.copy(f, seeds)
    knowledge = build_knowledge(seeds, INTENTS, cache_dir)
    assert understand("王小曼去年销售额多少", knowledge).unknown == ()
    assert [u.text for u in understand("王建华去年销售额多少", knowledge).unknown] == ["王建华"]


def test_a_look_alike_is_not_grounded_by_a_shorter_alias(tmp_path: Path, cache_dir: Path) -> None:
    """云东县某中心 beside the page's 云溪县某中心: one character that does not sound the same
    is another place, even though the centre's former name (云溪县城关敬老院) differs in length
    (which alone once made it pass for a typing slip).  The whole look-alike is reported
    (bot/nlu/slips.py ``look_alikes``), the place it begins with inside it."""
    knowledge = page_knowledge(
        tmp_path,
        cache_dir,
        "# 福利中心改造完工\n\n记者 王明\n\n"
        "云溪县社会福利中心改造后有床位360张。该中心原名“云溪县城关敬老院”。\n",
    )
    with knowledge.bound():
        unknown = understand("云东县社会福利中心有多少张床位？", knowledge).unknown
        assert [u.text for u in unknown][:1] in (["云东县"], ["云东县社会福利中心"])
        assert understand("云溪县社会福利中心有多少张床位？", knowledge).unknown == ()


def test_no_name_is_looked_for_before_a_place_the_page_holds(
    tmp_path: Path, cache_dir: Path
) -> None:
    """病床数是|老院区: 老院区 is the page's place, so the fragment jieba glued before it (数是)
    is no unknown name."""
    knowledge = page_knowledge(
        tmp_path,
        cache_dir,
        "# 县医院新院区启用\n\n记者 王明\n\n"
        "云川县人民医院新院区开放床位1200张，是老院区床位数的两倍。老院区将改建为康复医院。\n",
    )
    with knowledge.bound():
        assert understand("新院区的病床数是老院区的几倍？", knowledge).unknown == ()
