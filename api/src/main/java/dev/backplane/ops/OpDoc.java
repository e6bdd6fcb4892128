package dev.backplane.ops;

/**
 * One row of the op table, the contract a backend author implements.
 *
 * @param family the op family, e.g. {@code elementwise}
 * @param signature inputs and attributes, e.g. {@code matmul(a, b; transpose_a, transpose_b)}
 * @param semantics what it computes, with the shapes
 * @param gradient the gradient rule, in the op set
 */
public record OpDoc(String family, String signature, String semantics, String gradient) {}
