"""AI agents: the routes/menu bot, the LLM agent and the webhook agent, and the AI turn that
drives them. Agents decide; the actions write."""
