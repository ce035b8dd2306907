"""The audio rule: a recorded door interview with almost no speech on it. Pure: no Django.

`speech_share` (0-1) is the share of an interview's audio audit in which a voice-activity
detector heard speech; the audio analysis produces it, this rule only reads it. A door
interview really held at the door is mostly talk; a recording of near silence (a pocket, an
empty room) is what a fabricated interview sounds like.
"""

import numpy as np
import pandas as pd

from qc.rules import NO_SPEECH, empty_result, has_columns, rule_result

DOOR = "door"


def no_speech(df: pd.DataFrame, *, max_share: float = 0.1) -> pd.DataFrame:
    """Door interviews whose recorded audio has speech in less than `max_share` of it.

    Reads `speech_share` (NaN: not recorded, never fires) and `mode` ("door" fires, another
    mode never; an unknown mode or no mode column, as in a delivered file, is taken as
    door-to-door).
    """
    if not has_columns(df, "speech_share"):
        return empty_result()
    share = pd.to_numeric(df["speech_share"], errors="coerce").astype("float64")
    mode = df["mode"].astype("object") if "mode" in df.columns else pd.Series(None, index=df.index)
    door = mode.eq(DOOR) | mode.isna()
    fired = (share < float(max_share)) & door  # NaN compares False
    if not fired.any():
        return empty_result()
    values = share[fired]
    reasons = [
        (
            f"录音中仅 {value:.0%} 有人声（低于 {max_share:.0%}），入户访问应以交谈为主",
            f"Speech in only {value:.0%} of the recording (under {max_share:.0%}); "
            "a door interview is mostly talk",
            {"speech_share": round(float(value), 4), "max_share": float(max_share)},
        )
        for value in np.asarray(values)
    ]
    return rule_result(NO_SPEECH, values.index, reasons)
