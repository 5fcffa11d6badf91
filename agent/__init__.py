"""Answering questions: the deterministic router and the LLM agent, over the same tools."""
