"""Fast, deterministic fake clients and orders in Russian and English, for demos and benchmarks.

Client `j` of a run is a pure function of the run key and `j` (a keyed hash), so the order
generator can name and date any client without holding the client table in memory, and the
two tables can be generated apart. The rest of a client row, and every order, comes from a
`random.Random` seeded per batch. No Faker: at millions of rows it is far too slow.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple, TypeVar
from uuid import UUID

from servicedesk.ops.fake_words import (
    ADJECTIVES_RU,
    BRAND_HEADS_RU,
    BRAND_PREFIXES_RU,
    BRAND_SUFFIXES_RU,
    BRAND_TAILS_RU,
    COMPANY_FORMS_EN,
    COMPANY_HEADS_EN,
    COMPANY_TAILS_EN,
    FIRST_FEMALE_RU,
    FIRST_MALE_RU,
    FIRST_NAMES_EN,
    LEGAL_FORMS_RU,
    NOUNS_RU,
    PATRONYMICS_RU,
    SECTORS_EN,
    SINGLE_BRANDS_RU,
    SURNAMES_EN,
    SURNAMES_RU,
    weighted,
    words,
)

T = TypeVar("T")
SEED_USER = "seed"
ORDER_STATUSES = ("new", "confirmed", "paid", "shipped", "completed", "cancelled")
PHONE_PATTERN = re.compile(r"^\+[1-9][0-9]{6,14}$")


def seeded(label: str) -> random.Random:
    """Reproducible fake data, not cryptography: the same label gives the same stream."""
    return random.Random(label)  # noqa: S311


# --- transliteration and INN -----------------------------------------------------------

_TRANSLIT = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziiklmnoprstufye", strict=True)),
        **{"ё": "e", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch"},
        **{"ъ": "", "ь": "", "ю": "iu", "я": "ia"},
    }
)
_NOT_HANDLE = re.compile(r"[^a-z0-9]+")


def transliterate(text: str) -> str:
    """Lower-case Latin letters and digits only, words joined by hyphens."""
    return _NOT_HANDLE.sub("-", text.lower().translate(_TRANSLIT)).strip("-")


_SPACES = re.compile(r"\s+")


def fold_text(value: str) -> str:
    """The SQL `fold_text`/`fold_name`: lower case, ё → е, runs of whitespace → one space."""
    return _SPACES.sub(" ", value.lower().replace("ё", "е"))


def format_number(number: int) -> str:
    return f"ORD-{number:07d}"


_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_REGIONS = weighted("77:8 78:4 50:4") + words("66 54 16 52 63 23 61 02 74 24 59 36 34")


def _check_digit(digits: Sequence[int], weights: Sequence[int]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_checksum_valid(value: str) -> bool:
    """A Russian INN: 10 digits (organisation) or 12 (individual) with valid check digits."""
    if not value.isascii() or not value.isdigit() or len(value) not in (10, 12):
        return False
    d = [int(c) for c in value]
    if len(d) == 10:
        return d[9] == _check_digit(d, _INN10)
    return d[10] == _check_digit(d, _INN11) and d[11] == _check_digit(d, _INN12)


def make_inn(rng: random.Random, individual: bool) -> str:
    """A valid INN: region and tax office, a serial, then the check digit(s)."""
    serial = f"{rng.randrange(10**6):06d}" if individual else f"{rng.randrange(10**5):05d}"
    digits = [int(c) for c in rng.choice(_INN_REGIONS) + f"{rng.randint(1, 51):02d}" + serial]
    if individual:
        digits.append(_check_digit(digits, _INN11))
        digits.append(_check_digit(digits, _INN12))
    else:
        digits.append(_check_digit(digits, _INN10))
    return "".join(map(str, digits))


# --- names ---------------------------------------------------------------------------

_FEMININE_SURNAME = (
    ("ский", "ская"),
    ("цкий", "цкая"),
    ("ой", "ая"),
    ("ов", "ова"),
    ("ёв", "ёва"),
    ("ев", "ева"),
    ("ин", "ина"),
    ("ын", "ына"),
)
_FEMININE_PATRONYMIC = {"Ильич": "Ильинична", "Никитич": "Никитична"}


def feminine_surname(surname: str) -> str:
    """Иванов → Иванова, Троицкий → Троицкая; Шевченко, Черных, Ким stay as they are."""
    for male, female in _FEMININE_SURNAME:
        if surname.endswith(male):
            return surname[: -len(male)] + female
    return surname


def feminine_patronymic(patronymic: str) -> str:
    if patronymic in _FEMININE_PATRONYMIC:
        return _FEMININE_PATRONYMIC[patronymic]
    return patronymic[:-4] + patronymic[-4:].replace("ович", "овна").replace("евич", "евна")


def adjective_form(masculine: str, gender: str) -> str:
    """Северный → Северная/Северное, Синий → Синяя/Синее, Тихий → Тихая/Тихое."""
    if gender == "m":
        return masculine
    stem, feminine = masculine[:-2], gender == "f"
    if masculine.endswith(("ый", "ой")) or stem[-1] in "гкх":
        return stem + ("ая" if feminine else "ое")
    if stem[-1] in "жшчщ":
        return stem + ("ая" if feminine else "ее")
    return stem + ("яя" if feminine else "ее")


def _compound_brands() -> tuple[str, ...]:
    return tuple(h + t for h in BRAND_HEADS_RU for t in BRAND_TAILS_RU if h.lower() != t)


def _phrase_brands() -> tuple[str, ...]:
    return tuple(
        f"{adjective_form(adjective, gender)} {noun}"
        for gender, nouns in NOUNS_RU.items()
        for noun in nouns.split()
        for adjective in ADJECTIVES_RU
    )


def _english_brands() -> tuple[str, ...]:
    joined = tuple(h + t.lower() for h in COMPANY_HEADS_EN for t in COMPANY_TAILS_EN if h != t)
    return joined + tuple(f"{h} {t}" for h in COMPANY_HEADS_EN for t in COMPANY_TAILS_EN if h != t)


COMPOUND_BRANDS_RU = _compound_brands()
PHRASE_BRANDS_RU = _phrase_brands()
BRANDS_EN = _english_brands()
FEMALE_PATRONYMICS_RU = tuple(feminine_patronymic(p) for p in PATRONYMICS_RU)
FEMALE_SURNAMES_RU = tuple(feminine_surname(s) for s in SURNAMES_RU)


class _Draw:
    """Consumes the bits of one keyed hash: `below(n)` is uniform enough for n ≪ 2**128."""

    __slots__ = ("bits",)

    def __init__(self, bits: int) -> None:
        self.bits = bits

    def below(self, n: int) -> int:
        self.bits, value = divmod(self.bits, n)
        return value

    def pick(self, items: Sequence[T]) -> T:
        return items[self.below(len(items))]


def _russian_brand(draw: _Draw) -> str:
    roll = draw.below(100)
    if roll < 50:
        brand = draw.pick(COMPOUND_BRANDS_RU)
    elif roll < 94:
        brand = draw.pick(PHRASE_BRANDS_RU)
    else:
        brand = draw.pick(SINGLE_BRANDS_RU)
    decoration = draw.below(100) + (60 if roll >= 94 else 0)
    if decoration < 82:
        return brand
    if decoration < 91:
        return f"{draw.pick(BRAND_PREFIXES_RU)} {brand}"
    return brand + draw.pick(BRAND_SUFFIXES_RU)


def _english_company(draw: _Draw) -> tuple[str, str]:
    brand = draw.pick(BRANDS_EN)
    if draw.below(2):
        brand = f"{brand} {draw.pick(SECTORS_EN)}"
    return f"{brand} {draw.pick(COMPANY_FORMS_EN)}", brand


class ClientCore(NamedTuple):
    """What orders need to know about a client, and the name parts its e-mail is made from."""

    id: UUID
    kind: str
    russian: bool
    display_name: str
    created_ts: int
    given: str  # first name of a person or sole proprietor, "" for an organisation
    family: str  # surname, or the brand of an organisation


def _russian_person(draw: _Draw) -> tuple[str, str, str]:
    """(surname, first name, patronymic) agreeing in gender."""
    index = draw.below(len(SURNAMES_RU))
    if draw.below(2):
        return SURNAMES_RU[index], draw.pick(FIRST_MALE_RU), draw.pick(PATRONYMICS_RU)
    return FEMALE_SURNAMES_RU[index], draw.pick(FIRST_FEMALE_RU), draw.pick(FEMALE_PATRONYMICS_RU)


def _person(draw: _Draw, russian: bool) -> tuple[str, str, str]:
    """(display name, first name, surname)."""
    if russian:
        surname, first, patronymic = _russian_person(draw)
        return f"{surname} {first} {patronymic}", first, surname
    first, surname = draw.pick(FIRST_NAMES_EN), draw.pick(SURNAMES_EN)
    if draw.below(10) < 3:
        return f"{first} {chr(65 + draw.below(26))}. {surname}", first, surname
    return f"{first} {surname}", first, surname


def _company(draw: _Draw, russian: bool) -> tuple[str, str, str]:
    """(display name, given name of a sole proprietor or "", surname or brand)."""
    if not russian:
        name, brand = _english_company(draw)
        return name, "", brand
    form = draw.pick(LEGAL_FORMS_RU)
    if form == "ИП":
        surname, first, patronymic = _russian_person(draw)
        return f"ИП {surname} {first[0]}. {patronymic[0]}.", first, surname
    brand = _russian_brand(draw)
    return f"{form} «{brand}»", "", brand


HEAVY_EVERY = 37  # every 37th client is a frequent buyer, usually an organisation


@dataclass(frozen=True, slots=True)
class ClientSpace:
    """The clients of one run: client `j` is a pure function of (key, j)."""

    key: bytes
    count: int
    start_ts: int
    span_s: int

    def core(self, index: int) -> ClientCore:
        digest = hashlib.blake2b(index.to_bytes(8, "little"), key=self.key, digest_size=32)
        bits = int.from_bytes(digest.digest(), "little")
        uid = UUID(int=bits & (2**128 - 1), version=4)
        draw = _Draw(bits >> 128)
        company_percent = 80 if index % HEAVY_EVERY == 0 else 29
        company = draw.below(100) < company_percent
        russian = draw.below(100) < 80
        name, given, family = (_company if company else _person)(draw, russian)
        offset = self.span_s * (index * 1000 + draw.below(1000)) // (self.count * 1000)
        kind = "company" if company else "person"
        return ClientCore(uid, kind, russian, name, self.start_ts + offset, given, family)

    def existing_at(self, ts: float) -> int:
        """How many clients (a prefix of the indexes) were created before `ts`."""
        return min(self.count, max(1, int(self.count * (ts - self.start_ts) / self.span_s)))


# --- client rows -----------------------------------------------------------------------

CLIENT_COLUMNS = (
    "id",
    "display_name",
    "kind",
    "email",
    "phone",
    "tax_id",
    "external_id",
    "version",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
)
KNOWN_CLIENT_COLUMNS = ("id", "display_name", "external_id", "version", "updated_at")
ClientRow = tuple[
    UUID,
    str,
    str,
    str | None,
    str | None,
    str | None,
    str | None,
    int,
    datetime,
    str,
    datetime,
    str,
]
KnownClientRow = tuple[UUID, str, str | None, int, datetime]

_MAIL_RU = weighted("mail.ru:5 yandex.ru:5 gmail.com:4 bk.ru:1 list.ru:1 inbox.ru:1 ya.ru:1")
_MAIL_RU += ("rambler.ru", "outlook.com")
_MAIL_EN = weighted("gmail.com:5 outlook.com:3 yahoo.com:1 hotmail.co.uk:1 icloud.com:1")
_MAIL_EN += ("proton.me",)
_ROLES_RU = ("info", "info", "sales", "office", "zakaz", "buh", "mail")
_ROLES_EN = ("info", "info", "sales", "contact", "hello", "office", "accounts")
_RU_AREAS = ("495", "499", "812", "343", "383", "846", "861", "863", "843", "831")


def _person_email(rng: random.Random, given: str, family: str, russian: bool) -> str:
    first, last = transliterate(given), transliterate(family)
    style = rng.randrange(6)
    local = (f"{first}.{last}", f"{first[0]}.{last}", f"{first}{last}", f"{last}.{first}")[
        style % 4
    ]
    if style >= 3:
        local += str(rng.randint(1, 99) if style == 4 else rng.randint(1960, 2006))
    return f"{local}@{rng.choice(_MAIL_RU if russian else _MAIL_EN)}"


def _email(rng: random.Random, core: ClientCore) -> str:
    if core.given:
        return _person_email(rng, core.given, core.family, core.russian)
    domain = transliterate(core.family)
    if core.russian:
        return f"{rng.choice(_ROLES_RU)}@{domain}.{'ru' if rng.random() < 0.85 else 'com'}"
    return f"{rng.choice(_ROLES_EN)}@{domain}.{'com' if rng.random() < 0.7 else 'co.uk'}"


def _phone(rng: random.Random, russian: bool) -> str:
    roll = rng.random() if not russian else 0.0
    if roll < 0.25:
        if rng.random() < 0.93:
            return f"+79{rng.randrange(10**9):09d}"
        return f"+7{rng.choice(_RU_AREAS)}{rng.randrange(10**7):07d}"
    if roll < 0.65:
        return f"+447{rng.randrange(10**9):09d}"
    return f"+1{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randrange(10**4):04d}"


def _tax_id(rng: random.Random, core: ClientCore) -> str | None:
    if rng.random() >= (0.72 if core.russian else 0.1):
        return None
    return make_inn(rng, individual=core.kind == "person" or bool(core.given))


def client_rows(
    space: ClientSpace, start: int, stop: int, external_base: int, now_ts: int
) -> tuple[list[ClientRow], list[KnownClientRow]]:
    """Clients `start`..`stop-1` of the run and their rows in the orders' projection."""
    rng = seeded(f"{space.key.hex()}/clients/{start}")
    clients: list[ClientRow] = []
    known: list[KnownClientRow] = []
    for index in range(start, stop):
        core = space.core(index)
        email = _email(rng, core) if rng.random() < 0.85 else None
        phone = _phone(rng, core.russian) if rng.random() < 0.9 else None
        tax_id = _tax_id(rng, core)
        external_id = f"L-{external_base + index}" if rng.random() < 0.05 else None
        created = datetime.fromtimestamp(core.created_ts, UTC)
        updated = created
        if rng.random() < 0.6:
            updated = datetime.fromtimestamp(rng.randint(core.created_ts, now_ts), UTC)
        name = core.display_name
        row = (core.id, name, core.kind, email, phone, tax_id, external_id, 1, created)
        clients.append((*row, SEED_USER, updated, SEED_USER))
        known.append((core.id, name, external_id, 1, updated))
    return clients, known


# --- products and orders ---------------------------------------------------------------

# code|title, {} marks the variant|price range in roubles|variants; "*" marks goods sold by
# tens; an indented line continues the variants of the line above
PRODUCT_LINES = """
NB|Ноутбук {}|55000-190000|Lenovo ThinkPad E14;Lenovo IdeaPad Slim 5;HP ProBook 450 G10;
    ASUS VivoBook 15;Acer Aspire 5;Huawei MateBook D16;Apple MacBook Air 13;Dell Latitude 5440
MON|Монитор {}|12000-65000|27" Samsung;24" LG;27" Dell UltraSharp;32" AOC;23,8" Philips;
    34" Xiaomi;27" Huawei MateView
PC|Системный блок {}|45000-140000|Intel Core i5;Intel Core i7;AMD Ryzen 5;AMD Ryzen 7
KB|Клавиатура {}|800-12000|Logitech K120;Logitech MX Keys;A4Tech KV-300H;Defender Oscar;
    беспроводная Microsoft
MS|Мышь {}|500-9000|Logitech M185;Logitech MX Master 3S;A4Tech OP-720;беспроводная Xiaomi
PRN|Принтер {}|14000-42000|HP LaserJet Pro M404dn;Canon i-SENSYS LBP223dw;Brother HL-L2300DR;
    Kyocera ECOSYS P2040dn
MFP|МФУ {}|12000-60000|HP LaserJet M141a;Canon i-SENSYS MF445dw;Brother DCP-L2520DWR;Pantum M6500W
*CRT|Картридж {}|1500-9500|HP 59A;Canon 057;Brother TN-2375;Kyocera TK-1170;Pantum PC-211EV
*PAP|Бумага офисная {}|350-700|SvetoCopy A4 500 л.;Снегурочка A4 500 л.;Ballet Classic A4
SSD|Накопитель SSD {}|3500-14000|Samsung 980 1 ТБ;Kingston A400 480 ГБ;Crucial MX500 1 ТБ;
    WD Blue 500 ГБ
HDD|Жёсткий диск {}|4000-15000|Seagate Barracuda 2 ТБ;WD Red Plus 4 ТБ;Toshiba P300 1 ТБ
RAM|Оперативная память {}|2000-12000|Kingston FURY 16 ГБ DDR4;Crucial 8 ГБ DDR4;Samsung 32 ГБ DDR5
UPS|ИБП {}|4500-18000|APC Back-UPS 650;Ippon Back Basic 850;Powercom Raptor 1000
RTR|Роутер {}|2500-14000|Keenetic Giga;TP-Link Archer C6;MikroTik hAP ac2;ASUS RT-AX55
SW|Коммутатор {}|1500-35000|TP-Link TL-SG108;D-Link DES-1016D;MikroTik CRS112;Cisco CBS110-24T
*CBL|Кабель {}|150-2500|HDMI 2 м;HDMI 5 м;USB-C — USB-C 1 м;патч-корд Cat.6 3 м
HS|Гарнитура {}|2000-15000|Jabra Evolve2 30;Logitech H390;Plantronics Blackwire 3220;
    Sennheiser SC 160
CAM|Веб-камера {}|2500-20000|Logitech C920;Logitech Brio 4K;A4Tech PK-910H
PHN|Смартфон {}|15000-110000|Samsung Galaxy A54;Apple iPhone 15;Xiaomi Redmi Note 13;HONOR X8b
TAB|Планшет {}|15000-75000|Apple iPad 10.9;Samsung Galaxy Tab S9 FE;Lenovo Tab M10
CHR|Кресло офисное {}|6000-30000|Бюрократ CH-868;Chairman 696;Метта SU-B-8
DSK|Стол письменный {}|7000-25000|120×60 см;140×70 см белый;угловой 160 см
LIC|Лицензия {}|2500-45000|Microsoft 365 Business Standard на 1 год;
    Kaspersky Endpoint Security на 1 год;1С:Бухгалтерия 8 ПРОФ;МойОфис Стандартный
SRV|Услуга: {}|1000-12000|выезд инженера;настройка рабочего места;диагностика ноутбука;
    установка ПО;восстановление данных
*USB|Флешка {}|400-2500|Kingston DataTraveler 64 ГБ;SanDisk Ultra 128 ГБ;Transcend JetFlash 32 ГБ
PRJ|Проектор {}|30000-80000|Epson EB-X49;BenQ MW560;ViewSonic PA503W
TV|Телевизор {}|25000-70000|Samsung 55" UE55CU7100;LG 43" 43UR78;Xiaomi TV A2 50"
DOCK|{} docking station|6000-28000|USB-C;Thunderbolt 4;Dell WD19S;Lenovo ThinkPad Universal USB-C
*ADP|{} adapter|500-3500|USB-C to HDMI;USB-C to Ethernet;DisplayPort to HDMI;USB-A to USB-C
CHG|{} charger|1200-6000|65W USB-C;100W GaN;Apple 20W USB-C
BAG|{} laptop backpack|1500-9000|15.6";Samsonite 14";Xiaomi Business 15"
MSE|{} wireless mouse|1200-9000|Logitech M330 Silent;Microsoft Bluetooth;Apple Magic
KBD|{} mechanical keyboard|5000-15000|Keychron K2;Logitech G413;HyperX Alloy Origins
*HUB|{} USB hub|800-5500|4-port USB 3.0;7-port powered;USB-C 6-in-1
SPK|{} conference speakerphone|8000-25000|Jabra Speak 510;Poly Sync 20;Anker PowerConf
*EXT|{} power strip|900-4500|Pilot GL 5 m;APC Essential SurgeArrest;6-outlet surge-protected
ARM|{} monitor arm|2500-14000|Single;Dual;Ergotron LX
*KIT|{} cleaning kit|300-1500|Screen;Keyboard;Laptop
WAR|Extended warranty, {}|2000-15000|1 year;2 years;3 years
SUP|{} support plan|5000-60000|Basic;Business;Premium 24/7
CLD|Cloud backup {}|300-20000|100 GB / month;1 TB / month;5 TB / year
NAS|{} NAS|25000-90000|Synology DS224+;QNAP TS-233;Synology DS923+
PEN|{} stylus|3000-14000|Apple Pencil 2nd gen;Samsung S Pen;Logitech Crayon
HDP|{} headphones|3000-35000|Sony WH-1000XM5;Apple AirPods Pro 2;JBL Tune 520BT
"""


class Product(NamedTuple):
    sku: str
    title: str
    price_kopecks: int
    bulk: bool
    json_head: str  # '{"sku": …, "title": …, ' ready to be completed per line item
    folded_title: str  # as it goes into an order's search text


def _products() -> tuple[Product, ...]:
    rng = seeded("products")  # the catalogue is the same whatever the seed
    products: list[Product] = []
    for line in re.sub(r";\n\s+", ";", PRODUCT_LINES).strip().splitlines():
        code, template, prices, variants = line.split("|")
        low, high = (int(p) for p in prices.split("-"))
        for number, variant in enumerate(variants.split(";"), start=1):
            sku = f"{code.lstrip('*')}-{number:03d}"
            title = template.replace("{}", variant)
            price = rng.randint(low, high) // 10 * 10 - (10 if rng.random() < 0.4 else 0)
            head = f'{{"sku": {json.dumps(sku)}, "title": {json.dumps(title, ensure_ascii=False)}'
            bulk, folded = code[0] == "*", fold_text(title)
            products.append(Product(sku, title, max(price, 90) * 100, bulk, head, folded))
    return tuple(products)


PRODUCTS = _products()
ORDER_COLUMNS = (
    "id",
    "number",
    "client_id",
    "client_name",
    "status",
    "total_amount",
    "currency",
    "items",
    "external_id",
    "created_at",
    "created_by",
    "search_text",
)
OrderRow = tuple[UUID, str, UUID, str, str, Decimal, str, str, str | None, datetime, str, str]
_ITEM_COUNTS = (1,) * 40 + (2,) * 27 + (3,) * 17 + (4,) * 10 + (5,) * 6
_CURRENCIES_RU = weighted("RUB:93 KZT:3 USD:2 EUR:2")
_CURRENCIES_EN = weighted("RUB:50 USD:30 EUR:20")
_ROUBLES_PER_UNIT = {"RUB": 1.0, "USD": 92.0, "EUR": 100.0, "KZT": 0.19}
# status by the order's age: (up to this many days old, statuses weighted)
_STATUS_BY_AGE = (
    (3, weighted("new:40 confirmed:25 paid:20 shipped:5 cancelled:10")),
    (14, weighted("new:10 confirmed:15 paid:25 shipped:30 completed:12 cancelled:8")),
    (60, weighted("confirmed:3 paid:5 shipped:12 completed:70 cancelled:10")),
    (10**9, weighted("shipped:2 completed:88 cancelled:10")),
)


@dataclass(frozen=True, slots=True)
class OrderPlan:
    """The orders of one run, numbered from `first_number`, spread over the clients' span."""

    key: bytes
    count: int
    first_number: int
    external_base: int
    now_ts: int


def _pick_client(rng: random.Random, existing: int) -> int:
    """Skewed: 30% of orders go to the frequent buyers; older clients have had more time."""
    if rng.random() < 0.3:
        return HEAVY_EVERY * int(rng.random() * ((existing - 1) // HEAVY_EVERY + 1))
    return int(rng.random() * existing)


def _line_items(rng: random.Random, currency: str) -> tuple[str, list[str], int]:
    """(items as JSON, their folded titles, total in hundredths of the currency)."""
    rate = _ROUBLES_PER_UNIT[currency]
    parts: list[str] = []
    titles: list[str] = []
    total = 0
    for _ in range(_ITEM_COUNTS[int(rng.random() * len(_ITEM_COUNTS))]):
        product = PRODUCTS[int(rng.random() * len(PRODUCTS))]
        if product.bulk:
            quantity = rng.randint(1, 20)
        else:
            quantity = 1 if rng.random() < 0.8 else rng.randint(2, 5)
        price = int(product.price_kopecks * (1 - rng.random() * 0.08) / rate)
        price -= price % 100 if currency == "RUB" else 0
        total += quantity * price
        unit_price = f"{price // 100}.{price % 100:02d}"
        parts.append(f'{product.json_head}, "quantity": {quantity}, "unit_price": "{unit_price}"}}')
        titles.append(product.folded_title)
    return f"[{', '.join(parts)}]", titles, total


def _status(rng: random.Random, age_s: float) -> str:
    for max_days, statuses in _STATUS_BY_AGE:
        if age_s <= max_days * 86400:
            return statuses[int(rng.random() * len(statuses))]
    raise AssertionError("unreachable")


def _order(
    rng: random.Random, plan: OrderPlan, index: int, ts: float, client: ClientCore
) -> OrderRow:
    number = format_number(plan.first_number + index)
    currency = (_CURRENCIES_RU if client.russian else _CURRENCIES_EN)[int(rng.random() * 100)]
    items, titles, total = _line_items(rng, currency)
    external_id = f"LO-{plan.external_base + index}" if rng.random() < 0.05 else None
    # folding the parts apart is folding the whole: none starts or ends with a space
    search_text = f"{number.lower()} {fold_text(client.display_name)} {' '.join(titles)}"
    return (
        UUID(int=rng.getrandbits(128), version=4),
        number,
        client.id,
        client.display_name,
        _status(rng, plan.now_ts - ts),
        Decimal(total).scaleb(-2),
        currency,
        items,
        external_id,
        datetime.fromtimestamp(int(ts), UTC),
        SEED_USER,
        search_text,
    )


def order_rows(space: ClientSpace, plan: OrderPlan, start: int, stop: int) -> list[OrderRow]:
    """Orders `start`..`stop-1` of the run, in time order, each for a client of `space`."""
    rng = seeded(f"{plan.key.hex()}/orders/{start}")
    step = space.span_s / plan.count
    rows: list[OrderRow] = []
    for index in range(start, stop):
        ts = space.start_ts + (index + rng.random()) * step
        client = space.core(_pick_client(rng, space.existing_at(ts)))
        if ts < client.created_ts:  # only the very first orders, before any client existed
            ts = min(client.created_ts + rng.randint(60, 86_400), plan.now_ts)
        rows.append(_order(rng, plan, index, ts, client))
    return rows


# --- self-check ------------------------------------------------------------------------


def _client_problems(rows: Sequence[ClientRow]) -> list[str]:
    problems: list[str] = []
    for _id, name, _kind, email, phone, tax_id, *_, created, _by, updated, _ in rows:
        if tax_id is not None and not inn_checksum_valid(tax_id):
            problems.append(f"invalid INN {tax_id}")
        if phone is not None and not PHONE_PATTERN.match(phone):
            problems.append(f"invalid phone {phone}")
        if email is not None and (not email.isascii() or email.count("@") != 1):
            problems.append(f"invalid e-mail {email}")
        if len(name) > 200 or updated < created:
            problems.append(f"bad client row {name}")
    return problems


def _order_problems(rows: Sequence[OrderRow]) -> list[str]:
    problems: list[str] = []
    for row in rows:
        items = json.loads(row[7])
        total = sum(item["quantity"] * Decimal(item["unit_price"]) for item in items)
        if total != row[5] or not 1 <= len(items) <= 5 or row[4] not in ORDER_STATUSES:
            problems.append(f"order {row[1]}: bad total, items or status")
        expected = fold_text(" ".join([row[1], row[3], *(item["title"] for item in items)]))
        if row[11] != expected:
            problems.append(f"order {row[1]}: search text {row[11]!r}")
    return problems


def self_check(sample: int = 400) -> None:
    """Raises if the generators break a rule the tables or their readers rely on."""
    key = hashlib.blake2b(b"self-check", digest_size=16).digest()
    space = ClientSpace(key, sample, 1_600_000_000, 3 * 365 * 86_400)
    now = space.start_ts + space.span_s
    clients, _ = client_rows(space, 0, sample, 1, now)
    orders = order_rows(space, OrderPlan(key, sample * 3, 1, 1, now), 0, sample * 3)
    problems = _client_problems(clients) + _order_problems(orders)
    if problems:
        raise RuntimeError(f"fake data self-check failed: {'; '.join(problems[:5])}")
