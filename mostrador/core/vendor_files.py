"""Static files taken from npm packages file by file, where a package holds far more than the
pages use: the emoji font ships five weights in two formats (120 files), and the pages use one.

Each file a finder offers costs a look at startup, in every process and in every test client
(WhiteNoise indexes what the finders list), so only the files named here are offered."""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


class VendorFilesFinder(BaseFinder):
    """Offers `MOSTRADOR_VENDOR_FILES`: {URL prefix: (package folder, [glob patterns])}."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.files: dict[str, tuple[str, FileSystemStorage]] = {}
        for prefix, (root, patterns) in settings.MOSTRADOR_VENDOR_FILES.items():
            storage = FileSystemStorage(location=root)
            storage.prefix = prefix  # where collectstatic puts them, as for STATICFILES_DIRS
            for pattern in patterns:
                for found in sorted(root.glob(pattern)):
                    relative = found.relative_to(root).as_posix()
                    self.files[f"{prefix}/{relative}"] = (relative, storage)

    def find(self, path, find_all=False, **kwargs):
        match = self.files.get(path)
        found = match[1].path(match[0]) if match else None
        if find_all or not found:
            return [found] if found else []  # "not here" is an empty list, as Django's finders say it
        return found

    def list(self, ignore_patterns):
        yield from self.files.values()
