"""One typed settings object, read from the environment (prefix ``MUDAN_``, nested with ``__``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseModel):
    url: str = "sqlite:///./var/mudan.db"
    echo: bool = False


class LakeSettings(BaseModel):
    warehouse: Path = Path("./var/lake")
    engine: str = "duckdb"


class MqttSettings(BaseModel):
    """Empty URL means: no broker configured (embedded in-process simulators)."""

    url: str = ""


class VideoSettings(BaseModel):
    """Video channels: keepalive tolerance, repair hand-off, the snapshot probe pool."""

    keepalive_misses: int = 3  # a device is offline after this many missed keepalives
    repair_after_minutes: int = 120  # offline longer than this opens a repair case
    probe_concurrency: int = 64
    probe_timeout_s: float = 5.0
    probe_buckets: int = 96  # probe slots per day (every channel probed once a day)


class AuthSettings(BaseModel):
    # Empty: a random key kept in ``var_dir/secret_keys`` (see mudan.core.secrets).
    secret_key: SecretStr = SecretStr("")
    previous_secret_keys: list[SecretStr] = Field(default_factory=list)  # during a rotation
    session_max_age_s: int = 8 * 3600
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    cookie_secure: bool = False
    min_password_length: int = 10
    # Failed logins per client address (login page and token endpoint) before a 429.
    address_failures: int = 20
    address_window_s: float = 900.0


class WebSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    default_locale: str = "zh"
    max_body_bytes: int = 10 * 1024 * 1024
    max_upload_bytes: int = 2 * 1024 * 1024 * 1024  # data uploads (/api/v1/ingest/uploads)
    # Proxies whose X-Forwarded-For/-Proto ``mudan serve`` believes (uvicorn's
    # ``forwarded_allow_ips``); empty: none, the client address is the socket's peer.
    forwarded_allow_ips: str = ""


class MapSettings(BaseModel):
    """One-map tiles: ``offline`` (boundaries on a plain background), ``tianditu`` or ``xyz``."""

    tiles: str = "offline"
    tianditu_key: SecretStr = SecretStr("")
    xyz_url: str = ""  # e.g. https://tiles.example.gov.cn/{z}/{x}/{y}.png
    attribution: str = ""
    approval_no: str = ""  # 审图号, shown on the map when set


class CasesSettings(BaseModel):
    """The public report endpoints (``/report``, Open311 POST): at most ``report_limit``
    submissions per client (address, and api_key for Open311) per ``report_window_s``;
    0 switches the limit off."""

    report_limit: int = 10
    report_window_s: float = 3600.0


class SharingSettings(BaseModel):
    """The grant data service: a native DuckDB cache per lake table (see lake.serve.cache)."""

    cache: bool = True  # copy served tables into DuckDB files under var_dir/cache
    cache_max_rows: int = 20_000_000  # larger tables are served from the lake's Parquet files
    snapshot_check_s: float = 2.0  # a new snapshot is served at most this long after its load
    seal_every_s: float = 2.0  # a logged call is sealed this long after (0: only by tick)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MUDAN_", env_nested_delimiter="__", env_file=None, extra="ignore"
    )

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    lake: LakeSettings = Field(default_factory=LakeSettings)
    mqtt: MqttSettings = Field(default_factory=MqttSettings)
    video: VideoSettings = Field(default_factory=VideoSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    map: MapSettings = Field(default_factory=MapSettings)
    cases: CasesSettings = Field(default_factory=CasesSettings)
    sharing: SharingSettings = Field(default_factory=SharingSettings)
    log_json: bool = True
    var_dir: Path = Path("./var")
    plugins: list[str] = Field(default_factory=list)  # extra plugin modules to load
    plugins_disabled: list[str] = Field(default_factory=list)
