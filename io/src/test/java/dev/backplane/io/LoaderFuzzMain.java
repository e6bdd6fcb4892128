package dev.backplane.io;

import dev.backplane.io.Mutator.Mutant;
import dev.backplane.io.keras.KerasSeeds;
import dev.backplane.io.npy.Npy;
import dev.backplane.io.safetensors.Safetensors;
import dev.backplane.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The fuzz run {@link LoaderFuzzTest} starts in a child JVM with a small heap: seeded mutants of
 * a valid file for every loader (safetensors model files, Keras {@code .h5}, {@code .keras} zip,
 * NPY read whole and memory-mapped, CSV), a fixed number per loader. Each case must load or fail with {@link ModelFileException}
 * and allocate at most {@link #MAX_CASE_BYTES} bytes plus {@link #BYTES_PER_INPUT_BYTE} per
 * byte of the file (the deterministic bound on its work); anything else (another exception, an
 * {@link Error}, or a rejection caused by running out of memory) prints {@code FAIL} and exits
 * with 1. Two cases are bombs: a {@code model_config} of four million empty arrays (12 MB, whose
 * tree would not fit the heap) and a {@code .keras} whose weights inflate to 300 MB.
 * Prints {@code OK <loader> <loaded> <rejected> <max bytes>} per loader.
 *
 * <p>Arguments: work directory, seed, cases per loader.
 */
public final class LoaderFuzzMain {
  /** Most bytes one case may allocate, plus {@link #BYTES_PER_INPUT_BYTE} per file byte. */
  static final long MAX_CASE_BYTES = 64L << 20;
  /** Allocation allowed per byte of the file on top of {@link #MAX_CASE_BYTES}. */
  static final long BYTES_PER_INPUT_BYTE = 16;

  private interface Loader {
    void load(Path file) throws Exception;
  }

  private LoaderFuzzMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    int cases = Integer.parseInt(args[2]);
    Mutator mutator = new Mutator(seed);
    boolean ok = true;

    Path st = dir.resolve("seed.safetensors");
    ModelFileFormat.write(st, Fixtures.model(true));
    byte[] stBytes = Files.readAllBytes(st);
    int headerEnd = 8 + (int) ByteBuffer.wrap(stBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    ok &= run("safetensors", dir.resolve("m.safetensors"), cases, i -> i == 1
        ? jsonBomb(st) : mutator.mutate(stBytes, 8, headerEnd), ModelFileFormat::read); // Safetensors.read, then the metadata

    Path h5 = dir.resolve("seed.h5");
    KerasSeeds.h5Model(h5);
    byte[] h5Bytes = Files.readAllBytes(h5);
    ok &= run("h5", dir.resolve("m.h5"), cases, i -> mutator.mutateBinary(h5Bytes),
        KerasSeeds::read);

    Path keras = dir.resolve("seed.keras");
    KerasSeeds.archive(keras);
    byte[] kerasBytes = Files.readAllBytes(keras);
    Map<String, byte[]> entries = entries(keras);
    ok &= run("keras", dir.resolve("m.keras"), cases, i -> i == 1 ? zipBomb(entries)
        : i % 3 == 0 ? configMutant(entries, mutator) : mutator.mutateBinary(kerasBytes),
        KerasSeeds::read);

    Path npy = dir.resolve("seed.npy");
    Npy.write(npy, Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    byte[] npyBytes = Files.readAllBytes(npy);
    int npyHeaderEnd = 10 + (npyBytes[8] & 0xff | (npyBytes[9] & 0xff) << 8);
    ok &= run("npy", dir.resolve("m.npy"), cases, i -> mutator.mutate(npyBytes, 10,
        npyHeaderEnd), Npy::read);
    ok &= run("npy-mapped", dir.resolve("mapped.npy"), cases, i -> mutator.mutate(npyBytes, 10,
        npyHeaderEnd), LoaderFuzzMain::readMapped);

    byte[] csvBytes = ("a,b,c,label\n0.5,1,-2,0\n1e-3,\"2.5\",3,1\n4,5,6,2\n")
        .getBytes(StandardCharsets.UTF_8);
    ok &= run("csv", dir.resolve("m.csv"), cases, i -> mutator.mutateBinary(csvBytes),
        f -> dev.backplane.io.data.Datasets.csv(f, "label"));
    System.exit(ok ? 0 : 1);
  }

  /** A memory-mapped NPY dataset, every row read as training would. */
  private static void readMapped(Path file) {
    dev.backplane.data.Dataset d = dev.backplane.io.data.Datasets.npy(file, null);
    float[] row = new float[d.featureSize()];
    for (int r = 0; r < d.size(); r++) {
      d.read(r, row, 0, null, 0);
    }
  }

  private interface Mutation {
    Mutant next(int i) throws IOException;
  }

  private static boolean run(String name, Path file, int cases, Mutation mutation,
      Loader loader) throws IOException {
    int loaded = 0;
    int rejected = 0;
    long max = 0;
    boolean ok = true;
    for (int i = 0; i < cases; i++) {
      Mutant m = mutation.next(i);
      Files.write(file, m.bytes());
      AllocatedBytes.Result r = AllocatedBytes.measure(() -> loader.load(file));
      max = Math.max(max, r.bytes());
      if (r.thrown() == null) {
        loaded++;
      } else if (r.thrown() instanceof ModelFileException e
          && e.getMessage().startsWith(file + ": ") && !outOfMemory(e)) {
        rejected++;
      } else {
        System.out.println("FAIL " + name + " case " + i + " (" + m.label() + ") threw "
            + r.thrown());
        r.thrown().printStackTrace(System.out);
        ok = false;
      }
      long bound = MAX_CASE_BYTES + BYTES_PER_INPUT_BYTE * m.bytes().length;
      if (r.bytes() > bound) {
        System.out.println("FAIL " + name + " case " + i + " (" + m.label() + ") allocated "
            + r.bytes() + " bytes, over " + bound);
        ok = false;
      }
    }
    System.out.println((ok ? "OK " : "FAILED ") + name + " " + loaded + " " + rejected + " "
        + max);
    return ok;
  }

  private static boolean outOfMemory(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof OutOfMemoryError) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, byte[]> entries(Path zip) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (ZipEntry e : z.stream().toList()) {
        try (InputStream in = z.getInputStream(e)) {
          out.put(e.getName(), in.readAllBytes());
        }
      }
    }
    return out;
  }

  /** A model file whose model_config is four million empty arrays (12 MB). */
  private static Mutant jsonBomb(Path valid) {
    var c = Safetensors.read(valid);
    Map<String, String> meta = new LinkedHashMap<>(c.metadata());
    meta.put("model_config", "[" + "[],".repeat(4_000_000) + "[]]");
    return new Mutant("model_config of four million empty arrays",
        Safetensors.toBytes(c.arrays(), meta));
  }

  /** The archive with weights that inflate to 300 MB of zeros (about 300 KB zipped). */
  private static Mutant zipBomb(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        if (e.getKey().equals("model.weights.h5")) {
          byte[] zeros = new byte[1 << 20];
          for (int i = 0; i < 300; i++) {
            zip.write(zeros);
          }
        } else {
          zip.write(e.getValue());
        }
        zip.closeEntry();
      }
    }
    return new Mutant("zip bomb: weights inflate to 300 MB", out.toByteArray());
  }

  /** The archive with an edited {@code config.json}, re-zipped. */
  private static Mutant configMutant(Map<String, byte[]> entries, Mutator mutator)
      throws IOException {
    List<String> names = new ArrayList<>(entries.keySet());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (String n : names) {
        byte[] b = entries.get(n);
        if (n.equals("config.json")) {
          b = mutator.editJson(new String(b, StandardCharsets.UTF_8))
              .getBytes(StandardCharsets.UTF_8);
        }
        zip.putNextEntry(new ZipEntry(n));
        zip.write(b);
        zip.closeEntry();
      }
    }
    return new Mutant("edit config.json", out.toByteArray());
  }
}
