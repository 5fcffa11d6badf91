"""Outbound adapters: each implements one port over a real system and translates its errors."""
