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


STAFF_PAGE = (
    "# 山里的守林人\n\n记者 王明\n\n"
    "白鹭国有林场护林员季长松今年58岁，每天巡山约15公里。\n\n"
    "林场副场长邬海平介绍，白鹭国有林场今年新招大学生9名。\n\n"
    "老字号和顺斋的桂花糕去年卖出4万盒。\n"
)


def test_an_unknown_person_beside_a_job_word_is_declined_by_name(
    tmp_path: Path, cache_dir: Path
) -> None:
    """A job word the lexicon does not list (讲解员, 网格|员 cut in two) still names the
    person beside it (``role_endings``): one the page does not hold is declined by name."""
    other, split, villager, same = answers(
        tmp_path,
        cache_dir,
        STAFF_PAGE,
        "护林员蒋立国每天巡山多少公里？",
        "林场网格员吴晓峰每天巡山多少公里？",
        "村民蒋立国每天巡山多少公里？",  # who one is where one lives stands as a title does
        "护林员季长松每天巡山多少公里？",
    )
    assert not other.answered and "蒋立国" in other.summary
    assert not split.answered and "吴晓峰" in split.summary
    assert not villager.answered and "蒋立国" in villager.summary
    assert same.answered and "15公里" in same.summary


def test_a_namesake_of_a_person_on_the_page_is_another_person(
    tmp_path: Path, cache_dir: Path
) -> None:
    """One given-name character of another sound (季长春 beside 季长松) is another person of
    the same family, though jieba cuts it 季|长春 (a city)."""
    namesake, same = answers(
        tmp_path,
        cache_dir,
        STAFF_PAGE,
        "季长春每天巡山多少公里？",
        "季长松每天巡山多少公里？",
    )
    assert not namesake.answered and "季长春" in namesake.summary
    assert same.answered and "15公里" in same.summary


def test_a_look_alike_holding_a_grounded_name_is_another_one(
    tmp_path: Path, cache_dir: Path
) -> None:
    """白虹国有林场 holds 国有林场 whole and is one character off the page's 白鹭国有林场 in a
    character of another sound (露 lu / 鹭 lu are alike, so 白虹 is used): another farm.
    A shop name ending in 斋 and an airline or a property firm (航空, 物业) are organisations
    (``org_suffixes``), so one the page does not hold is declined."""
    farm, shop, airline, same = answers(
        tmp_path,
        cache_dir,
        STAFF_PAGE,
        "白虹国有林场今年新招大学生多少名？",
        "和丰斋的桂花糕去年卖出多少盒？",
        "顺丰航空今年新招大学生多少名？",
        "白鹭国有林场今年新招大学生多少名？",
    )
    assert not farm.answered and "白虹国有林场" in farm.summary
    assert not shop.answered and "和丰斋" in shop.summary
    assert not airline.answered and "顺丰航空" in airline.summary
    assert same.answered and "9名" in same.summary


WRITTEN_PAGE = (
    "# 湖区新事\n\n记者 王明\n\n"
    "白沙湖镇今年新建冷库3座。\n\n"
    "第三届白沙湖冬钓节将于12月18日开幕。\n\n"
    "“白沙湖鲜”是本市2023年注册的区域公用品牌。\n\n"
    "镇医保办主任吕晓枚说，全镇参保率达到98%。\n\n"
    "护理员吕晓梅今年一天要跑4户人家。\n"
)


def test_what_the_page_writes_is_no_unknown_name(tmp_path: Path, cache_dir: Path) -> None:
    """A window one character off a page's name that the page itself writes (白沙湖冬|钓节
    beside 白沙湖镇) is no other name; a dictionary "proper name" made of two verbs (登记注册)
    names nothing; a near-spelling of a name that the page writes as a word of its own
    (吕晓梅 beside its entity 吕晓枚) is that other person, not a slip."""
    festival, registered, nurse = answers(
        tmp_path,
        cache_dir,
        WRITTEN_PAGE,
        "第三届白沙湖冬钓节将于哪天开幕？",
        "“白沙湖鲜”这个品牌是哪一年登记注册的？",
        "护理员吕晓梅一天要跑几户人家？",
    )
    assert festival.answered and "12月18日" in festival.summary
    assert registered.answered and "2023年" in registered.summary
    assert nurse.answered and "4户" in (nurse.quote or "")


CARE_PAGE = (
    "# 护理院里的新面孔\n\n记者 王明\n\n安康市颐和护理院院长吕映红介绍，该院目前有护理员146名。\n"
)


def test_care_homes_are_organisations(tmp_path: Path, cache_dir: Path) -> None:
    """护理院/养老院/敬老院/福利院/疗养院 end an organisation's name (``org_suffixes``): one the
    page does not hold is declined by name, the page's own is answered."""
    other, same = answers(
        tmp_path,
        cache_dir,
        CARE_PAGE,
        "安康市颐寿养老院目前有多少名护理员？",
        "安康市颐和护理院目前有多少名护理员？",
    )
    assert not other.answered and "颐寿养老院" in other.summary
    assert same.answered and "146名" in same.summary
