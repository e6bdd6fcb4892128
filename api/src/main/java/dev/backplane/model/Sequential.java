package dev.backplane.model;

import dev.backplane.BackendException;
import dev.backplane.Backplane;
import dev.backplane.Candidate;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.Placement;
import dev.backplane.UnsupportedFeatureException;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.CoreKeys;
import dev.backplane.config.Fallback;
import dev.backplane.internal.BackplaneAccess;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.Optimizers;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.spi.Topology;
import dev.backplane.tensor.Tensor;
import dev.backplane.trust.DeviceFaultException;
import dev.backplane.trust.FailoverEvent;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Logger;

/**
 * A Keras-style sequential model: a stack of layers with a fixed per-sample input shape.
 *
 * <pre>{@code
 * Sequential model = new Sequential(new int[] {10},
 *     new Dense(128, "relu"), new Dense(1, "sigmoid"));
 * model.compile("adam", "binary_crossentropy", "accuracy");
 * History history = model.fit(x, y, 10, 32);
 * }</pre>
 *
 * <p>{@code compile} places the model on a device (see {@link Backplane#place()}) and compiles it
 * there; {@code fit} runs Keras's training loop in the api (epochs, seeded shuffling, batching,
 * callbacks, progress), calling the backend once per batch. Initial weights come from the seed
 * ({@code backplane.seed} or {@link CompileOptions#seed()}), so every backend starts from the same
 * weights and sees the same batches.
 *
 * <p>Threading: {@link #predict} may be called from many threads at once, also while another
 * thread runs {@link #fit} (each call sees the weights between two steps); a second {@code fit} on
 * a model that is fitting fails fast.
 */
public final class Sequential implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger("dev.backplane");
  private static final int DEFAULT_BATCH = 32;

  private final String name;
  private final int[] inputShape;
  private final List<Layer> layers = new ArrayList<>();
  /** The wiring of a functional model; {@code null} for a plain chain. */
  private Topology topology;
  /** Output shape of the chain so far, so adding a layer costs O(1) shape work. */
  private int[] chainOutput;
  private final ReentrantReadWriteLock stepLock = new ReentrantReadWriteLock();
  private final AtomicBoolean fitting = new AtomicBoolean();
  private final java.util.concurrent.locks.ReentrantLock evaluationLock =
      new java.util.concurrent.locks.ReentrantLock();

  private List<NamedArray> pendingWeights;
  private CompileOptions options;
  private Backplane backplane;
  private volatile Placement placement;
  private ModelSpec spec;
  private List<Metric> metrics;
  private List<String> metricKeys;
  private volatile Executable executable;
  /** Set by {@link #close()} until the next compile. */
  private volatile boolean closed;
  private volatile boolean stopRequested;
  private volatile PrintStream output = System.out;
  /** Deadlines for inference on a guarded device; {@code null} on the reference CPU backend. */
  private volatile InferenceGuard inferenceGuard;
  /**
   * On a guarded device, the state a fallback takes over with when an inference call fails
   * outside {@code fit}: taken at compile, at the end of each fit and on every state change.
   */
  private volatile ModelState hostState;
  /** Whether {@link #hostState} is the executable's state: no step ran since it was taken. */
  private volatile boolean hostStateCurrent;
  /** The running fit's step guard, which takes over itself when inference fails mid-fit. */
  private volatile StepGuard activeGuard;
  /** Calls abandoned on each executable that may still be running in it. */
  private final Map<Executable, List<Runnable>> abandonedCalls = new java.util.IdentityHashMap<>();

  /**
   * A model named {@code sequential}.
   *
   * @param inputShape per-sample input shape, e.g. {@code {10}}
   * @param layers the layers, in order
   * @throws IllegalArgumentException naming the layer whose input does not fit
   */
  public Sequential(int[] inputShape, Layer... layers) {
    this("sequential", inputShape, layers);
  }

  /**
   * A named model.
   *
   * @throws IllegalArgumentException naming the layer whose input does not fit
   */
  public Sequential(String name, int[] inputShape, Layer... layers) {
    this.name = Objects.requireNonNull(name, "name");
    if (inputShape == null || inputShape.length == 0) {
      throw new IllegalArgumentException("Sequential needs an input shape, e.g. new int[] {10}");
    }
    for (int d : inputShape) {
      if (d < 1) {
        throw new IllegalArgumentException("Input shape " + Shapes.tuple(inputShape)
            + " has a dimension < 1");
      }
    }
    this.inputShape = inputShape.clone();
    this.chainOutput = inputShape.clone();
    for (Layer layer : layers) {
      add(layer);
    }
  }

  /**
   * The engine of a functional {@link Model}: named layers wired by a topology. Prefer
   * {@link Model}; this form is for loaders that already hold a topology.
   *
   * @throws IllegalArgumentException naming the layer whose inputs do not fit
   */
  public Sequential(String name, List<Layer> namedLayers, Topology topology) {
    this.name = Objects.requireNonNull(name, "name");
    this.inputShape = topology.packedInputShape();
    this.layers.addAll(namedLayers);
    this.topology = topology;
    topology.valueShapes(namedLayers);
  }

  /** The wiring: the functional model's topology, or the chain of a Sequential model. */
  public synchronized Topology topology() {
    return topology != null ? topology : Topology.chain(inputShape, layers.size());
  }

  /**
   * Appends a layer, naming it if it has no name ({@code dense}, {@code dense_1}, ...).
   *
   * @throws IllegalArgumentException if the name is taken or the layer does not fit its input
   * @throws IllegalStateException once the model is compiled
   */
  public synchronized Sequential add(Layer layer) {
    Objects.requireNonNull(layer, "layer");
    if (executable != null) {
      throw new IllegalStateException("Cannot add layers to model '" + name + "' after compile()");
    }
    if (topology != null) {
      throw new IllegalStateException("Cannot add layers to functional model '" + name
          + "'; build a new Model from its inputs and outputs");
    }
    Set<String> taken = new HashSet<>();
    layers.forEach(l -> taken.add(l.name()));
    Layer named = layer;
    if (layer.name() == null) {
      String base = layer.kerasClass().toLowerCase(java.util.Locale.ROOT);
      String candidate = base;
      for (int i = 1; taken.contains(candidate); i++) {
        candidate = base + "_" + i;
      }
      named = layer.withName(candidate);
    } else if (taken.contains(layer.name())) {
      throw new IllegalArgumentException("Model '" + name + "' already has a layer named '"
          + layer.name() + "'; layer names must be unique");
    }
    int[] out = named.outputShape(chainOutput);
    layers.add(named);
    chainOutput = out;
    pendingWeights = null;
    return this;
  }

  private int[] currentOutputShape() {
    if (topology != null) {
      return topology.valueShapes(layers).get(topology.output());
    }
    return chainOutput.clone();
  }

  /** The model's name. */
  public String name() {
    return name;
  }

  /** The layers with their assigned names. */
  public synchronized List<Layer> layers() {
    return List.copyOf(layers);
  }

  /** Per-sample input shape. */
  public int[] inputShape() {
    return inputShape.clone();
  }

  /** Per-sample output shape. */
  public synchronized int[] outputShape() {
    return currentOutputShape();
  }

  /** Number of trainable parameters. */
  public synchronized long countParams() {
    long n = 0;
    List<List<int[]>> inputs = topology().layerInputShapes(layers);
    for (int i = 0; i < layers.size(); i++) {
      for (var p : layers.get(i).parameters(inputs.get(i))) {
        n += p.size();
      }
    }
    return n;
  }

  /** Keras's summary table: layer, output shape, parameters, totals. */
  public synchronized String summary() {
    return Summary.render(name, layers, topology(), topology != null);
  }

  // ---------------------------------------------------------------- compile

  /** {@code compile(optimizer, loss, metrics)} with Keras objects. */
  public void compile(Optimizer optimizer, Loss loss, Metric... metrics) {
    compile(CompileOptions.builder().optimizer(optimizer).loss(loss).metrics(metrics).build());
  }

  /** {@code compile("adam", "binary_crossentropy", "accuracy")} with Keras names. */
  public void compile(String optimizer, String loss, String... metrics) {
    compile(CompileOptions.builder().optimizer(Optimizers.of(optimizer)).loss(Loss.of(loss))
        .metrics(metrics).build());
  }

  /**
   * Places and compiles the model. Compiling again keeps the current weights and resets the
   * optimizer, as in Keras. On failure the model is left as it was.
   *
   * @throws IllegalArgumentException for a loss or metric that does not fit the model
   * @throws dev.backplane.PlacementException when no device is usable under the policy
   * @throws UnsupportedFeatureException if no allowed backend can run the model
   */
  public synchronized void compile(CompileOptions opts) {
    Objects.requireNonNull(opts, "opts");
    if (fitting.get()) {
      throw new IllegalStateException("Cannot compile model '" + name + "' while it is fitting");
    }
    if (layers.isEmpty()) {
      throw new IllegalStateException("Model '" + name + "' has no layers; add at least one");
    }
    int outputs = Shapes.size(currentOutputShape());
    if (opts.loss().sparseLabels() && outputs < 2) {
      throw new IllegalArgumentException("sparse_categorical_crossentropy needs at least 2"
          + " outputs (one per class) but model '" + name + "' has " + outputs);
    }
    List<Metric> resolved = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (Metric m : opts.metrics()) {
      resolved.add(m.resolve(opts.loss(), outputs));
      keys.add(m.kerasName());
    }
    Backplane bp = opts.backplane() != null ? opts.backplane() : Backplane.global();
    long seed = opts.seed() != null ? opts.seed() : bp.config().get(CoreKeys.SEED);
    List<NamedArray> params = executable != null ? executable.snapshot().parameters()
        : pendingWeights != null ? pendingWeights
        : ModelSpec.initialParameters(topology(), layers, seed);
    List<NamedArray> vars = executable != null ? executable.snapshot().variables()
        : ModelSpec.initialVariables(topology(), layers, seed);
    ModelSpec newSpec = ModelSpec.wired(name, topology(), layers, opts.loss(), opts.optimizer(),
        seed, params, vars);
    List<String> prefs = opts.preferences().isEmpty() ? bp.configuredPreferences()
        : opts.preferences();
    Fallback fallback = opts.fallback() != null ? opts.fallback()
        : bp.config().get(CoreKeys.FALLBACK);
    Placement chosen = PlacementPlanner.refine(bp, newSpec, bp.place(prefs, fallback), prefs,
        fallback);
    CompiledOn compiled = compileOn(bp, newSpec, chosen);

    // In-flight predictions hold the read lock: the old executable is closed only after they
    // finish, so no native memory is freed under a running kernel.
    stepLock.writeLock().lock();
    try {
      Executable old = executable;
      this.options = opts;
      this.backplane = bp;
      this.spec = newSpec;
      this.metrics = List.copyOf(resolved);
      this.metricKeys = List.copyOf(keys);
      this.placement = compiled.placement;
      this.executable = compiled.executable;
      this.pendingWeights = null;
      this.closed = false;
      guardInference(compiled.executable);
      if (old != null) {
        retire(old);
      }
    } finally {
      stepLock.writeLock().unlock();
    }
  }

  private record CompiledOn(Placement placement, Executable executable) {}

  /**
   * Where {@code compile(opts)} would place the model, without compiling it: the candidates with
   * their status, measured step time ({@code backplane.placement=fastest}) and estimated memory.
   *
   * @throws dev.backplane.PlacementException when no device is usable under the policy
   */
  public synchronized Placement place(CompileOptions opts) {
    Backplane bp = opts.backplane() != null ? opts.backplane() : Backplane.global();
    long seed = opts.seed() != null ? opts.seed() : bp.config().get(CoreKeys.SEED);
    ModelSpec s = initialSpec(opts, seed);
    List<String> prefs = opts.preferences().isEmpty() ? bp.configuredPreferences()
        : opts.preferences();
    Fallback fallback = opts.fallback() != null ? opts.fallback()
        : bp.config().get(CoreKeys.FALLBACK);
    return PlacementPlanner.refine(bp, s, bp.place(prefs, fallback), prefs, fallback);
  }

  /** The spec of this model with its seeded initial weights, as compile would build it. */
  private ModelSpec initialSpec(CompileOptions opts, long seed) {
    return ModelSpec.wired(name, topology(), layers, opts.loss(), opts.optimizer(), seed,
        ModelSpec.initialParameters(topology(), layers, seed),
        ModelSpec.initialVariables(topology(), layers, seed));
  }

  /** The estimated working set in bytes of one training step at this batch size. */
  public long estimateMemory(CompileOptions opts, int batchSize) {
    Backplane bp = opts.backplane() != null ? opts.backplane() : Backplane.global();
    long seed = opts.seed() != null ? opts.seed() : bp.config().get(CoreKeys.SEED);
    return PlacementPlanner.estimateBytes(initialSpec(opts, seed), batchSize);
  }

  /** Compiles on the placed device; if that backend refuses or fails, falls back when allowed. */
  private CompiledOn compileOn(Backplane bp, ModelSpec s, Placement p) {
    try {
      return new CompiledOn(p, bp.compile(s, p.device()));
    } catch (UnsupportedFeatureException | BackendException e) {
      if (!bp.failoverPolicy(p.fallback()).allowsFallback()
          || p.device().type().equals(dev.backplane.DeviceType.CPU) && p.fellBack()) {
        throw e;
      }
      Placement cpu;
      try {
        cpu = bp.place(List.of("cpu"), Fallback.NONE);
      } catch (RuntimeException noCpu) {
        e.addSuppressed(noCpu);
        throw e;
      }
      if (cpu.device().equals(p.device())) {
        throw e;
      }
      List<Candidate> lines = new ArrayList<>(p.candidates());
      lines.replaceAll(c -> c.device().equals(p.device())
          ? new Candidate(c.info(), Candidate.Verdict.REJECTED, "compile failed: " + e.getMessage())
          : c);
      DeviceInfo fb = cpu.chosen();
      lines.add(new Candidate(fb, Candidate.Verdict.FALLBACK, "the preferred device could not"
          + " compile the model (backplane.fallback=cpu); " + fb.status() + ": " + fb.detail()));
      Placement amended = new Placement(fb, p.preferences(), p.fallback(), lines);
      BackplaneAccess.report(bp, new dev.backplane.trust.FailoverEvent(
          dev.backplane.trust.FailoverEvent.Kind.FALLBACK, p.device(), fb.device(), -1, -1,
          "model '" + name + "' could not be compiled on " + p.device() + ": " + e.getMessage()));
      return new CompiledOn(amended, bp.compile(s, fb.device()));
    }
  }

  /**
   * Keras predicts with uncompiled models: place and compile on first use, with a placeholder
   * loss and optimizer that only a later {@code compile} (which keeps the weights) replaces.
   */
  private synchronized void placeForInference() {
    if (executable != null) {
      return;
    }
    LOG.fine("Model '" + name + "' was not compiled; placing it for prediction");
    compile(CompileOptions.builder().optimizer(new dev.backplane.optimizer.SGD())
        .loss(Loss.MEAN_SQUARED_ERROR).build());
  }

  /** Whether {@code compile} has run. */
  public boolean isCompiled() {
    return executable != null;
  }

  /** The placement of the last compile, with its explanation. */
  public Placement placement() {
    requireCompiled();
    return placement;
  }

  /** The device the model runs on. */
  public dev.backplane.Device device() {
    return requireCompiled().device();
  }

  /** The compiled optimizer. */
  public Optimizer optimizer() {
    requireCompiled();
    return options.optimizer();
  }

  /** The compiled loss. */
  public Loss loss() {
    requireCompiled();
    return options.loss();
  }

  /** The compiled metrics, as given (e.g. {@code ACCURACY}, not its resolution). */
  public List<Metric> metrics() {
    requireCompiled();
    return options.metrics();
  }

  /** The seed in use. */
  public long seed() {
    requireCompiled();
    return spec.seed();
  }

  /** The compiled spec (what the backend was given). */
  public ModelSpec spec() {
    requireCompiled();
    return spec;
  }

  /** The Backplane the model was compiled with. */
  public Backplane backplane() {
    requireCompiled();
    return backplane;
  }

  private Executable requireCompiled() {
    Executable e = executable;
    if (e == null && closed) {
      throw closedError();
    }
    if (e == null) {
      throw new IllegalStateException("You must compile your model before training/testing. Use"
          + " `model.compile(optimizer, loss)`.");
    }
    return e;
  }

  // ---------------------------------------------------------------- fit

  /** {@code fit(x, y, epochs=..., batch_size=...)} with Keras's other defaults. */
  public History fit(Tensor x, Tensor y, int epochs, int batchSize) {
    return fit(x, y, FitOptions.builder().epochs(epochs).batchSize(batchSize).build());
  }

  /**
   * Trains the model, as Keras's {@code fit}. The data is read as training goes (and read again
   * to replay batches when a device fails over), so {@code x} and {@code y} must not change
   * until {@code fit} returns.
   *
   * @throws IllegalArgumentException for bad data, before any step runs
   * @throws IllegalStateException if not compiled or already fitting
   */
  public History fit(Tensor x, Tensor y, FitOptions opts) {
    requireCompiled();
    if (!fitting.compareAndSet(false, true)) {
      throw new IllegalStateException("fit() is already running on model '" + name
          + "'; wait for it to finish or train another model");
    }
    try {
      return weighted(x, y, opts);
    } finally {
      fitting.set(false);
      stopRequested = false;
    }
  }

  /**
   * A fit with Keras's {@code sample_weight} or {@code class_weight}, or on a model compiled
   * for weights: the weights become the labels' last column (1 where none are given).
   */
  private History weighted(Tensor x, Tensor y, FitOptions opts) {
    boolean any = opts.sampleWeight() != null || opts.classWeight() != null
        || opts.validationSampleWeight() != null;
    if (!any && !spec.loss().sampleWeighted()) {
      return new TrainingLoop(this, x, y, opts).run();
    }
    int outputs = Shapes.size(currentOutputShape());
    Loss plain = options.loss();
    checkInput(x, "x");
    DataChecks.checkLabels(y, plain, outputs, x.rows(), "y");
    float[] w = opts.sampleWeight() != null
        ? SampleWeights.check(opts.sampleWeight(), x.rows(), "sample_weight") : null;
    Tensor valY = opts.validationY();
    float[] valW = null;
    if (opts.validationSampleWeight() != null) {
      valW = SampleWeights.check(opts.validationSampleWeight(), valY.rows(),
          "validation sample_weight");
    }
    if (opts.classWeight() != null) {
      Tensor train = y;
      int split = -1;
      if (opts.validationSplit() > 0 && opts.validationX() == null) {
        // Keras weights by class the training part only; the split is taken before
        split = (int) (x.rows() * (1 - opts.validationSplit()));
        train = y.rows(0, split);
      }
      float[] cw = SampleWeights.fromClassWeight(opts.classWeight(), train, outputs,
          plain.sparseLabels());
      if (split >= 0) {
        w = new float[y.rows()];
        java.util.Arrays.fill(w, 1f);
        System.arraycopy(cw, 0, w, 0, cw.length);
      } else {
        w = cw;
      }
    }
    useSampleWeights();
    Tensor yw = SampleWeights.append(y, w);
    Tensor valYw = valY == null ? null : SampleWeights.append(valY, valW);
    FitOptions unweighted = new FitOptions(opts.epochs(), opts.initialEpoch(), opts.batchSize(),
        opts.shuffle(), opts.validationSplit(), opts.validationX(), valYw, opts.callbacks(),
        opts.verbosity(), opts.output());
    return new TrainingLoop(this, x, yw, unweighted).run();
  }

  /**
   * Compiles the model's programs for sample weights on its device, keeping the whole state
   * (weights, optimizer slots, iteration). From then on every call feeds a weight column.
   */
  private synchronized void useSampleWeights() {
    if (spec.loss().sampleWeighted()) {
      return;
    }
    recompileKeepingState(withLoss(spec, spec.loss().withSampleWeights()), options);
  }

  private static ModelSpec withLoss(ModelSpec s, Loss loss) {
    return new ModelSpec(s.name(), s.inputShape(), s.layers(), loss, s.optimizer(), s.seed(),
        s.initialState(), s.topology());
  }

  /**
   * Changes the optimizer's learning rate between epochs, keeping weights, optimizer slots and
   * the iteration count (what {@code model.optimizer.learning_rate = lr} does in Keras). The
   * programs are rebuilt with the new rate and compiled on the same device; the state moves
   * over unchanged.
   *
   * @throws IllegalArgumentException for a rate that is not a positive finite number, or if the
   *     optimizer has a learning-rate schedule (its rate is not settable, as in Keras)
   * @throws IllegalStateException if not compiled
   */
  public synchronized void setLearningRate(double learningRate) {
    requireCompiled();
    Optimizer current = options.optimizer();
    if (current.schedule() != null) {
      throw new IllegalArgumentException("This optimizer was created with a"
          + " `LearningRateSchedule` object as its `learning_rate` constructor argument, hence"
          + " its learning rate is not settable; use a constant learning rate to change it"
          + " from a callback");
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learning_rate must be a positive finite number, got "
          + learningRate);
    }
    if (learningRate == current.learningRate()) {
      return;
    }
    Optimizer next = current.withLearningRate(learningRate);
    CompileOptions o = new CompileOptions(next, options.loss(), options.metrics(),
        options.backplane(), options.preferences(), options.fallback(), options.seed());
    ModelSpec s = new ModelSpec(spec.name(), spec.inputShape(), spec.layers(), spec.loss(), next,
        spec.seed(), spec.initialState(), spec.topology());
    recompileKeepingState(s, o);
  }

  /** The current learning rate (the schedule's initial rate when there is one). */
  public double learningRate() {
    return optimizer().learningRate();
  }

  /** Compiles {@code next} on the current device and moves the state over. */
  private void recompileKeepingState(ModelSpec next, CompileOptions nextOptions) {
    stepLock.writeLock().lock();
    try {
      Executable old = current();
      ModelState state = old.snapshot();
      Executable compiled = backplane.compile(next, old.device());
      try {
        compiled.restore(state);
      } catch (RuntimeException e) {
        compiled.close();
        throw e;
      }
      this.spec = next;
      this.options = nextOptions;
      this.executable = compiled;
      guardInference(compiled);
      retire(old);
    } finally {
      stepLock.writeLock().unlock();
    }
  }

  private volatile int resumeEpoch = -1;
  private volatile boolean logLearningRate;

  /**
   * For a callback's {@code onTrainBegin} (as {@code BackupAndRestore}): the running fit starts at
   * this 0-based epoch instead of its {@code initial_epoch}; the state must have been restored to
   * the end of the epoch before it (the shuffling of each epoch depends only on its index and
   * the seed, dropout masks on the restored iteration count).
   *
   * @throws IllegalStateException outside a fit
   */
  public void resumeAt(int epoch) {
    if (!fitting.get()) {
      throw new IllegalStateException("resumeAt() is for callbacks of a running fit()");
    }
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    resumeEpoch = epoch;
  }

  /**
   * For a learning-rate callback's {@code onTrainBegin}: the fit logs {@code learning_rate} (the
   * rate each epoch ran with) with every epoch, as Keras's learning-rate callbacks do.
   */
  public void logLearningRate() {
    logLearningRate = true;
  }

  void beginFitCallbacks() {
    resumeEpoch = -1;
    logLearningRate = false;
  }

  int resumeEpoch(int initialEpoch) {
    return resumeEpoch >= 0 ? resumeEpoch : initialEpoch;
  }

  boolean logsLearningRate() {
    return logLearningRate;
  }

  /** The loss as the programs have it (with the weight column once weights were used). */
  Loss labelLoss() {
    return spec.loss();
  }

  /** A fresh accumulator of the loss and the compiled metrics for this model's labels. */
  /**
   * The loss and compiled metrics over an epoch whose batches ran elsewhere (data-parallel
   * trainers), computed exactly as {@code fit} computes them.
   *
   * @throws IllegalStateException if not compiled
   */
  public EpochMetrics epochMetrics() {
    requireCompiled();
    return new EpochMetrics(newAccumulator());
  }

  MetricAccumulator newAccumulator() {
    int outputs = Shapes.size(currentOutputShape());
    return new MetricAccumulator(metrics, metricKeys, outputs, spec.loss().sparseLabels(),
        spec.loss().labelColumns(outputs));
  }

  /**
   * Trains the model on a {@link Dataset}, as Keras's {@code fit} on a dataset or generator. A
   * row-addressable dataset (arrays, a memory-mapped NPY file, a CSV table) is checked up front
   * and trained on with exactly the batches of the same data as tensors (same seeded shuffle),
   * read a row at a time, so a file larger than the heap trains without being loaded; a stream
   * of batches is used in its order, never shuffled, with no {@code validation_split}.
   *
   * @throws IllegalArgumentException for bad data, before any step runs (for a stream: when
   *     the bad batch is reached)
   * @throws IllegalStateException if not compiled or already fitting
   */
  public History fit(dev.backplane.data.Dataset data, FitOptions opts) {
    Objects.requireNonNull(data, "data");
    if (data instanceof dev.backplane.data.ArrayDataset a) {
      if (a.y() == null) {
        throw new IllegalArgumentException("fit() needs labels but the dataset has none");
      }
      return fit(a.x(), a.y(), opts);
    }
    requireCompiled();
    if (!fitting.compareAndSet(false, true)) {
      throw new IllegalStateException("fit() is already running on model '" + name
          + "'; wait for it to finish or train another model");
    }
    try {
      if (opts.sampleWeight() != null || opts.validationSampleWeight() != null) {
        throw new IllegalArgumentException("sample_weight is supported with tensors; for a"
            + " dataset use class_weight, or fit on tensors");
      }
      if (opts.classWeight() != null) {
        int outputs = Shapes.size(currentOutputShape());
        SampleWeights.checkClassWeight(opts.classWeight(),
            options.loss().sparseLabels() || outputs > 1 ? outputs : 2);
        useSampleWeights();
      }
      if (spec.loss().sampleWeighted()) {
        FitOptions o = opts;
        if (opts.validationY() != null) {
          o = new FitOptions(opts.epochs(), opts.initialEpoch(), opts.batchSize(),
              opts.shuffle(), opts.validationSplit(), opts.validationX(),
              SampleWeights.append(opts.validationY(), null), opts.callbacks(),
              opts.verbosity(), opts.output());
        }
        // Validation rows of a split get weight 1: Keras weights by class the training part.
        int classRows = Integer.MAX_VALUE;
        if (opts.validationSplit() > 0 && opts.validationX() == null && data.randomAccess()) {
          classRows = (int) (data.size() * (1 - opts.validationSplit()));
        }
        return new TrainingLoop(this, SampleWeights.append(data, null, opts.classWeight(),
            classRows), o).run();
      }
      return new TrainingLoop(this, data, opts).run();
    } finally {
      fitting.set(false);
      stopRequested = false;
    }
  }

  /** {@code fit(dataset, epochs=..., batch_size=...)} with Keras's other defaults. */
  public History fit(dev.backplane.data.Dataset data, int epochs, int batchSize) {
    return fit(data, FitOptions.builder().epochs(epochs).batchSize(batchSize).build());
  }

  /** Whether {@link #fit} is running. */
  public boolean isFitting() {
    return fitting.get();
  }

  /** Asks a running {@link #fit} to stop after the current batch (Keras's {@code stop_training}). */
  public void stopTraining() {
    stopRequested = true;
  }

  boolean stopRequested() {
    return stopRequested;
  }

  void clearStop() {
    stopRequested = false;
  }

  /** Where the running {@code fit} prints (for callbacks); {@code System.out} otherwise. */
  public PrintStream output() {
    return output;
  }

  void output(PrintStream out) {
    this.output = out;
  }

  List<Metric> resolvedMetrics() {
    return metrics;
  }

  List<String> metricKeys() {
    return metricKeys;
  }

  /** The lock a training step holds; the step guard holds it across a failover. */
  java.util.concurrent.locks.Lock stepWriteLock() {
    return stepLock.writeLock();
  }

  /**
   * Moves the model to the fallback's executable after a failover; the caller holds the step
   * lock. The old executable is closed in the background: a hung device may never return.
   */
  void failover(Executable next, Placement amended) {
    Executable old = executable;
    executable = next;
    placement = amended;
    guardInference(next);
    closeInBackground(old, takeAbandoned(old));
  }

  /**
   * Closes an executable the model no longer uses; the caller holds the step write lock, so no
   * call of this model runs in it, except abandoned ones: then it is closed in the background
   * once they end, so no native memory is freed under a running kernel (a call that never ends
   * keeps its executable, which is logged).
   */
  private void retire(Executable old) {
    List<Runnable> waits = takeAbandoned(old);
    if (waits.isEmpty()) {
      old.close();
      return;
    }
    LOG.info(() -> "Closing the executable of " + old.device() + " once its " + waits.size()
        + " abandoned call(s) end");
    closeInBackground(old, waits);
  }

  /** Closes {@code old} on a daemon thread once {@code waits} (its abandoned calls) return. */
  private static void closeInBackground(Executable old, List<Runnable> waits) {
    Thread closer = new Thread(() -> {
      waits.forEach(Runnable::run);
      closeQuietly(old);
    }, "backplane-close-" + old.device());
    closer.setDaemon(true);
    closer.start();
  }

  private static void closeQuietly(Executable e) {
    try {
      e.close();
    } catch (RuntimeException ex) {
      LOG.fine("Closing the executable of " + e.device() + " failed: " + ex);
    }
  }

  /** Records a call abandoned after its deadline that may still run in {@code exe}. */
  void abandoned(Executable exe, Runnable awaitEnd) {
    synchronized (abandonedCalls) {
      abandonedCalls.computeIfAbsent(exe, k -> new ArrayList<>()).add(awaitEnd);
    }
  }

  private List<Runnable> takeAbandoned(Executable exe) {
    synchronized (abandonedCalls) {
      List<Runnable> waits = abandonedCalls.remove(exe);
      return waits == null ? List.of() : waits;
    }
  }

  /**
   * Inference on a guarded device gets the step deadline; the reference CPU backend gets none,
   * since nothing could take over from it. The caller holds the step write lock.
   */
  private void guardInference(Executable exe) {
    InferenceGuard old = inferenceGuard;
    if (old != null) {
      old.close();
    }
    java.time.Duration deadline = backplane.config().get(CoreKeys.STEP_TIMEOUT);
    boolean guarded = failoverPolicy().guards(exe.device()) && !deadline.isZero();
    inferenceGuard = guarded ? new InferenceGuard(deadline, exe.device().toString(),
        this::abandoned) : null;
    hostState = guarded ? exe.snapshot() : null;
    hostStateCurrent = guarded;
  }

  /** The failover rule under the model's placement (see {@link dev.backplane.FailoverPolicy}). */
  dev.backplane.FailoverPolicy failoverPolicy() {
    return backplane.failoverPolicy(placement.fallback());
  }

  /** The state a fallback takes over with (on a guarded device). */
  ModelState hostState() {
    return hostState;
  }

  /**
   * {@link #hostState} while no training step has run since it was taken (the step guard's first
   * snapshot then need not copy the device's state again), else {@code null}.
   */
  ModelState currentHostState() {
    return hostStateCurrent ? hostState : null;
  }

  /** A guarded training step is about to change the executable's state. */
  void stepStarting() {
    hostStateCurrent = false;
  }

  void activeGuard(StepGuard guard) {
    activeGuard = guard;
  }

  /** A fit ended: on a guarded device, its state becomes the one a fallback would take over. */
  void fitEnded() {
    stepLock.readLock().lock();
    try {
      Executable e = executable;
      if (e != null && inferenceGuard != null) {
        hostState = e.snapshot();
        hostStateCurrent = true;
      }
    } finally {
      stepLock.readLock().unlock();
    }
  }

  /**
   * After an inference call failed on the guarded device, moves the model to the fallback: by
   * the running fit's guard (which replays its steps), else from {@link #hostState}. The caller
   * holds no step lock. Another thread may have moved the model already, which is fine: the call
   * then runs on the new executable.
   *
   * @throws DeviceFaultException when nothing may take over
   */
  private void takeOver(Executable failed, Fault fault, String call) {
    stepLock.writeLock().lock();
    try {
      if (executable != failed) {
        current();
        return;
      }
      Device device = failed.device();
      String what = fault.describeIn(StepGuard.describe(backplane, device), call);
      StepGuard guard = activeGuard;
      if (guard != null) {
        guard.takeOver(failed, fault, what);
        return;
      }
      DeviceInfo target = fallbackTarget(failed, fault, what);
      Executable next = backplane.compile(spec, target.device());
      try {
        next.restore(hostState);
      } catch (RuntimeException e) {
        next.close();
        throw e;
      }
      Device to = target.device();
      String reason = what + "; " + device + " is marked UNSTABLE and the model continues on "
          + to;
      failover(next, StepGuard.amend(placement, device, what, target, "failover in " + call));
      BackplaneAccess.report(backplane, new FailoverEvent(FailoverEvent.Kind.FAILOVER, device, to, -1, -1,
          reason));
    } finally {
      stepLock.writeLock().unlock();
    }
  }

  /**
   * Where a failed inference call's model moves: the fallback of {@code failed}'s device.
   *
   * @throws DeviceFaultException (reported as such) in strict mode or without a fallback
   */
  DeviceInfo fallbackTarget(Executable failed, Fault fault, String what) {
    Device device = failed.device();
    dev.backplane.FailoverPolicy policy = failoverPolicy();
    DeviceInfo target = policy.fallbackFor(device).orElse(null);
    if (target != null) {
      return target;
    }
    boolean strict = !policy.allowsFallback();
    BackplaneAccess.report(backplane, new FailoverEvent(FailoverEvent.Kind.DEVICE_FAULT, device, null, -1, -1,
        what));
    throw new DeviceFaultException(device, what + (strict ? ". " + policy.strictAdvice(
        "the model stays on " + device) : ", and there is no device to fall back to") + (fault.kind() == Fault.Kind.TIMED_OUT
        ? ". The device never returned: compile the model again before using it" : ""),
        fault.cause());
  }

  private IllegalStateException closedError() {
    return new IllegalStateException("model '" + name + "' is closed; compile it again to use"
        + " it");
  }

  /** The executable, read under the step lock; fails cleanly once the model is closed. */
  private Executable current() {
    Executable e = executable;
    if (e == null) {
      throw closedError();
    }
    return e;
  }

  /**
   * The first half of a data-parallel step (see {@link Executable#computeGradients}): the loss
   * sum of this batch and its gradient sums, applying nothing; under the step lock, like a
   * training step. For trainers that sum gradients across workers, such as Spark's.
   *
   * @return the sum over the batch of the per-sample losses
   * @throws dev.backplane.UnsupportedFeatureException if the model's backend cannot split a step
   */
  public double computeGradients(Tensor x, Tensor y, float[] outputs, float[][] gradients) {
    stepLock.writeLock().lock();
    try {
      return current().computeGradients(x, y, outputs, gradients);
    } finally {
      stepLock.writeLock().unlock();
    }
  }

  /**
   * The second half of a data-parallel step (see {@link Executable#applyGradients}): the
   * optimizer's update from gradient sums over {@code samples} samples; under the step lock.
   *
   * @throws dev.backplane.UnsupportedFeatureException if the model's backend cannot split a step
   */
  public void applyGradients(float[][] gradientSums, int samples) {
    stepLock.writeLock().lock();
    try {
      current().applyGradients(gradientSums, samples);
    } finally {
      stepLock.writeLock().unlock();
    }
  }

  /** One training step under the step lock. */
  double trainStep(Tensor x, Tensor y, float[] out) {
    stepLock.writeLock().lock();
    try {
      return current().trainStep(x, y, out);
    } finally {
      stepLock.writeLock().unlock();
    }
  }

  /**
   * Evaluation only reads state: it takes the read lock, so predictions run beside it, and the
   * evaluation lock, so evaluations (which share the executable's scratch) run one at a time.
   */
  double evaluateStep(Tensor x, Tensor y, float[] out) {
    Executable exe;
    Fault fault;
    stepLock.readLock().lock();
    try {
      evaluationLock.lock();
      try {
        exe = current();
        InferenceGuard guard = inferenceGuard;
        if (guard == null) {
          return exe.evaluateStep(x, y, out);
        }
        InferenceGuard.Outcome r = guard.evaluate(exe, x, y, out);
        if (r.fault() == null) {
          return r.loss();
        }
        fault = r.fault();
      } finally {
        evaluationLock.unlock();
      }
    } finally {
      stepLock.readLock().unlock();
    }
    // No lock held: the take-over needs the write lock.
    takeOver(exe, fault, "evaluate");
    return evaluateStep(x, y, out);
  }

  /**
   * One batch of {@code predict}; the caller holds the read lock once. After a device fault the
   * model moves to the fallback (the lock is let go meanwhile) and the batch runs there.
   */
  private void predictBatch(Tensor xb, float[] buffer) {
    Executable exe = current();
    InferenceGuard guard = inferenceGuard;
    if (guard == null) {
      exe.predict(xb, buffer);
      return;
    }
    Fault fault = guard.predict(exe, xb, buffer);
    if (fault == null) {
      return;
    }
    stepLock.readLock().unlock();
    try {
      takeOver(exe, fault, "predict");
    } finally {
      stepLock.readLock().lock();
    }
    predictBatch(xb, buffer);
  }

  void checkInput(Tensor x, String what) {
    DataChecks.checkInput(x, inputShape, layers.get(0), what);
  }

  // ---------------------------------------------------------------- evaluate / predict

  /** {@code evaluate(x, y)} with batch size 32: the loss and metrics by Keras key. */
  public Map<String, Double> evaluate(Tensor x, Tensor y) {
    return evaluate(x, y, DEFAULT_BATCH);
  }

  /**
   * Evaluates loss and metrics in inference mode.
   *
   * @throws IllegalArgumentException for bad data
   */
  public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize) {
    return evaluateDetailed(x, y, null, batchSize).logs();
  }

  /**
   * Evaluates loss and metrics with Keras's {@code sample_weight}: each sample's loss times its
   * weight, summed and divided by the number of samples (metrics are unweighted, as Keras's
   * {@code metrics}).
   *
   * @param sampleWeight one weight per sample, {@code (n,)} or {@code (n, 1)}, or {@code null}
   * @throws IllegalArgumentException for bad data or weights
   */
  public Map<String, Double> evaluate(Tensor x, Tensor y, Tensor sampleWeight, int batchSize) {
    return evaluateDetailed(x, y, sampleWeight, batchSize).logs();
  }

  /**
   * {@link #evaluate(Tensor, Tensor, Tensor, int)} that also counts the confusion matrix of the
   * same pass (for a classifier: more than one output, or a single output thresholded at 0.5).
   */
  public Evaluation evaluateDetailed(Tensor x, Tensor y, Tensor sampleWeight, int batchSize) {
    requireCompiled();
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch_size must be >= 1, got " + batchSize);
    }
    checkInput(x, "x");
    DataChecks.checkFinite(x, "x");
    DataChecks.checkLabels(y, options.loss(), Shapes.size(currentOutputShape()), x.rows(), "y");
    if (x.rows() == 0) {
      throw new IllegalArgumentException("evaluate() got empty data: x has 0 samples");
    }
    float[] w = sampleWeight == null ? null
        : SampleWeights.check(sampleWeight, x.rows(), "sample_weight");
    if (w != null) {
      useSampleWeights();
    }
    Tensor labels = spec.loss().sampleWeighted() ? SampleWeights.append(y, w) : y;
    return new Evaluator(this, batchSize).evaluateDetailed(x, labels, "");
  }

  /**
   * Evaluates loss and metrics over a dataset in data order (a stream: its batches as given).
   *
   * @throws IllegalArgumentException for bad data
   */
  public Map<String, Double> evaluate(dev.backplane.data.Dataset data, int batchSize) {
    Objects.requireNonNull(data, "data");
    if (data instanceof dev.backplane.data.ArrayDataset a) {
      if (a.y() == null) {
        throw new IllegalArgumentException("evaluate() needs labels but the dataset has none");
      }
      return evaluate(a.x(), a.y(), batchSize);
    }
    requireCompiled();
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch_size must be >= 1, got " + batchSize);
    }
    TrainingLoop.checkFeatures(this, data, "x");
    if (data.labelSize() == 0) {
      throw new IllegalArgumentException("evaluate() needs labels but the dataset " + data
          + " has none");
    }
    if (data.randomAccess()) {
      if (data.size() == 0) {
        throw new IllegalArgumentException("evaluate() got empty data: x has 0 samples");
      }
    }
    dev.backplane.data.Dataset d = spec.loss().sampleWeighted()
        ? SampleWeights.append(data, null, null) : data;
    if (d.randomAccess()) {
      TrainingLoop.checkRows(this, d, "x", "y");
    }
    return TrainingLoop.evaluate(this, d, batchSize, "");
  }

  /**
   * Runs the model in inference mode over a dataset's inputs (labels are ignored), batch by
   * batch in data order. Thread-safe; the predictions are returned in memory.
   *
   * @return outputs shaped {@code (n, outputShape...)}
   */
  public Tensor predict(dev.backplane.data.Dataset data, int batchSize) {
    Objects.requireNonNull(data, "data");
    if (data instanceof dev.backplane.data.ArrayDataset a) {
      return predict(a.x(), batchSize);
    }
    if (executable == null && !closed) {
      placeForInference();
    }
    requireCompiled();
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch_size must be >= 1, got " + batchSize);
    }
    TrainingLoop.checkFeatures(this, data, "x");
    int[] outShape = currentOutputShape();
    int outSize = Shapes.size(outShape);
    float[] result;
    int n;
    stepLock.readLock().lock();
    try {
      current();
      if (data.randomAccess()) {
        n = data.size();
        int xRow = data.featureSize();
        int batch = Math.max(1, Math.min(batchSize, n));
        float[] xs = new float[batch * xRow];
        Tensor xAll = Tensor.wrap(xs, TrainingLoop.batched(batch, data.featureShape()));
        float[] buffer = new float[batch * outSize];
        result = new float[Math.multiplyExact(n, outSize)];
        for (int start = 0; start < n; start += batch) {
          int rows = Math.min(batch, n - start);
          for (int r = 0; r < rows; r++) {
            data.read(start + r, xs, r * xRow, null, 0);
          }
          Tensor xb = xAll.rows(0, rows);
          checkInput(xb, "x");
          predictBatch(xb, buffer);
          System.arraycopy(buffer, 0, result, start * outSize, rows * outSize);
        }
      } else {
        java.util.Iterator<dev.backplane.data.Batch> it = data.batches();
        result = new float[0];
        n = 0;
        float[] buffer = new float[0];
        for (int step = 0; it.hasNext(); step++) {
          Tensor xb = TrainingLoop.checkBatch(this, it.next(), data, outSize, step, false)[0];
          int rows = xb.rows();
          if (buffer.length < rows * outSize) {
            buffer = new float[rows * outSize];
          }
          predictBatch(xb, buffer);
          if (result.length < (n + rows) * outSize) {
            result = java.util.Arrays.copyOf(result, Math.max((n + rows) * outSize,
                2 * result.length));
          }
          System.arraycopy(buffer, 0, result, n * outSize, rows * outSize);
          n += rows;
        }
        result = java.util.Arrays.copyOf(result, n * outSize);
      }
    } finally {
      stepLock.readLock().unlock();
    }
    int[] shape = new int[outShape.length + 1];
    shape[0] = n;
    System.arraycopy(outShape, 0, shape, 1, outShape.length);
    return Tensor.wrap(result, shape);
  }

  /** {@code predict(x)} with batch size 32. */
  public Tensor predict(Tensor x) {
    return predict(x, DEFAULT_BATCH);
  }

  /**
   * Runs the model in inference mode, batch by batch. Thread-safe.
   *
   * @return outputs shaped {@code (n, outputShape...)}
   */
  public Tensor predict(Tensor x, int batchSize) {
    if (executable == null && !closed) {
      placeForInference();
    }
    requireCompiled();
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch_size must be >= 1, got " + batchSize);
    }
    checkInput(x, "x");
    int[] outShape = currentOutputShape();
    int outSize = Shapes.size(outShape);
    int n = x.rows();
    float[] result = new float[n * outSize];
    float[] buffer = new float[Math.min(batchSize, Math.max(n, 1)) * outSize];
    stepLock.readLock().lock();
    try {
      // Read under the lock: a failover or re-compile swaps the executable under the write lock.
      current();
      for (int start = 0; start < n; start += batchSize) {
        int rows = Math.min(batchSize, n - start);
        predictBatch(x.rows(start, start + rows), buffer);
        System.arraycopy(buffer, 0, result, start * outSize, rows * outSize);
      }
    } finally {
      stepLock.readLock().unlock();
    }
    int[] shape = new int[outShape.length + 1];
    shape[0] = n;
    System.arraycopy(outShape, 0, shape, 1, outShape.length);
    return Tensor.wrap(result, shape);
  }

  // ---------------------------------------------------------------- weights and state

  /** The parameters ({@code <layer>/kernel}, {@code <layer>/bias}, ...) as host copies. */
  public synchronized List<NamedArray> getWeights() {
    if (executable != null) {
      stepLock.readLock().lock();
      try {
        return executable.snapshot().parameters();
      } finally {
        stepLock.readLock().unlock();
      }
    }
    if (pendingWeights != null) {
      return new ModelState(pendingWeights, List.of(), 0).copy().parameters();
    }
    return ModelSpec.initialParameters(topology(), layers,
        BackplaneConfig.load().get(CoreKeys.SEED));
  }

  /**
   * Replaces the parameters, keeping the optimizer state. Validated by name and shape first;
   * on error nothing changes.
   *
   * @throws IllegalArgumentException naming the first mismatch
   */
  public synchronized void setWeights(List<NamedArray> weights) {
    List<NamedArray> expected = ModelSpec.initialParameters(topology(), layers, 0);
    checkSameArrays(expected, weights);
    List<NamedArray> copy = new ModelState(weights, List.of(), 0).copy().parameters();
    if (executable == null) {
      pendingWeights = copy;
      return;
    }
    stepLock.writeLock().lock();
    try {
      ModelState now = executable.snapshot();
      executable.restore(new ModelState(copy, now.slots(), now.iterations()));
      if (inferenceGuard != null) {
        hostState = executable.snapshot();
        hostStateCurrent = true;
      }
    } finally {
      stepLock.writeLock().unlock();
    }
  }

  private void checkSameArrays(List<NamedArray> expected, List<NamedArray> given) {
    if (given.size() != expected.size()) {
      throw new IllegalArgumentException("Model '" + name + "' has " + expected.size()
          + " weight arrays " + expected.stream().map(NamedArray::name).toList() + " but "
          + given.size() + " were given");
    }
    for (int i = 0; i < expected.size(); i++) {
      NamedArray e = expected.get(i);
      NamedArray g = given.get(i);
      if (!e.name().equals(g.name()) || !java.util.Arrays.equals(e.shape(), g.shape())) {
        throw new IllegalArgumentException("Weight " + i + " of model '" + name + "' is "
            + e + " but " + g + " was given");
      }
    }
  }

  /**
   * The full training state: parameters, optimizer slots and iteration count. Before compile,
   * the parameters with no optimizer state.
   */
  public synchronized ModelState getState() {
    if (executable == null) {
      return new ModelState(getWeights(), List.of(), 0);
    }
    stepLock.readLock().lock();
    try {
      return executable.snapshot();
    } finally {
      stepLock.readLock().unlock();
    }
  }

  /**
   * Restores a full training state taken with {@link #getState()} (possibly on another backend),
   * so {@code fit} resumes exactly. Before compile only states without optimizer slots are
   * accepted.
   *
   * @throws IllegalArgumentException if the state does not fit the model; nothing changes
   */
  public synchronized void setState(ModelState state) {
    if (executable == null) {
      if (!state.slots().isEmpty()) {
        throw new IllegalStateException("Compile model '" + name + "' before restoring optimizer"
            + " state into it");
      }
      setWeights(state.parameters());
      return;
    }
    spec.checkCompatible(state);
    stepLock.writeLock().lock();
    try {
      executable.restore(state.copy());
      if (inferenceGuard != null) {
        hostState = executable.snapshot();
        hostStateCurrent = true;
      }
    } finally {
      stepLock.writeLock().unlock();
    }
  }

  /** The compiled executable (for the step guard). */
  Executable executable() {
    return requireCompiled();
  }

  /**
   * Releases the compiled executable once in-flight calls finish; later calls fail with
   * {@code IllegalStateException: model '...' is closed}. The model can be compiled again.
   */
  @Override
  public synchronized void close() {
    stepLock.writeLock().lock();
    try {
      Executable e = executable;
      if (e != null) {
        pendingWeights = e.snapshot().parameters();
        executable = null;
        closed = true;
        InferenceGuard guard = inferenceGuard;
        if (guard != null) {
          guard.close();
          inferenceGuard = null;
          hostState = null;
        }
        retire(e);
      }
    } finally {
      stepLock.writeLock().unlock();
    }
  }

  Map<String, Double> emptyLogs() {
    return new LinkedHashMap<>();
  }
}
