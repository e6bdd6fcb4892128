package dev.backplane.model;

import dev.backplane.Backplane;
import dev.backplane.config.Fallback;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.Optimizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The options of {@link Sequential#compile(CompileOptions)}: optimizer, loss, metrics, and where
 * to run. Placement defaults to the {@link Backplane}'s configuration ({@code backplane.device},
 * {@code backplane.backend}, {@code backplane.fallback}); {@link Builder#device} overrides it for
 * this model. Immutable.
 *
 * @param optimizer the optimizer
 * @param loss the loss
 * @param metrics metrics to report, in order
 * @param backplane the Backplane to place and compile with, or {@code null} for
 *     {@link Backplane#global()}
 * @param preferences device preferences for this model, or empty for the configuration's
 * @param fallback fallback policy for this model, or {@code null} for the configuration's
 * @param seed seed for initial weights, shuffling and dropout, or {@code null} for
 *     {@code backplane.seed}
 */
public record CompileOptions(Optimizer optimizer, Loss loss, List<Metric> metrics,
    Backplane backplane, List<String> preferences, Fallback fallback, Long seed) {

  /** Validates and copies. */
  public CompileOptions {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(loss, "loss");
    metrics = List.copyOf(metrics);
    preferences = List.copyOf(preferences);
  }

  /** A builder; optimizer and loss are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link CompileOptions}. */
  public static final class Builder {
    private Optimizer optimizer;
    private Loss loss;
    private final List<Metric> metrics = new ArrayList<>();
    private Backplane backplane;
    private final List<String> preferences = new ArrayList<>();
    private Fallback fallback;
    private Long seed;

    private Builder() {}

    /** The optimizer. */
    public Builder optimizer(Optimizer optimizer) {
      this.optimizer = optimizer;
      return this;
    }

    /** The optimizer by Keras name, with its defaults. */
    public Builder optimizer(String name) {
      return optimizer(Optimizers.of(name));
    }

    /** The loss. */
    public Builder loss(Loss loss) {
      this.loss = loss;
      return this;
    }

    /** The loss by Keras name. */
    public Builder loss(String name) {
      return loss(Loss.of(name));
    }

    /** Adds metrics. */
    public Builder metrics(Metric... more) {
      metrics.addAll(List.of(more));
      return this;
    }

    /** Adds metrics by Keras name. */
    public Builder metrics(String... names) {
      for (String n : names) {
        metrics.add(Metric.of(n));
      }
      return this;
    }

    /** The Backplane to use instead of the global one. */
    public Builder backplane(Backplane backplane) {
      this.backplane = backplane;
      return this;
    }

    /** Device preferences for this model, e.g. {@code "metal", "cpu"}. */
    public Builder device(String... preferenceList) {
      preferences.addAll(List.of(preferenceList));
      return this;
    }

    /** Fallback policy for this model. */
    public Builder fallback(Fallback fallback) {
      this.fallback = fallback;
      return this;
    }

    /** Seed for this model. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Validates and builds. */
    public CompileOptions build() {
      if (optimizer == null || loss == null) {
        throw new IllegalArgumentException("compile() needs an optimizer and a loss, e.g."
            + " compile(\"adam\", \"binary_crossentropy\")");
      }
      return new CompileOptions(optimizer, loss, metrics, backplane, preferences, fallback, seed);
    }
  }
}
