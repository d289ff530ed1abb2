"""A relative asked about (某某的妻子是干啥的: only a sentence naming her answers), and
everyday words reaching the page's (老师 ~ 教师, 午饭 ~ 午餐, 一份 ~ 每份, 挣 ~ 收入); a
course counted in 门, a surname the list lacked (赖), a word jieba mis-tags as a place (中考)."""

from __future__ import annotations

from pathlib import Path

from page_support import answers

PAGE = (
    "# 山村小学的坚守\n\n记者 王明\n\n"
    "柯长林是白溪县人，1990年从师范学校毕业后到山村小学任教。\n\n"
    "柯长林的妻子许兰在学校给孩子们做午饭。\n\n"
    "今年，白溪县共补充新教师320名，为近五年最多。\n\n"
    "在县第二中学食堂，午餐是三菜一汤，每份10元。\n\n"
    "全县中小学开设课后服务课程1280门。\n\n"
    "青禾竹业有限公司董事长赖永泉说，公司今年将新建两条生产线。\n\n"
    "去年毕业的周小川在厂里当技工，月收入6800元左右。\n\n"
    "县教育局公布新的考试方案，初中学业水平体育考试总分由50分提高到60分。\n"
)


def test_relatives_and_everyday_words(tmp_path: Path, cache_dir: Path) -> None:
    wife, teachers, lunch, courses, boss, pay, exam = answers(
        tmp_path,
        cache_dir,
        PAGE,
        "柯长林他老婆是干啥的呀？",
        "白溪县今年新招了多少名老师？",
        "县二中食堂一份午饭多少钱？",
        "全县课后服务一共开设了多少门课程？",
        "青禾竹业有限公司的老总是谁？",
        "周小川现在一个月挣多少？",
        "中考体育总分提高到多少分？",
    )
    assert wife.answered and "许兰" in wife.quote
    assert teachers.answered and "320名" in teachers.summary
    assert lunch.answered and "10元" in lunch.summary
    assert courses.answered and "1280门" in courses.summary
    assert boss.answered and "赖永泉" in boss.summary
    assert pay.answered and "6800元" in pay.summary
    assert exam.answered and "60分" in exam.summary


def test_a_firm_named_without_its_legal_form(tmp_path: Path, cache_dir: Path) -> None:
    """The page writes only 青禾竹业有限公司; readers drop the legal form."""
    (boss,) = answers(tmp_path, cache_dir, PAGE, "青禾竹业的老总是谁？")
    assert boss.answered and "赖永泉" in boss.summary
