"""The Convolution lab workspace (A1–A4): screen, keys, parameter toggles, views."""
