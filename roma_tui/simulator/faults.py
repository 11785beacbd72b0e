"""Faults the simulator can inject, switchable per run and at run time.

`Faults.parse("latency=0.2,jitter=0.5,error_rate=0.1,throttle=3,retry_after=2,malformed=0.1,"
"html=0.1,drop=0.1,token_ttl=60")` understands these keys:

- `latency=S`       every ROMA API answer waits S seconds (real time, asyncio.sleep)
- `jitter=S`        plus a random 0..S seconds on top of `latency`
- `error_rate=P`    probability of a 5xx with a Huawei error body (500 or 503)
- `throttle=N`      bursts of N consecutive 429 `APIGW.0308` answers with `Retry-After` ...
- `throttle_every=M` ... one burst at the start of every M requests (0: a single burst), default 20
- `retry_after=S`   the `Retry-After` seconds sent with a 429 (default 1)
- `malformed=P`     probability of a 200 whose JSON body is cut in half
- `html=P`          probability of a 502 HTML page from the "gateway" (nginx style)
- `drop=P`          probability of closing the connection without any response
- `token_ttl=S`     tokens expire S seconds (simulator clock) after issue: the demo token counts as
                    issued when the simulator started; 401 `APIGW.0307` until re-authenticated via
                    IAM (which then issues tokens living S seconds)
- `seed=N`          seed of the fault dice (default 0): same seed, same sequence of faults

Faults apply to the ROMA API paths (`/v2/...`) only, never to IAM (`/v3/auth/tokens`).
Probabilities are 0..1. Imports nothing from roma_tui.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

_PROBABILITIES = ("error_rate", "malformed", "html", "drop")


@dataclass(frozen=True)
class Faults:
    latency: float = 0.0
    jitter: float = 0.0
    error_rate: float = 0.0
    throttle: int = 0
    throttle_every: int = 20
    retry_after: int = 1
    malformed: float = 0.0
    html: float = 0.0
    drop: float = 0.0
    token_ttl: float | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        for name in _PROBABILITIES:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"fault {name}={value}: a probability must be between 0 and 1")
        for name in ("latency", "jitter", "throttle", "throttle_every", "retry_after"):
            if getattr(self, name) < 0:
                raise ValueError(f"fault {name} must not be negative")
        if self.token_ttl is not None and self.token_ttl <= 0:
            raise ValueError("fault token_ttl must be a positive number of seconds")

    @classmethod
    def parse(cls, text: str | None) -> Faults:
        """Parse `key=value,key=value` (see the module docstring); empty or "none" = no faults."""
        if text is None or text.strip().lower() in ("", "none", "off"):
            return cls()
        known = {f.name: f for f in fields(cls)}
        values: dict[str, float | int | None] = {}
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            key, sep, raw = part.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or key not in known:
                names = ", ".join(known)
                raise ValueError(f"unknown fault {part!r}: use key=value with keys {names}")
            raw = raw.strip()
            try:
                if key in ("throttle", "throttle_every", "retry_after", "seed"):
                    values[key] = int(raw)
                else:
                    values[key] = float(raw)
            except ValueError:
                raise ValueError(f"fault {key}={raw!r}: not a number") from None
        return cls(**values)  # type: ignore[arg-type]

    @property
    def active(self) -> bool:
        return self != Faults(seed=self.seed)

    def describe(self) -> str:
        """`key=value` for each fault that differs from the default, or "none"."""
        default = Faults()
        parts = [
            f"{f.name}={getattr(self, f.name)}"
            for f in fields(self)
            if getattr(self, f.name) != getattr(default, f.name)
        ]
        return ",".join(parts) or "none"
