# ruff: noqa: E501  (demo data tables read better one row per line)
"""The demo city's catalogue: Jiang'an district (江岸区) of Wuhan, four streets, eight communities, five
operators under the four operating models, twelve suppliers, ten facilities and their services.

Other domains refer to these rows by `demo_id(kind, name)` or by the constants below, e.g. the accounts
seed makes one staff account per supplier (`SUPPLIER_IDS`), per operator (`OPERATOR_IDS`) and one
regulator per street (`STREET_IDS`), district (`DISTRICT_ID`) and city (`CITY_ID`).
"""

from __future__ import annotations

import uuid

from backend.core.demo_ids import demo_id

CITY = "武汉市"
DISTRICT = "江岸区"
CITY_ID: uuid.UUID = demo_id("city", CITY)
DISTRICT_ID: uuid.UUID = demo_id("district", DISTRICT)

# street -> communities
STREETS: dict[str, list[str]] = {
    "后湖街道": ["幸福社区", "育才社区"],
    "二七街道": ["二七社区", "长江社区"],
    "台北街道": ["台北一路社区", "香港路社区"],
    "塔子湖街道": ["塔子湖社区", "新村社区"],
}
STREET_IDS: dict[str, uuid.UUID] = {name: demo_id("street", name) for name in STREETS}
COMMUNITY_IDS: dict[str, uuid.UUID] = {c: demo_id("community", c) for cs in STREETS.values() for c in cs}

# name -> (operating model, credit code, started on)
OPERATORS: dict[str, tuple[str, str, str]] = {
    "江城颐康社区服务有限公司": ("public_built_private_run", "91420102MA4K00011X", "2021-03-01"),
    "武汉乐龄智慧养老服务有限公司": ("private_run_public_aid", "91420102MA4K00022X", "2020-07-15"),
    "江岸区邻里家园社会工作服务中心": ("government_purchase", "52420102MA4K00033X", "2019-11-01"),
    "湖北童享托育服务有限公司": ("public_private_partnership", "91420102MA4K00044X", "2022-02-20"),
    "武汉楚邻社区发展有限公司": ("public_built_private_run", "91420102MA4K00055X", "2023-09-01"),
}
OPERATOR_IDS: dict[str, uuid.UUID] = {name: demo_id("operator", name) for name in OPERATORS}

# name -> (introducing operator, credit code, licences [(kind, number)])
SUPPLIERS: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "武汉康乐年华养老服务有限公司": (
        "江城颐康社区服务有限公司",
        "91420102MA4K10011X",
        [("business_licence", "420102000123451"), ("elder_care_filing", "鄂江岸养备字2021-017")],
    ),
    "江城味道社区餐饮管理有限公司": (
        "江城颐康社区服务有限公司",
        "91420102MA4K10022X",
        [("business_licence", "420102000123452"), ("food_business", "JY14201020123456")],
    ),
    "武汉邻家帮家政服务有限公司": (
        "江城颐康社区服务有限公司",
        "91420102MA4K10033X",
        [("business_licence", "420102000123453"), ("housekeeping_credit", "HZ4201020033")],
    ),
    "乐龄康复护理服务有限公司": (
        "武汉乐龄智慧养老服务有限公司",
        "91420102MA4K10044X",
        [("business_licence", "420102000123454"), ("medical_institution", "PDY42010221420102A1001")],
    ),
    "武汉乐龄长者食堂有限公司": (
        "武汉乐龄智慧养老服务有限公司",
        "91420102MA4K10055X",
        [("business_licence", "420102000123455"), ("food_business", "JY14201020123457")],
    ),
    "江岸区阳光助残服务社": (
        "江岸区邻里家园社会工作服务中心",
        "52420102MA4K10066X",
        [("business_licence", "524201020066")],
    ),
    "武汉书香文化传播有限公司": (
        "江岸区邻里家园社会工作服务中心",
        "91420102MA4K10077X",
        [("business_licence", "420102000123457")],
    ),
    "江岸区全民健身服务中心": (
        "江岸区邻里家园社会工作服务中心",
        "52420102MA4K10088X",
        [("business_licence", "524201020088")],
    ),
    "童享宝贝托育中心（江岸）有限公司": (
        "湖北童享托育服务有限公司",
        "91420102MA4K10099X",
        [("business_licence", "420102000123459"), ("childcare_filing", "鄂江岸托备2022-005")],
    ),
    "武汉小书包课后托管服务有限公司": (
        "湖北童享托育服务有限公司",
        "91420102MA4K10100X",
        [("business_licence", "420102000123460")],
    ),
    "武汉楚邻助餐服务有限公司": (
        "武汉楚邻社区发展有限公司",
        "91420102MA4K10111X",
        [("business_licence", "420102000123461"), ("food_business", "JY14201020123461")],
    ),
    "楚邻社区卫生健康服务有限公司": (
        "武汉楚邻社区发展有限公司",
        "91420102MA4K10122X",
        [("business_licence", "420102000123462"), ("medical_institution", "PDY42010221420102A1002")],
    ),
}
SUPPLIER_IDS: dict[str, uuid.UUID] = {name: demo_id("supplier", name) for name in SUPPLIERS}

HOURS_DAY = "周一至周日 07:30-19:30"
HOURS_WEEK = "周一至周五 08:00-18:00，周六 09:00-17:00"


def _room(function: str, floor: int, area: float, places: int = 0) -> dict[str, object]:
    return {"function": function, "floor": floor, "area_m2": area, "places": places}


# name -> community, operator, address, lat, lng, phone, hours, functions, rooms
FACILITIES: dict[str, dict[str, object]] = {
    "后湖街道幸福社区嵌入式服务综合体": {
        "community": "幸福社区", "operator": "江城颐康社区服务有限公司",
        "address": "江岸区后湖大道 111 号", "lat": 30.6601, "lng": 114.2903, "phone": "027-82601111",
        "hours": HOURS_DAY,
        "functions": ["elder_care", "meal_aid", "housekeeping", "culture", "sport"],
        "rooms": [_room("elder_care", 1, 700.0, 20), _room("meal_aid", 1, 180.0), _room("culture", 2, 120.0)],
    },
    "育才社区邻里中心": {
        "community": "育才社区", "operator": "江城颐康社区服务有限公司",
        "address": "江岸区育才路 56 号", "lat": 30.6538, "lng": 114.2857, "phone": "027-82602222",
        "hours": HOURS_DAY,
        "functions": ["elder_care", "meal_aid", "housekeeping", "children_play"],
        "rooms": [_room("elder_care", 2, 420.0, 12), _room("meal_aid", 1, 150.0)],
    },
    "二七社区乐龄生活馆": {
        "community": "二七社区", "operator": "武汉乐龄智慧养老服务有限公司",
        "address": "江岸区二七路 208 号", "lat": 30.6452, "lng": 114.3128, "phone": "027-82713333",
        "hours": HOURS_DAY,
        "functions": ["elder_care", "meal_aid", "health"],
        "rooms": [_room("elder_care", 1, 1050.0, 30), _room("health", 2, 160.0), _room("meal_aid", 1, 200.0)],
    },
    "长江社区颐养服务中心": {
        # breaks a rule: 10 elder-care beds in 300 m² (30 m² per bed, below 35)
        "community": "长江社区", "operator": "武汉乐龄智慧养老服务有限公司",
        "address": "江岸区沿江大道 88 号", "lat": 30.6389, "lng": 114.3051, "phone": "027-82714444",
        "hours": HOURS_DAY,
        "functions": ["elder_care", "meal_aid", "health", "culture"],
        "rooms": [_room("elder_care", 1, 300.0, 10), _room("meal_aid", 1, 120.0)],
    },
    "台北一路社区邻里驿站": {
        # breaks three rules: two functions, no elder or infant care, after-school care on the 4th floor
        "community": "台北一路社区", "operator": "江岸区邻里家园社会工作服务中心",
        "address": "江岸区台北一路 19 号", "lat": 30.6121, "lng": 114.2842, "phone": "027-85551234",
        "hours": HOURS_WEEK,
        "functions": ["child_care", "culture"],
        "rooms": [_room("child_care", 4, 160.0), _room("culture", 1, 90.0)],
    },
    "香港路社区文体服务中心": {
        "community": "香港路社区", "operator": "江岸区邻里家园社会工作服务中心",
        "address": "江岸区香港路 260 号", "lat": 30.6077, "lng": 114.2905, "phone": "027-85552345",
        "hours": HOURS_WEEK,
        "functions": ["meal_aid", "elder_care", "sport", "culture", "housekeeping"],
        "rooms": [_room("elder_care", 1, 360.0, 10), _room("sport", 2, 300.0), _room("culture", 3, 150.0)],
    },
    "塔子湖社区童享托育园": {
        "community": "塔子湖社区", "operator": "湖北童享托育服务有限公司",
        "address": "江岸区塔子湖东路 36 号", "lat": 30.6493, "lng": 114.2698, "phone": "027-85803456",
        "hours": "周一至周五 07:30-18:30",
        "functions": ["infant_care", "child_care", "children_play", "meal_aid"],
        "rooms": [_room("infant_care", 1, 450.0, 50), _room("child_care", 2, 200.0), _room("children_play", 1, 120.0)],
    },
    "新村社区一老一小服务中心": {
        "community": "新村社区", "operator": "湖北童享托育服务有限公司",
        "address": "江岸区新村街 12 号", "lat": 30.6556, "lng": 114.2751, "phone": "027-85804567",
        "hours": HOURS_DAY,
        "functions": ["infant_care", "elder_care", "child_care", "culture"],
        "rooms": [_room("infant_care", 2, 270.0, 30), _room("elder_care", 1, 350.0, 10), _room("child_care", 3, 140.0)],
    },
    "幸福社区楚邻长者食堂": {
        "community": "幸福社区", "operator": "武汉楚邻社区发展有限公司",
        "address": "江岸区幸福二路 7 号", "lat": 30.6622, "lng": 114.2951, "phone": "027-82605678",
        "hours": "周一至周日 10:30-13:30，16:30-19:00",
        "functions": ["meal_aid", "elder_care", "health"],
        "rooms": [_room("meal_aid", 1, 260.0), _room("elder_care", 2, 280.0, 8), _room("health", 2, 80.0)],
    },
    "长江社区楚邻健康驿站": {
        "community": "长江社区", "operator": "武汉楚邻社区发展有限公司",
        "address": "江岸区黄浦大街 166 号", "lat": 30.6352, "lng": 114.2989, "phone": "027-82716789",
        "hours": HOURS_WEEK,
        "functions": ["health", "meal_aid", "elder_care", "sport"],
        "rooms": [_room("health", 1, 180.0), _room("elder_care", 2, 420.0, 12), _room("sport", 1, 160.0)],
    },
}  # fmt: skip
FACILITY_IDS: dict[str, uuid.UUID] = {name: demo_id("facility", name) for name in FACILITIES}
