"""Word lists the fake data is drawn from: Russian and English names, companies, brands."""

from __future__ import annotations


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def weighted(spec: str) -> tuple[str, ...]:
    """ "a:3 b:1" → ("a", "a", "a", "b"): picking by a plain index is the fastest draw."""
    return tuple(
        word
        for item in spec.split()
        for word in [item.rpartition(":")[0]] * int(item.rpartition(":")[2])
    )


# --- word lists (space-separated to keep them compact) -----------------------------------

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
