"""The Scratch lab workspace (A5): own layers against PyTorch's, checked and timed."""
