"""An amount of đồng in words, by the Vietnamese accounting convention used on receipts and invoices.

The number is read in groups of three digits (đơn vị, nghìn, triệu, tỷ; past tỷ the groups repeat:
nghìn tỷ, triệu tỷ …). The rules, as accounting software and receipts (C45-BB) write them:

- a group after the first that is not all zeros is read in full, hundreds included: 1.005.000 →
  "một triệu không trăm linh năm nghìn"; 10.050.000 → "mười triệu không trăm năm mươi nghìn";
- a group of zeros is left out (with its unit), except that "tỷ" is always said when something
  above it is not zero: 1.000.005 → "một triệu không trăm linh năm";
- a zero ten before a unit is "linh": 105 → "một trăm linh năm";
- ten is "mười"; a unit after "mười"/"mươi": 1 is "một" after "mười" and "mốt" after "mươi" (21 →
  "hai mươi mốt"); 5 is "lăm" (15 → "mười lăm", 25 → "hai mươi lăm"); 4 stays "bốn" (24 → "hai mươi bốn", the
  written form; the spoken "tư" is not used on papers); after "linh" the digit keeps its name
  ("linh một", "linh bốn", "linh năm").

The words are lower case here; ``amount_in_words`` capitalises the first letter and adds "đồng".
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
GROUP_UNITS = ("", "nghìn", "triệu")  # then "tỷ", and the cycle repeats above it


def _group_words(value: int, full: bool) -> list[str]:
    """Words of a group 0..999 (not 0). ``full``: a group after the first, read with its hundreds."""
    hundreds, tens, units = value // 100, value // 10 % 10, value % 10
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words += ["linh", DIGITS[units]]
        elif units:
            words.append(DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 1:
        words.append("một" if tens == 1 else "mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _below_billion(value: int, leading: bool) -> list[str]:
    """Words of 0..999 999 999; ``leading``: nothing above it is said (its first group is read short)."""
    groups = [value // 1_000_000, value // 1_000 % 1_000, value % 1_000]
    words: list[str] = []
    for position, group in enumerate(groups):
        if group == 0:
            continue
        words += _group_words(group, full=bool(words) or not leading)
        unit = GROUP_UNITS[2 - position]
        if unit:
            words.append(unit)
    return words


def number_words(value: int) -> str:
    """``1005000`` → ``"một triệu không trăm linh năm nghìn"``; ``0`` → ``"không"``. Not negative."""
    if value < 0:
        raise ValueError("number_words reads amounts of zero or more")
    if value == 0:
        return DIGITS[0]
    return " ".join(_words(value, leading=True))


def _words(value: int, leading: bool) -> list[str]:
    """Words of ``value`` > 0: what is above a billion, "tỷ", then the rest read as an inner part."""
    high, low = divmod(value, 1_000_000_000)
    words = [*_words(high, leading), "tỷ"] if high else []
    if low:
        words += _below_billion(low, leading=leading and not words)
    return words


def amount_in_words(amount: int) -> str:
    """``231000`` → ``"Hai trăm ba mươi mốt nghìn đồng"``; a negative amount (a reversal) starts "Âm"."""
    words = number_words(abs(amount))
    text = ("âm " if amount < 0 else "") + words + " đồng"
    return text[0].upper() + text[1:]
