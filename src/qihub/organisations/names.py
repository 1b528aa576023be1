"""How organisation names are compared and searched.

Two spellings of one name are the same organisation when their *name keys*
are equal: NFKC-folded (full-width letters, digits and brackets become
ASCII), lower-cased, with white space and the punctuation people type
inconsistently (brackets, dots, hyphens, the ideographic comma) removed. So
``四川省（绵阳）科技有限公司`` and ``四川省(绵阳)科技有限公司 `` share a key,
and so do ``Sichuan Institute, Co. Ltd`` and ``sichuan institute co ltd``.

The data migrations of every domain match their old free-text parties with
these functions: keep them stable (a change here changes which strings match).
"""

import re
import unicodedata

_DROP = re.compile(r"[\s()\[\]{}<>.,;:'\"`·・、，。；：“”‘’《》〈〉【】\-_/\\&]+")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Lists of organisations in one text field (drafting units, co-authors) are
#: separated by these; brackets inside a name are kept.
_LIST_SPLIT = re.compile(r"\s*(?:[,;，；、\n]|\s{2,})\s*")


def name_key(name: str) -> str:
    """The comparison key of an organisation name (``""`` for a blank name)."""
    folded = unicodedata.normalize("NFKC", name or "").lower()
    return _DROP.sub("", folded)[:300]


def split_names(text: str) -> list[str]:
    """The organisation names of a free-text list, in their order, each once."""
    names: list[str] = []
    seen: set[str] = set()
    for part in _LIST_SPLIT.split(text or ""):
        part = part.strip()
        key = name_key(part)
        if key and key not in seen:
            seen.add(key)
            names.append(part)
    return names


def search_tokens(*texts: str) -> list[str]:
    """Index tokens of names: every Chinese character and every pair of
    neighbouring characters (so any two-character fragment such as 绵阳 or
    科技 finds the name), and Latin words with their prefixes of 2+ letters
    (search as you type)."""
    tokens: list[str] = []
    seen: set[str] = set()

    def add(token: str) -> None:
        if token not in seen:
            seen.add(token)
            tokens.append(token)

    for text in texts:
        folded = unicodedata.normalize("NFKC", text or "").lower()
        for run in re.findall(f"[{_CJK}]+|[0-9a-z]+", folded):
            if re.match(f"[{_CJK}]", run):
                for i, char in enumerate(run):
                    add(char)
                    if i + 1 < len(run):
                        add(run[i : i + 2])
            else:
                for end in range(min(2, len(run)), len(run) + 1):
                    add(run[:end])
    return tokens


def query_runs(q: str) -> list[list[str]]:
    """The tokens a query must all match, by the word they come from:
    Chinese as overlapping pairs (a single character alone), Latin words
    whole (prefix tokens are indexed)."""
    folded = unicodedata.normalize("NFKC", q or "").lower()
    runs: list[list[str]] = []
    for run in re.findall(f"[{_CJK}]+|[0-9a-z]+", folded):
        if re.match(f"[{_CJK}]", run):
            if len(run) == 1:
                runs.append([run])
            else:
                runs.append([run[i : i + 2] for i in range(len(run) - 1)])
        else:
            runs.append([run])
    return runs


def query_tokens(q: str) -> list[str]:
    """Tokens a query must all match (``query_runs``'s, each once)."""
    return list(dict.fromkeys(t for run in query_runs(q) for t in run))
