package dev.backplane.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * The sum of every barrier task's values over a ring of TCP connections between the tasks (the
 * reduce-scatter and all-gather of ring allreduce: each task sends and receives {@code 2 (T - 1)
 * / T} of the values per step, whatever the number of tasks). The addresses are exchanged once
 * per stage with {@code BarrierTaskContext.allGather}; each chunk's sum is computed by one task
 * and copied to the others, so every replica gets the same bits.
 *
 * <p>Why not {@code allGather} per step: in Spark 4.0 each {@code allGather} call polls its
 * reply once a second, so a step would cost about a second whatever the model's size.
 *
 * <p>A peer that dies closes its sockets, so the others fail their read instead of waiting; a
 * killed task (Spark interrupts it) stops waiting within {@link #POLL_MS}.
 */
final class RingAllreduce implements AutoCloseable {
  /** How often a blocked read or accept checks whether the task was killed. */
  static final int POLL_MS = 500;
  private final int task;
  private final int tasks;
  private final BooleanSupplier killed;
  private final ServerSocket server;
  private Socket toNext;
  private Socket fromPrevious;
  private OutputStream out;
  private InputStream in;
  private final ExecutorService writer;
  private byte[] sendBytes = new byte[0];
  private byte[] receiveBytes = new byte[0];
  private float[] receive = new float[0];

  /** Opens this task's listening socket; {@link #connect} joins the ring. */
  RingAllreduce(int task, int tasks, BooleanSupplier killed) {
    this.task = task;
    this.tasks = tasks;
    this.killed = killed;
    try {
      this.server = new ServerSocket();
      server.bind(new InetSocketAddress(0));
      server.setSoTimeout(POLL_MS);
    } catch (IOException e) {
      throw new UncheckedIOException("Task " + task + " cannot open its allreduce socket", e);
    }
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "backplane-allreduce-writer-" + task);
      t.setDaemon(true);
      return t;
    });
  }

  /** This task's listening port. */
  int port() {
    return server.getLocalPort();
  }

  /** Connects to the next task and accepts the previous one. */
  void connect(String[] hostPorts) {
    if (tasks == 1) {
      return;
    }
    String next = hostPorts[(task + 1) % tasks];
    int colon = next.lastIndexOf(':');
    try {
      toNext = new Socket();
      toNext.connect(new InetSocketAddress(next.substring(0, colon),
          Integer.parseInt(next.substring(colon + 1))), 60_000);
      toNext.setTcpNoDelay(true);
      out = new BufferedOutputStream(toNext.getOutputStream(), 1 << 16);
      while (fromPrevious == null) {
        try {
          fromPrevious = server.accept();
        } catch (SocketTimeoutException e) {
          checkKilled();
        }
      }
      fromPrevious.setSoTimeout(POLL_MS);
      fromPrevious.setTcpNoDelay(true);
      in = new BufferedInputStream(fromPrevious.getInputStream(), 1 << 16);
    } catch (IOException e) {
      throw new UncheckedIOException("Task " + task + " cannot join the allreduce ring at "
          + next, e);
    }
  }

  /** Replaces {@code values} on every task by their sum over the tasks. */
  void sum(float[] values) {
    if (tasks == 1) {
      return;
    }
    int n = values.length;
    if (receive.length < n / tasks + 1) {
      receive = new float[n / tasks + 1];
      sendBytes = new byte[4 * receive.length];
      receiveBytes = new byte[4 * receive.length];
    }
    // reduce-scatter: after T-1 steps task t holds the whole sum of chunk t+1
    for (int k = 0; k < tasks - 1; k++) {
      int send = Math.floorMod(task - k, tasks);
      int recv = Math.floorMod(task - k - 1, tasks);
      int from = start(recv, n);
      int len = start(recv + 1, n) - from;
      exchange(values, start(send, n), start(send + 1, n) - start(send, n), len);
      for (int i = 0; i < len; i++) {
        values[from + i] += receive[i];
      }
    }
    // all-gather: the finished chunks go round
    for (int k = 0; k < tasks - 1; k++) {
      int send = Math.floorMod(task + 1 - k, tasks);
      int recv = Math.floorMod(task - k, tasks);
      int from = start(recv, n);
      int len = start(recv + 1, n) - from;
      exchange(values, start(send, n), start(send + 1, n) - start(send, n), len);
      System.arraycopy(receive, 0, values, from, len);
    }
  }

  /**
   * Every task's {@code value}, by task: an all-gather round the ring, so the caller can add them
   * in task order (the same bits everywhere).
   */
  double[] gather(double value) {
    double[] all = new double[tasks];
    all[task] = value;
    if (tasks == 1) {
      return all;
    }
    try {
      for (int k = 0; k < tasks - 1; k++) {
        int send = Math.floorMod(task - k, tasks);
        int recv = Math.floorMod(task - k - 1, tasks);
        byte[] b = ByteBuffer.allocate(8).putDouble(all[send]).array();
        Future<?> w = writer.submit(() -> write(b, 8));
        byte[] r = new byte[8];
        read(r, 8);
        all[recv] = ByteBuffer.wrap(r).getDouble();
        await(w);
      }
    } catch (IOException e) {
      throw failed(e);
    }
    return all;
  }

  private int start(int chunk, int n) {
    return (int) ((long) chunk * n / tasks);
  }

  /** Sends {@code values[from, from + len)} to the next task while receiving from the previous. */
  private void exchange(float[] values, int from, int len, int receiveLen) {
    ByteBuffer.wrap(sendBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
        .put(values, from, len);
    try {
      Future<?> w = writer.submit(() -> write(sendBytes, 4 * len));
      read(receiveBytes, 4 * receiveLen);
      ByteBuffer.wrap(receiveBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
          .get(receive, 0, receiveLen);
      await(w);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  private Void write(byte[] b, int len) throws IOException {
    out.write(b, 0, len);
    out.flush();
    return null;
  }

  private void read(byte[] b, int len) throws IOException {
    int off = 0;
    while (off < len) {
      int r;
      try {
        r = in.read(b, off, len - off);
      } catch (SocketTimeoutException e) {
        checkKilled();
        continue;
      }
      if (r < 0) {
        throw new EOFException("task " + Math.floorMod(task - 1, tasks) + " closed the ring");
      }
      off += r;
    }
  }

  private void await(Future<?> w) throws IOException {
    try {
      w.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  private void checkKilled() throws IOException {
    if (killed.getAsBoolean() || Thread.currentThread().isInterrupted()) {
      throw new IOException("task " + task + " was killed");
    }
  }

  private UncheckedIOException failed(IOException e) {
    return new UncheckedIOException("Allreduce of task " + task + " failed: " + e.getMessage(), e);
  }

  @Override
  public void close() {
    writer.shutdownNow();
    for (AutoCloseable c : new AutoCloseable[] {toNext, fromPrevious, server}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // closing: nothing left to do
      }
    }
  }
}
