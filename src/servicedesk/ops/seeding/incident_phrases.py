"""Word pools for the `{slot}`s of incident topics, and the courtesies around a request."""

from __future__ import annotations

# fmt: off
POOLS: dict[str, tuple[str, ...]] = {
    "system": (
        "1С", "CRM", "Битрикс24", "Jira", "Confluence", "Outlook", "SAP", "СБИС", "Kaiten",
        "Контур.Диадок", "Directum", "ELMA", "Power BI", "Microsoft Teams", "Zoom", "GitLab",
    ),
    "share": (
        "общей папке отдела", "папке «Договоры»", "сетевому диску S:", "папке бухгалтерии",
        "архиву сканов", "папке «Отчёты»", "общему календарю", "ящику info@", "шаблонам писем",
        "папке «Тендеры»", "порталу поставщиков", "папке кадровой службы",
    ),
    "share_en": (
        "the department share", "the Contracts folder", "drive S:", "the finance folder",
        "the shared calendar", "the info@ mailbox", "the Tenders folder", "the HR folder",
    ),
    "base": (
        "1С:Бухгалтерия", "1С:ЗУП", "1С:УТ", "1С:ERP", "1С:Документооборот", "CRM", "WMS",
        "Power BI",
    ),
    "dept_to": (
        "в отдел продаж", "в бухгалтерию", "на склад", "в отдел логистики", "в юридический отдел",
        "в отдел закупок", "в контакт-центр", "в отдел кадров", "в маркетинг", "в филиал",
    ),
    "dept_en": ("Sales", "Finance", "the warehouse", "Logistics", "Legal", "Purchasing", "HR"),
    "place": (
        "в бухгалтерии", "на складе", "в приёмной", "на ресепшене", "в отделе продаж",
        "в кабинете 214", "в кабинете 305", "в кабинете 112", "на третьем этаже",
        "в переговорной", "в отделе кадров", "в офисе на Ленина", "в филиале в Казани",
        "в кабинете директора", "в контакт-центре", "в юротделе",
    ),
    "place_cap": (
        "В бухгалтерии", "На складе", "В переговорной", "На третьем этаже", "В отделе продаж",
        "В кабинете 214", "В филиале в Казани", "В офисе на Ленина",
    ),
    "place_en": (
        "in Finance", "at the warehouse", "at reception", "in room 214", "on the third floor",
        "in the London office", "in the meeting room",
    ),
    "printer": (
        "HP LaserJet Pro M404dn", "Kyocera ECOSYS P2040dn", "Canon i-SENSYS LBP223dw",
        "Brother HL-L2300DR", "Xerox B210", "Pantum P2500W", "HP LaserJet M211dw",
    ),
    "printer_error": (
        "Замятие бумаги", "Мало тонера", "Ошибка фотобарабана", "Paper jam", "Toner low",
        "E-04", "49.4C02", "Замените картридж", "Открыта крышка",
    ),
    "cartridge": ("HP 59A", "Canon 057", "Brother TN-2375", "Kyocera TK-1170", "Pantum PC-211EV"),
    "mfp": ("Kyocera M2040dn", "Canon MF445dw", "HP M141a", "Brother DCP-L2520", "Ricoh MP 2014"),
    "monitor": ('Samsung 27"', 'LG 24"', "Dell P2422H", "AOC 24B2XH", "Philips 243V7"),
    "laptop": (
        "Lenovo ThinkPad E14", "HP ProBook 450", "ASUS VivoBook 15", "Huawei MateBook D16",
        "Dell Latitude 5440", "Acer Aspire 5", "MacBook Air",
    ),
    "bsod": ("CRITICAL_PROCESS_DIED", "IRQL_NOT_LESS_OR_EQUAL", "0x0000007B", "MEMORY_MANAGEMENT"),
    "meeting_app": ("Zoom", "Teams", "Контур.Толк", "Яндекс Телемост", "TrueConf", "Skype"),
    "room": ("Байкал", "Волга", "Урал", "Эльбрус", "Ладога", "Амур", "Енисей"),
    "ext": ("214", "305", "117", "420", "508", "1102", "233"),
    "n": ("1", "2", "3", "4"),
    "app": ("1С", "Word", "Excel", "браузера", "Adobe Reader", "СБИС", "Outlook"),
    "doc_1c": (
        "«Реализация товаров и услуг»", "«Поступление товаров»", "«Авансовый отчёт»",
        "«Начисление зарплаты»", "«Перемещение товаров»", "«Счёт на оплату»",
    ),
    "doc_en": ("a sales invoice", "a goods receipt", "an expense report", "a payroll document"),
    "error_1c": (
        "Недостаточно прав для выполнения операции", "Нарушена целостность данных",
        "Не указан счёт учёта", "Записи регистра заблокированы", "Deadlock detected",
        "Поле объекта не обнаружено",
    ),
    "report_1c": ("Оборотно-сальдовая ведомость", "Анализ продаж", "Остатки товаров", "Зарплата"),
    "edo": ("Диадок", "СБИС", "Контур.Экстерн", "1С-ЭДО", "Такском"),
    "file": ("отчёт.xlsx", "договор.docx", "прайс.xlsx", "реестр платежей.xlsx", "план.xlsx"),
    "program": (
        "Adobe Acrobat Reader", "7-Zip", "Zoom", "Telegram Desktop", "КонсультантПлюс", "Гарант",
        "AutoCAD", "Power BI Desktop", "КриптоПро CSP", "Notepad++", "Visio", "WinSCP",
        "Яндекс Браузер", "Figma",
    ),
    "counterparty": (
        "поставщика", "клиента", "банка", "налоговой", "партнёров", "транспортной компании",
    ),
    "counterparty_en": ("a supplier", "our bank", "a customer", "the carrier"),
    "win_error": ("0x80070002", "0x800f081f", "0x80240034", "0x8024a105"),
    "vpn_client": ("Cisco AnyConnect", "FortiClient", "OpenVPN", "Континент-АП", "WireGuard"),
    "vpn_error": (
        "Превышено время ожидания", "Сертификат недействителен", "Не удалось подключиться",
        "Authentication failed", "Connection timed out",
    ),
    "site": ("госуслуг", "налоговой", "банка", "поставщика", "портала закупок", "Росреестра"),
    "drive": ("S:", "Z:", "P:", "K:"),
    "rdp_error": (
        "Произошла внутренняя ошибка", "Учётные данные не работают",
        "Удалённый компьютер не найден",
    ),
    "delivery_day": ("вчера", "в понедельник", "на прошлой неделе", "три дня назад", "утром"),
    "delivery_day_en": ("yesterday", "on Monday", "last week", "three days ago"),
    "missing": ("одной коробки", "кабелей", "двух позиций", "картриджей", "документов"),
    "purchase": (
        "два монитора", "ноутбук", "гарнитуры", "МФУ", "клавиатуры и мыши", "ИБП", "веб-камеру",
    ),
}

PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "ru": {
        "greeting": (
            "Добрый день!", "Здравствуйте.", "Коллеги, добрый день.", "Привет!", "Доброе утро.",
        ),
        "since": (
            "Проблема с утра.", "Со вчерашнего дня.", "Началось после обновления.",
            "Уже третий день.", "После переезда в другой кабинет.", "Примерно с обеда.",
            "После отключения электричества.", "Началось на прошлой неделе.",
        ),
        "tried": (
            "Перезагрузка не помогла.", "Перезагружали — без изменений.", "Кабели переподключали.",
            "У коллег то же самое.", "У соседей всё работает.", "Скриншот ошибки прикладываю.",
            "Переустановка не помогла.",
        ),
        "fault_urgency": (
            "Срочно, горит отчёт.", "Не могу работать.", "Стоит работа всего отдела.",
            "Не срочно, но мешает.", "Клиент ждёт.", "Прошу помочь до конца дня.",
        ),
        "request_urgency": (
            "Прошу сделать до конца недели.", "Не срочно.", "Нужно к завтрашнему утру.",
            "Клиент ждёт документы.", "Заранее спасибо!",
        ),
        "sign": ("С уважением, {}", "{}", "{}, доб. {}", "Спасибо! {}"),
        "resolution": (
            "Проблема устранена, пользователь подтвердил.", "Выполнено по инструкции.",
            "Перезапущена служба, работает.", "Заменено оборудование.", "Доступ выдан.",
            "Обновлена конфигурация, проверено с пользователем.", "Дана консультация.",
            "Передано поставщику, исправлено.", "Заказ доставлен повторно, документы отправлены.",
        ),
    },
    "en": {
        "greeting": ("Hello,", "Hi team,", "Good morning,", "Hi,"),
        "since": ("Since this morning.", "Since yesterday.", "It started after an update."),
        "tried": (
            "Restarting did not help.", "Colleagues have the same issue.", "Screenshot attached.",
        ),
        "fault_urgency": ("Urgent, please.", "I cannot work.", "Not urgent.", "Customer waiting."),
        "request_urgency": ("Not urgent.", "Needed by Friday.", "Thanks in advance!"),
        "sign": ("Best regards,\n{}", "{}", "{}, ext. {}", "Thanks, {}"),
        "resolution": (
            "Fixed, confirmed by the user.", "Done as per the runbook.", "Service restarted.",
            "Hardware replaced.", "Access granted.", "Advice given, closing.",
        ),
    },
}
# fmt: on
