"""A name one character off a page's name (bot/nlu/slips.py ``look_alikes``): a typing slip
when the characters sound alike — either reading of a character with two (bot/text/pinyin.py)
— else another firm the page does not hold, declined by name."""

from __future__ import annotations

from pathlib import Path

from page_support import answers

from bot.text import pinyin

PAGE = (
    "# 物流企业添新车\n\n记者 王明\n\n"
    "云霞物流有限公司（简称“云霞物流”）今年新增冷藏货车120辆，总数达到460辆。\n\n"
    "该公司总经理柯长林说，新车全部用于生鲜配送。\n"
)


def test_a_look_alike_name_is_declined_a_slip_is_answered(tmp_path: Path, cache_dir: Path) -> None:
    other, slip, same = answers(
        tmp_path,
        cache_dir,
        PAGE,
        "云溪物流今年新增冷藏货车多少辆？",  # 溪 (xi) is not 霞 (xia): another firm
        "云夏物流今年新增冷藏货车多少辆？",  # 夏 sounds like 霞: a typing slip
        "云霞物流今年新增冷藏货车多少辆？",
    )
    assert not other.answered and "云溪物流" in other.summary
    assert slip.answered and "120辆" in slip.summary
    assert same.answered and "120辆" in same.summary


def test_either_reading_of_a_character_makes_a_slip() -> None:
    assert pinyin.same_sound("成", "晟") and pinyin.same_sound("胜", "晟")
    assert pinyin.slip_of("胜达电子", "晟达电子")
    assert not pinyin.slip_of("溪达电子", "晟达电子")
    assert pinyin.syllables("晟") == ["cheng"]  # sound keys keep the first reading


LOCAL_NAMES_PAGE = (
    "# 老手艺迎来新客人\n\n记者 王明\n\n"
    "位于东关街的云霞染坊今年接待研学学生1.2万人次。\n\n"
    "紧邻的南苑小区加装电梯总造价58万元。\n"
)


def test_a_workshop_or_an_estate_one_character_off_is_another_one(
    tmp_path: Path, cache_dir: Path
) -> None:
    """染坊 / 作坊 / 林场 end an organisation's name and 小区 a place's (intents/lexicon.yaml),
    so a look-alike of one is a name the page does not hold."""
    workshop, estate, same = answers(
        tmp_path,
        cache_dir,
        LOCAL_NAMES_PAGE,
        "云河染坊今年接待了多少研学学生？",
        "南芳小区加装电梯总造价多少？",
        "云霞染坊今年接待了多少研学学生？",
    )
    assert not workshop.answered and "云河染坊" in workshop.summary
    assert not estate.answered and "南芳小区" in estate.summary
    assert same.answered and "1.2万人次" in same.summary
