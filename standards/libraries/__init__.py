"""The standard libraries shipped with the product, written from the seed documents.

One JSON file per library (五化, 三化, 五个好, 八有), holding the set's fields and
its items with the keys of `standards.services.ItemSpec` (categories as codes,
conditions as text such as `党员人数>=10`). Every item's `source` says which seed
sentence it comes from, and whether the wording is a quotation, our rewording
of a seed sentence (据种子…改写) or our own (自拟). `loader` turns a file into a
published set through the same services as the Excel import.
"""

from .loader import (
    LIBRARY_CODES,
    LibraryError,
    LoadResult,
    build_library,
    item_specs,
    load_libraries,
    read_library,
)

__all__ = [
    "LIBRARY_CODES",
    "LibraryError",
    "LoadResult",
    "build_library",
    "item_specs",
    "load_libraries",
    "read_library",
]
