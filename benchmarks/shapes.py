"""The import shapes the generator plants, and the decoys that must not be flagged.

Each shape is a block of module-level code using one deprecated name in one way. ``k`` makes
the block's own names unique inside a file; ``level`` is the number of dots a relative import
needs to reach the ``acme`` package from the file.
"""

from __future__ import annotations

from collections.abc import Callable

# The deprecated API and where it moved (the same names go to phases.toml and ruff.toml).
SETTINGS_OLD = "acme.core.config.get_settings"
SETTINGS_NEW = "acme.core.settings.load_settings"
CLIENT_OLD = "acme.core.models.LegacyClient"
CLIENT_NEW = "acme.core.client.Client"
UTILS_OLD = "acme.core.old_utils"
UTILS_NEW = "acme.core.utils"
FACTORY_OLD = "acme.core.websocket_factory.create_websocket_manager"
FACTORY_NEW = "acme.core.websocket.WebSocketManager"
TOKEN_FN = "acme.core.auth.issue_authorization_token"


def _from_import(k: int, level: int) -> str:
    return (f"from acme.core.config import get_settings\n\n\n"
            f"def current_settings_{k}() -> dict[str, object]:\n"
            f"    return get_settings()\n")


def _as_alias(k: int, level: int) -> str:
    return (f"from acme.core.models import LegacyClient as Client{k}\n\n\n"
            f"def open_client_{k}(name: str = 'svc') -> object:\n"
            f"    return Client{k}(name)\n")


def _import_dotted(k: int, level: int) -> str:
    return ("import acme.core.old_utils\n\n\n"
            f"def slug_{k}(text: str) -> str:\n"
            f"    return acme.core.old_utils.slugify(text)\n")


def _import_as_attr(k: int, level: int) -> str:
    return (f"import acme.core.config as cfg_{k}\n\n\n"
            f"def settings_via_alias_{k}() -> dict[str, object]:\n"
            f"    return cfg_{k}.get_settings()\n")


def _attr_chain(k: int, level: int) -> str:
    return ("import acme.core.models\n\n\n"
            f"def chained_client_{k}() -> object:\n"
            f"    return acme.core.models.LegacyClient('chain')\n")


def _relative(k: int, level: int) -> str:
    dots = "." * level
    return (f"from {dots}core.config import get_settings as rel_settings_{k}\n"
            f"from {dots}core import old_utils as rel_utils_{k}\n\n\n"
            f"def relative_{k}(text: str) -> str:\n"
            f"    return rel_utils_{k}.slugify(text) + str(len(rel_settings_{k}()))\n")


def _function_local(k: int, level: int) -> str:
    return (f"def lazy_client_{k}() -> object:\n"
            "    from acme.core.models import LegacyClient\n\n"
            "    return LegacyClient('lazy')\n")


def _type_checking(k: int, level: int) -> str:
    return ("from typing import TYPE_CHECKING\n\n"
            "if TYPE_CHECKING:\n"
            "    from acme.core.models import LegacyClient\n\n\n"
            f"def describe_client_{k}(client: LegacyClient) -> str:\n"
            "    return repr(client)\n")


def _try_except(k: int, level: int) -> str:
    return ("try:\n"
            f"    from acme.core.old_utils import chunked as chunked_{k}\n"
            "except ImportError:  # older deployments\n"
            f"    chunked_{k} = None\n")


def _reexport(k: int, level: int) -> str:
    # the file's __all__ (written once, at the end) lists get_settings
    return "from acme.core.config import get_settings  # re-exported below\n"


def _star(k: int, level: int) -> str:
    return ("from acme.core.config import *  # noqa: F403\n"
            "from acme.core.old_utils import *  # noqa: F403\n\n\n"
            f"def star_settings_{k}() -> dict[str, object]:\n"
            "    return get_settings()  # noqa: F405\n")


def _string_import(k: int, level: int) -> str:
    return ("import importlib\n\n"
            f"_utils_mod_{k} = importlib.import_module(\"acme.core.old_utils\")\n"
            f"_config_mod_{k} = __import__(\"acme.core.config\")\n")


def _call_with_context(k: int, level: int) -> str:
    return ("from acme.core.context import UserContext\n"
            "from acme.core.websocket_factory import create_websocket_manager\n\n\n"
            f"def connect_{k}(user_context: UserContext) -> object:\n"
            "    return create_websocket_manager(user_context)\n\n\n"
            f"def connect_keyword_{k}(ctx: UserContext) -> object:\n"
            "    return create_websocket_manager(user_context=ctx)\n\n\n"
            f"class Session{k}:\n"
            "    def __init__(self, user_context: UserContext) -> None:\n"
            "        self.user_context = user_context\n\n"
            "    def manager(self) -> object:\n"
            "        return create_websocket_manager()\n")


def _call_without_context(k: int, level: int) -> str:
    return ("from acme.core import websocket_factory\n\n\n"
            f"def connect_anonymous_{k}() -> object:\n"
            "    # no user context here: a person has to decide where it comes from\n"
            "    return websocket_factory.create_websocket_manager()\n")


SHAPES: dict[str, Callable[[int, int], str]] = {
    "from-import": _from_import,
    "as-alias": _as_alias,
    "import-dotted": _import_dotted,
    "import-as-attr": _import_as_attr,
    "attr-chain": _attr_chain,
    "relative": _relative,
    "function-local": _function_local,
    "type-checking": _type_checking,
    "try-except": _try_except,
    "reexport": _reexport,
    "star": _star,
    "string-import": _string_import,
    "call-with-context": _call_with_context,
    "call-without-context": _call_without_context,
}


def decoy(k: int) -> str:
    """Mentions of every deprecated name that are not references (strings, comments, shadows)."""
    return (f"# get_settings() and LegacyClient live in acme.core for now; see old_utils notes.\n"
            f"def audit_note_{k}(create_websocket_manager: object = None) -> str:\n"
            '    """Mentions acme.core.models.LegacyClient and get_settings in prose only."""\n'
            "    get_settings = 'shadowed local, not the deprecated function'\n"
            "    banner = \"acme.core.old_utils.slugify is deprecated; use acme.core.utils\"\n"
            "    return f'{banner} {get_settings} {create_websocket_manager!r}'\n")
