"""The edge-to-edge camera pairing API (a DCA API at ``/config/rest/camera-pairing/v1beta``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from paircert.clients.dca import DcaClient
from paircert.clients.response import ApiResponse
from paircert.vapix.paths import CAMERA_API_ROOT as API_ROOT
from paircert.vapix.paths import CAMERA_COLLECTION as COLLECTION

__all__ = ["API_ROOT", "CameraPairingClient"]


class CameraPairingClient:
    """One method per documented operation, plus raw-body variants for malformed requests.

    ``created`` holds the ids of pairings this client added and has not removed, so a fixture
    can leave the device as it found it.
    """

    def __init__(self, dca: DcaClient) -> None:
        self.dca = dca
        self.created: list[str] = []

    def item_path(self, pairing_id: str) -> str:
        return f"{COLLECTION}/{quote(pairing_id, safe='')}"

    def root(self) -> ApiResponse:
        return self.dca.get(API_ROOT)

    def list(self) -> ApiResponse:
        return self.dca.get(COLLECTION)

    def add(self, fields: dict[str, Any]) -> ApiResponse:
        return self._track(self.dca.add(COLLECTION, fields))

    def add_raw(self, content: bytes, content_type: str = "application/json") -> ApiResponse:
        return self._track(
            self.dca.request("POST", COLLECTION, content=content, headers={"Content-Type": content_type})
        )

    def get(self, pairing_id: str) -> ApiResponse:
        return self.dca.get(self.item_path(pairing_id))

    def get_property(self, pairing_id: str, name: str) -> ApiResponse:
        return self.dca.get(f"{self.item_path(pairing_id)}/{name}")

    def set_property(self, pairing_id: str, name: str, value: Any) -> ApiResponse:
        return self.dca.set(f"{self.item_path(pairing_id)}/{name}", value)

    def set_property_raw(
        self, pairing_id: str, name: str, content: bytes, content_type: str = "application/json"
    ) -> ApiResponse:
        path = f"{self.item_path(pairing_id)}/{name}"
        return self.dca.request(self.dca.set_method, path, content=content, headers={"Content-Type": content_type})

    def remove(self, pairing_id: str) -> ApiResponse:
        resp = self.dca.remove(self.item_path(pairing_id))
        if resp.ok and pairing_id in self.created:
            self.created.remove(pairing_id)
        return resp

    def _track(self, resp: ApiResponse) -> ApiResponse:
        data = resp.data
        if resp.ok and isinstance(data, dict) and isinstance(data.get("id"), str):
            self.created.append(data["id"])
        return resp
