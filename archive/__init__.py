"""Dataset archive: partner datasets to screened, carded, versioned releases on the Hub."""

__version__ = "0.1.0"
