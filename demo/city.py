"""A synthetic city for the demo: locality tree, household frame, and simulated interviews.

Pure (numpy/pandas, no Django) and deterministic for a given seed. Nothing here is real: the
city, its districts and streets are invented; phone numbers are random valid-looking mobile
numbers.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

AGE_GROUPS = ["16-29", "30-44", "45-59", "60+"]
SEXES = ["M", "F"]

CITY = ("990100", "平安市")
CITY_CENTRE = (28.20, 112.95)  # latitude, longitude (WGS-84) of the invented city's centre

# district name, kind: "urban" districts have central and peri-urban streets, "county" ones
# have towns (peri-urban) and townships (rural)
DISTRICTS = [
    ("城东区", "urban"),
    ("城西区", "urban"),
    ("江北区", "urban"),
    ("高新区", "urban"),
    ("临湖县", "county"),
    ("青山县", "county"),
    ("白石县", "county"),
]

STREET_STEMS = [
    "东湖",
    "西园",
    "南山",
    "北关",
    "文昌",
    "人民",
    "解放",
    "新华",
    "长安",
    "和平",
    "建设",
    "光明",
    "红旗",
    "胜利",
    "朝阳",
    "育才",
    "滨江",
    "望江",
    "桃源",
    "金桥",
    "银杏",
    "枫林",
    "柳岸",
    "石门",
    "龙泉",
    "凤凰",
    "白鹭",
    "青龙",
    "翠屏",
    "锦绣",
    "永安",
    "太平",
    "兴隆",
    "富民",
    "丰收",
    "清河",
    "双井",
    "三里",
    "五星",
    "七里",
    "九龙",
    "十字",
    "马鞍",
    "牛角",
    "黄土",
    "黑石",
    "白沙",
    "红岩",
    "绿洲",
    "蓝田",
    "紫荆",
    "金沙",
    "银河",
    "铜锣",
    "铁岭",
    "玉泉",
    "宝塔",
    "花溪",
    "竹林",
    "松柏",
    "梅岭",
    "兰亭",
    "菊园",
    "荷塘",
    "杏坛",
    "桑园",
    "麻柳",
    "稻香",
    "麦田",
    "茶山",
    "果园",
    "鱼塘",
    "牧场",
    "盐井",
    "煤窑",
    "砖桥",
]
COMMUNITY_STEMS = ["第一", "第二", "第三", "第四", "第五", "第六", "新村", "花园", "大院"]

MOBILE_PREFIXES = np.array(
    [
        130,
        131,
        132,
        133,
        135,
        136,
        137,
        138,
        139,
        150,
        151,
        152,
        155,
        157,
        158,
        159,
        166,
        176,
        177,
        180,
        181,
        186,
        187,
        188,
        189,
        191,
        198,
        199,
    ]
)

# Mean satisfaction on a latent 0–100 scale by area type (seed 000: central 89.2,
# peri-urban 82.1, rural 83.5) and by dimension (public order highest, disputes lowest).
AREA_LEVEL = {"central": 89.0, "peri_urban": 81.5, "rural": 83.5}
DIMENSION_SHIFT = {
    "sense_of_safety": 2.0,
    "public_order": 3.0,
    "dispute_resolution": -7.0,
    "traffic_order": -4.0,
    "info_protection": -6.0,
    "police_conduct": 1.0,
    "grassroots_governance": -2.0,
}


@dataclass(frozen=True)
class City:
    # code, name, parent_code, level, area_type, population (dict), latitude, longitude
    localities: pd.DataFrame
    frame: pd.DataFrame  # household_id, phone, community_code, address


def build_city(seed: int, *, households: int = 200_000) -> City:
    rng = np.random.default_rng(seed)
    rows = [_locality(CITY[0], CITY[1], "", "city", "", {})]
    stems = iter(STREET_STEMS)
    for d, (district_name, kind) in enumerate(DISTRICTS, start=1):
        district_code = f"{CITY[0][:4]}{d:02d}"
        rows.append(_locality(district_code, district_name, CITY[0], "district", "", {}))
        n_streets = 10 if kind == "urban" else 11
        for s in range(1, n_streets + 1):
            stem = next(stems)
            if kind == "urban":
                area = "central" if s <= 7 else "peri_urban"
                street_name = f"{stem}街道"
            else:
                area = "peri_urban" if s <= 3 else "rural"
                street_name = f"{stem}镇" if s <= 6 else f"{stem}乡"
            street_code = f"{district_code}{s:03d}"
            rows.append(_locality(street_code, street_name, district_code, "street", area, {}))
            for c in range(1, int(rng.integers(4, 7)) + 1):
                suffix = "社区" if area != "rural" else "村"
                community_name = f"{stem}{COMMUNITY_STEMS[c - 1]}{suffix}"
                population = _population(rng, area)
                rows.append(
                    _locality(
                        f"{street_code}{c:03d}",
                        community_name,
                        street_code,
                        "community",
                        area,
                        population,
                    )
                )
    localities = pd.DataFrame(rows)
    _roll_up_population(localities)
    _place(localities, seed)
    return City(localities=localities, frame=_frame(rng, localities, households))


def _locality(code, name, parent_code, level, area_type, population) -> dict:
    return {
        "code": code,
        "name": name,
        "parent_code": parent_code,
        "level": level,
        "area_type": area_type,
        "population": population,
    }


def _population(rng: np.random.Generator, area: str) -> dict:
    total = int(rng.integers(2500, 9000))
    # Rural communities are older; central ones younger.
    ages = {
        "central": [0.27, 0.30, 0.25, 0.18],
        "peri_urban": [0.25, 0.29, 0.26, 0.20],
        "rural": [0.18, 0.24, 0.29, 0.29],
    }[area]
    shares = rng.dirichlet(np.array(ages) * 200)
    population = {}
    for age, share in zip(AGE_GROUPS, shares, strict=True):
        males = int(round(total * share * 0.505))
        population[f"M|{age}"] = males
        population[f"F|{age}"] = int(round(total * share)) - males
    return population


# How far (km) a locality lies from its parent's centre, by level and area type.
SPREAD_KM = {
    ("district", "urban"): 7.0,
    ("district", "county"): 40.0,
    ("street", "central"): 2.5,
    ("street", "peri_urban"): 5.0,
    ("street", "rural"): 12.0,
    ("community", "central"): 0.6,
    ("community", "peri_urban"): 1.0,
    ("community", "rural"): 2.5,
}
KM_PER_DEGREE_LATITUDE = 111.32


def _place(localities: pd.DataFrame, seed: int) -> None:
    """Plausible coordinates: districts around the centre, streets around their district,
    communities around their street (adds latitude and longitude columns, degrees).

    Uses its own random stream, so the rest of the city is the same with or without it.
    """
    rng = np.random.default_rng([seed, 2])
    kinds = {name: kind for name, kind in DISTRICTS}
    centre = {}
    latitudes, longitudes = [], []
    for row in localities.itertuples():  # parents come before their children
        if row.level == "city":
            point = CITY_CENTRE
        else:
            kind = kinds[row.name] if row.level == "district" else row.area_type
            parent_lat, parent_lon = centre[row.parent_code]
            distance = SPREAD_KM[(row.level, kind)] * np.sqrt(rng.uniform(0.05, 1.0))
            angle = rng.uniform(0, 2 * np.pi)
            d_lat = distance * np.cos(angle) / KM_PER_DEGREE_LATITUDE
            d_lon = (
                distance * np.sin(angle) / (KM_PER_DEGREE_LATITUDE * np.cos(np.radians(parent_lat)))
            )
            point = (round(parent_lat + d_lat, 6), round(parent_lon + d_lon, 6))
        centre[row.code] = point
        latitudes.append(float(point[0]))
        longitudes.append(float(point[1]))
    localities["latitude"] = latitudes
    localities["longitude"] = longitudes


def _roll_up_population(localities: pd.DataFrame) -> None:
    """Streets, districts and the city carry the sums of their children."""
    population = dict(zip(localities["code"], localities["population"], strict=True))
    parent = dict(zip(localities["code"], localities["parent_code"], strict=True))
    level = dict(zip(localities["code"], localities["level"], strict=True))
    for child_level in ["community", "street", "district"]:
        for code in [c for c, lv in level.items() if lv == child_level]:
            totals = population[parent[code]]
            for key, value in population[code].items():
                totals[key] = totals.get(key, 0) + value
    localities["population"] = localities["code"].map(population)


def _frame(rng: np.random.Generator, localities: pd.DataFrame, households: int) -> pd.DataFrame:
    communities = localities[localities["level"] == "community"].reset_index(drop=True)
    people = communities["population"].map(lambda p: sum(p.values())).to_numpy(dtype=float)
    counts = np.floor(people / people.sum() * households).astype(int)
    counts[
        np.argsort(-(people / people.sum() * households - counts))[: households - counts.sum()]
    ] += 1
    community_index = np.repeat(np.arange(len(communities)), counts)
    numbers = rng.choice(10**8, size=int(households * 1.1), replace=False)[:households]
    prefixes = rng.choice(MOBILE_PREFIXES, size=households)
    phones = pd.Series(prefixes.astype(str)) + pd.Series(numbers).map("{:08d}".format)
    names = communities["name"].to_numpy()[community_index]
    rural = (communities["area_type"] == "rural").to_numpy()[community_index]
    building = rng.integers(1, 30, households)
    unit = rng.integers(1, 6, households)
    room = rng.integers(1, 25, households) * 100 + rng.integers(1, 5, households)
    group = rng.integers(1, 12, households)
    number = rng.integers(1, 80, households)
    urban_address = [
        f"{n}{b}栋{u}单元{r}室" for n, b, u, r in zip(names, building, unit, room, strict=True)
    ]
    rural_address = [f"{n}{g}组{k}号" for n, g, k in zip(names, group, number, strict=True)]
    return pd.DataFrame(
        {
            "household_id": [f"H{i:07d}" for i in range(1, households + 1)],
            "phone": phones,
            "community_code": communities["code"].to_numpy()[community_index],
            "address": np.where(rural, rural_address, urban_address),
        }
    )
