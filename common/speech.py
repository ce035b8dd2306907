"""How much of a recording is speech: decode any audio the browser or a telephony provider
gives (WebM/Opus, Ogg, MP4/AAC, MP3, WAV), then run a voice-activity detector over it.

Used for door-to-door audio audits (fieldwork.audits) and meant for phone-call recordings too
(fieldwork.telephony keeps their URLs; fetch the bytes and call analyse()).

- Decoding: PyAV (FFmpeg's libraries in its wheels, no system ffmpeg), resampled to 16 kHz
  mono 16-bit PCM.
- Detection: WebRTC's voice-activity detector (webrtcvad-wheels): a small Gaussian-mixture
  model compiled into the wheel, no model to download. It labels each 30 ms frame speech or
  not; `aggressiveness` 0-3 makes it stricter about what is speech (2 by default: fewer
  false positives from street noise, which door-to-door recordings are full of).
- Frames whose level is below SILENCE_DBFS are not speech whatever the detector says: it
  reports low-level hiss as speech now and then.

Pure: no Django. Raises SpeechError when the bytes are not audio it can decode. PyAV and
the detector are imported by the functions that use them (~18 MB a web worker that never
analyses a recording does not hold; tests/test_lean_workers.py).
"""

import io
import math
from dataclasses import dataclass

import numpy as np

RATE = 16_000
FRAME_MS = 30
FRAME_SAMPLES = RATE * FRAME_MS // 1000
SILENCE_DBFS = -50.0
MAX_SECONDS = 4 * 3600  # decoding stops here: no audit recording is longer


class SpeechError(ValueError):
    """The bytes are not audio that can be decoded."""


@dataclass(frozen=True)
class Speech:
    seconds: float  # length of the audio decoded
    frames: int  # 30 ms frames analysed
    speech_frames: int  # of which speech

    @property
    def share(self) -> float:
        """Share of the frames with speech; 0.0 for an empty recording."""
        return self.speech_frames / self.frames if self.frames else 0.0


def decode(data: bytes) -> np.ndarray:
    """The audio as 16 kHz mono int16 samples. Raises SpeechError if it cannot be decoded."""
    import av

    chunks: list[np.ndarray] = []
    total = 0
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise SpeechError("no audio stream")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().reshape(-1)
                    chunks.append(samples)
                    total += len(samples)
                if total > MAX_SECONDS * RATE:
                    break
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except (av.FFmpegError, ValueError, EOFError) as error:  # SpeechError is a ValueError
        if isinstance(error, SpeechError):
            raise
        raise SpeechError(f"not decodable audio: {error}") from error
    if not chunks:
        return np.zeros(0, dtype=np.int16)
    return np.concatenate(chunks).astype(np.int16, copy=False)


def detect(samples: np.ndarray, *, aggressiveness: int = 2) -> Speech:
    """Speech frames among the 30 ms frames of 16 kHz mono int16 `samples` (a last partial
    frame is left out)."""
    import webrtcvad

    vad = webrtcvad.Vad(aggressiveness)
    count = len(samples) // FRAME_SAMPLES
    frames = samples[: count * FRAME_SAMPLES].reshape(count, FRAME_SAMPLES)
    floor = 32768.0 * math.pow(10, SILENCE_DBFS / 20)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) if count else np.zeros(0)
    speech = 0
    for frame, level in zip(frames, rms, strict=True):
        if level >= floor and vad.is_speech(frame.tobytes(), RATE):
            speech += 1
    return Speech(seconds=len(samples) / RATE, frames=count, speech_frames=speech)


def analyse(data: bytes, *, aggressiveness: int = 2) -> Speech:
    """Decode a recording and measure its speech."""
    return detect(decode(data), aggressiveness=aggressiveness)
