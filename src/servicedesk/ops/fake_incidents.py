"""Text of fake support requests, Russian and English: titles, descriptions, resolutions.

A topic (printer, VPN, 1C, an order not delivered…) has title and first-sentence templates;
`{slot}`s are filled from word pools, the same pick for the whole incident, and the
description gets a greeting, how long it has been, what was tried and a signature, each only
sometimes. Topics are weighted so that a word of one topic («принтер») is in about 1% of
incidents, while the words every request uses («не», «please») are stop words.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from servicedesk.ops.fake_data import FEMALE_SURNAMES_RU
from servicedesk.ops.fake_words import (
    FIRST_FEMALE_RU,
    FIRST_MALE_RU,
    FIRST_NAMES_EN,
    SURNAMES_EN,
    SURNAMES_RU,
)

T = TypeVar("T")
CATEGORIES = ("access", "hardware", "software", "network", "billing", "other")

# "@name category weight kind" (kind: fault or request), then requests: a title, and indented
# under it the first sentences its description may open with
TOPICS_RU = """
@password access 18 fault
Не могу войти в {system}
  При входе в {system} пишет «Неверное имя пользователя или пароль», хотя пароль верный.
  После смены пароля не получается войти в {system}.
Сбросить пароль от {system}
  Не помню пароль от {system}, прошу сбросить.
  Пароль от {system} не подходит, прошу сбросить и прислать временный.
Истёк срок действия пароля
  Система требует сменить пароль, но новый не принимает: «Пароль не отвечает требованиям».
  Пароль истёк, пока был в отпуске, теперь не могу войти.
Учётная запись заблокирована
  Учётную запись заблокировало после нескольких попыток входа, прошу разблокировать.
  При входе в {system} пишет «Учётная запись заблокирована».
@access_request access 18 request
Нужен доступ к {share}
  Для работы с документами нужен доступ на чтение и запись к {share}.
  Руководитель согласовал доступ к {share}, служебную записку прикладываю.
Нет доступа к {share}
  При открытии появляется ошибка «Отказано в доступе», раньше доступ был.
  После перевода в другой отдел пропал доступ к {share}.
Прошу открыть доступ к базе {base}
  Руководитель согласовал доступ к базе {base}, заявку прикладываю.
  Нужны права как у коллег: просмотр и создание документов в {base}.
@new_employee access 9 request
Создать учётную запись для нового сотрудника
  С понедельника {dept_to} выходит новый сотрудник, нужны учётная запись, почта и доступ к {base}.
Подготовить рабочее место для нового сотрудника
  Завтра выходит стажёр, прошу подготовить ноутбук, телефон и доступы.
  Новому сотруднику нужно рабочее место: компьютер, два монитора, гарнитура.
@two_factor access 6 fault
Не приходит код подтверждения
  При входе в {system} не приходит SMS с кодом подтверждения.
  Код подтверждения приходит через полчаса, когда уже недействителен.
Потерян телефон с приложением-аутентификатором
  Потерял телефон, войти без второго фактора не могу.
  Сменил телефон, приложение-аутентификатор показывает неверный код.
@dismissal access 3 request
Отключить доступы уволенного сотрудника
  Сотрудник увольняется, прошу отключить все доступы и переадресовать почту руководителю.
  Последний рабочий день сотрудника — пятница, прошу заблокировать учётную запись.
@printer hardware 4 fault
Не печатает принтер {place}
  Принтер {printer} {place} перестал печатать: задания висят в очереди.
  Отправляю на печать из {app}, а принтер ничего не печатает.
Принтер {printer} зажёвывает бумагу
  Принтер зажёвывает каждый второй лист, приходится вытаскивать вручную.
Принтер печатает полосами
  После замены картриджа принтер печатает бледно и полосами.
  На всех листах серая полоса по краю.
Принтер {place} не виден в сети
  Принтер пропал из списка устройств, печать только с одного компьютера.
Ошибка принтера «{printer_error}»
  На экране принтера ошибка «{printer_error}», выключение и включение не помогают.
@cartridge hardware 1 request
Заменить картридж в принтере {place}
  Печать очень бледная, прошу заменить картридж в принтере.
  Закончился картридж {cartridge}, запасного нет.
Нужен картридж {cartridge}
  Прошу выдать два картриджа {cartridge} про запас.
@mfp hardware 9 fault
МФУ {place} не сканирует
  МФУ {mfp} {place} сканирует, но файл в папку не попадает.
  Сканер МФУ не запускается, на экране «{printer_error}».
МФУ не отправляет сканы на почту
  При отправке скана на почту МФУ пишет «Ошибка связи с сервером».
Ксерокс не копирует
  Ксерокс {place} замял лист и не копирует.
  Копии выходят с чёрными пятнами.
@monitor hardware 6 fault
Не включается монитор
  Монитор {monitor} не включается, индикатор питания мигает.
Монитор мерцает
  Изображение мерцает и пропадает на несколько секунд.
Нет изображения на втором мониторе
  Второй монитор не определяется после подключения к док-станции.
@laptop hardware 12 fault
Не включается ноутбук
  Ноутбук {laptop} не реагирует на кнопку питания.
Ноутбук не заряжается
  Зарядка подключена, но батарея не заряжается, индикатор не горит.
Сильно греется ноутбук
  Ноутбук греется и выключается сам, вентилятор сильно шумит.
Разбит экран ноутбука
  Ноутбук упал, на экране трещина, изображение частично пропало.
Медленно работает ноутбук {laptop}
  Ноутбук загружается по десять минут, программы подвисают.
@computer hardware 6 fault
Не загружается компьютер
  При включении компьютер пищит и не загружается.
Синий экран на компьютере
  Появляется синий экран с ошибкой {bsod}, после перезагрузки всё повторяется.
Компьютер сам перезагружается
  Компьютер перезагружается несколько раз в день без предупреждения.
@peripherals hardware 9 fault
Не работает клавиатура
  Беспроводная клавиатура перестала реагировать, батарейки меняли.
Не работает мышь
  Мышь дёргается и не реагирует на нажатия.
Не работает гарнитура
  Гарнитура подключена, но собеседники меня не слышат в {meeting_app}.
Не работает веб-камера
  Веб-камера не определяется в {meeting_app}.
Не работает док-станция
  Через док-станцию не работают ни мышь, ни сеть.
@desk_phone hardware 6 fault
Не работает телефон
  IP-телефон на столе показывает «Нет регистрации», звонки не проходят.
Не работает переадресация звонков
  Переадресация с внутреннего номера {ext} на мобильный перестала работать.
@meeting_room hardware 3 fault
Не работает проектор в переговорной
  В переговорной «{room}» проектор не видит ноутбук по HDMI.
В переговорной нет звука на видеоконференции
  В переговорной «{room}» не работает микрофон в {meeting_app}.
@warehouse hardware 2 fault
Не работает терминал сбора данных
  На складе № {n} ТСД не подключается к Wi-Fi.
Сканер штрихкодов не читает коды
  Сканер штрихкодов на приёмке не считывает коды поставщика.
Принтер этикеток печатает со смещением
  Этикетки печатаются со сдвигом, штрихкод обрезан.
@ups hardware 3 fault
Пищит ИБП
  Источник бесперебойного питания под столом пищит каждые несколько секунд.
ИБП не держит нагрузку
  При отключении света ИБП сразу выключился вместе с компьютером.
@1c software 18 fault
Ошибка в 1С при проведении документа
  При проведении документа {doc_1c} 1С выдаёт ошибку «{error_1c}».
Не открывается база 1С
  База {base} не открывается: «Ошибка соединения с сервером 1С:Предприятия».
1С зависает при формировании отчёта
  Отчёт «{report_1c}» формируется больше получаса и 1С зависает.
Ошибка лицензии 1С
  При запуске 1С пишет «Не обнаружено свободной лицензии».
Не выгружаются документы из 1С
  Выгрузка из 1С в {edo} останавливается с ошибкой «{error_1c}».
@office software 9 fault
Не открывается файл Excel
  Файл {file} не открывается: «Файл повреждён и не может быть открыт».
Word закрывается при сохранении
  Word закрывается при сохранении документа, изменения теряются.
Не работают макросы в Excel
  После обновления Office перестали работать макросы в отчёте.
@install software 12 request
Установить {program}
  Для работы нужна программа {program}, прав администратора нет.
  Прошу установить {program} на мой компьютер, руководитель согласовал.
Не устанавливается {program}
  Установка {program} прерывается с ошибкой «Недостаточно прав».
Обновить {program}
  Программа {program} просит обновиться, а прав на установку нет.
@email software 12 fault
Не отправляются письма
  Письма зависают в папке «Исходящие» и не отправляются.
Не приходят письма от {counterparty}
  Письма от {counterparty} перестали приходить, у них всё уходит без ошибок.
Переполнен почтовый ящик
  Outlook пишет, что почтовый ящик переполнен, новые письма не приходят.
Не открывается Outlook
  Outlook не запускается, висит на загрузке профиля.
Письма уходят в спам
  Клиенты пишут, что наши письма попадают к ним в спам.
@edo software 6 fault
Не работает электронная подпись
  {edo} не видит сертификат электронной подписи, КриптоПро пишет «Ключ не найден».
Истекает сертификат ЭЦП
  Сертификат подписи истекает через неделю, нужно продлить.
@windows software 6 fault
Медленно работает компьютер
  Компьютер очень долго загружается, программы открываются по несколько минут.
Не устанавливаются обновления Windows
  Обновление Windows каждый раз откатывается с ошибкой {win_error}.
Пропала панель задач
  После обновления пропала панель задач и меню «Пуск».
@antivirus software 3 fault
Антивирус блокирует программу
  Антивирус удаляет {program} сразу после установки.
Антивирус нашёл угрозу
  Антивирус сообщил об угрозе во вложении письма, что делать с письмом?
@vpn network 15 fault
Не подключается VPN
  VPN-клиент {vpn_client} пишет «{vpn_error}».
Обрывается VPN-соединение
  VPN подключается, но через несколько минут соединение обрывается.
Медленно работает VPN
  Из дома через VPN база 1С открывается по десять минут.
@wifi network 9 fault
Нет Wi-Fi {place}
  {place_cap} пропал Wi-Fi, ноутбуки не видят сеть.
Слабый сигнал Wi-Fi
  Сигнал Wi-Fi очень слабый, видеоконференции прерываются.
Не подключается к гостевой сети
  Гостям не приходит пароль от гостевой сети.
@internet network 9 fault
Нет интернета
  С утра нет интернета, при этом внутренние ресурсы открываются.
Не открывается сайт {site}
  Сайт {site} не открывается, браузер пишет «Превышено время ожидания».
Медленный интернет
  Интернет работает очень медленно, файлы скачиваются часами.
@share_drive network 6 fault
Пропал сетевой диск {drive}
  После перезагрузки пропал сетевой диск {drive}.
Не подключается сетевой диск
  Сетевая папка открывается очень долго, файлы не сохраняются.
@rdp network 6 fault
Не подключается удалённый рабочий стол
  При подключении к удалённому рабочему столу ошибка «{rdp_error}».
Выкидывает с терминального сервера
  Терминальный сервер выкидывает из сессии каждые полчаса.
@delivery billing 15 request
Не доставлен заказ {order}
  Заказ {order} должен был приехать {delivery_day}, но так и не доставлен.
Заказ {order} не пришёл
  Трек-номер заказа {order} не отслеживается, курьер не звонил.
Доставили не тот товар по заказу {order}
  По заказу {order} привезли не ту позицию, нужна замена.
Заказ {order} пришёл неполным
  В заказе {order} не хватает {missing}.
@invoice billing 12 request
Нужен счёт на оплату по заказу {order}
  Прошу выставить счёт на оплату по заказу {order} на {amount} руб.
Неверная сумма в счёте
  В счёте по заказу {order} сумма больше, чем в коммерческом предложении.
Выставить счёт-фактуру
  Для бухгалтерии нужна счёт-фактура по заказу {order}.
Изменить реквизиты в счёте
  В счёте по заказу {order} указаны старые реквизиты, прошу перевыставить.
@payment billing 9 request
Оплата прошла, но заказ не подтверждён
  Оплатили заказ {order} картой, деньги списаны, а статус «Ожидает оплаты».
Двойное списание по заказу {order}
  С карты дважды списали {amount} руб. за заказ {order}.
Вернуть деньги за заказ {order}
  Отказались от заказа {order}, прошу вернуть деньги.
@closing_docs billing 6 request
Не пришли закрывающие документы
  По заказу {order} не пришли закрывающие документы в {edo}.
Нужен акт сверки
  Для закрытия квартала нужен акт сверки взаиморасчётов.
@advice other 9 request
Вопрос по работе с {system}
  Подскажите, как в {system} выгрузить список в Excel.
Как настроить подпись в письмах
  Как добавить подпись с контактами в Outlook?
@workplace_move other 6 request
Переезд рабочего места
  Переезжаем {dept_to}, нужно перенести и подключить компьютер и телефон.
@purchase other 6 request
Заявка на закупку оборудования
  Прошу закупить {purchase} для отдела, бюджет согласован.
@suggestion other 3 request
Предложение по улучшению портала
  Было бы удобно видеть в заявке статус заказа клиента.
"""

TOPICS_EN = """
@password access 6 fault
Cannot log in to {system}
  {system} says "Invalid username or password" although the password is correct.
Reset my {system} password
  I forgot my {system} password, please reset it.
Account locked out
  My account was locked after a few failed attempts, please unlock it.
@access_request access 5 request
Need access to {share_en}
  I need read and write access to {share_en}, approved by my manager.
Access denied to {share_en}
  Opening {share_en} gives "Access denied", it worked last week.
@new_employee access 2 request
New starter: account and mailbox
  A new colleague joins {dept_en} on Monday and needs an account, a mailbox and {base}.
@printer hardware 3 fault
Printer {place_en} is not printing
  Print jobs to {printer} stay in the queue and never print.
Printer error "{printer_error}"
  The printer shows "{printer_error}" and restarting does not help.
@laptop hardware 5 fault
Laptop does not turn on
  My {laptop} does not respond to the power button.
Laptop is not charging
  The charger is plugged in but the battery stays at 0%.
@peripherals hardware 4 fault
Headset microphone not working
  Colleagues cannot hear me in {meeting_app}, the headset is plugged in.
Second monitor not detected
  The docking station does not detect the second monitor.
@1c software 4 fault
1C error when posting a document
  Posting {doc_en} in 1C fails with "{error_1c}".
Cannot open the 1C database
  The {base} database does not open: "Server connection error".
@install software 4 request
Please install {program}
  I need {program} for my work and have no admin rights.
{program} installation fails
  The {program} installer stops with "Insufficient privileges".
@email software 4 fault
Emails stuck in the Outbox
  Messages stay in the Outbox and are never sent.
Not receiving emails from {counterparty_en}
  Emails from {counterparty_en} stopped arriving, they see no errors.
Mailbox full
  Outlook says my mailbox is full and new mail bounces.
@vpn network 5 fault
VPN does not connect
  {vpn_client} shows "{vpn_error}".
VPN keeps disconnecting
  The VPN drops every few minutes when working from home.
@wifi network 3 fault
No Wi-Fi {place_en}
  Laptops cannot see the office network {place_en}.
@delivery billing 5 request
Order {order} not delivered
  Order {order} was due {delivery_day_en} and has not arrived.
Wrong item delivered for order {order}
  We received the wrong item for order {order} and need a replacement.
@invoice billing 4 request
Invoice needed for order {order}
  Please send an invoice for order {order} for {amount} RUB.
Wrong amount on the invoice
  The invoice for order {order} does not match the quote.
@payment billing 3 request
Payment taken but order not confirmed
  We paid order {order} by card but it still says "Awaiting payment".
Charged twice for order {order}
  The card was charged {amount} RUB twice for order {order}.
@advice other 3 request
Question about {system}
  How can I export a list from {system} to Excel?
"""

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


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    category: str
    request: bool  # asks for something, rather than reports a fault
    entries: tuple[tuple[str, tuple[str, ...]], ...]  # (title, first sentences it may open)


def parse_topics(text: str) -> tuple[tuple[Topic, ...], tuple[int, ...]]:
    """The topics of a block of text and their weights."""
    topics: list[Topic] = []
    weights: list[int] = []
    for block in text.split("\n@")[1:]:
        head, *lines = block.rstrip().splitlines()
        name, category, weight, kind = head.split()
        entries: list[tuple[str, list[str]]] = []
        for line in lines:
            if line.startswith("  "):
                entries[-1][1].append(line.strip())
            else:
                entries.append((line, []))
        if category not in CATEGORIES or kind not in ("fault", "request"):
            raise ValueError(f"topic {name}: bad category or kind")
        if not entries or not all(details for _, details in entries):
            raise ValueError(f"topic {name}: every title needs a sentence under it")
        found = tuple((title, tuple(details)) for title, details in entries)
        topics.append(Topic(name, category, kind == "request", found))
        weights.append(int(weight))
    return tuple(topics), tuple(weights)


def _pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


class _Slots(dict[str, str]):
    """Fills `{slot}`s from the pools, the same pick each time within one text."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if key == "order":
            value = f"ORD-{int(rng.random() * 3_000_000) + 1:07d}"
        elif key == "amount":
            value = f"{int(rng.random() * 400_000) // 10 * 10 + 500:,}".replace(",", " ")
        else:
            value = _pick(rng, POOLS[key])
        self[key] = value
        return value


class Language:
    """Topics and phrases of one language; `topic()` draws one by weight."""

    def __init__(self, code: str, topics_text: str) -> None:
        self.code = code
        self.topics, weights = parse_topics(topics_text)
        self._draws = tuple(i for i, w in enumerate(weights) for _ in range(w))
        self.phrases = PHRASES[code]

    def topic(self, rng: random.Random) -> Topic:
        return self.topics[_pick(rng, self._draws)]


RUSSIAN = Language("ru", TOPICS_RU)
ENGLISH = Language("en", TOPICS_EN)
_EXTENSIONS = tuple(str(n) for n in range(100, 1000, 7))


def person(rng: random.Random, russian: bool) -> str:
    """A reporter's name as people sign: «Анна Смирнова», "James Carter"."""
    if not russian:
        return f"{_pick(rng, FIRST_NAMES_EN)} {_pick(rng, SURNAMES_EN)}"
    index = int(rng.random() * len(SURNAMES_RU))
    if rng.random() < 0.5:
        return f"{_pick(rng, FIRST_MALE_RU)} {SURNAMES_RU[index]}"
    return f"{_pick(rng, FIRST_FEMALE_RU)} {FEMALE_SURNAMES_RU[index]}"


def incident_text(
    rng: random.Random, language: Language, topic: Topic, reporter: str, short: bool
) -> tuple[str, str]:
    """(title, description) of one request; `short` for SMS and chats: no courtesies."""
    phrases = language.phrases
    slots = _Slots(rng)
    title, details = _pick(rng, topic.entries)
    body = [_pick(rng, details).format_map(slots)]
    if not topic.request:
        if rng.random() < 0.5:
            body.append(_pick(rng, phrases["since"]))
        if not short and rng.random() < 0.45:
            body.append(_pick(rng, phrases["tried"]))
    if rng.random() < 0.35:
        body.append(_pick(rng, phrases["request_urgency" if topic.request else "fault_urgency"]))
    text = " ".join(body)
    if short:
        return title.format_map(slots), text
    roll = rng.random()
    if roll < 0.45:
        text = f"{_pick(rng, phrases['greeting'])}\n{text}"
    if roll < 0.65:
        text += "\n\n" + _pick(rng, phrases["sign"]).format(reporter, _pick(rng, _EXTENSIONS))
    return title.format_map(slots), text


def resolution(rng: random.Random, language: Language) -> str:
    return _pick(rng, language.phrases["resolution"])
