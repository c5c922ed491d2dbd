"""Settings of the live fetchers, read once from the environment (base URLs, keys, timeouts, retries, archive)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from etl import config

FINGERPRINT_DIR = Path(__file__).resolve().parent / "fingerprints"


def _float(env: dict, name: str, default: float) -> float:
    value = env.get(name)
    try:
        return float(value) if value not in (None, "") else default
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a number") from None


def _list(env: dict, name: str, default: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in (env.get(name) or default).split(",") if p.strip())


@dataclass(frozen=True)
class HttpSettings:
    """Timeouts and retries of every request (seconds)."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    max_attempts: int = 5
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 60.0
    retry_after_cap_s: float = 300.0  # a publisher asking for a longer wait fails the source: try later
    user_agent: str = "displacement-dashboard-etl/1 (live refresh)"


@dataclass(frozen=True)
class LiveSettings:
    """Where each publisher is and what to ask it for."""

    http: HttpSettings = field(default_factory=HttpSettings)
    archive_dir: Path = config.DATA_DIR / "archive"
    unhcr_url: str = "https://api.unhcr.org/population/v1/population/"
    unhcr_year_from: int = 1951
    unhcr_year_to: int = 2025
    unhcr_page_limit: int = 10_000
    hdx_url: str = "https://data.humdata.org/api/3/action/"
    hdx_dataset: str = "hdx-hapi-idps"
    hdx_resource: str = ""  # a resource name to pick; empty: the dataset's first CSV resource
    idmc_url: str = "https://helix-tools-api.idmcdb.org/external-api/gidd/conflicts/"
    idmc_client_id: str | None = None
    idmc_page_limit: int = 1_000
    dtm_url: str = "https://dtmapi.iom.int/v3/displacement/"
    dtm_api_key: str | None = None
    dtm_countries: tuple[str, ...] = ("IRQ", "HTI", "TCD")
    dtm_admin_levels: tuple[str, ...] = ("0",)

    @classmethod
    def from_env(cls, env: dict | None = None) -> LiveSettings:
        env = dict(os.environ if env is None else env)
        d = cls()
        http = HttpSettings(
            connect_timeout_s=_float(env, "LIVE_CONNECT_TIMEOUT_S", d.http.connect_timeout_s),
            read_timeout_s=_float(env, "LIVE_READ_TIMEOUT_S", d.http.read_timeout_s),
            max_attempts=int(_float(env, "LIVE_MAX_ATTEMPTS", d.http.max_attempts)),
            backoff_base_s=_float(env, "LIVE_BACKOFF_BASE_S", d.http.backoff_base_s),
            backoff_cap_s=_float(env, "LIVE_BACKOFF_CAP_S", d.http.backoff_cap_s),
            retry_after_cap_s=_float(env, "LIVE_RETRY_AFTER_CAP_S", d.http.retry_after_cap_s))
        return cls(
            http=http,
            archive_dir=Path(env.get("ARCHIVE_DIR") or d.archive_dir),
            unhcr_url=env.get("UNHCR_API_URL") or d.unhcr_url,
            unhcr_year_from=int(_float(env, "UNHCR_YEAR_FROM", d.unhcr_year_from)),
            unhcr_year_to=int(_float(env, "UNHCR_YEAR_TO", d.unhcr_year_to)),
            unhcr_page_limit=int(_float(env, "UNHCR_PAGE_LIMIT", d.unhcr_page_limit)),
            hdx_url=env.get("HDX_API_URL") or d.hdx_url,
            hdx_dataset=env.get("HDX_DATASET") or d.hdx_dataset,
            hdx_resource=env.get("HDX_RESOURCE") or d.hdx_resource,
            idmc_url=env.get("IDMC_API_URL") or d.idmc_url,
            idmc_client_id=env.get("IDMC_CLIENT_ID") or None,
            idmc_page_limit=int(_float(env, "IDMC_PAGE_LIMIT", d.idmc_page_limit)),
            dtm_url=env.get("DTM_API_URL") or d.dtm_url,
            dtm_api_key=env.get("DTM_API_KEY") or None,
            dtm_countries=_list(env, "DTM_COUNTRIES", ",".join(d.dtm_countries)),
            dtm_admin_levels=_list(env, "DTM_ADMIN_LEVELS", ",".join(d.dtm_admin_levels)),
        )
