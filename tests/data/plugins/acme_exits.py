"""A plugin that ends the process on import (a test plugin for toolkit)."""

import sys

sys.exit(0)
