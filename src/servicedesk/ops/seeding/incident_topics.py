"""What people write to the service desk about, Russian and English: the topics of requests.

"@name category weight kind" (kind: fault or request), then requests: a title, and indented
under it the first sentences its description may open with. `{slot}`s are filled from
`incident_phrases.POOLS`. Topics are weighted so that a word of one topic («принтер») is in
about 1% of incidents.
"""

from __future__ import annotations

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
