"""Name rules of scoring: how near a sentence is to the names a question asks about.

Organisations and people named in a question must be near the answer (same sentence,
paragraph, the one before, the section); places are often only the setting ("在益阳哪个区")
and count toward confidence without blocking it.  A sentence about someone else than the
one asked is not near it, and a name the articles never mention is reported as unknown.
"""

from __future__ import annotations

from bot.answer.places import PlaceRules
from bot.knowledge.analysis import CONCEPT_PREFIX, ENTITY_PREFIX
from bot.knowledge.build import Knowledge
from bot.knowledge.entities import Entity, EntityKind
from bot.knowledge.index import SentenceRef
from bot.nlu import resources
from bot.nlu.need import Need

REQUIRED_KINDS = frozenset({EntityKind.ORG, EntityKind.PERSON})


_PROVINCE = "省"  # only a province is what a paper's 全省 / 我省 means


class NameRules:
    """Per snapshot: caches the organisations named in each sentence and each person's
    affiliations, which the same questions ask about again and again."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.k = knowledge
        self.t = knowledge.rules.thresholds
        self.w = knowledge.rules.scoring
        self.index = knowledge.index
        self._org_names: dict[int, tuple[tuple[int, int, str, Entity], ...]] = {}
        self._affiliated: dict[str, frozenset[str]] = {}
        self._last_asked: tuple[Need, frozenset[str]] | None = None
        self._heads: dict[str, str] = {}  # org entity → the head noun it is called by
        self._provinces: dict[str, bool] = {}  # place entity → whether it is a province
        self.places = PlaceRules(knowledge)  # the places an organisation is told apart by
        self._org_suffixes = sorted(knowledge.rules.lexicon.org_suffixes, key=len, reverse=True)

    def foreign_names(self, need: Need) -> list[str]:
        """Names the question uses that the articles never mention: places and organisations
        jieba knows (宜宾), or words no dictionary knows written with characters the articles
        never use (赣晟磁材 on a page about 益阳)."""
        proper = resources.proper_nouns()
        chars = self.index.chars
        false = self.k.rules.lexicon.false_name_words  # 中考: jieba tags it a place
        return [
            t
            for t in need.terms
            if not self.index.df(t)
            and t not in false
            and t not in self.index.postings
            and (
                t in proper
                or (
                    len(t) >= 2
                    and not resources.is_word(t)
                    and any("\u4e00" <= c <= "\u9fff" and c not in chars for c in t)
                )
            )
        ]

    def required(self, need: Need) -> bool:
        """Whether an answer must be near the question's names: organisations and people,
        name-like words, and a province (which another province's 全省 contradicts)."""
        return (
            any(e.kind in REQUIRED_KINDS for e in need.names)
            or any(self.name_like(t) for t in need.terms)
            or any(self._province(e) for e in need.names)
        )

    def _province(self, entity: Entity) -> bool:
        """A province (湖南省): asked per candidate, so worked out once per entity."""
        found = self._provinces.get(entity.key)
        if found is None:
            regions = frozenset(self.k.rules.lexicon.regions)
            found = self._provinces[entity.key] = entity.kind is EntityKind.PLACE and any(
                a.endswith(_PROVINCE) and a[:-1] in regions for a in entity.aliases
            )
        return found

    def name_like(self, term: str) -> bool:
        """The start of a known name (瑞驰 of 瑞驰电驱), or a place or organisation jieba
        knows that the parser did not pick out (千岛湖): it must be near the answer too."""
        return term in self.k.entities.prefixes or (
            len(term) >= self.w.min_proper_noun_chars and term in resources.proper_nouns()
        )

    def proximity(
        self, entity: Entity, group: frozenset[str], key: int, ref: SentenceRef, text: str
    ) -> float:
        t = self.t
        index = self.index
        if group & index.mentions.get(key, frozenset()) or any(a in text for a in entity.aliases):
            return t.entity_sentence
        aid, s_i, p_i = ref.article_id, ref.section, ref.paragraph
        if entity.kind is EntityKind.PLACE and self._home_region(entity, aid, text):
            return t.entity_home_region
        if group & index.paragraph_mentions.get((aid, s_i, p_i), frozenset()):
            return t.entity_paragraph
        previous = index.paragraph_mentions.get((aid, s_i, p_i - 1)) if p_i else None
        if previous and group & previous:
            return t.entity_previous_paragraph
        if (
            entity.kind is EntityKind.ORG
            and group & index.section_mentions.get((aid, s_i), frozenset())
            and self._refers_back(entity, text)
        ):
            return t.entity_head_noun
        if group & index.section_mentions.get((aid, s_i), frozenset()):
            return t.entity_section
        if group & index.article_mentions.get(aid, frozenset()):
            return t.entity_article
        return 0.0

    def _home_region(self, entity: Entity, article_id: str, text: str) -> bool:
        """ "我省共有30家企业入选" in 湖北日报 says 湖北: a paper's 我省 / 全省 (我市 / 全市)
        is the region its name begins with."""
        paper = self._speaking_of_home(article_id, text)
        return paper is not None and any(
            len(a) >= 2 and paper.startswith(a) for a in entity.aliases
        )

    def another_region(self, entity: Entity, article_id: str, text: str) -> bool:
        """ "浙江省…增长多少" asked of an 安徽日报 sentence saying 全省 (without 浙江): that
        sentence is about the paper's own province, so it does not answer for the one asked
        — a region a question names is otherwise only a soft name."""
        if not self._province(entity) or any(a in text for a in entity.aliases):
            return False
        paper = self._speaking_of_home(article_id, text)
        if paper is None or not any(paper.startswith(r) for r in self.k.rules.lexicon.regions):
            return False
        return not any(paper.startswith(a.removesuffix(_PROVINCE)) for a in entity.aliases)

    def _speaking_of_home(self, article_id: str, text: str) -> str | None:
        """The article's paper when the sentence speaks of its home region (我省, 全市…)."""
        article = self.k.by_id.get(article_id)
        paper = article.publication if article is not None else None
        if not paper or not any(w in text for w in self.k.rules.lexicon.home_region_words):
            return None
        return paper

    def opens_with_head(self, need: Need, key: int, text: str) -> bool:
        """A clause of the sentence opens with an asked organisation's head noun (合作社成立
        于…, 该公司…, …的方式,中心今后将…): it is the subject, whatever other organisations
        the sentence names after it — unless the noun begins another one's name (实验室某某
        研究中心主任…: a unit of it), or another organisation is named before it (某某磁材
        董事长…，公司自主研发: the noun is that one's)."""
        for entity in need.names:
            if entity.kind is not EntityKind.ORG or not self._refers_back(entity, text):
                continue
            head = self._heads.get(entity.key, "")
            if not head:
                continue
            for at in _clause_starts(text):
                if text.startswith("其中", at):
                    continue  # 其中心血管…: 其中, not 其 + the noun
                at += len(text[at:]) - len(text[at:].lstrip("该这此本其家"))
                if not text.startswith(head, at) or _glued_on(text, at, head):
                    continue
                named = self.orgs_named_in(key)
                if any(start <= at < end for start, end, _, _ in named):
                    continue  # 实验室某某研究中心: the noun begins another name
                if any(end <= at and e.key != entity.key for _, end, _, e in named):
                    break  # 某某磁材董事长…，公司自主研发: the noun is that other one's
                return True
        return False

    def _refers_back(self, entity: Entity, text: str) -> bool:
        """The sentence calls the organisation by its head noun alone (实验室 / 该公司 /
        公司总经理…), as a report does once it has named it: the noun opens a clause or
        follows a demonstrative, so it is no part of another name (楚天重装有限公司)."""
        head = self._heads.get(entity.key)
        if head is None:
            suffix = next((s for s in self._org_suffixes if entity.name.endswith(s)), "")
            head = self._heads[entity.key] = "公司" if suffix.endswith("公司") else suffix
        if not head:
            return False
        at = text.find(head)
        while at >= 0:
            before = text[at - 1] if at else ""
            if not before or not ("\u4e00" <= before <= "\u9fff") or before in "该这此本其":
                return True
            at = text.find(head, at + 1)
        return False

    def orgs_named_in(self, key: int) -> tuple[tuple[int, int, str, Entity], ...]:
        """Organisation names in sentence ``key`` (its normalised text keeps the original's
        offsets), looked up once per sentence and snapshot: "哪家" questions score the same
        sentences again and again."""
        cached = self._org_names.get(key)
        if cached is None:
            found = []
            for match in self.k.lexicons.aliases.find(self.index.texts[key]):
                entity = self.k.entities.by_alias(match.phrase)
                if entity is not None and entity.kind is EntityKind.ORG:
                    found.append((match.start, match.end, match.phrase, entity))
            cached = self._org_names[key] = tuple(found)
        return cached

    def names_someone_else(self, need: Need, key: int) -> bool:
        """The sentence is about another organisation or person than the one asked. A
        person's own organisation (named beside them: 华南理工大学…廖志鹏教授) is not
        someone else: "该成果…转让金额" is still about 廖志鹏's team."""
        last = self._last_asked  # the same need is checked against every candidate
        if last is not None and last[0] is need:
            asked = last[1]
        else:
            found: set[str] = set()
            for entity in need.names:
                found |= self.k.entities.group(entity.key)
                if entity.kind is EntityKind.PERSON:  # and the organisations of their posts
                    found |= self._affiliations(entity.key) | {o for _, o in entity.roles}
            asked = frozenset(found)
            self._last_asked = (need, asked)
        table = self.k.entities.entities
        posts = set(need.terms) | {c.removeprefix(CONCEPT_PREFIX) for c in need.concepts}
        others = [
            k
            for k in self.index.mentions.get(key, ())
            if k in table
            and k not in asked
            and table[k].kind in REQUIRED_KINDS
            # 某社的理事长是谁: the 理事长 the sentence names is the answer, not someone else
            and not (table[k].kind is EntityKind.PERSON and _holds_post(table[k], posts))
        ]
        return bool(others) and not all(self._glossed(need, key, k) for k in others)

    def _glossed(self, need: Need, key: int, other: str) -> bool:
        """Every mention of organisation ``other`` in the sentence sits in brackets right
        after an asked name: a gloss of it (某校(现某某学院), 某公司（某集团旗下）) — its
        present name, its parent — not a sentence about someone else."""
        text = self.index.texts[key]
        spans = [(s, e) for s, e, _, entity in self.orgs_named_in(key) if entity.key == other]
        if not spans:
            return False
        asked = [a for e in need.names for a in e.aliases if a]
        for start, _ in spans:
            opening = max(text.rfind("(", 0, start), text.rfind("（", 0, start))
            if opening < 0 or any(c in text[opening:start] for c in ")）"):
                return False
            if not any(text.endswith(a, 0, opening) for a in asked):
                return False
        return True

    def _affiliations(self, person: str) -> frozenset[str]:
        """Organisations named in the sentences that name ``person``."""
        cached = self._affiliated.get(person)
        if cached is None:
            found: set[str] = set()
            for term in (ENTITY_PREFIX + k for k in self.k.entities.group(person)):
                for key in self.index.postings.get(term, ())[: self.w.max_affiliation_sentences]:
                    found |= self.index.mentions.get(key, frozenset())
            cached = self._affiliated[person] = frozenset(found)
        return cached

    def term_proximity(
        self, term: str, key: int, ref: SentenceRef, text: str, paragraph: str
    ) -> float:
        if term in text:
            return self.t.entity_sentence
        if term in paragraph:
            return self.t.entity_paragraph
        previous = self.index.paragraph_texts.get(
            (ref.article_id, ref.section, ref.paragraph - 1), ""
        )
        return self.t.entity_previous_paragraph if term in previous else 0.0


def _holds_post(person: Entity, posts: set[str]) -> bool:
    """The person holds one of the posts the question asks about (理事长 of 理事长是谁)."""
    return any(role in posts or role.split("、")[-1] in posts for role, _ in person.roles)


def _clause_starts(text: str) -> list[int]:
    """Where the sentence's clauses begin (按照…的方式,中心今后将…: 中心 opens the second)."""
    return [0] + [i + 1 for i, c in enumerate(text) if c in "，,；;：:"]


def _glued_on(text: str, at: int, head: str) -> bool:
    """The head noun at ``at`` is the start of a longer word (中心城区), not a word of its own."""
    first = next(iter(resources.cut(text[at : at + len(head) + 3])), "")
    return first != head
