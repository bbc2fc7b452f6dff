"""Model ids of the bundled seed models that tests use by name."""

from __future__ import annotations

DREAMINA = "bytedance/dreamina-3-0/pro/image-to-video"
ALEPH = "runwayml/runway-aleph/video-to-video"
PORTRAIT = "community/fantasy-portrait/image-to-video"
