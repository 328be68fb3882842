from .connector import ApiConnector

__all__ = ["ApiConnector"]
