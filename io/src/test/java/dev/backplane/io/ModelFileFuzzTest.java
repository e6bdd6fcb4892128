package dev.backplane.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.backplane.Backplane;
import dev.backplane.io.Mutator.Mutant;
import dev.backplane.io.safetensors.Safetensors;
import dev.backplane.io.safetensors.SafetensorsContent;
import dev.backplane.io.testing.MiniProvider;
import dev.backplane.model.Sequential;
import dev.backplane.spi.NamedArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds hundreds of seeded mutants of a valid model file to the loader: each must either load
 * as a consistent model (and build into a compiled {@link Sequential}) or be rejected with
 * {@link ModelFileException}; any other exception, or a case that allocates more than
 * {@link #MAX_CASE_BYTES} (the deterministic bound on its work), fails the test with the seed
 * and the mutation.
 */
class ModelFileFuzzTest {
  private static final long SEED = Long.getLong("backplane.fuzz.seed", 20240611L);
  private static final int CASES = Integer.getInteger("backplane.fuzz.cases", 600);
  /** Most bytes one case (a file of a few KB) may allocate, reading and building included. */
  static final long MAX_CASE_BYTES = 64L << 20;

  @TempDir Path dir;

  private final Backplane backplane = MiniProvider.backplane("mini");

  @AfterEach
  void close() {
    backplane.close();
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void everyMutantLoadsConsistentlyOrIsRejectedWithModelFileException() throws IOException {
    Path valid = dir.resolve("valid.safetensors");
    ModelFileFormat.write(valid, Fixtures.model(true));
    byte[] bytes = Files.readAllBytes(valid);
    int headerEnd = 8 + (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    Mutator mutator = new Mutator(SEED);
    Path file = dir.resolve("mutant.safetensors");
    int loaded = 0;
    int rejected = 0;
    for (int i = 0; i < CASES; i++) {
      Mutant mutant = i % 3 == 0 ? metadataMutant(valid, mutator) : mutator.mutate(bytes, 8,
          headerEnd);
      Files.write(file, mutant.bytes());
      long start = AllocatedBytes.now();
      try {
        SavedModel model = ModelFileFormat.read(file);
        assertConsistent(model);
        try (Sequential built = SavedModels.toSequential(file, model, backplane)) {
          assertThat(built.getWeights()).isEqualTo(model.parameters());
        }
        loaded++;
      } catch (ModelFileException e) {
        assertThat(e.getMessage()).startsWith(file + ": ");
        rejected++;
      } catch (Throwable t) {
        fail("case " + i + " (seed " + SEED + ", " + mutant.label() + ") threw " + t, t);
      }
      // The work per case, bounded deterministically: bytes allocated, not elapsed time.
      long allocated = AllocatedBytes.now() - start;
      assertThat(allocated).as("case %d (%s) allocated %d bytes", i, mutant.label(), allocated)
          .isLessThan(MAX_CASE_BYTES);
    }
    System.out.printf("fuzz: %d mutants loaded, %d rejected%n", loaded, rejected);
    assertThat(rejected).as("rejected").isGreaterThan(CASES / 2);
    assertThat(loaded).as("loaded").isGreaterThan(0);
  }

  /** Mutates one JSON metadata entry and re-encodes a well-formed safetensors file around it. */
  private Mutant metadataMutant(Path valid, Mutator mutator) {
    SafetensorsContent c = Safetensors.read(valid);
    Map<String, String> meta = new LinkedHashMap<>(c.metadata());
    String key = mutator.pick(List.copyOf(meta.keySet()));
    meta.put(key, mutator.editJson(meta.get(key)));
    return new Mutant("metadata " + key, Safetensors.toBytes(c.arrays(), meta));
  }

  private static void assertConsistent(SavedModel model) {
    Map<String, int[]> expected = model.config().parameterShapes();
    assertThat(model.parameters()).extracting(NamedArray::name)
        .containsExactlyElementsOf(expected.keySet());
    for (NamedArray p : model.parameters()) {
      assertThat(p.shape()).isEqualTo(expected.get(p.name()));
    }
    model.optimizerState().ifPresent(o -> assertThat(o.slots()).hasSize(
        expected.size() * model.training().orElseThrow().optimizer().slotNames().size()));
  }
}
