"""The organisations a lifecycle record names, where only a name is known.

Committee members' organisations, proposers, drafting units and research
leads used to be free text. Where such a name has to become an organisation
(the data migration ``0005_organisations_data``, a project plan import) the
kind is *guessed* from the name, as staff would read it; they correct it on
the organisation's page when the guess is wrong. Data migration 0005 imports
``guess_kind``: keep its answers stable.
"""

from __future__ import annotations

#: (fragments, kind) in the order they are tried: the first match wins, so
#: 标准化研究院 is a standardization institute before it is a research
#: institute, and 中国科学院 a research institute before 学院 says university.
KIND_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("标准化研究院", "标准化协会", "标准化研究所", "标准化院"),
        "standardization_institute",
    ),
    (("协会", "联合会", "学会", "association", "federation"), "social_organisation"),
    (("科学院", "研究院", "研究所", "研究中心"), "research_institute"),
    (("大学", "学院", "university", "college"), "university"),
    (
        ("公司", "集团", "有限", "厂", "company", "co ltd", "corporation", "group"),
        "enterprise",
    ),
    (
        ("局", "委员会", "厅", "部", "ministry", "administration", "bureau"),
        "government",
    ),
)
DEFAULT_KIND = "research_institute"


def guess_kind(name: str) -> str:
    """The likely kind of organisation (``Organisation.Kind`` value) of a name:
    标准化研究院/标准化协会 standardization institute; 科学院/研究院/研究所
    research institute; 协会/联合会/学会 social organisation; 大学/学院
    university; 公司/集团 enterprise;
    局/委员会/厅 government; anything else a research institute."""
    folded = (name or "").lower()
    for fragments, kind in KIND_RULES:
        if any(fragment in folded for fragment in fragments):
            return kind
    return DEFAULT_KIND
