"""A plugin that reuses a built-in name: loading it must fail."""

import dataclasses

from toolkit.expectations.tags import tags_non_empty

EXPECTATIONS = [dataclasses.replace(tags_non_empty, description="my own tags check")]
