"""The built-in offline planner: deterministic story, cards and shot plan from the creator's text, no LLM."""
