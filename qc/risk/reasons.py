"""The sentences of the interviewer risk ranking: why an indicator counts, in Chinese and
English, with the interviewer's figure, the peers' and the z. Pure: no Django."""

from qc.risk.curbstoning import SHARES
from qc.rules import p_text

# Indicators whose sentence is "<what> <own share>, <peers> <their share> (z)": the column of
# the share (the peers' is peer_<column>), the Chinese words and the English ({r}: the share).
_SHARE_SENTENCES = {
    "speech": ("speech_share", "录音中人声平均占", "speech in {r} of recordings on average"),
    "high": ("high_rate", "有严重标记的访问", "interviews with a high-severity flag {r}"),
    "duplicates": ("duplicates_rate", "答案与其他访问雷同", "interviews copying others {r}"),
    "acquiescence": ("acquiescence_share", "正面回答占", "positive answers {r}"),
}


def reason(name: str, row: dict, z: float) -> tuple[str, str]:
    """(Chinese, English) of one indicator for an interviewer's row of the ranking, whose
    suspicious z is `z`."""
    if row["peer_scope"] == "all":
        zh_peers, en_peers = "其他访员", "all other interviewers"
    else:
        zh_peers, en_peers = "同层同行", "peers in the same strata"
    if name == "duration":
        m, p = row["median_duration"], row["peer_median_duration"]
        return (
            f"访问时长中位数 {m:.0f} 秒，{zh_peers} {p:.0f} 秒（z={z:.1f}）",
            f"median interview {m:.0f} s against {p:.0f} s for {en_peers} (z = {z:.1f})",
        )
    if name in SHARES or name == "variance":
        return _curbstoning(name, row, z, zh_peers, en_peers)
    if name in _SHARE_SENTENCES:
        column, zh, en = _SHARE_SENTENCES[name]
        r, p = row[column], row[f"peer_{column}"]
        return (
            f"{zh} {r:.0%}，{zh_peers} {p:.0%}（z={z:.1f}）",
            f"{en.format(r=f'{r:.0%}')} against {p:.0%} for {en_peers} (z = {z:.1f})",
        )
    if name in ("flags", "straightlining", "completion", "refusal"):
        rate_column = "flag_rate" if name == "flags" else f"{name}_rate"
        r, p = row[rate_column], row[f"peer_{rate_column}"]
        zh = {"flags": "被标记访问", "straightlining": "直线作答", "completion": "完成率"}.get(
            name, "拒访率"
        )
        en = {"flags": "flagged interviews", "straightlining": "straight-lined interviews"}.get(
            name, f"{name} rate"
        )
        if name in ("completion", "refusal"):  # pooled over all others, not by stratum
            zh_peers, en_peers = "其他访员", "all other interviewers"
        return (
            f"{zh} {r:.0%}，{zh_peers} {p:.0%}（z={z:.1f}）",
            f"{en} {r:.0%} against {p:.0%} for {en_peers} (z = {z:.1f})",
        )
    if name == "divergence":
        c, d, p = row["divergence_chi2"], int(row["divergence_df"]), row["divergence_p"]
        return (
            f"答案分布与{zh_peers}不同（χ²={c:.0f}，自由度 {d}，p {p_text(p)}）",
            f"answer distribution differs from {en_peers} "
            f"(chi² = {c:.0f}, df = {d}, p {p_text(p)})",
        )
    r, p = row["interviews_per_hour"], row["peer_interviews_per_hour"]
    return (
        f"每小时完成 {r:.1f} 份，其他访员中位数 {p:.1f} 份（z={z:.1f}）",
        f"{r:.1f} interviews per hour against a median of {p:.1f} for all other interviewers "
        f"(z = {z:.1f})",
    )


def _curbstoning(name: str, row: dict, z: float, zh_peers: str, en_peers: str) -> tuple:
    """The sentence of a curbstoning indicator (qc.risk.curbstoning)."""
    if name in SHARES:
        r, p = row[f"{name}_share"], row[f"peer_{name}_share"]
        zh, en = SHARES[name]
        return (
            f"{zh}占 {r:.0%}，{zh_peers} {p:.0%}（z={z:.1f}）",
            f"{en} {r:.0%} against {p:.0%} for {en_peers} (z = {z:.1f})",
        )
    if name == "variance":
        v, p = row["score_variance"], row["peer_score_variance"]
        return (
            f"各次访问间答案差异小：得分方差 {v:.0f}，其他访员中位数 {p:.0f}（z={z:.1f}）",
            f"answers vary little between interviews: score variance {v:.0f} against a "
            f"median of {p:.0f} for all other interviewers (z = {z:.1f})",
        )
