"""Faults the simulator can inject, switchable per run and at run time.

`Faults.parse("latency=0.2,error_rate=0.1,throttle=3")` reads the syntax in `FAULTS_HELP`
(shown by `roma-tui simulate --help` and in the README). Imports nothing from roma_tui.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

FAULTS_HELP = """\
faults (--faults KEY=VALUE,KEY=VALUE,...; "none" for none):
  latency=S          every ROMA API answer waits S seconds (0 to 3600)
  jitter=S           plus a random 0..S seconds on top of latency (0 to 3600)
  error_rate=P       probability of a 5xx with a Huawei error body (500 or 503)
  throttle=N         bursts of N consecutive 429 APIGW.0308 answers with Retry-After ...
  throttle_every=M   ... one burst at the start of every M requests (0: one burst), default 20
  retry_after=S      the Retry-After seconds sent with a 429 (default 1; absurd values are allowed)
  malformed=P        probability of a 200 whose JSON body is cut in half
  html=P             probability of a 502 HTML page from the "gateway" (nginx style)
  drop=P             probability of closing the connection without any response
  token_ttl=S        tokens expire S seconds (simulator clock) after issue, the demo token
                     counting from the start: 401 APIGW.0307 until a new IAM token (1 s to 1 year)
  apig=1             spell the gateway's error codes APIG.0301 ... instead of APIGW.0301 ...
  seed=N             seed of the fault dice (default 0): same seed, same faults
Probabilities are 0 to 1. Faults touch the ROMA API (/v2/...), never IAM (/v3/...).
example: --faults latency=0.3,error_rate=0.1,throttle=3,retry_after=2
"""

_PROBABILITIES = ("error_rate", "malformed", "html", "drop")
#: The largest value each numeric fault takes (a week of latency helps no test).
_LIMITS: dict[str, float] = {
    "latency": 3600,
    "jitter": 3600,
    "throttle": 1_000_000,
    "throttle_every": 1_000_000,
    "retry_after": 10**15,  # an absurd Retry-After is itself a fault worth sending
    "token_ttl": 365 * 86400,
    "apig": 1,
}
_INTEGERS = ("throttle", "throttle_every", "retry_after", "seed", "apig")


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
    apig: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in _PROBABILITIES:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"fault {name}={value}: a probability must be between 0 and 1")
        for name, limit in _LIMITS.items():
            value = getattr(self, name)
            if value is not None and not 0 <= value <= limit:
                raise ValueError(f"fault {name}={value}: it must be from 0 to {limit:.0f}")
        if self.token_ttl is not None and self.token_ttl < 1:
            raise ValueError("fault token_ttl must be at least 1 second")

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
                number: float = int(raw) if key in _INTEGERS else float(raw)
            except ValueError:
                raise ValueError(f"fault {key}={raw!r}: not a number") from None
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError(f"fault {key}={raw!r}: not a finite number")
            values[key] = number
        return cls(**values)  # type: ignore[arg-type]

    @property
    def active(self) -> bool:
        return self != Faults(seed=self.seed)

    @property
    def gateway_prefix(self) -> str:
        """How the gateway spells its error codes: `APIGW.` (default) or `APIG.`."""
        return "APIG." if self.apig else "APIGW."

    def describe(self) -> str:
        """`key=value` for each fault that differs from the default, or "none"."""
        default = Faults()
        parts = [
            f"{f.name}={getattr(self, f.name)}"
            for f in fields(self)
            if getattr(self, f.name) != getattr(default, f.name)
        ]
        return ",".join(parts) or "none"
