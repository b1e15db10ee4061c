"""The Explain workspace (D2–D6): screen, what it computes, how it draws, worker messages."""
