package dev.backplane.optimizer;

import java.util.function.LongToDoubleFunction;

/**
 * Keras 3's optimizer formulas, written out in double from keras/src/optimizers/*.py,
 * independently of the graphs: each {@code step} updates {@code w} in place from the gradient
 * {@code g}, with Keras's own state (e.g. Adagrad's accumulator starting at its initial value,
 * Nadam's scalar {@code u_product} starting at 1).
 */
abstract class Keras {
  /** The learning rate at each iteration (Keras's {@code optimizer.iterations}, from 0). */
  final LongToDoubleFunction lr;
  /** Steps taken. */
  long iterations;

  Keras(LongToDoubleFunction lr) {
    this.lr = lr;
  }

  /** One step: Keras's {@code apply} with {@code iterations} the steps before this one. */
  final void step(double[] w, double[] g) {
    update(w, g, iterations + 1, lr.applyAsDouble(iterations));
    iterations++;
  }

  abstract void update(double[] w, double[] g, long t, double lr);

  static LongToDoubleFunction constant(double lr) {
    return it -> lr;
  }

  static final class Sgd extends Keras {
    final double momentum;
    final boolean nesterov;
    double[] m;

    Sgd(LongToDoubleFunction lr, double momentum, boolean nesterov) {
      super(lr);
      this.momentum = momentum;
      this.nesterov = nesterov;
    }

    @Override
    void update(double[] w, double[] g, long t, double lr) {
      if (m == null) {
        m = new double[w.length];
      }
      for (int i = 0; i < w.length; i++) {
        if (momentum == 0) {
          w[i] -= g[i] * lr;
          continue;
        }
        m[i] = m[i] * momentum - g[i] * lr;
        w[i] += nesterov ? m[i] * momentum - g[i] * lr : m[i];
      }
    }
  }

  static class Adam extends Keras {
    final double b1;
    final double b2;
    final double eps;
    final double weightDecay;
    double[] m;
    double[] v;

    Adam(LongToDoubleFunction lr, double b1, double b2, double eps, double weightDecay) {
      super(lr);
      this.b1 = b1;
      this.b2 = b2;
      this.eps = eps;
      this.weightDecay = weightDecay;
    }

    @Override
    void update(double[] w, double[] g, long t, double lr) {
      if (m == null) {
        m = new double[w.length];
        v = new double[w.length];
      }
      double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
      for (int i = 0; i < w.length; i++) {
        w[i] = w[i] - w[i] * weightDecay * lr; // _apply_weight_decay, before the update step
        m[i] += (g[i] - m[i]) * (1 - b1);
        v[i] += (g[i] * g[i] - v[i]) * (1 - b2);
        w[i] -= m[i] * alpha / (Math.sqrt(v[i]) + eps);
      }
    }
  }

  static final class RmsProp extends Keras {
    final double rho;
    final double momentum;
    final double eps;
    double[] vel;
    double[] mom;

    RmsProp(LongToDoubleFunction lr, double rho, double momentum, double eps) {
      super(lr);
      this.rho = rho;
      this.momentum = momentum;
      this.eps = eps;
    }

    @Override
    void update(double[] w, double[] g, long t, double lr) {
      if (vel == null) {
        vel = new double[w.length];
        mom = new double[w.length];
      }
      for (int i = 0; i < w.length; i++) {
        vel[i] = rho * vel[i] + (1 - rho) * g[i] * g[i];
        double increment = lr * g[i] / Math.sqrt(vel[i] + eps);
        if (momentum > 0) {
          mom[i] = momentum * mom[i] + increment;
          w[i] -= mom[i];
        } else {
          w[i] -= increment;
        }
      }
    }
  }

  static final class Adagrad extends Keras {
    final double initial;
    final double eps;
    double[] accumulator;

    Adagrad(LongToDoubleFunction lr, double initial, double eps) {
      super(lr);
      this.initial = initial;
      this.eps = eps;
    }

    @Override
    void update(double[] w, double[] g, long t, double lr) {
      if (accumulator == null) {
        accumulator = new double[w.length];
        java.util.Arrays.fill(accumulator, initial);
      }
      for (int i = 0; i < w.length; i++) {
        accumulator[i] += g[i] * g[i];
        w[i] -= lr * g[i] / Math.sqrt(accumulator[i] + eps);
      }
    }
  }

  static final class Adadelta extends Keras {
    final double rho;
    final double eps;
    double[] accGrad;
    double[] accDelta;

    Adadelta(LongToDoubleFunction lr, double rho, double eps) {
      super(lr);
      this.rho = rho;
      this.eps = eps;
    }

    @Override
    void update(double[] w, double[] g, long t, double lr) {
      if (accGrad == null) {
        accGrad = new double[w.length];
        accDelta = new double[w.length];
      }
      for (int i = 0; i < w.length; i++) {
        accGrad[i] = rho * accGrad[i] + (1 - rho) * g[i] * g[i];
        double delta = -(Math.sqrt(accDelta[i] + eps) * g[i]) / Math.sqrt(accGrad[i] + eps);
        accDelta[i] = rho * accDelta[i] + (1 - rho) * delta * delta;
        w[i] += lr * delta;
      }
    }
  }

  static final class Adamax extends Keras {
    final double b1;
    final double b2;
    final double eps;
    double[] m;
    double[] u;

    Adamax(LongToDoubleFunction lr, double b1, double b2, double eps) {
      super(lr);
      this.b1 = b1;
      this.b2 = b2;
      this.eps = eps;
    }

    @Override
    void update(double[] w, double[] g, long t, double lr) {
      if (m == null) {
        m = new double[w.length];
        u = new double[w.length];
      }
      double b1Power = Math.pow(b1, t);
      for (int i = 0; i < w.length; i++) {
        m[i] += (g[i] - m[i]) * (1 - b1);
        u[i] = Math.max(b2 * u[i], Math.abs(g[i]));
        w[i] -= lr * m[i] / ((1 - b1Power) * (u[i] + eps));
      }
    }
  }

  static final class Nadam extends Keras {
    final double b1;
    final double b2;
    final double eps;
    double uProduct = 1;
    double[] m;
    double[] v;

    Nadam(LongToDoubleFunction lr, double b1, double b2, double eps) {
      super(lr);
      this.b1 = b1;
      this.b2 = b2;
      this.eps = eps;
    }

    @Override
    void update(double[] w, double[] g, long t, double lr) {
      if (m == null) {
        m = new double[w.length];
        v = new double[w.length];
      }
      // _backend_update_step: u_product *= beta_1 * (1 - 0.5 * 0.96^(iterations + 1))
      uProduct *= b1 * (1 - 0.5 * Math.pow(0.96, t));
      double ut = b1 * (1 - 0.5 * Math.pow(0.96, t));
      double ut1 = b1 * (1 - 0.5 * Math.pow(0.96, t + 1));
      double uProduct1 = uProduct * ut1;
      double b2Power = Math.pow(b2, t);
      for (int i = 0; i < w.length; i++) {
        m[i] += (g[i] - m[i]) * (1 - b1);
        v[i] += (g[i] * g[i] - v[i]) * (1 - b2);
        double mHat = ut1 * m[i] / (1 - uProduct1) + (1 - ut) * g[i] / (1 - uProduct);
        double vHat = v[i] / (1 - b2Power);
        w[i] -= mHat * lr / (Math.sqrt(vHat) + eps);
      }
    }
  }

  static final class Lion extends Keras {
    final double b1;
    final double b2;
    double[] m;

    Lion(LongToDoubleFunction lr, double b1, double b2) {
      super(lr);
      this.b1 = b1;
      this.b2 = b2;
    }

    @Override
    void update(double[] w, double[] g, long t, double lr) {
      if (m == null) {
        m = new double[w.length];
      }
      for (int i = 0; i < w.length; i++) {
        w[i] -= lr * Math.signum(m[i] * b1 + g[i] * (1 - b1));
        m[i] = m[i] * b2 + g[i] * (1 - b2);
      }
    }
  }
}
