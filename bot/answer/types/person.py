"""谁 / 董事长是谁 / 是什么职务: a person with their role, or the organisation that did it
(由…联合组建) when no person is asked for by name or role."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer.clauses import context_clause
from bot.answer.surfaces import as_the_post, surfaces
from bot.answer.types.base import (
    AnswerKind,
    Fit,
    FitInput,
    SuggestInput,
    SummaryInput,
    about_the_question,
    anchored_to,
    asked_about,
    select,
)
from bot.content.model import Fact, FactKind
from bot.knowledge.entities import EntityKind
from bot.nlu import resources
from bot.rules.model import AnswerType
from bot.rules.weights import Scoring
from bot.text.chars import CLAUSE_SEP

KINDS = frozenset({FactKind.PERSON})
_ROLE_RES: dict[str, re.Pattern[str]] = {}  # lexicon fingerprint → its role words


def _role_re() -> re.Pattern[str]:
    """The role words of the snapshot's lexicon (read per question, not at import: a reload
    may change the lexicon), compiled once per lexicon."""
    lx = resources.lexicon()
    found = _ROLE_RES.get(lx.fingerprint)
    if found is None:
        roles = sorted((*lx.roles_before_name, *lx.roles_after_name), key=len, reverse=True)
        found = _ROLE_RES[lx.fingerprint] = re.compile("|".join(map(re.escape, roles)))
    return found


_AGENT_RE = re.compile(f"由(?!此|于)(?=(?P<clause>[^{CLAUSE_SEP}。！？!?]*))")
_AGENT_TRAIL_RE = re.compile(r"(联合|共同|一起|携手|负责|出资|主导)+$")
_NOT_ROLES = ("记者", "通讯员")  # a byline's credit is not what the person is


def fit(inp: FitInput) -> Fit:
    need, text = inp.need, inp.sentence.text
    facts = select(inp, KINDS)
    people = [e for e in need.names if e.kind is EntityKind.PERSON]
    kin = resources.lexicon().kinship_roles.intersection(need.terms)
    if people and kin:
        # "陈某某的儿子叫啥": the relative the sentence names with that word, not the one asked
        asked = {a for e in people for a in e.aliases}
        facts = tuple(
            f for f in facts if f.role in kin and resources.normalised(str(f.value)) not in asked
        )
        return about_the_question(inp, facts)
    if people:
        # "胡茹琰是什么职务": the fact must be about her, not whoever else is named
        names = {a for e in people for a in e.aliases}
        facts = tuple(f for f in facts if resources.normalised(str(f.value)) in names)
        if not facts and _describes(text):
            return (), 1.0  # an author's "（作者系…教授）" line answers "是什么人"
    elif not facts and not any(_role_re().search(t) for t in (*need.terms, *need.concepts)):
        # "由谁联合组建的？" may be answered by organisations, never by the one asked
        facts = tuple(
            f
            for f in inp.sentence.facts
            if f.kind is FactKind.ORG
            and not asked_about(inp, str(f.value))
            and (not inp.anchors or anchored_to(inp, f))
        )
        return facts, inp.tools.w.agent_fit if facts else 0.0
    else:
        facts = _holding_the_post(inp, facts)
    return about_the_question(inp, facts)


def _holding_the_post(inp: FitInput, facts: tuple[Fact, ...]) -> tuple[Fact, ...]:
    """ "某公司的董事长是谁": only a person with that title answers (or another way of
    writing it; 负责人 is any head's title), not the 副总经理 the sentence names."""
    role = _role_re()
    posts = [
        s
        for item in (*inp.need.concepts, *inp.need.terms)
        for s in surfaces(inp.tools.k, item)
        if role.fullmatch(s)
    ]
    if not posts:
        return facts
    return tuple(f for f in facts if f.role and any(as_the_post(f.role, post) for post in posts))


def _describes(text: str) -> bool:
    return bool(_role_re().search(text)) and text.lstrip("（(").startswith(("作者", "系"))


def agent(text: str, words: Sequence[str], w: Scoring) -> Fact | None:
    """``由益阳高新区和湖南师范大学联合共建`` answers "谁建的": whoever stands between 由 and
    the question's verb did it, person or not (the sentence's 潘安栋教授 did not build it)."""
    words = [w for w in words if w and w != "由"]
    norm = resources.normalised(text)
    for match in _AGENT_RE.finditer(norm):
        start = match.end()
        # the agent ends where the word holding the verb begins (共建, not 建)
        verb_at = next(
            (
                at
                for token, at in resources.cut_with_offsets(match.group("clause"))
                if at >= 2 and any(w in token for w in words)
            ),
            None,
        )
        if verb_at is None:
            continue
        agent = _AGENT_TRAIL_RE.sub("", text[start : start + verb_at])
        if 2 <= len(agent) <= w.max_agent_chars:
            return Fact(FactKind.ORG, agent, agent, None, start, start + len(agent))
    return None


def summary(inp: SummaryInput) -> str:
    """``陈宏志 — 和天电子董事长``: the person with their organisation and role."""
    fact = inp.fact
    role = fact.role or ""
    org = _organisation_of(inp) or fact.org or ""
    if role and role.split("、")[-1] not in _NOT_ROLES:
        return f"{fact.value} — {org}{role}" if org else f"{fact.value}（{role}）"
    return f"{fact.value} — {context_clause(inp.text, fact)}"


def _organisation_of(inp: SummaryInput) -> str | None:
    if inp.knowledge is None:
        return None
    table = inp.knowledge.entities
    person = table.by_alias(str(inp.fact.value))
    if person is None:
        return None
    return next((table.entities[o].name for _, o in person.roles if o in table.entities), None)


def suggest(inp: SuggestInput) -> str | None:
    fact = inp.fact
    if not (fact.role and fact.org):
        return None
    role = fact.role.split("、")[-1]
    if role in _NOT_ROLES:
        return None
    return inp.responses.text("suggest_person", "zh", org=fact.org, role=role)


KIND = AnswerKind(
    AnswerType.PERSON,
    fit,
    KINDS,
    owns=FactKind.PERSON,
    summary=summary,
    suggest=suggest,
    choose=agent,
)
