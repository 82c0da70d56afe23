"""Masks for personal information, as DuckDB SQL expressions composed from this module's constants.

Each function takes a column expression (an identifier from `warehouse.access`'s allow-lists,
never user input) and returns a SQL expression for the masked value:

- phone: the first three and last four digits, `13812345678` -> `138****5678`;
- name: the surname's first character and `*`, `张三` -> `张*`;
- ID number: `*` for all but the last four characters, `110101199003071234` -> `**************1234`;
- address: up to the building, `文堤公寓3幢2单元1203室` -> `文堤公寓3幢`; an address with no
  building keeps its words and loses every digit (`5-2-301` -> `*-*-***`);
- free text (descriptions, remarks): phone numbers and ID numbers inside it masked as above, and
  unit and room numbers replaced by `*` (`文堤公寓3幢2单元1203室漏水` -> `文堤公寓3幢*单元*室漏水`);
  where the row names its person (a ticket's caller), that name inside the text masked as a name
  (`联系人张三` -> `联系人张*`). Other people's names in free text are not recognised.

They are plain expressions, not macros or views, so a read-only connection needs nothing created
on it; `MACROS_SQL` gives the same masks as `create macro` statements for a build that wants them.
"""

from __future__ import annotations

# A building marker after a number: 幢, 号楼, 栋, 座; a street number (号) when there is none.
BUILDING = r"^(.*?\d+(?:幢|号楼|栋|座))"
STREET_NUMBER = r"^(.*?\d+号)"
MOBILE_IN_TEXT = r"(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})"
LANDLINE_IN_TEXT = r"(0\d{2,3})-?\d{3,4}(\d{4})"
ID_IN_TEXT = r"\d{14}(\d{3}[\dXx])"
UNIT_OR_ROOM_IN_TEXT = r"\d+\s*(单元|室|户|号房)"
NUMBER_AFTER_UNIT_IN_TEXT = r"单元\s*\d+"


def phone(column: str) -> str:
    """`138****5678`; fewer than seven digits become `****`."""
    digits = f"regexp_replace({column}, '\\D', '', 'g')"
    return (
        f"case when {column} is null or trim({column}) = '' then null "
        f"when length({digits}) >= 7 then left({digits}, 3) || '****' || right({digits}, 4) "
        "else '****' end"
    )


def name(column: str) -> str:
    """The first character (the surname) and `*`."""
    return (
        f"case when {column} is null or trim({column}) = '' then null "
        f"else left(trim({column}), 1) || '*' end"
    )


def id_number(column: str) -> str:
    """`*` for every character but the last four."""
    return (
        f"case when {column} is null or trim({column}) = '' then null "
        f"when length(trim({column})) <= 4 then '****' "
        f"else repeat('*', length(trim({column})) - 4) || right(trim({column}), 4) end"
    )


def address(column: str) -> str:
    """Up to the building (or the street number), otherwise every digit replaced by `*`; any
    phone or ID number left in what is kept is masked too."""
    building = f"regexp_extract({column}, '{BUILDING}', 1)"
    street = f"regexp_extract({column}, '{STREET_NUMBER}', 1)"
    return free_text(
        f"case when {column} is null then null "
        f"when {building} <> '' then {building} "
        f"when {street} <> '' then {street} "
        f"else regexp_replace({column}, '\\d', '*', 'g') end"
    )


def free_text(column: str) -> str:
    """The text with ID numbers, mobile and landline numbers masked, and any address in it cut
    to the building: unit and room numbers become `*` (`3幢2单元1203室` -> `3幢*单元*室`)."""
    ids = f"regexp_replace({column}, '{ID_IN_TEXT}', '**************\\1', 'g')"
    mobiles = f"regexp_replace({ids}, '{MOBILE_IN_TEXT}', '\\1****\\2', 'g')"
    landlines = f"regexp_replace({mobiles}, '{LANDLINE_IN_TEXT}', '\\1****\\2', 'g')"
    units = f"regexp_replace({landlines}, '{UNIT_OR_ROOM_IN_TEXT}', '*\\1', 'g')"
    return f"regexp_replace({units}, '{NUMBER_AFTER_UNIT_IN_TEXT}', '单元*', 'g')"


def free_text_naming(column: str, name_column: str) -> str:
    """`free_text`, with every occurrence of the row's own person's name (`name_column`, two
    characters or more) in it masked as a name first."""
    named = (
        f"case when length(trim({name_column})) >= 2 "
        f"then replace({column}, trim({name_column}), {name(name_column)}) else {column} end"
    )
    return free_text(named)


MASKS = {
    "phone": phone,
    "name": name,
    "id_number": id_number,
    "address": address,
    "text": free_text,
}

# The same masks as macros, for a build that wants masked views (see docs/access.md).
MACROS_SQL = "\n".join(
    f"create or replace macro mask_{kind}(value) as ({mask('value')});"
    for kind, mask in MASKS.items()
)
