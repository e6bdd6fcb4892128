package dev.backplane.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The split of the one-machine batches into shards by position. */
class ShardPlanTest {
  @Test
  void eachBatchIsSplitIntoContiguousShardsInTaskOrder() {
    ShardPlan plan = new ShardPlan(70, 32, 3);
    assertThat(plan.steps()).isEqualTo(3);
    assertThat(plan.batchRows(2)).isEqualTo(6);
    // batch 0: positions 0-31 go 10 / 11 / 11
    assertThat(plan.task(0)).isZero();
    assertThat(plan.task(9)).isZero();
    assertThat(plan.task(10)).isEqualTo(1);
    assertThat(plan.task(20)).isEqualTo(1);
    assertThat(plan.task(21)).isEqualTo(2);
    assertThat(plan.task(31)).isEqualTo(2);
    assertThat(plan.task(32)).isZero();
    // the last batch of 6 rows: 2 / 2 / 2
    assertThat(plan.task(64)).isZero();
    assertThat(plan.task(66)).isEqualTo(1);
    assertThat(plan.task(69)).isEqualTo(2);
  }

  @Test
  void aBatchSmallerThanTheTasksLeavesSomeShardsEmpty() {
    ShardPlan plan = new ShardPlan(33, 32, 2);
    assertThat(plan.batchRows(1)).isEqualTo(1);
    assertThat(plan.shardStart(1, 1)).isZero();
    assertThat(plan.task(32)).isEqualTo(1);
  }

  @Test
  void theOrderIsAPermutationAndItsPositionsInvertIt() {
    int[] order = ShardPlan.order(50, 7, 2, true);
    int[] pos = ShardPlan.positions(order);
    boolean[] seen = new boolean[50];
    for (int i = 0; i < 50; i++) {
      seen[order[i]] = true;
      assertThat(pos[order[i]]).isEqualTo(i);
    }
    assertThat(seen).doesNotContain(false);
    assertThat(order).isNotEqualTo(ShardPlan.order(50, 7, 3, true));
    assertThat(ShardPlan.order(5, 7, 2, false)).containsExactly(0, 1, 2, 3, 4);
  }
}
