package dev.backplane.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * Checks every partition of the training data before any barrier stage starts (so a bad row
 * fails on the driver with its partition named, and no barrier task is left waiting for a
 * peer that died on it): each partition's row count and its first bad row, if any.
 */
final class DataCheck {
  private DataCheck() {}

  /** One partition's report. */
  record Report(int partition, long rows, long badRow, String problem) implements Serializable {
  }

  /** What the rows must look like. */
  record Expect(int features, int labels, boolean sparse, int classes) implements Serializable {
  }

  static List<Report> run(JavaRDD<Example> data, Expect expect) {
    return data.mapPartitionsWithIndex((index, rows) -> {
      long n = 0;
      String problem = null;
      long bad = -1;
      while (rows.hasNext()) {
        Example e = rows.next();
        if (problem == null) {
          problem = problem(e, expect);
          if (problem != null) {
            bad = n;
          }
        }
        n++;
      }
      List<Report> out = new ArrayList<>();
      out.add(new Report(index, n, bad, problem));
      return out.iterator();
    }, false).collect();
  }

  static String problem(Example e, Expect expect) {
    if (e.features().length != expect.features()) {
      return e.features().length + " features, but the model expects " + expect.features();
    }
    for (float v : e.features()) {
      if (!Float.isFinite(v)) {
        return "a non-finite feature (" + v + ")";
      }
    }
    if (e.label().length != expect.labels()) {
      return e.label().length + " label values, but the loss expects " + expect.labels();
    }
    for (float v : e.label()) {
      if (!Float.isFinite(v)) {
        return "a non-finite label (" + v + ")";
      }
      if (expect.sparse() && (v != Math.rint(v) || v < 0 || v >= expect.classes())) {
        return "label " + v + ", which is not a class index from 0 to " + (expect.classes() - 1);
      }
    }
    return null;
  }
}
