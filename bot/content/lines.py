"""What one line of a page is: a dateline, a byline, a subtitle, an author or body text.

Kept apart from the layout pass because these are properties of a single line (and the
summary and tests use them alone); the layout pass decides what the lines make together.
"""

from __future__ import annotations

import re
from enum import StrEnum

from bot.content.blocks import Unit
from bot.content.lexicon import lexicon

# A news brief's mark may stand before its dateline (■本报讯（记者 某某）…).
_BRIEF_MARK = r"(?:■[\s\u3000]*)?"
DATELINE_RE = re.compile(
    r"^" + _BRIEF_MARK + r"(?P<pub>[\u4e00-\u9fff]{2,12}?)(?:(?P<year>\d{4})年)?"
    r"(?P<month>\d{1,2})月(?P<day>\d{1,2})日"
    r"(?:电|讯)[\s\u3000]*(?:[(（](?P<credits>[^()（）]{0,80})[)）])?"
)
# 南方日报讯（记者 赵映雪 通讯员 华轩）3月3日，…: the credits first, then the date
_LATE_DATELINE_RE = re.compile(
    r"^"
    + _BRIEF_MARK
    + r"(?P<pub>[\u4e00-\u9fff]{2,12}?)(?:电|讯)[\s\u3000]*[(（](?P<credits>[^()（）]{0,80})[)）]"
    r"[\s\u3000]*(?:(?P<year>\d{4})年)?(?P<month>\d{1,2})月(?P<day>\d{1,2})日"
)

# 本报讯（记者 某某 通讯员 某某）: no date, the credits say it is a dateline (its date groups
# never match, so they read None)
_UNDATED_DATELINE_RE = re.compile(
    r"^" + _BRIEF_MARK + r"(?P<pub>[\u4e00-\u9fff]{0,10}?(?:报|社|网|台))讯[\s\u3000]*"
    r"[(（](?P<credits>[^()（）]{0,40}(?:记者|通讯员)[^()（）]{0,40})[)）]"
    r"(?P<year>(?!))?(?P<month>(?!))?(?P<day>(?!))?"
)


def match_dateline(text: str) -> re.Match[str] | None:
    """A dateline at the start of ``text`` (groups: pub, year, month, day, credits; the
    date's are None when the dateline gives none)."""
    return (
        DATELINE_RE.match(text)
        or _LATE_DATELINE_RE.match(text)
        or _UNDATED_DATELINE_RE.match(text)
    )


_ROLE_WORDS = (
    "全媒体记者",
    "本报记者",
    "特约记者",
    "实习记者",
    "记者",
    "通讯员",
    "实习生",
    "撰稿",
    "编辑",
    "作者",
    "文",
    "摄影",
)
_NAME_RE = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
SUBTITLE_RE = re.compile(r"^(?:——|—|－－|--)\s*\S")
COLUMN_MARK_RE = re.compile(r"[·•|｜]")
SENTENCE_PUNCT_RE = re.compile(r"[，。；！？,;!?：:]")
# A jump line: the article goes on in another column (（下转第三栏）) or this text goes on
# from one (（上接第1栏）); 转/接 with a page (转第2版) leave this page.
JUMP_RE = re.compile(
    r"^[（(]\s*(?P<way>下转|上接|转|接)(?:第|本版)?[0-9一二三四五六七八九十]{0,3}"
    r"[栏版页面]?\s*[)）]$"
)

MAX_BYLINE_CHARS = 40


class TextKind(StrEnum):
    BODY = "body"
    DATELINE = "dateline"
    BYLINE = "byline"
    SUBTITLE = "subtitle"
    AUTHOR = "author"
    JUMP = "jump"  # （下转第三栏） / （上接第一栏）: where an article goes on


# Marks some papers set before a commentary's author (□ 许明远, ○ 本报评论员 某某).
AUTHOR_MARK_RE = re.compile(r"^[□○◎]\s*")


def classify(unit: Unit) -> TextKind:
    text = AUTHOR_MARK_RE.sub("", unit.text)
    if JUMP_RE.match(text.strip()):
        return TextKind.JUMP
    if match_dateline(text):
        return TextKind.DATELINE
    if SUBTITLE_RE.match(text):
        return TextKind.SUBTITLE
    if byline_names(text) is not None:
        return TextKind.BYLINE
    if _NAME_RE.match(text) and _starts_with_surname(text):
        return TextKind.AUTHOR
    return TextKind.BODY


def _starts_with_surname(text: str) -> bool:
    lx = lexicon()
    return text[0] in lx.surnames or text[:2] in lx.double_surnames


def byline_names(text: str) -> list[str] | None:
    """Names in a byline such as ``湖南日报全媒体记者 谢卓芳 张佳伟``; None if not a byline."""
    if len(text) > MAX_BYLINE_CHARS or any(c in text for c in "，。；！？,;!?"):
        return None
    names: list[str] = []
    saw_role = False
    for token in _spaced_names_joined(re.split(r"[\s\u3000]+", AUTHOR_MARK_RE.sub("", text))):
        role = next((r for r in _ROLE_WORDS if _credits(token, r)), None)
        if role:
            saw_role = True
            rest = token[token.index(role) + len(role) :].lstrip("：:")
            if rest:
                if not _NAME_RE.match(rest):
                    return None
                names.append(rest)
        elif _NAME_RE.match(token):
            names.append(token)
        else:
            return None
    return names if saw_role and names else None


def _spaced_names_joined(tokens: list[str]) -> list[str]:
    """Two lone characters in a row are one name (记者 方 静): papers space a two-character
    name out to the width of a three-character one."""
    joined: list[str] = []
    for token in tokens:
        if (
            len(token) == 1
            and joined
            and len(joined[-1]) == 1
            and all("\u4e00" <= c <= "\u9fff" for c in joined[-1] + token)
        ):
            joined[-1] += token
        else:
            joined.append(token)
    return [t for t in joined if t]


def _credits(token: str, role: str) -> bool:
    """``token`` holds the credit ``role`` — a one-character one (文) only alone or before a
    colon (文：某某): inside a token it is part of a name (柏文清)."""
    if len(role) > 1:
        return role in token
    return token == role or token.startswith((role + "：", role + ":"))


def dateline_credits(text: str) -> list[str]:
    match = match_dateline(text)
    if not match or not match["credits"]:
        return []
    names: list[str] = []
    for token in re.split(r"[\s\u3000、,，]+", match["credits"]):
        for role in _ROLE_WORDS:
            if _credits(token, role):
                token = token[token.index(role) + len(role) :]
                break
        if _NAME_RE.match(token):
            names.append(token)
    return names
