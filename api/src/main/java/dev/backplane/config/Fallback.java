package dev.backplane.config;

/** What placement does when no preferred device is usable ({@code backplane.fallback}). */
public enum Fallback {
  /** Fall back to the best CPU device, and say so in the explanation and the log. */
  CPU,
  /** Strict: fail with the explanation instead of falling back. */
  NONE
}
