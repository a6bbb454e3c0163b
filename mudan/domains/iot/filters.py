"""The device list's query parameters, one model for the API and the page (see
:mod:`mudan.core.listquery`). Apart from :mod:`schemas`, which the registry imports."""

from __future__ import annotations

from mudan.core.listquery import ListQuery
from mudan.domains.iot.enums import DeviceStatus, DeviceType, Liveness
from mudan.domains.iot.registry import DeviceFilter


class DeviceQuery(ListQuery):
    """The device list's filters, for ``/api/v1/iot/devices`` and the ``/iot/devices`` page."""

    type: DeviceType | None = None
    status: DeviceStatus | None = None
    region: str | None = None  # a district / street / community / grid code
    department: str | None = None
    online: Liveness | None = None
    q: str | None = None

    def filter(self) -> DeviceFilter:
        return DeviceFilter(
            self.type or "",
            self.status or "",
            self.region or "",
            self.department or "",
            self.online or "",
            self.q or "",
        )
