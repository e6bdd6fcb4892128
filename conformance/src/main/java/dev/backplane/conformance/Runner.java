package dev.backplane.conformance;

import dev.backplane.DeviceInfo;
import dev.backplane.UnsupportedFeatureException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs checks against one backend's session and turns outcomes into {@link CheckResult}s. */
final class Runner implements AutoCloseable {
  private final String backendId;
  private final Session session;
  private final List<KnownGap> gaps;
  private final List<CheckResult> results = new ArrayList<>();

  Runner(String backendId, Session session, List<KnownGap> gaps) {
    this.backendId = backendId;
    this.session = session;
    this.gaps = List.copyOf(gaps);
  }

  synchronized CheckResult run(Check check) {
    CheckResult r = known(check, measure(check));
    results.add(r);
    return r;
  }

  synchronized List<CheckResult> results() {
    return List.copyOf(results);
  }

  private CheckResult measure(Check check) {
    String device = null;
    try {
      DeviceInfo info = session.deviceInfo();
      device = info == null ? null : info.device().toString();
      Measurement m = check.body().run(session);
      Double tol = check.tolerance();
      if (tol != null && Deviation.isWorse(m.deviation(), tol)) {
        return result(device, check, Status.FAIL, m.deviation(), "deviation "
            + Report.number(m.deviation()) + " exceeds tolerance " + Report.number(tol) + ": "
            + m.note(), m.curves());
      }
      return result(device, check, Status.PASS, tol == null ? null : m.deviation(), m.note(),
          m.curves());
    } catch (CheckSkipped e) {
      return result(device, check, Status.SKIP, null, e.getMessage());
    } catch (UnsupportedFeatureException e) {
      return result(device, check, Status.SKIP, null, "unsupported: " + e.getMessage());
    } catch (CheckFailed e) {
      return result(device, check, Status.FAIL, null, e.getMessage());
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      return result(device, check, Status.FAIL, null, "threw " + Conformance.describe(e));
    }
  }

  private CheckResult result(String device, Check check, Status status, Double deviation,
      String reason) {
    return result(device, check, status, deviation, reason, Map.of());
  }

  private CheckResult result(String device, Check check, Status status, Double deviation,
      String reason, Map<String, List<Double>> curves) {
    return new CheckResult(backendId, device, check.id(), status, deviation, check.tolerance(),
        reason, curves);
  }

  private CheckResult known(Check check, CheckResult r) {
    Optional<KnownGap> gap = gaps.stream().filter(g -> g.matches(check.id())).findFirst();
    if (gap.isEmpty() || r.status() == Status.SKIP) {
      return r;
    }
    KnownGap g = gap.get();
    if (r.status() == Status.FAIL) {
      return new CheckResult(r.backend(), r.device(), r.check(), Status.SKIP, r.maxDeviation(),
          r.tolerance(), "known gap: " + g.reason() + " (declared in " + g.source()
          + "; measured: " + r.reason() + ")", r.curves());
    }
    return new CheckResult(r.backend(), r.device(), r.check(), r.status(), r.maxDeviation(),
        r.tolerance(), "declared as a known gap (" + g.source() + ") but passes; remove the"
        + " gap. " + r.reason(), r.curves());
  }

  @Override
  public void close() {
    session.close();
  }
}
