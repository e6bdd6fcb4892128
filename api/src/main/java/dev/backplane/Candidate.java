package dev.backplane;

/**
 * One line of a placement explanation: a device that was considered, its status, and whether it
 * was chosen, rejected or not needed, with the reason.
 *
 * @param info the device as probed
 * @param verdict what placement decided
 * @param reason why, in words; never {@code null}
 */
public record Candidate(DeviceInfo info, Verdict verdict, String reason) {
  /** What placement decided about a candidate. */
  public enum Verdict {
    /** Chosen from the preference list. */
    CHOSEN,
    /** Chosen because no preferred device was usable and the fallback policy allows the CPU. */
    FALLBACK,
    /** Not usable; the reason says why. */
    REJECTED,
    /** Usable but after the chosen one in the preference order. */
    NOT_NEEDED
  }

  /** The device. */
  public Device device() {
    return info.device();
  }

  /** One explanation line, e.g. {@code metal:gpu:0  rejected  UNAVAILABLE: ...}. */
  public String line(int width) {
    String name = String.format("%-" + width + "s", info.device());
    String word = switch (verdict) {
      case CHOSEN -> "chosen  ";
      case FALLBACK -> "fallback";
      case REJECTED -> "rejected";
      case NOT_NEEDED -> "skipped ";
    };
    return name + "  " + word + "  " + reason;
  }
}
