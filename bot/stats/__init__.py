"""Reporting for security admins: adoption snapshots, the figures, the chart, the weekly summary."""
