"""People's names: Russian (gender agreeing: Иванова Анна Сергеевна) and English."""

from __future__ import annotations

import random

from servicedesk.ops.seeding.draws import Draw, pick, words

SURNAMES_RU = words("""
Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков
Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин
Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов
Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв
Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов
Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов
Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов
Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев
Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников
Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин
Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков
Горбунов Анисимов Ерёмин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров
Симонов Прокофьев Харитонов Князев Цветков Левин Митрофанов Воронцов Аксёнов Мальцев Логинов
Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников Дёмин Хохлов Шестаков
Субботин Мухин Кулагин Селезнёв Огнёв Бобылёв Плетнёв Пугачёв Толмачёв Щёголев Лёвкин Ёлкин
Ковалевский Вишневский Островский Каменский Соколовский Покровский Рождественский Успенский
Жуковский Троицкий Высоцкий Смоленский Городецкий Садовский Оболенский Толстой Донской Луговой
Полевой Боровой Пушкин Лапин Зимин Рябинин Синицын Лисицын Птицын Шишкин Шевченко Бондаренко
Коваленко Кравченко Ткаченко Павленко Черных Седых Белых Долгих Ким Пак Мельник Ковальчук Савчук
Романюк Полищук Ахметов Галиев Шарипов Хабибуллин Сафин Гарипов Мусин Валиев Алиев Гасанов
Мамедов Абдуллаев Юсупов Рахимов Каримов Ибрагимов Петросян Саркисян Акопян Григорян Оганесян
Беридзе Кипиани Зуев Блинов Бородин Вавилов Гордеев Евдокимов Жданов Зиновьев Игнатьев Кабанов
Лаврентьев Мишин Носов Островерхов Пахомов Рогов Сазонов Тетерин Устинов Фадеев Хромов Чистяков
Шубин Щукин Яшин Агафонов Баженов Веселов Глебов Дорофеев Ермолаев Жилин Зыков Исаков Карташов
""")
FIRST_MALE_RU = words("""
Александр Сергей Дмитрий Андрей Алексей Максим Евгений Иван Михаил Артём Николай Владимир Павел
Денис Роман Игорь Олег Константин Никита Юрий Виктор Антон Илья Кирилл Вадим Георгий Егор Тимур
Руслан Станислав Василий Григорий Пётр Фёдор Леонид Борис Валерий Геннадий Анатолий Вячеслав
Ярослав Глеб Матвей Тимофей Степан Арсений Даниил Марк Лев Семён Виталий Аркадий Эдуард
Ростислав Всеволод Захар Богдан Савелий Платон Родион Святослав Филипп Эмиль Марат Ринат Артур
Давид Рустам Айдар
""")
FIRST_FEMALE_RU = words("""
Анна Елена Ольга Наталья Татьяна Ирина Светлана Мария Екатерина Юлия Анастасия Марина Людмила
Галина Дарья Ксения Алина Виктория Полина Софья Валентина Надежда Любовь Вера Алёна Кристина
Евгения Оксана Лариса Жанна Инна Нина Зоя Тамара Лидия Алла Валерия Вероника Диана Карина
Маргарита Милена Ульяна Яна Ева Варвара Василиса Арина Злата Таисия Элина Эльвира Регина Лилия
Гульнара Альбина Раиса Римма Кира Майя Снежана Олеся Лада Мирослава Ангелина Елизавета
Александра Фаина Стефания Дина Пелагея Клавдия
""")
PATRONYMICS_RU = words("""
Александрович Сергеевич Дмитриевич Андреевич Алексеевич Максимович Евгеньевич Иванович
Михайлович Артёмович Николаевич Владимирович Павлович Денисович Романович Игоревич Олегович
Константинович Юрьевич Викторович Антонович Ильич Кириллович Вадимович Георгиевич Егорович
Тимурович Русланович Станиславович Васильевич Григорьевич Петрович Фёдорович Леонидович
Борисович Валерьевич Геннадьевич Анатольевич Вячеславович Ярославович Глебович Степанович
Семёнович Витальевич Аркадьевич Эдуардович Маратович Рустамович Никитич Львович Ринатович
Артурович Давидович Матвеевич Тимофеевич
""")
FIRST_NAMES_EN = words("""
James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew
Anthony Mark Steven Paul Andrew Joshua Kevin Brian George Edward Ryan Jacob Gary Nicholas Eric
Jonathan Stephen Oliver Harry Jack Samuel Benjamin Henry Lucas Mary Patricia Jennifer Linda
Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Emily Emma Olivia Sophia Charlotte Amelia
Grace Chloe Hannah Laura Rachel Rebecca Amy Megan Lucy Alice Isabella Victoria Kate Helen
""")
SURNAMES_EN = words("""
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin
Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill
Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards
Collins Stewart Morris Rogers Reed Cook Morgan Bell Murphy Bailey Cooper Richardson Cox Howard
Ward Peterson Gray Watson Brooks Kelly Sanders Price Bennett Wood Barnes Ross Henderson Coleman
Jenkins Perry Powell Long Patterson Hughes Butler Simmons Foster Bryant Russell Griffin Hayes
Myers Ford Hamilton Graham Sullivan Wallace West Cole Jordan Reynolds Fisher Ellis Harrison
Gibson McDonald Marshall Owens Murray Kennedy Wells Hunt Palmer Robertson Black Holmes Stone
Knight Hawkins Dunn Fletcher Lawrence Chapman Hart Walsh O'Connor O'Brien
""")

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


FEMALE_PATRONYMICS_RU = tuple(feminine_patronymic(p) for p in PATRONYMICS_RU)
FEMALE_SURNAMES_RU = tuple(feminine_surname(s) for s in SURNAMES_RU)


def russian_person(draw: Draw) -> tuple[str, str, str]:
    """(surname, first name, patronymic) agreeing in gender."""
    index = draw.below(len(SURNAMES_RU))
    if draw.below(2):
        return SURNAMES_RU[index], draw.pick(FIRST_MALE_RU), draw.pick(PATRONYMICS_RU)
    return FEMALE_SURNAMES_RU[index], draw.pick(FIRST_FEMALE_RU), draw.pick(FEMALE_PATRONYMICS_RU)


def person(draw: Draw, russian: bool) -> tuple[str, str, str]:
    """(display name, first name, surname) of a client."""
    if russian:
        surname, first, patronymic = russian_person(draw)
        return f"{surname} {first} {patronymic}", first, surname
    first, surname = draw.pick(FIRST_NAMES_EN), draw.pick(SURNAMES_EN)
    if draw.below(10) < 3:
        return f"{first} {chr(65 + draw.below(26))}. {surname}", first, surname
    return f"{first} {surname}", first, surname


def reporter(rng: random.Random, russian: bool) -> str:
    """A reporter's name as people sign: «Анна Смирнова», "James Carter"."""
    if not russian:
        return f"{pick(rng, FIRST_NAMES_EN)} {pick(rng, SURNAMES_EN)}"
    index = int(rng.random() * len(SURNAMES_RU))
    if rng.random() < 0.5:
        return f"{pick(rng, FIRST_MALE_RU)} {SURNAMES_RU[index]}"
    return f"{pick(rng, FIRST_FEMALE_RU)} {FEMALE_SURNAMES_RU[index]}"
