"""Storages without URLs: private files (claim evidence) are only ever streamed by permission-checked views."""
from django.core.files.storage import FileSystemStorage, InMemoryStorage


class NoPublicURL:
    def url(self, name):
        # A base_url of None would fall back to MEDIA_URL; a private file must have no address at all.
        raise ValueError("Private files have no public URL; serve them through a permission-checked view.")


class PrivateFileSystemStorage(NoPublicURL, FileSystemStorage):
    pass


class PrivateInMemoryStorage(NoPublicURL, InMemoryStorage):
    """The tests' private storage: nothing written to disk."""
