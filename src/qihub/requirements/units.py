"""Units of measure as standards write them, parsed and converted exactly.

Standards mix SI symbols (mg/kg, ℃), Chinese spellings (毫克/千克, 毫克每千克,
摄氏度) and counts per amount (个/100g, CFU/g). ``parse_unit`` turns any of
them into a pint unit; ``convert`` converts a ``Decimal`` exactly, so
0.1 mg/kg equals 100 µg/kg with no floating-point residue.
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from functools import lru_cache

import pint

# Decimal arithmetic inside pint keeps prefix conversions exact.
ureg = pint.UnitRegistry(non_int_type=Decimal, autoconvert_offset_to_baseunit=True)
ureg.define("colony_forming_unit = count = CFU = cfu")
ureg.define("most_probable_number = count = MPN")
ureg.define("fibre = count")
ureg.define("sound_level_decibel = [sound_level] = dB_level")
ureg.define("pH_unit = [acidity] = pH")
ureg.define("grade_level = [grade]")
# Alcoholic strength (酒精度, GB/T 15038): percent by volume, written %vol.
ureg.define("percent_by_volume = 0.01 = pct_vol")


class UnitError(ValueError):
    """A unit text that cannot be read, or two units that cannot be converted."""


# Longest spellings first so 毫克 is not read as 毫 + 克 piecemeal.
_CHINESE = [
    ("摄氏度", "degC"),
    ("毫克", "mg"),
    ("微克", "ug"),
    ("纳克", "ng"),
    ("千克", "kg"),
    ("公斤", "kg"),
    ("克", "g"),
    ("毫升", "mL"),
    ("微升", "uL"),
    ("升", "L"),
    ("毫米", "mm"),
    ("厘米", "cm"),
    ("微米", "um"),
    ("纳米", "nm"),
    ("千米", "km"),
    ("平方米", "m**2"),
    ("立方米", "m**3"),
    ("米", "m"),
    ("千帕", "kPa"),
    ("兆帕", "MPa"),
    ("帕", "Pa"),
    ("牛顿", "N"),
    ("牛", "N"),
    ("焦耳", "J"),
    ("焦", "J"),
    ("千瓦时", "kWh"),
    ("千瓦", "kW"),
    ("瓦", "W"),
    ("伏", "V"),
    ("毫安", "mA"),
    ("安", "A"),
    ("赫兹", "Hz"),
    ("分贝", "dB_level"),
    ("勒克斯", "lx"),
    ("小时", "hour"),
    ("分钟", "minute"),
    ("秒", "s"),
    ("天", "day"),
    ("菌落形成单位", "CFU"),
    ("个", "count"),
    ("根", "fibre"),
    ("级", "grade_level"),
    ("每", "/"),
]

_ALIASES = {
    "": "dimensionless",
    "%": "percent",
    "%vol": "percent_by_volume",
    "% vol": "percent_by_volume",
    "%(vol)": "percent_by_volume",
    "%(V/V)": "percent_by_volume",
    "%(v/v)": "percent_by_volume",
    "％": "percent",
    "‰": "permille",
    "ppm": "ppm",
    "ppb": "ppb",
    "℃": "degC",
    "°c": "degC",
    "°C": "degC",
    "℉": "degF",
    "°F": "degF",
    "db": "dB_level",
    "dB": "dB_level",
    "dB(A)": "dB_level",
    "ph": "pH",
    "pH": "pH",
    "kwh": "kWh",
    "grade": "grade_level",
}


def _prepare(text: str) -> str:
    s = text.strip()
    s = s.replace("（", "(").replace("）", ")").replace("／", "/").replace("·", "*")
    s = s.replace("μ", "u").replace("µ", "u").replace("×", "*")
    if s in _ALIASES:
        return _ALIASES[s]
    for zh, sym in _CHINESE:
        s = s.replace(zh, sym)
    s = s.replace("℃", "degC").replace("°C", "degC").replace("%", "percent")
    # "个/100g", "MPN/100mL": per 100 g is per hectogram, per 100 mL per decilitre.
    s = re.sub(r"/\s*100\s*g\b", "/hg", s)
    s = re.sub(r"/\s*100\s*mL\b", "/dL", s, flags=re.IGNORECASE)
    s = re.sub(r"/\s*(\d+(?:\.\d+)?)\s*([A-Za-z]\w*)", r"/(\1 * \2)", s)
    s = re.sub(r"([A-Za-z])([23])\b", r"\1**\2", s)
    s = re.sub(r"\s+", " ", s).strip()
    return _ALIASES.get(s, s)


@lru_cache(maxsize=2048)
def _parse(text: str) -> tuple[pint.Unit, Decimal]:
    """A unit and the scale factor a number inside the text carries."""
    prepared = _prepare(text)
    try:
        quantity = ureg.parse_expression(prepared)
    except Exception as exc:
        raise UnitError(f"Unknown unit {text!r}.") from exc
    if not isinstance(quantity, pint.Quantity):
        return ureg.dimensionless, Decimal(str(quantity))
    return quantity.units, Decimal(str(quantity.magnitude))


def parse_unit(text: str) -> pint.Unit:
    """The pint unit for a unit text; raises ``UnitError`` if unknown.

    "个/100g" becomes count per hectogram. Any other number inside the text is
    kept by ``convert``.
    """
    return _parse(text or "")[0]


def dimension_of(text: str) -> str:
    """The physical dimension of a unit, as text ("dimensionless", "[mass]")."""
    return str(parse_unit(text).dimensionality)


def normalise_unit(text: str) -> str:
    """The canonical short text of a unit ("毫克/千克" -> "mg/kg")."""
    if not text or not text.strip():
        return ""
    unit, scale = _parse(text)
    if unit == ureg.dimensionless and scale == 1:
        return ""
    symbol = f"{unit:~}"
    symbol = symbol.replace(" / ", "/").replace(" * ", "·").replace(" ** ", "^")
    symbol = symbol.replace("°C", "℃").replace("degree_Celsius", "℃")
    symbol = re.sub(r"\bl\b", "L", symbol).replace("ml", "mL").replace("dl", "dL")
    symbol = re.sub(r"/hg$", "/100g", symbol)
    symbol = re.sub(r"/dL$", "/100mL", symbol)
    symbol = symbol.replace("dB_level", "dB").replace("grade_level", "grade")
    symbol = symbol.replace("pct_vol", "%vol")
    if scale != 1:
        symbol = f"{symbol} ×{scale.normalize():f}"
    return symbol


def _quantise(value: Decimal) -> Decimal:
    """Drop the last digits of Decimal division noise (9/5 for ℉) and trailing zeros."""
    with localcontext() as ctx:
        ctx.prec = 24
        result = (+value).normalize()
    if result.as_tuple().exponent > 0:
        result = result.quantize(Decimal(1))
    return result


def convert(
    value: Decimal | int | float | str, from_unit: str, to_unit: str
) -> Decimal:
    """Convert ``value`` from one unit to another exactly, using Decimal.

    Raises ``UnitError`` when a unit is unknown or the dimensions differ
    (mass fraction cannot become a length).
    """
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    if (from_unit or "") == (to_unit or ""):
        _parse(from_unit or "")  # still refuse an unknown unit
        return amount
    mult, offset = factor(from_unit or "", to_unit or "")
    return _quantise(amount * mult + offset)


@lru_cache(maxsize=4096)
def factor(from_unit: str, to_unit: str) -> tuple[Decimal, Decimal]:
    """``(multiplier, offset)`` with ``to = from * multiplier + offset``, exact
    Decimals computed once per unit pair (offset is non-zero only for ℃/℉)."""
    from_u, from_scale = _parse(from_unit)
    to_u, to_scale = _parse(to_unit)
    if from_u.dimensionality != to_u.dimensionality:
        raise UnitError(
            f"Cannot convert {from_unit or 'a number'} to {to_unit or 'a number'}: "
            "different quantities."
        )

    def at(x: Decimal) -> Decimal:
        try:
            q = ureg.Quantity(x * from_scale, from_u).to(to_u)
        except pint.errors.PintError as exc:
            raise UnitError(f"Cannot convert {from_unit} to {to_unit}.") from exc
        return Decimal(q.magnitude) / to_scale

    zero = at(Decimal(0))
    return _quantise(at(Decimal(1)) - zero), _quantise(zero)
