package dev.backplane.io;

import java.util.Collection;
import java.util.Iterator;

/**
 * Keeps error messages short whatever the file holds: a list names its first few items and how
 * many there are in all, and a whole message is capped, so that a file with 300 000 tensors
 * cannot produce a message of megabytes.
 */
public final class Messages {
  /** Items of a list named in a message. */
  public static final int MAX_ITEMS = 8;
  /** Longest problem text kept in a {@link ModelFileException}, in characters. */
  public static final int MAX_MESSAGE = 4000;

  private Messages() {}

  /**
   * {@code [a, b, c]}, or {@code [a, b, ..., h, ... (300000 in all)]} for a long collection.
   */
  public static String list(Collection<?> items) {
    StringBuilder s = new StringBuilder("[");
    Iterator<?> it = items.iterator();
    for (int i = 0; i < MAX_ITEMS && it.hasNext(); i++) {
      if (i > 0) {
        s.append(", ");
      }
      s.append(cap(String.valueOf(it.next()), 200));
    }
    if (it.hasNext()) {
      s.append(", ... (").append(items.size()).append(" in all)");
    }
    return s.append(']').toString();
  }

  /** {@code text} cut to {@code max} characters, saying how long it was. */
  public static String cap(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    return text.substring(0, max) + "... (" + text.length() + " characters in all)";
  }
}
