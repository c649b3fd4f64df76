"""The product catalogue orders are made of: office IT goods and services, priced in roubles."""

from __future__ import annotations

import json
import re
from typing import NamedTuple

from servicedesk.ops.seeding.draws import seeded
from servicedesk.ops.seeding.text import fold_text

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
