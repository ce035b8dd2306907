"""common.speech on real audio bytes: a speech-like signal (a voiced source with a wandering
pitch through three formants, in syllables) against near silence, as WAV and as WebM/Opus
encoded here with PyAV, the way a browser's MediaRecorder sends it."""

import io
import wave

import av
import numpy as np
import pytest

from common.speech import RATE, SpeechError, analyse, decode

SECONDS = 5


def speech_like(seconds: float, seed: int = 0) -> np.ndarray:
    """Voiced speech's shape: harmonics of a pitch near 140 Hz weighted by formants at 700,
    1200 and 2500 Hz, switched on and off four times a second like syllables (so about half
    of it is sound)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    pitch = 140 + 30 * np.sin(2 * np.pi * 0.7 * t) + rng.normal(0, 2, n).cumsum() / 200
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    signal = np.zeros(n)
    for k in range(1, 30):
        formants = sum(
            np.exp(-((((k * pitch) - centre) / width) ** 2))
            for centre, width in ((700, 130), (1200, 150), (2500, 200))
        )
        signal += (formants + 0.05) * np.sin(k * phase) / np.sqrt(k)
    signal *= np.sqrt(np.clip(np.sin(2 * np.pi * 4 * t), 0, None))
    return (signal / np.abs(signal).max() * 0.5 * 32767).astype(np.int16)


def near_silence(seconds: float, seed: int = 1) -> np.ndarray:
    """A quiet room: noise about 64 dB below full scale."""
    return np.random.default_rng(seed).normal(0, 20, int(seconds * RATE)).astype(np.int16)


def as_wav(samples: np.ndarray) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(RATE)
        file.writeframes(samples.tobytes())
    return out.getvalue()


def as_webm_opus(samples: np.ndarray) -> bytes:
    """WebM with Opus at 48 kHz mono, as Chromium's MediaRecorder writes it."""
    upsampled = np.repeat(samples, 3)  # 16 kHz → 48 kHz, Opus's own rate
    out = io.BytesIO()
    with av.open(out, "w", format="webm") as container:
        stream = container.add_stream("libopus", rate=48_000)
        stream.layout = "mono"
        for start in range(0, len(upsampled) - 959, 960):
            frame = av.AudioFrame.from_ndarray(
                upsampled[start : start + 960].reshape(1, -1), format="s16", layout="mono"
            )
            frame.sample_rate = 48_000
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def test_speech_is_found_in_speech_and_not_in_silence_as_wav_and_webm():
    speech, silence = speech_like(SECONDS), near_silence(SECONDS)
    webm = as_webm_opus(speech)
    assert webm[:4] == b"\x1a\x45\xdf\xa3"  # an EBML (WebM) header
    from_wav, from_webm = analyse(as_wav(speech)), analyse(webm)
    # about half of the signal is voiced (the syllable envelope is on half the time)
    assert 0.45 <= from_wav.share <= 0.75
    assert abs(from_webm.share - from_wav.share) <= 0.05  # Opus keeps what the detector hears
    assert from_wav.frames == SECONDS * 1000 // 30
    assert analyse(as_wav(silence)).share == 0.0
    assert analyse(as_webm_opus(silence)).share == 0.0


def test_the_share_follows_how_much_of_the_recording_is_speech():
    speech_only = analyse(as_wav(speech_like(2))).share
    mixed = np.concatenate([speech_like(2), near_silence(6)])
    share = analyse(as_webm_opus(mixed)).share
    assert share == pytest.approx(speech_only * 2 / 8, abs=0.04)
    assert abs(analyse(as_webm_opus(mixed)).seconds - 8) < 0.1


def test_decoding_gives_16_khz_mono_of_the_right_length():
    samples = decode(as_webm_opus(speech_like(3)))
    assert samples.dtype == np.int16 and abs(len(samples) / RATE - 3) < 0.1


@pytest.mark.parametrize("data", [b"", b"not audio at all", b"\x1a\x45\xdf\xa3" + b"\0" * 50])
def test_bytes_that_are_not_audio_are_refused(data):
    with pytest.raises(SpeechError):
        analyse(data)
