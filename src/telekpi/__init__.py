"""telekpi: telesales and call-center KPIs from dialer, PBX and CRM records."""

__version__ = "0.1.0"
