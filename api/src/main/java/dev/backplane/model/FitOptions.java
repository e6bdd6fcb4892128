package dev.backplane.model;

import dev.backplane.tensor.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of {@link Sequential#fit}, with Keras's names and defaults: 1 epoch, batch size 32,
 * shuffled, no validation, verbose {@code auto}. Build with {@link #builder()}. Immutable.
 *
 * @param epochs the epoch to train up to (exclusive), as Keras's {@code epochs}; ≥ 0
 * @param initialEpoch the epoch to start at (Keras's {@code initial_epoch}), for resuming: epochs
 *     {@code initialEpoch .. epochs - 1} run, each shuffled as it would have been in one long fit
 * @param batchSize samples per step, ≥ 1
 * @param shuffle whether to shuffle the training samples each epoch (seeded)
 * @param validationSplit fraction of the samples, taken from the end before shuffling, held out
 *     for validation, in {@code [0, 1)}
 * @param validationX validation inputs, or {@code null}
 * @param validationY validation labels, or {@code null}
 * @param callbacks callbacks, in order
 * @param verbosity how much to print
 * @param output where progress goes
 * @param sampleWeight Keras's {@code sample_weight}: one weight per training sample, shape
 *     {@code (n,)} or {@code (n, 1)}, or {@code null}; each sample's loss is multiplied by its
 *     weight and the batch loss is the weighted sum over the batch size (Keras's
 *     {@code sum_over_batch_size}); split with {@code validation_split} as the data is
 * @param classWeight Keras's {@code class_weight}: class index to weight, or {@code null};
 *     becomes each training sample's weight by its label (the arg-max of a one-hot label, the
 *     rounded value of a single label), 1 for a class not listed
 * @param validationSampleWeight the weights of {@code validation_data}, or {@code null}
 */
public record FitOptions(int epochs, int initialEpoch, int batchSize, boolean shuffle, double validationSplit,
    Tensor validationX, Tensor validationY, List<Callback> callbacks, Verbosity verbosity,
    PrintStream output, Tensor sampleWeight, java.util.Map<Integer, Double> classWeight,
    Tensor validationSampleWeight) {

  /** The options without sample or class weights. */
  public FitOptions(int epochs, int initialEpoch, int batchSize, boolean shuffle,
      double validationSplit, Tensor validationX, Tensor validationY, List<Callback> callbacks,
      Verbosity verbosity, PrintStream output) {
    this(epochs, initialEpoch, batchSize, shuffle, validationSplit, validationX, validationY,
        callbacks, verbosity, output, null, null, null);
  }

  /** Validates every option and reports the first bad one by name. */
  public FitOptions {
    if (epochs < 0) {
      throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
    }
    if (initialEpoch < 0) {
      throw new IllegalArgumentException("initial_epoch must be >= 0, got " + initialEpoch);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch_size must be >= 1, got " + batchSize);
    }
    if (!(validationSplit >= 0 && validationSplit < 1)) {
      throw new IllegalArgumentException("validation_split must be in [0, 1), got "
          + validationSplit);
    }
    if ((validationX == null) != (validationY == null)) {
      throw new IllegalArgumentException("validation_data needs both x and y");
    }
    if (validationX != null && validationSplit > 0) {
      throw new IllegalArgumentException(
          "Give validation_split or validation_data, not both");
    }
    if (sampleWeight != null && classWeight != null) {
      throw new IllegalArgumentException("You cannot use `class_weight` and `sample_weight` at"
          + " the same time; fold the class weights into the sample weights");
    }
    if (validationSampleWeight != null && validationX == null) {
      throw new IllegalArgumentException("validation sample weights need validation_data");
    }
    if (classWeight != null) {
      classWeight = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(classWeight));
    }
    callbacks = List.copyOf(callbacks);
    java.util.Objects.requireNonNull(verbosity, "verbosity");
    java.util.Objects.requireNonNull(output, "output");
  }

  /** A builder with Keras's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link FitOptions}. */
  public static final class Builder {
    private int epochs = 1;
    private int initialEpoch;
    private int batchSize = 32;
    private boolean shuffle = true;
    private double validationSplit;
    private Tensor validationX;
    private Tensor validationY;
    private final List<Callback> callbacks = new ArrayList<>();
    private Verbosity verbosity = Verbosity.AUTO;
    private PrintStream output = System.out;
    private Tensor sampleWeight;
    private java.util.Map<Integer, Double> classWeight;
    private Tensor validationSampleWeight;

    private Builder() {}

    /** Keras's {@code sample_weight}: one weight per training sample (default none). */
    public Builder sampleWeight(Tensor weights) {
      this.sampleWeight = weights;
      return this;
    }

    /** Keras's {@code sample_weight} from an array, one weight per training sample. */
    public Builder sampleWeight(float[] weights) {
      this.sampleWeight = weights == null ? null : Tensor.wrap(weights.clone(), weights.length);
      return this;
    }

    /** Keras's {@code class_weight}: class index to weight (default none). */
    public Builder classWeight(java.util.Map<Integer, Double> weights) {
      this.classWeight = weights;
      return this;
    }

    /** Validation data with per-sample weights, as Keras's 3-tuple {@code validation_data}. */
    public Builder validationData(Tensor x, Tensor y, Tensor sampleWeight) {
      this.validationX = x;
      this.validationY = y;
      this.validationSampleWeight = sampleWeight;
      return this;
    }

    /** Number of epochs (default 1). */
    public Builder epochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    /**
     * The epoch to start at (default 0), to resume a fit that stopped after {@code initialEpoch}
     * epochs: with the restored state it continues exactly as the uninterrupted fit would.
     */
    public Builder initialEpoch(int initialEpoch) {
      this.initialEpoch = initialEpoch;
      return this;
    }

    /** Samples per step (default 32). */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Whether to shuffle each epoch (default true). */
    public Builder shuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /** Fraction held out for validation, from the end of the data (default 0). */
    public Builder validationSplit(double fraction) {
      this.validationSplit = fraction;
      return this;
    }

    /** Explicit validation data. */
    public Builder validationData(Tensor x, Tensor y) {
      this.validationX = x;
      this.validationY = y;
      return this;
    }

    /** Adds callbacks. */
    public Builder callbacks(Callback... more) {
      callbacks.addAll(List.of(more));
      return this;
    }

    /** How much to print (default {@link Verbosity#AUTO}). */
    public Builder verbose(Verbosity verbosity) {
      this.verbosity = verbosity;
      return this;
    }

    /** Keras's numeric verbose: 0, 1 or 2. */
    public Builder verbose(int level) {
      this.verbosity = Verbosity.of(level);
      return this;
    }

    /** Where progress is printed (default {@code System.out}). */
    public Builder output(PrintStream output) {
      this.output = output;
      return this;
    }

    /** Validates and builds. */
    public FitOptions build() {
      return new FitOptions(epochs, initialEpoch, batchSize, shuffle, validationSplit,
          validationX, validationY,
          callbacks, verbosity, output, sampleWeight, classWeight, validationSampleWeight);
    }
  }
}
