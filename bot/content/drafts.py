"""Articles and sections while a page is being laid out (mutable; frozen afterwards)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.content.blocks import Unit


@dataclass
class SectionDraft:
    heading: str | None
    line: int
    paragraphs: list[Unit] = field(default_factory=list)


@dataclass
class ArticleDraft:
    """An article while the page is being read; frozen into an Article afterwards."""

    title: str | None
    line: int
    kicker: str | None = None
    column: str | None = None
    subtitle: str | None = None
    byline: list[str] = field(default_factory=list)
    dateline: tuple[int | None, int, int] | None = None  # (year, month, day)
    sections: list[SectionDraft] = field(default_factory=list)
    truncated: bool = False

    def has_body(self) -> bool:
        return any(s.paragraphs for s in self.sections)

    def add_paragraph(self, unit: Unit) -> None:
        if not self.sections:
            self.sections.append(SectionDraft(None, unit.line))
        self.sections[-1].paragraphs.append(unit)

    def last_paragraph(self) -> Unit | None:
        for section in reversed(self.sections):
            if section.paragraphs:
                return section.paragraphs[-1]
        return None

    def replace_last_paragraph(self, unit: Unit) -> None:
        for section in reversed(self.sections):
            if section.paragraphs:
                section.paragraphs[-1] = unit
                return

    def text(self) -> str:
        parts = [self.title or ""]
        parts += [p.text for s in self.sections for p in s.paragraphs]
        return "\n".join(parts)
