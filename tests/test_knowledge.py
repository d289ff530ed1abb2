"""The Knowledge snapshot: entities, index, topics, incremental rebuilds, diffs."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests_paths import INTENTS, SECOND_PAGE, SEEDS

from bot.answer.engine import Answerer
from bot.knowledge.build import Builder, Knowledge
from bot.knowledge.diff import diff
from bot.knowledge.entities import EntityKind


def test_entities_have_short_aliases_and_people_belong_to_organisations(
    knowledge: Knowledge,
) -> None:
    table = knowledge.entities
    hetian = table.by_alias("和天电子")
    assert hetian is not None and hetian.kind is EntityKind.ORG
    assert "和天电子有限公司" in hetian.aliases
    assert "person:陈宏志" in hetian.members
    assert table.by_alias("艾华") is table.by_alias("湖南艾华集团股份有限公司")
    assert table.by_alias("益阳") is table.by_alias("益阳市")
    assert table.by_alias("和天电") is None  # a prefix always followed by 子 is no alias
    assert table.by_alias("信维").kind is EntityKind.ORG  # declared in synonyms.yaml


def test_a_bare_company_name_is_the_company_it_shortens(tmp_path: Path, cache_dir: Path) -> None:
    """菇源公司 in an article about 浙江菇源生物科技有限公司 is that company, and 菇源 too."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "001_page.txt").write_text(
        "# 菇农的新路\n\n记者 王明\n\n"
        "浙江菇源生物科技有限公司今年扩产。菇源公司投资1.6亿元建设菌棒工厂。\n\n"
        "菇源公司董事长说，工厂明年投产。\n",
        encoding="utf-8",
    )
    table = Builder(seeds, INTENTS, cache_dir).build().entities
    company = table.by_alias("浙江菇源生物科技有限公司")
    assert company is not None
    assert table.by_alias("菇源公司") is company
    assert table.by_alias("菇源") is company


def _one_page(tmp_path: Path, cache_dir: Path, *text: str) -> Knowledge:
    """A snapshot of one page made of ``text`` (its lines, joined)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "001_page.txt").write_text("".join(text), encoding="utf-8")
    return Builder(seeds, INTENTS, cache_dir).build()


def test_another_name_the_page_gives_is_an_alias(tmp_path: Path, cache_dir: Path) -> None:
    """简称 / 原名 right after a name, and 又名 in a sentence opening with 这座 (the name sits
    in the sentence before): one entity, so a sentence using the other name is about it."""
    knowledge = _one_page(
        tmp_path,
        cache_dir,
        "# 县城新事\n\n记者 王明\n\n"
        "云川县大河建材有限公司(简称“大河建材”)今年投资2亿元扩产。"
        "云川县石湾镇（原名石湾乡）新建厂房12栋。\n\n"
        "城东就是云川县青年创业服务中心。这座小楼又名“云川创客之家”，共有36个工位。"
        "被告人以云川县远山贸易有限公司名义借款。\n",
    )
    table = knowledge.entities
    company = table.by_alias("云川县大河建材有限公司")
    assert company is not None and table.by_alias("大河建材") is company
    assert table.by_alias("石湾乡") is table.by_alias("云川县石湾镇") is not None
    centre = table.by_alias("云川县青年创业服务中心")
    assert centre is not None and table.by_alias("云川创客之家") is centre
    assert table.by_alias("云川县远山贸易有限公司") is not None  # 以 ends a name walking left
    assert not any(a.startswith("告人") for a in table.alias_to_key)
    with knowledge.bound():
        answerer = Answerer(knowledge)
        answer = answerer.answer("云川县青年创业服务中心有多少个工位？")
        former = answerer.answer("石湾镇以前叫什么名字？")
    assert answer.answered and "36个工位" in answer.quote
    assert former.answered and "石湾乡" in former.summary  # its own alias, yet the answer


def test_a_company_its_short_trade_words_and_its_branches_are_one(
    tmp_path: Path, cache_dir: Path
) -> None:
    """某某财产保险股份有限公司 is also 某某财险 (org_abbreviations) and the 某某银行 named
    elsewhere; its 中心支公司 is a unit of it, so a question about the company is answered by
    the branch's sentence.  Straight quotes end a name like curly ones; a branch's long name
    is walked back whole; 八月 is 8月, 搞完 is 完成, a 工作日 is a duration."""
    knowledge = _one_page(
        tmp_path,
        cache_dir,
        "# 保险赔付快\n\n记者 王明\n\n"
        '今年8月全省遭遇强降雨,云岭财产保险股份有限公司青川中心支公司(简称"云岭财险青川中支")'
        "在5天内完成查勘定损3.6万亩,预付赔款960万元。\n\n"
        "青川银行股份有限公司今年发放农户贷款12亿元，审批时间压缩至2个工作日。\n\n"
        "# 两家银行\n\n记者 李华\n\n青川银行与青川农商银行都在城区设有网点。\n",
    )
    table = knowledge.entities
    company = table.by_alias("云岭财产保险股份有限公司")
    branch = table.by_alias("云岭财产保险股份有限公司青川中心支公司")
    assert company is not None and branch is not None and company is not branch
    assert table.by_alias("云岭财险") is company
    assert branch.key in company.members
    assert table.by_alias("青川银行") is table.by_alias("青川银行股份有限公司")
    assert not any('"' in alias for alias in table.alias_to_key)
    with knowledge.bound():
        answerer = Answerer(knowledge)
        days = answerer.answer("八月那场大雨，云岭财险几天就把查勘定损搞完了？")
        approval = answerer.answer("青川银行审批贷款要几天？")
    assert days.answered and "5天内" in days.quote
    assert approval.answered and "2个工作日" in approval.summary


def test_a_profiles_subject_and_a_reporter_credited_in_a_dateline(
    tmp_path: Path, cache_dir: Path
) -> None:
    """——记某社区党委书记某某 makes the profile's subject a person of the corpus; a reporter
    credited in a dateline is not what the next sentence's 该项目 refers back to, and a
    物业管理有限公司 is also called 某某物业."""
    knowledge = _one_page(
        tmp_path,
        cache_dir,
        "# 旧城新貌\n\n本报讯（记者 周立明）11月28日，云川县石桥村改造项目首批安置房交付。"
        "该项目总投资约12亿元。\n\n"
        "# 物业通报\n\n本报讯（记者 王明）云川县安和物业管理有限公司被通报。安和物业已整改。\n\n"
        "# 何秀兰：楼道里的“加梯书记”\n\n——记云川县桂园社区党委书记何秀兰\n\n记者 李华\n\n"
        "清晨，何秀兰已经出现在小区楼下。今年52岁的她，在社区工作了21年。\n",
    )
    table = knowledge.entities
    assert table.by_alias("何秀兰") is not None
    assert table.by_alias("安和物业") is table.by_alias("云川县安和物业管理有限公司")
    index = knowledge.index
    key = next(k for k, t in index.texts.items() if t.startswith("该项目总投资"))
    assert "person:周立明" not in index.mentions[key]
    with knowledge.bound():
        age = Answerer(knowledge).answer("何秀兰今年多大啦？")
    assert age.answered and "52岁" in age.summary


def test_index_finds_sentences_without_scanning(knowledge: Knowledge) -> None:
    index = knowledge.index
    keys = index.postings["@org:和天电子"]
    assert list(keys) == sorted(keys)
    texts = [index.texts[k] for k in keys]
    assert any("董事长陈宏志" in t for t in texts)
    assert index.has("@org:和天电子", keys[0])
    assert index.idf("专利") > index.idf("产业")


def test_coreference_to_the_last_named_organisation(knowledge: Knowledge) -> None:
    index = knowledge.index
    key = next(k for k, t in index.texts.items() if t.startswith("该研究院于去年9月成立"))
    assert "org:未来光电技术研究院" in index.mentions[key]


def test_topics_are_tagged_automatically(knowledge: Knowledge) -> None:
    by_topic = knowledge.topics.by_topic
    assert by_topic["electronics"] and by_topic["urban"] and by_topic["trade"]
    titles = {knowledge.by_id[a].title for a, _ in by_topic["trade"]}
    assert "海关“自报享惠”改革业务在湘实施" in titles


def test_rebuild_reuses_the_analysis_of_unchanged_articles(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    builder = Builder(seeds, INTENTS, tmp_path / "cache")
    first = builder.build()
    assert first.cache_misses == 6
    second = builder.build()
    assert (second.cache_hits, second.cache_misses) == (6, 0)
    shutil.copy(SECOND_PAGE / "001_second_page.txt", seeds)
    shutil.copy(SECOND_PAGE / "001_second_page.yaml", seeds)
    third = builder.build()
    # the new page's five articles are analysed; an old article is analysed again only when
    # a new name (a user-dictionary word) occurs in it, since jieba would cut it differently
    assert third.cache_misses >= 5
    assert third.cache_hits >= 4
    assert third.slots[first.articles[0].id] == first.slots[first.articles[0].id]
    change = diff(second, third)
    assert len(change.added) == 5 and not change.removed and not change.changed
    assert change.content_changed


def test_diff_names_changed_and_removed_articles(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    builder = Builder(seeds, INTENTS, None)
    before = builder.build()
    page = seeds / "000_1137eb7e6b31fe41.txt"
    text = page.read_text(encoding="utf-8").replace("关税处负责人表示", "关税处负责同志表示")
    text = text.replace("# 今年力争完成 地级城市中心城区“体检”", "# 今年力争完成城市体检")
    page.write_text(text, encoding="utf-8")
    after = builder.build()
    change = diff(before, after)
    assert "今年力争完成城市体检" in change.added
    assert "今年力争完成 地级城市中心城区“体检”" in change.removed
    assert "海关“自报享惠”改革业务在湘实施" in change.changed
    assert any("facts" in line for line in change.lines())
