"""msp-tui: a terminal dashboard for MSPs reselling Code42/CrashPlan cloud backup."""

__version__ = "0.1.0"
