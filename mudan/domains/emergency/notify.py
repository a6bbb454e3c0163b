"""The notification provider slot: in-app always, SMS/voice behind a typed interface.

A provider is anything with a ``name`` and ``send(recipient, message) -> DeliveryResult``.
Providers are registered by channel name (``sms``, ``voice`` …); a channel with no registered
provider goes to the logging provider, which writes the message to the ``mudan.emergency.notify``
log and reports ``logged`` — so nothing is silently dropped and no gateway is needed for the demo.
A deployment registers its SMS gateway from a plugin module: ``register_provider("sms", MySms())``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from mudan.domains.emergency.enums import DeliveryStatus

log = logging.getLogger("mudan.emergency.notify")

IN_APP = "in_app"
LOG = "log"


@dataclass(frozen=True)
class Recipient:
    name: str
    user_id: int | None = None
    phone: str = ""


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    incident_number: str = ""


@dataclass(frozen=True)
class DeliveryResult:
    status: DeliveryStatus
    provider: str
    detail: str = ""


@runtime_checkable
class NotificationProvider(Protocol):
    name: str

    def send(self, recipient: Recipient, message: Message) -> DeliveryResult: ...


class LoggingProvider:
    """The default: log the message (with a masked phone number) and report it as logged."""

    name = LOG

    def send(self, recipient: Recipient, message: Message) -> DeliveryResult:
        log.info(
            "notify %s (%s): %s — %s",
            recipient.name,
            mask_phone(recipient.phone),
            message.title,
            message.body,
        )
        return DeliveryResult(DeliveryStatus.LOGGED, self.name, mask_phone(recipient.phone))


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 11 else ("*" * len(phone))


_lock = threading.Lock()
_providers: dict[str, NotificationProvider] = {}
_fallback: NotificationProvider = LoggingProvider()


def register_provider(channel: str, provider: NotificationProvider) -> Callable[[], None]:
    """Register ``provider`` for ``channel``; returns a function that restores the previous one."""
    if not isinstance(provider, NotificationProvider):
        raise TypeError("a provider needs a name and send(recipient, message)")
    with _lock:
        previous = _providers.get(channel)
        _providers[channel] = provider

    def restore() -> None:
        with _lock:
            if previous is None:
                _providers.pop(channel, None)
            else:
                _providers[channel] = previous

    return restore


def provider_for(channel: str) -> NotificationProvider:
    with _lock:
        return _providers.get(channel, _fallback)


def registered_channels() -> list[str]:
    with _lock:
        return sorted(_providers)


def deliver(channel: str, recipient: Recipient, message: Message) -> DeliveryResult:
    """Send over one channel; a provider that raises is recorded as a failure, never lost."""
    provider = provider_for(channel)
    if channel in ("sms", "voice") and not recipient.phone:
        return DeliveryResult(DeliveryStatus.SKIPPED, provider.name, "no phone")
    try:
        return provider.send(recipient, message)
    except Exception as exc:  # a gateway error must not abort the response
        log.warning("provider %s failed for %s: %s", provider.name, recipient.name, exc)
        return DeliveryResult(DeliveryStatus.FAILED, provider.name, str(exc)[:500])
