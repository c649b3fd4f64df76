"""Company names: Russian brands with their legal forms («ООО «Северная звезда»»), English ones."""

from __future__ import annotations

from servicedesk.ops.seeding.draws import Draw, weighted, words
from servicedesk.ops.seeding.names import russian_person

BRAND_HEADS_RU = words("""
Техно Строй Агро Энерго Авто Мед Транс Пром Инвест Торг Гранд Мега Нефте Газ Лес Металл Эко Инфо
Тепло Электро Спец Проф Евро Сиб Урал Волга Нева Балт Рус Нова Вита Фарм Хим Стекло Бетон Кабель
Пласт Текс Полимер Гео Аква Термо Вент Интер Стар
""")
BRAND_TAILS_RU = words("""
стиль сервис снаб пром групп трейд маркет лайн ресурс комплекс систем логистик проект монтаж
контроль инвест строй торг техника мастер центр эксперт профи альянс партнёр вектор форм тех
лаб софт инжиниринг холдинг
""")
ADJECTIVES_RU = words("""
Северный Южный Восточный Западный Белый Золотой Серебряный Красный Зелёный Синий Новый Первый
Большой Светлый Тихий Быстрый Надёжный Великий Русский Уральский Сибирский Волжский Морской
Речной Лесной Степной Горный Солнечный Звёздный Янтарный Стальной Верный Добрый Ясный Снежный
Вольный Свежий Дальний Весенний
""")
NOUNS_RU = {
    "m": "ветер берег мост парус маяк путь город край двор лес сад дом порт союз ключ кедр сокол "
    "горизонт фрегат причал квартал остров",
    "f": "река звезда волна гавань роща линия долина гора заря пристань сфера вершина нива",
    "n": "сияние поле озеро море солнце небо крыло дерево утро решение слово ремесло",
}
SINGLE_BRANDS_RU = words("""
Альфа Вектор Гарант Меридиан Прогресс Импульс Атлант Орион Сириус Вега Олимп Феникс Титан Форвард
Лидер Стандарт Партнёр Ресурс Монолит Эталон Квант Аврора Пегас Рубин Гранит Континент Магистраль
Спектр Фактор Формула Капитал Ориентир Арсенал Бастион Зенит Полюс Радуга Ладога Байкал Амур
Енисей Кристалл Сигма Омега Ёлка Алмаз
""")
BRAND_PREFIXES_RU = ("ТД", "ГК", "ПК", "СК", "ТК", "НПО")
BRAND_SUFFIXES_RU = ("-М", " Плюс", "-Сервис", "-Групп", "-Юг", "-Урал", "-Центр", " 2000", "-Про")
COMPANY_HEADS_EN = words("""
North South East West Blue Silver Green Red Golden Bright Summit Harbor Pacific Atlantic Crescent
Eagle Falcon Oak Maple Pine Cedar River Stone Iron Granite Evergreen Sterling Liberty Pioneer
Horizon Apex Vertex Quantum Nova Stellar Coastal Northern Royal Union Metro Prime Clear Swift Bold
Polar
""")
COMPANY_TAILS_EN = words("""
Wind Harbor Bridge Point Ridge Field Gate Wave Peak Valley Lake Works Hill Rock Light Path Line
Star Stream Crest Bay Forge Park Water Wood Port Rise Grove Shore Mark Way
""")
SECTORS_EN = words("""
Trading Logistics Systems Solutions Technologies Consulting Supply Industries Partners Group
Holdings Media Foods Energy Software Capital Engineering Services Labs Retail
""")
COMPANY_FORMS_EN = weighted("LLC:35 Ltd:30 Inc.:20 Corp.:6 Co.:5 PLC:4")
LEGAL_FORMS_RU = weighted("ООО:62 ИП:23 АО:10 ЗАО:3 ПАО:2")


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


def _russian_brand(draw: Draw) -> str:
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


def _english_company(draw: Draw) -> tuple[str, str]:
    brand = draw.pick(BRANDS_EN)
    if draw.below(2):
        brand = f"{brand} {draw.pick(SECTORS_EN)}"
    return f"{brand} {draw.pick(COMPANY_FORMS_EN)}", brand


def company(draw: Draw, russian: bool) -> tuple[str, str, str]:
    """(display name, given name of a sole proprietor or "", surname or brand)."""
    if not russian:
        name, brand = _english_company(draw)
        return name, "", brand
    form = draw.pick(LEGAL_FORMS_RU)
    if form == "ИП":
        surname, first, patronymic = russian_person(draw)
        return f"ИП {surname} {first[0]}. {patronymic[0]}.", first, surname
    brand = _russian_brand(draw)
    return f"{form} «{brand}»", "", brand
