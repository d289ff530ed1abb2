"""The general-language lexicon the content parser and the fact extractor rely on.

The word lists and the parser's few thresholds (:class:`ParsingThresholds`) live in the rules
pack (``intents/lexicon.yaml``, parsed and validated by :mod:`bot.rules.lexicon`) and each
snapshot carries its own (``Knowledge.lexicon``), so a reload that changes a list or a
threshold changes the new snapshot only.

:func:`lexicon` is a compatibility shim for code that does not hold a snapshot (the answer
and nlu modules, and the parser's helpers): it returns the lexicon bound to the current
context with :func:`active` (a build binds its rules' lexicon while it parses, the service
binds the snapshot a question is answered from), else the one a successful build last
:func:`publish`-ed, else the bundled ``intents/lexicon.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.text.binding import BoundSlot

BUNDLED_LEXICON = Path(__file__).resolve().parents[2] / "intents" / "lexicon.yaml"


@dataclass(frozen=True, slots=True)
class ParsingThresholds:
    """The numbers the page parser decides with (``lexicon: parsing:`` in
    ``intents/lexicon.yaml``, where each is documented).

    They have no defaults in code: the YAML is the one place they are written, and being
    part of the snapshot's lexicon, a reload that changes one re-parses the pages with it.
    """

    orphan_ratio: float  # the text after a cut-off reads this many times more like another
    orphan_margin: float  # … and by this much at least: it belongs to that other article
    speaker_bonus: float  # likeness bonus for sharing an interview's speakers (记者：)
    max_kicker_chars: int  # a plain line this short above a title is its kicker
    min_han_ratio: float  # share of Chinese characters below which a page is refused
    summary_length_power: float  # keyword weight is divided by 1 + length ** this
    summary_position_penalty: float  # a section summary prefers early sentences by this much
    source: str = ""  # file:line of the section it was read from


@dataclass(frozen=True, slots=True)
class Lexicon:
    measure_words: tuple[str, ...]
    people_measures: frozenset[str]
    household_measures: frozenset[str]
    vessel_measures: frozenset[str]
    case_measures: frozenset[str]
    earning_verbs: tuple[str, ...]  # 挣七八千: a bare amount after one of these is money
    home_roles: tuple[str, ...]  # 某镇村民某某: who a person is where they live
    legal_forms: tuple[str, ...]  # 有限公司…: what a question may leave off a firm's name
    roles_plain: frozenset[str]  # 选手/村民: a name after one must not start with a word
    venue_words: tuple[str, ...]  # 在/于/位于 某某中心: the organisation is a place there
    relative_words: frozenset[str]  # 妻子/爱人/师父…: a sentence naming a relative
    scope_levels: Mapping[str, str]  # 全市/我市 → 市: the level a figure is of (nlu/scopes)
    # a stop word that is none after these characters: 据 ends no name inside 数据/证据
    org_stop_words_not_after: Mapping[str, str]
    # …and none before these: 全 of 全资子公司, 投资 of 某某投资发展集团
    org_stop_words_not_before: Mapping[str, str]
    # 高于全国, 居全省: a level named to compare, not as the subject
    scope_compare_chars: frozenset[str]
    scope_word_not_before: frozenset[str]  # 全省首个, 全国人大: a level word that describes
    age_measures: frozenset[str]
    person_pronouns: frozenset[str]
    time_now: tuple[str, ...]
    time_past: tuple[str, ...]
    elapsed_days: tuple[str, ...]
    plan_words: tuple[str, ...]
    future_words: tuple[str, ...]
    amount_nouns: frozenset[str]
    duration_units: tuple[str, ...]
    roles_before_name: tuple[str, ...]
    roles_after_name: tuple[str, ...]
    role_endings: frozenset[str]  # 护林员, 网格|员, 厨师: a job the word beside it holds
    kinship_roles: frozenset[str]
    roles_leading: tuple[str, ...]
    staff_roles: frozenset[str]
    speech_verbs: tuple[str, ...]
    surnames: frozenset[str]
    double_surnames: frozenset[str]
    org_suffixes: tuple[str, ...]
    place_suffixes: tuple[str, ...]
    place_suffix_words: tuple[str, ...]
    describing_words: tuple[str, ...]
    home_region_words: tuple[str, ...]
    name_words_before_suffix: tuple[str, ...]
    naming_cues: tuple[str, ...]
    bare_naming_cues: tuple[str, ...]
    former_naming_cues: frozenset[str]
    former_name_asked: tuple[str, ...]
    name_question_words: frozenset[str]
    regions: tuple[str, ...]
    org_stop_words: tuple[str, ...]
    org_type_heads: tuple[str, ...]
    false_name_words: tuple[str, ...]
    rank_scopes: tuple[str, ...]
    rank_words: tuple[str, ...]
    money_verbs: frozenset[str]
    relative_years: dict[str, int]
    relative_days: dict[str, int]
    relative_weeks: dict[str, int]
    relative_months: dict[str, int]
    page_nouns: tuple[str, ...]
    newest_words: tuple[str, ...]
    head_asked: frozenset[str]
    commentary_words: tuple[str, ...]
    dateline_credit_words: tuple[str, ...]
    head_roles: tuple[str, ...]
    org_abbreviations: dict[str, str]
    figure_question_words: tuple[str, ...]
    figure_links: frozenset[str]
    ordinal_heads: tuple[str, ...]
    ordinal_heads_after_di: tuple[str, ...]
    ordinal_determiners: tuple[str, ...]
    change_verbs: tuple[str, ...]
    change_links: tuple[str, ...]
    plan_periods: dict[str, tuple[int, int]]
    parsing: ParsingThresholds
    fingerprint: str = ""  # of the lists, for caches of what was parsed with them
    source: str = ""  # file:line of the section it was read from

    def word_count(self) -> int:
        """How many words (and characters, for surnames) the lists hold, for reports."""
        return sum(
            len(v)
            for v in (getattr(self, f) for f in self.__dataclass_fields__)
            if isinstance(v, tuple | frozenset | dict)
        )


def alternation(words: tuple[str, ...] | frozenset[str]) -> str:
    """A regex alternation that prefers the longest word (so 台套 beats 台)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _bundled() -> Lexicon:
    from bot.rules.lexicon import load_lexicon_file  # the parser imports this module

    return load_lexicon_file(BUNDLED_LEXICON)


_slot: BoundSlot[Lexicon] = BoundSlot("newsbot_lexicon", _bundled)
publish = _slot.publish  # make a lexicon the one unbound callers use (a successful build)
active = _slot.active  # bind a lexicon for lexicon() in this context (thread, task)


def lexicon() -> Lexicon:
    """The bound lexicon, else the published one, else the bundled file's."""
    return _slot.current()
