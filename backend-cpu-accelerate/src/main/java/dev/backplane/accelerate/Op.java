package dev.backplane.accelerate;

/**
 * One compiled layer: forward and backward over a batch held in a {@link Pass}. Ops keep their
 * parameters; the batch buffers belong to the pass, so one op serves training and concurrent
 * predictions alike.
 */
abstract class Op {
  private static final Parameter[] NONE = new Parameter[0];

  /** Position in the compiled op list (its buffers' index in a pass). */
  final int index;
  /** Position of the layer in the model (dropout masks derive from it). */
  final int layerIndex;
  /** The layer's name. */
  final String name;
  /** Values per sample in and out. */
  final int inSize;
  final int outSize;

  Op(int index, int layerIndex, String name, int inSize, int outSize) {
    this.index = index;
    this.layerIndex = layerIndex;
    this.name = name;
    this.inSize = inSize;
    this.outSize = outSize;
  }

  /** The trainable parameters, in state order; empty for most ops. */
  Parameter[] parameters() {
    return NONE;
  }

  /** Whether a pass must keep this op's pre-activation for the backward pass. */
  boolean needsPreActivation() {
    return false;
  }

  /** Whether the pass needs a dropout mask for this op. */
  boolean needsMask() {
    return false;
  }

  /**
   * Computes {@code pass.out[index]} from {@code in} for rows {@code [0, n)}.
   *
   * @param training whether dropout is active
   * @param iteration the optimizer step (dropout masks derive from it)
   */
  abstract void forward(Pass pass, Mat in, int n, boolean training, long iteration);

  /**
   * From {@code pass.grad[index]} (the loss gradient with respect to this op's output, or to its
   * pre-activation when {@code gradIsPreActivation}) computes the parameter gradients and, when
   * {@code dIn} is not {@code null}, the gradient with respect to the input. May overwrite
   * {@code pass.grad[index]}.
   */
  abstract void backward(Pass pass, Mat in, int n, boolean gradIsPreActivation, Mat dIn);
}
