"""Loading the demo: a synthetic city run through the same services a real study uses.

Two rounds for one client, so results show a trend and rank changes: a finished earlier
round (2026 Q3: a smaller draw from the same frame, every interview decided) and the current
round in fieldwork (2026 Q4). Localities, the frame, the draws, the waves, the automatic QC
checks and the decisions on flagged interviews go through the product's own services. Only
the interviews are simulated (answers and paradata written as the wizard would have written
them), and the routine review decisions are written as history in bulk, with the same state
changes and audit events the review services write.

This module loads it all: the people, the city's localities and its household frame;
demo.city builds the city (pure), demo.rounds runs a round's draw, fieldwork and automatic
checks, and demo.reviews takes the round's review decisions.
"""

from base64 import b32decode
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organisation, Role, User
from demo.city import City, build_city
from demo.people import form_teams
from demo.reviews import review_round
from demo.rounds import CLIENT, FIRM, Round, client_organisation, simulate_round, street_effects
from fieldwork.models import Wave
from questionnaires.services import load_standard_questionnaire
from sampling.models import Frame
from sampling.services.frames import import_frame
from sampling.services.localities import import_localities
from scoring.editions import freeze_edition, sign_off

WAVE_NAME = "2026年第四季度群众安全感满意度调查"
# The round before, for trends and rank changes: same client, questionnaire and frame.
EARLIER_WAVE_NAME = "2026年第三季度群众安全感满意度调查"
QUARTER = timedelta(days=91)
PASSWORD = "demo-pass-2026"
# Analysts confirm each login with a second factor. The demo's analyst has an authenticator
# with this published secret (add it to any authenticator app) and these backup codes, each
# good for one login and restored by every run of load_demo.
ANALYST_AUTHENTICATOR_SECRET = "SAFETYSURVEYDEMOANALYSTKEY234567"  # base32, as apps take it
ANALYST_BACKUP_CODES = [f"demo{n:04d}" for n in range(1, 11)]
LOCAL = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class DemoSize:
    households: int
    sample: int
    interviewers: int
    completed: int
    closed: int
    # The earlier round is finished: each case of its draw was completed or closed.
    earlier_sample: int
    earlier_completed: int


FULL = DemoSize(
    households=200_000,
    sample=4_800,
    interviewers=12,
    completed=3_300,
    closed=500,
    earlier_sample=1_800,
    earlier_completed=1_500,
)
SMALL = DemoSize(
    households=5_000,
    sample=300,
    interviewers=3,
    completed=150,
    closed=30,
    earlier_sample=105,
    earlier_completed=90,
)


DEMO_LOGINS = [
    ("analyst", "analyst"),
    ("supervisor", "supervisor"),
    ("interviewer", "interviewer01"),
    ("client", "client"),
]


def demo_loaded() -> bool:
    return Wave.objects.filter(name=WAVE_NAME).exists()


def load_demo(
    *, seed: int = 2026, size: DemoSize = FULL, say: Callable[[str], None] = print
) -> Wave:
    """Load the demo into an empty database; return the current wave (WAVE_NAME)."""
    rng = np.random.default_rng(seed)
    users = create_users(size.interviewers)
    analyst = users["analyst"]
    set_up_analyst_second_factor()

    say("questionnaire …")
    version = load_standard_questionnaire(user=analyst)

    say("locality tree …")
    city = build_city(seed, households=size.households)
    import_localities(rows=city.localities.to_dict("records"))
    form_teams(users)
    say(f"frame of {size.households:,} households …")
    frame = import_household_frame(city=city, name=f"frame-{seed}", user=analyst)

    effects = street_effects(rng, city.localities)
    fieldwork_end = datetime.now(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)

    say(f"earlier round: {size.earlier_completed:,} simulated interviews …")
    earlier = simulate_round(
        rng=rng,
        spec=Round(
            wave_name=EARLIER_WAVE_NAME,
            draw_name="2026年第三季度 主样本",
            seed=seed + 1,
            sample=size.earlier_sample,
            completed=size.earlier_completed,
            closed=size.earlier_sample - size.earlier_completed,
            street_effect=effects.earlier,
            fieldwork_end=fieldwork_end - QUARTER,
            finished=True,
        ),
        frame=frame,
        version=version,
        users=users,
    )
    review_round(rng=rng, wave=earlier, users=users, finished=True, at=fieldwork_end - QUARTER)

    say(f"draw of {size.sample:,} and {size.completed:,} simulated interviews …")
    wave = simulate_round(
        rng=rng,
        spec=Round(
            wave_name=WAVE_NAME,
            draw_name="2026年第四季度 主样本",
            seed=seed,
            sample=size.sample,
            completed=size.completed,
            closed=size.closed,
            street_effect=effects.current,
            fieldwork_end=fieldwork_end,
            finished=False,
        ),
        frame=frame,
        version=version,
        users=users,
    )
    say("quality control …")
    review_round(rng=rng, wave=wave, users=users, finished=False, at=timezone.now())
    refresh_planner_statistics()
    say("a signed edition of each round's results, for the client …")
    for published in (earlier, wave):
        edition = freeze_edition(wave=published, user=analyst)
        sign_off(edition=edition, user=users["supervisor"])
    return wave


def refresh_planner_statistics() -> None:
    """PostgreSQL plans queries from table statistics, which a bulk load leaves stale until
    autovacuum samples the tables; a plan made on "empty" statistics joins thousands of flags
    and interviews by nested scans and takes minutes. ANALYZE right after the load."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def create_users(n_interviewers: int) -> dict:
    """The demo's people, all with PASSWORD: {"analyst", "supervisor", "supervisor2",
    "client": User, "interviewers": [User, ...]}."""
    # Hashing a password is slow on purpose; everyone here shares the one published demo
    # password, so hash it once.
    password = make_password(PASSWORD)
    client_body = client_organisation()
    firm = Organisation.objects.get_or_create(name=FIRM, defaults={"kind": Organisation.Kind.FIRM})[
        0
    ]

    def user(username: str, role: str, name: str) -> User:
        # Chinese names are written whole, surname first: keep them in first_name alone so
        # get_full_name() shows them as written.
        return User.objects.create(
            username=username,
            password=password,
            role=role,
            first_name=name,
            organisation=client_body if role == Role.CLIENT else firm,
        )

    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭"
    given = [
        "伟",
        "芳",
        "娜",
        "敏",
        "静",
        "磊",
        "洋",
        "艳",
        "勇",
        "军",
        "杰",
        "娟",
        "涛",
        "明",
        "超",
        "霞",
    ]
    return {
        "analyst": user("analyst", Role.ANALYST, "林晓燕"),
        "supervisor": user("supervisor", Role.SUPERVISOR, "何建国"),
        "supervisor2": user("supervisor2", Role.SUPERVISOR, "罗丽"),
        "client": user("client", Role.CLIENT, CLIENT),
        "interviewers": [
            user(f"interviewer{i:02d}", Role.INTERVIEWER, surnames[i % 16] + given[(i * 7) % 16])
            for i in range(1, n_interviewers + 1)
        ],
    }


def set_up_analyst_second_factor() -> None:
    """Give the demo's analyst the published authenticator and a full set of backup codes."""
    analyst = User.objects.get(username="analyst")
    TOTPDevice.objects.update_or_create(
        user=analyst,
        name="authenticator",
        defaults={"key": b32decode(ANALYST_AUTHENTICATOR_SECRET).hex(), "confirmed": True},
    )
    backup, _ = StaticDevice.objects.get_or_create(
        user=analyst, name="backup codes", defaults={"confirmed": True}
    )
    backup.token_set.all().delete()
    StaticToken.objects.bulk_create(
        StaticToken(device=backup, token=code) for code in ANALYST_BACKUP_CODES
    )


def import_household_frame(*, city: City, name: str, user: User) -> Frame:
    """The city's households as a sampling frame, imported from a CSV file as a user would."""
    path = Path(settings.MEDIA_ROOT) / "demo" / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    city.frame.to_csv(path, index=False)
    with path.open("rb") as file:
        frame = import_frame(
            file=file,
            source_name="平安市住户抽样框.csv",
            name="平安市住户抽样框 2026",
            mapping={
                "unit_id": "household_id",
                "phone": "phone",
                "locality_code": "community_code",
                "address": "address",
            },
            user=user,
        )
    path.unlink()
    return frame
