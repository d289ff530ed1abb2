"""Deterministic synthetic corpora N× the shipped page, for the benchmark (issue 8).

Why renamed copies rather than plain duplicates: with duplicates every golden question would
have N equally right answers, so neither accuracy nor latency at scale would mean anything.  A
copy keeps the page's layout, sentence lengths and vocabulary (what the index and the tokenizer
see) but every organisation, person and place name of the original page is replaced, and
numbers are perturbed, so a question naming an ORIGINAL entity still has exactly one right
answer in the whole corpus while the copies compete for every generic word.

How names are replaced: the aliases come from a Knowledge built on the shipped page
(``knowledge.entities``: org, person and place entities).  Per copy, a seeded RNG maps each
distinctive character of those aliases to an uncommon but real character from :data:`POOL`
(consistently within the copy, so 和天电子 → 和X电子 and 和天 → 和X stay related, and the copy's
own short names still work); generic parts (有限公司, 高新区, 集团, a person's surname) are
kept so the copy still reads like a page the fact extractor understands.  Every copy is checked:
no original alias may survive in its normalised text (``AssertionError`` otherwise).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import string
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.knowledge.build import Knowledge

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
INTENTS = ROOT / "intents"
QUESTIONS = ROOT / "tests" / "qa"
SEED = 20260123
NAMED_KINDS = frozenset({"org", "person", "place"})

# Uncommon but real simplified characters that read like parts of names.  Characters that occur
# in the original page, its sidecar, the rules or the golden questions are dropped at run time
# (a renamed name must never contain or spell an original alias, synonym or question word).
POOL = (
    "埃岸敖澳柏斌滨彬秉炳泊渤岑昌畅辰澄驰崇楚淳翠黛丹迪典鼎栋铎峨帆樊枫峰锋凤甫阜皋戈庚耿弓"
    "巩圭桂韩杭浩皓禾鹤恒鸿弘虹桓焕晖徽霍姬冀佳嘉蓟坚涧姜蒋骄杰捷靖炯菊钧峻俊浚骏凯楷堪柯珂"
    "坤昆岚澜朗琅莱黎澧莉涟廉梁琳凌陵柳珑隆陇卢庐鲁潞禄麓罗洛骆玛麦曼茂梅湄蒙孟淼岷闽铭睦牧"
    "穆楠妮宁欧沛鹏蓬屏莆濮圃浦琪祁岐淇绮谦乾黔倩樵琴沁卿擎琼邱渠泉冉饶戎榕睿瑞润若萨桑森莎"
    "珊陕邵绍莘晟盛舒淑曙蜀朔硕嵩松苏肃隋绥穗檀棠滔韬陶藤腾汀亭彤桐童拓皖婉宛汪旺威巍韦伟苇"
    "渭蔚温翁沃梧伍熙溪犀霞夏贤翔祥萧筱昕欣鑫邢杏雄修秀旭轩宣璇雪薛勋荀雅岩妍彦焰晏燕尧瑶耀"
    "烨仪怡沂彝逸翼殷寅胤盈颖映雍攸瑜榆虞渝禹宇羽玉郁毓豫渊垣袁苑岳粤悦越芸允蕴泽湛彰樟漳昭"
    "肇哲浙臻祯峥芝植挚钟仲舟洲竹梓紫宗邹埠堡墩岗岙峪崖嶂濠涪淮漓溧湄瀛沅汾泗洮淄涿"
)

# Name parts that say what kind of thing a name is, kept so copies stay recognisable names;
# the suffixes of the fact extractor's lexicon are added at run time.
GENERIC_WORDS = ("科技", "技术", "实业", "控股", "发展", "电子", "材料", "产业", "特色", "国家")

# Numbers followed by these are dates or durations: perturbing them could make an invalid date.
_DATE_AFTER = re.compile(r"[年月日号时点]|[—–\-~～至到]\d+[年月日号]")
_NUMBER_RE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_SPACE_RE = re.compile(r"\s+")
# Between two characters of a name the page may break the line, even put a photo caption
# there (陈⏎⏎艾华集团智能化生产车间。⏎⏎通讯员 摄⏎⏎宏志打电话…): the layout drops the caption and
# re-joins the paragraph, so a name may continue up to a few lines further down.
_GAP = r"(?:[ \t]*\n(?:[^\n]*\n){0,8}?[ \t]*)?"
PARSE_CHECK_EVERY = 97  # copies checked with the real page parser (1, 98, 195, …)
EDIT_TEXT = "\n\n本版数据均截至发稿时，后续进展本报将持续关注。\n"


@dataclass(frozen=True, slots=True)
class Alias:
    text: str  # normalised, as in knowledge.entities (lower-case Latin)
    kind: str
    positions: tuple[int, ...]  # characters replaced in the first pass


def named_aliases(knowledge: Knowledge) -> dict[str, str]:
    """alias → kind of every org, person and place alias of ``knowledge``."""
    found: dict[str, str] = {}
    for entity in knowledge.entities.entities.values():
        kind = str(entity.kind.value)
        if kind in NAMED_KINDS:
            for alias in entity.aliases:
                found.setdefault(alias, kind)
    return dict(sorted(found.items()))


def original_aliases(seeds: Path = SEEDS, intents: Path = INTENTS) -> dict[str, str]:
    """Build a Knowledge of ``seeds`` (no disk cache) and return its named aliases."""
    from bot.knowledge.build import build_knowledge

    return named_aliases(build_knowledge(seeds, intents, None))


def _forbidden_chars(extra_texts: Iterable[str]) -> set[str]:
    texts = list(extra_texts)
    for directory in (SEEDS, INTENTS, QUESTIONS):
        texts += [p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.*"))]
    return {c for text in texts for c in text}


class Renamer:
    """Turns the original page into copy ``index`` (same input, same seed → same output)."""

    def __init__(
        self, aliases: Mapping[str, str], *, seed: int = SEED, forbidden: Iterable[str] = ()
    ) -> None:
        from bot.content.lexicon import lexicon

        if not aliases:
            raise ValueError("no aliases to rename")
        lex = lexicon()
        generic = set("".join((*lex.org_suffixes, *lex.place_suffixes, *GENERIC_WORDS)))
        self.seed = seed
        self.aliases = tuple(
            _plan(text, kind, generic, lex.surnames)
            for text, kind in sorted(aliases.items(), key=lambda item: (-len(item[0]), item[0]))
        )
        alias_chars = {c for a in self.aliases for c in a.text}
        self.han = sorted(c for c in alias_chars if _HAN_RE.match(c))
        self.latin = sorted(c for c in alias_chars if c in string.ascii_lowercase)
        self.digits = sorted(c for c in alias_chars if c in string.digits)
        banned = _forbidden_chars(forbidden) | alias_chars
        self.pool = [c for c in dict.fromkeys(POOL) if c not in banned]
        if len(self.pool) < len(self.han):
            raise ValueError(
                f"POOL has {len(self.pool)} usable characters, {len(self.han)} are needed"
            )
        # Longest alias first, Latin letters case-insensitively (the page says CNAS, BYD), and
        # across line breaks (see _GAP).
        self.pattern = re.compile(
            "|".join(_GAP.join(f"({re.escape(c)})" for c in a.text) for a in self.aliases),
            flags=re.IGNORECASE,
        )
        self.plain = re.compile(
            "|".join(re.escape(a.text) for a in self.aliases), flags=re.IGNORECASE
        )
        self.by_text = {a.text: a for a in self.aliases}
        self._plans: dict[str, tuple[int, ...]] = {}

    def char_map(self, index: int) -> dict[str, str]:
        """Copy ``index``'s injective map of every alias character to a new character."""
        rng = random.Random(f"{self.seed}:{index}")
        mapping = dict(zip(self.han, rng.sample(self.pool, len(self.han)), strict=True))
        letters = [c for c in string.ascii_lowercase if c not in self.latin]
        if len(letters) < len(self.latin):
            letters = list(string.ascii_lowercase)
        mapping.update(zip(self.latin, rng.sample(letters, len(self.latin)), strict=True))
        others = [d for d in string.digits if d not in self.digits] or list(string.digits)
        mapping.update(zip(self.digits, rng.sample(others, len(self.digits)), strict=True))
        return mapping

    def plan(self, text: str) -> tuple[int, ...]:
        """Positions of the characters that every copy of ``text`` replaces.

        Found once per original text (replacing keeps every length, so positions hold in every
        copy): the distinctive characters of each alias occurrence, then all characters of
        any alias the first pass left intact (one made only of generic characters, or one that
        kept characters re-form across a boundary).
        """
        found = self._plans.get(text)
        if found is not None:
            return found
        marked = [False] * len(text)
        for match in self.pattern.finditer(text):
            alias = self.by_text[_spelled(match).lower()]
            letters = _letters(match)
            for position in alias.positions:
                if position < len(letters):
                    marked[letters[position]] = True
        probe = "".join("\0" if m else c for c, m in zip(text, marked, strict=True))
        for match in self.pattern.finditer(probe):
            for at in _letters(match):
                marked[at] = True
        found = tuple(i for i, m in enumerate(marked) if m)
        self._plans[text] = found
        return found

    def rename(self, text: str, mapping: Mapping[str, str]) -> str:
        """``text`` with the planned characters mapped (Latin letters keep their case)."""
        chars = list(text)
        for at in self.plan(text):
            original = chars[at]
            new = mapping.get(original.lower(), original)
            chars[at] = new.upper() if original.isupper() else new
        return "".join(chars)

    def copy(self, page: str, sidecar: str | None, index: int) -> tuple[str, str | None]:
        """The text and sidecar of copy ``index``, checked: no original alias survives."""
        from bot.text.normalize import normalize

        mapping = self.char_map(index)
        text = _perturb_numbers(self.rename(page, mapping), random.Random(f"{self.seed}#{index}"))
        side = self.rename(sidecar, mapping) if sidecar is not None else None
        for checked in (text, side or ""):
            joined = normalize(_SPACE_RE.sub("", checked))  # as if every line were re-joined
            survivors = sorted({m.group(0) for m in self.plain.finditer(joined)})
            assert not survivors, f"copy {index}: original aliases survive: {survivors}"
        if index % PARSE_CHECK_EVERY == 1:
            self.check_parsed(text, index)
        return text, side

    def check_parsed(self, text: str, index: int) -> None:
        """What the bot reads, not the file: parse the copy as the loader does (captions
        dropped, paragraphs re-joined) and look for original names in every article field.
        The layout is the same in every copy, so a sample of copies covers them all."""
        from bot.content.model import PageMeta
        from bot.content.page import parse_page
        from bot.text.normalize import normalize

        for article in parse_page(text, PageMeta(file=f"copy-{index}.txt")):
            fields = [article.title, article.kicker, article.column, article.subtitle]
            fields += [*article.byline, *(s.heading for s in article.sections), article.text]
            read = normalize(" ".join(f for f in fields if f))
            survivors = sorted({m.group(0) for m in self.plain.finditer(read)})
            assert not survivors, f"copy {index} as parsed: original aliases survive: {survivors}"


def _plan(text: str, kind: str, generic: set[str], surnames: frozenset[str]) -> Alias:
    """Which characters of an alias the first pass replaces: the distinctive ones."""

    def kept(i: int, c: str) -> bool:
        if kind == "person":
            return i == 0 and c in surnames and len(text) > 1
        return c in generic

    positions = tuple(i for i, c in enumerate(text) if not kept(i, c))
    if not positions:  # all generic (检测中心): replace all but a surname
        positions = tuple(i for i in range(len(text)) if not (kind == "person" and i == 0))
    return Alias(text, kind, positions or tuple(range(len(text))))


def _letters(match: re.Match[str]) -> list[int]:
    """Where the characters of the alias a match spells are (the gaps between them may hold
    line breaks or a caption)."""
    groups = range(1, (match.lastindex or 0) + 1)
    return [match.start(i) for i in groups if match.group(i) is not None]


def _spelled(match: re.Match[str]) -> str:
    """The alias a match spells, without what lies in its gaps."""
    groups = range(1, (match.lastindex or 0) + 1)
    return "".join(g for i in groups if (g := match.group(i)) is not None)


def _perturb_numbers(text: str, rng: random.Random) -> str:
    """Change the digits of every number that is not a date or a duration, keeping its shape
    (length, decimal point, a non-zero first digit), so facts differ between copies."""

    def perturb(match: re.Match[str]) -> str:
        if _DATE_AFTER.match(text, match.end()):
            return match.group(0)
        number = match.group(0)
        for _ in range(8):
            out = []
            for i, c in enumerate(number):
                if not c.isdigit():
                    out.append(c)
                elif i == 0 and c != "0" and len(number) > 1:
                    out.append(rng.choice("123456789"))
                else:
                    out.append(rng.choice(string.digits))
            candidate = "".join(out)
            if candidate != number:
                return candidate
        return number

    return _NUMBER_RE.sub(perturb, text)


def make_corpus(
    out: Path,
    scale: int,
    renamer: Renamer,
    *,
    source: Path = SEEDS,
    cache: Path | None = None,
) -> list[Path]:
    """Write ``scale`` pages into ``out``: the shipped page(s) of ``source`` and
    ``scale - 1`` renamed copies ``NNNN_copy.txt`` (+ ``.yaml``).

    ``cache`` is a directory of copies already generated (by index), so the corpora of all
    scales share one generation pass.
    """
    from bot.content.loader import page_files

    out.mkdir(parents=True, exist_ok=True)
    originals = page_files(source)
    if len(originals) != 1:
        raise ValueError(f"expected exactly one shipped page in {source}, found {len(originals)}")
    page = originals[0]
    sidecar = page.with_suffix(".yaml")
    written = [out / page.name]
    shutil.copyfile(page, written[0])
    if sidecar.exists():
        shutil.copyfile(sidecar, out / sidecar.name)
    page_text = page.read_text(encoding="utf-8")
    sidecar_text = sidecar.read_text(encoding="utf-8") if sidecar.exists() else None
    for index in range(1, scale):
        name = f"{index:04d}_copy"
        target = out / f"{name}.txt"
        cached = cache / f"{name}.txt" if cache is not None else None
        if cached is not None and cached.exists():
            shutil.copyfile(cached, target)
            if cached.with_suffix(".yaml").exists():
                shutil.copyfile(cached.with_suffix(".yaml"), target.with_suffix(".yaml"))
        else:
            text, side = renamer.copy(page_text, sidecar_text, index)
            target.write_text(text, encoding="utf-8")
            if side is not None:
                target.with_suffix(".yaml").write_text(side, encoding="utf-8")
            if cache is not None:
                cache.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(target, cache / target.name)
                if side is not None:
                    shutil.copyfile(target.with_suffix(".yaml"), cache / f"{name}.yaml")
        written.append(target)
    return written


def one_more_page(out: Path, index: int, renamer: Renamer, source: Path = SEEDS) -> Path:
    """Copy ``index`` of the shipped page (renamed like the corpus's, sorting after them)
    written into ``out``: the page an editor adds to the archive."""
    from bot.content.loader import page_files

    page = page_files(source)[0]
    sidecar = page.with_suffix(".yaml")
    text, side = renamer.copy(
        page.read_text(encoding="utf-8"),
        sidecar.read_text(encoding="utf-8") if sidecar.exists() else None,
        index,
    )
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{index:04d}_copy.txt"
    target.write_text(text, encoding="utf-8")
    if side is not None:
        target.with_suffix(".yaml").write_text(side, encoding="utf-8")
    return target


def edit_one_article(page: Path) -> None:
    """Change exactly one article of ``page``: a new closing paragraph for its last article."""
    with page.open("a", encoding="utf-8") as handle:
        handle.write(EDIT_TEXT)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write a synthetic corpus N× the shipped page")
    parser.add_argument("out", type=Path, help="directory to write the pages into")
    parser.add_argument("--scale", type=int, default=10, help="pages in total (default 10)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--show", type=int, metavar="N", help="print copy N's first lines")
    args = parser.parse_args(argv)
    renamer = Renamer(original_aliases(), seed=args.seed)
    files = make_corpus(args.out, args.scale, renamer)
    if args.show:
        print("\n".join(files[args.show].read_text(encoding="utf-8").splitlines()[:20]))
    print(json.dumps({"pages": len(files), "aliases": len(renamer.aliases)}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
